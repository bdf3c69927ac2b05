package digest

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Chart is one PNG chart of a report.
type Chart struct {
	Name      string // file name, e.g. "volume.png"
	ContentID string // for the email's inline part: <img src="cid:ContentID">
	Alt       string // Vietnamese description, the img alt text
	PNG       []byte
}

var (
	colPositive = color.RGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
	colNeutral  = color.RGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff}
	colNegative = color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	colMain     = color.RGBA{R: 0x1f, G: 0x4e, B: 0x79, A: 0xff}
	colPrev     = color.RGBA{R: 0xa9, G: 0xc4, B: 0xde, A: 0xff}
)

// Charts draws the report's charts: volume by day (by tone for a weekly
// report), the trend by week or month (quarterly, annual), volume by country,
// and tone by country against the previous period. An empty report has none.
func Charts(r *Report) ([]Chart, error) {
	if r.Empty() {
		return nil, nil
	}
	var out []Chart
	add := func(name, alt string, p *plot.Plot, w, h vg.Length, err error) error {
		if err != nil {
			return fmt.Errorf("chart %s: %w", name, err)
		}
		png, err := renderPNG(p, w, h)
		if err != nil {
			return fmt.Errorf("chart %s: %w", name, err)
		}
		out = append(out, Chart{Name: name + ".png", ContentID: name + "." + r.Period + "@presswatch", Alt: alt, PNG: png})
		return nil
	}
	if r.Kind == Weekly {
		p, err := toneBars(r.Days, "Số tin, bài theo ngày và sắc thái · Articles per day by tone")
		if err := add("volume", "Số tin, bài theo ngày", p, 16*vg.Centimeter, 8*vg.Centimeter, err); err != nil {
			return nil, err
		}
	} else {
		p, err := dailyBars(r.Days)
		if err := add("volume", "Số tin, bài theo ngày", p, 16*vg.Centimeter, 7*vg.Centimeter, err); err != nil {
			return nil, err
		}
		unit, unitEN := "tuần", "week"
		if r.Kind == Annual {
			unit, unitEN = "tháng", "month"
		}
		p, err = toneBars(r.Trend, "Xu hướng theo "+unit+" và sắc thái · Trend by "+unitEN+" and tone")
		if err := add("trend", "Xu hướng số tin, bài theo "+unit, p, 16*vg.Centimeter, 8*vg.Centimeter, err); err != nil {
			return nil, err
		}
	}
	countries := r.Countries[:min(len(r.Countries), 10)]
	p, err := countryBars(countries)
	h := vg.Length(2.2+0.6*float64(len(countries))) * vg.Centimeter
	if err := add("countries", "Số tin, bài theo quốc gia", p, 16*vg.Centimeter, h, err); err != nil {
		return nil, err
	}
	p, err = toneByCountry(r.Countries[:min(len(r.Countries), 8)], r.PrevLabel)
	if err := add("tone", "Chỉ số sắc thái theo quốc gia", p, 16*vg.Centimeter, 8*vg.Centimeter, err); err != nil {
		return nil, err
	}
	return out, nil
}

func renderPNG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	wt, err := p.WriterTo(w, h, "png")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Title.Padding = vg.Points(6)
	p.X.Tick.Label.Font.Size = vg.Points(8)
	p.Y.Tick.Label.Font.Size = vg.Points(8)
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Legend.Padding = vg.Points(2)
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Tick.Label.Font, &p.Y.Tick.Label.Font,
		&p.Legend.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font} {
		f.Variant = "Sans"
	}
	p.Y.Label.TextStyle.Font.Size = vg.Points(9)
	return p
}

// intTicks marks whole numbers only: counts of articles have no fractions.
type intTicks struct{}

// Ticks returns about five whole-number ticks between min and max.
func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	step := math.Max(1, math.Ceil((hi-lo)/5))
	// Round the step up to 1, 2 or 5 times a power of ten.
	mag := math.Pow(10, math.Floor(math.Log10(step)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= step {
			step = m * mag
			break
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
	}
	return ts
}

// sparseLabels keeps about 14 labels so that long series stay readable.
func sparseLabels(bs []Bucket) []string {
	step := max(1, (len(bs)+13)/14)
	labels := make([]string, len(bs))
	for i, b := range bs {
		if i%step == 0 {
			labels[i] = b.Label
		}
	}
	return labels
}

func toneBars(bs []Bucket, title string) (*plot.Plot, error) {
	p := newPlot(title)
	p.Y.Label.Text = "Số tin, bài"
	p.Y.Tick.Marker = intTicks{}
	w := vg.Points(max(2, min(24, 360/float64(max(len(bs), 1)))))
	var below *plotter.BarChart
	for _, s := range []struct {
		name string
		col  color.Color
		v    func(Bucket) int
	}{
		{"Tiêu cực", colNegative, func(b Bucket) int { return b.Negative }},
		{"Trung lập", colNeutral, func(b Bucket) int { return b.Neutral }},
		{"Tích cực", colPositive, func(b Bucket) int { return b.Positive }},
	} {
		vs := make(plotter.Values, len(bs))
		for i, b := range bs {
			vs[i] = float64(s.v(b))
		}
		bar, err := plotter.NewBarChart(vs, w)
		if err != nil {
			return nil, err
		}
		bar.Color = s.col
		bar.LineStyle.Width = 0
		if below != nil {
			bar.StackOn(below)
		}
		below = bar
		p.Add(bar)
		p.Legend.Add(s.name, bar)
	}
	p.Legend.Top = true
	p.NominalX(sparseLabels(bs)...)
	return p, nil
}

func dailyBars(bs []Bucket) (*plot.Plot, error) {
	p := newPlot("Số tin, bài theo ngày · Articles per day")
	vs := make(plotter.Values, len(bs))
	for i, b := range bs {
		vs[i] = float64(b.Count)
	}
	bar, err := plotter.NewBarChart(vs, vg.Points(max(1, min(12, 400/float64(max(len(bs), 1))))))
	if err != nil {
		return nil, err
	}
	bar.Color = colMain
	bar.LineStyle.Width = 0
	p.Add(bar)
	p.Y.Tick.Marker = intTicks{}
	p.NominalX(sparseLabels(bs)...)
	return p, nil
}

func countryBars(bs []Breakdown) (*plot.Plot, error) {
	p := newPlot("Số tin, bài theo quốc gia · Articles by country")
	// Bottom to top, so the largest is on top.
	vs := make(plotter.Values, len(bs))
	labels := make([]string, len(bs))
	for i, b := range bs {
		j := len(bs) - 1 - i
		vs[j] = float64(b.Count)
		labels[j] = b.Label
	}
	bar, err := plotter.NewBarChart(vs, vg.Points(12))
	if err != nil {
		return nil, err
	}
	bar.Horizontal = true
	bar.Color = colMain
	bar.LineStyle.Width = 0
	p.Add(bar)
	p.X.Tick.Marker = intTicks{}
	p.NominalY(labels...)
	return p, nil
}

func toneByCountry(bs []Breakdown, prevLabel string) (*plot.Plot, error) {
	p := newPlot("Chỉ số sắc thái theo quốc gia (−100 … +100) · Tone by country")
	cur := make(plotter.Values, len(bs))
	prev := make(plotter.Values, len(bs))
	labels := make([]string, len(bs))
	for i, b := range bs {
		cur[i], prev[i], labels[i] = b.Tone.Index, b.Tone.PrevIndex, b.Label
	}
	w := vg.Points(14)
	pb, err := plotter.NewBarChart(prev, w)
	if err != nil {
		return nil, err
	}
	pb.Color, pb.LineStyle.Width, pb.Offset = colPrev, 0, -w/2
	cb, err := plotter.NewBarChart(cur, w)
	if err != nil {
		return nil, err
	}
	cb.Color, cb.LineStyle.Width, cb.Offset = colMain, 0, w/2
	p.Add(plotter.NewGrid(), pb, cb)
	p.Legend.Add("Kỳ trước "+prevLabel, pb)
	p.Legend.Add("Kỳ này", cb)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Y.Min, p.Y.Max = -100, 135 // headroom for the legend
	p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: -100, Label: "-100"}, {Value: -50, Label: "-50"},
		{Value: 0, Label: "0"}, {Value: 50, Label: "50"}, {Value: 100, Label: "100"}})
	p.NominalX(labels...)
	p.X.Tick.Label.Rotation = 0
	return p, nil
}

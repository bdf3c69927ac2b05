package digest

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
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
	add := func(name, alt string, b *barChart, w, h float64) error {
		png, err := b.render(w, h)
		if err != nil {
			return fmt.Errorf("chart %s: %w", name, err)
		}
		out = append(out, Chart{Name: name + ".png", ContentID: name + "." + r.Period + "@presswatch", Alt: alt, PNG: png})
		return nil
	}
	if r.Kind == Weekly {
		b := toneBars(r.Days, "Số tin, bài theo ngày và sắc thái · Articles per day by tone")
		if err := add("volume", "Số tin, bài theo ngày", b, cm(16), cm(8)); err != nil {
			return nil, err
		}
	} else {
		if err := add("volume", "Số tin, bài theo ngày", dailyBars(r.Days), cm(16), cm(7)); err != nil {
			return nil, err
		}
		unit, unitEN := "tuần", "week"
		if r.Kind == Annual {
			unit, unitEN = "tháng", "month"
		}
		b := toneBars(r.Trend, "Xu hướng theo "+unit+" và sắc thái · Trend by "+unitEN+" and tone")
		if err := add("trend", "Xu hướng số tin, bài theo "+unit, b, cm(16), cm(8)); err != nil {
			return nil, err
		}
	}
	countries := r.Countries[:min(len(r.Countries), 10)]
	h := cm(2.2 + 0.6*float64(len(countries)))
	if err := add("countries", "Số tin, bài theo quốc gia", countryBars(countries), cm(16), h); err != nil {
		return nil, err
	}
	tone := toneByCountry(r.Countries[:min(len(r.Countries), 8)], r.PrevLabel)
	if err := add("tone", "Chỉ số sắc thái theo quốc gia", tone, cm(16), cm(8)); err != nil {
		return nil, err
	}
	return out, nil
}

// intTicks marks whole numbers only: counts of articles have no fractions.
// It returns about five ticks between lo and hi.
func intTicks(lo, hi float64) []tick {
	step := math.Max(1, math.Ceil((hi-lo)/5))
	// Round the step up to 1, 2 or 5 times a power of ten.
	mag := math.Pow(10, math.Floor(math.Log10(step)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= step {
			step = m * mag
			break
		}
	}
	var ts []tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ts = append(ts, tick{Value: v, Label: strconv.Itoa(int(v))})
	}
	return ts
}

// sparseLabels keeps about 14 labels so that long series stay readable.
func sparseLabels(bs []Bucket) []string {
	step := max(1, (len(bs)+13)/14)
	labels := make([]string, len(bs))
	for i, b := range bs {
		if i%step == 0 {
			// A week is its number under the axis ("40"): the chart's
			// title says weeks, and "Tuần 40" fourteen times overlapped.
			labels[i] = strings.TrimPrefix(b.Label, "Tuần ")
		}
	}
	return labels
}

func toneBars(bs []Bucket, title string) *barChart {
	b := &barChart{
		Title: title, YLabel: "Số tin, bài", Labels: sparseLabels(bs), Stacked: true, Legend: true,
		BarWidth: pt(max(2, min(24, 360/float64(max(len(bs), 1))))), Ticks: intTicks,
	}
	for _, s := range []struct {
		name string
		col  color.Color
		v    func(Bucket) int
	}{
		{"Tiêu cực", colNegative, func(b Bucket) int { return b.Negative }},
		{"Trung lập", colNeutral, func(b Bucket) int { return b.Neutral }},
		{"Tích cực", colPositive, func(b Bucket) int { return b.Positive }},
	} {
		vs := make([]float64, len(bs))
		for i, x := range bs {
			vs[i] = float64(s.v(x))
		}
		b.Series = append(b.Series, series{Name: s.name, Color: s.col, Values: vs})
	}
	return b
}

func dailyBars(bs []Bucket) *barChart {
	vs := make([]float64, len(bs))
	for i, b := range bs {
		vs[i] = float64(b.Count)
	}
	return &barChart{
		Title: "Số tin, bài theo ngày · Articles per day", Labels: sparseLabels(bs),
		Series:   []series{{Name: "Số tin, bài", Color: colMain, Values: vs}},
		BarWidth: pt(max(1, min(12, 400/float64(max(len(bs), 1))))), Ticks: intTicks,
	}
}

func countryBars(bs []Breakdown) *barChart {
	// Bottom to top, so the largest is on top.
	vs := make([]float64, len(bs))
	labels := make([]string, len(bs))
	for i, b := range bs {
		j := len(bs) - 1 - i
		vs[j] = float64(b.Count)
		labels[j] = b.Label
	}
	return &barChart{
		Title: "Số tin, bài theo quốc gia · Articles by country", Labels: labels, Horizontal: true,
		Series:   []series{{Name: "Số tin, bài", Color: colMain, Values: vs}},
		BarWidth: pt(12), Ticks: intTicks,
	}
}

func toneByCountry(bs []Breakdown, prevLabel string) *barChart {
	cur := make([]float64, len(bs))
	prev := make([]float64, len(bs))
	labels := make([]string, len(bs))
	for i, b := range bs {
		cur[i], prev[i], labels[i] = b.Tone.Index, b.Tone.PrevIndex, b.Label
	}
	return &barChart{
		Title:  "Chỉ số sắc thái theo quốc gia (−100 … +100) · Tone by country",
		Labels: labels,
		Series: []series{
			{Name: "Kỳ trước " + prevLabel, Color: colPrev, Values: prev},
			{Name: "Kỳ này", Color: colMain, Values: cur},
		},
		BarWidth: pt(14), Min: -100, Max: 100, Grid: true, Legend: true, LegendLeft: true,
		Ticks: func(lo, hi float64) []tick {
			return []tick{{-100, "-100"}, {-50, "-50"}, {0, "0"}, {50, "50"}, {100, "100"}}
		},
	}
}

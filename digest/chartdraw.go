package digest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The charts are drawn here with the standard library's image packages and
// golang.org/x/image's TrueType rasteriser, in Liberation Sans (the font the
// PDF already embeds, which covers Vietnamese). gonum/plot drew them before;
// it linked nine more fonts, a LaTeX renderer and SVG, EPS and PDF back ends
// that the reports never used, about 5 MB of the binary (issue 15).

// chartDPI is the resolution of the PNGs (gonum/plot's default, so the
// charts keep their pixel sizes).
const chartDPI = 96

// cm and pt convert lengths to pixels at chartDPI.
func cm(v float64) float64 { return v / 2.54 * chartDPI }
func pt(v float64) float64 { return v / 72 * chartDPI }

var (
	colText = color.RGBA{R: 0x21, G: 0x21, B: 0x21, A: 0xff}
	colAxis = color.RGBA{R: 0x42, G: 0x42, B: 0x42, A: 0xff}
	colGrid = color.RGBA{R: 0xe0, G: 0xe0, B: 0xe0, A: 0xff}
)

// chartFont is Liberation Sans parsed once, on the first chart drawn.
var chartFont = sync.OnceValues(func() (*opentype.Font, error) {
	return opentype.Parse(latinRegular())
})

// tick is one labelled mark on a value axis.
type tick struct {
	Value float64
	Label string
}

// series is one set of bars: one value per category.
type series struct {
	Name   string
	Color  color.Color
	Values []float64
}

// barChart describes a chart of bars over nominal categories.
type barChart struct {
	Title  string
	YLabel string   // value axis label, drawn vertically; may be empty
	Labels []string // one per category; "" leaves a category unlabelled
	Series []series
	// Stacked puts each series on top of the one before; otherwise the
	// series stand side by side within a category.
	Stacked bool
	// Horizontal draws the bars from the left with the categories from the
	// bottom up.
	Horizontal bool
	BarWidth   float64 // pixels; narrowed to fit the category when needed
	// Min and Max fix the value range when Max > Min; otherwise it is 0 to
	// the largest (stacked) value.
	Min, Max   float64
	Ticks      func(lo, hi float64) []tick
	Grid       bool // light lines at every tick
	Legend     bool // a legend row under the title, naming the series
	LegendLeft bool
}

// canvas is a white RGBA image with text in Liberation Sans.
type canvas struct {
	img   *image.RGBA
	font  *opentype.Font
	faces map[float64]font.Face
}

func newCanvas(w, h int) (*canvas, error) {
	f, err := chartFont()
	if err != nil {
		return nil, fmt.Errorf("chart font: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	return &canvas{img: img, font: f, faces: map[float64]font.Face{}}, nil
}

// face returns the font at size points.
func (c *canvas) face(size float64) font.Face {
	if f, ok := c.faces[size]; ok {
		return f
	}
	f, err := opentype.NewFace(c.font, &opentype.FaceOptions{Size: size, DPI: chartDPI, Hinting: font.HintingFull})
	if err != nil {
		// Only an invalid size fails, and the sizes are constants here.
		panic(fmt.Sprintf("digest: chart font face %v pt: %v", size, err))
	}
	c.faces[size] = f
	return f
}

// ascent, descent and width measure text at size points, in pixels.
func (c *canvas) ascent(size float64) float64 { return fx(c.face(size).Metrics().Ascent) }
func (c *canvas) descent(size float64) float64 {
	return fx(c.face(size).Metrics().Descent)
}
func (c *canvas) lineHeight(size float64) float64 { return c.ascent(size) + c.descent(size) }
func (c *canvas) width(s string, size float64) float64 {
	return fx(font.MeasureString(c.face(size), s))
}

func fx(v fixed.Int26_6) float64 { return float64(v) / 64 }

// text draws s with its baseline at y; align is 0 for left at x, 0.5 for
// centred on x, 1 for right at x.
func (c *canvas) text(s string, size, x, y, align float64) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(colText), Face: c.face(size)}
	x -= align * c.width(s, size)
	d.Dot = fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}
	d.DrawString(s)
}

// vtext draws s turned a quarter anticlockwise (read from bottom to top),
// centred on y, with its top at x.
func (c *canvas) vtext(s string, size, x, y float64) {
	w := int(math.Ceil(c.width(s, size)))
	h := int(math.Ceil(c.lineHeight(size)))
	tmp, err := newCanvas(w, h)
	if err != nil {
		return
	}
	tmp.faces = c.faces
	tmp.text(s, size, 0, c.ascent(size), 0)
	x0, y0 := int(math.Round(x)), int(math.Round(y+float64(w)/2))
	for ty := 0; ty < h; ty++ {
		for tx := 0; tx < w; tx++ {
			// (tx, ty) turned anticlockwise lands at (ty, -tx).
			c.img.Set(x0+ty, y0-tx, tmp.img.At(tx, ty))
		}
	}
}

// rect fills the rectangle between two corners, rounded to whole pixels.
func (c *canvas) rect(x0, y0, x1, y1 float64, col color.Color) {
	r := image.Rect(int(math.Round(x0)), int(math.Round(y0)), int(math.Round(x1)), int(math.Round(y1)))
	draw.Draw(c.img, r, image.NewUniform(col), image.Point{}, draw.Over)
}

// hline and vline draw one-pixel lines.
func (c *canvas) hline(x0, x1, y float64, col color.Color) {
	y = math.Round(y)
	c.rect(x0, y, x1, y+1, col)
}
func (c *canvas) vline(x, y0, y1 float64, col color.Color) {
	x = math.Round(x)
	c.rect(x, y0, x+1, y1, col)
}

func (c *canvas) png() ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Text sizes, in points, as the charts had them under gonum/plot.
const (
	sizeTitle  = 11
	sizeTick   = 8
	sizeLegend = 8
	sizeYLabel = 9
	tickLen    = 4 // pixels
)

// render draws the chart at w × h pixels and returns it as a PNG.
func (b *barChart) render(w, h float64) ([]byte, error) {
	if len(b.Series) == 0 {
		return nil, fmt.Errorf("no series")
	}
	n := len(b.Labels)
	for _, s := range b.Series {
		if len(s.Values) != n {
			return nil, fmt.Errorf("series %q has %d values for %d categories", s.Name, len(s.Values), n)
		}
		for _, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("series %q: value %v", s.Name, v)
			}
		}
	}
	c, err := newCanvas(int(math.Round(w)), int(math.Round(h)))
	if err != nil {
		return nil, err
	}
	pad := pt(6)

	// Title, centred at the top.
	c.text(b.Title, sizeTitle, w/2, pad+c.ascent(sizeTitle), 0.5)
	top := pad + c.lineHeight(sizeTitle) + pad

	// Legend: one row of swatches and names under the title.
	if b.Legend {
		lh := c.lineHeight(sizeLegend)
		sw := lh * 0.8
		var total float64
		for i, s := range b.Series {
			if i > 0 {
				total += pt(8)
			}
			total += sw + pt(3) + c.width(s.Name, sizeLegend)
		}
		x := w - pad - total
		if b.LegendLeft {
			x = pad + pt(30)
		}
		for _, s := range b.Series {
			c.rect(x, top+(lh-sw)/2, x+sw, top+(lh+sw)/2, s.Color)
			x += sw + pt(3)
			c.text(s.Name, sizeLegend, x, top+c.ascent(sizeLegend), 0)
			x += c.width(s.Name, sizeLegend) + pt(8)
		}
		top += lh + pt(4)
	}

	// Value range and ticks.
	lo, hi := b.Min, b.Max
	if hi <= lo {
		lo, hi = 0, 0
		for i := range n {
			var sum float64
			for _, s := range b.Series {
				v := s.Values[i]
				if b.Stacked {
					sum += v
				} else {
					sum = math.Max(sum, v)
				}
			}
			hi = math.Max(hi, sum)
		}
		if hi <= lo {
			hi = lo + 1
		}
	}
	ticks := b.Ticks(lo, hi)
	lineTick := c.lineHeight(sizeTick)

	// The category labels' widths (for horizontal charts) or the value
	// labels' widths (vertical ones) decide the left margin.
	left := pad
	if b.YLabel != "" {
		left += c.lineHeight(sizeYLabel) + pt(4)
	}
	var labelW float64
	if b.Horizontal {
		for _, l := range b.Labels {
			labelW = math.Max(labelW, c.width(l, sizeTick))
		}
	} else {
		for _, t := range ticks {
			labelW = math.Max(labelW, c.width(t.Label, sizeTick))
		}
	}
	left += labelW + 3 + tickLen
	right := w - pad - pt(4)
	if !b.Horizontal && n > 0 {
		// Room for half of the last category's label beyond its bar.
		right = w - pad - math.Max(pt(4), c.width(b.Labels[n-1], sizeTick)/2)
	}
	bottom := h - pad - lineTick - tickLen - 2
	if right-left < 10 || bottom-top < 10 {
		return nil, fmt.Errorf("%v × %v pixels is too small", w, h)
	}

	if b.YLabel != "" {
		c.vtext(b.YLabel, sizeYLabel, pad, (top+bottom)/2)
	}

	// scale maps a value to a pixel coordinate along the value axis.
	var scale func(v float64) float64
	if b.Horizontal {
		scale = func(v float64) float64 { return left + (v-lo)/(hi-lo)*(right-left) }
	} else {
		scale = func(v float64) float64 { return bottom - (v-lo)/(hi-lo)*(bottom-top) }
	}

	// Grid and value ticks.
	for _, t := range ticks {
		p := scale(t.Value)
		if b.Horizontal {
			if b.Grid {
				c.vline(p, top, bottom, colGrid)
			}
			c.vline(p, bottom, bottom+tickLen, colAxis)
			c.text(t.Label, sizeTick, p, bottom+tickLen+2+c.ascent(sizeTick), 0.5)
		} else {
			if b.Grid {
				c.hline(left, right, p, colGrid)
			}
			c.hline(left-tickLen, left, p, colAxis)
			c.text(t.Label, sizeTick, left-tickLen-3, p+0.4*c.ascent(sizeTick), 1)
		}
	}

	// Bars.
	span := right - left
	if b.Horizontal {
		span = bottom - top
	}
	cat := span / float64(max(n, 1))
	bw := b.BarWidth
	if b.Stacked || len(b.Series) == 1 {
		bw = math.Max(1, math.Min(bw, cat*0.9))
	} else {
		bw = math.Max(1, math.Min(bw, cat*0.9/float64(len(b.Series))))
	}
	for i := range n {
		var mid float64
		if b.Horizontal {
			mid = bottom - (float64(i)+0.5)*cat
		} else {
			mid = left + (float64(i)+0.5)*cat
		}
		var base float64
		for k, s := range b.Series {
			v := s.Values[i]
			from, to := 0.0, v
			centre := mid
			if b.Stacked {
				from, to = base, base+v
				base = to
			} else {
				centre = mid + (float64(k)-float64(len(b.Series)-1)/2)*bw
			}
			if from == to {
				continue
			}
			p0, p1 := scale(math.Max(from, lo)), scale(math.Min(to, hi))
			if b.Horizontal {
				c.rect(math.Min(p0, p1), centre-bw/2, math.Max(p0, p1), centre+bw/2, s.Color)
			} else {
				c.rect(centre-bw/2, math.Min(p0, p1), centre+bw/2, math.Max(p0, p1), s.Color)
			}
		}
		// Category label and tick.
		l := b.Labels[i]
		if b.Horizontal {
			c.hline(left-tickLen, left, mid, colAxis)
			if l != "" {
				c.text(l, sizeTick, left-tickLen-3, mid+0.4*c.ascent(sizeTick), 1)
			}
		} else if l != "" {
			c.vline(mid, bottom, bottom+tickLen, colAxis)
			c.text(l, sizeTick, mid, bottom+tickLen+2+c.ascent(sizeTick), 0.5)
		}
	}

	// Axes, drawn last so bars do not cover them; the zero line when the
	// range spans zero.
	c.vline(left, top, bottom+1, colAxis)
	c.hline(left, right, bottom, colAxis)
	if lo < 0 && hi > 0 {
		if b.Horizontal {
			c.vline(scale(0), top, bottom, colAxis)
		} else {
			c.hline(left, right, scale(0), colAxis)
		}
	}
	return c.png()
}

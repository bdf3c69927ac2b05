package digest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// decodeChart decodes a chart's PNG and checks its size in pixels.
func decodeChart(t *testing.T, data []byte, w, h int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("chart is %d × %d pixels, want %d × %d", b.Dx(), b.Dy(), w, h)
	}
	return img
}

func same(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	return uint8(r>>8) == want.R && uint8(g>>8) == want.G && uint8(b>>8) == want.B
}

// runs returns, for each column (or row when horizontal) holding pixels of
// col, how many it holds, in order along the other axis.
func runs(img image.Image, col color.RGBA, horizontal bool) []int {
	b := img.Bounds()
	outer, inner := b.Dx(), b.Dy()
	if horizontal {
		outer, inner = inner, outer
	}
	var out []int
	prev := 0
	for i := 0; i < outer; i++ {
		n := 0
		for j := 0; j < inner; j++ {
			x, y := i, j
			if horizontal {
				x, y = j, i
			}
			if same(img.At(x, y), col) {
				n++
			}
		}
		// One entry per bar: the height of its first column.
		if n > 0 && prev == 0 {
			out = append(out, n)
		}
		prev = n
	}
	return out
}

// TestChartBarsScale checks that bars are drawn in their series' colour
// with lengths proportional to their values, along both orientations.
func TestChartBarsScale(t *testing.T) {
	for _, horizontal := range []bool{false, true} {
		b := &barChart{
			Title: "Thử · Test", Labels: []string{"a", "b", "c"}, Horizontal: horizontal,
			Series:   []series{{Name: "n", Color: colMain, Values: []float64{2, 4, 8}}},
			BarWidth: pt(12), Ticks: intTicks,
		}
		data, err := b.render(cm(16), cm(8))
		if err != nil {
			t.Fatal(err)
		}
		img := decodeChart(t, data, 605, 302)
		got := runs(img, colMain, horizontal)
		if horizontal {
			// Rows are scanned from the top: the categories go bottom-up.
			for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
				got[i], got[j] = got[j], got[i]
			}
		}
		if len(got) != 3 {
			t.Fatalf("horizontal=%v: %d bars, want 3 (%v)", horizontal, len(got), got)
		}
		for i, v := range []float64{2, 4, 8} {
			want := float64(got[2]) * v / 8
			if d := float64(got[i]) - want; d < -1.5 || d > 1.5 {
				t.Errorf("horizontal=%v: bar %d is %d pixels, want %.1f (bars %v)", horizontal, i, got[i], want, got)
			}
		}
		if got[2] < 150 {
			t.Errorf("horizontal=%v: the longest bar is only %d pixels", horizontal, got[2])
		}
		// The title is drawn: dark pixels in the top band.
		dark := 0
		for y := 0; y < 25; y++ {
			for x := 0; x < 605; x++ {
				if r, _, _, _ := img.At(x, y).RGBA(); r < 0x6000 {
					dark++
				}
			}
		}
		if dark < 100 {
			t.Errorf("horizontal=%v: %d dark pixels in the title band: no title", horizontal, dark)
		}
	}
}

// plotTop is below the title and legend of a chart 8 cm high.
const plotTop = 47

// TestChartStackedAndSigned checks a weekly volume chart (stacked by tone,
// negative at the bottom) and a tone chart whose bars go below zero.
func TestChartStackedAndSigned(t *testing.T) {
	days := []Bucket{{Label: "1", Negative: 2, Neutral: 1, Positive: 3}, {Label: "2", Negative: 0, Neutral: 4, Positive: 0}}
	data, err := toneBars(days, "t").render(cm(16), cm(8))
	if err != nil {
		t.Fatal(err)
	}
	img := decodeChart(t, data, 605, 302)
	neg, neu, pos := runs(img, colNegative, false), runs(img, colNeutral, false), runs(img, colPositive, false)
	// The legend's swatches are squares of one colour each; bars are taller.
	bars := func(rs []int) []int {
		var out []int
		for _, r := range rs {
			if r > 15 {
				out = append(out, r)
			}
		}
		return out
	}
	neg, neu, pos = bars(neg), bars(neu), bars(pos)
	if len(neg) != 1 || len(neu) != 2 || len(pos) != 1 {
		t.Fatalf("bars by colour: negative %v, neutral %v, positive %v", neg, neu, pos)
	}
	if d := neu[1] - 4*neu[0]; d < -2 || d > 2 {
		t.Errorf("neutral bars %v, want 1:4", neu)
	}
	if d := pos[0] - 3*neu[0]; d < -2 || d > 2 {
		t.Errorf("positive %v against neutral %v, want 3:1", pos, neu)
	}
	// Up the middle of the first day's bar: negative, then neutral, then
	// positive, in the proportions 2:1:3.
	mid, best := 0, 0
	for x := 0; x < 605; x++ {
		n := 0
		for y := 0; y < 302; y++ {
			if same(img.At(x, y), colNegative) {
				n++
			}
		}
		if n > best {
			mid, best = x, n
		}
	}
	var order []string
	count := map[string]int{}
	for y := 301; y >= 0; y-- {
		name := ""
		switch c := img.At(mid, y); {
		case same(c, colNegative):
			name = "negative"
		case same(c, colNeutral):
			name = "neutral"
		case same(c, colPositive):
			name = "positive"
		default:
			continue
		}
		if len(order) == 0 || order[len(order)-1] != name {
			order = append(order, name)
		}
		count[name]++
	}
	if fmt.Sprint(order) != "[negative neutral positive]" {
		t.Errorf("up the first bar: %v, want negative, neutral, positive", order)
	}
	if d := count["negative"] - 2*count["neutral"]; d < -2 || d > 2 {
		t.Errorf("first bar: %v, want negative:neutral 2:1", count)
	}

	tone := toneByCountry([]Breakdown{{Label: "A", Tone: Tone{Index: 50, PrevIndex: -50}}}, "2026-Q3")
	data, err = tone.render(cm(16), cm(8))
	if err != nil {
		t.Fatal(err)
	}
	img = decodeChart(t, data, 605, 302)
	top := func(col color.RGBA) (int, int) {
		lo, hi := 1<<30, -1
		for y := plotTop; y < 302; y++ {
			for x := 0; x < 605; x++ {
				if same(img.At(x, y), col) {
					lo, hi = min(lo, y), max(hi, y)
				}
			}
		}
		return lo, hi
	}
	curTop, curBottom := top(colMain)
	prevTop, prevBottom := top(colPrev)
	// The current bar (+50) ends where the previous one (−50) begins: at
	// zero.
	if curBottom < prevTop-2 || curBottom > prevTop+2 {
		t.Errorf("current bar ends at y=%d, previous begins at y=%d: not both at zero", curBottom, prevTop)
	}
	if h1, h2 := curBottom-curTop, prevBottom-prevTop; h1 < 50 || h2 < 50 {
		t.Errorf("tone bars are %d and %d pixels high", h1, h2)
	}
}

// TestChartRejects checks that a malformed chart is an error, not a panic.
func TestChartRejects(t *testing.T) {
	b := &barChart{Labels: []string{"a"}, Series: []series{{Values: []float64{1, 2}}}, Ticks: intTicks}
	if _, err := b.render(cm(16), cm(8)); err == nil {
		t.Error("a series with more values than categories was drawn")
	}
	if _, err := (&barChart{Labels: []string{"a"}, Series: []series{{Values: []float64{1}}}, Ticks: intTicks}).render(20, 20); err == nil {
		t.Error("a chart of 20 × 20 pixels was drawn")
	}
}

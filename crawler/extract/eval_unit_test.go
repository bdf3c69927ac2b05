package extract

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hello, world!", []string{"Hello", "world"}},
		{"Đồng Nai's 2024_plan", []string{"Đồng", "Nai", "s", "2024_plan"}},
		{"東京 서울 ½", []string{"東京", "서울", "½"}},
		{"  -- ", nil},
	}
	for _, tc := range tests {
		if got := Tokens(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestShingleMatch(t *testing.T) {
	const text = "one two three four five six"
	tests := []struct {
		name, truth, pred string
		tp, fp, fn        float64
	}{
		{"identical", text, text, 1, 0, 0},
		{"both empty", "", "", 0, 0, 0},
		{"empty prediction", text, "", 0, 0, 1},
		{"punctuation ignored", text, "One? no: " + text, 3.0 / 5, 2.0 / 5, 0},
		{"short texts make one shingle", "a b", "a b", 1, 0, 0},
		{"half", "a b c d e f g h", "a b c d x y z w", 1.0 / 9, 4.0 / 9, 4.0 / 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp, fp, fn := ShingleMatch(tc.truth, tc.pred)
			if !near(tp, tc.tp) || !near(fp, tc.fp) || !near(fn, tc.fn) {
				t.Errorf("ShingleMatch = %.3f %.3f %.3f, want %.3f %.3f %.3f", tp, fp, fn, tc.tp, tc.fp, tc.fn)
			}
		})
	}
}

func TestScoreTexts(t *testing.T) {
	per := []DocScore{
		{TP: 1, Precision: 1, Recall: 1, Elapsed: 10 * time.Millisecond},
		{TP: 0.5, FP: 0.5, Precision: 0.5, Recall: 1, Elapsed: 20 * time.Millisecond},
		// an empty prediction counts for recall only
		{FN: 1, Precision: 0, Recall: 0, Elapsed: 30 * time.Millisecond, Err: "boom"},
	}
	s := ScoreTexts("x", per, 1)
	if !near(s.Precision, 0.75) || !near(s.Recall, 2.0/3) {
		t.Errorf("precision %.3f recall %.3f, want 0.750 0.667", s.Precision, s.Recall)
	}
	if want := 2 * 0.75 * (2.0 / 3) / (0.75 + 2.0/3); !near(s.F1, want) {
		t.Errorf("F1 %.4f, want %.4f", s.F1, want)
	}
	if !near(s.MeanMS, 20) || !near(s.P50MS, 20) || !near(s.P99MS, 30) || s.Errors != 1 || !near(s.Accuracy, 1.0/3) {
		t.Errorf("timing/errors/accuracy wrong: %+v", s)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestGridPoints(t *testing.T) {
	g := Grid{ContainedCov: []float64{0.8, 0.9}, MaxCueWords: []int{10, 20, 30}}
	base := DefaultThresholds()
	pts := g.points(base)
	if len(pts) != 6 {
		t.Fatalf("%d points, want 6", len(pts))
	}
	// Fixed order: the first threshold varies slowest.
	want := []struct {
		cov  float64
		cue  int
		dist float64
	}{{0.8, 10, 1.5}, {0.8, 20, 0.5}, {0.8, 30, 1.5}, {0.9, 10, 1.5}, {0.9, 20, 0.5}, {0.9, 30, 1.5}}
	for i, w := range want {
		p := pts[i]
		if p.th.ContainedCov != w.cov || p.th.MaxCueWords != w.cue || p.dist != w.dist {
			t.Errorf("point %d = %v (dist %v), want contained %v cue %d dist %v", i, p.th, p.dist, w.cov, w.cue, w.dist)
		}
		if p.th.ExtraCov != base.ExtraCov || p.th.ShortWords != base.ShortWords {
			t.Errorf("point %d changed an unsearched threshold: %v", i, p.th)
		}
	}
}

func TestMedianThresholds(t *testing.T) {
	base := DefaultThresholds()
	var folds []CVFold
	for _, v := range []float64{0.95, 0.8, 0.85, 0.9} {
		th := base
		th.ContainedCov = v
		th.ShortWords = int(v * 100)
		folds = append(folds, CVFold{Chosen: th})
	}
	m := medianThresholds(base, folds)
	// Even count: the lower middle value, which is one of the grid's.
	if m.ContainedCov != 0.85 || m.ShortWords != 85 || m.ExtraCov != base.ExtraCov {
		t.Errorf("median = %v", m)
	}
}

func TestChooseHonoursThresholds(t *testing.T) {
	var ps []string
	for i := range 6 {
		ps = append(ps, "The council met on Monday to discuss the new bridge over the river, number "+string(rune('a'+i))+".")
	}
	article := strings.Join(ps, "\n\n")
	junk := strings.Repeat("Related link teaser\n\nMore news here\n\n", 3)
	cs := &candidateSet{
		traf: candidate{method: "trafilatura", text: article + "\n\n" + junk},
		read: candidate{method: "readability", text: article},
	}
	th := DefaultThresholds()
	if _, m := choose(cs, th); m != "readability" {
		t.Fatalf("default thresholds chose %s, want readability", m)
	}
	// Requiring readability to be more than fully contained in trafilatura
	// makes trafilatura's text stand.
	th.ContainedCov = 1.01
	if _, m := choose(cs, th); m != "trafilatura" {
		t.Errorf("contained 1.01 chose %s, want trafilatura", m)
	}
	th = DefaultThresholds()
	th.MinReadWords = 1000
	if _, m := choose(cs, th); m != "trafilatura" {
		t.Errorf("min-read 1000 chose %s, want trafilatura", m)
	}
}

func TestCrossValidateMechanics(t *testing.T) {
	page := readFixture(t, "article.html")
	e := New(Options{})
	res, err := e.Extract(page, "https://news.example.com/a")
	if err != nil {
		t.Fatal(err)
	}
	// Half the pages have the extractor's text as truth, half a shorter one.
	first, _, _ := strings.Cut(res.Text, "\n\n")
	var docs []ZyteDoc
	for i := range 6 {
		truth := res.Text
		if i%2 == 1 {
			truth = first
		}
		docs = append(docs, ZyteDoc{ID: string(rune('a' + i)), URL: "https://news.example.com/a", HTML: page, Truth: truth})
	}
	grid := Grid{ContainedCov: []float64{0.8, 0.9, 0.95}, MaxCueWords: []int{10, 25, 40}}
	cv, err := CrossValidate(context.Background(), e, docs, 3, grid)
	if err != nil {
		t.Fatal(err)
	}
	if cv.GridSize != 9 || len(cv.Folds) != 3 || cv.Pages != 6 {
		t.Fatalf("grid %d, folds %d, pages %d", cv.GridSize, len(cv.Folds), cv.Pages)
	}
	for i, f := range cv.Folds {
		if f.TestPages != 2 || f.TrainPages != 4 {
			t.Errorf("fold %d: %d test / %d train pages, want 2 / 4", i, f.TestPages, f.TrainPages)
		}
		// Every setting gives the same text on this page, so every one ties
		// and the grid's centre is chosen.
		if f.Chosen.ContainedCov != 0.9 || f.Chosen.MaxCueWords != 25 {
			t.Errorf("fold %d chose %v, want the centre (0.9, 25)", i, f.Chosen)
		}
	}
	// The shortcut (thresholds applied after one extraction) must score as
	// the extractor itself does.
	scores, err := ScoreZyte(context.Background(), docs, []string{"presswatch"}, []ExtractFunc{e.Extract})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(cv.GivenScore.F1-scores[0].F1) > 1e-12 || math.Abs(cv.GivenScore.Accuracy-scores[0].Accuracy) > 1e-12 {
		t.Errorf("cross-validation scores the given thresholds %.6f/%.3f, ScoreZyte %.6f/%.3f",
			cv.GivenScore.F1, cv.GivenScore.Accuracy, scores[0].F1, scores[0].Accuracy)
	}
	if cv.GivenScore.Accuracy != 0.5 || cv.Pooled.F1 != cv.GivenScore.F1 {
		t.Errorf("given %+v, pooled %+v: want accuracy 0.5 and pooled = given", cv.GivenScore, cv.Pooled)
	}
	if _, err := CrossValidate(context.Background(), e, docs, 7, grid); err == nil {
		t.Error("more folds than pages accepted")
	}
	again, err := CrossValidate(context.Background(), e, docs, 3, grid)
	if err != nil {
		t.Fatal(err)
	}
	if again.MeanF1 != cv.MeanF1 || again.Median != cv.Median {
		t.Error("two runs differ")
	}
}

func TestNewThresholds(t *testing.T) {
	if th := New(Options{}).th; th != DefaultThresholds() {
		t.Errorf("zero Options give %v", th)
	}
	want := DefaultThresholds()
	want.MaxCueWords = 3
	if th := New(Options{Thresholds: &want}).th; th != want {
		t.Errorf("Options.Thresholds ignored: %v", th)
	}
}

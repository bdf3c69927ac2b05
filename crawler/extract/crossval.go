package extract

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Grid lists the values CrossValidate tries for each threshold; the
// thresholds it does not list keep the values of the extractor's own.
type Grid struct {
	ContainedCov      []float64
	ExtraCov          []float64
	ShortWords        []int
	MinReadWords      []int
	ProseMinWords     []int
	ContinuationShare []float64
	MaxCueWords       []int
}

// DefaultGrid is the grid of docs/extraction.md: 6,075 settings spanning
// about half to twice each threshold's former hand-set value (coverages
// 0.75–0.98 around the former 0.9). ShortRatio
// (trafilatura's own fallback rule) and the repeated-line rule are structural
// and not searched.
func DefaultGrid() Grid {
	return Grid{
		ContainedCov:      []float64{0.75, 0.80, 0.85, 0.90, 0.95},
		ExtraCov:          []float64{0.80, 0.85, 0.90, 0.95, 0.98},
		ShortWords:        []int{50, 100, 200},
		MinReadWords:      []int{15, 30, 60},
		ProseMinWords:     []int{10, 15, 20},
		ContinuationShare: []float64{0.25, 0.5, 1.0},
		MaxCueWords:       []int{15, 25, 40},
	}
}

// gridPoint is one setting of a grid and its distance from the grid's
// centre: the sum over thresholds of how many steps its value is from the
// middle of that threshold's list.
type gridPoint struct {
	th   Thresholds
	dist float64
}

// points returns every setting of the grid in a fixed order (the first
// listed value of every threshold first), the rest taken from base.
func (g Grid) points(base Thresholds) []gridPoint {
	out := []gridPoint{{th: base}}
	expandF := func(vals []float64, set func(*Thresholds, float64)) {
		if len(vals) == 0 {
			return
		}
		mid := float64(len(vals)-1) / 2
		next := make([]gridPoint, 0, len(out)*len(vals))
		for _, p := range out {
			for i, v := range vals {
				q := p
				set(&q.th, v)
				q.dist += math.Abs(float64(i) - mid)
				next = append(next, q)
			}
		}
		out = next
	}
	expandI := func(vals []int, set func(*Thresholds, int)) {
		fs := make([]float64, len(vals))
		for i, v := range vals {
			fs[i] = float64(v)
		}
		expandF(fs, func(t *Thresholds, v float64) { set(t, int(v)) })
	}
	expandF(g.ContainedCov, func(t *Thresholds, v float64) { t.ContainedCov = v })
	expandF(g.ExtraCov, func(t *Thresholds, v float64) { t.ExtraCov = v })
	expandI(g.ShortWords, func(t *Thresholds, v int) { t.ShortWords = v })
	expandI(g.MinReadWords, func(t *Thresholds, v int) { t.MinReadWords = v })
	expandI(g.ProseMinWords, func(t *Thresholds, v int) { t.ProseMinWords = v })
	expandF(g.ContinuationShare, func(t *Thresholds, v float64) { t.ContinuationShare = v })
	expandI(g.MaxCueWords, func(t *Thresholds, v int) { t.MaxCueWords = v })
	return out
}

// String prints the searched thresholds compactly.
func (t Thresholds) String() string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	return fmt.Sprintf("contained %s, extra %s, short %d, min-read %d, prose %d, continuation %s, cue %d",
		f(t.ContainedCov), f(t.ExtraCov), t.ShortWords, t.MinReadWords, t.ProseMinWords, f(t.ContinuationShare), t.MaxCueWords)
}

// CVFold is one fold of a cross-validation: the thresholds the grid search
// chose on the other folds' pages and their score on this fold's pages.
type CVFold struct {
	TrainPages, TestPages int
	Chosen                Thresholds
	TrainF1               float64 // in-sample, on the training pages
	Held                  CVScore // on the fold's own (held-out) pages
}

// CVScore is the benchmark's score of one threshold setting on a set of pages.
type CVScore struct {
	F1, Precision, Recall, Accuracy float64
}

// CVResult is the outcome of CrossValidate.
type CVResult struct {
	Pages, GridSize int
	Folds           []CVFold
	// MeanF1 and SDF1 are the held-out F1 over folds (mean and sample
	// standard deviation); MeanPrecision and MeanRecall likewise.
	MeanF1, SDF1, MeanPrecision, MeanRecall float64
	// Pooled scores every page once, with the thresholds chosen without it.
	Pooled CVScore
	// Median is the per-threshold median of the folds' choices (the lower
	// middle value for an even number of folds); MedianScore its in-sample
	// score on all pages.
	Median      Thresholds
	MedianScore CVScore
	// AllPages is the grid search's choice on all pages and its (in-sample) score.
	AllPages      Thresholds
	AllPagesScore CVScore
	// Given is the extractor's own thresholds and their (in-sample) score.
	Given      Thresholds
	GivenScore CVScore
}

// outcome is the score of one page for one (choice, MaxCueWords).
type outcome struct {
	tp, fp, fn, precision, recall float64
	exact                         bool
}

type outcomeKey struct {
	c     choice
	cueWo int
}

// cvPage is a prepared page with the scores of the outcomes met so far.
type cvPage struct {
	p        *prepared
	truth    string
	truthTok []string
	index    map[outcomeKey]int
	outs     []outcome
}

func (pg *cvPage) outcomeFor(th Thresholds) int {
	var c choice
	if pg.p != nil {
		c = pg.p.sel.decide(th)
	}
	k := outcomeKey{c, th.MaxCueWords}
	if i, ok := pg.index[k]; ok {
		return i
	}
	text := ""
	if pg.p != nil {
		text, _ = pg.p.finish(c, th.MaxCueWords)
	}
	var o outcome
	o.tp, o.fp, o.fn = ShingleMatch(pg.truth, text)
	o.precision, o.recall = docPrecision(o.tp, o.fp, o.fn), docRecall(o.tp, o.fp, o.fn)
	o.exact = slices.Equal(pg.truthTok, Tokens(text))
	pg.index[k] = len(pg.outs)
	pg.outs = append(pg.outs, o)
	return len(pg.outs) - 1
}

// CrossValidate measures how well thresholds chosen on some Zyte pages do on
// others. Pages are dealt to folds by their position in docs (page i goes to
// fold i mod folds; LoadZyte sorts by ID, which is a hash, so this is an
// arbitrary but fixed split). For each fold, every setting of grid is scored
// on the other folds' pages with the benchmark's metric (mean per-page
// precision and recall, F1 of the means) and the best is scored on the fold's
// own pages; ties go to the setting first in grid order. The extraction
// itself runs once per page: the thresholds act only after it.
func CrossValidate(ctx context.Context, e *Extractor, docs []ZyteDoc, folds int, grid Grid) (*CVResult, error) {
	if folds < 2 || folds > len(docs) {
		return nil, fmt.Errorf("cross-validate: %d folds for %d pages", folds, len(docs))
	}
	pages := make([]*cvPage, len(docs))
	for i, d := range docs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("cross-validate: %w", err)
		}
		p, err := e.prepareSafe(d.HTML, d.URL)
		if err != nil {
			p = nil // a page that fails scores as an empty text, as in ScoreZyte
		}
		pages[i] = &cvPage{p: p, truth: d.Truth, truthTok: Tokens(d.Truth), index: map[outcomeKey]int{}}
	}
	points := grid.points(e.th)
	if len(points) == 0 {
		return nil, errors.New("cross-validate: empty grid")
	}
	// table[g][i] is page i's outcome under setting g.
	table := make([][]int32, len(points))
	for g, pt := range points {
		th := pt.th
		if g%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("cross-validate: %w", err)
			}
		}
		row := make([]int32, len(pages))
		for i, pg := range pages {
			row[i] = int32(pg.outcomeFor(th))
		}
		table[g] = row
	}
	scoreOn := func(row []int32, in func(int) bool) CVScore {
		var p, r float64
		var np, nr, n, exact int
		for i, pg := range pages {
			if !in(i) {
				continue
			}
			o := pg.outs[row[i]]
			n++
			if o.tp+o.fp > 0 {
				p += o.precision
				np++
			}
			if o.tp+o.fn > 0 {
				r += o.recall
				nr++
			}
			if o.exact {
				exact++
			}
		}
		var s CVScore
		if np > 0 {
			s.Precision = p / float64(np)
		}
		if nr > 0 {
			s.Recall = r / float64(nr)
		}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		if n > 0 {
			s.Accuracy = float64(exact) / float64(n)
		}
		return s
	}
	// best is the setting with the highest F1 on the pages in; among equal
	// F1s (the score is flat over much of the grid) the one nearest the
	// grid's centre, then the first in grid order.
	best := func(in func(int) bool) (int, CVScore) {
		bi, bs := 0, scoreOn(table[0], in)
		for g := 1; g < len(table); g++ {
			s := scoreOn(table[g], in)
			if s.F1 > bs.F1+1e-12 || (s.F1 > bs.F1-1e-12 && points[g].dist < points[bi].dist) {
				bi, bs = g, s
			}
		}
		return bi, bs
	}
	all := func(int) bool { return true }
	res := &CVResult{Pages: len(pages), GridSize: len(points), Given: e.th}
	pooled := make([]int32, len(pages))
	for f := range folds {
		train := func(i int) bool { return i%folds != f }
		test := func(i int) bool { return i%folds == f }
		g, trainScore := best(train)
		fold := CVFold{Chosen: points[g].th, TrainF1: trainScore.F1, Held: scoreOn(table[g], test)}
		for i := range pages {
			if test(i) {
				fold.TestPages++
				pooled[i] = table[g][i]
			} else {
				fold.TrainPages++
			}
		}
		res.Folds = append(res.Folds, fold)
		res.MeanF1 += fold.Held.F1
		res.MeanPrecision += fold.Held.Precision
		res.MeanRecall += fold.Held.Recall
	}
	n := float64(folds)
	res.MeanF1 /= n
	res.MeanPrecision /= n
	res.MeanRecall /= n
	for _, f := range res.Folds {
		res.SDF1 += (f.Held.F1 - res.MeanF1) * (f.Held.F1 - res.MeanF1)
	}
	res.SDF1 = math.Sqrt(res.SDF1 / (n - 1))
	res.Pooled = scoreOn(pooled, all)

	g, s := best(all)
	res.AllPages, res.AllPagesScore = points[g].th, s
	res.Median = medianThresholds(e.th, res.Folds)
	res.MedianScore = scoreOn(thresholdRow(pages, res.Median), all)
	res.GivenScore = scoreOn(thresholdRow(pages, e.th), all)
	return res, nil
}

func thresholdRow(pages []*cvPage, th Thresholds) []int32 {
	row := make([]int32, len(pages))
	for i, pg := range pages {
		row[i] = int32(pg.outcomeFor(th))
	}
	return row
}

// medianThresholds is base with every searched threshold set to the median
// of the folds' choices (the lower middle value for an even count, so that it
// is one of the grid's values).
func medianThresholds(base Thresholds, folds []CVFold) Thresholds {
	med := func(get func(Thresholds) float64) float64 {
		xs := make([]float64, len(folds))
		for i, f := range folds {
			xs[i] = get(f.Chosen)
		}
		slices.Sort(xs)
		return xs[(len(xs)-1)/2]
	}
	t := base
	t.ContainedCov = med(func(t Thresholds) float64 { return t.ContainedCov })
	t.ExtraCov = med(func(t Thresholds) float64 { return t.ExtraCov })
	t.ShortWords = int(med(func(t Thresholds) float64 { return float64(t.ShortWords) }))
	t.MinReadWords = int(med(func(t Thresholds) float64 { return float64(t.MinReadWords) }))
	t.ProseMinWords = int(med(func(t Thresholds) float64 { return float64(t.ProseMinWords) }))
	t.ContinuationShare = med(func(t Thresholds) float64 { return t.ContinuationShare })
	t.MaxCueWords = int(med(func(t Thresholds) float64 { return float64(t.MaxCueWords) }))
	return t
}

// prepareSafe is prepare with a third-party panic turned into an error.
func (e *Extractor) prepareSafe(page []byte, pageURL string) (p *prepared, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("extract %q: internal error: %v", pageURL, r)
		}
	}()
	return e.prepare(page, pageURL)
}

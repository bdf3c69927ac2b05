package extract

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
)

// ExtractFunc is an extractor under evaluation: it turns one page into a Result.
type ExtractFunc func(html []byte, pageURL string) (*Result, error)

// maxEvalFile bounds how much of one evaluation file is read (after gunzip).
const maxEvalFile = 64 << 20

// Tokens splits s into the benchmark's tokens: maximal runs of word characters
// (Unicode letters, numbers and the underscore), like Python's `\w+`.
func Tokens(s string) []string { return tokenize(s, false) }

// tokenize returns the maximal runs of word characters of s; with cjk,
// every character of isSyllabicCJK is a token of its own (see words).
func tokenize(s string, cjk bool) []string {
	var out []string
	start := -1
	for i, r := range s {
		switch {
		case cjk && isSyllabicCJK(r):
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			out = append(out, string(r))
		case r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// shingles counts the word n-grams of tokens; fewer than n tokens make one shingle.
func shingles(tokens []string, n int) map[string]int {
	m := make(map[string]int, len(tokens))
	if len(tokens) == 0 {
		return m
	}
	last := max(1, len(tokens)-n+1)
	for i := 0; i < last; i++ {
		m[strings.Join(tokens[i:min(i+n, len(tokens))], " ")]++
	}
	return m
}

// ShingleMatch compares a predicted text with the true text the way the Zyte
// article-extraction benchmark does: word 4-gram shingles are counted on both
// sides and TP, FP and FN are normalised to sum to 1 (all zero when both are empty).
func ShingleMatch(truth, pred string) (tp, fp, fn float64) {
	ts := shingles(Tokens(truth), 4)
	ps := shingles(Tokens(pred), 4)
	for k, tc := range ts {
		pc := ps[k]
		tp += float64(min(tc, pc))
		fn += float64(max(0, tc-pc))
	}
	for k, pc := range ps {
		fp += float64(max(0, pc-ts[k]))
	}
	if s := tp + fp + fn; s > 0 {
		tp, fp, fn = tp/s, fp/s, fn/s
	}
	return tp, fp, fn
}

func docPrecision(tp, fp, fn float64) float64 {
	switch {
	case fp == 0 && fn == 0:
		return 1
	case tp == 0 && fp == 0:
		return 0
	}
	return tp / (tp + fp)
}

func docRecall(tp, fp, fn float64) float64 {
	switch {
	case fp == 0 && fn == 0:
		return 1
	case tp == 0 && fn == 0:
		return 0
	}
	return tp / (tp + fn)
}

// ZyteDoc is one page of the Zyte article-extraction benchmark.
type ZyteDoc struct {
	ID    string
	URL   string
	HTML  []byte // UTF-8 page
	Truth string // ground-truth articleBody
}

// LoadZyte reads the benchmark in dir (ground-truth.json and html/<id>.html.gz),
// sorted by ID.
func LoadZyte(dir string) ([]ZyteDoc, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, fmt.Errorf("read zyte ground truth: %w", err)
	}
	var gt map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(raw, &gt); err != nil {
		return nil, fmt.Errorf("decode zyte ground truth: %w", err)
	}
	docs := make([]ZyteDoc, 0, len(gt))
	for id, v := range gt {
		page, err := readMaybeGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return nil, err
		}
		docs = append(docs, ZyteDoc{ID: id, URL: v.URL, HTML: page, Truth: v.ArticleBody})
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	return docs, nil
}

func readMaybeGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %q: %w", path, err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("gunzip %q: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	b, err := io.ReadAll(io.LimitReader(r, maxEvalFile))
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	return b, nil
}

// DocScore is the score of one benchmark page.
type DocScore struct {
	ID            string
	TP, FP, FN    float64
	Precision     float64
	Recall        float64
	Elapsed       time.Duration
	Err           string
	PredictedText string
}

// TextScore is the result of a text-extraction benchmark run.
type TextScore struct {
	Name      string
	Docs      int
	Errors    int
	Precision float64 // mean per-document precision
	Recall    float64 // mean per-document recall
	F1        float64 // harmonic mean of Precision and Recall
	Accuracy  float64 // share of pages whose token sequence equals the truth's
	MeanMS    float64
	P50MS     float64
	P99MS     float64
	PerDoc    []DocScore
}

// ScoreTexts computes the benchmark's precision, recall, F1 and accuracy from
// per-document scores (precision averaged over documents with tp+fp > 0,
// recall over those with tp+fn > 0) and the timing percentiles.
func ScoreTexts(name string, per []DocScore, exact int) TextScore {
	s := TextScore{Name: name, Docs: len(per), PerDoc: per}
	var np, nr int
	times := make([]float64, 0, len(per))
	for _, d := range per {
		if d.Err != "" {
			s.Errors++
		}
		if d.TP+d.FP > 0 {
			s.Precision += d.Precision
			np++
		}
		if d.TP+d.FN > 0 {
			s.Recall += d.Recall
			nr++
		}
		ms := float64(d.Elapsed) / float64(time.Millisecond)
		times = append(times, ms)
		s.MeanMS += ms
	}
	if np > 0 {
		s.Precision /= float64(np)
	}
	if nr > 0 {
		s.Recall /= float64(nr)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	if len(per) > 0 {
		s.MeanMS /= float64(len(per))
		s.Accuracy = float64(exact) / float64(len(per))
	}
	s.P50MS = percentile(times, 0.50)
	s.P99MS = percentile(times, 0.99)
	return s
}

// percentile returns the q-quantile of xs (nearest rank); 0 for no values.
func percentile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// ScoreZyte runs each extractor over every document and scores it. The
// extractors are interleaved page by page, so that both sides of a comparison
// see the same machine load, after a short untimed warm-up; a failed
// extraction counts as an empty text.
func ScoreZyte(ctx context.Context, docs []ZyteDoc, names []string, fns []ExtractFunc) ([]TextScore, error) {
	if len(names) != len(fns) {
		return nil, errors.New("score zyte: names and extractors differ in number")
	}
	// Warm up: the first calls pay for lazily compiled expressions and caches.
	for _, d := range docs[:min(3, len(docs))] {
		for _, fn := range fns {
			_, _ = fn(d.HTML, d.URL)
		}
	}
	per := make([][]DocScore, len(fns))
	exact := make([]int, len(fns))
	for _, d := range docs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("score zyte: %w", err)
		}
		truthTokens := Tokens(d.Truth)
		for i, fn := range fns {
			start := time.Now()
			res, err := fn(d.HTML, d.URL)
			el := time.Since(start)
			ds := DocScore{ID: d.ID, Elapsed: el}
			text := ""
			if err != nil {
				ds.Err = err.Error()
			} else if res != nil {
				text = res.Text
			}
			ds.PredictedText = text
			ds.TP, ds.FP, ds.FN = ShingleMatch(d.Truth, text)
			ds.Precision = docPrecision(ds.TP, ds.FP, ds.FN)
			ds.Recall = docRecall(ds.TP, ds.FP, ds.FN)
			if slices.Equal(truthTokens, Tokens(text)) {
				exact[i]++
			}
			per[i] = append(per[i], ds)
		}
	}
	out := make([]TextScore, len(fns))
	for i := range fns {
		out[i] = ScoreTexts(names[i], per[i], exact[i])
	}
	return out, nil
}

// ScorePredictions scores a saved prediction file of the benchmark
// (output/*.json, optionally wrapped in {"version", "output"}) against docs;
// it exists to check this scorer against the benchmark's published figures.
func ScorePredictions(docs []ZyteDoc, path string) (TextScore, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return TextScore{}, fmt.Errorf("read predictions %q: %w", path, err)
	}
	type body struct {
		ArticleBody string `json:"articleBody"`
	}
	var wrapped struct {
		Output map[string]body `json:"output"`
	}
	var preds map[string]body
	if err := json.Unmarshal(raw, &wrapped); err == nil && wrapped.Output != nil {
		preds = wrapped.Output
	} else if err := json.Unmarshal(raw, &preds); err != nil {
		return TextScore{}, fmt.Errorf("decode predictions %q: %w", path, err)
	}
	per := make([]DocScore, 0, len(docs))
	exact := 0
	for _, d := range docs {
		p := preds[d.ID].ArticleBody
		ds := DocScore{ID: d.ID, PredictedText: p}
		ds.TP, ds.FP, ds.FN = ShingleMatch(d.Truth, p)
		ds.Precision = docPrecision(ds.TP, ds.FP, ds.FN)
		ds.Recall = docRecall(ds.TP, ds.FP, ds.FN)
		if slices.Equal(Tokens(d.Truth), Tokens(p)) {
			exact++
		}
		per = append(per, ds)
	}
	return ScoreTexts(filepath.Base(path), per, exact), nil
}

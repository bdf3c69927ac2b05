package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dongnai/presswatch/crawler/charset"
	"golang.org/x/net/html"
)

// SnippetDoc is one page of trafilatura's evaluation corpus: snippets that must
// and must not appear in the extracted main text.
type SnippetDoc struct {
	URL     string
	File    string
	HTML    []byte // decoded to UTF-8
	With    []string
	Without []string
}

// LoadSnippets reads trafilatura's evaluation subset in dir
// (evaldata.subset.json and html/<file>.gz), decoding each page to UTF-8.
func LoadSnippets(dir string) ([]SnippetDoc, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "evaldata.subset.json"))
	if err != nil {
		return nil, fmt.Errorf("read trafilatura eval data: %w", err)
	}
	var m map[string]struct {
		File    string   `json:"file"`
		With    []string `json:"with"`
		Without []string `json:"without"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode trafilatura eval data: %w", err)
	}
	docs := make([]SnippetDoc, 0, len(m))
	for u, v := range m {
		page, err := readMaybeGzip(filepath.Join(dir, "html", v.File+".gz"))
		if err != nil {
			return nil, err
		}
		page, _, err = charset.Decode(page, "")
		if err != nil {
			return nil, fmt.Errorf("decode %q: %w", v.File, err)
		}
		docURL := u
		if !strings.HasPrefix(u, "http") {
			docURL = ""
		}
		docs = append(docs, SnippetDoc{URL: docURL, File: v.File, HTML: page, With: v.With, Without: v.Without})
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].File < docs[j].File })
	return docs, nil
}

// SnippetScore is the result of a run over the snippet corpus, counted the way
// trafilatura's own evaluation counts (sums over the corpus).
type SnippetScore struct {
	Name               string
	Docs, Errors       int
	TP, FP, TN, FN     int
	Precision, Recall  float64
	F1, Accuracy       float64
	MeanMS             float64
	MissedWith, HitBad []string // "file: snippet" for diagnostics
}

func wsNorm(s string) string { return strings.Join(strings.Fields(s), " ") }

// ScoreSnippets runs fn over docs and counts found/missing snippets: TP = a
// must-contain snippet found, FN = missing, FP = a must-not-contain snippet
// found, TN = absent. A failed extraction is an empty text.
func ScoreSnippets(ctx context.Context, name string, docs []SnippetDoc, fn ExtractFunc) (SnippetScore, error) {
	s := SnippetScore{Name: name, Docs: len(docs)}
	var total time.Duration
	for _, d := range docs {
		if err := ctx.Err(); err != nil {
			return s, fmt.Errorf("score snippets: %w", err)
		}
		start := time.Now()
		res, err := fn(d.HTML, d.URL)
		total += time.Since(start)
		text := ""
		if err != nil {
			s.Errors++
		} else if res != nil {
			text = wsNorm(res.Text)
		}
		for _, w := range d.With {
			if strings.Contains(text, wsNorm(w)) {
				s.TP++
			} else {
				s.FN++
				s.MissedWith = append(s.MissedWith, d.File+": "+w)
			}
		}
		for _, w := range d.Without {
			if strings.Contains(text, wsNorm(w)) {
				s.FP++
				s.HitBad = append(s.HitBad, d.File+": "+w)
			} else {
				s.TN++
			}
		}
	}
	if s.TP+s.FP > 0 {
		s.Precision = float64(s.TP) / float64(s.TP+s.FP)
	}
	if s.TP+s.FN > 0 {
		s.Recall = float64(s.TP) / float64(s.TP+s.FN)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	if all := s.TP + s.FP + s.TN + s.FN; all > 0 {
		s.Accuracy = float64(s.TP+s.TN) / float64(all)
	}
	if len(docs) > 0 {
		s.MeanMS = float64(total) / float64(time.Millisecond) / float64(len(docs))
	}
	return s, nil
}

// DateDoc is one page of htmldate's evaluation set with its gold publication day.
type DateDoc struct {
	URL  string
	File string
	HTML []byte // decoded to UTF-8
	Day  string // YYYY-MM-DD
}

// LoadDates reads htmldate's MediaCloud set in dir (eval_mediacloud_2020.json
// and test_set/<file>.gz), decoding each page to UTF-8. Pages without a gold
// date are skipped.
func LoadDates(dir string) ([]DateDoc, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "eval_mediacloud_2020.json"))
	if err != nil {
		return nil, fmt.Errorf("read htmldate eval data: %w", err)
	}
	// The file writes a missing gold date as a bare NaN (Python's json module
	// allows it); such pages have no answer to score and are left out.
	raw = bytes.ReplaceAll(raw, []byte(`"date": NaN`), []byte(`"date": null`))
	var m map[string]struct {
		File string  `json:"file"`
		Date *string `json:"date"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode htmldate eval data: %w", err)
	}
	docs := make([]DateDoc, 0, len(m))
	for u, v := range m {
		if v.Date == nil {
			continue
		}
		page, err := readMaybeGzip(filepath.Join(dir, "test_set", v.File+".gz"))
		if err != nil {
			return nil, err
		}
		page, _, err = charset.Decode(page, "")
		if err != nil {
			return nil, fmt.Errorf("decode %q: %w", v.File, err)
		}
		docs = append(docs, DateDoc{URL: u, File: v.File, HTML: page, Day: *v.Date})
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].File < docs[j].File })
	return docs, nil
}

// DateScore is the result of a run over the date set.
type DateScore struct {
	Name                 string
	Docs, Found, Correct int
	Accuracy             float64 // Correct / Docs: a page with no date counts as a miss
	MeanMS               float64
	Wrong                []string // "file: got want" for diagnostics
}

// ScoreDates runs fn over docs and counts exact-day matches of Published. The
// day is compared in the page's own terms: UTC for a time of day, which is what
// Result.Published holds.
func ScoreDates(ctx context.Context, name string, docs []DateDoc, fn ExtractFunc) (DateScore, error) {
	s := DateScore{Name: name, Docs: len(docs)}
	var total time.Duration
	for _, d := range docs {
		if err := ctx.Err(); err != nil {
			return s, fmt.Errorf("score dates: %w", err)
		}
		start := time.Now()
		res, _ := fn(d.HTML, d.URL)
		total += time.Since(start)
		got := ""
		if res != nil && !res.Published.IsZero() {
			s.Found++
			got = res.Published.Format(time.DateOnly)
		}
		if got == d.Day {
			s.Correct++
		} else {
			s.Wrong = append(s.Wrong, fmt.Sprintf("%s: got %q want %s", d.File, got, d.Day))
		}
	}
	if len(docs) > 0 {
		s.Accuracy = float64(s.Correct) / float64(len(docs))
		s.MeanMS = float64(total) / float64(time.Millisecond) / float64(len(docs))
	}
	return s, nil
}

// readabilityURL is the page URL Readability.js's tests give every case.
const readabilityURL = "http://fakehost/test/page.html"

// LoadReadabilityCases reads Mozilla Readability.js's test pages in dir
// (test-pages/<case>/source.html.gz and expected.html) as benchmark pages:
// the truth is the text of readability.js's expected output, so this set
// favours readability-based extractors. Sorted by case name.
func LoadReadabilityCases(dir string) ([]ZyteDoc, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "test-pages"))
	if err != nil {
		return nil, fmt.Errorf("read readability test pages: %w", err)
	}
	var docs []ZyteDoc
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		caseDir := filepath.Join(dir, "test-pages", ent.Name())
		page, err := readMaybeGzip(filepath.Join(caseDir, "source.html.gz"))
		if err != nil {
			return nil, err
		}
		expected, err := readMaybeGzip(filepath.Join(caseDir, "expected.html"))
		if err != nil {
			return nil, err
		}
		root, err := html.Parse(bytes.NewReader(expected))
		if err != nil {
			return nil, fmt.Errorf("parse %q: %w", caseDir, err)
		}
		docs = append(docs, ZyteDoc{ID: ent.Name(), URL: readabilityURL, HTML: page, Truth: normalizeText(renderText(root))})
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	return docs, nil
}

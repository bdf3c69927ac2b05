package extract

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
)

// EvalOptions selects the data sets an evaluation runs on. An empty directory
// skips that set.
type EvalOptions struct {
	ZyteDir        string // Zyte article-extraction benchmark (ground-truth.json, html/)
	TrafilaturaDir string // trafilatura's evaluation subset (evaldata.subset.json, html/)
	HTMLDateDir    string // htmldate's MediaCloud set (eval_mediacloud_2020.json, test_set/)
	// Limit uses only the first Limit pages of each set (0 = all), for quick runs.
	Limit int
	// Baselines also runs go-trafilatura with and without its fallback and
	// go-readability, interleaved with presswatch's extractor.
	Baselines bool
}

// EvalReport holds the figures of one evaluation run.
type EvalReport struct {
	Zyte        []TextScore // presswatch first, then the baselines
	Snippets    []SnippetScore
	Dates       []DateScore
	ScorerCheck *TextScore // the saved go_trafilatura output, scored, when present
}

// DefaultEvalOptions returns options for the three shared sets below dir (the
// shared testdata folder), with baselines.
func DefaultEvalOptions(dir string) EvalOptions {
	return EvalOptions{
		ZyteDir:        filepath.Join(dir, "extraction"),
		TrafilaturaDir: filepath.Join(dir, "extraction-trafilatura"),
		HTMLDateDir:    filepath.Join(dir, "extraction-htmldate"),
		Baselines:      true,
	}
}

// Evaluate runs e (and, when asked, the baselines) over the selected sets.
func Evaluate(ctx context.Context, e *Extractor, opts EvalOptions) (*EvalReport, error) {
	names := []string{"presswatch"}
	fns := []ExtractFunc{e.Extract}
	if opts.Baselines {
		names = append(names, "go-trafilatura+fallback", "go-trafilatura", "go-readability")
		fns = append(fns, TrafilaturaFunc(true), TrafilaturaFunc(false), ReadabilityFunc())
	}
	rep := &EvalReport{}
	if opts.ZyteDir != "" {
		docs, err := LoadZyte(opts.ZyteDir)
		if err != nil {
			return nil, err
		}
		if opts.Limit > 0 && opts.Limit < len(docs) {
			docs = docs[:opts.Limit]
		}
		rep.Zyte, err = ScoreZyte(ctx, docs, names, fns)
		if err != nil {
			return nil, err
		}
		if chk, err := ScorePredictions(docs, filepath.Join(opts.ZyteDir, "output", "go_trafilatura.json")); err == nil {
			rep.ScorerCheck = &chk
		}
	}
	if opts.TrafilaturaDir != "" {
		docs, err := LoadSnippets(opts.TrafilaturaDir)
		if err != nil {
			return nil, err
		}
		if opts.Limit > 0 && opts.Limit < len(docs) {
			docs = docs[:opts.Limit]
		}
		for i, fn := range fns {
			s, err := ScoreSnippets(ctx, names[i], docs, fn)
			if err != nil {
				return nil, err
			}
			rep.Snippets = append(rep.Snippets, s)
		}
	}
	if opts.HTMLDateDir != "" {
		docs, err := LoadDates(opts.HTMLDateDir)
		if err != nil {
			return nil, err
		}
		if opts.Limit > 0 && opts.Limit < len(docs) {
			docs = docs[:opts.Limit]
		}
		for i, fn := range fns {
			s, err := ScoreDates(ctx, names[i], docs, fn)
			if err != nil {
				return nil, err
			}
			rep.Dates = append(rep.Dates, s)
		}
	}
	return rep, nil
}

// Write prints the report as aligned tables.
func (r *EvalReport) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(r.Zyte) > 0 {
		fmt.Fprintf(tw, "Zyte article-extraction benchmark (%d pages)\n", r.Zyte[0].Docs)
		fmt.Fprintln(tw, "extractor\tF1\tprecision\trecall\taccuracy\tmean ms\tp50 ms\tp99 ms\terrors")
		for _, s := range r.Zyte {
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.3f\t%.2f\t%.2f\t%.2f\t%d\n",
				s.Name, s.F1, s.Precision, s.Recall, s.Accuracy, s.MeanMS, s.P50MS, s.P99MS, s.Errors)
		}
		if r.ScorerCheck != nil {
			fmt.Fprintf(tw, "(scorer check: saved output/go_trafilatura.json scores F1 %.3f; the benchmark publishes 0.960 for all 181 pages)\n", r.ScorerCheck.F1)
		}
		fmt.Fprintln(tw)
	}
	if len(r.Snippets) > 0 {
		fmt.Fprintf(tw, "trafilatura evaluation subset (%d pages; must / must-not contain snippets)\n", r.Snippets[0].Docs)
		fmt.Fprintln(tw, "extractor\tF1\tprecision\trecall\taccuracy\tTP\tFP\tTN\tFN\tmean ms")
		for _, s := range r.Snippets {
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%d\t%d\t%d\t%.2f\n",
				s.Name, s.F1, s.Precision, s.Recall, s.Accuracy, s.TP, s.FP, s.TN, s.FN, s.MeanMS)
		}
		fmt.Fprintln(tw)
	}
	if len(r.Dates) > 0 {
		fmt.Fprintf(tw, "htmldate MediaCloud 2020 (%d pages with a gold date; exact day)\n", r.Dates[0].Docs)
		fmt.Fprintln(tw, "extractor\taccuracy\tfound\tcorrect\tmean ms")
		for _, s := range r.Dates {
			fmt.Fprintf(tw, "%s\t%.3f\t%d\t%d\t%.2f\n", s.Name, s.Accuracy, s.Found, s.Correct, s.MeanMS)
		}
	}
	return tw.Flush()
}

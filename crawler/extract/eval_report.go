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
	ReadabilityDir string // Mozilla Readability.js test pages (test-pages/)
	// Limit uses only the first Limit pages of each set (0 = all), for quick runs.
	Limit int
	// Baselines also runs go-trafilatura with and without its fallback and
	// go-readability, interleaved with presswatch's extractor.
	Baselines bool
	// CVFolds > 1 also cross-validates the selection thresholds on the Zyte
	// pages (CrossValidate with DefaultGrid; at most one fold per page).
	CVFolds int
}

// EvalReport holds the figures of one evaluation run.
type EvalReport struct {
	Zyte        []TextScore // presswatch first, then the baselines
	Snippets    []SnippetScore
	Readability []TextScore // Readability.js test pages, scored like Zyte
	Dates       []DateScore
	ScorerCheck *TextScore // the saved go_trafilatura output, scored, when present
	CV          *CVResult  // cross-validated thresholds on the Zyte pages, when asked
}

// DefaultEvalOptions returns options for the four shared sets below dir (the
// shared testdata folder), with baselines and 10-fold cross-validation.
func DefaultEvalOptions(dir string) EvalOptions {
	return EvalOptions{
		ZyteDir:        filepath.Join(dir, "extraction"),
		TrafilaturaDir: filepath.Join(dir, "extraction-trafilatura"),
		HTMLDateDir:    filepath.Join(dir, "extraction-htmldate"),
		ReadabilityDir: filepath.Join(dir, "extraction-readability"),
		Baselines:      true,
		CVFolds:        10,
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
		if folds := min(opts.CVFolds, len(docs)); folds > 1 {
			rep.CV, err = CrossValidate(ctx, e, docs, folds, DefaultGrid())
			if err != nil {
				return nil, err
			}
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
	if opts.ReadabilityDir != "" {
		docs, err := LoadReadabilityCases(opts.ReadabilityDir)
		if err != nil {
			return nil, err
		}
		if opts.Limit > 0 && opts.Limit < len(docs) {
			docs = docs[:opts.Limit]
		}
		rep.Readability, err = ScoreZyte(ctx, docs, names, fns)
		if err != nil {
			return nil, err
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
		fmt.Fprintf(tw, "Zyte article-extraction benchmark (%d pages; presswatch's thresholds were chosen on these pages: its row is in-sample)\n", r.Zyte[0].Docs)
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
	if r.CV != nil {
		writeCV(tw, r.CV)
	}
	if len(r.Snippets) > 0 {
		fmt.Fprintf(tw, "trafilatura evaluation subset (%d pages; must / must-not contain snippets; a second set: the thresholds were not chosen on it)\n", r.Snippets[0].Docs)
		fmt.Fprintln(tw, "extractor\tF1\tprecision\trecall\taccuracy\tTP\tFP\tTN\tFN\tmean ms")
		for _, s := range r.Snippets {
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%d\t%d\t%d\t%.2f\n",
				s.Name, s.F1, s.Precision, s.Recall, s.Accuracy, s.TP, s.FP, s.TN, s.FN, s.MeanMS)
		}
		fmt.Fprintln(tw)
	}
	if len(r.Readability) > 0 {
		fmt.Fprintf(tw, "Mozilla Readability.js test pages (%d cases; truth = readability.js's output, which favours readability-based extractors; scored like Zyte; the thresholds were not chosen on it)\n", r.Readability[0].Docs)
		fmt.Fprintln(tw, "extractor\tF1\tprecision\trecall\taccuracy\tmean ms\terrors")
		for _, s := range r.Readability {
			fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.3f\t%.2f\t%d\n", s.Name, s.F1, s.Precision, s.Recall, s.Accuracy, s.MeanMS, s.Errors)
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

// writeCV prints the cross-validation beside the in-sample figures.
func writeCV(w io.Writer, cv *CVResult) {
	fmt.Fprintf(w, "Zyte, thresholds chosen by %d-fold cross-validation (grid search over %d settings on the other folds' pages; page i of the ID-sorted list is in fold i mod %d)\n",
		len(cv.Folds), cv.GridSize, len(cv.Folds))
	fmt.Fprintln(w, "figure\tF1\tprecision\trecall\taccuracy")
	fmt.Fprintf(w, "held-out, mean of %d folds\t%.4f ± %.4f\t%.4f\t%.4f\t\n", len(cv.Folds), cv.MeanF1, cv.SDF1, cv.MeanPrecision, cv.MeanRecall)
	fmt.Fprintf(w, "held-out, pooled (%d pages)\t%.4f\t%.4f\t%.4f\t%.3f\n", cv.Pages, cv.Pooled.F1, cv.Pooled.Precision, cv.Pooled.Recall, cv.Pooled.Accuracy)
	fmt.Fprintf(w, "in-sample, extractor's thresholds\t%.4f\t%.4f\t%.4f\t%.3f\n", cv.GivenScore.F1, cv.GivenScore.Precision, cv.GivenScore.Recall, cv.GivenScore.Accuracy)
	fmt.Fprintf(w, "in-sample, median of the folds' choices\t%.4f\t%.4f\t%.4f\t%.3f\n", cv.MedianScore.F1, cv.MedianScore.Precision, cv.MedianScore.Recall, cv.MedianScore.Accuracy)
	fmt.Fprintf(w, "in-sample, grid optimum on all pages\t%.4f\t%.4f\t%.4f\t%.3f\n", cv.AllPagesScore.F1, cv.AllPagesScore.Precision, cv.AllPagesScore.Recall, cv.AllPagesScore.Accuracy)
	fmt.Fprintf(w, "extractor's thresholds:\t%v\n", cv.Given)
	fmt.Fprintf(w, "median of the folds' choices:\t%v\n", cv.Median)
	fmt.Fprintf(w, "grid optimum on all pages:\t%v\n", cv.AllPages)
	fmt.Fprintln(w, "fold\ttrain F1 (in-sample)\theld-out F1\tpages\tchosen")
	for i, f := range cv.Folds {
		fmt.Fprintf(w, "%d\t%.4f\t%.4f\t%d\t%v\n", i, f.TrainF1, f.Held.F1, f.TestPages, f.Chosen)
	}
	fmt.Fprintln(w)
}

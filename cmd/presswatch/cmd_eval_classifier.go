package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dongnai/presswatch/classifier"
)

// evalClassifier is `presswatch eval classifier [--corpus FILE]... [--folds
// N]`: k-fold cross-validated figures (folds keep copies of one story
// together) for about, mentions, needs_review, topic micro-F1 and tone
// accuracy — the rules alone, the rules with the learned layer under
// cross-validation (the figure to report) and in-sample — followed by the
// shipped classifier's figures and misclassified items with its reasons.
func evalClassifier(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("eval classifier", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	var corpora multiFlag
	fs.Var(&corpora, "corpus", "labelled corpus (JSON Lines); repeatable (default: the shared dev.jsonl and "+grownCorpus+" when present)")
	folds := fs.Int("folds", 10, "cross-validation folds (0: skip cross-validation)")
	configPath := fs.String("config", g.ConfigPath, "configuration file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *folds < 0 || *folds == 1 {
		return fmt.Errorf("%w: --folds %d: give 2 or more folds, or 0 to skip cross-validation", errUsage, *folds)
	}
	if len(corpora) == 0 {
		corpora = defaultCorpora()
	}
	if len(corpora) == 0 {
		return fmt.Errorf("%w: --corpus is required (no ../shared/testdata/corpus/dev.jsonl found)", errUsage)
	}
	eng, err := newEngine(*configPath)
	if err != nil {
		return err
	}
	items, err := readEvalCorpora(corpora, eng.Rules().Topics())
	if err != nil {
		return err
	}
	if *folds > len(items) {
		given := " (the default)"
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "folds" {
				given = ""
			}
		})
		return fmt.Errorf("%w: --folds %d%s is more than the %d items of the corpus: give at most %d, or 0 to skip cross-validation", errUsage, *folds, given, len(items), len(items))
	}
	fmt.Fprintf(g.Stdout, "corpus: %s (%d items)\nrules: %s\n", strings.Join(corpora, ", "), len(items), eng.Rules().Version)
	if *folds > 0 {
		cfg, err := newEngineOptions(*configPath)
		if err != nil {
			return err
		}
		cfg.NoModel = true
		rulesOnly, err := classifier.New(cfg)
		if err != nil {
			return err
		}
		rep, err := rulesOnly.CrossValidate(ctx, items, *folds, classifier.TrainOptions{})
		if err != nil {
			return err
		}
		fmt.Fprintln(g.Stdout)
		if err := rep.Write(g.Stdout); err != nil {
			return err
		}
	}
	rep, err := classifier.Evaluate(ctx, eng, items)
	if err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout, "\nshipped classifier (rules + shipped model), in-sample — the model may have been trained on these items:")
	return rep.Write(g.Stdout, true)
}

// readEvalCorpora reads the labelled corpora (JSON Lines of
// classifier.EvalItem) for eval and refuses what would be scored without a
// word of warning: a file with no items (every figure would read 1.000), an
// item without labels (scored as all-negative), a topic that is not one of
// topics, or a tone that is not positive, neutral or negative (both always
// wrong). Every such line is named, up to 20 of them.
func readEvalCorpora(paths []string, topics []string) ([]classifier.EvalItem, error) {
	var items []classifier.EvalItem
	for _, p := range paths {
		its, err := readEvalCorpus(p, topics)
		if err != nil {
			return nil, err
		}
		items = append(items, its...)
	}
	return items, nil
}

func readEvalCorpus(path string, topics []string) ([]classifier.EvalItem, error) {
	const maxProblems = 20
	tones := []string{"positive", "neutral", "negative"} // the classifier's
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open corpus: %w", err)
	}
	defer f.Close()
	var (
		items    []classifier.EvalItem
		problems []string
		more     int
	)
	bad := func(line int, format string, args ...any) {
		if len(problems) == maxProblems {
			more++
			return
		}
		problems = append(problems, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26) // as classifier.ReadEvalItems
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var rec struct {
			classifier.EvalItem
			// Labels is nil when the item has none or "labels": null;
			// being shallower, it takes the key from EvalItem.Labels.
			Labels *classifier.ItemLabels `json:"labels"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("corpus %s line %d: %w", path, line, err)
		}
		if rec.Labels == nil {
			bad(line, "item %q has no labels (it would be scored as all-negative)", rec.ID)
			continue
		}
		for _, t := range rec.Labels.Topics {
			if !slices.Contains(topics, t) {
				bad(line, "topic %q is not one of the classifier's topics (%s)", t, strings.Join(topics, ", "))
			}
		}
		// The tone is read only on items about the province; there it
		// must be one of the classifier's.
		if tone := rec.Labels.Tone; !slices.Contains(tones, tone) && (tone != "" || rec.Labels.About) {
			bad(line, "tone %q is not positive, neutral or negative", tone)
		}
		rec.EvalItem.Labels = *rec.Labels
		items = append(items, rec.EvalItem)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read corpus %s: %w", path, err)
	}
	if len(problems) > 0 {
		if more > 0 {
			problems = append(problems, fmt.Sprintf("and %d more", more))
		}
		return nil, fmt.Errorf("corpus %s:\n  %s", path, strings.Join(problems, "\n  "))
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("corpus %s holds no items", path)
	}
	return items, nil
}

// defaultCorpus is the shared development corpus beside the work tree, if any.
func defaultCorpus() string {
	for _, p := range []string{
		filepath.Join("..", "shared", "testdata", "corpus", "dev.jsonl"),
		os.Getenv("PRESSWATCH_TESTDATA") + "/corpus/dev.jsonl",
	} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

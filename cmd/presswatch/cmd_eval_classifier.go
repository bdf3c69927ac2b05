package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
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
	if len(corpora) == 0 {
		corpora = defaultCorpora()
	}
	if len(corpora) == 0 {
		return fmt.Errorf("%w: --corpus is required (no ../shared/testdata/corpus/dev.jsonl found)", errUsage)
	}
	items, err := readCorpora(corpora)
	if err != nil {
		return err
	}
	eng, err := newEngine(*configPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "corpus: %s (%d items)\nrules: %s\n", strings.Join(corpora, ", "), len(items), eng.Rules().Version)
	if *folds > 1 && len(items) >= *folds {
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

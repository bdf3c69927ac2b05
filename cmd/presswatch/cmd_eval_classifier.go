package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dongnai/presswatch/classifier"
)

// evalClassifier is `presswatch eval classifier [--corpus FILE]`: precision,
// recall and F1 for about, mentions and needs_review, topic micro-F1 over
// items labelled about, tone accuracy, and the misclassified items with the
// classifier's reasons.
func evalClassifier(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("eval classifier", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	corpus := fs.String("corpus", defaultCorpus(), "labelled corpus (JSON Lines)")
	configPath := fs.String("config", g.ConfigPath, "configuration file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *corpus == "" {
		return fmt.Errorf("%w: --corpus is required (no ../shared/testdata/corpus/dev.jsonl found)", errUsage)
	}
	f, err := os.Open(*corpus)
	if err != nil {
		return fmt.Errorf("open corpus: %w", err)
	}
	defer f.Close()
	items, err := classifier.ReadEvalItems(f)
	if err != nil {
		return err
	}
	eng, err := newEngine(*configPath)
	if err != nil {
		return err
	}
	rep, err := classifier.Evaluate(ctx, eng, items)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "corpus: %s\nrules: %s\n", *corpus, eng.Rules().Version)
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

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dongnai/presswatch/crawler/extract"
)

// evalExtraction is `presswatch eval extraction [--dir DIR]`: it scores the
// article extractor on the Zyte benchmark in DIR (F1, precision, recall, ms per
// page; in-sample, and cross-validated over its selection thresholds), on
// trafilatura's snippet corpus and Readability.js's test pages (sets the
// thresholds were not chosen on) and on htmldate's publication-date set
// (siblings of DIR), next to go-trafilatura and go-readability run in the
// same process.
func evalExtraction(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("eval extraction", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	dir := fs.String("dir", defaultExtractionDir(), "Zyte benchmark folder (ground-truth.json, html/)")
	trafDir := fs.String("trafilatura-dir", "", "trafilatura snippet corpus (default: extraction-trafilatura beside --dir; \"none\" skips)")
	readDir := fs.String("readability-dir", "", "Readability.js test pages (default: extraction-readability beside --dir; \"none\" skips)")
	dateDir := fs.String("htmldate-dir", "", "htmldate date set (default: extraction-htmldate beside --dir; \"none\" skips)")
	limit := fs.Int("limit", 0, "use only the first N pages of each set (0 = all)")
	baselines := fs.Bool("baselines", true, "also run go-trafilatura (with and without fallback) and go-readability")
	folds := fs.Int("folds", 10, "cross-validate the selection thresholds on the Zyte pages with this many folds (0 skips)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *dir == "" {
		return fmt.Errorf("%w: --dir is required (no ../shared/testdata/extraction found)", errUsage)
	}
	opts := extract.EvalOptions{
		ZyteDir:        *dir,
		TrafilaturaDir: siblingDir(*trafDir, *dir, "extraction-trafilatura"),
		HTMLDateDir:    siblingDir(*dateDir, *dir, "extraction-htmldate"),
		ReadabilityDir: siblingDir(*readDir, *dir, "extraction-readability"),
		Limit:          *limit,
		Baselines:      *baselines,
		CVFolds:        *folds,
	}
	rep, err := extract.Evaluate(ctx, extract.New(extract.Options{}), opts)
	if err != nil {
		return err
	}
	return rep.Write(g.Stdout)
}

// siblingDir returns flagVal, or name beside dir when flagVal is empty and that
// folder exists; "none" disables the set.
func siblingDir(flagVal, dir, name string) string {
	switch flagVal {
	case "none":
		return ""
	case "":
		p := filepath.Join(filepath.Dir(filepath.Clean(dir)), name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		return ""
	}
	return flagVal
}

// defaultExtractionDir is the shared Zyte benchmark beside the work tree, if any.
func defaultExtractionDir() string {
	for _, p := range []string{
		filepath.Join(os.Getenv("PRESSWATCH_TESTDATA"), "extraction"),
		filepath.Join("..", "shared", "testdata", "extraction"),
	} {
		if st, err := os.Stat(filepath.Join(p, "ground-truth.json")); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

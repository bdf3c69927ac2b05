package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/store"
)

// grownCorpus is the repository's own growing corpus (same format as the
// shared dev.jsonl), used by train and eval when it exists.
const grownCorpus = "classifier/testdata/corpus/grown.jsonl"

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// defaultCorpora are the shared dev corpus and the repository's grown corpus,
// those that exist.
func defaultCorpora() []string {
	var out []string
	if p := defaultCorpus(); p != "" {
		out = append(out, p)
	}
	if st, err := os.Stat(grownCorpus); err == nil && !st.IsDir() {
		out = append(out, grownCorpus)
	}
	return out
}

// cmdTrain is `presswatch train [--corpus FILE]... [--from-triage] --out
// FILE`: it trains the classifier's learned layer (needs_review, tone and
// topic models) on the labelled corpus and, with --from-triage, on the
// officers' triage decisions in the store, and writes a versioned model
// file. Switch it on with the classifier.model setting after a back-test
// (`presswatch reclassify --dry-run --model FILE`).
func cmdTrain(ctx context.Context, g *globals, args []string) error {
	fset := flag.NewFlagSet("train", flag.ContinueOnError)
	fset.SetOutput(g.Stderr)
	var corpora multiFlag
	fset.Var(&corpora, "corpus", "labelled corpus (JSON Lines); repeatable (default: the shared dev.jsonl and "+grownCorpus+" when present)")
	fromTriage := fset.Bool("from-triage", false, "add the triage decisions in the store (confirmed, responded: needs review; false positive: does not)")
	out := fset.String("out", "", "model file to write (required)")
	configPath := fset.String("config", g.ConfigPath, "configuration file")
	lambda := fset.Float64("lambda", 0, "L2 penalty (0: the default)")
	cvFolds := fset.Int("cv", 0, "also run N-fold cross-validation on the corpus and record the figures in the model")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *out == "" {
		return fmt.Errorf("%w: --out FILE is required", errUsage)
	}
	if len(corpora) == 0 {
		corpora = defaultCorpora()
	}
	cfg, err := configs.Load(*configPath)
	if err != nil {
		return err
	}
	opts := classifierOptions(cfg, slog.New(slog.DiscardHandler), nil)
	opts.NoModel = true
	eng, err := classifier.New(opts)
	if err != nil {
		return err
	}
	// The checks eval makes: an item without labels would be learned as
	// all-negative, an unknown topic or tone never.
	items, err := readEvalCorpora(corpora, eng.Rules().Topics())
	if err != nil {
		return err
	}
	ex := classifier.ExamplesFromCorpus(items)
	if *fromTriage {
		st, err := store.Open(ctx, storeOptions(cfg, slog.New(slog.DiscardHandler)))
		if err != nil {
			return fmt.Errorf("open store: %w", err)
		}
		tex, err := triageExamples(ctx, st)
		st.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(g.Stderr, "triage: %d labelled articles\n", len(tex))
		ex = append(ex, tex...)
	}
	if len(ex) == 0 {
		return fmt.Errorf("%w: nothing to train on (no --corpus and no dev corpus found)", errUsage)
	}
	names := make([]string, len(corpora))
	for i, p := range corpora {
		names[i] = filepath.Base(p)
	}
	topts := classifier.TrainOptions{Lambda: *lambda, Corpus: names}
	m, err := eng.TrainModel(ctx, ex, topts)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	m.Training.At = time.Now().UTC().Truncate(time.Second)
	if *cvFolds > 1 && len(items) > *cvFolds {
		rep, err := eng.CrossValidate(ctx, items, *cvFolds, topts)
		if err != nil {
			return fmt.Errorf("train: %w", err)
		}
		if err := rep.Write(g.Stdout); err != nil {
			return err
		}
		m.Training.CV = map[string]float64{
			"folds": float64(rep.Folds), "about_f1": rep.CV.About.F1, "mentions_f1": rep.CV.Mentions.F1,
			"needs_review_precision": rep.CV.NeedsReview.Precision, "needs_review_recall": rep.CV.NeedsReview.Recall,
			"topics_micro_f1": rep.CV.Topics.F1, "tone_accuracy": rep.CV.ToneAccuracy,
		}
	}
	if err := writeModel(*out, m); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "wrote %s: %d examples (%d from triage), needs_review threshold %.2f, topic threshold %.2f\n",
		*out, m.Training.Items, m.Training.TriageLabels, m.ReviewThreshold, m.TopicThreshold)
	return nil
}

// writeModel writes m to path through a temporary file, so a reader never
// sees half a model.
func writeModel(path string, m *classifier.Model) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".model-*.json")
	if err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := m.Encode(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}

// triageSource is what training from triage needs of the store.
type triageSource interface {
	ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
	GetArticle(ctx context.Context, id string) (*article.Article, error)
}

// triageOutcomes is the articles officers have decided on: true when any of
// an article's alerts was confirmed or responded to, false when its alerts
// were only marked false positives.
func triageOutcomes(ctx context.Context, st triageSource) (map[string]bool, error) {
	alerts, err := st.ListAlerts(ctx, store.AlertFilter{
		States: []string{store.AlertConfirmed, store.AlertResponded, store.AlertFalsePositive},
		Limit:  1 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("list triaged alerts: %w", err)
	}
	out := map[string]bool{}
	for _, a := range alerts {
		pos := a.State == store.AlertConfirmed || a.State == store.AlertResponded
		out[a.ArticleID] = out[a.ArticleID] || pos
	}
	return out, nil
}

// triageExamples turns triage outcomes into needs_review examples. An alert
// was raised because the classifier found the article about the province,
// so the example counts as about it unless its stored classification says
// otherwise.
func triageExamples(ctx context.Context, st triageSource) ([]*classifier.Example, error) {
	outcomes, err := triageOutcomes(ctx, st)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(outcomes))
	for id := range outcomes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []*classifier.Example
	for _, id := range ids {
		a, err := st.GetArticle(ctx, id)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("triaged article %s: %w", id, err)
		}
		review := outcomes[id]
		about := a.Classification == nil || a.Classification.About || a.Classification.Mentions
		group := "triage:" + id
		if a.Classification != nil && a.Classification.Cluster != "" {
			group = "cluster:" + a.Classification.Cluster
		}
		out = append(out, &classifier.Example{ID: "triage:" + id, Group: group, Article: a, About: about, Review: &review})
	}
	return out, nil
}

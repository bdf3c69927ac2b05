package classifier

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/dongnai/presswatch/article"
)

// CVReport holds the figures of CrossValidate: the rules alone, the rules
// with the learned layer under k-fold cross-validation (the figure to
// report), and the learned layer trained and scored on the same items
// (in-sample, optimistic).
type CVReport struct {
	Folds    int
	Items    int
	Rules    *EvalReport
	CV       *EvalReport
	InSample *EvalReport
	Elapsed  time.Duration
}

// CrossValidate measures the classifier on labelled items: k folds that keep
// story groups (StoryGroups) together; for each, the learned layer is
// trained on the other folds with opts and judged on this one. about and
// mentions come from the rules, which are not trained, so their CV figure
// equals the rules' figure. Clustering (rapid spread) is left out.
func (e *Engine) CrossValidate(ctx context.Context, items []EvalItem, k int, opts TrainOptions) (*CVReport, error) {
	start := time.Now()
	opts.defaults()
	if k < 2 || k > len(items) {
		return nil, fmt.Errorf("cross-validate: %d folds for %d items", k, len(items))
	}
	ex := ExamplesFromCorpus(items)
	if err := e.featurize(ctx, opts.Features, ex); err != nil {
		return nil, err
	}
	rep := &CVReport{Folds: k, Items: len(items)}
	var rules evalAcc
	for i := range items {
		rules.add(&items[i], ex[i].rules)
	}
	rep.Rules = rules.finish()

	fold := assignFolds(ex, k)
	preds := make([]*article.Classification, len(items))
	topics := e.Rules().Topics()
	for f := 0; f < k; f++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("cross-validate: %w", err)
		}
		var train []*Example
		for _, x := range ex {
			if fold[x] != f {
				train = append(train, x)
			}
		}
		m, err := trainModel(train, topics, opts)
		if err != nil {
			return nil, fmt.Errorf("cross-validate fold %d: %w", f+1, err)
		}
		for i, x := range ex {
			if fold[x] == f {
				preds[i] = m.decide(x.x, x.rules)
			}
		}
	}
	var cv evalAcc
	for i := range items {
		cv.add(&items[i], preds[i])
	}
	rep.CV = cv.finish()

	m, err := trainModel(ex, topics, opts)
	if err != nil {
		return nil, fmt.Errorf("cross-validate: in-sample model: %w", err)
	}
	var in evalAcc
	for i, x := range ex {
		in.add(&items[i], m.decide(x.x, x.rules))
	}
	rep.InSample = in.finish()
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// decide returns a copy of the rules' classification with the model's
// needs_review, tone and topics, as applyModel sets them.
func (m *Model) decide(x vec, rules *article.Classification) *article.Classification {
	c := *rules
	if !c.About && !c.Mentions {
		return &c
	}
	p := m.predict(x, rules.Topics)
	c.Topics = p.topics
	prob := p.review
	if !c.About {
		prob /= mentionOnlyDiscount
	}
	c.Risk = int(100*prob + 0.5)
	c.NeedsReview = c.About && (prob >= m.ReviewThreshold || rules.NeedsReview || hasEvidence(rules.Reasons))
	if c.About {
		c.Tone = p.tone
	}
	return &c
}

// Write prints the three reports side by side.
func (rep *CVReport) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "items: %d, %d-fold cross-validation (story groups kept together), %s\n\n", rep.Items, rep.Folds, rep.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(bw, "%-26s %14s %14s %14s\n", "measure", "rules only", "rules+model CV", "in-sample")
	row := func(name string, f func(*EvalReport) float64) {
		fmt.Fprintf(bw, "%-26s %14.3f %14.3f %14.3f\n", name, f(rep.Rules), f(rep.CV), f(rep.InSample))
	}
	row("about F1", func(r *EvalReport) float64 { return r.About.F1 })
	row("mentions F1", func(r *EvalReport) float64 { return r.Mentions.F1 })
	row("needs_review precision", func(r *EvalReport) float64 { return r.NeedsReview.Precision })
	row("needs_review recall", func(r *EvalReport) float64 { return r.NeedsReview.Recall })
	row("needs_review F1", func(r *EvalReport) float64 { return r.NeedsReview.F1 })
	row("topics micro-F1", func(r *EvalReport) float64 { return r.Topics.F1 })
	row("tone accuracy", func(r *EvalReport) float64 { return r.ToneAccuracy })
	fmt.Fprintln(bw, "\nThe CV column is the figure to report; in-sample is trained and scored on the same items.")
	return bw.Flush()
}

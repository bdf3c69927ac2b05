package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/store"
)

// cmdReclassify is `presswatch reclassify --since DURATION [--dry-run]`: it
// re-runs the current rules over the articles collected in the last DURATION
// and stores the classifications that changed; with --dry-run it stores
// nothing and prints what would change and how many articles each topic
// rule, the review threshold and each alert route (immediate alerts) would
// have flagged under the old and the new rules — a back-test of a rule before
// switching it on. With --model FILE (dry run only) it back-tests a new model
// file against the current one: "before" is the current configuration's
// classification, "after" the new model's, and for the articles officers
// have triaged it prints needs_review precision and recall under both.
func cmdReclassify(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("reclassify", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	since := fs.Duration("since", 0, "reclassify articles collected in this last period (e.g. 72h)")
	dryRun := fs.Bool("dry-run", false, "print what would change; store nothing")
	configPath := fs.String("config", g.ConfigPath, "configuration file")
	quiet := fs.Bool("quiet", false, "print only the summary")
	modelPath := fs.String("model", "", "back-test this model file against the current one (requires --dry-run)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *since <= 0 {
		return fmt.Errorf("%w: --since DURATION is required and must be positive", errUsage)
	}
	if *modelPath != "" && !*dryRun {
		return fmt.Errorf("%w: --model back-tests a model before it is switched on; use it with --dry-run", errUsage)
	}
	cfg, err := configs.Load(*configPath)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	eng, err := classifier.New(classifierOptions(cfg, log, nil))
	if err != nil {
		return err
	}
	ro := reclassifyOptions{DryRun: *dryRun, Quiet: *quiet}
	if *modelPath != "" {
		opts := classifierOptions(cfg, log, nil)
		opts.ModelPath = *modelPath
		neu, err := classifier.New(opts)
		if err != nil {
			return err
		}
		ro.Base, eng = eng, neu
	}
	ac, err := loadAlertsConfig(cfg)
	if err != nil {
		return err
	}
	rt, err := buildAlerts(ac)
	if err != nil {
		return fmt.Errorf("alert routes: %w", err)
	}
	st, err := store.Open(ctx, storeOptions(cfg, log))
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	now := time.Now().UTC()
	q := store.ArticleQuery{Since: now.Add(-*since), Until: now.Add(time.Minute)}
	labels, err := triageOutcomes(ctx, st)
	if err != nil {
		return err
	}
	ro.Labels = labels
	return reclassify(ctx, eng, rt.router, st, q, ro, g)
}

// reclassifyOptions configure reclassify.
type reclassifyOptions struct {
	DryRun, Quiet bool
	// Base, when set, gives the "before" classification (the current model)
	// instead of the stored one.
	Base *classifier.Engine
	// Labels are the officers' triage outcomes (article id → needs review),
	// against which needs_review precision and recall are shown.
	Labels map[string]bool
}

// triagePRF counts needs_review decisions against triage outcomes.
type triagePRF struct{ tp, fp, fn, n int }

func (p *triagePRF) add(pred, gold bool) {
	p.n++
	switch {
	case pred && gold:
		p.tp++
	case pred:
		p.fp++
	case gold:
		p.fn++
	}
}

func (p triagePRF) String() string {
	prec, rec := "n/a", "n/a"
	if p.tp+p.fp > 0 {
		prec = fmt.Sprintf("%.2f", float64(p.tp)/float64(p.tp+p.fp))
	}
	if p.tp+p.fn > 0 {
		rec = fmt.Sprintf("%.2f", float64(p.tp)/float64(p.tp+p.fn))
	}
	return fmt.Sprintf("precision %s (%d of %d flagged), recall %s", prec, p.tp, p.tp+p.fp, rec)
}

// reclassifyStore is what reclassify needs of the store.
type reclassifyStore interface {
	ScanArticles(ctx context.Context, q store.ArticleQuery, fn func(*article.Article) error) error
	UpsertClassification(ctx context.Context, id string, c *article.Classification) error
}

// backtest counts, per rule, how many articles the old and new rules flag,
// and per alert route how many immediate alerts each would have raised.
type backtest struct {
	old, new map[string]int
	router   *alerts.Router // nil: no alert routes are counted
}

func (b *backtest) count(m map[string]int, a *article.Article, c *article.Classification) {
	if c == nil {
		return
	}
	if b.router != nil {
		ac := *a
		ac.Classification = c
		for _, mt := range b.router.Match(&ac) {
			if mt.Severity == alerts.SeverityImmediate {
				m["alert:"+mt.Route+" → "+mt.Receiver]++
			}
		}
	}
	for _, t := range c.Topics {
		m["topic:"+t]++
	}
	if c.NeedsReview {
		m["needs_review"]++
	}
	m["class:"+c.RelevanceClass()]++
}

func reclassify(ctx context.Context, eng *classifier.Engine, router *alerts.Router, st reclassifyStore, q store.ArticleQuery, o reclassifyOptions, g *globals) error {
	dryRun, quiet := o.DryRun, o.Quiet
	// The classifier stage merges the narratives officers created from
	// their responses with the rule files; reclassifying without them would
	// drop their reasons from stored classifications and back-test against
	// rules the running pipeline does not use.
	if ns, ok := st.(classifier.NarrativeSource); ok {
		for _, e := range []*classifier.Engine{eng, o.Base} {
			if e == nil {
				continue
			}
			if _, err := e.SyncNarratives(ctx, ns); err != nil {
				return fmt.Errorf("reclassify: load narratives from responses: %w", err)
			}
		}
	}
	bt := backtest{old: map[string]int{}, new: map[string]int{}, router: router}
	var seen, changed int
	var triOld, triNew triagePRF
	err := st.ScanArticles(ctx, q, func(a *article.Article) error {
		seen++
		c, err := eng.Classify(ctx, a)
		if err != nil {
			return err
		}
		before := a.Classification
		if o.Base != nil {
			if before, err = o.Base.Classify(ctx, a); err != nil {
				return err
			}
		}
		if gold, ok := o.Labels[a.ID]; ok {
			triOld.add(before != nil && before.NeedsReview, gold)
			triNew.add(c.NeedsReview, gold)
		}
		bt.count(bt.old, a, before)
		bt.count(bt.new, a, c)
		diff := classificationDiff(before, c)
		if diff == "" {
			return nil
		}
		changed++
		if !quiet {
			fmt.Fprintf(g.Stdout, "%s %s\n    %s\n", a.ID, oneLine(a.Title, 80), diff)
		}
		if dryRun {
			return nil
		}
		if err := st.UpsertClassification(ctx, a.ID, c); err != nil {
			return fmt.Errorf("store classification of %s: %w", a.ID, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reclassify: %w", err)
	}
	verb := "updated"
	if dryRun {
		verb = "would change"
	}
	fmt.Fprintf(g.Stdout, "\n%d articles, %d %s (rules %s)\n", seen, changed, verb, eng.Rules().Version)
	if triOld.n > 0 {
		fmt.Fprintf(g.Stdout, "\ntriaged by officers: %d articles\n  needs_review before: %s\n  needs_review after:  %s\n", triOld.n, triOld, triNew)
	}
	keys := map[string]bool{}
	for k := range bt.old {
		keys[k] = true
	}
	for k := range bt.new {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(g.Stdout, "\n%-40s %8s %8s\n", "rule", "before", "after")
	for _, k := range names {
		fmt.Fprintf(g.Stdout, "%-40s %8d %8d\n", k, bt.old[k], bt.new[k])
	}
	if !dryRun && changed > 0 {
		fmt.Fprintln(g.Stdout, "\nrun `presswatch reindex` to bring the search index up to date")
	}
	return nil
}

// classificationDiff describes what changed between old and new, or "" when
// nothing that matters did (the time and rules version are ignored).
func classificationDiff(old, new *article.Classification) string {
	if old == nil {
		return fmt.Sprintf("unclassified → %s, risk %d, topics %v", new.RelevanceClass(), new.Risk, new.Topics)
	}
	var parts []string
	if old.RelevanceClass() != new.RelevanceClass() {
		parts = append(parts, fmt.Sprintf("%s → %s", old.RelevanceClass(), new.RelevanceClass()))
	}
	if add, del := setDiff(old.Topics, new.Topics); len(add)+len(del) > 0 {
		parts = append(parts, fmt.Sprintf("topics +%v -%v", add, del))
	}
	if old.Tone != new.Tone {
		parts = append(parts, fmt.Sprintf("tone %s → %s", old.Tone, new.Tone))
	}
	if old.Risk != new.Risk || old.NeedsReview != new.NeedsReview {
		parts = append(parts, fmt.Sprintf("risk %d → %d (needs_review %v → %v)", old.Risk, new.Risk, old.NeedsReview, new.NeedsReview))
	}
	return strings.Join(parts, "; ")
}

func setDiff(old, new []string) (added, removed []string) {
	for _, t := range new {
		if !slices.Contains(old, t) {
			added = append(added, t)
		}
	}
	for _, t := range old {
		if !slices.Contains(new, t) {
			removed = append(removed, t)
		}
	}
	return added, removed
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

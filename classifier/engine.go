// Package classifier decides, for each collected article, whether it is about
// Đồng Nai province (or merely mentions it), which places, organisations and
// facilities it names, its topics, its tone toward the province, a
// misinformation-risk score with reasons, and its story cluster. The rules
// (gazetteer, topics, lexicons, narratives, facts) are YAML files, compiled
// into an immutable Rules value that an Engine swaps atomically on reload.
//
// The stage worker in stage.go consumes PW_COLLECTED and calls an Engine
// through the Classifier interface.
package classifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/internal/langdetect"
)

// Options configure an Engine. Zero values mean the defaults documented on
// configs.ClassifierConfig.
type Options struct {
	// Rules holds the rule files; nil means the rules shipped in the binary
	// (configs.ClassifierRules). Use os.DirFS(dir) for a folder: Reload
	// re-reads it.
	Rules           fs.FS
	ReviewThreshold int
	// Model is the learned layer; nil means the model shipped in the binary
	// (configs.ClassifierModel), unless NoModel is set.
	Model *Model
	// NoModel runs the rules alone: needs_review, tone and topics come from
	// the rules and the risk threshold.
	NoModel bool
	// ModelPath, when Model is nil, names a model file to load instead of
	// the shipped one; "none" is NoModel.
	ModelPath     string
	Languages     []string
	ClusterWindow time.Duration
	SpreadOutlets int
	// Now returns the current time; nil means time.Now. Articles without a
	// published date are judged as of Now.
	Now        func() time.Time
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Engine classifies articles. It is safe for concurrent use.
type Engine struct {
	opts     Options
	rules    atomic.Pointer[Rules]
	model    *Model
	det      *langdetect.Detector
	clusters *clusterer
	log      *slog.Logger
	id       string // tells this engine's shared story items from others'

	// narrMu guards the narratives created from responses (SyncNarratives),
	// which are kept across Reload.
	narrMu      sync.Mutex
	extra       []narrative
	narrVersion int64

	classified  prometheus.Counter
	reloads     *prometheus.CounterVec
	duration    prometheus.Histogram
	rulesLoaded prometheus.Gauge
}

// New loads the rules and returns an Engine, or an error naming every bad rule.
func New(opts Options) (*Engine, error) {
	if opts.Rules == nil {
		opts.Rules = configs.ClassifierRules()
	}
	if opts.ReviewThreshold == 0 {
		opts.ReviewThreshold = 40
	}
	if opts.ReviewThreshold < 0 || opts.ReviewThreshold > 100 {
		return nil, fmt.Errorf("new classifier: review threshold %d is not between 1 and 100", opts.ReviewThreshold)
	}
	if opts.ClusterWindow == 0 {
		opts.ClusterWindow = 72 * time.Hour
	}
	if opts.SpreadOutlets == 0 {
		opts.SpreadOutlets = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r, err := LoadRules(opts.Rules)
	if err != nil {
		return nil, fmt.Errorf("new classifier: load rules: %w", err)
	}
	if opts.ModelPath == "none" {
		opts.NoModel = true
	}
	if opts.Model == nil && !opts.NoModel {
		m, err := loadModelFile(opts.ModelPath)
		if err != nil {
			return nil, fmt.Errorf("new classifier: %w", err)
		}
		opts.Model = m
	}
	if opts.NoModel {
		opts.Model = nil
	}
	if opts.Model != nil {
		if err := opts.Model.checkRules(r); err != nil {
			return nil, fmt.Errorf("new classifier: %w", err)
		}
	}
	e := &Engine{
		opts:     opts,
		model:    opts.Model,
		det:      langdetect.New(opts.Languages),
		clusters: newClusterer(opts.ClusterWindow),
		id:       newEngineID(),
		log:      opts.Logger.With("component", "classifier"),
		classified: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "presswatch_classifier_articles_total", Help: "Articles classified.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "presswatch_classifier_rule_reloads_total", Help: "Rule reloads by result (ok, error, unchanged).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "presswatch_classifier_duration_seconds", Help: "Time to classify one article.",
			Buckets: prometheus.ExponentialBuckets(50e-6, 2, 14),
		}),
		rulesLoaded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "presswatch_classifier_rules_loaded_timestamp_seconds", Help: "When the rules in use were loaded.",
		}),
	}
	if opts.Registerer != nil {
		for _, c := range []prometheus.Collector{e.classified, e.reloads, e.duration, e.rulesLoaded} {
			if err := opts.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("new classifier: register metrics: %w", err)
			}
		}
	}
	e.clusters.now = opts.Now
	e.rules.Store(r)
	e.rulesLoaded.SetToCurrentTime()
	return e, nil
}

// Model returns the learned layer in use, or nil when the rules decide alone.
func (e *Engine) Model() *Model { return e.model }

// Rules returns the rules in use.
func (e *Engine) Rules() *Rules { return e.rules.Load() }

// Reload re-reads the rule files. On error the Engine keeps its last good
// rules and the error names the bad rule. It reports whether the rules
// changed.
func (e *Engine) Reload() (bool, error) {
	r, err := LoadRules(e.opts.Rules)
	if err != nil {
		e.reloads.WithLabelValues("error").Inc()
		return false, fmt.Errorf("reload classifier rules (keeping version %s): %w", e.Rules().Version, err)
	}
	if e.model != nil {
		if err := e.model.checkRules(r); err != nil {
			e.reloads.WithLabelValues("error").Inc()
			return false, fmt.Errorf("reload classifier rules (keeping version %s): %w", e.Rules().Version, err)
		}
	}
	e.narrMu.Lock()
	defer e.narrMu.Unlock()
	r = r.withNarratives(e.extra, e.narrVersion)
	if r.Version == e.Rules().Version {
		e.reloads.WithLabelValues("unchanged").Inc()
		return false, nil
	}
	e.rules.Store(r)
	e.reloads.WithLabelValues("ok").Inc()
	e.rulesLoaded.SetToCurrentTime()
	return true, nil
}

// WatchRules calls Reload every interval until ctx is done, logging the
// outcome. It returns nil when ctx is done.
func (e *Engine) WatchRules(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return errors.New("watch rules: interval must be positive")
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			changed, err := e.Reload()
			switch {
			case err != nil:
				e.log.Error("rule reload failed", "err", err)
			case changed:
				e.log.Info("rules reloaded", "rules_version", e.Rules().Version)
			}
		}
	}
}

// Classify implements the stage's Classifier interface. It also records the
// article in the in-memory story clusters.
func (e *Engine) Classify(ctx context.Context, a *article.Article) (*article.Classification, error) {
	if a == nil {
		return nil, errors.New("classify: nil article")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("classify %q: %w", a.ID, err)
	}
	start := time.Now()
	r := e.Rules()
	an := e.analyze(r, a)
	c := an.classification(e, r)
	an.release()
	e.classified.Inc()
	e.duration.Observe(time.Since(start).Seconds())
	return c, nil
}

// Remember adds an article classified earlier (a.Classification with its
// cluster, as the store returns it) to the story clusters under that
// cluster, so that an engine that starts, after a crash or beside other
// replicas, groups later copies of the story with it. It changes no
// classification and counts nothing in the metrics; an article without a
// cluster, one neither about nor mentioning the province, or one already
// known is skipped. It reports whether it added a.
func (e *Engine) Remember(a *article.Article) bool {
	c := a.Classification
	if !rememberable(a) || e.clusters.known(a.ID) {
		return false
	}
	r := e.Rules()
	an := e.analyze(r, a)
	// As decided when it was classified, not as the current rules would.
	an.about, an.mentions = c.About, c.Mentions
	e.clusters.remember(an, c)
	an.release()
	return true
}

// rememberable reports whether Remember keeps a: a classified article about
// or mentioning the province, with its cluster. Clusters of the others
// raise no alert and carry no risk, so restoring them would only cost.
func rememberable(a *article.Article) bool {
	c := a.Classification
	return a.ID != "" && c != nil && c.Cluster != "" && (c.About || c.Mentions)
}

// InStories reports whether the article with this ID is in the engine's
// story clusters (classified, remembered or merged from another replica).
func (e *Engine) InStories(id string) bool { return e.clusters.known(id) }

// ClusterWindow is how far apart in time two copies of a story may be.
func (e *Engine) ClusterWindow() time.Duration { return e.opts.ClusterWindow }

// ClusterLimit is how many articles the story clusters hold at most.
func (e *Engine) ClusterLimit() int { return maxClusterItems }

// loadModelFile loads the model at path, or the shipped one when path is "".
func loadModelFile(path string) (*Model, error) {
	if path == "" {
		m, err := LoadModel(bytes.NewReader(configs.ClassifierModel()))
		if err != nil {
			return nil, fmt.Errorf("shipped model: %w", err)
		}
		return m, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	defer f.Close()
	m, err := LoadModel(f)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	return m, nil
}

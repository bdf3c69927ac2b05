package classifier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Classifier decides on one article. The classifier engineer's *Engine
// implements it.
type Classifier interface {
	Classify(ctx context.Context, a *article.Article) (*article.Classification, error)
}

// ArticleStore is the part of the store the stage writes to: one idempotent
// upsert of a batch, in one transaction.
type ArticleStore interface {
	UpsertArticles(ctx context.Context, arts []*article.Article) error
}

// DefaultStageDurable is the durable consumer name shared by every classifier
// process; they split PW_COLLECTED between them.
const DefaultStageDurable = "classifier"

// DefaultStageWorkers is how many batches a stage handles at once by default.
const DefaultStageWorkers = 2

// StageOptions configures NewStage.
type StageOptions struct {
	Bus        *bus.Bus     // required
	Store      ArticleStore // required
	Classifier Classifier   // nil: articles are stored and published unclassified
	Durable    string       // consumer name, default "classifier"
	BatchSize  int          // messages per batch, default bus.DefaultBatchSize
	// Workers is how many batches are handled at once (default 2, so that one
	// batch is classified and published while another is written). The
	// Classifier and Store must be safe for concurrent use.
	Workers int
	// Narratives, when set with an *Engine classifier, is looked at before
	// each batch: narratives created from the office's responses since the
	// last batch are matched from this batch on, without a restart.
	Narratives NarrativeSource
	// Repeats, when set, marks the response a matched stored narrative was
	// created from as "repeated elsewhere" (the store implements it).
	Repeats    RepeatMarker
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// RepeatMarker sets a response's outcome to repeated elsewhere
// (store.NarrativeStore implements it).
type RepeatMarker interface {
	MarkResponseRepeated(ctx context.Context, id, articleID, note string, at time.Time) (bool, error)
}

// narrativeEngine is what the stage needs of an *Engine for stored narratives.
type narrativeEngine interface {
	SyncNarratives(ctx context.Context, src NarrativeSource) (bool, error)
	NarrativeResponse(id string) string
}

// Stage is the classifier stage worker: it consumes PW_COLLECTED in batches,
// classifies each article, upserts the batch into the store, publishes it to
// PW_CLASSIFIED and only then lets the bus acknowledge the batch.
type Stage struct {
	bus        *bus.Bus
	store      ArticleStore
	classifier Classifier
	durable    string
	batchSize  int
	workers    int
	narratives NarrativeSource
	repeats    RepeatMarker
	log        *slog.Logger
	// restoreFor is how long the start-up restore of story clusters keeps
	// retrying a store that fails (defaultRestoreFor).
	restoreFor time.Duration
	// warned rate-limits the warnings about story items (unix seconds of
	// the last one).
	warned atomic.Int64

	stored     prometheus.Counter
	classified *prometheus.CounterVec // relevance: about, mentions, none
	failures   *prometheus.CounterVec // step: decode, classify, store, publish, story
	batchTime  prometheus.Histogram
}

// NewStage checks opts and returns a stage ready to Run.
func NewStage(opts StageOptions) (*Stage, error) {
	if opts.Bus == nil {
		return nil, errors.New("new classifier stage: nil bus")
	}
	if opts.Store == nil {
		return nil, errors.New("new classifier stage: nil store")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Durable == "" {
		opts.Durable = DefaultStageDurable
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = bus.DefaultBatchSize
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultStageWorkers
	}
	s := &Stage{
		bus:        opts.Bus,
		store:      opts.Store,
		classifier: opts.Classifier,
		durable:    opts.Durable,
		batchSize:  opts.BatchSize,
		workers:    opts.Workers,
		narratives: opts.Narratives,
		repeats:    opts.Repeats,
		restoreFor: defaultRestoreFor,
		log:        opts.Logger.With("component", "classifier_stage", "durable", opts.Durable),
		stored: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "classifier", Name: "articles_stored_total",
			Help: "Articles upserted into the store by the classifier stage.",
		}),
		classified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "classifier", Name: "articles_classified_total",
			Help: "Articles classified by the stage, by relevance class.",
		}, []string{"relevance"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "classifier", Name: "stage_failures_total",
			Help: "Batches or articles the stage failed on, by step.",
		}, []string{"step"}),
		batchTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "presswatch", Subsystem: "classifier", Name: "stage_batch_seconds",
			Help:    "Time to decode, classify, store and publish one batch.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 15),
		}),
	}
	if opts.Registerer != nil {
		for _, c := range []prometheus.Collector{s.stored, s.classified, s.failures, s.batchTime} {
			if err := opts.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("new classifier stage: register metrics: %w", err)
			}
		}
	}
	return s, nil
}

// storyMemory is what the stage needs of an *Engine to restore its story
// clusters from the store.
type storyMemory interface {
	Remember(a *article.Article) bool
	ClusterWindow() time.Duration
	ClusterLimit() int
}

// ArticleScanner reads stored articles with their classifications (the
// store implements it).
type ArticleScanner interface {
	ScanArticles(ctx context.Context, q store.ArticleQuery, fn func(*article.Article) error) error
}

// Run consumes PW_COLLECTED until ctx is done: decode → classify → store
// upsert → PublishClassified → ack. It returns nil when ctx ends and an
// error when the consumer cannot be set up. Before it consumes, it restores
// the classifier's story clusters from the articles the store holds for
// the cluster window (rememberStories).
func (s *Stage) Run(ctx context.Context) error {
	// Other replicas' items are merged from before the restore, so none
	// classified meanwhile is missed (an article in both is kept once).
	if stop := s.shareStories(ctx); stop != nil {
		defer stop()
	}
	s.rememberStories(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return s.bus.Consume(ctx, bus.ConsumerSpec{
		Stream:      bus.StreamCollected,
		Durable:     s.durable,
		BatchSize:   s.batchSize,
		Concurrency: s.workers,
	}, s.handle)
}

// storySharer is what the stage needs of an *Engine to share story
// clusters with the other replicas.
type storySharer interface {
	ShareStories(publish func(data []byte))
	MergeStory(data []byte) error
}

// shareStories subscribes the classifier to the other replicas' story items
// and has it publish its own (bus.SubjectStories). It returns the function
// that undoes both, or nil when the classifier does not share. A failure is
// logged: the stage then runs with its own clusters, as one replica does.
func (s *Stage) shareStories(ctx context.Context) (stop func()) {
	sh, ok := s.classifier.(storySharer)
	if !ok {
		return nil
	}
	unsubscribe, err := s.bus.SubscribeShared(bus.SubjectStories, func(data []byte) {
		if err := sh.MergeStory(data); err != nil && !IsOwnStory(err) {
			s.storyFailed("story item from another replica skipped", err)
		}
	})
	if err != nil {
		s.log.WarnContext(ctx, "story clusters not shared with other replicas", "err", err)
		return nil
	}
	sh.ShareStories(func(data []byte) {
		if err := s.bus.PublishShared(bus.SubjectStories, data); err != nil {
			s.storyFailed("story item not published", err)
		}
	})
	return func() {
		sh.ShareStories(nil)
		if err := unsubscribe(); err != nil {
			s.log.Warn("story subscription not ended", "err", err)
		}
	}
}

// storyFailed counts a story item that could not be published or merged,
// and logs at most one such warning a minute: while NATS is away every
// article would log one.
func (s *Stage) storyFailed(msg string, err error) {
	s.failures.WithLabelValues("story").Inc()
	now := time.Now().Unix()
	if last := s.warned.Load(); now-last >= 60 && s.warned.CompareAndSwap(last, now) {
		s.log.Warn(msg+" (further ones within a minute are only counted in presswatch_classifier_stage_failures_total{step=\"story\"})", "err", err)
	}
}

// defaultRestoreFor is how long a stage retries restoring its story
// clusters from a store that fails at start-up: a restart during a short
// outage still restores them; after a long one the stage goes on with
// empty clusters rather than wait longer (it could store nothing meanwhile
// anyway, and the bus holds the backlog).
const defaultRestoreFor = 2 * time.Minute

// rememberStories gives the classifier the stored articles collected within
// its cluster window, so that a restarted classifier, or one started beside
// others, puts later copies of a story in the story's cluster (one alert
// plus updates) instead of starting a new one, and counts the story's
// outlets for rapid_spread. A store that cannot answer is logged and the
// stage goes on: clusters then start empty, as they did before.
func (s *Stage) rememberStories(ctx context.Context) {
	mem, ok := s.classifier.(storyMemory)
	sc, ok2 := s.store.(ArticleScanner)
	if !ok || !ok2 {
		return
	}
	start := time.Now()
	deadline := start.Add(s.restoreFor)
	wait := 250 * time.Millisecond
	for {
		seen, added, err := restoreStories(ctx, mem, sc, start)
		if err == nil {
			s.log.InfoContext(ctx, "story clusters restored from the store", "articles", seen, "remembered", added,
				"took", time.Since(start).Round(time.Millisecond))
			return
		}
		if ctx.Err() != nil {
			return
		}
		if time.Now().Add(wait).After(deadline) {
			s.log.WarnContext(ctx, "story clusters not restored from the store; copies of stories classified before the start may start new clusters",
				"tried_for", time.Since(start).Round(time.Second), "err", err)
			return
		}
		s.log.WarnContext(ctx, "story clusters not restored from the store yet; retrying", "in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, 15*time.Second)
	}
}

// restoreStories is one attempt of rememberStories, for articles collected
// within the cluster window before now. Articles already remembered by an
// earlier attempt are skipped by Remember.
func restoreStories(ctx context.Context, mem storyMemory, sc ArticleScanner, now time.Time) (seen, added int, err error) {
	q := store.ArticleQuery{Since: now.Add(-mem.ClusterWindow())}
	// The scan is oldest first and the clusters keep the newest
	// ClusterLimit articles: a first pass counts the window's articles
	// worth remembering, so that the second analyses only those kept.
	relevant := 0
	err = sc.ScanArticles(ctx, q, func(a *article.Article) error {
		if rememberable(a) {
			relevant++
		}
		return ctx.Err()
	})
	if err != nil {
		return 0, 0, err
	}
	skip := relevant - mem.ClusterLimit()
	err = sc.ScanArticles(ctx, q, func(a *article.Article) error {
		seen++
		if !rememberable(a) {
			return ctx.Err()
		}
		if skip--; skip < 0 && mem.Remember(a) {
			added++
		}
		return ctx.Err()
	})
	return seen, added, err
}

// handle processes one batch. An undecodable message is a permanent error
// (the bus retries the batch's messages alone and dead-letters that one).
func (s *Stage) handle(ctx context.Context, msgs []*bus.Message) error {
	start := time.Now()
	arts := make([]*article.Article, 0, len(msgs))
	for _, m := range msgs {
		a, err := article.Unmarshal(m.Data)
		if err != nil {
			s.failures.WithLabelValues("decode").Inc()
			return bus.Permanent(fmt.Errorf("decode message %q on %s: %w", m.MsgID, m.Subject, err))
		}
		arts = append(arts, a)
	}
	ne, _ := s.classifier.(narrativeEngine)
	if ne != nil && s.narratives != nil {
		// One cheap version query per batch; a store that cannot answer
		// leaves the narratives as they were (the upsert below decides
		// whether the batch waits).
		if _, err := ne.SyncNarratives(ctx, s.narratives); err != nil {
			s.log.WarnContext(ctx, "narratives from responses not refreshed", "err", err)
		}
	}
	if s.classifier != nil {
		for _, a := range arts {
			c, err := s.classifier.Classify(ctx, a)
			if err != nil {
				s.failures.WithLabelValues("classify").Inc()
				return fmt.Errorf("classify article %s: %w", a.ID, err)
			}
			a.Classification = c
		}
	}
	if err := s.store.UpsertArticles(ctx, arts); err != nil {
		s.failures.WithLabelValues("store").Inc()
		// A store that is down or busy is transient: the bus holds the batch
		// and retries it without spending deliveries.
		return fmt.Errorf("store %d articles: %w", len(arts), store.Classify(err))
	}
	if ne != nil && s.repeats != nil {
		if err := s.markRepeats(ctx, ne, arts); err != nil {
			s.failures.WithLabelValues("store").Inc()
			return fmt.Errorf("mark repeated responses: %w", store.Classify(err))
		}
	}
	if err := s.bus.PublishClassified(ctx, arts); err != nil {
		s.failures.WithLabelValues("publish").Inc()
		return fmt.Errorf("publish %d classified articles: %w", len(arts), err)
	}
	s.stored.Add(float64(len(arts)))
	if s.classifier != nil {
		for _, a := range arts {
			s.classified.WithLabelValues(a.Classification.RelevanceClass()).Inc()
		}
	}
	s.batchTime.Observe(time.Since(start).Seconds())
	return nil
}

// markRepeats sets "repeated elsewhere" on the responses whose narratives
// the batch's articles repeat. It is idempotent (a redelivered batch
// changes nothing more).
func (s *Stage) markRepeats(ctx context.Context, ne narrativeEngine, arts []*article.Article) error {
	for _, a := range arts {
		if a.Classification == nil {
			continue
		}
		for _, r := range a.Classification.Reasons {
			id, ok := strings.CutPrefix(r.Signal, SignalNarrative+":")
			if !ok {
				continue
			}
			resp := ne.NarrativeResponse(id)
			if resp == "" {
				continue
			}
			// The note is read by officers: it quotes the claim, never the
			// narrative's internal ID.
			note := fmt.Sprintf("Luận điểm đã phản hồi lặp lại trong bài “%s” (%s) %s", a.Title, a.Outlet, a.URL)
			if m := strings.TrimSpace(r.Detail); strings.HasPrefix(m, "from response ") {
				if _, claim, ok := strings.Cut(m, ": "); ok && claim != "" {
					note = fmt.Sprintf("Luận điểm “%s” lặp lại trong bài “%s” (%s) %s", claim, a.Title, a.Outlet, a.URL)
				}
			}
			changed, err := s.repeats.MarkResponseRepeated(ctx, resp, a.ID, note, time.Now().UTC())
			if errors.Is(err, store.ErrNotFound) {
				continue // the response was removed; nothing to follow
			}
			if err != nil {
				return err
			}
			if changed {
				s.log.InfoContext(ctx, "response repeated elsewhere", "response", resp, "narrative", id, "article", a.ID)
			}
		}
	}
	return nil
}

package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
)

// Indexer defaults.
const (
	DefaultBatchSize     = 256
	DefaultFlushInterval = 250 * time.Millisecond
)

// IndexerOptions configures NewIndexer.
type IndexerOptions struct {
	Bus   *bus.Bus
	Index *Index
	// Durable is this node's consumer name. Every node that keeps a replica
	// of the index needs its own, so that each sees every article.
	Durable string
	// BatchSize is the most articles written in one index batch (default 256).
	BatchSize int
	// FlushInterval is how long a batch may wait to fill (default 250ms); it
	// bounds the time from classified to searchable when traffic is light.
	FlushInterval time.Duration
	Logger        *slog.Logger
	Registerer    prometheus.Registerer
}

// Indexer is the index stage: it consumes PW_CLASSIFIED and writes every
// article to the index, acknowledging a batch only once it is in the index.
type Indexer struct {
	opts    IndexerOptions
	log     *slog.Logger
	latency prometheus.Histogram
	bad     prometheus.Counter
}

// NewIndexer checks opts and returns an Indexer; Run starts it.
func NewIndexer(opts IndexerOptions) (*Indexer, error) {
	if opts.Bus == nil {
		return nil, errors.New("new indexer: Bus is required")
	}
	if opts.Index == nil {
		return nil, errors.New("new indexer: Index is required")
	}
	if opts.Durable == "" {
		return nil, errors.New("new indexer: Durable is required (one per node)")
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	x := &Indexer{
		opts: opts,
		log:  log.With("component", "indexer", "durable", opts.Durable),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "presswatch", Subsystem: "indexer", Name: "classified_to_searchable_seconds",
			Help:    "Time from an article's classification to its being searchable in this node's index.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 14),
		}),
		bad: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "indexer", Name: "undecodable_messages_total",
			Help: "Messages on PW_CLASSIFIED that could not be decoded (dead-lettered).",
		}),
	}
	if opts.Registerer != nil {
		for _, c := range []prometheus.Collector{x.latency, x.bad} {
			if err := opts.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("register indexer metrics: %w", err)
			}
		}
	}
	return x, nil
}

// Run consumes PW_CLASSIFIED until ctx is done. Each fetched batch (up to
// BatchSize messages, or what arrived within FlushInterval) is written to the
// index in one Bleve batch and acknowledged only after that returned. Writing
// is idempotent, so a redelivered batch does no harm. An undecodable message
// is dead-lettered alone; the rest of its batch is indexed.
func (x *Indexer) Run(ctx context.Context) error {
	spec := bus.ConsumerSpec{
		Stream:    bus.StreamClassified,
		Durable:   x.opts.Durable,
		BatchSize: x.opts.BatchSize,
		MaxWait:   x.opts.FlushInterval,
	}
	if err := x.opts.Bus.Consume(ctx, spec, x.handle); err != nil {
		return fmt.Errorf("indexer %s: %w", x.opts.Durable, err)
	}
	return nil
}

func (x *Indexer) handle(ctx context.Context, msgs []*bus.Message) error {
	arts := make([]*article.Article, 0, len(msgs))
	for _, m := range msgs {
		a, err := article.Unmarshal(m.Data)
		if err != nil {
			if len(msgs) == 1 {
				x.bad.Inc()
				return bus.Permanent(fmt.Errorf("decode %s: %w", m.Subject, err))
			}
			// Let the bus retry the batch one by one: the good messages are
			// indexed, this one is dead-lettered.
			return fmt.Errorf("decode %s in a batch of %d: %w", m.Subject, len(msgs), err)
		}
		arts = append(arts, a)
	}
	if err := x.opts.Index.IndexArticles(ctx, arts); err != nil {
		return err
	}
	now := time.Now()
	for _, a := range arts {
		if c := a.Classification; c != nil && !c.At.IsZero() {
			x.latency.Observe(now.Sub(c.At).Seconds())
		}
	}
	return nil
}

// Package index is presswatch's full-text index: a Bleve index whose mapping
// understands Vietnamese with or without diacritics, English stemming and
// Chinese, Japanese and Korean script; the translation of the project's query
// language (package query) into Bleve queries; search with facets, a date
// histogram, highlighted snippets and streamed export; the indexer stage that
// keeps a node's replica up to date from PW_CLASSIFIED; and Rebuild, which
// refills an index from the store.
package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/prometheus/client_golang/prometheus"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/dongnai/presswatch/article"
)

// internal key under which the mapping version is stored in the index.
const versionKey = "presswatch_mapping_version"

// lockTimeout is how long Open waits for another process to release the
// index before giving up (Bleve would otherwise wait forever).
const lockTimeout = 3 * time.Second

// Options configures Open.
type Options struct {
	// Dir is the index folder. Empty means an in-memory index (tests, demos).
	Dir string
	// Logger receives the index's logs; nil means slog.Default().
	Logger *slog.Logger
	// Registerer receives the index metrics; nil means none are registered.
	Registerer prometheus.Registerer
	// ExactFacetMax is the largest (estimated) result whose facets are
	// counted exactly; 0 means DefaultExactFacetMax, negative means always
	// sample.
	ExactFacetMax int
	// ImpactCacheBytes bounds the memory kept for the decoded term
	// frequencies and norms of common query words; 0 means
	// DefaultImpactCacheBytes, negative turns the cache off.
	ImpactCacheBytes int64
}

// Index is a Bleve index of articles. Its methods are safe for concurrent use.
type Index struct {
	bi       bleve.Index
	dir      string
	log      *slog.Logger
	rebuilt  bool
	closed   atomic.Bool
	metrics  *metrics
	versionS string
	// exactFacetMax: see Options.ExactFacetMax.
	exactFacetMax int
	// facets caches each segment's facet postings for the bitmap path.
	facets facetCache
	// impacts caches common words' decoded term impacts; nil = off.
	impacts *impactCache
	// noFast sends every search through Bleve (tests and benchmarks compare).
	noFast bool
}

type metrics struct {
	indexed  prometheus.Counter
	batches  prometheus.Histogram
	searches *prometheus.HistogramVec
	errors   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		indexed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "index", Name: "documents_indexed_total",
			Help: "Articles written to the index.",
		}),
		batches: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "presswatch", Subsystem: "index", Name: "batch_seconds",
			Help:    "Time to write one batch of articles to the index.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}),
		searches: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "presswatch", Subsystem: "index", Name: "search_seconds",
			Help:    "Search latency by kind (search, export).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "index", Name: "errors_total",
			Help: "Index operations that failed, by operation.",
		}, []string{"op"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.indexed, m.batches, m.searches, m.errors} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("register index metrics: %w", err)
			}
		}
	}
	return m, nil
}

// Open opens the index in opts.Dir, creating it when absent. An index written
// with another mapping version is deleted and created empty; NeedsRebuild then
// reports true and the caller refills it with Rebuild.
func Open(ctx context.Context, opts Options) (*Index, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "index")
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	ix := &Index{dir: opts.Dir, log: log, metrics: m, versionS: strconv.Itoa(MappingVersion), exactFacetMax: opts.ExactFacetMax}
	switch {
	case opts.ImpactCacheBytes == 0:
		ix.impacts = newImpactCache(DefaultImpactCacheBytes)
	case opts.ImpactCacheBytes > 0:
		ix.impacts = newImpactCache(opts.ImpactCacheBytes)
	}
	if err := ix.impacts.register(opts.Registerer); err != nil {
		return nil, err
	}
	switch {
	case ix.exactFacetMax == 0:
		ix.exactFacetMax = DefaultExactFacetMax
	case ix.exactFacetMax < 0:
		ix.exactFacetMax = 0
	}
	if opts.Dir == "" {
		im, err := newMapping()
		if err != nil {
			return nil, fmt.Errorf("build index mapping: %w", err)
		}
		// Scorch without a path keeps its segments in memory: the same
		// engine as on disk, so the bitmap search path works here too.
		bi, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
		if err != nil {
			return nil, fmt.Errorf("create in-memory index: %w", err)
		}
		ix.bi = bi
		return ix, ix.writeVersion()
	}
	bi, err := bleve.OpenUsing(opts.Dir, map[string]any{"bolt_timeout": lockTimeout.String()})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("open index %q: it is in use by another process (stop presswatch's web and indexer roles first): %w", opts.Dir, err)
	case err == nil:
		v, verr := bi.GetInternal([]byte(versionKey))
		if verr == nil && string(v) == ix.versionS {
			ix.bi = bi
			return ix, nil
		}
		_ = bi.Close()
		log.Warn("index mapping is out of date: deleting the index; it needs a rebuild (presswatch reindex)",
			"dir", opts.Dir, "found_version", string(v), "want_version", MappingVersion)
		if err := removeIndexDir(opts.Dir); err != nil {
			return nil, err
		}
		ix.rebuilt = true
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
	case errors.Is(err, bleve.ErrorIndexMetaMissing):
		// A folder without an index in it: create one inside, unless it holds
		// something else.
		if entries, rerr := os.ReadDir(opts.Dir); rerr != nil || len(entries) > 0 {
			return nil, fmt.Errorf("open index %q: folder exists and is not a Bleve index", opts.Dir)
		}
		if err := os.Remove(opts.Dir); err != nil {
			return nil, fmt.Errorf("open index %q: %w", opts.Dir, err)
		}
	default:
		return nil, fmt.Errorf("open index %q: %w", opts.Dir, err)
	}
	im, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("build index mapping: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(opts.Dir)), 0o755); err != nil {
		return nil, fmt.Errorf("create index folder: %w", err)
	}
	bi, err = bleve.New(opts.Dir, im)
	if err != nil {
		return nil, fmt.Errorf("create index %q: %w", opts.Dir, err)
	}
	ix.bi = bi
	if err := ix.writeVersion(); err != nil {
		_ = bi.Close()
		return nil, err
	}
	if !ix.rebuilt {
		log.Info("created index", "dir", opts.Dir, "mapping_version", MappingVersion)
	}
	return ix, nil
}

// removeIndexDir deletes an index folder, refusing folders that do not look
// like a Bleve index.
func removeIndexDir(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err != nil {
		return fmt.Errorf("remove old index %q: not a Bleve index: %w", dir, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove old index %q: %w", dir, err)
	}
	return nil
}

func (ix *Index) writeVersion() error {
	if err := ix.bi.SetInternal([]byte(versionKey), []byte(ix.versionS)); err != nil {
		return fmt.Errorf("write index mapping version: %w", err)
	}
	return nil
}

// NeedsRebuild reports whether Open found an index with an old mapping and
// replaced it by an empty one, which should be refilled with Rebuild.
func (ix *Index) NeedsRebuild() bool { return ix.rebuilt }

// IndexArticles writes arts to the index in one batch. It is idempotent: the
// document ID is the article ID, so writing an article again replaces it.
// It returns once the batch is searchable and, for an on-disk index, persisted.
func (ix *Index) IndexArticles(ctx context.Context, arts []*article.Article) error {
	if len(arts) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	b := ix.bi.NewBatch()
	for _, a := range arts {
		if a == nil || a.ID == "" {
			continue
		}
		if err := b.Index(a.ID, docOf(a)); err != nil {
			ix.metrics.errors.WithLabelValues("index").Inc()
			return fmt.Errorf("index article %q: %w", a.ID, err)
		}
	}
	if err := ix.bi.Batch(b); err != nil {
		ix.metrics.errors.WithLabelValues("index").Inc()
		return fmt.Errorf("index batch of %d articles: %w", len(arts), err)
	}
	ix.metrics.indexed.Add(float64(b.Size()))
	ix.metrics.batches.Observe(time.Since(start).Seconds())
	return nil
}

// DeleteArticles removes articles from the index by ID; unknown IDs are ignored.
func (ix *Index) DeleteArticles(ctx context.Context, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := ix.bi.NewBatch()
	for _, id := range ids {
		b.Delete(id)
	}
	if err := ix.bi.Batch(b); err != nil {
		return fmt.Errorf("delete %d articles from index: %w", len(ids), err)
	}
	return nil
}

// DocCount returns the number of articles in the index.
func (ix *Index) DocCount() (uint64, error) {
	n, err := ix.bi.DocCount()
	if err != nil {
		return 0, fmt.Errorf("count index documents: %w", err)
	}
	return n, nil
}

// Ping checks that the index answers; for readiness checks.
func (ix *Index) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ix.closed.Load() {
		return errors.New("index is closed")
	}
	_, err := ix.DocCount()
	return err
}

// Close closes the index. It is safe to call more than once.
func (ix *Index) Close() error {
	if !ix.closed.CompareAndSwap(false, true) {
		return nil
	}
	if err := ix.bi.Close(); err != nil {
		return fmt.Errorf("close index: %w", err)
	}
	return nil
}

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
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
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
	// Warm builds the per-segment search caches in the background after
	// opening (see (*Index).Warm), for processes that serve searches.
	Warm bool
	// SearchTimeout bounds one Search (not Export, which streams what
	// it finds for as long as the caller reads); 0 means
	// DefaultSearchTimeout, negative means none. A search that runs out
	// of it fails with ErrSearchTimeout.
	SearchTimeout time.Duration
}

// DefaultSearchTimeout bounds a search when Options leave it zero. The
// slowest of the 1,000 realistic benchmark queries take well under a second
// at 1,000,000 articles (docs/BENCHMARKS.md); a search that runs for 30 s is
// one no analyst waits for, and it holds a CPU and memory meanwhile.
const DefaultSearchTimeout = 30 * time.Second

// ErrSearchTimeout marks a search stopped at its time limit: the query asks
// for too much work (NEAR or prefixes over the commonest words); narrowing
// it helps.
var ErrSearchTimeout = errors.New("the search took longer than its time limit")

// Index is a Bleve index of articles. Its methods are safe for concurrent use.
type Index struct {
	// bi is the open Bleve index; the index is reopened in place (after a
	// write failure, or when its folder was deleted) by swapping it.
	bi       *liveIndex
	dir      string
	log      *slog.Logger
	closed   atomic.Bool
	health   *health
	metrics  *metrics
	versionS string
	// exactFacetMax: see Options.ExactFacetMax.
	exactFacetMax int
	// searchTimeout: see Options.SearchTimeout (≤ 0: none).
	searchTimeout time.Duration
	// facets caches each segment's facet postings for the bitmap path.
	facets facetCache
	// impacts caches common words' decoded term impacts; nil = off.
	impacts *impactCache
	// noFast sends every search through Bleve (tests and benchmarks compare).
	noFast bool
	// docs builds the documents IndexArticles writes.
	docs *docBuilder
	// warmCancel stops the background Warm started by Open; warmDone is
	// closed when it has returned. Both nil without Options.Warm.
	warmCancel context.CancelFunc
	warmDone   chan struct{}
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
	ix := &Index{dir: opts.Dir, log: log, metrics: m, versionS: strconv.Itoa(MappingVersion), exactFacetMax: opts.ExactFacetMax, searchTimeout: opts.SearchTimeout}
	if ix.searchTimeout == 0 {
		ix.searchTimeout = DefaultSearchTimeout
	}
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
	ix.health = newHealth()
	im, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("build index mapping: %w", err)
	}
	if ix.docs, err = newDocBuilder(im); err != nil {
		return nil, err
	}
	bi, rebuilt, err := openBleve(opts.Dir, log)
	if err != nil {
		return nil, err
	}
	ix.bi = &liveIndex{cur: bi, store: storePath(opts.Dir)}
	if rebuilt {
		ix.health.setNeedsRebuild("index mapping is out of date")
	}
	if opts.Warm {
		ix.warmInBackground()
	}
	return ix, nil
}

// openBleve opens the Bleve index in dir ("" = in memory), creating it when
// absent. An index written with another mapping version is deleted and
// created empty; rebuilt then reports true.
func openBleve(dir string, log *slog.Logger) (bi bleve.Index, rebuilt bool, err error) {
	if dir == "" {
		im, err := newMapping()
		if err != nil {
			return nil, false, fmt.Errorf("build index mapping: %w", err)
		}
		// Scorch without a path keeps its segments in memory: the same
		// engine as on disk, so the bitmap search path works here too.
		bi, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
		if err != nil {
			return nil, false, fmt.Errorf("create in-memory index: %w", err)
		}
		if err := writeVersion(bi); err != nil {
			_ = bi.Close()
			return nil, false, err
		}
		return bi, false, nil
	}
	versionS := strconv.Itoa(MappingVersion)
	bi, err = bleve.OpenUsing(dir, runtimeConfig())
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, false, fmt.Errorf("open index %q: it is in use by another process (stop presswatch's web and indexer roles first): %w", dir, err)
	case err == nil:
		v, verr := bi.GetInternal([]byte(versionKey))
		if verr == nil && string(v) == versionS {
			persistRevived(storePath(dir))
			return bi, false, nil
		}
		_ = bi.Close()
		log.Warn("index mapping is out of date: deleting the index; it is rebuilt from the store",
			"dir", dir, "found_version", string(v), "want_version", MappingVersion)
		if err := removeIndexDir(dir); err != nil {
			return nil, false, err
		}
		rebuilt = true
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
	case errors.Is(err, bleve.ErrorIndexMetaMissing):
		// A folder without an index in it: create one inside, unless it holds
		// something else.
		if entries, rerr := os.ReadDir(dir); rerr != nil || len(entries) > 0 {
			return nil, false, fmt.Errorf("open index %q: folder exists and is not a Bleve index", dir)
		}
		if err := os.Remove(dir); err != nil {
			return nil, false, fmt.Errorf("open index %q: %w", dir, err)
		}
	default:
		return nil, false, fmt.Errorf("open index %q: %w", dir, err)
	}
	im, err := newMapping()
	if err != nil {
		return nil, false, fmt.Errorf("build index mapping: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(dir)), 0o755); err != nil {
		return nil, false, fmt.Errorf("create index folder: %w", err)
	}
	bi, err = bleve.New(dir, im)
	if err != nil {
		return nil, false, fmt.Errorf("create index %q: %w", dir, err)
	}
	err = writeVersion(bi)
	// Reopened with the runtime configuration (see persist.go), which New
	// would have saved into the folder's metadata.
	if cerr := bi.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close new index %q: %w", dir, cerr)
	}
	if err != nil {
		return nil, false, err
	}
	if bi, err = bleve.OpenUsing(dir, runtimeConfig()); err != nil {
		return nil, false, fmt.Errorf("open new index %q: %w", dir, err)
	}
	persistRevived(storePath(dir))
	if !rebuilt {
		log.Info("created index", "dir", dir, "mapping_version", MappingVersion)
	}
	return bi, rebuilt, nil
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

func writeVersion(bi bleve.Index) error {
	if err := bi.SetInternal([]byte(versionKey), []byte(strconv.Itoa(MappingVersion))); err != nil {
		return fmt.Errorf("write index mapping version: %w", err)
	}
	return nil
}

// NeedsRebuild reports whether the index was replaced by an empty one (Open
// found an old mapping, or the folder was deleted or unreadable) and should
// be refilled with Rebuild; the Healer does so.
func (ix *Index) NeedsRebuild() bool { return ix.health.needsRebuild() }

// IndexArticles writes arts to the index in one batch. It is idempotent: the
// document ID is the article ID, so writing an article again replaces it.
// It returns once the batch is searchable and, for an on-disk index, persisted.
//
// A write that fails for want of disk space or of its folder, or that panics
// inside the segment code, marks the index damaged and returns a transient
// error (its Transient method says true, so the bus retries without spending
// deliveries); the next call reopens the index from its folder first, and
// Ping reports not-ready until a write succeeds again.
func (ix *Index) IndexArticles(ctx context.Context, arts []*article.Article) (err error) {
	if len(arts) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if ix.closed.Load() {
		return errors.New("index batch: index is closed")
	}
	_ = ix.CheckFolder() // a deleted folder is recreated by repair, not written into
	if err := ix.repair(); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			ix.metrics.errors.WithLabelValues("index").Inc()
			err = ix.damaged(fmt.Errorf("index batch of %d articles panicked: %v", len(arts), r))
		}
	}()
	start := time.Now()
	b := ix.bi.NewBatch()
	for _, a := range arts {
		if a == nil || a.ID == "" {
			continue
		}
		doc, err := ix.docs.build(a)
		if err == nil {
			err = b.IndexAdvanced(doc)
		}
		if err != nil {
			ix.metrics.errors.WithLabelValues("index").Inc()
			return fmt.Errorf("index article %q: %w", a.ID, err)
		}
	}
	if err := ix.bi.Batch(b); err != nil {
		ix.metrics.errors.WithLabelValues("index").Inc()
		err = fmt.Errorf("index batch of %d articles: %w", len(arts), err)
		if writeFault(err) {
			return ix.damaged(err)
		}
		return err
	}
	ix.health.writeOK()
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

// Ping checks that the index answers and is whole; for readiness checks. It
// fails, naming why, while the index is damaged (a write failed: disk full,
// folder deleted), its folder is missing, or it is being rebuilt.
func (ix *Index) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ix.closed.Load() {
		return errors.New("index is closed")
	}
	if err := ix.CheckFolder(); err != nil {
		return err
	}
	if err := ix.health.err(); err != nil {
		return err
	}
	_, err := ix.DocCount()
	return err
}

// Close closes the index. It is safe to call more than once.
func (ix *Index) Close() error {
	if !ix.closed.CompareAndSwap(false, true) {
		return nil
	}
	ix.stopWarm()
	if err := ix.bi.close(); err != nil {
		return fmt.Errorf("close index: %w", err)
	}
	return nil
}

// transientError marks an index error caused by its disk or folder (full,
// deleted, unreadable) or by a panic in the segment code: retrying after a
// reopen, once space is back, succeeds. Its Transient method lets the bus
// hold the batch without spending deliveries.
type transientError struct{ err error }

func (e *transientError) Error() string   { return e.err.Error() }
func (e *transientError) Unwrap() error   { return e.err }
func (e *transientError) Transient() bool { return true }

// writeFault reports whether a failed write points at the disk or the
// folder rather than at the documents: then the index is reopened.
func writeFault(err error) bool {
	for _, e := range []error{syscall.ENOSPC, syscall.EDQUOT, syscall.EIO, syscall.EROFS, fs.ErrNotExist, os.ErrClosed} {
		if errors.Is(err, e) {
			return true
		}
	}
	// Scorch reports some persister failures only as text.
	msg := err.Error()
	return strings.Contains(msg, "no space left") || strings.Contains(msg, "no such file or directory") ||
		strings.Contains(msg, "index closed") || strings.Contains(msg, "persister")
}

// health is the index's own view of whether it is whole: a write fault and
// whether a reopen is due, whether a rebuild from the store is due (and its
// progress while it runs). Its methods are safe on a nil *health (an Index
// value made by hand in tests).
type health struct {
	mu         sync.Mutex
	damage     error  // the last write fault; cleared by a write that succeeds
	reopen     bool   // the Bleve index must be reopened before the next write
	rebuild    string // why a rebuild from the store is due; "" = none
	rebuilding string // progress while one runs
	// kick wakes the Healer when something changed (capacity 1).
	kick chan struct{}
}

func newHealth() *health { return &health{kick: make(chan struct{}, 1)} }

func (h *health) wake() {
	if h == nil {
		return
	}
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

func (h *health) setNeedsRebuild(why string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	if h.rebuild == "" {
		h.rebuild = why
	}
	h.mu.Unlock()
	h.wake()
}

func (h *health) needsRebuild() bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rebuild != ""
}

func (h *health) writeOK() {
	if h == nil {
		return
	}
	h.mu.Lock()
	h.damage = nil
	h.mu.Unlock()
}

// err says why the index is not ready, or nil.
func (h *health) err() error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.damage != nil:
		return fmt.Errorf("index damaged, writes wait (reopened and retried with backoff): %w", h.damage)
	case h.rebuilding != "":
		return fmt.Errorf("index rebuilding from the store (%s): %s", h.rebuild, h.rebuilding)
	case h.rebuild != "":
		return fmt.Errorf("index needs a rebuild from the store: %s", h.rebuild)
	}
	return nil
}

// damaged records a write fault, schedules a reopen and returns err marked
// transient.
func (ix *Index) damaged(err error) error {
	if h := ix.health; h != nil {
		h.mu.Lock()
		first := h.damage == nil
		h.damage, h.reopen = err, true
		h.mu.Unlock()
		if first {
			ix.log.Error("index write failed: not ready; consuming waits until the index is reopened", "err", err)
		}
		h.wake()
	}
	return &transientError{err: err}
}

// CheckFolder reports an error when the index's folder (or its metadata) is
// gone from under the running index, and marks the index damaged so that it
// is recreated and rebuilt. An in-memory index has no folder.
func (ix *Index) CheckFolder() error {
	if ix.dir == "" || ix.health == nil || ix.closed.Load() {
		return nil
	}
	if _, err := os.Stat(filepath.Join(ix.dir, "index_meta.json")); errors.Is(err, fs.ErrNotExist) {
		ix.health.mu.Lock()
		known := ix.health.reopen
		ix.health.mu.Unlock()
		err := fmt.Errorf("index folder %s was deleted: %w", ix.dir, err)
		if !known {
			_ = ix.damaged(err)
		}
		return err
	}
	return nil
}

// repair reopens the Bleve index when a write fault asked for it. A folder
// found missing is created anew and marked for a rebuild from the store. It
// returns a transient error while the index cannot be opened.
func (ix *Index) repair() error {
	h := ix.health
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.reopen {
		return nil
	}
	missing := ix.dir == ""
	if ix.dir != "" {
		if _, err := os.Stat(filepath.Join(ix.dir, "index_meta.json")); errors.Is(err, fs.ErrNotExist) {
			missing = true
		}
	}
	var (
		rebuilt bool
		err     error
	)
	ix.bi.replace(func(old bleve.Index) bleve.Index {
		func() {
			defer func() { _ = recover() }() // a broken index may panic on close too
			_ = old.Close()
		}()
		var bi bleve.Index
		bi, rebuilt, err = openBleve(ix.dir, ix.log)
		if err != nil && !missing && !writeFault(err) {
			// The folder is there but unreadable: start afresh and rebuild.
			ix.log.Warn("index cannot be reopened: recreating it empty; it is rebuilt from the store", "dir", ix.dir, "err", err)
			if rerr := os.RemoveAll(ix.dir); rerr == nil {
				bi, rebuilt, err = openBleve(ix.dir, ix.log)
				missing = true
			}
		}
		if err != nil {
			return closedIndex{old}
		}
		return bi
	})
	if err != nil {
		return &transientError{err: fmt.Errorf("reopen index: %w", err)}
	}
	h.reopen = false
	if missing || rebuilt {
		if h.rebuild == "" {
			h.rebuild = "index folder was missing or replaced"
		}
		ix.log.Warn("index recreated empty: it is rebuilt from the store", "dir", ix.dir)
	} else {
		ix.log.Info("index reopened after a write fault", "dir", ix.dir)
	}
	h.wake()
	return nil
}

// Probe reopens the index if a fault asked for it and tries a small write
// (an internal key), clearing the fault when it succeeds; the Healer calls it
// while the index is damaged and no batch comes to find out.
func (ix *Index) Probe() (err error) {
	if err := ix.repair(); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = ix.damaged(fmt.Errorf("index probe panicked: %v", r))
		}
	}()
	if err := ix.bi.SetInternal([]byte(probeKey), []byte(time.Now().UTC().Format(time.RFC3339Nano))); err != nil {
		err = fmt.Errorf("index probe write: %w", err)
		if writeFault(err) {
			return ix.damaged(err)
		}
		return err
	}
	ix.health.writeOK()
	return nil
}

// probeKey is the internal key Probe writes.
const probeKey = "presswatch_probe"

// liveIndex is the open Bleve index, replaced in place when the index is
// reopened. Each call goes to the index open at that moment.
type liveIndex struct {
	mu  sync.RWMutex
	cur bleve.Index
	// store is the scorch store's path, "" in memory: writes to an on-disk
	// index wait until they are persisted (see durable).
	store string
}

func (l *liveIndex) get() bleve.Index {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur
}

// replace swaps the open index for what fn returns, with no call in flight
// on the old one (fn may close it).
func (l *liveIndex) replace(fn func(old bleve.Index) bleve.Index) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cur = fn(l.cur)
}

func (l *liveIndex) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur.Close()
}

// write runs one batch made by fill, persisted (see durable).
func (l *liveIndex) write(fill func(b *bleve.Batch) error) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	b := l.cur.NewBatch()
	if err := fill(b); err != nil {
		return err
	}
	return durable(l.cur, l.store, b)
}

// The bleve.Index methods run on the index open at the time, holding the
// read lock for the call so that a reopen never closes an index under it.

// Writes (Index, Delete, Batch and the internal keys) return once persisted.

func (l *liveIndex) Index(id string, data any) error {
	return l.write(func(b *bleve.Batch) error { return b.Index(id, data) })
}
func (l *liveIndex) Delete(id string) error {
	return l.write(func(b *bleve.Batch) error { b.Delete(id); return nil })
}
func (l *liveIndex) NewBatch() *bleve.Batch {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.NewBatch()
}
func (l *liveIndex) Batch(b *bleve.Batch) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return durable(l.cur, l.store, b)
}
func (l *liveIndex) Document(id string) (bindex.Document, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.Document(id)
}
func (l *liveIndex) DocCount() (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.DocCount()
}
func (l *liveIndex) Search(req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.Search(req)
}
func (l *liveIndex) SearchInContext(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.SearchInContext(ctx, req)
}
func (l *liveIndex) Fields() ([]string, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.Fields()
}
func (l *liveIndex) FieldDict(field string) (bindex.FieldDict, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.FieldDict(field)
}
func (l *liveIndex) FieldDictRange(field string, start, end []byte) (bindex.FieldDict, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.FieldDictRange(field, start, end)
}
func (l *liveIndex) FieldDictPrefix(field string, prefix []byte) (bindex.FieldDict, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.FieldDictPrefix(field, prefix)
}
func (l *liveIndex) Mapping() mapping.IndexMapping { return l.get().Mapping() }
func (l *liveIndex) Stats() *bleve.IndexStat       { return l.get().Stats() }
func (l *liveIndex) StatsMap() map[string]any {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.StatsMap()
}
func (l *liveIndex) GetInternal(key []byte) ([]byte, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.GetInternal(key)
}
func (l *liveIndex) SetInternal(key, val []byte) error {
	return l.write(func(b *bleve.Batch) error { b.SetInternal(key, val); return nil })
}
func (l *liveIndex) DeleteInternal(key []byte) error {
	return l.write(func(b *bleve.Batch) error { b.DeleteInternal(key); return nil })
}
func (l *liveIndex) Name() string        { return l.get().Name() }
func (l *liveIndex) SetName(name string) { l.get().SetName(name) }

// Advanced returns the open index's engine; a reopen may close it under a
// caller that keeps it (the search path holds it for one search only).
func (l *liveIndex) Advanced() (bindex.Index, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cur.Advanced()
}

// closedIndex stands for an index that could not be reopened: its mapping
// still answers (the search path reads it), everything else fails.
type closedIndex struct{ bleveIndex }

// bleveIndex names bleve.Index for embedding (a field named Index would hide
// the method Index).
type bleveIndex = bleve.Index

var errIndexUnavailable = errors.New("index unavailable: it could not be reopened")

func (c closedIndex) Batch(*bleve.Batch) error           { return &transientError{err: errIndexUnavailable} }
func (c closedIndex) DocCount() (uint64, error)          { return 0, errIndexUnavailable }
func (c closedIndex) SetInternal(_, _ []byte) error      { return &transientError{err: errIndexUnavailable} }
func (c closedIndex) GetInternal([]byte) ([]byte, error) { return nil, errIndexUnavailable }
func (c closedIndex) Close() error                       { return nil }
func (c closedIndex) SearchInContext(context.Context, *bleve.SearchRequest) (*bleve.SearchResult, error) {
	return nil, errIndexUnavailable
}
func (c closedIndex) Search(*bleve.SearchRequest) (*bleve.SearchResult, error) {
	return nil, errIndexUnavailable
}
func (c closedIndex) Advanced() (bindex.Index, error) { return nil, errIndexUnavailable }
func (c closedIndex) FieldDictPrefix(string, []byte) (bindex.FieldDict, error) {
	return nil, errIndexUnavailable
}

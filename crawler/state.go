package crawler

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dongnai/presswatch/store"
)

// stateWriter group-commits the crawler's durable state — source states, item
// records, fingerprints — to the store: whatever was queued since the last
// commit is written in one transaction (issue 18). Records are coalesced by
// key (the latest wins), so commits are in order per key. A failed commit is
// merged back under anything newer and retried with backoff; callers that
// need a record durable before they go on (a publish intent) wait for the
// commit that contains it.
type stateWriter struct {
	st  StateStore
	log *slog.Logger

	mu      sync.Mutex
	states  map[string]store.SourceState
	sorder  []string
	items   map[itemRef]store.CrawlerItem
	iorder  []itemRef
	fps     map[string]store.Fingerprint
	forder  []string
	waiters []chan struct{} // closed when the records queued before them are committed
	kick    chan struct{}

	commits, records int64 // for tests and the log

	running atomic.Bool // run is committing; otherwise commit flushes itself
}

type itemRef struct {
	source string
	key    int64
}

func newStateWriter(st StateStore, log *slog.Logger) *stateWriter {
	return &stateWriter{st: st, log: log, states: map[string]store.SourceState{}, items: map[itemRef]store.CrawlerItem{},
		fps: map[string]store.Fingerprint{}, kick: make(chan struct{}, 1)}
}

// add queues records for the next commit; records given in one call are
// committed in the same transaction.
func (w *stateWriter) add(states []store.SourceState, items []store.CrawlerItem, fps []store.Fingerprint) {
	w.mu.Lock()
	w.addLocked(states, items, fps, true)
	w.mu.Unlock()
}

// addLocked queues records; newer=false is a failed batch put back: a record
// queued since (newer) keeps its place.
func (w *stateWriter) addLocked(states []store.SourceState, items []store.CrawlerItem, fps []store.Fingerprint, newer bool) {
	for _, s := range states {
		if _, ok := w.states[s.Source]; !ok {
			w.sorder = append(w.sorder, s.Source)
		} else if !newer {
			continue
		}
		w.states[s.Source] = s
	}
	for _, it := range items {
		r := itemRef{it.Source, it.Key}
		if _, ok := w.items[r]; !ok {
			w.iorder = append(w.iorder, r)
		} else if !newer {
			continue
		}
		w.items[r] = it
	}
	for _, f := range fps {
		if _, ok := w.fps[f.ID]; !ok {
			w.forder = append(w.forder, f.ID)
		} else if !newer {
			continue
		}
		w.fps[f.ID] = f
	}
}

// commit queues records and waits until they are committed (or ctx ends).
func (w *stateWriter) commit(ctx context.Context, states []store.SourceState, items []store.CrawlerItem, fps []store.Fingerprint) error {
	done := make(chan struct{})
	w.mu.Lock()
	w.addLocked(states, items, fps, true)
	w.waiters = append(w.waiters, done)
	w.mu.Unlock()
	if !w.running.Load() {
		// No writer loop (a crawler driven without Run): commit here.
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	select {
	case w.kick <- struct{}{}:
	default:
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pending is the number of records not yet committed.
func (w *stateWriter) pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.sorder) + len(w.iorder) + len(w.forder)
}

// take removes everything queued and returns it as one batch with its waiters.
func (w *stateWriter) take() (store.CrawlerBatch, []chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b store.CrawlerBatch
	b.States = make([]store.SourceState, 0, len(w.sorder))
	for _, n := range w.sorder {
		b.States = append(b.States, w.states[n])
	}
	b.Items = make([]store.CrawlerItem, 0, len(w.iorder))
	for _, r := range w.iorder {
		b.Items = append(b.Items, w.items[r])
	}
	b.Fingerprints = make([]store.Fingerprint, 0, len(w.forder))
	for _, id := range w.forder {
		b.Fingerprints = append(b.Fingerprints, w.fps[id])
	}
	waiters := w.waiters
	clear(w.states)
	clear(w.items)
	clear(w.fps)
	w.sorder, w.iorder, w.forder, w.waiters = w.sorder[:0], w.iorder[:0], w.forder[:0], nil
	return b, waiters
}

// flush commits what is queued in one transaction. On failure the batch is
// put back (under anything newer) with its waiters and the error returned.
func (w *stateWriter) flush(ctx context.Context) error {
	b, waiters := w.take()
	if b.Len() == 0 {
		for _, c := range waiters {
			close(c)
		}
		return nil
	}
	if err := w.st.SaveCrawlerBatch(ctx, b); err != nil {
		w.mu.Lock()
		// Put the failed records first, so a retry keeps their order.
		ss, so := w.states, w.sorder
		is, io := w.items, w.iorder
		fs, fo := w.fps, w.forder
		w.states, w.sorder = map[string]store.SourceState{}, nil
		w.items, w.iorder = map[itemRef]store.CrawlerItem{}, nil
		w.fps, w.forder = map[string]store.Fingerprint{}, nil
		w.addLocked(b.States, b.Items, b.Fingerprints, true)
		for _, n := range so {
			if _, ok := w.states[n]; !ok {
				w.sorder = append(w.sorder, n)
			}
			w.states[n] = ss[n]
		}
		for _, r := range io {
			if _, ok := w.items[r]; !ok {
				w.iorder = append(w.iorder, r)
			}
			w.items[r] = is[r]
		}
		for _, id := range fo {
			if _, ok := w.fps[id]; !ok {
				w.forder = append(w.forder, id)
			}
			w.fps[id] = fs[id]
		}
		w.waiters = append(waiters, w.waiters...)
		w.mu.Unlock()
		return err
	}
	w.mu.Lock()
	w.commits++
	w.records += int64(b.Len())
	w.mu.Unlock()
	for _, c := range waiters {
		close(c)
	}
	return nil
}

// run commits every interval, and at once when a caller waits, until ctx is
// done. Failures are retried with backoff (the store may be down a while).
func (w *stateWriter) run(ctx context.Context, interval time.Duration) {
	w.running.Store(true)
	defer w.running.Store(false)
	t := time.NewTicker(interval)
	defer t.Stop()
	fails := 0
	for {
		select {
		case <-t.C:
		case <-w.kick:
		case <-ctx.Done():
			return
		}
		if err := w.flush(ctx); err != nil {
			if ctx.Err() != nil {
				return // stopping: drain takes over with its own deadline
			}
			fails++
			if fails == 1 || fails%20 == 0 {
				w.log.Warn("saving crawler state failed; retrying", "records", w.pending(), "failures", fails, "error", err)
			}
			select {
			case <-time.After(min(time.Duration(fails)*200*time.Millisecond, 5*time.Second)):
			case <-ctx.Done():
				return
			}
			continue
		}
		if fails > 0 {
			w.log.Info("crawler state saved again", "after_failures", fails)
			fails = 0
		}
	}
}

// drain commits everything queued, retrying until ctx ends; it reports how
// many records could not be saved.
func (w *stateWriter) drain(ctx context.Context) (int, error) {
	var last error
	for i := 0; ; i++ {
		err := w.flush(ctx)
		if err == nil && w.pending() == 0 {
			return 0, nil
		}
		if err != nil {
			last = err
		}
		if ctx.Err() != nil {
			if last == nil {
				last = ctx.Err()
			}
			return w.pending(), errors.Join(last, ctx.Err())
		}
		if err != nil {
			select {
			case <-time.After(min(time.Duration(i+1)*100*time.Millisecond, 2*time.Second)):
			case <-ctx.Done():
			}
		}
	}
}

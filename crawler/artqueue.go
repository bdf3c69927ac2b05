package crawler

import (
	"container/heap"
	"context"
	"sync"
	"time"

	"github.com/dongnai/presswatch/crawler/fetch"
)

// Article pages are fetched through an articleQueue (issue 15): one queue per
// host and a heap of the hosts that have pages waiting and a request slot
// free, ordered by when each may send its next request, ties in the order
// in which the hosts got their times (a counter, not the clock: the same
// operations give the same order). An article worker takes the
// first host of the heap whose time has come and asks the fetch client's rate
// limiter for a turn (fetch.Client.TakeTurn); the limiter is the one the
// client applies to every request, so feed polls and robots.txt count too. A
// host whose turn is refused is put back at the time the limiter names, and
// the worker goes on with the next host: a worker never sleeps on a host's
// rate limit while another host could be served. A host has at most its
// per-host concurrency of pages in progress; its slot is given back as soon
// as the page is fetched (extraction and publishing do not hold it).
//
// Within a host, new entries go before retries. New entries (from polls) are
// bounded per host and in total: a poller whose entries do not fit waits, as
// it waited for the old single queue, so memory does not grow with a
// backlog. Retries come from the deferred queue, which holds them in memory
// already; they are never refused (a poller never waits for a retry, nor a
// retry for one host's full queue).
//
// Every page in the queue is recorded as queued in the store before it is
// put there (poll.go, items.go): at a stop the queue is simply dropped
// (close) and the pages are taken up at the next start.

// Default bounds of the new entries held by an articleQueue.
const (
	articleHostCap  = 64   // per host: more than a feed's usual entries
	articleTotalCap = 2048 // in total: ~2–4 MB of feed entries, ~100 hosts of 20
)

// turnTaker is the part of *fetch.Client the queue uses.
type turnTaker interface {
	TakeTurn(host string, now time.Time) (*fetch.Turn, time.Time)
	HostConcurrency(host string) int
}

// articleQueue schedules article page fetches across hosts. It is safe for
// concurrent use.
type articleQueue struct {
	turns             turnTaker // nil: no politeness (pages are not fetched)
	now               func() time.Time
	hostCap, totalCap int

	mu     sync.Mutex
	hosts  map[string]*hostQueue
	ready  hostHeap // hosts with pages and a free slot
	fresh  int      // new entries held (bounded by totalCap)
	n      int      // pages held, new and retries
	seq    uint64   // stamps hosts' keys, for ties
	closed bool
	// whenEmpty makes next return false instead of waiting once no page is
	// held (benchmarks and tests that drive the crawler without Run).
	whenEmpty bool
	// work is closed (and replaced) when a page or a slot becomes
	// available, space when a new entry was taken out or the queue closed.
	work, space chan struct{}
}

// hostQueue is one host's pages.
type hostQueue struct {
	name         string
	fresh, retry jobFIFO
	inflight     int       // pages taken and not yet fetched
	limit        int       // per-host concurrency
	at           time.Time // when the host may be served (its key in ready)
	seq          uint64    // when at was set, in q.seq: ties first-come first-served
	index        int       // in ready; -1 when not there
}

func (h *hostQueue) len() int { return h.fresh.len() + h.retry.len() }

// pageLease is a page taken from the queue: its host's slot is held until
// end is called (once the page is fetched). The worker that took the page
// owns it.
type pageLease struct {
	q    *articleQueue
	host *hostQueue
	turn *fetch.Turn
	done bool
}

// end gives the host's slot back; it may be called more than once, and on nil.
func (l *pageLease) end() {
	if l == nil || l.done {
		return
	}
	l.done = true
	l.q.release(l.host)
}

// fetchTurn is the rate-limit turn taken for the page (nil without one).
func (l *pageLease) fetchTurn() *fetch.Turn {
	if l == nil {
		return nil
	}
	return l.turn
}

func newArticleQueue(turns turnTaker, hostCap, totalCap int) *articleQueue {
	return &articleQueue{
		turns: turns, now: time.Now, hostCap: hostCap, totalCap: totalCap,
		hosts: map[string]*hostQueue{},
		work:  make(chan struct{}), space: make(chan struct{}),
	}
}

// hostOf is the host j's page is fetched from.
func hostOf(j articleJob) string { return fetch.HostOf(j.art.URL) }

// tryAdd queues j unless it is a new entry (not a retry) and its host's or
// the total bound is reached; it reports whether j was queued. A closed
// queue refuses everything.
func (q *articleQueue) tryAdd(j articleJob, retry bool) bool {
	name := hostOf(j)
	j.lease = nil
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	h := q.hosts[name]
	if !retry && (q.fresh >= q.totalCap || h != nil && h.fresh.len() >= q.hostCap) {
		return false
	}
	if h == nil {
		h = &hostQueue{name: name, index: -1, limit: 1 << 30}
		q.key(h, q.now())
		if q.turns != nil && name != "" {
			h.limit = max(q.turns.HostConcurrency(name), 1)
		}
		q.hosts[name] = h
	}
	q.n++
	if retry {
		h.retry.push(j)
	} else {
		h.fresh.push(j)
		q.fresh++
	}
	if h.index < 0 && h.inflight < h.limit {
		heap.Push(&q.ready, h)
		q.signal(&q.work)
	}
	return true
}

// add queues j, waiting for room while it is a new entry that does not fit.
// It returns false (j not queued) when ctx is done, stop is closed or the
// queue is.
func (q *articleQueue) add(ctx context.Context, stop <-chan struct{}, j articleJob, retry bool) bool {
	for {
		select {
		case <-stop:
			return false
		default:
		}
		q.mu.Lock()
		space := q.space
		q.mu.Unlock()
		if q.tryAdd(j, retry) {
			return true
		}
		q.mu.Lock()
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return false
		}
		select {
		case <-space:
		case <-stop:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// take returns the next page to fetch at now: of the host served least
// recently among those whose time has come and whose rate limit gives a turn.
// When there is none it returns ok false and the time at which to look again
// (zero: when something is added or released).
func (q *articleQueue) take(now time.Time) (j articleJob, ok bool, wake time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.ready) > 0 {
		h := q.ready[0]
		if h.at.After(now) {
			return articleJob{}, false, h.at
		}
		var turn *fetch.Turn
		if q.turns != nil && h.name != "" {
			t, next := q.turns.TakeTurn(h.name, now)
			if t == nil {
				if !next.After(now) {
					next = now.Add(time.Millisecond)
				}
				q.key(h, next)
				heap.Fix(&q.ready, h.index)
				continue
			}
			turn = t
		}
		if h.fresh.len() > 0 {
			j = h.fresh.pop()
			q.fresh--
			q.signal(&q.space)
		} else {
			j = h.retry.pop()
		}
		q.n--
		h.inflight++
		// Served now: behind every host that has waited as long or longer.
		q.key(h, now)
		if h.len() == 0 || h.inflight >= h.limit {
			heap.Remove(&q.ready, h.index)
		} else {
			heap.Fix(&q.ready, h.index)
		}
		j.lease = &pageLease{q: q, host: h, turn: turn}
		return j, true, time.Time{}
	}
	return articleJob{}, false, time.Time{}
}

// release gives back a slot of h (its page was fetched or dropped).
func (q *articleQueue) release(h *hostQueue) {
	q.mu.Lock()
	defer q.mu.Unlock()
	h.inflight--
	switch {
	case h.len() == 0 && h.inflight == 0:
		if q.hosts[h.name] == h {
			delete(q.hosts, h.name)
		}
	case h.len() > 0 && h.index < 0 && h.inflight < h.limit && !q.closed:
		heap.Push(&q.ready, h)
		q.signal(&q.work)
	}
}

// next waits for the next page to fetch. It returns false when ctx is done
// or the queue is closed.
func (q *articleQueue) next(ctx context.Context) (articleJob, bool) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		q.mu.Lock()
		work, closed := q.work, q.closed || q.whenEmpty && q.n == 0
		q.mu.Unlock()
		if closed || ctx.Err() != nil {
			return articleJob{}, false
		}
		now := q.now()
		j, ok, wake := q.take(now)
		if ok {
			return j, true
		}
		var tc <-chan time.Time
		if !wake.IsZero() {
			if timer == nil {
				timer = time.NewTimer(wake.Sub(now))
			} else {
				timer.Reset(wake.Sub(now))
			}
			tc = timer.C
		}
		select {
		case <-work:
		case <-tc:
		case <-ctx.Done():
			return articleJob{}, false
		}
	}
}

// close stops the queue: it refuses new pages, wakes everyone waiting and
// returns the pages still queued (in no particular order), which the caller
// abandons: they stay queued in the store for the next start.
func (q *articleQueue) close() []articleJob {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	var out []articleJob
	for _, h := range q.hosts {
		for h.fresh.len() > 0 {
			out = append(out, h.fresh.pop())
		}
		for h.retry.len() > 0 {
			out = append(out, h.retry.pop())
		}
	}
	q.fresh, q.n = 0, 0
	clear(q.ready)
	q.ready = q.ready[:0]
	for name, h := range q.hosts {
		h.index = -1
		if h.inflight == 0 {
			delete(q.hosts, name)
		}
	}
	q.signal(&q.work)
	q.signal(&q.space)
	return out
}

// queued is the number of pages waiting (not taken).
func (q *articleQueue) queued() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// stopWhenEmpty makes next return false, instead of waiting, once no page
// is queued (for benchmarks and tests that drive the crawler without Run).
func (q *articleQueue) stopWhenEmpty() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.whenEmpty = true
	q.signal(&q.work)
}

// key sets h's place in the ready heap (the caller fixes the heap). Called
// with q.mu held.
func (q *articleQueue) key(h *hostQueue, at time.Time) {
	q.seq++
	h.at, h.seq = at, q.seq
}

// signal wakes the waiters on *ch. Called with q.mu held.
func (q *articleQueue) signal(ch *chan struct{}) {
	close(*ch)
	*ch = make(chan struct{})
}

// jobFIFO is a first-in first-out queue of jobs.
type jobFIFO struct {
	jobs []articleJob
	head int
}

func (f *jobFIFO) len() int { return len(f.jobs) - f.head }

func (f *jobFIFO) push(j articleJob) {
	if f.head > 0 && f.head == len(f.jobs) {
		f.jobs, f.head = f.jobs[:0], 0
	}
	f.jobs = append(f.jobs, j)
}

func (f *jobFIFO) pop() articleJob {
	j := f.jobs[f.head]
	f.jobs[f.head] = articleJob{}
	f.head++
	if f.head == len(f.jobs) {
		f.jobs, f.head = f.jobs[:0], 0
	} else if f.head >= 64 && f.head*2 >= len(f.jobs) {
		n := copy(f.jobs, f.jobs[f.head:])
		clear(f.jobs[n:])
		f.jobs, f.head = f.jobs[:n], 0
	}
	return j
}

// hostHeap orders hosts by when they may be served, then by when that was
// decided.
type hostHeap []*hostQueue

func (h hostHeap) Len() int { return len(h) }
func (h hostHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h hostHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *hostHeap) Push(x any) {
	hq := x.(*hostQueue)
	hq.index = len(*h)
	*h = append(*h, hq)
}
func (h *hostHeap) Pop() any {
	old := *h
	n := len(old)
	hq := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	hq.index = -1
	return hq
}

package web

import (
	"container/list"
	"context"
	"errors"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LoginLimits bound what POST /login may cost. The defaults hold a flood of
// random user names from one or many addresses to a few argon2id hashes at a
// time (about 20–40 MiB), whatever the number of attempts.
type LoginLimits struct {
	// ConcurrentHashes is how many password hashes (argon2id, 19 MiB each)
	// may run at once, for known and unknown users alike; default half the
	// CPUs (GOMAXPROCS), at least 1 and at most 4, so that a flood leaves
	// CPUs to every other request.
	ConcurrentHashes int
	// MaxWaiting is how many attempts may wait for a hash slot; more answer
	// 503 at once. Default 64.
	MaxWaiting int
	// HashWait is how long an attempt waits for a hash slot before it
	// answers 503; default 5s.
	HashWait time.Duration
	// PerIPPerMinute and PerIPBurst are each client address's token bucket
	// (IPv6 addresses count per /64); defaults 20 and 20.
	PerIPPerMinute float64
	PerIPBurst     int
	// GlobalPerSecond and GlobalBurst are the whole server's token bucket;
	// defaults 50 and 100.
	GlobalPerSecond float64
	GlobalBurst     int
	// Failures wrong passwords for one (address, user name) within
	// FailureWindow lock that pair until the window ends; defaults 5 and 15m.
	Failures      int
	FailureWindow time.Duration
	// MaxKeys bounds each per-key table (addresses; address and user name
	// pairs): past it the least recently used key is dropped, never the
	// whole table. Default 100,000. With GlobalPerSecond × FailureWindow
	// below MaxKeys (50/s × 900 s = 45,000) no key whose window is still
	// running can be dropped.
	MaxKeys int
}

func (l LoginLimits) withDefaults() LoginLimits {
	if l.ConcurrentHashes <= 0 {
		l.ConcurrentHashes = min(max(runtime.GOMAXPROCS(0)/2, 1), 4)
	}
	if l.MaxWaiting <= 0 {
		l.MaxWaiting = 64
	}
	if l.HashWait <= 0 {
		l.HashWait = 5 * time.Second
	}
	if l.PerIPPerMinute <= 0 {
		l.PerIPPerMinute = 20
	}
	if l.PerIPBurst <= 0 {
		l.PerIPBurst = 20
	}
	if l.GlobalPerSecond <= 0 {
		l.GlobalPerSecond = 50
	}
	if l.GlobalBurst <= 0 {
		l.GlobalBurst = 100
	}
	if l.Failures <= 0 {
		l.Failures = 5
	}
	if l.FailureWindow <= 0 {
		l.FailureWindow = 15 * time.Minute
	}
	if l.MaxKeys <= 0 {
		l.MaxKeys = 100_000
	}
	return l
}

// lru is a bounded map that drops its least recently used entry when full.
// It is not safe for concurrent use; its owner locks.
type lru[V any] struct {
	max   int
	order *list.List // front = most recently used; values are *lruEntry[V]
	items map[string]*list.Element
}

type lruEntry[V any] struct {
	key string
	val V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, order: list.New(), items: make(map[string]*list.Element)}
}

// get returns the value of key and marks it used.
func (c *lru[V]) get(key string) (V, bool) {
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*lruEntry[V]).val, true
	}
	var zero V
	return zero, false
}

// put stores key, dropping the least recently used entry if the map is full.
func (c *lru[V]) put(key string, v V) {
	if e, ok := c.items[key]; ok {
		e.Value.(*lruEntry[V]).val = v
		c.order.MoveToFront(e)
		return
	}
	if c.order.Len() >= c.max {
		if last := c.order.Back(); last != nil {
			delete(c.items, last.Value.(*lruEntry[V]).key)
			c.order.Remove(last)
		}
	}
	c.items[key] = c.order.PushFront(&lruEntry[V]{key: key, val: v})
}

func (c *lru[V]) remove(key string) {
	if e, ok := c.items[key]; ok {
		delete(c.items, key)
		c.order.Remove(e)
	}
}

func (c *lru[V]) len() int { return c.order.Len() }

// errLoginBusy is returned by loginGuard.hash when no hashing slot frees in time.
var errLoginBusy = errors.New("login busy: no password hashing slot free")

// loginGuard holds the login limits: a global and a per-address token
// bucket, a failure counter per (address, user name) and the semaphore that
// bounds concurrent password hashing.
type loginGuard struct {
	lim LoginLimits
	now func() time.Time

	global *rate.Limiter
	slots  chan struct{}

	mu       sync.Mutex
	waiting  int
	inFlight int // hashes running now
	peak     int // the most that ever ran at once
	perIP    *lru[*rate.Limiter]
	fails    *lru[*failures]
}

type failures struct {
	n     int
	start time.Time
}

func newLoginGuard(lim LoginLimits, now func() time.Time) *loginGuard {
	lim = lim.withDefaults()
	return &loginGuard{
		lim: lim, now: now,
		global: rate.NewLimiter(rate.Limit(lim.GlobalPerSecond), lim.GlobalBurst),
		slots:  make(chan struct{}, lim.ConcurrentHashes),
		perIP:  newLRU[*rate.Limiter](lim.MaxKeys),
		fails:  newLRU[*failures](lim.MaxKeys),
	}
}

// ipKey is the rate-limit key of a client address: the address for IPv4,
// its /64 for IPv6 (one host usually holds a whole /64).
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// allow takes a token from the global and the address's bucket. It returns
// how long to wait when either is empty. Tokens are taken from the address
// first, so one address flooding does not drain the global bucket.
func (g *loginGuard) allow(ip string) (time.Duration, bool) {
	now := g.now()
	key := ipKey(ip)
	g.mu.Lock()
	l, ok := g.perIP.get(key)
	if !ok {
		l = rate.NewLimiter(rate.Limit(g.lim.PerIPPerMinute/60), g.lim.PerIPBurst)
		g.perIP.put(key, l)
	}
	g.mu.Unlock()
	r := l.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false
	}
	gr := g.global.ReserveN(now, 1)
	if d := gr.DelayFrom(now); d > 0 {
		gr.CancelAt(now)
		return d, false
	}
	return 0, true
}

// blocked returns how long the (address, user name) pair must still wait
// after too many failures, or 0.
func (g *loginGuard) blocked(key string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	f, ok := g.fails.get(key)
	if !ok {
		return 0
	}
	left := f.start.Add(g.lim.FailureWindow).Sub(g.now())
	if left <= 0 {
		g.fails.remove(key)
		return 0
	}
	if f.n >= g.lim.Failures {
		return left
	}
	return 0
}

func (g *loginGuard) failed(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	f, ok := g.fails.get(key)
	if !ok || now.Sub(f.start) >= g.lim.FailureWindow {
		f = &failures{start: now}
		g.fails.put(key, f)
	}
	f.n++
}

func (g *loginGuard) succeeded(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fails.remove(key)
}

// hash runs fn (a password hash) once a slot is free, waiting at most
// HashWait, and answers errLoginBusy when too many attempts already wait or
// no slot frees in time. At most ConcurrentHashes fn run at once.
func (g *loginGuard) hash(ctx context.Context, fn func()) error {
	select {
	case g.slots <- struct{}{}:
	default:
		g.mu.Lock()
		if g.waiting >= g.lim.MaxWaiting {
			g.mu.Unlock()
			return errLoginBusy
		}
		g.waiting++
		g.mu.Unlock()
		t := time.NewTimer(g.lim.HashWait)
		var err error
		select {
		case g.slots <- struct{}{}:
		case <-t.C:
			err = errLoginBusy
		case <-ctx.Done():
			err = errLoginBusy
		}
		t.Stop()
		g.mu.Lock()
		g.waiting--
		g.mu.Unlock()
		if err != nil {
			return err
		}
	}
	g.mu.Lock()
	g.inFlight++
	g.peak = max(g.peak, g.inFlight)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inFlight--
		g.mu.Unlock()
		<-g.slots
	}()
	fn()
	return nil
}

// peakHashes returns the most password hashes that ever ran at once.
func (g *loginGuard) peakHashes() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak
}

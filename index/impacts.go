package index

import (
	"container/list"
	"fmt"
	"math"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// Relevance reads each query word's term frequency and field norm from its
// postings, about 30 ns a document in zap's encoding: most of the time of a
// query whose words are common. Common words are also the ones analysts
// type again and again, so their decoded impacts (√tf × norm, per
// document) are kept per segment range in a byte-bounded LRU cache. Segments
// never change, so an entry is valid for as long as its segment lives; a
// merged-away segment's entries are never asked for again and age out.

// DefaultImpactCacheBytes bounds the impact cache when Options leave it zero.
const DefaultImpactCacheBytes = 64 << 20

// impactMinPostings is the smallest postings list (in a whole segment)
// whose impacts are cached; shorter lists are cheap to read each time.
const impactMinPostings = 4096

// impactKey names the impacts of one term over one range of one segment.
type impactKey struct {
	seg         segment.Segment
	field, term string
	lo          uint64
}

// impactList is a term's documents in a range, ascending, and the quantised
// impact of each, in the same order.
type impactList struct {
	once sync.Once
	err  error
	docs *roaring.Bitmap
	vals []uint16
	key  impactKey
	// counted: its bytes are in impactCache.size (guarded by its mu).
	counted bool
}

func (l *impactList) bytes() int64 {
	return int64(l.docs.GetSizeInBytes()) + int64(2*len(l.vals)) + 64
}

// impactCache is the LRU cache of impact lists.
type impactCache struct {
	max int64
	// minPostings is impactMinPostings (tests lower it).
	minPostings uint64
	mu          sync.Mutex
	size        int64
	lru         *list.List // of *impactList, most recent first
	items       map[impactKey]*list.Element
	hits        uint64
	miss        uint64
}

func newImpactCache(max int64) *impactCache {
	return &impactCache{max: max, minPostings: impactMinPostings, lru: list.New(), items: map[impactKey]*list.Element{}}
}

// register exports the cache's size, hits and misses; a nil cache or
// registerer exports nothing.
func (c *impactCache) register(reg prometheus.Registerer) error {
	if c == nil || reg == nil {
		return nil
	}
	read := func(f func() float64) func() float64 {
		return func() float64 {
			c.mu.Lock()
			defer c.mu.Unlock()
			return f()
		}
	}
	for _, col := range []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "presswatch", Subsystem: "index", Name: "impact_cache_bytes",
			Help: "Memory held by decoded impacts of common query words."}, read(func() float64 { return float64(c.size) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "presswatch", Subsystem: "index", Name: "impact_cache_hits_total",
			Help: "Query words whose impacts came from the cache, per segment range."}, read(func() float64 { return float64(c.hits) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "presswatch", Subsystem: "index", Name: "impact_cache_misses_total",
			Help: "Query words whose impacts were decoded from postings, per segment range."}, read(func() float64 { return float64(c.miss) })),
	} {
		if err := reg.Register(col); err != nil {
			return fmt.Errorf("register index metrics: %w", err)
		}
	}
	return nil
}

// get returns the impacts of key, reading them with build on a miss.
func (c *impactCache) get(key impactKey, build func(*impactList) error) (*impactList, error) {
	c.mu.Lock()
	e, ok := c.items[key]
	if ok {
		c.lru.MoveToFront(e)
		c.hits++
	} else {
		e = c.lru.PushFront(&impactList{key: key})
		c.items[key] = e
		c.miss++
	}
	c.mu.Unlock()
	l := e.Value.(*impactList)
	built := false
	l.once.Do(func() {
		built = true
		l.err = build(l)
	})
	if l.err != nil {
		c.remove(e)
		return nil, l.err
	}
	if built {
		c.mu.Lock()
		if cur, ok := c.items[key]; ok && cur == e {
			l.counted = true
			c.size += l.bytes()
		}
		for c.size > c.max && c.lru.Len() > 1 {
			last := c.lru.Back()
			if last == e {
				break
			}
			c.removeLocked(last)
		}
		c.mu.Unlock()
	}
	return l, nil
}

func (c *impactCache) remove(e *list.Element) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removeLocked(e)
}

func (c *impactCache) removeLocked(e *list.Element) {
	l := e.Value.(*impactList)
	if cur, ok := c.items[l.key]; !ok || cur != e {
		return
	}
	delete(c.items, l.key)
	c.lru.Remove(e)
	if l.counted {
		c.size -= l.bytes()
		l.counted = false
	}
}

// Impacts are quantised on a log scale: 2048 steps per doubling from 2^-16
// to 2^16, a relative error under 0.04 %.
const (
	impactStepsPerOctave = 2048
	impactMinLog2        = -16
)

var impactTable = func() (t [1 << 16]float32) {
	for q := 1; q < len(t); q++ {
		t[q] = float32(math.Exp2(float64(q)/impactStepsPerOctave + impactMinLog2))
	}
	return t
}()

func quantImpact(v float64) uint16 {
	if v <= 0 {
		return 0
	}
	q := math.Round((math.Log2(v) - impactMinLog2) * impactStepsPerOctave)
	return uint16(max(1, min(q, math.MaxUint16)))
}

// readImpacts decodes the postings of pl in [lo, hi) into l.
func readImpacts(l *impactList, pl segment.PostingsList, lo, hi uint64) error {
	l.docs = roaring.New()
	it := pl.Iterator(true, true, false, nil)
	p, err := it.Advance(lo)
	buf := make([]uint32, 0, 1024)
	for ; err == nil && p != nil; p, err = it.Next() {
		n := p.Number()
		if n >= hi {
			break
		}
		buf = append(buf, uint32(n))
		if len(buf) == cap(buf) {
			l.docs.AddMany(buf)
			buf = buf[:0]
		}
		l.vals = append(l.vals, quantImpact(sqrtTF(p.Frequency())*p.Norm()))
	}
	if err != nil {
		return err
	}
	l.docs.AddMany(buf)
	l.docs.RunOptimize()
	return nil
}

// sqrtTab holds √tf for small term frequencies.
var sqrtTab = func() (t [64]float64) {
	for i := range t {
		t[i] = math.Sqrt(float64(i))
	}
	return t
}()

func sqrtTF(tf uint64) float64 {
	if tf < uint64(len(sqrtTab)) {
		return sqrtTab[tf]
	}
	return math.Sqrt(float64(tf))
}

package classifier

import (
	"math/bits"
	"strings"
	"sync"
	"time"

	"github.com/dongnai/presswatch/article"
)

// clusterer groups articles into stories: near-duplicates within a language
// (SimHash over 3-token shingles, Hamming distance ≤ simhashBits) and the same
// story across languages (at least two specific entities shared, Jaccard ≥
// 0.5, published within the window). State is in memory and bounded by the
// window and maxClusterItems; each classifier replica has its own, see
// docs/classifier.md.
type clusterer struct {
	mu     sync.Mutex
	window time.Duration
	items  []clusterItem
	byID   map[string]int             // article ID → index in items
	outlet map[string]map[string]bool // cluster → outlets seen in it
}

type clusterItem struct {
	id       string
	cluster  string
	lang     string
	at       time.Time
	simhash  uint64
	entities map[string]bool
	outlet   string
	about    bool
}

const (
	simhashBits     = 10
	maxShingles     = 512
	maxClusterItems = 50000
)

func newClusterer(window time.Duration) *clusterer {
	return &clusterer{window: window, byID: map[string]int{}, outlet: map[string]map[string]bool{}}
}

func simhash(an *analysis) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	var v [64]int32
	toks := an.toks
	if len(toks) > maxShingles+2 {
		toks = toks[:maxShingles+2] // a story's lead identifies it; bounds the cost
	}
	n := 0
	for i := 0; i+2 < len(toks); i++ {
		x := uint64(offset)
		for k := i; k < i+3; k++ {
			t := toks[k].Text
			for j := 0; j < len(t); j++ {
				x ^= uint64(t[j])
				x *= prime
			}
			x ^= 0
			x *= prime
		}
		for b := range 64 {
			if x&(1<<b) != 0 {
				v[b]++
			} else {
				v[b]--
			}
		}
		n++
	}
	if n == 0 {
		return 0
	}
	var out uint64
	for b := range 64 {
		if v[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

// assign returns the article's cluster ID and how many distinct outlets the
// cluster holds within the window.
func (c *clusterer) assign(an *analysis, cl *article.Classification) (string, int) {
	sh := simhash(an)
	ents := map[string]bool{}
	for _, e := range cl.Entities {
		if e.Canonical != "Đồng Nai" {
			ents[e.Canonical] = true
		}
	}
	at := an.published
	id := an.a.ID
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prune(at)
	if i, ok := c.byID[id]; ok && id != "" {
		it := &c.items[i]
		return it.cluster, c.outlets(it.cluster)
	}
	// A stored article keeps the cluster it was given (reclassification).
	cluster := ""
	if an.a.Classification != nil {
		cluster = an.a.Classification.Cluster
	}
	for i := len(c.items) - 1; i >= 0 && cluster == ""; i-- {
		it := &c.items[i]
		if absDur(it.at.Sub(at)) > c.window {
			continue
		}
		if it.lang == an.lang && sh != 0 && bits.OnesCount64(it.simhash^sh) <= simhashBits {
			cluster = it.cluster
			continue
		}
		if an.mentions && it.lang != an.lang && sameStory(ents, it.entities) {
			cluster = it.cluster
		}
	}
	if cluster == "" {
		cluster = "c-" + shortID(id, sh)
	}
	it := clusterItem{id: id, cluster: cluster, lang: an.lang, at: at, simhash: sh, entities: ents, outlet: strings.ToLower(an.a.Outlet), about: an.about}
	if id != "" {
		c.byID[id] = len(c.items)
	}
	c.items = append(c.items, it)
	c.addOutlet(it)
	if len(c.items) > maxClusterItems {
		c.drop(len(c.items) - maxClusterItems)
	}
	return cluster, c.outlets(cluster)
}

func sameStory(a, b map[string]bool) bool {
	if len(a) < 2 || len(b) < 2 {
		return false
	}
	shared := 0
	for k := range a {
		if b[k] {
			shared++
		}
	}
	union := len(a) + len(b) - shared
	return shared >= 2 && float64(shared)/float64(union) >= 0.5
}

func (c *clusterer) outlets(cluster string) int { return len(c.outlet[cluster]) }

func (c *clusterer) addOutlet(it clusterItem) {
	if it.outlet == "" {
		return
	}
	m := c.outlet[it.cluster]
	if m == nil {
		m = map[string]bool{}
		c.outlet[it.cluster] = m
	}
	m[it.outlet] = true
}

// prune drops items older than the window before now; items arrive roughly in
// time order, so it looks at the front only.
func (c *clusterer) prune(now time.Time) {
	n := 0
	for n < len(c.items) && now.Sub(c.items[n].at) > 2*c.window {
		n++
	}
	if n > 0 {
		c.drop(n)
	}
}

func (c *clusterer) drop(n int) {
	c.items = append(c.items[:0:0], c.items[n:]...)
	c.byID = make(map[string]int, len(c.items))
	c.outlet = map[string]map[string]bool{}
	for i, it := range c.items {
		if it.id != "" {
			c.byID[it.id] = i
		}
		c.addOutlet(it)
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func shortID(id string, sh uint64) string {
	if len(id) >= 12 {
		return id[:12]
	}
	if id != "" {
		return id
	}
	const hex = "0123456789abcdef"
	b := make([]byte, 16)
	for i := range b {
		b[i] = hex[(sh>>(60-4*i))&0xf]
	}
	return string(b)
}

package index

import (
	"container/list"
	"context"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
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

// DefaultImpactCacheBytes bounds the impact cache when Options leave it
// zero. A common word's impacts take about 2 bytes a posting, so the bound
// is set by the largest index the product is built for: on the realistic
// 1,000,000-document benchmark (1,000 distinct queries), 64 MB held a fifth
// of what the queries looked up again (warm p99 158 ms), 224 MB three
// quarters (p99 35 ms), 256 MB all of it (p99 20 ms). An LRU over queries
// that come round again keeps all or little of them: a desk with more
// distinct queries than that needs a larger bound. The cache fills only as
// far as queries need: a small index never reaches the bound.
const DefaultImpactCacheBytes = 256 << 20

// impactMinPostings is the smallest postings list (in a whole segment)
// whose impacts are cached; shorter lists are cheap to read each time.
const impactMinPostings = 256

// impactKey names the impacts of one term in one segment.
type impactKey struct {
	seg         segment.Segment
	field, term string
}

// impactList is a term's documents in one segment, by range of scoreUnit
// document numbers (the ranges the scoring tasks take), with the quantised
// impact of each document in the same order. A phrase entry has documents
// only. One pass reads all ranges: zap's postings iterator cannot skip
// ahead without walking the postings before, so reading range by range would
// walk the list's start again for each.
type impactList struct {
	once   sync.Once
	err    error
	memo   *phraseMemo     // a phraseField entry: phrase checks, no ranges
	docs   *roaring.Bitmap // a phraseDocsField entry: the phrase's documents
	ranges []impactRange
	key    impactKey
	// counted: its bytes are in impactCache.size (guarded by its mu).
	counted bool
}

type impactRange struct {
	docs *roaring.Bitmap
	vals []uint16
}

func (l *impactList) bytes() int64 {
	n := int64(64)
	if l.memo != nil {
		n += 4096
	}
	if l.docs != nil {
		n += int64(l.docs.GetSizeInBytes())
	}
	for _, r := range l.ranges {
		n += int64(r.docs.GetSizeInBytes()) + int64(2*len(r.vals)) + 48
	}
	return n
}

// rangeOf returns the documents and impacts in the range starting at lo.
func (l *impactList) rangeOf(lo uint64) impactRange {
	if i := int(lo / scoreUnit); i < len(l.ranges) {
		return l.ranges[i]
	}
	return impactRange{docs: roaring.New()}
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
	// lastLive are the segments pruneIfChanged saw last.
	lastLive []segment.Segment
}

func newImpactCache(max int64) *impactCache {
	return &impactCache{max: max, minPostings: impactMinPostings, lru: list.New(), items: map[impactKey]*list.Element{}}
}

// lookup returns the entry for key, reading it with build when it is not
// cached; concurrent lookups of one key read it once.
func (c *impactCache) lookup(key impactKey, build func(*impactList) error) (*impactList, error) {
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
	c.mu.Lock()
	defer c.mu.Unlock()
	if l.err != nil {
		c.removeLocked(e)
		return nil, l.err
	}
	if built {
		if cur, ok := c.items[key]; ok && cur == e {
			l.counted = true
			c.size += l.bytes()
		}
		c.evictLocked(e)
	}
	return l, nil
}

// counts returns the lookups that found their entry and those that did not
// (zero for a nil cache).
func (c *impactCache) counts() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.miss
}

// phraseField marks the impact-cache entries that remember phrase checks;
// phraseDocsField, followed by the field, those that hold all the documents
// of a phrase.
const (
	phraseField     = "\x00phrase"
	phraseDocsField = "\x00phrase-docs:"
)

// phraseMemo remembers which documents of a segment were checked for a
// phrase and which hold it.
type phraseMemo struct {
	mu           sync.Mutex
	checked, has roaring.Bitmap
}

// lookup reports whether doc was checked and, if so, whether it holds the
// phrase. A nil memo knows nothing.
func (m *phraseMemo) lookup(doc uint32) (known, has bool) {
	if m == nil {
		return false, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.checked.Contains(doc), m.has.Contains(doc)
}

func (m *phraseMemo) record(doc uint32, has bool) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checked.Add(doc)
	if has {
		m.has.Add(doc)
	}
}

// phraseMemo returns the memo of key (a phraseField key), creating it.
// Memos hold a few hundred documents; each counts a fixed 4 KB.
func (c *impactCache) phraseMemo(key impactKey) *phraseMemo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*impactList).memo
	}
	l := &impactList{key: key, memo: &phraseMemo{}, counted: true}
	e := c.lru.PushFront(l)
	c.items[key] = e
	c.size += l.bytes()
	c.evictLocked(e)
	return l.memo
}

// evictLocked drops the least recently used entries, never keep, until the
// cache is within its bound.
func (c *impactCache) evictLocked(keep *list.Element) {
	for c.size > c.max && c.lru.Len() > 1 {
		last := c.lru.Back()
		if last == keep {
			break
		}
		c.removeLocked(last)
	}
}

// pruneIfChanged drops the entries of segments that are not in live, when
// the segments changed since the last call.
func (c *impactCache) pruneIfChanged(live []*scorch.SegmentSnapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	same := len(live) == len(c.lastLive)
	for i := 0; same && i < len(live); i++ {
		same = live[i].Segment() == c.lastLive[i]
	}
	if same {
		return
	}
	c.lastLive = c.lastLive[:0]
	for _, s := range live {
		c.lastLive = append(c.lastLive, s.Segment())
	}
	keep := make(map[segment.Segment]bool, len(live))
	for _, s := range live {
		keep[s.Segment()] = true
	}
	for key, e := range c.items {
		if !keep[key.seg] {
			c.removeLocked(e)
		}
	}
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

// quantImpact maps v to its step: the binary exponent gives the octave, the
// top 11 bits of the mantissa the step within it (a table of log2), so no
// logarithm is computed per posting.
func quantImpact(v float64) uint16 {
	if v <= 0 {
		return 0
	}
	bits := math.Float64bits(v)
	exp := int(bits>>52&0x7ff) - 1023
	if exp < impactMinLog2 {
		return 1
	}
	if exp >= impactMinLog2+(1<<16)/impactStepsPerOctave {
		return math.MaxUint16
	}
	q := (exp-impactMinLog2)*impactStepsPerOctave + int(mantissaSteps[bits>>(52-11)&(1<<11-1)])
	return uint16(max(1, min(q, math.MaxUint16)))
}

// mantissaSteps[m] is round(log2(1 + m/2048) × impactStepsPerOctave).
var mantissaSteps = func() (t [1 << 11]uint16) {
	for m := range t {
		t[m] = uint16(math.Round(math.Log2(1+float64(m)/(1<<11)) * impactStepsPerOctave))
	}
	return t
}()

// readImpacts decodes all the postings of pl, in a segment of count
// documents, into l.
func readImpacts(l *impactList, pl segment.PostingsList, count uint64) error {
	l.ranges = make([]impactRange, (count+scoreUnit-1)/scoreUnit)
	for i := range l.ranges {
		l.ranges[i].docs = roaring.New()
	}
	it := pl.Iterator(true, true, false, nil)
	buf := make([]uint32, 0, 1024)
	cur := -1
	flush := func() {
		if cur >= 0 && len(buf) > 0 {
			l.ranges[cur].docs.AddMany(buf)
		}
		buf = buf[:0]
	}
	p, err := it.Next()
	for ; err == nil && p != nil; p, err = it.Next() {
		n := p.Number()
		r := int(n / scoreUnit)
		if r >= len(l.ranges) {
			break
		}
		if r != cur || len(buf) == cap(buf) {
			flush()
			cur = r
		}
		buf = append(buf, uint32(n))
		l.ranges[r].vals = append(l.ranges[r].vals, quantImpact(sqrtTF(p.Frequency())*p.Norm()))
	}
	if err != nil {
		return err
	}
	flush()
	for _, r := range l.ranges {
		r.docs.RunOptimize()
	}
	return nil
}

// readPhrase finds the documents of seg that hold toks as a phrase in
// field at their relative positions offs. The documents that hold every
// word and every pair of common words of fold (the text terms at those
// positions, or nil: pairs.go) come first, from the postings' bitmaps (no
// positions read); then
// only those candidates' positions are read, by ranges of scoreUnit
// documents spread over the CPUs (the big merged segment would otherwise be
// read by one). Reading positions only where every word is present matters
// for phrases of common words: walking each word's postings decoded the
// positions of every document of the commonest one, and each step of the
// walk decoded a document's positions before knowing whether the other
// words were there.
func readPhrase(l *impactList, seg segment.Segment, field string, toks []string, offs []int, fold []string) error {
	// The documents must hold the phrase's pairs of common words
	// (pairs.go), which are read first: their postings are far shorter than
	// the words'. When the pairs decide a phrase of text, they are the
	// answer: no words' postings or positions are read.
	var cand *roaring.Bitmap
	if pairs, exact := phrasePairs(fold, offs); len(pairs) > 0 {
		pd, err := seg.Dictionary(fPair)
		if err != nil {
			return err
		}
		if cand, err = withEvery(pd, pairs); err != nil {
			return err
		}
		if exact && field == fText || cand.IsEmpty() {
			cand.RunOptimize()
			l.docs = cand
			return nil
		}
	}
	d, err := seg.Dictionary(field)
	if err != nil {
		return err
	}
	words, err := withEvery(d, toks)
	if err != nil {
		return err
	}
	if cand == nil {
		cand = words
	} else {
		cand.And(words)
	}
	if cand.IsEmpty() {
		l.docs = cand
		return nil
	}
	count := seg.Count()
	parts := make([]*roaring.Bitmap, (count+phraseRange-1)/phraseRange)
	err = parallel(context.Background(), len(parts), func(r int) error {
		lo := uint64(r) * phraseRange
		// Each range opens its own dictionary: zap's is not safe to
		// share across goroutines.
		rd, err := seg.Dictionary(field)
		if err != nil {
			return err
		}
		bm, err := readPhraseRange(rd, cand, toks, offs, lo, min(lo+phraseRange, count))
		parts[r] = bm
		return err
	})
	if err != nil {
		return err
	}
	l.docs = roaring.FastOr(parts...)
	l.docs.RunOptimize()
	return nil
}

// phraseRange is how many documents of a segment one goroutine of
// readPhrase reads (tests make it small to have several).
var phraseRange uint64 = scoreUnit

// withEvery returns the documents of d's segment that hold every one of
// words (from the postings' bitmaps; no positions are read).
func withEvery(d segment.TermDictionary, words []string) (*roaring.Bitmap, error) {
	cand := roaring.New()
	for i, w := range words {
		bm, err := postings(d, w)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			cand = bm
		} else {
			cand.And(bm)
		}
		if cand.IsEmpty() {
			break
		}
	}
	return cand, nil
}

// readPhraseRange is readPhrase for the candidate documents in [lo, hi):
// each word's iterator is moved to each candidate in turn (zap skips the
// postings in between without decoding their positions) and the phrase is
// checked on the words' positions there.
func readPhraseRange(d segment.TermDictionary, cand *roaring.Bitmap, toks []string, offs []int, lo, hi uint64) (*roaring.Bitmap, error) {
	out := roaring.New()
	ci := cand.Iterator()
	ci.AdvanceIfNeeded(uint32(lo))
	if !ci.HasNext() || uint64(ci.PeekNext()) >= hi {
		return out, nil
	}
	its := make([]segment.PostingsIterator, len(toks))
	for w, tok := range toks {
		pl, err := d.PostingsList([]byte(tok), nil, nil)
		if err != nil {
			return nil, err
		}
		its[w] = pl.Iterator(true, false, true, nil)
	}
	positions := make([][][]uint64, len(toks))
	for w := range positions {
		positions[w] = make([][]uint64, 1)
	}
	for ci.HasNext() {
		doc := uint64(ci.Next())
		if doc >= hi {
			break
		}
		for w, it := range its {
			p, err := it.Advance(doc)
			if err != nil {
				return nil, err
			}
			if p == nil || p.Number() != doc {
				return nil, fmt.Errorf("phrase %q: word %q not at document %d of its postings", strings.Join(toks, " "), toks[w], doc)
			}
			positions[w][0] = positions[w][0][:0]
			for _, loc := range p.Locations() {
				positions[w][0] = append(positions[w][0], loc.Pos())
			}
		}
		if hasPhrase(positions, offs, 0) {
			out.Add(uint32(doc))
		}
	}
	return out, nil
}

// readNear finds the documents of seg where every pair of n's operands
// occurs within n.dist positions: operand b starting d positions after a
// starts, with a's span ≤ d ≤ dist, or the other way round (the gapped
// phrases translator.near gives Bleve). As for phrases, the candidates are
// the documents holding every word, from the postings' bitmaps, and only
// their positions are read. An operand ending in a prefix holds, at its
// last position, any of the terms n.pre lists for it. It stops with ctx's
// error when ctx ends (the search timeout), checked every 256 candidates.
func readNear(ctx context.Context, seg segment.Segment, n *fnNear) (*roaring.Bitmap, error) {
	d, err := seg.Dictionary(n.field)
	if err != nil {
		return nil, err
	}
	prefixed := func(k int) bool { return k < len(n.pre) && n.pre[k] != nil }
	var words []string // distinct fixed words of all operands
	slot := map[string]int{}
	for k, qt := range n.ops {
		toks := qt.toks
		if prefixed(k) {
			toks = toks[:len(toks)-1]
		}
		for _, tok := range toks {
			if _, ok := slot[tok]; !ok {
				slot[tok] = len(words)
				words = append(words, tok)
			}
		}
	}
	var cand *roaring.Bitmap
	if len(words) > 0 {
		if cand, err = withEvery(d, words); err != nil || cand.IsEmpty() {
			return cand, err
		}
	}
	// Each prefixed operand: any of its terms, and their iterators.
	type alts struct {
		its  []segment.PostingsIterator
		cur  []segment.Posting // the iterator's last posting (nil: none yet, or done)
		done []bool
		pos  map[uint64]bool
	}
	pres := make([]*alts, len(n.ops))
	for k := range n.ops {
		if !prefixed(k) {
			continue
		}
		any := roaring.New()
		al := &alts{pos: map[uint64]bool{}}
		for _, term := range n.pre[k] {
			pl, err := d.PostingsList([]byte(term), nil, nil)
			if err != nil {
				return nil, err
			}
			if pl.Count() == 0 {
				continue
			}
			bm, err := listDocs(pl)
			if err != nil {
				return nil, err
			}
			any.Or(bm)
			al.its = append(al.its, pl.Iterator(true, false, true, nil))
		}
		al.cur, al.done = make([]segment.Posting, len(al.its)), make([]bool, len(al.its))
		if cand == nil {
			cand = any
		} else {
			cand.And(any)
		}
		if cand.IsEmpty() {
			return cand, nil
		}
		pres[k] = al
	}
	its := make([]segment.PostingsIterator, len(words))
	for i, w := range words {
		pl, err := d.PostingsList([]byte(w), nil, nil)
		if err != nil {
			return nil, err
		}
		its[i] = pl.Iterator(true, false, true, nil)
	}
	pos := make([]map[uint64]bool, len(words))
	for i := range pos {
		pos[i] = map[uint64]bool{}
	}
	// at is the set of positions of operand k's i-th term in the document.
	at := func(k, i int) map[uint64]bool {
		if pres[k] != nil && i == len(n.ops[k].toks)-1 {
			return pres[k].pos
		}
		return pos[slot[n.ops[k].toks[i]]]
	}
	starts := make([][]uint64, len(n.ops))
	out := roaring.New()
	ci := cand.Iterator()
	for seen := 0; ci.HasNext(); seen++ {
		if seen%256 == 0 && ctx != nil {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		doc := uint64(ci.Next())
		for i, it := range its {
			p, err := it.Advance(doc)
			if err != nil {
				return nil, err
			}
			if p == nil || p.Number() != doc {
				return nil, fmt.Errorf("near: word %q not at document %d of its postings", words[i], doc)
			}
			clear(pos[i])
			for _, loc := range p.Locations() {
				pos[i][loc.Pos()] = true
			}
		}
		for _, al := range pres {
			if al == nil {
				continue
			}
			clear(al.pos)
			for e, it := range al.its {
				// An iterator that went past an earlier candidate holds
				// the posting it stopped at: advancing again would skip it.
				if !al.done[e] && (al.cur[e] == nil || al.cur[e].Number() < doc) {
					p, err := it.Advance(doc)
					if err != nil {
						return nil, err
					}
					al.cur[e], al.done[e] = p, p == nil
				}
				if p := al.cur[e]; p != nil && p.Number() == doc {
					for _, loc := range p.Locations() {
						al.pos[loc.Pos()] = true
					}
				}
			}
		}
		// Where each operand starts: its first term's positions, less its
		// offset, where every other term is at its own.
		for k, qt := range n.ops {
			starts[k] = starts[k][:0]
			for p0 := range at(k, 0) {
				if p0 < uint64(qt.offs[0]) {
					continue
				}
				st := p0 - uint64(qt.offs[0])
				ok := true
				for i := 1; i < len(qt.toks) && ok; i++ {
					ok = at(k, i)[st+uint64(qt.offs[i])]
				}
				if ok {
					starts[k] = append(starts[k], st)
				}
			}
		}
		if nearPairsHold(n.ops, starts, n.dist) {
			out.Add(uint32(doc))
		}
	}
	return out, nil
}

// nearPairsHold reports whether every pair of operands has starts within
// dist of each other as nearPair's gapped phrases require.
func nearPairsHold(ops []queryTerms, starts [][]uint64, dist int) bool {
	for a := range ops {
		for b := a + 1; b < len(ops); b++ {
			if !nearPairHolds(starts[a], starts[b], ops[a].span(), ops[b].span(), dist) {
				return false
			}
		}
	}
	return true
}

func nearPairHolds(sa, sb []uint64, spanA, spanB, dist int) bool {
	for _, x := range sa {
		for _, y := range sb {
			if y >= x {
				if d := int(y - x); d >= spanA && d <= dist {
					return true
				}
			}
			if x >= y {
				if d := int(x - y); d >= spanB && d <= dist {
					return true
				}
			}
		}
	}
	return false
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

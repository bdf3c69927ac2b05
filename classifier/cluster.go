package classifier

import (
	"cmp"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
)

// clusterer groups articles into stories, within the window:
//   - near-duplicates within a language (SimHash over 3-token shingles,
//     Hamming distance ≤ simhashBits);
//   - updates and rewrites within a language: the headline without its
//     "Update:"/"Cập nhật" marker shares ≥ minTitleJaccard of its words, or
//     the leads share ≥ minLeadJaccard of theirs;
//   - the same story across languages, within crossWindow: at least two
//     specific entities shared (Jaccard ≥ 0.5) and a topic, or one specific
//     entity and a distinctive number (a figure such as "40 detained" or
//     "2,000 workers" survives translation), or, for two articles about the
//     province, a topic and a figure of three digits or more.
//
// State is in memory and bounded by the window and maxClusterItems; each
// classifier replica has its own, and a stage fills it from the store's
// articles of the window when it starts (Engine.Remember), see
// docs/classifier.md.
type clusterer struct {
	mu     sync.Mutex
	window time.Duration
	items  []clusterItem
	// base numbers items[0]: the items ever added are numbered in order,
	// and an item's index in items is its number less base (drop moves
	// base on instead of renumbering what stays).
	base int
	byID map[string]int // article ID → number of its item
	// outlet counts, per cluster, the items of each outlet in it.
	outlet map[string]map[string]int
	// byEntity lists the numbers of the items naming each entity, in
	// increasing order: across languages find compares only the items
	// that share an entity with the article, which a match there needs.
	byEntity map[string][]int
	// byFigure lists, the same way, the numbers of the items about the
	// province whose headline or lead has each figure of three digits or
	// more: sameEvent needs one, and no entity.
	byFigure map[string][]int
	// share, when set, is given every item this engine classifies into a
	// cluster (not those it remembers or merges), after the lock is
	// released: the stage publishes them to the other replicas.
	share func(clusterItem)
	// now is the engine's clock: items are forgotten 2×window after they
	// were added (prune), whatever their publication times.
	now func() time.Time
}

type clusterItem struct {
	// The fields find reads for every item of the window come first, so
	// that they share the item's first cache lines.
	lang    string
	at      time.Time
	simhash uint64
	// titleSig and leadSig are signatures of the words' hashes (wordSig);
	// titleH and leadH the hashes, sorted. add fills them; a story is
	// ruled out by them before its words are compared (wordProbe,
	// mayReach).
	titleSig, leadSig wordSig
	titleH, leadH     []uint32
	title             wordSet // headline words, update markers removed
	lead              wordSet // words of the first leadTokens tokens
	id                string
	cluster           string
	entities          map[string]bool
	numbers           map[string]bool // figures in headline and lead: true when in the headline
	topics            map[string]bool
	// entH and numH are the hashes of the entities and of the figures,
	// sorted, for ruling out a match across languages the same way.
	entH, numH []uint32
	numBits    uint64 // bit h%64 set for every h of numH: no common bit, no common figure
	outlet     string
	about      bool
	// added is when the item was added, in Unix seconds: prune forgets it
	// two windows later.
	added int64
	// headEnts are the entities other than places (a facility, a company,
	// a person) that the headline names, sorted: sameEvent's second way.
	headEnts []string
}

// Clustering thresholds. They were chosen on the project's own fixtures
// (classifier/cluster_test.go: wire rewrites, "Update:" re-publications and
// one event in four languages) to merge those and keep apart same-place
// stories of the same days; they are not tuned on the dev corpus.
const (
	simhashBits     = 10
	maxShingles     = 512
	maxClusterItems = 50000
	// minTitleWords is how many headline words a headline match needs.
	minTitleWords = 4
	// minTitleJaccard: an update keeps most of its headline.
	minTitleJaccard = 0.6
	// leadTokens is the length of the lead compared; minLeadJaccard the
	// share of lead words two tellings of one story have in common.
	leadTokens     = 60
	minLeadWords   = 20
	minLeadJaccard = 0.5
	// crossWindow is how far apart in time two tellings in different
	// languages may be: a translation or a foreign outlet's report of the
	// event comes within two days, and a longer reach chained unrelated
	// stories of a busy week into one (TestStoryClusteringCorpus).
	crossWindow = 48 * time.Hour
	// eventFigureDigits is the fewest digits of a figure that sameEvent
	// takes alone, without a shared entity: 40 is common, 4000 rarely
	// comes up twice in a day's coverage of the province on one topic.
	eventFigureDigits = 3
	// headWindow is how close in time two headlines naming the same
	// facility, company or person must be for sameEvent: a day's tellings
	// of one event (at 24 h, or with the name anywhere in the text, the
	// stories of a busy week about the airport joined:
	// TestStoryClusteringCorpus, docs/classifier.md "Stop 41").
	headWindow = 12 * time.Hour
)

func newClusterer(window time.Duration) *clusterer {
	return &clusterer{window: window, byID: map[string]int{}, outlet: map[string]map[string]int{},
		byEntity: map[string][]int{}, byFigure: map[string][]int{}, now: time.Now}
}

func simhash(an *analysis) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	// ones[b] counts the shingles with bit b set; SimHash's per-bit vote
	// (+1 set, -1 clear) is then 2*ones[b] - n, counted without a branch per
	// bit. The counting is eight bits at a time: lanes[j] holds eight byte
	// counters, one per bit of byte j of the hash, each added to by
	// spreadBits; they are emptied into ones before a byte can overflow.
	var ones [64]int32
	var lanes [8]uint64
	flush := func() {
		for j, l := range lanes {
			for k := range 8 {
				ones[8*j+k] += int32(l >> (8 * k) & 0xff)
			}
		}
		lanes = [8]uint64{}
	}
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
		for j := range lanes {
			lanes[j] += spreadBits[x>>(8*j)&0xff]
		}
		if n++; n%255 == 0 {
			flush()
		}
	}
	if n == 0 {
		return 0
	}
	flush()
	var out uint64
	for b := range 64 {
		if 2*ones[b] > int32(n) {
			out |= 1 << b
		}
	}
	return out
}

// spreadBits[v] has byte k set to bit k of v (0 or 1), for counting eight
// bits with one addition; read-only data computed once.
var spreadBits = func() (t [256]uint64) {
	for v := range t {
		for k := range 8 {
			t[v] |= uint64(v>>k&1) << (8 * k)
		}
	}
	return t
}()

// assign returns the article's cluster ID and how many distinct outlets the
// cluster holds within the window; a new item is shared when share is set.
func (c *clusterer) assign(an *analysis, cl *article.Classification) (string, int) {
	cluster, outlets, added, share := c.assignLocked(an, cl)
	if added != nil && share != nil {
		share(*added)
	}
	return cluster, outlets
}

// remember is assign for an article classified before: never shared.
func (c *clusterer) remember(an *analysis, cl *article.Classification) {
	c.assignLocked(an, cl)
}

// assignLocked is assign under the lock; it returns the item it added (nil
// when the article was known) and the share function of that moment.
func (c *clusterer) assignLocked(an *analysis, cl *article.Classification) (string, int, *clusterItem, func(clusterItem)) {
	sh := simhash(an)
	ents := map[string]bool{}
	var head []string
	headEnd := strings.Index(an.full, "\n\n") // entity offsets are into an.full
	for _, e := range cl.Entities {
		if e.Canonical != "Đồng Nai" {
			ents[e.Canonical] = true
			if e.Kind != "place" && e.Start < headEnd {
				head = append(head, e.Canonical)
			}
		}
	}
	slices.Sort(head)
	head = slices.Compact(head)
	title, lead, numbers := storyWords(an)
	topics := map[string]bool{}
	for _, t := range cl.Topics {
		topics[t] = true
	}
	id := an.a.ID
	it := clusterItem{id: id, lang: an.lang, at: an.published, simhash: sh, entities: ents, headEnts: head,
		title: title, lead: lead, numbers: numbers, topics: topics,
		outlet: strings.ToLower(an.a.Outlet), about: an.about}
	it.fillHashes()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prune(c.now())
	if n, ok := c.byID[id]; ok && id != "" {
		known := &c.items[n-c.base]
		return known.cluster, c.outlets(known.cluster), nil, nil
	}
	// A stored article keeps the cluster it was given (reclassification).
	cluster := ""
	if an.a.Classification != nil {
		cluster = an.a.Classification.Cluster
	}
	if cluster == "" {
		if i := c.find(&it, an.mentions); i >= 0 {
			cluster = c.items[i].cluster
		}
	}
	if cluster == "" {
		cluster = "c-" + shortID(id, sh)
	}
	it.cluster = cluster
	c.add(it)
	return cluster, c.outlets(cluster), &it, c.share
}

// add appends it to the state, within maxClusterItems; c.mu is held. Past
// the limit the oldest tenth goes at once.
func (c *clusterer) add(it clusterItem) {
	it.fillHashes()
	if it.added == 0 {
		it.added = c.now().Unix()
	}
	n := c.base + len(c.items)
	if it.id != "" {
		c.byID[it.id] = n
	}
	for e := range it.entities {
		c.byEntity[e] = append(c.byEntity[e], n)
	}
	if it.about {
		for f := range it.numbers {
			if len(f) >= eventFigureDigits {
				c.byFigure[f] = append(c.byFigure[f], n)
			}
		}
	}
	c.items = append(c.items, it)
	c.addOutlet(it)
	if len(c.items) > maxClusterItems {
		c.drop(len(c.items) - maxClusterItems + maxClusterItems/10)
	}
}

// fillHashes sets the hashes an item is compared by, those not set yet,
// and the signatures of its word hashes.
func (it *clusterItem) fillHashes() {
	if it.titleH == nil {
		it.titleH = it.title.hashes()
	}
	if it.leadH == nil {
		it.leadH = it.lead.hashes()
	}
	it.titleSig, it.leadSig = newWordSig(it.titleH), newWordSig(it.leadH)
	if it.entH == nil {
		it.entH = keyHashes(it.entities)
	}
	if it.numH == nil {
		it.numH = keyHashes(it.numbers)
	}
	it.numBits = 0
	for _, h := range it.numH {
		it.numBits |= 1 << (h % 64)
	}
}

// known reports whether the article with this ID is in the state.
func (c *clusterer) known(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.byID[id]
	return ok
}

// find returns the index in c.items of the newest item within the window
// of q.at that q belongs with, -1 when there is none: the first match of a
// scan of the items from the newest. An item in q's language matches a
// near-duplicate, or a largely equal headline or lead. An item in another
// language can match only when q mentions the province (mentions) and the
// item shares an entity with q, which sameStory and sameFigure both
// require: those items are walked in step with the scan, from the lists of
// q's entities, and no other item in another language is compared.
func (c *clusterer) find(q *clusterItem, mentions bool) int {
	var buf [8][]int
	lists := buf[:0] // the entities' lists, less the numbers walked
	if mentions {
		for e := range q.entities {
			if l := c.byEntity[e]; len(l) > 0 {
				lists = append(lists, l)
			}
		}
		if q.about {
			for f := range q.numbers {
				if l := c.byFigure[f]; len(f) >= eventFigureDigits && len(l) > 0 {
					lists = append(lists, l)
				}
			}
		}
	}
	top := newest(lists) - c.base // the next item in another language to compare
	items, window, at, sh, lang := c.items, c.window, q.at, q.simhash, q.lang
	titled, leaded := len(q.title) >= minTitleWords, len(q.lead) >= minLeadWords
	var titleP, leadP wordProbe
	if titled {
		titleP.init(q.titleH, minTitleJaccard)
	}
	if leaded {
		leadP.init(q.leadH, minLeadJaccard)
	}
	for i := len(items) - 1; i >= 0; i-- {
		it := &items[i]
		candidate := i == top
		if candidate {
			for j, l := range lists {
				if len(l) > 0 && l[len(l)-1] == top+c.base {
					lists[j] = l[:len(l)-1]
				}
			}
			top = newest(lists) - c.base
		}
		if it.lang != lang {
			if candidate && absDur(it.at.Sub(at)) <= min(window, crossWindow) && crossLanguageMatch(q, it) {
				return i
			}
			continue
		}
		// The window is checked last: most stories fail the cheaper tests.
		if (sh != 0 && bits.OnesCount64(it.simhash^sh) <= simhashBits ||
			titled && titleP.mayReach(&it.titleSig, len(it.titleH)) && mayReach(q.titleH, it.titleH, minTitleJaccard) && q.title.jaccard(it.title) >= minTitleJaccard ||
			leaded && leadP.mayReach(&it.leadSig, len(it.leadH)) && mayReach(q.leadH, it.leadH, minLeadJaccard) && q.lead.jaccard(it.lead) >= minLeadJaccard) &&
			absDur(it.at.Sub(at)) <= window {
			return i
		}
	}
	return -1
}

// newest returns the largest last number of the lists, -1 when all are
// empty.
func newest(lists [][]int) int {
	top := -1
	for _, l := range lists {
		if len(l) > 0 {
			top = max(top, l[len(l)-1])
		}
	}
	return top
}

// crossLanguageMatch: entities and a topic, an entity and a figure, or
// (sameEvent) a topic and a figure or a headline's facility in common.
// Equal hashes count at least the shared keys (a collision only adds), so
// the counts of equal hashes bound what sameStory (two shared entities and
// a Jaccard index of 0.5) and sameFigure (a shared entity and a shared
// figure) need from above, and rule out most pairs before the maps are
// read. The hashes are not even counted when the list lengths alone rule
// sameStory out (shared ≤ the shorter list, and a Jaccard index of 0.5
// needs 3·shared ≥ the two lengths together), nor when the figures' bits
// have none in common; sameFigure checks the shared entity itself.
func crossLanguageMatch(q, it *clusterItem) bool {
	nq, ni := len(q.entH), len(it.entH)
	if short := min(nq, ni); short >= 2 && 3*short >= nq+ni {
		ents := sharedSorted(q.entH, it.entH)
		if ents >= 2 && 3*ents >= nq+ni && sameStory(q.entities, it.entities) && jaccard(q.topics, it.topics) > 0 {
			return true
		}
	}
	if q.numBits&it.numBits != 0 && sharedSorted(q.numH, it.numH) > 0 &&
		sameFigure(q.entities, it.entities, q.numbers, it.numbers, q.topics, it.topics) {
		return true
	}
	return sameEvent(q, it)
}

// sameEvent: two articles about the province, on a topic in common, that
// either give the same figure of eventFigureDigits digits or more ("about
// 4,000 workers", "约4000名工人", "4천 명": a translation keeps the figure
// when the names around it change script or are unknown to the gazetteer,
// as a company's often are), or name the same facility, company or person
// in their headlines within headWindow of each other (a calibration flight
// at Long Thành airport told in five languages the same morning).
func sameEvent(a, b *clusterItem) bool {
	if !a.about || !b.about || jaccard(a.topics, b.topics) == 0 {
		return false
	}
	if absDur(a.at.Sub(b.at)) <= headWindow && sharedSorted(a.headEnts, b.headEnts) > 0 {
		return true
	}
	if a.numBits&b.numBits == 0 {
		return false
	}
	for n := range a.numbers {
		if _, ok := b.numbers[n]; ok && len(n) >= eventFigureDigits {
			return true
		}
	}
	return false
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

// sameFigure: one specific entity in common and a figure in common, which a
// translation keeps while words and names change script. The figure must be
// distinctive (three or more digits, or two shared figures, or in both
// headlines), or the two articles must also share a topic.
func sameFigure(entsA, entsB, numsA, numsB, topicsA, topicsB map[string]bool) bool {
	sharedEnt := false
	for k := range entsA {
		if entsB[k] {
			sharedEnt = true
			break
		}
	}
	if !sharedEnt {
		return false
	}
	shared, strong := 0, false
	for n, headA := range numsA {
		if headB, ok := numsB[n]; ok {
			shared++
			strong = strong || len(n) >= 3 || headA && headB
		}
	}
	return strong || shared >= 2 || shared == 1 && jaccard(topicsA, topicsB) > 0
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	shared := 0
	for k := range a {
		if b[k] {
			shared++
		}
	}
	return float64(shared) / float64(len(a)+len(b)-shared)
}

// updateMarkers are headline words that say a piece is a new version of a
// story rather than another story.
var updateMarkers = map[string]bool{
	"update": true, "updated": true, "updates": true, "live": true, "breaking": true, "new": true, "latest": true,
	"cap": true, "nhat": true, "moi": true, // "Cập nhật", "mới" (folded)
	"更新": true, "速報": true, "속보": true, "업데이트": true,
}

// storyWords returns the headline's words without update markers or bare
// figures, the lead's words, and the distinctive figures of both: runs of
// digits with thousands separators removed, two digits or more, years
// (1900–2099) left out.
func storyWords(an *analysis) (titleSet, leadSet wordSet, numbers map[string]bool) {
	numbers = map[string]bool{}
	var leadBuf [leadTokens]string
	title, lead := []string(nil), leadBuf[:0]
	for i, t := range an.toks {
		if i >= an.titleToks+leadTokens {
			break
		}
		w := t.Text
		if isDigits(w) {
			continue
		}
		if i < an.titleToks {
			if !updateMarkers[w] {
				title = append(title, w)
			}
			continue
		}
		lead = append(lead, w)
	}
	// The sets are kept for the whole window: their words move out of the
	// folded text into one small string each, so that a remembered article
	// does not keep its whole text alive.
	titleSet, leadSet = newWordSet(title), newWordSet(lead)
	// Token offsets point into an.folded; an.offs maps them into an.full
	// (title, blank line, text).
	offset := func(i int) int {
		if i < len(an.toks) && an.toks[i].Start < len(an.offs) {
			return min(an.offs[an.toks[i].Start], len(an.full))
		}
		return len(an.full)
	}
	titleEnd, leadEnd := offset(an.titleToks), offset(an.titleToks+leadTokens)
	for _, n := range figures(an.full[titleEnd:leadEnd]) {
		numbers[n] = false
	}
	for _, n := range figures(an.full[:titleEnd]) {
		numbers[n] = true
	}
	return titleSet, leadSet, numbers
}

// wordSet is a set of words, sorted: smaller than a map for the up to
// 50,000 articles the clusterer remembers, and compared by a merge.
type wordSet []string

// newWordSet returns the distinct words of words (which it sorts) as a
// wordSet whose words are pieces of one new string, sharing no memory with
// the text they were cut from.
func newWordSet(words []string) wordSet {
	slices.Sort(words)
	words = slices.Compact(words)
	n := 0
	for _, w := range words {
		n += len(w)
	}
	var b strings.Builder
	b.Grow(n)
	for _, w := range words {
		b.WriteString(w)
	}
	all := b.String()
	set := make(wordSet, len(words))
	at := 0
	for i, w := range words {
		set[i] = all[at : at+len(w)]
		at += len(w)
	}
	return set
}

// jaccard is the Jaccard index of two word sets, as jaccard is for maps.
func (a wordSet) jaccard(b wordSet) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	shared := sharedSorted(a, b)
	return float64(shared) / float64(len(a)+len(b)-shared)
}

// sharedSorted counts the equal elements of two ascending lists by a merge
// (for lists without repeats: the shared elements).
func sharedSorted[T cmp.Ordered](a, b []T) int {
	shared := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			shared++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return shared
}

// hashes returns the FNV-1a hashes of a's words, sorted (never nil).
func (a wordSet) hashes() []uint32 {
	h := make([]uint32, len(a))
	for i, w := range a {
		h[i] = fnvString(fnvOffset, w)
	}
	slices.Sort(h)
	return h
}

// keyHashes is hashes for the keys of a set.
func keyHashes(m map[string]bool) []uint32 {
	h := make([]uint32, 0, len(m))
	for k := range m {
		h = append(h, fnvString(fnvOffset, k))
	}
	slices.Sort(h)
	return h
}

// mayReach reports whether two word sets, given as their sorted word
// hashes (hashes), may have a Jaccard index of t or more. Equal words have
// equal hashes, so the equal hashes a merge finds are at least the shared
// words (a collision only adds), and the index this count gives is at
// least the sets' real one: false means the sets' jaccard is below t, true
// that it has to be computed. The sets' sizes alone bound it first (shared
// at most the smaller, union at least the larger).
func mayReach(a, b []uint32, t float64) bool {
	lo, hi := min(len(a), len(b)), max(len(a), len(b))
	if lo == 0 || float64(lo)/float64(hi) < t {
		return false
	}
	shared := sharedSorted(a, b)
	return float64(shared)/float64(len(a)+len(b)-shared) >= t
}

// wordSig is a 256-bit signature of a word set: bit h mod 256 set for
// each of its words' hashes h. A word the sets share sets the same bit in
// both.
type wordSig [4]uint64

func newWordSig(hashes []uint32) (s wordSig) {
	for _, h := range hashes {
		s[h>>6&3] |= 1 << (h & 63)
	}
	return s
}

// wordProbe compares one word set (by its sorted hashes) with many
// signatures: counts[b] is how many of its words set bit b. The words a
// set shares with another set bits in both signatures, so the counts of
// the bits the two signatures have in common add up to at least the
// shared words, and the Jaccard index that sum gives bounds the real one
// from above. For unrelated sets few bits coincide, so most are ruled out
// without reading their words or hashes.
type wordProbe struct {
	n      int
	t      float64
	sig    wordSig
	counts [256]uint32
}

func (p *wordProbe) init(hashes []uint32, t float64) {
	p.n, p.t, p.sig = len(hashes), t, newWordSig(hashes)
	for _, h := range hashes {
		p.counts[h&255]++
	}
}

// mayReach reports whether the probe's set and a set of m words with
// signature sig may have a Jaccard index of t or more; false means they
// have not.
func (p *wordProbe) mayReach(sig *wordSig, m int) bool {
	lo, hi := min(p.n, m), max(p.n, m)
	if lo == 0 || float64(lo)/float64(hi) < p.t {
		return false
	}
	shared := 0
	for w := range sig {
		for x := p.sig[w] & sig[w]; x != 0; x &= x - 1 {
			shared += int(p.counts[w<<6|bits.TrailingZeros64(x)])
		}
	}
	return float64(shared)/float64(p.n+m-shared) >= p.t
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// figures returns the numbers written in s ("2,000", "2.000", "40", "4,5")
// as digit strings without separators, two digits or more, years excluded.
func figures(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		var b strings.Builder
		j, grouped := i, false
		for j < len(s) {
			switch c := s[j]; {
			case c >= '0' && c <= '9':
				b.WriteByte(c)
				j++
				continue
			case (c == ',' || c == '.' || c == ' ') && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' && b.Len() > 0:
				if c == ' ' && !(j+3 < len(s) && isDigits(s[j+1:j+4])) {
					break // a space joins only thousands groups
				}
				grouped = true
				j++
				continue
			}
			break
		}
		n := strings.TrimLeft(b.String(), "0")
		if m, size := cjkMultiplier(s[j:]); m > 0 {
			if v, ok := scaled(s[i:j], m); ok {
				n, grouped = v, true
				j += size
			}
		}
		if len(n) >= 2 && !(!grouped && len(n) == 4 && n >= "1900" && n <= "2099") {
			out = append(out, n)
		}
		i = j
	}
	return out
}

// cjkMultiplier is the multiplier a Chinese, Japanese or Korean numeral
// sign at the start of s stands for, after at most one space (4천 명,
// 约4000名, 1.4万人, 4만 명), and its length; 0 when there is none. Larger
// units (亿, 억) and compounds (5천만) are left alone: a figure in the
// millions is written with other words in the other languages.
func cjkMultiplier(s string) (mult int64, size int) {
	skip := 0
	if strings.HasPrefix(s, " ") {
		skip = 1
	}
	r, n := utf8.DecodeRuneInString(s[skip:])
	switch r {
	case '千', '천':
		mult = 1000
	case '万', '萬', '만':
		mult = 10000
	default:
		return 0, 0
	}
	// 5천만 is fifty million, 3千万 thirty million: a compound is left.
	switch next, _ := utf8.DecodeRuneInString(s[skip+n:]); next {
	case '万', '萬', '만', '亿', '億', '억':
		return 0, 0
	}
	return mult, skip + n
}

// scaled is the figure written as digits (a decimal mark followed by one or
// two digits is a decimal: 1.4万) times mult, as a digit string.
func scaled(written string, mult int64) (string, bool) {
	whole, frac := written, ""
	if k := strings.LastIndexAny(written, ".,"); k >= 0 && len(written)-k-1 <= 2 {
		whole, frac = written[:k], written[k+1:]
	}
	whole = strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, whole)
	if len(whole) > 9 {
		return "", false
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return "", false
	}
	for range frac {
		if mult%10 != 0 {
			return "", false
		}
		mult /= 10
	}
	return strconv.FormatInt(v*mult, 10), true
}

func (c *clusterer) outlets(cluster string) int { return len(c.outlet[cluster]) }

func (c *clusterer) addOutlet(it clusterItem) {
	if it.outlet == "" {
		return
	}
	m := c.outlet[it.cluster]
	if m == nil {
		m = map[string]int{}
		c.outlet[it.cluster] = m
	}
	m[it.outlet]++
}

// prune forgets the items added more than two windows before now.
func (c *clusterer) prune(now time.Time) {
	// Items are in the order they were added, so the ones to forget are a
	// prefix. The time is the clock's, not the newest publication time:
	// a source's archive or a late copy of an old story arrives among
	// today's articles, and pruning by publication time forgot that old
	// story's tellings as soon as a fresh article came between them (the
	// demo's strike split in two that way).
	n, cut := 0, now.Add(-2*c.window).Unix()
	for n < len(c.items) && c.items[n].added < cut {
		n++
	}
	if n > 0 {
		c.drop(n)
	}
}

// drop forgets the n oldest items. Only their own entries leave the
// indexes, so that dropping the one story that passed the window, as a
// classifier does for nearly every article once its window is full, does
// not cost a pass over all the others.
func (c *clusterer) drop(n int) {
	for k := range c.items[:n] {
		it := &c.items[k]
		if it.id != "" && c.byID[it.id] == c.base+k {
			delete(c.byID, it.id)
		}
		for e := range it.entities {
			popFront(c.byEntity, e, c.base+k)
		}
		for f := range it.numbers {
			popFront(c.byFigure, f, c.base+k)
		}
		if it.outlet != "" {
			if m := c.outlet[it.cluster]; m != nil {
				if m[it.outlet]--; m[it.outlet] <= 0 {
					delete(m, it.outlet)
				}
				if len(m) == 0 {
					delete(c.outlet, it.cluster)
				}
			}
		}
	}
	// The dropped items let go of what they hold; their slots go when
	// append next moves the array.
	clear(c.items[:n])
	c.items = c.items[n:]
	c.base += n
}

// popFront takes n off the front of the list idx[key], where the oldest
// item's number is, and the key out of idx with its last number.
func popFront(idx map[string][]int, key string, n int) {
	l := idx[key]
	if len(l) == 0 || l[0] != n {
		return
	}
	if len(l) == 1 {
		delete(idx, key)
		return
	}
	idx[key] = l[1:]
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

package classifier

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dongnai/presswatch/internal/textnorm"
	"github.com/dongnai/presswatch/query"
)

// tokDoc is the query.Doc topic rules, narratives and facts run against: the
// article's folded tokens in one map, title positions first, text positions
// after a gap so that phrases never span the two. Fields: title, text, ""
// (both); keywords lang, country, outlet, entity; numbers relevance, tier.
type tokDoc struct {
	// terms numbers the distinct terms; positions[terms[t]] are the
	// positions of term t, in increasing order. The position lists are
	// capped pieces of one array: one allocation for the whole document
	// instead of one growing slice per term.
	terms     *termTable
	positions [][]int
	titleEnd  int // the title's tokens have positions below titleEnd
	keywords  map[string][]string
	numbers   map[string]float64
	byStart   *termBuckets // the terms by their first bytes, built on the first prefix query
	sc        *scratch     // lends the document its index, buckets and stems
	// title and text as analysed, for WrittenAs; marked (0 not decided
	// yet, 1 yes, -1 no) says whether the article is written with
	// diacritics.
	parts  [2]spellPart
	marked int8
}

// spellPart is the title or the text of a tokDoc as written.
type spellPart struct {
	text  string
	terms []textnorm.Term // offsets into text
	base  int             // position of its first token in the tokDoc
}

const textGap = query.MaxNear + 1

// newTokDoc analyses title and text as the search index does
// (textnorm.Analyze, and textnorm.Stems for English), so that a topic rule
// matches what a search with the same query finds.
func newTokDoc(title, text string, english bool) *tokDoc {
	return newTokDocTerms(new(scratch), title, text, textnorm.Analyze(title), textnorm.Analyze(text), english)
}

// newTokDocFolded is newTokDoc for title and text = full[:len(title)] and
// full[len(title):], where full (the title, a blank line and the body) has
// already been folded: folded, offs = textnorm.FoldMap(full), and the title
// folds to folded[:foldedTitleLen]. The text after the title begins with an
// ASCII line break, so folding the whole and cutting it is folding the
// parts, and the folding is not done twice.
func newTokDocFolded(sc *scratch, full, folded string, offs []int, titleLen, foldedTitleLen int, english bool) *tokDoc {
	nt, _ := analyzeFolded(sc, folded, offs, titleLen, foldedTitleLen, false)
	return newTokDocAnalysed(sc, full, titleLen, nt, english)
}

// analyzeFolded analyses the folded article for its query document into
// sc.terms, the title's terms first (nt of them), and with withToks also
// returns the tokens of the whole folded text (textnorm.AppendTokens into
// sc.toks), from the same pass over the text.
func analyzeFolded(sc *scratch, folded string, offs []int, titleLen, foldedTitleLen int, withToks bool) (nt int, toks []textnorm.Token) {
	tokBase := -1
	if withToks {
		tokBase, toks = 0, sc.toks[:0]
	}
	all, toks := textnorm.AnalyzeFoldedTokens(sc.terms[:0], toks, folded[:foldedTitleLen], offs[:foldedTitleLen+1], 0, tokBase)
	nt = len(all)
	if withToks {
		tokBase = foldedTitleLen
	}
	all, toks = textnorm.AnalyzeFoldedTokens(all, toks, folded[foldedTitleLen:], offs[foldedTitleLen:], titleLen, tokBase)
	sc.terms = all
	return nt, toks
}

// newTokDocAnalysed builds the query document from the terms
// analyzeFolded left in sc.terms.
func newTokDocAnalysed(sc *scratch, full string, titleLen, nt int, english bool) *tokDoc {
	all := sc.terms
	return newTokDocTerms(sc, full[:titleLen], full[titleLen:], all[:nt:nt], all[nt:], english)
}

// termPos is one occurrence of a term while a tokDoc is built.
type termPos struct {
	term string
	pos  int
	id   int32 // the term's number, once numbered
}

// newTokDocTerms builds the document from the analysed title (tt) and text
// (bt); title and text are what they were analysed from (for stems). sc
// lends the list of occurrences.
func newTokDocTerms(sc *scratch, title, text string, tt, bt []textnorm.Term, english bool) *tokDoc {
	d := &tokDoc{keywords: map[string][]string{}, numbers: map[string]float64{}, sc: sc}
	for _, t := range tt {
		d.titleEnd = max(d.titleEnd, t.Pos+1)
	}
	bodyBase := d.titleEnd + textGap
	occ := sc.occ[:0]
	for _, t := range tt {
		occ = append(occ, termPos{term: t.Text, pos: t.Pos})
	}
	for _, t := range bt {
		occ = append(occ, termPos{term: t.Text, pos: bodyBase + t.Pos})
	}
	d.parts = [2]spellPart{{text: title, terms: tt}, {text: text, terms: bt, base: bodyBase}}
	if english {
		// textnorm.Stems, with each word's stem computed once.
		if sc.stems == nil {
			sc.stems = map[string]string{}
		} // else empty: release cleared it
		stems := sc.stems
		addStems := func(s string, terms []textnorm.Term, base int) {
			for _, t := range terms {
				if t.Kind != textnorm.Word || !textnorm.Stemmable(s[t.Start:t.End]) {
					continue
				}
				k, ok := stems[t.Text]
				if !ok {
					k = stemTerms.term(t.Text)
					stems[t.Text] = k
				}
				occ = append(occ, termPos{term: k, pos: base + t.Pos})
			}
		}
		addStems(title, tt, 0)
		addStems(text, bt, bodyBase)
	}
	// Number the terms and count their occurrences, then cut one array of
	// positions into a list per term, filled in order of occurrence.
	sc.table.reset(len(occ))
	d.terms = &sc.table
	counts := sc.termCounts[:0]
	for k := range occ {
		id, added := d.terms.intern(occ[k].term)
		if added {
			counts = append(counts, 0)
		}
		counts[id]++
		occ[k].id = id
	}
	all := slices.Grow(sc.positions[:0], len(occ))[:len(occ)]
	d.positions = slices.Grow(sc.termPositions[:0], len(counts))[:len(counts)]
	at := 0
	for id, n := range counts {
		d.positions[id] = all[at : at : at+n]
		at += n
	}
	for _, o := range occ {
		d.positions[o.id] = append(d.positions[o.id], o.pos)
	}
	sc.occ, sc.termCounts, sc.positions, sc.termPositions = occ, counts, all, d.positions
	return d
}

// PositionsHashed implements query.HashedDoc.
func (d *tokDoc) PositionsHashed(word string, hash uint64) []int {
	if id, ok := d.terms.lookupHashed(word, hash); ok {
		return d.positions[id]
	}
	return nil
}

// stemTerms remembers the stem terms of English words across articles.
// Porter stemming costs about 1,600 instructions a word, and an English
// article has about 370 distinct words, most of them seen before: stemming
// was a twentieth of the classifier's work on real text.
var stemTerms = stemCache{m: map[string]string{}}

// stemCacheMax bounds stemCache: at that many words it starts afresh. By
// estimate (short keys and values, map overhead) a full cache holds a few
// MiB; its hit rate on coverage it has not seen was not measured.
const stemCacheMax = 1 << 16

// stemCache maps a folded English word to its stem term,
// textnorm.StemPrefix + textnorm.Stem(word). Safe for concurrent use.
type stemCache struct {
	mu sync.RWMutex
	m  map[string]string
}

func (c *stemCache) term(word string) string {
	c.mu.RLock()
	k, ok := c.m[word]
	c.mu.RUnlock()
	if ok {
		return k
	}
	k = textnorm.StemPrefix + textnorm.Stem(word)
	c.mu.Lock()
	if len(c.m) >= stemCacheMax {
		clear(c.m)
	}
	c.m[strings.Clone(word)] = k // word is a piece of an article's text
	c.mu.Unlock()
	return k
}

// termPositions returns the positions of term, nil when it does not occur.
func (d *tokDoc) termPositions(term string) []int {
	if id, ok := d.terms.lookup(term); ok {
		return d.positions[id]
	}
	return nil
}

func (d *tokDoc) addKeyword(field string, values ...string) {
	for _, v := range values {
		d.keywords[field] = append(d.keywords[field], textnorm.Fold(v))
	}
	if d.keywords[field] == nil {
		d.keywords[field] = []string{}
	}
}

// Kind implements query.Doc.
func (d *tokDoc) Kind(field string) query.FieldKind {
	switch field {
	case "", "title", "text":
		return query.KindText
	}
	if _, ok := d.keywords[field]; ok {
		return query.KindKeyword
	}
	if _, ok := d.numbers[field]; ok {
		return query.KindNumber
	}
	return query.KindUnknown
}

// Positions implements query.Doc.
func (d *tokDoc) Positions(field, word string, prefix bool) []int {
	if !prefix && field == "" {
		return d.termPositions(word)
	}
	var out []int
	add := func(ps []int) {
		for _, p := range ps {
			switch {
			case field == "title" && p >= d.titleEnd:
				continue
			case field == "text" && p < d.titleEnd:
				continue
			}
			out = append(out, int(p))
		}
	}
	if !prefix {
		// Title positions come before text positions: the field's are a
		// piece of the ascending list.
		ps := d.termPositions(word)
		i := sort.SearchInts(ps, d.titleEnd)
		switch field {
		case "title":
			ps = ps[:i]
		case "text":
			ps = ps[i:]
		}
		if len(ps) == 0 {
			return nil
		}
		return ps
	}
	if d.byStart == nil {
		d.byStart = d.sc.termBuckets(d.terms.terms)
	}
	for _, t := range d.byStart.candidates(word) {
		if strings.HasPrefix(t, word) {
			add(d.termPositions(t))
		}
	}
	sort.Ints(out)
	return out
}

// termBuckets groups a document's terms by a hash of their first two
// bytes, so that a prefix query looks only at the terms that start as it
// does. Sorting the terms instead (and searching the prefix's range) took
// a tenth of the classifier's time on real articles, whose 5 KB hold a
// thousand distinct terms or more.
type termBuckets struct {
	start []int32 // terms[start[b]:start[b+1]] are bucket b's
	terms []string
}

const termBucketBits = 9

func termBucket(t string) int {
	var b0, b1 uint
	if len(t) > 0 {
		b0 = uint(t[0])
	}
	if len(t) > 1 {
		b1 = uint(t[1])
	}
	return int((b0*131 + b1) & (1<<termBucketBits - 1))
}

// termBuckets groups terms (distinct) by termBucket into the scratch's
// buckets.
func (sc *scratch) termBuckets(terms []string) *termBuckets {
	tb := &sc.buckets
	tb.start = slices.Grow(tb.start[:0], 1<<termBucketBits+1)[:1<<termBucketBits+1]
	clear(tb.start)
	tb.terms = slices.Grow(tb.terms[:0], len(terms))[:len(terms)]
	bucket := slices.Grow(sc.bucketOf[:0], len(terms))[:len(terms)] // each term's bucket
	for i, t := range terms {
		b := int32(termBucket(t))
		bucket[i] = b
		tb.start[b+1]++
	}
	for b := 1; b < len(tb.start); b++ {
		tb.start[b] += tb.start[b-1]
	}
	next := append(sc.next[:0], tb.start[:len(tb.start)-1]...) // each bucket's next free slot
	for i, t := range terms {
		b := bucket[i]
		tb.terms[next[b]] = t
		next[b]++
	}
	sc.bucketOf, sc.next = bucket, next
	return tb
}

// candidates returns the terms that may start with prefix: its bucket's
// when it is two bytes or longer, every term otherwise.
func (tb *termBuckets) candidates(prefix string) []string {
	if len(prefix) < 2 {
		return tb.terms
	}
	b := termBucket(prefix)
	return tb.terms[tb.start[b]:tb.start[b+1]]
}

// WrittenAs implements query.SpelledDoc: when the article (title and text
// together) is written with diacritics (textnorm.WrittenWithMarks, as the
// index decides it), a rule word with diacritics matches only as written;
// otherwise, and in the title field, folded.
func (d *tokDoc) WrittenAs(field string, pos int, spelling string) bool {
	if field == "title" {
		return true
	}
	if d.marked == 0 {
		l1, m1 := textnorm.CountMarked(d.parts[0].text)
		l2, m2 := textnorm.CountMarked(d.parts[1].text)
		d.marked = -1
		if textnorm.WrittenWithMarks(l1+l2, m1+m2) {
			d.marked = 1
		}
	}
	if d.marked < 0 {
		return true
	}
	part := &d.parts[0]
	if pos >= d.titleEnd {
		part = &d.parts[1]
	}
	p := pos - part.base
	terms := part.terms
	for i := sort.Search(len(terms), func(i int) bool { return terms[i].Pos >= p }); i < len(terms) && terms[i].Pos == p; i++ {
		if terms[i].Kind == textnorm.Word {
			return textnorm.SpelledAs(part.text[terms[i].Start:terms[i].End], spelling)
		}
	}
	return true // not a word (CJK): nothing to compare
}

// Keywords implements query.Doc.
func (d *tokDoc) Keywords(field string) []string { return d.keywords[field] }

// Number implements query.Doc.
func (d *tokDoc) Number(field string) (float64, bool) {
	v, ok := d.numbers[field]
	return v, ok
}

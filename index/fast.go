package index

// The bitmap search path.
//
// Bleve answers a search by walking every matching document through its
// searchers, scorer and collector, and visiting doc values per hit for
// facets: about half a microsecond per matching document, 180 ms for a
// two-word query that matches a quarter of a million articles. Most analyst
// queries are words, keyword filters and a date range combined with AND, OR
// and NOT; for those this file works on the index segments directly:
//
//   - the matching set is computed per segment with roaring-bitmap
//     operations on the postings lists, which zap stores as bitmaps;
//   - the total and every facet count (the histogram included) are
//     cardinalities of the matching set ANDed with each facet value's
//     postings, cached per segment (segments are immutable);
//   - date order walks the day facet from the newest day back until it has
//     enough documents, then sorts those by their exact publication time;
//   - relevance scores only the query's words, from their postings (term
//     frequency and field norm, tf-idf as Bleve scores a term query), split
//     across the CPUs by ranges of document numbers.
//
// Anything else (phrases, NEAR, prefixes, numeric comparisons) goes through
// Bleve unchanged. The two paths agree on which articles match, the totals and
// facet counts, and date order; TestFastPathAgreesWithBleve holds them together.

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/dongnai/presswatch/query"
)

// fastNode is a query the bitmap path evaluates: fnAll, *fnTerm, *fnAnd or *fnOr.
type fastNode interface{}

type (
	// fnAll matches every live document.
	fnAll struct{}
	// fnTerm matches documents holding any of alts; score lists what it
	// adds to relevance.
	fnTerm struct {
		alts  []fieldTerm
		score *scoredWord
	}
	// fnAnd matches documents matching every must and no not.
	fnAnd struct{ must, not []fastNode }
	// fnOr matches documents matching any of its nodes.
	fnOr struct{ any []fastNode }
	// fnPhrase matches documents holding toks at their relative positions
	// offs in field. fold, when set, are the text terms at those positions
	// in every match (toks in text; the folded words of a phrase in
	// text_spell), whose pairs of common words a match must hold (pairs.go).
	fnPhrase struct {
		field string
		toks  []string
		offs  []int
		fold  []string
	}
	// fnNear matches documents where every pair of ops occurs within dist
	// positions in field, as translator.near's gapped phrases do.
	fnNear struct {
		field string
		ops   []queryTerms
		// pre holds, for an operand ending in a prefix (word*), the index
		// terms its last position may be (prefixTerms, as the translator
		// expands it); nil for the others.
		pre  [][]string
		dist int
	}
)

// scoredWord is a positive query word and how it scores: the primary term
// everywhere; the stemmed term only in documents without the primary one; the
// exact-diacritics term as an addition, boosted.
type scoredWord struct {
	primary fieldTerm
	stem    *fieldTerm
	exact   *fieldTerm
	// group is 1 + the index of the Request.SameWord group the word's
	// spelling is in (0: none), and share its part of that spelling's
	// weight (1 / the spelling's terms).
	group int
	share float32
}

// fastPlan is a compiled request the bitmap path can answer.
type fastPlan struct {
	root         fastNode // nil matches every live document
	since, until time.Time
	words        []*scoredWord
}

// errNotFast marks a query the bitmap path leaves to Bleve.
var errNotFast = errors.New("not for the bitmap path")

// planner builds a fastPlan from a query AST, the same way translator
// builds the Bleve query.
type planner struct {
	ix     *Index
	neg    int
	words  []*scoredWord
	groups map[string]int // a spelling's analysed terms → 1 + its SameWord group
	// groupWords are the terms of each group's first spelling, which the
	// query may hold as separate bare words: term → group and share.
	groupWords map[string]groupShare
}

type groupShare struct {
	group int
	share float32
}

// sameWord tags ws, the words of one spelling analysed as qt, with the
// SameWord group the spelling is in, if any.
func (p *planner) sameWord(qt queryTerms, ws ...*scoredWord) {
	key := strings.Join(qt.toks, " ")
	if g := p.groups[key]; g != 0 {
		for _, w := range ws {
			w.group, w.share = g, 1/float32(len(ws))
		}
		return
	}
	if gs, ok := p.groupWords[key]; ok && len(ws) == 1 {
		ws[0].group, ws[0].share = gs.group, gs.share
	}
}

func (p *planner) node(n query.Node) (fastNode, error) {
	switch n := n.(type) {
	case *query.And:
		a := &fnAnd{}
		for _, c := range flattenAnd(n, nil) {
			if x, ok := c.(*query.Not); ok {
				p.neg++
				q, err := p.node(x.X)
				p.neg--
				if err != nil {
					return nil, err
				}
				a.not = append(a.not, q)
				continue
			}
			q, err := p.node(c)
			if err != nil {
				return nil, err
			}
			a.must = append(a.must, q)
		}
		if len(a.must) == 0 {
			a.must = []fastNode{fnAll{}}
		}
		return a, nil
	case *query.Or:
		o := &fnOr{}
		for _, c := range flattenOr(n, nil) {
			q, err := p.node(c)
			if err != nil {
				return nil, err
			}
			o.any = append(o.any, q)
		}
		return o, nil
	case *query.Not:
		p.neg++
		q, err := p.node(n.X)
		p.neg--
		if err != nil {
			return nil, err
		}
		return &fnAnd{must: []fastNode{fnAll{}}, not: []fastNode{q}}, nil
	case *query.Term:
		if n.Prefix {
			return nil, errNotFast
		}
		kind, f := queryField(n.Field)
		switch kind {
		case kindKeyword:
			terms, err := keywordTerms(f, n.Value)
			if err != nil {
				return nil, errNotFast // let the translator report it
			}
			return &fnTerm{alts: terms}, nil
		case kindText:
			return p.text(f, n.Value)
		}
	case *query.Phrase:
		kind, f := queryField(n.Field)
		switch kind {
		case kindKeyword:
			terms, err := keywordTerms(f, strings.Join(n.Words, " "))
			if err != nil {
				return nil, errNotFast
			}
			return &fnTerm{alts: terms}, nil
		case kindText:
			return p.phrase(f, strings.Join(n.Words, " "))
		}
	case *query.Near:
		return p.near(n)
	}
	return nil, errNotFast
}

// near plans a NEAR chain of words and phrases as translator.near
// translates it: every operand present (scored as its words), and, up to
// nearPhraseMax, every pair of operands within the distance. An operand
// ending in a prefix (word*) stands for the index terms the translator
// expands it to (at most prefixExpandMax, the same ones); it is matched
// through the pair check and not scored.
func (p *planner) near(n *query.Near) (fastNode, error) {
	field := ""
	var ops []queryTerms
	var pre [][]string
	prefixed := false
	for _, op := range n.Terms {
		var f, value string
		prefix := false
		switch op := op.(type) {
		case *query.Term:
			f, value, prefix = op.Field, op.Value, op.Prefix
		case *query.Phrase:
			f, value = op.Field, strings.Join(op.Words, " ")
		default:
			return nil, errNotFast
		}
		kind, idx := queryField(f)
		if kind != kindText || (field != "" && idx != field) {
			return nil, errNotFast // the translator says what is wrong
		}
		field = idx
		qt := analyzeQuery(value)
		if len(qt.toks) == 0 {
			return &fnOr{}, nil // matches nothing, as the translator's match-none
		}
		var exp []string
		if prefix {
			last := qt.toks[len(qt.toks)-1]
			if !isCJKString(last) && utf8.RuneCountInString(last) < minPrefixRunes {
				return nil, errNotFast // the translator refuses it
			}
			var err error
			if exp, err = p.ix.prefixTerms(idx, last, prefixExpandMax); err != nil {
				return nil, err
			}
			if len(exp) == 0 {
				return &fnOr{}, nil
			}
			prefixed = true
		}
		ops = append(ops, qt)
		pre = append(pre, exp)
	}
	if prefixed && len(ops) < 2 {
		return nil, errNotFast
	}
	a := &fnAnd{}
	for i, qt := range ops {
		if pre[i] != nil {
			if n.Dist <= nearPhraseMax {
				continue // matched through the pair check below
			}
			// Past nearPhraseMax the operands need only be present: a
			// prefix alone is any of its terms; a phrase ending in one
			// is left to Bleve.
			if len(qt.toks) > 1 {
				return nil, errNotFast
			}
			t := &fnTerm{}
			for _, term := range pre[i] {
				t.alts = append(t.alts, fieldTerm{field, term})
			}
			a.must = append(a.must, t)
			continue
		}
		nd, err := p.terms(field, qt)
		if err != nil {
			return nil, err
		}
		a.must = append(a.must, nd)
	}
	if len(ops) > 1 && n.Dist <= nearPhraseMax {
		a.must = append(a.must, &fnNear{field: field, ops: ops, pre: pre, dist: n.Dist})
	}
	return a, nil
}

// phrase plans "a b c" on a text field as translator.phrase translates it:
// the terms at their relative positions, exactly (no stems), in one part of
// the text.
func (p *planner) phrase(field, value string) (fastNode, error) {
	qt := analyzeQuery(value)
	n, err := p.terms(field, qt)
	if err != nil {
		return nil, err
	}
	return spellFilter(field, qt, n), nil
}

// spellFilter plans translator.spellFilter: of the documents n matches,
// those written with diacritics must hold qt's words with diacritics as
// written (in fSpell, at their relative positions); it adds no score.
func spellFilter(field string, qt queryTerms, n fastNode) fastNode {
	if field != fText || qt.spell == nil || len(qt.toks) == 0 {
		return n
	}
	sq := qt.spelled()
	var spelled fastNode = &fnTerm{alts: []fieldTerm{{fSpell, sq.toks[0]}}}
	if len(sq.toks) > 1 {
		// A word as spelled in text_spell is its folded word in text at the
		// same position, so the phrase's text pairs narrow its candidates.
		spelled = &fnPhrase{field: fSpell, toks: sq.toks, offs: sq.offs, fold: qt.toks}
	}
	marked := &fnTerm{alts: []fieldTerm{{fWritten, writtenMarked}}}
	return &fnAnd{must: []fastNode{n}, not: []fastNode{&fnAnd{must: []fastNode{marked}, not: []fastNode{spelled}}}}
}

// terms plans query terms as a phrase (one term: the term alone), scored
// as their words.
func (p *planner) terms(field string, qt queryTerms) (fastNode, error) {
	if len(qt.toks) == 0 {
		return &fnOr{}, nil // matches nothing, as Bleve's match-none
	}
	var ws []*scoredWord
	for _, tok := range qt.toks {
		ws = append(ws, &scoredWord{primary: fieldTerm{field, tok}})
	}
	p.sameWord(qt, ws...)
	if p.neg%2 == 0 {
		p.words = append(p.words, ws...)
	}
	if len(qt.toks) == 1 {
		t := &fnTerm{alts: []fieldTerm{ws[0].primary}}
		if p.neg%2 == 0 {
			t.score = ws[0]
		}
		return t, nil
	}
	ph := &fnPhrase{field: field, toks: qt.toks, offs: qt.offs}
	if field == fText {
		ph.fold = qt.toks
	}
	return ph, nil
}

// text plans an unquoted word of a text field as translator.text
// translates it.
func (p *planner) text(field, value string) (fastNode, error) {
	qt := analyzeQuery(value)
	if !qt.word || field != fText {
		// A word that is several terms (Đồng-Nai, 同奈省) matches as their
		// phrase; a CJK term alone as itself.
		n, err := p.terms(field, qt)
		if err != nil {
			return nil, err
		}
		return spellFilter(field, qt, n), nil
	}
	w := &scoredWord{primary: fieldTerm{field, qt.toks[0]}}
	t := &fnTerm{alts: []fieldTerm{w.primary}}
	if qt.spell != nil {
		w.exact = &fieldTerm{fSpell, qt.spell[0]}
	}
	if st := stemOf(value, qt); st != "" {
		w.stem = &fieldTerm{fTextEN, st}
		t.alts = append(t.alts, *w.stem)
	}
	p.sameWord(qt, w)
	if p.neg%2 == 0 {
		t.score = w
		p.words = append(p.words, w)
	}
	return spellFilter(field, qt, t), nil
}

// planFast returns the bitmap plan for r, or errNotFast.
func (ix *Index) planFast(r Request, n query.Node) (*fastPlan, error) {
	if ix.noFast {
		return nil, errNotFast
	}
	// The bitmap path bounds dates by the published day facets and doc
	// values; a range on the collection time goes through Bleve, on the
	// indexed collected field.
	if r.DateBasis == DateCollected && (!r.Since.IsZero() || !r.Until.IsZero()) {
		return nil, errNotFast
	}
	p := &planner{ix: ix}
	if len(r.SameWord) > 0 {
		p.groups, p.groupWords = map[string]int{}, map[string]groupShare{}
	}
	for i, g := range r.SameWord {
		for j, spelling := range g {
			qt := analyzeQuery(spelling)
			if len(qt.toks) == 0 {
				continue
			}
			p.groups[strings.Join(qt.toks, " ")] = i + 1
			if j == 0 && len(qt.toks) > 1 {
				for _, tok := range qt.toks {
					p.groupWords[tok] = groupShare{group: i + 1, share: 1 / float32(len(qt.toks))}
				}
			}
		}
	}
	var parts []fastNode
	if n != nil {
		root, err := p.node(n)
		if err != nil {
			return nil, err
		}
		parts = append(parts, root)
	}
	for k, vals := range r.Filters {
		if len(vals) == 0 {
			continue
		}
		_, f := queryField(k)
		o := &fnOr{}
		for _, v := range vals {
			terms, err := keywordTerms(f, v)
			if err != nil {
				return nil, errNotFast
			}
			o.any = append(o.any, &fnTerm{alts: terms})
		}
		parts = append(parts, o)
	}
	plan := &fastPlan{since: r.Since, until: r.Until, words: p.words}
	switch len(parts) {
	case 0:
	case 1:
		plan.root = parts[0]
	default:
		plan.root = &fnAnd{must: parts}
	}
	return plan, nil
}

// segFacets are the facet values of one segment and their postings.
type segFacets struct {
	once  sync.Once
	err   error
	terms []string // facets field terms, sorted ("d:2025-01-31" sorts by day)
	bms   []*roaring.Bitmap
	days  []time.Time // the day of each day term, zero for the others
	// cols are the facet groups whose values never share a document (lang,
	// country, outlet, tone, needs_review, day): each document's value as an
	// index into terms, noValue when it has none. Counting along the match
	// through a column is cheaper than intersecting the match with every
	// value's bitmap, most of which are small.
	cols [][]uint16
	// inCol tells the terms counted through cols; the others (topics: a
	// document has several) are counted by intersecting bitmaps.
	inCol []bool
	// dayCol is the index in cols of the day column, -1 when there is none.
	dayCol int

	// The segment's documents in order of their IDs, for ties: rank[d] is
	// the place of document d's ID among the segment's, byID the inverse.
	idOnce sync.Once
	idErr  error
	rank   []uint32
	byID   []uint32

	// risk is each document's risk (riskNone: none), read once per segment
	// from the risk field's doc values, for the risk order.
	riskOnce sync.Once
	riskErr  error
	risk     []int16
}

// riskNone marks a document without a risk; it sorts after every risk, as
// Bleve sorts a missing value last.
const riskNone = math.MinInt16

// loadRisk fills f.risk once per segment.
func (f *segFacets) loadRisk(s segment.Segment) error {
	f.riskOnce.Do(func() {
		dv, ok := s.(segment.DocValueVisitable)
		if !ok {
			f.riskErr = fmt.Errorf("segment %T has no doc values", s)
			return
		}
		count := s.Count()
		col := make([]int16, count)
		var state segment.DocVisitState
		for d := uint64(0); d < count; d++ {
			v := int16(riskNone)
			var err error
			state, err = dv.VisitDocValues(d, []string{fRisk}, func(_ string, term []byte) {
				if valid, shift := numeric.ValidPrefixCodedTermBytes(term); valid && shift == 0 {
					if i, err := numeric.PrefixCoded(term).Int64(); err == nil {
						// Risks are whole numbers 0..100 (article.Classification).
						v = int16(min(max(numeric.Int64ToFloat64(i), math.MinInt16+1), math.MaxInt16))
					}
				}
			}, state)
			if err != nil {
				f.riskErr = err
				return
			}
			col[d] = v
		}
		f.risk = col
	})
	return f.riskErr
}

// loadIDs reads the order of the segment's document IDs from its _id
// dictionary (sorted), once per segment.
func (f *segFacets) loadIDs(s segment.Segment) error {
	f.idOnce.Do(func() {
		count := s.Count()
		f.rank = make([]uint32, count)
		f.byID = make([]uint32, 0, count)
		d, err := s.Dictionary("_id")
		if err != nil {
			f.idErr = err
			return
		}
		it := d.AutomatonIterator(nil, nil, nil)
		var pl segment.PostingsList
		var pi segment.PostingsIterator
		for {
			e, err := it.Next()
			if err != nil {
				f.idErr = err
				return
			}
			if e == nil {
				break
			}
			pl, err = d.PostingsList([]byte(e.Term), nil, pl)
			if err != nil {
				f.idErr = err
				return
			}
			pi = pl.Iterator(false, false, false, pi)
			for {
				p, err := pi.Next()
				if err != nil {
					f.idErr = err
					return
				}
				if p == nil {
					break
				}
				if n := p.Number(); n < count {
					f.rank[n] = uint32(len(f.byID))
					f.byID = append(f.byID, uint32(n))
				}
			}
		}
	})
	return f.idErr
}

// noValue marks a document without a value in a segFacets column.
const noValue = math.MaxUint16

// facetCache keeps segFacets per segment; segments never change, so an
// entry is valid until its segment is merged away, when prune drops it.
type facetCache struct {
	mu   sync.Mutex
	segs map[segment.Segment]*segFacets
}

func (c *facetCache) get(s segment.Segment) *segFacets {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.segs == nil {
		c.segs = make(map[segment.Segment]*segFacets)
	}
	f := c.segs[s]
	if f == nil {
		f = &segFacets{}
		c.segs[s] = f
	}
	return f
}

// prune forgets segments that are not in live.
func (c *facetCache) prune(live []*scorch.SegmentSnapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.segs) <= len(live) {
		return
	}
	keep := make(map[segment.Segment]bool, len(live))
	for _, s := range live {
		keep[s.Segment()] = true
	}
	for s := range c.segs {
		if !keep[s] {
			delete(c.segs, s)
		}
	}
}

func (f *segFacets) load(s segment.Segment) error {
	f.once.Do(func() {
		d, err := s.Dictionary(fFacets)
		if err != nil {
			f.err = err
			return
		}
		it := d.AutomatonIterator(nil, nil, nil)
		for {
			e, err := it.Next()
			if err != nil {
				f.err = err
				return
			}
			if e == nil {
				break
			}
			bm, err := postings(d, e.Term)
			if err != nil {
				f.err = err
				return
			}
			bm.RunOptimize()
			f.terms = append(f.terms, e.Term)
			f.bms = append(f.bms, bm)
			day, _ := dayOf(e.Term)
			f.days = append(f.days, day)
		}
		if len(f.terms) >= noValue {
			f.err = fmt.Errorf("segment has %d facet values, more than %d", len(f.terms), noValue-1)
			return
		}
		f.buildColumns(s.Count())
	})
	return f.err
}

// buildColumns makes a column of every facet group whose values are
// disjoint.
func (f *segFacets) buildColumns(count uint64) {
	f.inCol = make([]bool, len(f.terms))
	f.dayCol = -1
	groups := map[string][]int{}
	var order []string
	for j, t := range f.terms {
		g, _, _ := strings.Cut(t, ":")
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], j)
	}
	for _, g := range order {
		js := groups[g]
		var sum uint64
		union := roaring.New()
		for _, j := range js {
			sum += f.bms[j].GetCardinality()
			union.Or(f.bms[j])
		}
		if sum != union.GetCardinality() {
			continue // a document has several values
		}
		col := make([]uint16, count)
		for i := range col {
			col[i] = noValue
		}
		for _, j := range js {
			f.inCol[j] = true
			it := f.bms[j].Iterator()
			for it.HasNext() {
				if d := it.Next(); uint64(d) < count {
					col[d] = uint16(j)
				}
			}
		}
		if g == facetCodes[facetDay] {
			f.dayCol = len(f.cols)
		}
		f.cols = append(f.cols, col)
	}
}

// postings returns the documents of term in d as a new bitmap.
func postings(d segment.TermDictionary, term string) (*roaring.Bitmap, error) {
	pl, err := d.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return nil, err
	}
	return listDocs(pl)
}

// listDocs returns the documents of a postings list as a new bitmap.
func listDocs(pl segment.PostingsList) (*roaring.Bitmap, error) {
	bm := roaring.New()
	if o, ok := pl.(interface{ OrInto(*roaring.Bitmap) }); ok {
		o.OrInto(bm)
		return bm, nil
	}
	it := pl.Iterator(false, false, false, nil)
	for {
		p, err := it.Next()
		if err != nil {
			return nil, err
		}
		if p == nil {
			return bm, nil
		}
		bm.Add(uint32(p.Number()))
	}
}

// fastSeg is one segment of the snapshot a fast search reads.
type fastSeg struct {
	ss     *scorch.SegmentSnapshot
	seg    segment.Segment
	offset uint64 // global number of its document 0
	count  uint64
	dicts  map[string]segment.TermDictionary
	facets *segFacets
	match  *roaring.Bitmap
	ix     *Index
	ctx    context.Context // the search's: readNear stops when it ends
}

func (s *fastSeg) dict(field string) (segment.TermDictionary, error) {
	if d, ok := s.dicts[field]; ok {
		return d, nil
	}
	d, err := s.seg.Dictionary(field)
	if err != nil {
		return nil, err
	}
	s.dicts[field] = d
	return d, nil
}

func (s *fastSeg) live() *roaring.Bitmap {
	bm := roaring.New()
	bm.AddRange(0, s.count)
	if del := s.ss.Deleted(); del != nil {
		bm.AndNot(del)
	}
	return bm
}

func (s *fastSeg) eval(n fastNode) (*roaring.Bitmap, error) {
	switch n := n.(type) {
	case nil, fnAll:
		return s.live(), nil
	case *fnTerm:
		out := roaring.New()
		for _, ft := range n.alts {
			d, err := s.dict(ft.field)
			if err != nil {
				return nil, err
			}
			bm, err := postings(d, ft.term)
			if err != nil {
				return nil, err
			}
			out.Or(bm)
		}
		return out, nil
	case *fnAnd:
		var out *roaring.Bitmap
		for _, c := range n.must {
			bm, err := s.eval(c)
			if err != nil {
				return nil, err
			}
			if out == nil {
				out = bm
			} else {
				out.And(bm)
			}
			if out.IsEmpty() {
				return out, nil
			}
		}
		for _, c := range n.not {
			bm, err := s.eval(c)
			if err != nil {
				return nil, err
			}
			out.AndNot(bm)
		}
		return out, nil
	case *fnPhrase:
		if ic := s.ix.impacts; ic != nil {
			key := impactKey{seg: s.seg, field: phraseDocsField + n.field, term: phraseKey(n.toks, n.offs)}
			l, err := ic.lookup(key, func(l *impactList) error { return readPhrase(l, s.seg, n.field, n.toks, n.offs, n.fold) })
			if err != nil {
				return nil, err
			}
			return l.docs.Clone(), nil
		}
		var l impactList
		if err := readPhrase(&l, s.seg, n.field, n.toks, n.offs, n.fold); err != nil {
			return nil, err
		}
		return l.docs, nil
	case *fnNear:
		return readNear(s.ctx, s.seg, n)
	case *fnOr:
		out := roaring.New()
		for _, c := range n.any {
			bm, err := s.eval(c)
			if err != nil {
				return nil, err
			}
			out.Or(bm)
		}
		return out, nil
	}
	return nil, fmt.Errorf("bitmap search: unknown node %T", n)
}

// dayOf parses a day facet term ("d:2006-01-02", a Vietnam day) into its
// first instant.
func dayOf(term string) (time.Time, bool) {
	v, ok := strings.CutPrefix(term, facetCodes[facetDay]+":")
	if !ok {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation(dayLayout, v, vietnam)
	return d, err == nil
}

// published returns the publication time of local document n, in Unix
// nanoseconds, from the published field's doc values.
func (s *fastSeg) published(n uint64, state segment.DocVisitState) (int64, segment.DocVisitState, error) {
	dv, ok := s.seg.(segment.DocValueVisitable)
	if !ok {
		return 0, state, fmt.Errorf("segment %T has no doc values", s.seg)
	}
	var (
		v     int64
		found bool
	)
	state, err := dv.VisitDocValues(n, []string{fPublished}, func(_ string, term []byte) {
		if valid, shift := numeric.ValidPrefixCodedTermBytes(term); valid && shift == 0 {
			if i, err := numeric.PrefixCoded(term).Int64(); err == nil {
				v, found = i, true
			}
		}
	}, state)
	if err != nil {
		return 0, state, err
	}
	if !found {
		return math.MinInt64, state, nil
	}
	return v, state, nil
}

// restrictDates applies since/until to s.match: whole days inside the range
// through the day facet's postings, the two boundary days document by
// document from the publication time.
func (s *fastSeg) restrictDates(since, until time.Time) error {
	if since.IsZero() && until.IsZero() {
		return nil
	}
	in := roaring.New()
	var partial []*roaring.Bitmap
	for i, day := range s.facets.days {
		if day.IsZero() {
			continue
		}
		end := day.Add(24 * time.Hour)
		if (!until.IsZero() && !day.Before(until)) || (!since.IsZero() && !end.After(since)) {
			continue // outside
		}
		if (since.IsZero() || !day.Before(since)) && (until.IsZero() || !end.After(until)) {
			in.Or(s.facets.bms[i])
		} else {
			partial = append(partial, s.facets.bms[i])
		}
	}
	var state segment.DocVisitState
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !since.IsZero() {
		lo = since.UnixNano()
	}
	if !until.IsZero() {
		hi = until.UnixNano()
	}
	for _, p := range partial {
		it := roaring.And(s.match, p).Iterator()
		for it.HasNext() {
			n := it.Next()
			var (
				t   int64
				err error
			)
			t, state, err = s.published(uint64(n), state)
			if err != nil {
				return err
			}
			if t >= lo && t < hi {
				in.Add(n)
			}
		}
	}
	s.match.And(in)
	return nil
}

// fastHit is a ranked document of the bitmap path. Ties (equal scores or
// times) are broken by document ID: rank orders the IDs within a segment,
// id is looked up only where a tie spans segments.
type fastHit struct {
	seg   int
	doc   uint64 // local number
	score float64
	pub   int64  // publication time (Unix ns), for the risk order's ties
	rank  uint32 // place of the document's ID in its segment
	id    string // set by orderHits where needed
}

// hitHeap keeps the best k hits with the worst on top.
type hitHeap struct {
	h    []fastHit
	less func(a, b *fastHit) bool // a ranks after b
}

func (h *hitHeap) Len() int           { return len(h.h) }
func (h *hitHeap) Less(i, j int) bool { return h.less(&h.h[i], &h.h[j]) }
func (h *hitHeap) Swap(i, j int)      { h.h[i], h.h[j] = h.h[j], h.h[i] }
func (h *hitHeap) Push(x any)         { h.h = append(h.h, x.(fastHit)) }
func (h *hitHeap) Pop() any {
	x := h.h[len(h.h)-1]
	h.h = h.h[:len(h.h)-1]
	return x
}

// offer adds x when it ranks before the worst of a full heap of k.
func (h *hitHeap) offer(x fastHit, k int) {
	if len(h.h) < k {
		heap.Push(h, x)
		return
	}
	if h.less(&h.h[0], &x) {
		h.h[0] = x
		heap.Fix(h, 0)
	}
}

// worseByScore ranks by score, then by ID within one segment (a task's
// heap holds one segment's documents; orderHits merges segments).
func worseByScore(a, b *fastHit) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.rank > b.rank
}

// orderHits sorts hits by cmp (negative: a first) and then by document
// ID, and returns the first k. IDs are read only for ties that span
// segments and reach the first k.
func (fs *fastSnapshot) orderHits(hits []fastHit, k int, cmp func(a, b *fastHit) int) ([]fastHit, error) {
	sort.Slice(hits, func(i, j int) bool {
		a, b := &hits[i], &hits[j]
		if c := cmp(a, b); c != 0 {
			return c < 0
		}
		if a.seg != b.seg {
			return a.seg < b.seg
		}
		return a.rank < b.rank
	})
	for lo := 0; lo < len(hits) && lo < k; {
		hi := lo + 1
		multi := false
		for hi < len(hits) && cmp(&hits[lo], &hits[hi]) == 0 {
			multi = multi || hits[hi].seg != hits[lo].seg
			hi++
		}
		if multi {
			g := hits[lo:hi]
			for i := range g {
				id, err := fs.segs[g[i].seg].ss.DocID(g[i].doc)
				if err != nil {
					return nil, err
				}
				g[i].id = string(id)
			}
			sort.Slice(g, func(i, j int) bool { return g[i].id < g[j].id })
		}
		lo = hi
	}
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
}

// fastSnapshot is the state of one bitmap search.
type fastSnapshot struct {
	ix     *Index
	snap   *scorch.IndexSnapshot
	segs   []*fastSeg
	total  uint64
	counts map[string]uint64 // facet term → matching documents
}

// errFastUnavailable: the index is not a scorch index (never in practice).
var errFastUnavailable = errors.New("bitmap search needs a scorch index")

// searchFast answers r with plan; the caller falls back to Bleve on
// errFastUnavailable.
func (ix *Index) searchFast(ctx context.Context, r Request, c *compiled, plan *fastPlan) (*Result, error) {
	start := time.Now()
	fs, done, err := ix.openFast(ctx, plan)
	if err != nil {
		if errors.Is(err, errFastUnavailable) {
			return nil, err
		}
		return nil, fmt.Errorf("search %q: %w", r.Query, err)
	}
	defer done()
	byDate := c.sort[0] != "-_score"
	if r.Facets || byDate {
		if err := fs.countFacets(ctx, r.Facets); err != nil {
			return nil, fmt.Errorf("search %q: %w", r.Query, err)
		}
	}

	k := r.From + r.Size
	// Bare words: the best rerankDepth hits are re-ranked phrase-first,
	// whatever the page, so that every page (and Export) agrees.
	rerank := len(c.phrase) > 1 && !byDate && k > 0
	if rerank {
		k = max(k, rerankDepth)
	}
	var top []fastHit
	switch {
	case k == 0 || fs.total == 0:
	case c.sort[0] == "-"+fRisk:
		top, err = fs.topByRisk(ctx, k)
	case byDate:
		top, err = fs.topByDate(ctx, k, c.sort[0] == "-"+fPublished)
	default:
		top, err = fs.topByScore(ctx, k, plan.words)
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", r.Query, err)
	}
	if rerank {
		n := min(rerankDepth, len(top))
		head, err := fs.phraseFirst(top[:n:n], c.phrase)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", r.Query, err)
		}
		top = append(head, top[n:]...)
	}
	top = top[min(r.From, len(top)):min(r.From+r.Size, len(top))]
	hits := make(search.DocumentMatchCollection, 0, len(top))
	for _, h := range top {
		id := h.id
		if id == "" {
			b, err := fs.segs[h.seg].ss.DocID(h.doc)
			if err != nil {
				return nil, fmt.Errorf("search %q: %w", r.Query, err)
			}
			id = string(b)
		}
		hits = append(hits, &search.DocumentMatch{ID: id, Score: h.score})
	}
	out := &Result{Total: fs.total, Hits: make([]Hit, 0, len(hits))}
	if len(hits) > 0 {
		loaded, err := ix.loadHits(ctx, hits, r.Highlight)
		if err != nil {
			return nil, err
		}
		docs := make([]*search.DocumentMatch, 0, len(hits))
		var scores []float64
		for _, h := range hits {
			if d := loaded[h.ID]; d != nil {
				docs = append(docs, d)
				scores = append(scores, h.Score)
			}
		}
		if out.Hits, err = toHits(ctx, docs, c.terms, r.Highlight); err != nil {
			return nil, err
		}
		for i := range out.Hits {
			out.Hits[i].Score = scores[i]
		}
	}
	if r.Facets {
		out.Facets, out.Histogram = fs.facetResult()
	}
	out.Took = time.Since(start)
	ix.metrics.searches.WithLabelValues("search").Observe(out.Took.Seconds())
	return out, nil
}

// openFast opens a snapshot of the index and matches plan in every
// segment; done releases the snapshot. errFastUnavailable: not a scorch
// index.
func (ix *Index) openFast(ctx context.Context, plan *fastPlan) (*fastSnapshot, func(), error) {
	adv, err := ix.bi.Advanced()
	if err != nil {
		return nil, nil, errFastUnavailable
	}
	reader, err := adv.Reader()
	if err != nil {
		return nil, nil, fmt.Errorf("open snapshot: %w", err)
	}
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		_ = reader.Close()
		return nil, nil, errFastUnavailable
	}
	fs := &fastSnapshot{ix: ix, snap: snap}
	var offset uint64
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		fs.segs = append(fs.segs, &fastSeg{
			ss: ss, seg: seg, offset: offset, count: seg.Count(),
			dicts: map[string]segment.TermDictionary{}, facets: ix.facets.get(seg), ix: ix, ctx: ctx,
		})
		offset += seg.Count()
	}
	done := func() {
		ix.facets.prune(snap.Segments())
		if ix.impacts != nil {
			ix.impacts.pruneIfChanged(snap.Segments())
		}
		_ = reader.Close()
	}

	// Match, count and facet each segment, in parallel.
	err = parallel(ctx, len(fs.segs), func(i int) error {
		s := fs.segs[i]
		if err := s.facets.load(s.seg); err != nil {
			return err
		}
		m, err := s.eval(plan.root)
		if err != nil {
			return err
		}
		if del := s.ss.Deleted(); del != nil {
			m.AndNot(del)
		}
		s.match = m
		return s.restrictDates(plan.since, plan.until)
	})
	if err != nil {
		done()
		return nil, nil, err
	}
	for _, s := range fs.segs {
		fs.total += s.match.GetCardinality()
	}
	return fs, done, nil
}

// exportFast streams every match of a request the bitmap path answers, in
// the order Search shows them (the same ranking, ties by ID), loading the
// stored fields a page at a time.
func (ix *Index) exportFast(ctx context.Context, r Request, c *compiled, plan *fastPlan, fn func(Hit) error) error {
	fs, done, err := ix.openFast(ctx, plan)
	if err != nil {
		return err
	}
	defer done()
	k := int(fs.total)
	var top []fastHit
	switch {
	case k == 0:
		return nil
	case c.sort[0] != "-_score":
		if err := fs.countFacets(ctx, false); err != nil {
			return err
		}
		if c.sort[0] == "-"+fRisk {
			top, err = fs.topByRisk(ctx, k)
		} else {
			top, err = fs.topByDate(ctx, k, c.sort[0] == "-"+fPublished)
		}
	default:
		top, err = fs.topByScore(ctx, k, plan.words)
		if err == nil && len(c.phrase) > 1 {
			// As Search: the best rerankDepth phrase-first.
			n := min(rerankDepth, len(top))
			var head []fastHit
			head, err = fs.phraseFirst(top[:n:n], c.phrase)
			top = append(head, top[n:]...)
		}
	}
	if err != nil {
		return err
	}
	for lo := 0; lo < len(top); lo += exportPage {
		if err := ctx.Err(); err != nil {
			return err
		}
		page := top[lo:min(lo+exportPage, len(top))]
		hits := make(search.DocumentMatchCollection, 0, len(page))
		for _, h := range page {
			id, err := fs.segs[h.seg].ss.DocID(h.doc)
			if err != nil {
				return err
			}
			hits = append(hits, &search.DocumentMatch{ID: string(id), Score: h.score})
		}
		loaded, err := ix.loadHits(ctx, hits, r.Highlight)
		if err != nil {
			return err
		}
		for _, h := range hits {
			d := loaded[h.ID]
			if d == nil {
				continue // deleted since the snapshot
			}
			hit := toHit(d, c.terms, r.Highlight)
			hit.Score = h.Score
			if err := fn(hit); err != nil {
				return err
			}
		}
	}
	return nil
}

// parallel runs fn(0..n-1) on up to GOMAXPROCS goroutines and returns the
// first error.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := 0; i < n; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		next  int
		first error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := first != nil || i >= n
				mu.Unlock()
				if stop {
					return
				}
				err := ctx.Err()
				if err == nil {
					err = fn(i)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// countFacets counts every facet value over the matching documents (all
// of them when all is set, only the days otherwise).
func (fs *fastSnapshot) countFacets(ctx context.Context, all bool) error {
	// Tasks: the column counts of a range of one segment's documents, and,
	// when all facets are wanted, the bitmap counts of one segment.
	type task struct {
		seg    int
		lo, hi uint64
		bitmap bool
	}
	var tasks []task
	for i, s := range fs.segs {
		if s.match.IsEmpty() {
			continue
		}
		if all {
			tasks = append(tasks, task{seg: i, bitmap: true})
		}
		for lo := uint64(0); lo < s.count; lo += scoreUnit {
			tasks = append(tasks, task{seg: i, lo: lo, hi: min(lo+scoreUnit, s.count)})
		}
	}
	per := make([][]uint64, len(tasks))
	err := parallel(ctx, len(tasks), func(ti int) error {
		t := tasks[ti]
		s := fs.segs[t.seg]
		f := s.facets
		counts := make([]uint64, len(f.terms))
		per[ti] = counts
		if t.bitmap {
			for j, bm := range f.bms {
				if !f.inCol[j] {
					counts[j] = s.match.AndCardinality(bm)
				}
			}
			return nil
		}
		cols := f.cols
		if !all { // only the days
			cols = nil
			if f.dayCol >= 0 {
				cols = f.cols[f.dayCol : f.dayCol+1]
			}
		}
		var inRange roaring.Bitmap
		inRange.AddRange(t.lo, t.hi)
		inRange.And(s.match)
		buf := make([]uint32, 512)
		mi := inRange.ManyIterator()
		for n := mi.NextMany(buf); n > 0; n = mi.NextMany(buf) {
			for _, col := range cols {
				for _, d := range buf[:n] {
					if j := col[d]; j != noValue {
						counts[j]++
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fs.counts = make(map[string]uint64)
	for ti, counts := range per {
		terms := fs.segs[tasks[ti].seg].facets.terms
		for j, n := range counts {
			if n > 0 {
				fs.counts[terms[j]] += n
			}
		}
	}
	return nil
}

// facetResult turns the counts into Result.Facets and Result.Histogram.
func (fs *fastSnapshot) facetResult() (map[string][]FacetCount, []DateCount) {
	terms := make([]*search.TermFacet, 0, len(fs.counts))
	for t, n := range fs.counts {
		terms = append(terms, &search.TermFacet{Term: t, Count: int(n)})
	}
	tf := &search.TermFacets{}
	for _, t := range terms {
		tf.Add(t)
	}
	return splitFacets(&search.FacetResult{Field: fFacets, Terms: tf}, 1)
}

// topByDate returns the first k matching documents by publication time:
// whole days from the newest (or oldest) until they hold k documents, then
// those days' documents sorted by their exact time.
func (fs *fastSnapshot) topByDate(ctx context.Context, k int, newest bool) ([]fastHit, error) {
	days := make([]string, 0, len(fs.counts))
	for t := range fs.counts {
		if strings.HasPrefix(t, facetCodes[facetDay]+":") {
			days = append(days, t)
		}
	}
	sort.Strings(days)
	if newest {
		for i, j := 0, len(days)-1; i < j; i, j = i+1, j-1 {
			days[i], days[j] = days[j], days[i]
		}
	}
	want := map[string]bool{}
	var n uint64
	for _, d := range days {
		if n >= uint64(k) {
			break
		}
		want[d] = true
		n += fs.counts[d]
	}
	per := make([][]fastHit, len(fs.segs))
	err := parallel(ctx, len(fs.segs), func(i int) error {
		s := fs.segs[i]
		cand := roaring.New()
		for j, term := range s.facets.terms {
			if want[term] {
				cand.Or(s.facets.bms[j])
			}
		}
		cand.And(s.match)
		if err := s.facets.loadIDs(s.seg); err != nil {
			return err
		}
		hits := make([]fastHit, 0, cand.GetCardinality())
		var state segment.DocVisitState
		it := cand.Iterator()
		for it.HasNext() {
			d := uint64(it.Next())
			t, st, err := s.published(d, state)
			if err != nil {
				return err
			}
			state = st
			hits = append(hits, fastHit{seg: i, doc: d, score: float64(t), rank: s.facets.rank[d]})
		}
		per[i] = hits
		return nil
	})
	if err != nil {
		return nil, err
	}
	var all []fastHit
	for _, h := range per {
		all = append(all, h...)
	}
	all, err = fs.orderHits(all, k, func(a, b *fastHit) int {
		switch {
		case a.score == b.score:
			return 0
		case (a.score > b.score) == newest:
			return -1
		}
		return 1
	})
	if err != nil {
		return nil, err
	}
	for i := range all {
		all[i].score = 0 // date order has no score, as in Bleve with Score "none"
	}
	return all, nil
}

// topByRisk returns the k first matching documents by risk (highest
// first, none last), then newest, then ID — Bleve's order for sort "risk".
// Risks come from a per-segment column; publication times are read only for
// the documents that can reach the first k: all those with a risk above the
// k-th's, and of those with the k-th's risk, the ones of the newest days
// that hold enough of them (by the day column).
func (fs *fastSnapshot) topByRisk(ctx context.Context, k int) ([]fastHit, error) {
	bucket := func(v int16) int { return int(v) - math.MinInt16 } // riskNone → 0
	hists := make([]map[int16]uint64, len(fs.segs))
	err := parallel(ctx, len(fs.segs), func(i int) error {
		s := fs.segs[i]
		if err := s.facets.loadRisk(s.seg); err != nil {
			return err
		}
		h := map[int16]uint64{}
		var last int16
		var run uint64
		it := s.match.Iterator()
		for it.HasNext() {
			v := s.facets.risk[it.Next()]
			if run > 0 && v != last {
				h[last] += run
				run = 0
			}
			last = v
			run++
		}
		if run > 0 {
			h[last] += run
		}
		hists[i] = h
		return nil
	})
	if err != nil {
		return nil, err
	}
	total := map[int16]uint64{}
	for _, h := range hists {
		for v, n := range h {
			total[v] += n
		}
	}
	values := make([]int16, 0, len(total))
	for v := range total {
		values = append(values, v)
	}
	sort.Slice(values, func(i, j int) bool { return bucket(values[i]) > bucket(values[j]) })
	if len(values) == 0 {
		return nil, nil
	}
	// cut is the k-th document's risk: above documents have a higher one,
	// need of those with risk cut reach the first k (all of them when fewer
	// than k documents match).
	var above uint64
	cut, found := values[len(values)-1], false
	for _, v := range values {
		if above+total[v] >= uint64(k) {
			cut, found = v, true
			break
		}
		above += total[v]
	}
	if !found {
		above -= total[cut]
	}
	need := uint64(k) - above
	// Of the documents at the cut, the newest days holding need of them.
	dayCounts := map[string]uint64{}
	perSegDays := make([]map[uint16]bool, len(fs.segs))
	useDays := true
	for _, s := range fs.segs {
		if s.facets.dayCol < 0 {
			useDays = false
		}
	}
	if useDays && need > 0 {
		segCounts := make([]map[uint16]uint64, len(fs.segs))
		err := parallel(ctx, len(fs.segs), func(i int) error {
			s := fs.segs[i]
			col := s.facets.cols[s.facets.dayCol]
			m := map[uint16]uint64{}
			it := s.match.Iterator()
			for it.HasNext() {
				d := it.Next()
				if s.facets.risk[d] == cut {
					m[col[d]]++
				}
			}
			segCounts[i] = m
			return nil
		})
		if err != nil {
			return nil, err
		}
		for i, m := range segCounts {
			for j, n := range m {
				if j == noValue {
					continue
				}
				dayCounts[fs.segs[i].facets.terms[j]] += n
			}
		}
		days := make([]string, 0, len(dayCounts))
		for d := range dayCounts {
			days = append(days, d)
		}
		sort.Sort(sort.Reverse(sort.StringSlice(days)))
		want := map[string]bool{}
		var n uint64
		for _, d := range days {
			if n >= need {
				break
			}
			want[d] = true
			n += dayCounts[d]
		}
		for i, s := range fs.segs {
			m := map[uint16]bool{noValue: true} // no day: read it, whatever it is
			for j, t := range s.facets.terms {
				if want[t] {
					m[uint16(j)] = true
				}
			}
			perSegDays[i] = m
		}
	}
	per := make([][]fastHit, len(fs.segs))
	err = parallel(ctx, len(fs.segs), func(i int) error {
		s := fs.segs[i]
		if err := s.facets.loadIDs(s.seg); err != nil {
			return err
		}
		var col []uint16
		if useDays && need > 0 {
			col = s.facets.cols[s.facets.dayCol]
		}
		var hits []fastHit
		var state segment.DocVisitState
		it := s.match.Iterator()
		for it.HasNext() {
			d := it.Next()
			v := s.facets.risk[d]
			switch b := bucket(v); {
			case b < bucket(cut):
				continue
			case b == bucket(cut):
				if need == 0 || (col != nil && !perSegDays[i][col[d]]) {
					continue
				}
			}
			t, st, err := s.published(uint64(d), state)
			if err != nil {
				return err
			}
			state = st
			hits = append(hits, fastHit{seg: i, doc: uint64(d), score: float64(v), pub: t, rank: s.facets.rank[d]})
		}
		per[i] = hits
		return nil
	})
	if err != nil {
		return nil, err
	}
	var all []fastHit
	for _, h := range per {
		all = append(all, h...)
	}
	all, err = fs.orderHits(all, k, func(a, b *fastHit) int {
		switch {
		case a.score != b.score:
			if a.score > b.score {
				return -1
			}
			return 1
		case a.pub != b.pub:
			if a.pub > b.pub {
				return -1
			}
			return 1
		}
		return 0
	})
	if err != nil {
		return nil, err
	}
	for i := range all {
		all[i].score, all[i].pub = 0, 0 // no score, as in Bleve with Score "none"
	}
	return all, nil
}

// scoreUnit is the document range one scoring task covers.
const scoreUnit = 1 << 17

// scorePool recycles the per-task score arrays.
var scorePool = sync.Pool{New: func() any { s := make([]float32, scoreUnit); return &s }}

// topByScore returns the k best matching documents by tf-idf over the
// query's words, as Bleve scores a term query (boost × idf² × √tf × norm),
// summed over the words.
func (fs *fastSnapshot) topByScore(ctx context.Context, k int, words []*scoredWord) ([]fastHit, error) {
	// Document frequencies over the whole snapshot, for idf.
	var live uint64
	for _, s := range fs.segs {
		live += s.count
		if del := s.ss.Deleted(); del != nil {
			live -= del.GetCardinality()
		}
	}
	type weighted struct {
		ft       fieldTerm
		w        float32 // boost × idf²
		residual bool    // only documents without the word's primary term
		primary  fieldTerm
	}
	dfs := map[fieldTerm]uint64{}
	docFreq := func(ft fieldTerm) (uint64, error) {
		if df, ok := dfs[ft]; ok {
			return df, nil
		}
		var df uint64
		for _, s := range fs.segs {
			d, err := s.dict(ft.field)
			if err != nil {
				return 0, err
			}
			// The live documents only: zap's count includes deleted
			// documents until a merge drops them, which would make
			// scores (and the order of close hits) depend on when
			// segments were merged.
			pl, err := d.PostingsList([]byte(ft.term), s.ss.Deleted(), nil)
			if err != nil {
				return 0, err
			}
			df += pl.Count()
		}
		dfs[ft] = df
		return df, nil
	}
	// A SameWord group is as rare as its commonest spelling's commonest
	// term (as Lucene's SynonymQuery takes the largest document frequency).
	groupDF := map[int]uint64{}
	for _, w := range words {
		if w.group == 0 {
			continue
		}
		df, err := docFreq(w.primary)
		if err != nil {
			return nil, err
		}
		groupDF[w.group] = max(groupDF[w.group], df)
	}
	var terms []weighted
	for _, w := range words {
		add := func(ft fieldTerm, boost float64, residual bool) error {
			df, err := docFreq(ft)
			if err != nil {
				return err
			}
			if df == 0 {
				return nil
			}
			if w.group != 0 {
				df = max(df, groupDF[w.group])
				boost *= float64(w.share)
			}
			idf := 1 + math.Log(float64(live)/float64(df+1))
			terms = append(terms, weighted{ft: ft, w: float32(boost * idf * idf), residual: residual, primary: w.primary})
			return nil
		}
		if err := add(w.primary, 1, false); err != nil {
			return nil, err
		}
		if w.stem != nil {
			if err := add(*w.stem, 1, true); err != nil {
				return nil, err
			}
		}
		if w.exact != nil {
			if err := add(*w.exact, boostExactVI, false); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range fs.segs {
		if !s.match.IsEmpty() {
			if err := s.facets.loadIDs(s.seg); err != nil {
				return nil, err
			}
		}
	}
	if len(terms) == 0 {
		// Nothing to score (no positive words, or none in the index): every
		// match scores 0 and the IDs decide: each segment's first k
		// matches in ID order, merged.
		var out []fastHit
		for i, s := range fs.segs {
			n := 0
			for _, d := range s.facets.byID {
				if n == k {
					break
				}
				if s.match.Contains(d) {
					out = append(out, fastHit{seg: i, doc: uint64(d), rank: s.facets.rank[d]})
					n++
				}
			}
		}
		return fs.orderHits(out, k, func(a, b *fastHit) int { return 0 })
	}
	// Impacts of the common terms, read whole per segment (in parallel,
	// before scoring, so that no scoring task waits on another's read).
	lists := make([][]*impactList, len(fs.segs)) // [segment][term]
	if ic := fs.ix.impacts; ic != nil {
		type want struct{ seg, term int }
		var wants []want
		for i, s := range fs.segs {
			lists[i] = make([]*impactList, len(terms))
			if !s.match.IsEmpty() {
				for ti := range terms {
					wants = append(wants, want{i, ti})
				}
			}
		}
		err := parallel(ctx, len(wants), func(wi int) error {
			w := wants[wi]
			s, wt := fs.segs[w.seg], terms[w.term]
			d, err := s.seg.Dictionary(wt.ft.field)
			if err != nil {
				return err
			}
			pl, err := d.PostingsList([]byte(wt.ft.term), nil, nil)
			if err != nil {
				return err
			}
			if pl.Count() < ic.minPostings || wt.residual {
				return nil // cheap to read, or (a stem) seldom read at all
			}
			key := impactKey{seg: s.seg, field: wt.ft.field, term: wt.ft.term}
			l, err := ic.lookup(key, func(l *impactList) error { return readImpacts(l, pl, s.count) })
			lists[w.seg][w.term] = l
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	// A stem scores only in matching documents without the word's primary
	// term: those documents, once per segment.
	residual := make([][]*roaring.Bitmap, len(fs.segs)) // [segment][term]
	for i, s := range fs.segs {
		if s.match.IsEmpty() {
			continue
		}
		residual[i] = make([]*roaring.Bitmap, len(terms))
		for ti, wt := range terms {
			if !wt.residual {
				continue
			}
			pd, err := s.dict(wt.primary.field)
			if err != nil {
				return nil, err
			}
			primary, err := postings(pd, wt.primary.term)
			if err != nil {
				return nil, err
			}
			d, err := s.dict(wt.ft.field)
			if err != nil {
				return nil, err
			}
			only, err := postings(d, wt.ft.term)
			if err != nil {
				return nil, err
			}
			only.And(s.match)
			only.AndNot(primary)
			residual[i][ti] = only
		}
	}
	// Tasks: ranges of at most scoreUnit documents of one segment.
	type task struct {
		seg    int
		lo, hi uint64
	}
	var tasks []task
	for i, s := range fs.segs {
		if s.match.IsEmpty() {
			continue
		}
		for lo := uint64(0); lo < s.count; lo += scoreUnit {
			if s.match.IntersectsWithInterval(lo, min(lo+scoreUnit, s.count)) {
				tasks = append(tasks, task{i, lo, min(lo+scoreUnit, s.count)})
			}
		}
	}
	// Segment dictionaries are not safe to share across goroutines: open
	// one per task.
	heaps := make([]*hitHeap, len(tasks))
	err := parallel(ctx, len(tasks), func(ti int) error {
		t := tasks[ti]
		s := fs.segs[t.seg]
		sp := scorePool.Get().(*[]float32)
		defer scorePool.Put(sp)
		scores := (*sp)[:t.hi-t.lo]
		clear(scores)
		buf := make([]uint32, 512)
		for wi, wt := range terms {
			only := residual[t.seg][wi] // nil: every posting scores
			if wt.residual && !only.IntersectsWithInterval(t.lo, t.hi) {
				continue
			}
			add := func(n uint64, q uint16) {
				if only == nil || only.Contains(uint32(n)) {
					scores[n-t.lo] += wt.w * impactTable[q]
				}
			}
			if lists[t.seg] != nil && lists[t.seg][wi] != nil {
				r := lists[t.seg][wi].rangeOf(t.lo)
				mi := r.docs.ManyIterator()
				i := 0
				for n := mi.NextMany(buf); n > 0; n = mi.NextMany(buf) {
					if only != nil {
						for _, d := range buf[:n] {
							add(uint64(d), r.vals[i])
							i++
						}
						continue
					}
					// The common case, without the closure: this loop runs
					// once per posting of every query word.
					vals := r.vals[i : i+n]
					for j, d := range buf[:n] {
						scores[uint64(d)-t.lo] += wt.w * impactTable[vals[j]]
					}
					i += n
				}
				continue
			}
			d, err := s.seg.Dictionary(wt.ft.field)
			if err != nil {
				return err
			}
			pl, err := d.PostingsList([]byte(wt.ft.term), nil, nil)
			if err != nil {
				return err
			}
			it := pl.Iterator(true, true, false, nil)
			p, err := it.Advance(t.lo)
			for ; err == nil && p != nil; p, err = it.Next() {
				n := p.Number()
				if n >= t.hi {
					break
				}
				add(n, quantImpact(sqrtTF(p.Frequency())*p.Norm()))
			}
			if err != nil {
				return err
			}
		}
		// Walk the matches in the range; once the heap is full, a document
		// must beat its worst (a higher score, or an equal score and a
		// smaller ID) to be offered.
		h := &hitHeap{less: worseByScore}
		rank := s.facets.rank
		var inRange roaring.Bitmap
		inRange.AddRange(t.lo, t.hi)
		inRange.And(s.match)
		mi := inRange.ManyIterator()
		for n := mi.NextMany(buf); n > 0; n = mi.NextMany(buf) {
			for _, d := range buf[:n] {
				sc := float64(scores[uint64(d)-t.lo])
				if len(h.h) == k && (sc < h.h[0].score || (sc == h.h[0].score && rank[d] > h.h[0].rank)) {
					continue
				}
				h.offer(fastHit{seg: t.seg, doc: uint64(d), score: sc, rank: rank[d]}, k)
			}
		}
		heaps[ti] = h
		return nil
	})
	if err != nil {
		return nil, err
	}
	var all []fastHit
	for _, h := range heaps {
		all = append(all, h.h...)
	}
	return fs.orderHits(all, k, func(a, b *fastHit) int {
		switch {
		case a.score == b.score:
			return 0
		case a.score > b.score:
			return -1
		}
		return 1
	})
}

// phraseFirst stably moves the hits whose text holds words as a phrase
// before the others, reading the words' positions from their postings. What
// it learns is remembered per segment and phrase in the impact cache, so a
// repeated query reads nothing.
func (fs *fastSnapshot) phraseFirst(top []fastHit, words []string) ([]fastHit, error) {
	if len(top) < 2 {
		return top, nil
	}
	has := make([]bool, len(top))
	memos := map[int]*phraseMemo{}
	var unknown []int
	for i, h := range top {
		m, ok := memos[h.seg]
		if !ok && fs.ix.impacts != nil {
			m = fs.ix.impacts.phraseMemo(impactKey{seg: fs.segs[h.seg].seg, field: phraseField, term: strings.Join(words, " ")})
			memos[h.seg] = m
		}
		if known, yes := m.lookup(uint32(h.doc)); known {
			has[i] = yes
			continue
		}
		unknown = append(unknown, i)
	}
	if len(unknown) > 0 {
		found, err := fs.readPhraseHits(top, unknown, words)
		if err != nil {
			return nil, err
		}
		for k, i := range unknown {
			has[i] = found[k]
			memos[top[i].seg].record(uint32(top[i].doc), found[k])
		}
	}
	return phraseOrder(top, has), nil
}

// readPhraseHits reports, for the hits top[idx...], whether their text
// holds words as a phrase.
func (fs *fastSnapshot) readPhraseHits(top []fastHit, idx []int, words []string) ([]bool, error) {
	bySeg := map[int][]int{} // segment → positions in idx, by document
	for k, i := range idx {
		bySeg[top[i].seg] = append(bySeg[top[i].seg], k)
	}
	// One task per segment and word: decoding positions is the cost.
	type unit struct {
		seg int
		ks  []int // into idx, by document
	}
	var units []unit
	for si, ks := range bySeg {
		sort.Slice(ks, func(a, b int) bool { return top[idx[ks[a]]].doc < top[idx[ks[b]]].doc })
		units = append(units, unit{si, ks})
	}
	// positions[u][w][j]: positions of word w in the j-th hit of unit u.
	positions := make([][][][]uint64, len(units))
	for u, un := range units {
		positions[u] = make([][][]uint64, len(words))
		for w := range words {
			positions[u][w] = make([][]uint64, len(un.ks))
		}
	}
	err := parallel(context.Background(), len(units)*len(words), func(task int) error {
		u, w := task/len(words), task%len(words)
		un := units[u]
		d, err := fs.segs[un.seg].seg.Dictionary(fText)
		if err != nil {
			return err
		}
		pl, err := d.PostingsList([]byte(words[w]), nil, nil)
		if err != nil {
			return err
		}
		it := pl.Iterator(true, false, true, nil)
		for j, k := range un.ks {
			doc := top[idx[k]].doc
			p, err := it.Advance(doc)
			if err != nil {
				return err
			}
			if p == nil {
				break
			}
			if p.Number() != doc {
				continue
			}
			for _, l := range p.Locations() {
				positions[u][w][j] = append(positions[u][w][j], l.Pos())
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	found := make([]bool, len(idx))
	for u, un := range units {
		for j, k := range un.ks {
			found[k] = hasPhrase(positions[u], nil, j)
		}
	}
	return found, nil
}

// phraseOrder stably moves the hits with has set first.
func phraseOrder(top []fastHit, has []bool) []fastHit {
	out := make([]fastHit, 0, len(top))
	for i, h := range top {
		if has[i] {
			out = append(out, h)
		}
	}
	for i, h := range top {
		if !has[i] {
			out = append(out, h)
		}
	}
	return out
}

// hasPhrase reports whether hit k has word w at position s+offs[w] (nil
// offs: s+w) for some s.
func hasPhrase(positions [][][]uint64, offs []int, k int) bool {
	for _, s := range positions[0][k] {
		ok := true
		for w := 1; w < len(positions) && ok; w++ {
			off := uint64(w)
			if offs != nil {
				off = uint64(offs[w])
			}
			ok = slices.Contains(positions[w][k], s+off)
		}
		if ok {
			return true
		}
	}
	return false
}

// phraseKey names a phrase's terms and offsets in the impact cache.
func phraseKey(toks []string, offs []int) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			fmt.Fprintf(&b, " %d:", offs[i])
		}
		b.WriteString(t)
	}
	return b.String()
}

// loadHits reads the stored fields of hits by ID.
func (ix *Index) loadHits(ctx context.Context, hits search.DocumentMatchCollection, highlight bool) (map[string]*search.DocumentMatch, error) {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	req := bleve.NewSearchRequestOptions(bq.NewDocIDQuery(ids), len(ids), 0, false)
	req.Score = "none"
	req.Fields = ix.fields(highlight)
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("load hits: %w", err)
	}
	out := make(map[string]*search.DocumentMatch, len(res.Hits))
	for _, h := range res.Hits {
		out[h.ID] = h
	}
	return out, nil
}

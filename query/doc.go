package query

import (
	"hash/maphash"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/dongnai/presswatch/internal/textnorm"
)

// FieldKind says how a Doc field is compared.
type FieldKind int

// Field kinds.
const (
	KindUnknown FieldKind = iota // the field does not exist: nothing matches it
	KindText                     // tokenised text with positions
	KindKeyword                  // whole values, compared folded
	KindNumber                   // a number, for comparisons
)

// Doc is what a query is evaluated against. Field "" means the document's
// default text fields. Words passed to Positions are terms of
// textnorm.Analyze — a folded word, a CJK unigram or bigram — or, for the
// English stem of an unquoted word, textnorm.StemPrefix followed by the stem.
// A Doc built from textnorm.Analyze (and textnorm.Stems for English text)
// matches exactly as the search index does.
type Doc interface {
	// Kind reports how field is compared.
	Kind(field string) FieldKind
	// Positions returns the ascending token positions in text field at which
	// word occurs (or, with prefix, a token starting with word). Callers do
	// not modify the slice, so a Doc may return its own.
	Positions(field, word string, prefix bool) []int
	// Keywords returns the folded values of a keyword field.
	Keywords(field string) []string
	// Number returns the value of a numeric field.
	Number(field string) (float64, bool)
}

// SpelledDoc is a Doc that knows how its words were written. A query word
// written with Vietnamese diacritics ("bão", storm) matches a word of such
// a Doc only where WrittenAs says the document wrote that word so (and not
// "bao", how much); a document (or field) written without diacritics
// answers true for every word, so that unaccented text still matches.
// Words without diacritics, prefix terms, the operands of NEAR and words in
// a title field always match folded (the index matches them so too).
type SpelledDoc interface {
	// WrittenAs reports whether the word at position pos of text field
	// field is spelled as spelling (textnorm.Spelling), or the field is not
	// written with diacritics.
	WrittenAs(field string, pos int, spelling string) bool
}

// HashedDoc is a Doc that can find a word of its default text field ("",
// whole words, no prefix) by the word and its TermHash. A prepared query
// hashes its words once, instead of the document hashing them again for
// every document the query is matched against.
type HashedDoc interface {
	// PositionsHashed returns what Positions("", word, false) returns;
	// hash is TermHash(word).
	PositionsHashed(word string, hash uint64) []int
}

// termSeed is the seed of TermHash: one per process.
var termSeed = maphash.MakeSeed()

// TermHash is the hash under which a HashedDoc files word. It is the same
// for every document and every query of a process (not across processes).
func TermHash(word string) uint64 { return maphash.String(termSeed, word) }

// Eval reports whether d matches n. A nil node matches nothing. Eval folds
// the query's words on every call; to evaluate one query against many
// documents, Prepare it once.
func Eval(n Node, d Doc) bool {
	return Prepare(n).Match(d)
}

// Prepared is a query with its words folded and tokenised once, ready to be
// matched against many documents. It is immutable and safe for concurrent use.
type Prepared struct {
	n    Node
	root pnode
}

type pnode interface{ match(d Doc) bool }

type (
	pand  struct{ l, r pnode }
	por   struct{ l, r pnode }
	pnot  struct{ x pnode }
	pnone struct{}
	pterm struct {
		field   string
		toks    []string // query terms (textnorm.QueryTerms), for text fields
		offs    []int    // their positions relative to the first
		stem    string   // StemPrefix+stem of an unquoted English word, else ""
		keyword string   // folded whole value, for keyword fields
		raw     []string // the words as written, for numeric fields
		// spell is, for each of toks, its textnorm.Spelling when it carries
		// diacritics (else ""); nil when no token does.
		spell  []string
		prefix bool
		// hashes are the TermHash of toks, and stemHash of stem, for a
		// HashedDoc.
		hashes   []uint64
		stemHash uint64
	}
	pnear struct {
		terms []*pterm
		dist  int
	}
	pcmp struct {
		field, op string
		val       float64
		ok        bool
	}
)

// Prepare compiles n for repeated matching.
func Prepare(n Node) *Prepared {
	return &Prepared{n: n, root: prepare(n)}
}

// Node returns the query the Prepared was made from.
func (p *Prepared) Node() Node { return p.n }

// Match reports whether d matches the query.
func (p *Prepared) Match(d Doc) bool { return p.root.match(d) }

func prepare(n Node) pnode {
	switch n := n.(type) {
	case *And:
		return &pand{prepare(n.Left), prepare(n.Right)}
	case *Or:
		return &por{prepare(n.Left), prepare(n.Right)}
	case *Not:
		return &pnot{prepare(n.X)}
	case *Term:
		return prepTerm(n.Field, []string{n.Value}, n.Prefix, true)
	case *Phrase:
		return prepTerm(n.Field, n.Words, false, false)
	case *Near:
		pn := &pnear{dist: n.Dist}
		for _, t := range n.Terms {
			switch t := t.(type) {
			case *Term:
				// NEAR's operands match exactly (no stems) and folded
				// (no spellings), as in the index.
				pn.terms = append(pn.terms, folded(prepTerm(t.Field, []string{t.Value}, t.Prefix, false)))
			case *Phrase:
				pn.terms = append(pn.terms, folded(prepTerm(t.Field, t.Words, false, false)))
			default:
				return pnone{}
			}
		}
		return pn
	case *Compare:
		v, err := strconv.ParseFloat(n.Value, 64)
		return &pcmp{field: n.Field, op: n.Op, val: v, ok: err == nil}
	}
	return pnone{}
}

// prepTerm analyses a word (bare: unquoted) or a phrase. An unquoted word
// that is one English-looking word (ASCII letters) also matches its stem in
// English text; a quoted one matches exactly.
func prepTerm(field string, words []string, prefix, bare bool) *pterm {
	value := strings.Join(words, " ")
	t := &pterm{field: field, prefix: prefix, raw: words}
	t.keyword = textnorm.Fold(value)
	qts := textnorm.QueryTerms(value)
	for k, qt := range qts {
		t.toks = append(t.toks, qt.Text)
		t.offs = append(t.offs, qt.Pos)
		if qt.Kind != textnorm.Word || prefix {
			continue // a prefix term matches folded
		}
		if sp := textnorm.Spelling(value[qt.Start:qt.End]); sp != "" {
			if t.spell == nil {
				t.spell = make([]string, len(qts))
			}
			t.spell[k] = sp
		}
	}
	if bare && !prefix && len(t.toks) == 1 && textnorm.Stemmable(value) {
		t.stem = textnorm.StemPrefix + textnorm.Stem(t.toks[0])
		t.stemHash = TermHash(t.stem)
	}
	t.hashes = make([]uint64, len(t.toks))
	for k, tok := range t.toks {
		t.hashes[k] = TermHash(tok)
	}
	return t
}

// positions returns the positions of t's token k in d (prefix: as a
// prefix), by its hash when d is a HashedDoc and the lookup is of whole
// words in the default field.
func (t *pterm) positions(d Doc, k int, prefix bool) []int {
	if t.field == "" && !prefix {
		if hd, ok := d.(HashedDoc); ok {
			return hd.PositionsHashed(t.toks[k], t.hashes[k])
		}
	}
	return d.Positions(t.field, t.toks[k], prefix)
}

// stemPositions returns the positions of t's stem in d.
func (t *pterm) stemPositions(d Doc) []int {
	if t.field == "" {
		if hd, ok := d.(HashedDoc); ok {
			return hd.PositionsHashed(t.stem, t.stemHash)
		}
	}
	return d.Positions(t.field, t.stem, false)
}

// folded drops t's spellings: it matches folded in every document.
func folded(t *pterm) *pterm {
	t.spell = nil
	return t
}

func (n *pand) match(d Doc) bool { return n.l.match(d) && n.r.match(d) }
func (n *por) match(d Doc) bool  { return n.l.match(d) || n.r.match(d) }
func (n *pnot) match(d Doc) bool { return !n.x.match(d) }
func (pnone) match(Doc) bool     { return false }

// match reports whether t occurs in d: what len(t.occurrences(d)) > 0
// says, without building the list (rules evaluate thousands of terms per
// document).
func (t *pterm) match(d Doc) bool {
	switch kind := d.Kind(t.field); kind {
	case KindKeyword, KindNumber:
		return t.matchValue(d, kind)
	case KindText:
	default:
		return false
	}
	if len(t.toks) == 0 {
		return false
	}
	last := len(t.toks) - 1
	first := t.positions(d, 0, t.prefix && last == 0)
	var stem []int
	if t.stem != "" {
		stem = t.stemPositions(d)
	}
	if len(first) == 0 && len(stem) == 0 {
		return false
	}
	var buf [4][]int
	rest, ok := t.rest(d, buf[:0])
	if !ok {
		return false
	}
	for _, starts := range [2][]int{first, stem} {
		for _, p := range starts {
			if t.at(d, rest, p) {
				return true
			}
		}
	}
	return false
}

// matchValue reports whether t matches a keyword or numeric field (kind).
func (t *pterm) matchValue(d Doc, kind FieldKind) bool {
	if kind == KindKeyword {
		for _, v := range d.Keywords(t.field) {
			if v == t.keyword || (t.prefix && strings.HasPrefix(v, t.keyword)) {
				return true
			}
		}
		return false
	}
	if len(t.raw) != 1 {
		return false
	}
	if v, ok := d.Number(t.field); ok {
		if w, err := strconv.ParseFloat(t.raw[0], 64); err == nil && w == v {
			return true
		}
	}
	return false
}

// rest appends to buf the positions of t's tokens after the first (index
// k of the result for token k; index 0 unused). ok is false when one of
// them does not occur.
func (t *pterm) rest(d Doc, buf [][]int) (rest [][]int, ok bool) {
	rest = append(buf, nil)
	// Only the last token of a prefix term is a prefix.
	last := len(t.toks) - 1
	for k := 1; k <= last; k++ {
		ps := t.positions(d, k, t.prefix && k == last)
		if len(ps) == 0 {
			return nil, false
		}
		rest = append(rest, ps)
	}
	return rest, true
}

// at reports whether t occurs starting at position p, where its first
// token occurs: its other tokens follow (rest, from t.rest) and its words
// with diacritics are written so (spelled).
func (t *pterm) at(d Doc, rest [][]int, p int) bool {
	for k := 1; k < len(rest); k++ {
		if !contains(rest[k], p+t.offs[k]) {
			return false
		}
	}
	return t.spelledAt(d, p)
}

// occurrences returns the start positions of the term or phrase in a text
// field, or [0] when it matches a keyword or numeric field.
func (t *pterm) occurrences(d Doc) []int {
	switch kind := d.Kind(t.field); kind {
	case KindKeyword, KindNumber:
		if t.matchValue(d, kind) {
			return []int{0}
		}
		return nil
	case KindText:
	default:
		return nil
	}
	if len(t.toks) == 0 {
		return nil
	}
	// Only the last token of a prefix term is a prefix.
	last := len(t.toks) - 1
	first := t.positions(d, 0, t.prefix && last == 0)
	if t.stem != "" {
		if st := t.stemPositions(d); len(st) > 0 {
			first = mergeSorted(first, st)
		}
	}
	if last == 0 || len(first) == 0 {
		return t.spelled(d, first)
	}
	var buf [4][]int
	rest, ok := t.rest(d, buf[:0])
	if !ok {
		return nil
	}
	var out []int
	for _, p := range first {
		if t.at(d, rest, p) {
			out = append(out, p)
		}
	}
	return out
}

// spelled keeps the start positions at which every word of t that carries
// diacritics is written so in d (SpelledDoc); without either, all of them.
func (t *pterm) spelled(d Doc, starts []int) []int {
	if _, ok := d.(SpelledDoc); !ok || t.spell == nil || len(starts) == 0 {
		return starts
	}
	var out []int
	for _, p := range starts {
		if t.spelledAt(d, p) {
			out = append(out, p)
		}
	}
	return out
}

// spelledAt reports whether every word of t that carries diacritics is
// written so in d at the occurrence starting at p (always, when d is not a
// SpelledDoc or t has no such word).
func (t *pterm) spelledAt(d Doc, p int) bool {
	sd, ok := d.(SpelledDoc)
	if !ok || t.spell == nil {
		return true
	}
	for k, sp := range t.spell {
		if sp != "" && !sd.WrittenAs(t.field, p+t.offs[k], sp) {
			return false
		}
	}
	return true
}

// mergeSorted returns the union of two ascending lists, ascending, without
// duplicates, in a new slice.
func mergeSorted(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || (i < len(a) && a[i] < b[j]):
			out = append(out, a[i])
			i++
		case i >= len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

func contains(sorted []int, x int) bool {
	i := sort.SearchInts(sorted, x)
	return i < len(sorted) && sorted[i] == x
}

// match looks for a window of dist+1 token positions that holds a start of
// every operand.
func (n *pnear) match(d Doc) bool {
	var buf [4][]int
	lists := buf[:0]
	for _, t := range n.terms {
		l := t.occurrences(d)
		if len(l) == 0 {
			return false
		}
		lists = append(lists, l)
	}
	for _, anchorList := range lists {
		for _, lo := range anchorList {
			ok := true
			for _, l := range lists {
				if !anyIn(l, lo, lo+n.dist) {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

func anyIn(sorted []int, lo, hi int) bool {
	i := sort.SearchInts(sorted, lo)
	return i < len(sorted) && sorted[i] <= hi
}

func (n *pcmp) match(d Doc) bool {
	if !n.ok || d.Kind(n.field) != KindNumber {
		return false
	}
	v, ok := d.Number(n.field)
	if !ok {
		return false
	}
	switch n.op {
	case ">":
		return v > n.val
	case ">=":
		return v >= n.val
	case "<":
		return v < n.val
	case "<=":
		return v <= n.val
	case "=":
		return v == n.val
	}
	return false
}

// Document is a ready-made Doc built from plain values. The zero value is not
// usable; call NewDocument. Text fields added with AddText are also searched
// by unfielded terms when default is true; fields follow one another with a
// gap of positions so that phrases and NEAR never span two fields.
type Document struct {
	text     map[string]map[string][]int // field → token → positions
	all      map[string][]int            // default fields
	next     map[string]int
	nextAll  int
	keywords map[string][]string
	numbers  map[string]float64
	// spell holds the spelling (textnorm.Spelling) of every word by
	// position, per field and for the default fields (key ""); latin and
	// marked count the words of all text added (textnorm.CountMarked),
	// which decides whether the document is written with diacritics.
	spell         map[string]map[int]string
	latin, marked int
}

// fieldGap separates fields (and text added twice to one field) in positions.
const fieldGap = MaxNear + 1

// NewDocument returns an empty Document.
func NewDocument() *Document {
	return &Document{
		text:     map[string]map[string][]int{},
		all:      map[string][]int{},
		next:     map[string]int{},
		keywords: map[string][]string{},
		numbers:  map[string]float64{},
		spell:    map[string]map[int]string{},
	}
}

// AddText analyses s (textnorm.Analyze) into the text field; with
// inDefault, it is also searched by terms that name no field.
func (d *Document) AddText(field, s string, inDefault bool) {
	d.AddTextLang(field, s, "", inDefault)
}

// AddTextLang is AddText for text in language lang (ISO 639-1): English
// text also gets its words' stems (textnorm.Stems), which unquoted words
// match, as in the search index.
func (d *Document) AddTextLang(field, s, lang string, inDefault bool) {
	terms := textnorm.Analyze(s)
	var stems []textnorm.Term
	if strings.EqualFold(lang, "en") {
		stems = textnorm.Stems(s, terms)
	}
	base, baseAll := d.next[field], d.nextAll
	d.AddTerms(field, terms, stems, inDefault)
	l, m := textnorm.CountMarked(s)
	d.latin, d.marked = d.latin+l, d.marked+m
	if m == 0 {
		return
	}
	put := func(key string, at int, sp string) {
		m := d.spell[key]
		if m == nil {
			m = map[int]string{}
			d.spell[key] = m
		}
		m[at] = sp
	}
	for _, t := range terms {
		if t.Kind != textnorm.Word {
			continue
		}
		sp := textnorm.Spelling(s[t.Start:t.End])
		put(field, base+t.Pos, sp)
		if inDefault {
			put("", baseAll+t.Pos, sp)
		}
	}
}

// WrittenAs implements SpelledDoc: the document as a whole (every text
// added) is written with diacritics or not (textnorm.WrittenWithMarks), as
// the classifier and the index decide it. Title fields match folded.
func (d *Document) WrittenAs(field string, pos int, spelling string) bool {
	if field == "title" || !textnorm.WrittenWithMarks(d.latin, d.marked) {
		return true
	}
	return d.spell[field][pos] == spelling
}

// AddTerms adds analysed terms (textnorm.Analyze) and English stems
// (textnorm.Stems) after the field's current end to field and, with
// inDefault, to the default fields.
func (d *Document) AddTerms(field string, terms, stems []textnorm.Term, inDefault bool) {
	m := d.text[field]
	if m == nil {
		m = map[string][]int{}
		d.text[field] = m
	}
	span := 0
	base := d.next[field]
	add := func(key string, pos int) {
		span = max(span, pos+1)
		m[key] = insertSorted(m[key], base+pos)
		if inDefault {
			d.all[key] = insertSorted(d.all[key], d.nextAll+pos)
		}
	}
	for _, t := range terms {
		add(t.Text, t.Pos)
	}
	for _, t := range stems {
		add(textnorm.StemPrefix+t.Text, t.Pos)
	}
	d.next[field] = base + span + fieldGap
	if inDefault {
		d.nextAll += span + fieldGap
	}
}

// insertSorted adds x to an ascending list (usually at its end).
func insertSorted(l []int, x int) []int {
	i := len(l)
	for i > 0 && l[i-1] > x {
		i--
	}
	if i == len(l) {
		return append(l, x)
	}
	return slices.Insert(l, i, x)
}

// AddKeyword adds values (folded) to a keyword field.
func (d *Document) AddKeyword(field string, values ...string) {
	if _, ok := d.keywords[field]; !ok {
		d.keywords[field] = []string{}
	}
	for _, v := range values {
		d.keywords[field] = append(d.keywords[field], textnorm.Fold(v))
	}
}

// SetNumber sets a numeric field.
func (d *Document) SetNumber(field string, v float64) { d.numbers[field] = v }

// Kind implements Doc.
func (d *Document) Kind(field string) FieldKind {
	if field == "" {
		return KindText
	}
	if _, ok := d.text[field]; ok {
		return KindText
	}
	if _, ok := d.keywords[field]; ok {
		return KindKeyword
	}
	if _, ok := d.numbers[field]; ok {
		return KindNumber
	}
	return KindUnknown
}

// Positions implements Doc.
func (d *Document) Positions(field, word string, prefix bool) []int {
	m := d.all
	if field != "" {
		m = d.text[field]
	}
	if !prefix {
		return m[word]
	}
	var out []int
	for tok, ps := range m {
		if strings.HasPrefix(tok, word) {
			out = append(out, ps...)
		}
	}
	slices.Sort(out)
	return out
}

// Keywords implements Doc.
func (d *Document) Keywords(field string) []string { return d.keywords[field] }

// Number implements Doc.
func (d *Document) Number(field string) (float64, bool) {
	v, ok := d.numbers[field]
	return v, ok
}

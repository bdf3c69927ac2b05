package query

import (
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
// default text fields. Words passed to Positions are already folded and
// tokenised (see internal/textnorm) — one token each.
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
		toks    []string // folded tokens, for text fields
		keyword string   // folded whole value, for keyword fields
		raw     []string // the words as written, for numeric fields
		prefix  bool
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
		return prepTerm(n.Field, []string{n.Value}, n.Prefix)
	case *Phrase:
		return prepTerm(n.Field, n.Words, false)
	case *Near:
		pn := &pnear{dist: n.Dist}
		for _, t := range n.Terms {
			switch t := t.(type) {
			case *Term:
				pn.terms = append(pn.terms, prepTerm(t.Field, []string{t.Value}, t.Prefix))
			case *Phrase:
				pn.terms = append(pn.terms, prepTerm(t.Field, t.Words, false))
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

func prepTerm(field string, words []string, prefix bool) *pterm {
	t := &pterm{field: field, prefix: prefix, raw: words}
	t.keyword = textnorm.Fold(strings.Join(words, " "))
	for _, w := range words {
		t.toks = append(t.toks, textnorm.Words(w)...)
	}
	return t
}

func (n *pand) match(d Doc) bool  { return n.l.match(d) && n.r.match(d) }
func (n *por) match(d Doc) bool   { return n.l.match(d) || n.r.match(d) }
func (n *pnot) match(d Doc) bool  { return !n.x.match(d) }
func (pnone) match(Doc) bool      { return false }
func (t *pterm) match(d Doc) bool { return len(t.occurrences(d)) > 0 }

// occurrences returns the start positions of the term or phrase in a text
// field, or [0] when it matches a keyword or numeric field.
func (t *pterm) occurrences(d Doc) []int {
	switch d.Kind(t.field) {
	case KindKeyword:
		for _, v := range d.Keywords(t.field) {
			if v == t.keyword || (t.prefix && strings.HasPrefix(v, t.keyword)) {
				return []int{0}
			}
		}
		return nil
	case KindNumber:
		if len(t.raw) != 1 {
			return nil
		}
		if v, ok := d.Number(t.field); ok {
			if w, err := strconv.ParseFloat(t.raw[0], 64); err == nil && w == v {
				return []int{0}
			}
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
	first := d.Positions(t.field, t.toks[0], t.prefix && last == 0)
	if last == 0 || len(first) == 0 {
		return first
	}
	rest := make([][]int, len(t.toks))
	for k := 1; k <= last; k++ {
		rest[k] = d.Positions(t.field, t.toks[k], t.prefix && k == last)
		if len(rest[k]) == 0 {
			return nil
		}
	}
	var out []int
	for _, p := range first {
		ok := true
		for k := 1; k <= last && ok; k++ {
			ok = contains(rest[k], p+k)
		}
		if ok {
			out = append(out, p)
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
	lists := make([][]int, len(n.terms))
	for i, t := range n.terms {
		lists[i] = t.occurrences(d)
		if len(lists[i]) == 0 {
			return false
		}
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
	}
}

// AddText tokenises s (folding it) into the text field; with inDefault, it is
// also searched by terms that name no field.
func (d *Document) AddText(field, s string, inDefault bool) {
	d.AddTokens(field, textnorm.Tokens(textnorm.Fold(s)), inDefault)
}

// AddTokens adds already folded tokens (see textnorm.Tokens) after the
// field's current end to field and, with inDefault, to the default fields.
// CJK characters separated by a space or punctuation are not adjacent.
func (d *Document) AddTokens(field string, toks []textnorm.Token, inDefault bool) {
	m := d.text[field]
	if m == nil {
		m = map[string][]int{}
		d.text[field] = m
	}
	pos := textnorm.Positions(toks)
	span := 0
	if len(pos) > 0 {
		span = pos[len(pos)-1] + 1
	}
	base := d.next[field]
	for i, t := range toks {
		m[t.Text] = append(m[t.Text], base+pos[i])
		if inDefault {
			d.all[t.Text] = append(d.all[t.Text], d.nextAll+pos[i])
		}
	}
	d.next[field] = base + span + fieldGap
	if inDefault {
		d.nextAll += span + fieldGap
	}
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

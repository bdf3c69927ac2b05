package index

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/dongnai/presswatch/internal/textnorm"
	"github.com/dongnai/presswatch/query"
)

// Limits of the translation.
const (
	// nearPhraseMax is the largest NEAR distance translated into exact
	// gapped phrases; larger distances become co-occurrence in the document.
	nearPhraseMax = 16
	// maxNearPhrases bounds the gapped phrases one query's NEAR clauses
	// become (each pair of operands at distance n is up to 2n of them). A
	// chain of 100 words at NEAR/16 was about 158,000 and ran a server out
	// of memory; 8,192 phrases of the commonest words still ran for more
	// than ten CPU-minutes on the 100,000-article benchmark index. 2,048
	// leaves room for an analyst's claim query (five spellings of a name
	// NEAR/12 ten phrases is 1,200) and the search timeout stops the rest.
	maxNearPhrases = 2048
	// prefixExpandMax bounds how many index terms a prefix inside a phrase or
	// NEAR expands to.
	prefixExpandMax = 64
	// minPrefixRunes is the shortest prefix accepted for Latin-script words.
	minPrefixRunes = 2
	// boostExactVI ranks matches written with the query's diacritics first
	// (in documents written with diacritics, the only matches of such a
	// word; see spellFilter).
	boostExactVI = 1.5
)

// fieldKind is how a query field maps onto the index.
type fieldKind int

const (
	kindUnknown fieldKind = iota
	kindText
	kindKeyword
	kindNumber
	kindDate
)

// queryField resolves a field name written in a query (case-insensitive,
// with the aliases analysts use) to its kind and index field.
func queryField(name string) (fieldKind, string) {
	switch strings.ToLower(name) {
	case "", "text", "body", "all":
		return kindText, fText
	case "title":
		return kindText, fTitle
	case "lang", "language":
		return kindKeyword, fLang
	case "country":
		return kindKeyword, fCountry
	case "outlet":
		return kindKeyword, fOutlet
	case "source", "sources":
		return kindKeyword, fSource
	case "topic", "topics":
		return kindKeyword, fTopics
	case "entity", "entities":
		return kindKeyword, fEntities
	case "tone":
		return kindKeyword, fTone
	case "needs_review", "review":
		return kindKeyword, fReview
	case "relevance":
		return kindKeyword, fRelevance
	case "cluster", "story":
		return kindKeyword, fCluster
	case "risk":
		return kindNumber, fRisk
	case "published", "date":
		return kindDate, fPublished
	case "collected":
		return kindDate, fCollected
	}
	return kindUnknown, ""
}

// hlTerm is a positive text match to highlight: query terms
// (textnorm.QueryTerms) at their relative positions, the last one a prefix
// when prefix is set; stem is the English stem an unquoted word also
// matches in English text.
type hlTerm struct {
	toks   []string
	offs   []int
	prefix bool
	stem   string
	// spell is, per token, its spelling with diacritics when the query
	// word carries one ("" otherwise; nil when none does): in a text
	// written with diacritics such a word is marked only as written, as it
	// matches ("đình công" does not mark "định").
	spell []string
}

// translator turns a query AST into a Bleve query.
type translator struct {
	src   string   // the query as typed, for error positions
	terms []hlTerm // what to highlight
	dict  dictFunc // expands prefixes inside phrases; nil = no expansion
	neg   int      // depth of NOT around the current node
	// nearPhrases counts the gapped phrases NEAR clauses have become so
	// far (maxNearPhrases bounds them).
	nearPhrases int
}

// dictFunc returns up to max index terms of field starting with prefix.
type dictFunc func(field, prefix string, max int) ([]string, error)

// errAt returns a *query.SyntaxError pointing at the first occurrence of
// needle in the query (0 when it cannot be found).
func (t *translator) errAt(needle, format string, args ...any) error {
	pos := 0
	if needle != "" {
		if i := strings.Index(asciiLower(t.src), asciiLower(needle)); i >= 0 {
			pos = i
		}
	}
	return &query.SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// starInQuotes refuses a "*" inside a quoted phrase: the analysis drops it as
// punctuation, so "Long Th*" searched for the word "th" and found nothing,
// with no error (an outside search review). Outside quotes a "*" ending a
// word is a prefix; for a phrase whose last word is a prefix, NEAR/1 does it.
// (The classifier's rule files read such a phrase as its words; they are
// not searches.)
func (t *translator) starInQuotes(words []string) error {
	for _, w := range words {
		if strings.Contains(w, "*") {
			return t.errAt(w, "a \"*\" inside quotes is not a prefix: write Long NEAR/1 Th* for a phrase whose last word is a prefix, or put the * after the closing quote of a single word")
		}
	}
	return nil
}

// asciiLower lower-cases ASCII letters only, keeping byte offsets intact.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func (t *translator) node(n query.Node) (bq.Query, error) {
	switch n := n.(type) {
	case *query.And:
		var must, mustNot []bq.Query
		for _, c := range flattenAnd(n, nil) {
			if x, ok := c.(*query.Not); ok {
				t.neg++
				q, err := t.node(x.X)
				t.neg--
				if err != nil {
					return nil, err
				}
				mustNot = append(mustNot, q)
				continue
			}
			q, err := t.node(c)
			if err != nil {
				return nil, err
			}
			must = append(must, q)
		}
		if len(mustNot) == 0 {
			return bq.NewConjunctionQuery(must), nil
		}
		if len(must) == 0 {
			must = []bq.Query{bq.NewMatchAllQuery()}
		}
		return bq.NewBooleanQuery(must, nil, mustNot), nil
	case *query.Or:
		var qs []bq.Query
		for _, c := range flattenOr(n, nil) {
			q, err := t.node(c)
			if err != nil {
				return nil, err
			}
			qs = append(qs, q)
		}
		return bq.NewDisjunctionQuery(qs), nil
	case *query.Not:
		t.neg++
		q, err := t.node(n.X)
		t.neg--
		if err != nil {
			return nil, err
		}
		return bq.NewBooleanQuery([]bq.Query{bq.NewMatchAllQuery()}, nil, []bq.Query{q}), nil
	case *query.Term:
		return t.term(n.Field, n.Value, n.Prefix)
	case *query.Phrase:
		return t.phrase(n.Field, n.Words)
	case *query.Near:
		return t.near(n)
	case *query.Compare:
		return t.compare(n.Field, n.Op, n.Value)
	case nil:
		return bq.NewMatchNoneQuery(), nil
	}
	return nil, fmt.Errorf("translate query: unknown node %T", n)
}

func flattenAnd(n query.Node, out []query.Node) []query.Node {
	if a, ok := n.(*query.And); ok {
		return flattenAnd(a.Right, flattenAnd(a.Left, out))
	}
	return append(out, n)
}

func flattenOr(n query.Node, out []query.Node) []query.Node {
	if o, ok := n.(*query.Or); ok {
		return flattenOr(o.Right, flattenOr(o.Left, out))
	}
	return append(out, n)
}

func (t *translator) highlight(qt queryTerms, prefix bool, stem string) {
	if t.neg%2 == 0 && len(qt.toks) > 0 {
		t.terms = append(t.terms, hlTerm{toks: qt.toks, offs: qt.offs, prefix: prefix, stem: stem, spell: qt.spell})
	}
}

// queryTerms are a query word's or phrase's terms (textnorm.QueryTerms)
// and their positions relative to the first.
type queryTerms struct {
	toks []string
	offs []int
	word bool // one term, a word of a spaced script
	// spell is, for each term, its textnorm.Spelling when it is a word
	// with diacritics, else ""; nil when none is.
	spell []string
}

func analyzeQuery(value string) queryTerms {
	var q queryTerms
	qts := textnorm.QueryTerms(value)
	for k, t := range qts {
		q.toks = append(q.toks, t.Text)
		q.offs = append(q.offs, t.Pos)
		q.word = t.Kind == textnorm.Word
		if t.Kind == textnorm.Word {
			if sp := textnorm.Spelling(value[t.Start:t.End]); sp != "" {
				if q.spell == nil {
					q.spell = make([]string, len(qts))
				}
				q.spell[k] = sp
			}
		}
	}
	q.word = q.word && len(q.toks) == 1
	return q
}

// spelled returns q with each word that carries a diacritic as written:
// the terms of fSpell.
func (q queryTerms) spelled() queryTerms {
	out := q
	out.toks = make([]string, len(q.toks))
	for i, tok := range q.toks {
		out.toks[i] = tok
		if q.spell[i] != "" {
			out.toks[i] = q.spell[i]
		}
	}
	return out
}

// span is the number of positions the terms cover.
func (q queryTerms) span() int { return q.offs[len(q.offs)-1] + 1 }

// slots lays the terms out by position: one alternative each, "" (any
// term) where the query has a gap, as Bleve's multi-phrase query takes them.
func (q queryTerms) slots() [][]string {
	out := make([][]string, q.span())
	for i := range out {
		out[i] = []string{""}
	}
	for i, tok := range q.toks {
		out[q.offs[i]] = []string{tok}
	}
	return out
}

// stemOf returns the English stem an unquoted word also matches, or "".
func stemOf(value string, q queryTerms) string {
	if q.word && textnorm.Stemmable(value) {
		return textnorm.Stem(q.toks[0])
	}
	return ""
}

func (t *translator) unknownField(field string) error {
	return t.errAt(field+":", "unknown field %q (text fields: title, text; keywords: lang, country, outlet, source, topic, entity, tone, needs_review, cluster; numbers: risk; dates: published, collected)", field)
}

// term translates a word, field:word or word*.
func (t *translator) term(field, value string, prefix bool) (bq.Query, error) {
	kind, f := queryField(field)
	switch kind {
	case kindText:
		return t.text(f, value, prefix)
	case kindKeyword:
		return t.keyword(field, f, value, prefix)
	case kindNumber, kindDate:
		if prefix {
			return nil, t.errAt(field+":", "field %q takes no prefix", field)
		}
		return t.compare(field, "=", value)
	}
	return nil, t.unknownField(field)
}

func isCJKString(s string) bool {
	for _, r := range s {
		if textnorm.IsCJK(r) {
			return true
		}
	}
	return false
}

// text translates an unquoted word in a text field. Matching is decided by
// the language-neutral folded field, exactly as query.Eval decides it;
// English-looking words also match their stem in English documents; a
// Vietnamese word written with diacritics adds score where it is written so.
func (t *translator) text(field, value string, prefix bool) (bq.Query, error) {
	qt := analyzeQuery(value)
	if len(qt.toks) == 0 {
		return bq.NewMatchNoneQuery(), nil
	}
	stem := ""
	if !prefix && field == fText {
		stem = stemOf(value, qt)
	}
	t.highlight(qt, prefix, stem)
	if prefix {
		last := qt.toks[len(qt.toks)-1]
		if !isCJKString(last) && utf8.RuneCountInString(last) < minPrefixRunes {
			return nil, t.errAt(value+"*", "prefix %q is too short (at least %d letters)", value, minPrefixRunes)
		}
		if len(qt.toks) == 1 {
			p := bq.NewPrefixQuery(last)
			p.SetField(field)
			return p, nil
		}
		return t.phraseToks(field, qt, true)
	}
	base, err := t.phraseToks(field, qt, false)
	if err != nil {
		return nil, err
	}
	if field != fText || !qt.word {
		return t.spellFilter(field, qt, base)
	}
	if qt.spell != nil {
		ex := bq.NewTermQuery(qt.spell[0])
		ex.SetField(fSpell)
		ex.SetBoost(boostExactVI)
		base = bq.NewBooleanQuery([]bq.Query{base}, []bq.Query{ex}, nil)
		if base, err = t.spellFilter(field, qt, base); err != nil {
			return nil, err
		}
	}
	if stem != "" {
		sq := bq.NewTermQuery(stem)
		sq.SetField(fTextEN)
		return bq.NewDisjunctionQuery([]bq.Query{base, sq}), nil
	}
	return base, nil
}

// spellFilter keeps, of the documents base matches, those where every word
// of qt that carries a diacritic is written so, as query.Eval decides it
// against a SpelledDoc: a document written with diacritics (fWritten
// "marked") must hold the spelled terms at their relative positions in
// fSpell; a document written without them keeps base's match. Only the
// text field is spelled (title: matches folded). The filter is a must-not,
// so it adds nothing to the score.
func (t *translator) spellFilter(field string, qt queryTerms, base bq.Query) (bq.Query, error) {
	if field != fText || qt.spell == nil {
		return base, nil
	}
	spelled, err := t.phraseToks(fSpell, qt.spelled(), false)
	if err != nil {
		return nil, err
	}
	marked := bq.NewTermQuery(writtenMarked)
	marked.SetField(fWritten)
	misspelled := bq.NewBooleanQuery([]bq.Query{marked}, nil, []bq.Query{spelled})
	return bq.NewBooleanQuery([]bq.Query{base}, nil, []bq.Query{misspelled}), nil
}

// phraseToks matches the terms at their relative positions in field (one
// term: a term query); with prefix, the last term is a prefix expanded
// through the term dictionary.
func (t *translator) phraseToks(field string, qt queryTerms, prefix bool) (bq.Query, error) {
	if !prefix {
		if len(qt.toks) == 1 {
			tq := bq.NewTermQuery(qt.toks[0])
			tq.SetField(field)
			return tq, nil
		}
		if qt.span() == len(qt.toks) {
			return bq.NewPhraseQuery(qt.toks, field), nil
		}
		return bq.NewMultiPhraseQuery(qt.slots(), field), nil
	}
	multi := qt.slots()
	exp, err := t.expand(field, qt.toks[len(qt.toks)-1])
	if err != nil {
		return nil, err
	}
	if len(exp) == 0 {
		return bq.NewMatchNoneQuery(), nil
	}
	multi[len(multi)-1] = exp
	return bq.NewMultiPhraseQuery(multi, field), nil
}

func (t *translator) expand(field, prefix string) ([]string, error) {
	if t.dict == nil {
		return []string{prefix}, nil
	}
	return t.dict(field, prefix, prefixExpandMax)
}

// phrase translates "a b c" or field:"a b c".
func (t *translator) phrase(field string, words []string) (bq.Query, error) {
	if err := t.starInQuotes(words); err != nil {
		return nil, err
	}
	kind, f := queryField(field)
	switch kind {
	case kindText:
		// Quoted words match exactly: no stems.
		qt := analyzeQuery(strings.Join(words, " "))
		if len(qt.toks) == 0 {
			return bq.NewMatchNoneQuery(), nil
		}
		t.highlight(qt, false, "")
		base, err := t.phraseToks(f, qt, false)
		if err != nil {
			return nil, err
		}
		return t.spellFilter(f, qt, base)
	case kindKeyword:
		return t.keyword(field, f, strings.Join(words, " "), false)
	case kindNumber, kindDate:
		if len(words) == 1 {
			return t.compare(field, "=", words[0])
		}
		return nil, t.errAt(field+":", "field %q takes a number or date, not a phrase", field)
	}
	return nil, t.unknownField(field)
}

// near translates a NEAR/n b. query.Eval's meaning is: a window of n+1 token
// positions holds the start of every operand, in any order. For two operands
// and n ≤ nearPhraseMax the translation is exact up to overlapping operands:
// a disjunction of gapped phrases "a _ … _ b" and "b _ … _ a" for every start
// distance from the operand's length to n. Three or more operands become the
// conjunction of that test for every pair (each pair within n, possibly using
// different occurrences). Distances above nearPhraseMax become co-occurrence
// of all operands in the same field of the document.
func (t *translator) near(n *query.Near) (bq.Query, error) {
	field := ""
	ops := make([][][]string, 0, len(n.Terms)) // operand → positions → alternatives
	for _, op := range n.Terms {
		var (
			f      string
			value  string
			prefix bool
		)
		switch op := op.(type) {
		case *query.Term:
			f, value, prefix = op.Field, op.Value, op.Prefix
		case *query.Phrase:
			if err := t.starInQuotes(op.Words); err != nil {
				return nil, err
			}
			f, value = op.Field, strings.Join(op.Words, " ")
		default:
			return nil, t.errAt("NEAR", "NEAR needs words or phrases")
		}
		kind, idx := queryField(f)
		if kind != kindText {
			if kind == kindUnknown {
				return nil, t.unknownField(f)
			}
			return nil, t.errAt(f+":", "NEAR works on text fields, not %q", f)
		}
		if field != "" && idx != field {
			return nil, t.errAt("NEAR", "NEAR operands must be in the same field")
		}
		field = idx
		qt := analyzeQuery(value)
		if len(qt.toks) == 0 {
			return bq.NewMatchNoneQuery(), nil
		}
		t.highlight(qt, prefix, "")
		alts := qt.slots()
		if prefix {
			last := qt.toks[len(qt.toks)-1]
			if !isCJKString(last) && utf8.RuneCountInString(last) < minPrefixRunes {
				return nil, t.errAt(value+"*", "prefix %q is too short (at least %d letters)", value, minPrefixRunes)
			}
			exp, err := t.expand(field, last)
			if err != nil {
				return nil, err
			}
			if len(exp) == 0 {
				return bq.NewMatchNoneQuery(), nil
			}
			alts[len(alts)-1] = exp
		}
		ops = append(ops, alts)
	}
	if n.Dist > nearPhraseMax {
		qs := make([]bq.Query, len(ops))
		for i, op := range ops {
			qs[i] = bq.NewMultiPhraseQuery(op, field)
		}
		return bq.NewConjunctionQuery(qs), nil
	}
	var pairs []bq.Query
	for i := 0; i < len(ops); i++ {
		for j := i + 1; j < len(ops); j++ {
			t.nearPhrases += nearPhraseCount(len(ops[i]), len(ops[j]), n.Dist)
			if t.nearPhrases > maxNearPhrases {
				return nil, t.errAt("NEAR", "the query's NEAR clauses are too many to search (more than %d word arrangements): use fewer words or OR alternatives around NEAR, or a smaller distance", maxNearPhrases)
			}
			pairs = append(pairs, nearPair(ops[i], ops[j], n.Dist, field))
		}
	}
	if len(pairs) == 1 {
		return pairs[0], nil
	}
	return bq.NewConjunctionQuery(pairs), nil
}

// nearPhraseCount is how many gapped phrases nearPair makes for operands
// of la and lb positions at distance dist.
func nearPhraseCount(la, lb, dist int) int {
	return max(0, dist-la+1) + max(0, dist-lb+1)
}

// nearPair is a disjunction of gapped phrases: a then b, or b then a, with
// the starts of a and b at most dist positions apart.
func nearPair(a, b [][]string, dist int, field string) bq.Query {
	var qs []bq.Query
	add := func(x, y [][]string) {
		for d := len(x); d <= dist; d++ {
			terms := make([][]string, 0, d+len(y))
			terms = append(terms, x...)
			for g := len(x); g < d; g++ {
				terms = append(terms, []string{""})
			}
			terms = append(terms, y...)
			qs = append(qs, bq.NewMultiPhraseQuery(terms, field))
		}
	}
	add(a, b)
	add(b, a)
	if len(qs) == 0 {
		// dist shorter than either operand: they can only overlap.
		return bq.NewMatchNoneQuery()
	}
	return bq.NewDisjunctionQuery(qs)
}

// keyword translates field:value on a keyword field. Values are normalised
// the way the index stores them: lang, tone lower case, country upper case,
// outlet and entities folded, needs_review true/false.
func (t *translator) keyword(name, field, value string, prefix bool) (bq.Query, error) {
	qs, err := keywordQueries(field, value, prefix)
	if err != nil {
		return nil, t.errAt(name+":", "%s", err.Error())
	}
	if len(qs) == 1 {
		return qs[0], nil
	}
	return bq.NewDisjunctionQuery(qs), nil
}

func keywordQueries(field, value string, prefix bool) ([]bq.Query, error) {
	terms, err := keywordTerms(field, value)
	if err != nil {
		return nil, err
	}
	qs := make([]bq.Query, len(terms))
	for i, ft := range terms {
		if prefix {
			p := bq.NewPrefixQuery(ft.term)
			p.SetField(ft.field)
			qs[i] = filter(p)
			continue
		}
		q := bq.NewTermQuery(ft.term)
		q.SetField(ft.field)
		qs[i] = filter(q)
	}
	return qs, nil
}

// fieldTerm is one term of one index field.
type fieldTerm struct{ field, term string }

// keywordTerms returns the index terms that field:value matches, any of
// them: values are normalised the way docFields stores them.
func keywordTerms(field, value string) ([]fieldTerm, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, fmt.Errorf("empty value for %s", field)
	}
	switch field {
	case fLang, fTone:
		return []fieldTerm{{field, strings.ToLower(value)}}, nil
	case fCountry:
		return []fieldTerm{{field, strings.ToUpper(value)}}, nil
	case fReview:
		switch strings.ToLower(value) {
		case "true", "yes", "1":
			return []fieldTerm{{field, "true"}}, nil
		case "false", "no", "0":
			return []fieldTerm{{field, "false"}}, nil
		}
		return nil, fmt.Errorf("needs_review is true or false, not %q", value)
	case fOutlet:
		return []fieldTerm{{fOutlet, value}, {fOutletF, textnorm.Fold(value)}}, nil
	case fEntities:
		return []fieldTerm{{field, textnorm.Fold(value)}}, nil
	default: // source, topics, cluster: as written, or lower case
		terms := []fieldTerm{{field, value}}
		if l := strings.ToLower(value); l != value {
			terms = append(terms, fieldTerm{field, l})
		}
		return terms, nil
	}
}

// vietnam is the time zone the office reads dates in (UTC+7, no daylight
// saving: a fixed zone needs no time zone database).
var vietnam = time.FixedZone("ICT", 7*3600)

// compare translates risk>=60, published>2026-01-01 and the like.
func (t *translator) compare(field, op, value string) (bq.Query, error) {
	kind, f := queryField(field)
	yes, no := true, false
	switch kind {
	case kindNumber:
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, t.errAt(field, "%s needs a number, not %q", field, value)
		}
		var q *bq.NumericRangeQuery
		switch op {
		case ">":
			q = bq.NewNumericRangeInclusiveQuery(&v, nil, &no, nil)
		case ">=":
			q = bq.NewNumericRangeInclusiveQuery(&v, nil, &yes, nil)
		case "<":
			q = bq.NewNumericRangeInclusiveQuery(nil, &v, nil, &no)
		case "<=":
			q = bq.NewNumericRangeInclusiveQuery(nil, &v, nil, &yes)
		default:
			q = bq.NewNumericRangeInclusiveQuery(&v, &v, &yes, &yes)
		}
		q.SetField(f)
		return filter(q), nil
	case kindDate:
		from, to, err := parseDateValue(value)
		if err != nil {
			return nil, t.errAt(field, "%s needs a date such as 2026-11-05, not %q", field, value)
		}
		var start, end time.Time
		si, ei := true, false
		switch op {
		case ">":
			start = to
		case ">=":
			start = from
		case "<":
			end = from
		case "<=":
			end = to
		default:
			start, end = from, to
		}
		q := bq.NewDateRangeInclusiveQuery(start, end, &si, &ei)
		q.SetField(f)
		return filter(q), nil
	case kindUnknown:
		return nil, t.unknownField(field)
	}
	return nil, t.errAt(field, "field %q is not a number or a date", field)
}

// parseDateValue parses a day or a month, in Vietnam time as the UI shows
// dates and reads its since/until ("published:2025-10-30" holds what the
// hit list dates 30/10/2025, 01:00 included), or an RFC 3339 time (from =
// to = that instant, to just after it).
func parseDateValue(s string) (from, to time.Time, err error) {
	if d, err := time.ParseInLocation(dayLayout, s, vietnam); err == nil {
		return d.UTC(), d.AddDate(0, 0, 1).UTC(), nil
	}
	if d, err := time.ParseInLocation("2006-01", s, vietnam); err == nil {
		return d.UTC(), d.AddDate(0, 1, 0).UTC(), nil
	}
	if ts, err := time.Parse(time.RFC3339, s); err == nil {
		return ts.UTC(), ts.UTC().Add(time.Nanosecond), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("not a date: %q", s)
}

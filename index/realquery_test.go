package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm"
)

// The realistic benchmark's queries: drawn from the first documents of the
// corpus itself (a pilot of 5,000), as the web UI sends them, with a ground
// truth computed from the generated text by the project's one analysis
// (textnorm), independently of the index.

// rqClause is one word or phrase of a query: its terms (folded, as
// textnorm.QueryTerms returns them) at their relative positions, and for a
// bare word written in ASCII letters the English stem it also matches in
// English documents.
type rqClause struct {
	Terms []string
	Rel   []int
	Stem  string
	// Spelled is Terms with each word that carries a diacritic as written
	// (nil when none does): in a document written with diacritics the
	// clause must also match these (the index's spellFilter).
	Spelled []string
}

// realQuery is one search as the web UI sends it, with what the ground truth
// needs.
type realQuery struct {
	Req     Request
	Kind    string // terms, phrase
	Clauses []rqClause
	About   bool
}

const stemKey = textnorm.StemPrefix

// spellKey prefixes, in docTerms, the terms of a document written with
// diacritics as the index's text_spell holds them; markedKey is present
// when the document is written with diacritics (fWritten "marked").
const (
	spellKey  = "\x00spell:"
	markedKey = "\x00marked"
)

// docTerms is the analysis of one document as the ground truth uses it:
// every term of the indexed text (title, text) with its positions, and for
// English documents the stems (keyed stemKey+stem).
type docTerms map[string][]int

func analyzeDoc(a *article.Article) (docTerms, []textnorm.Term, []textnorm.Term, string) {
	s := a.Title + partSep + a.Text
	terms := textnorm.Analyze(s)
	var stems []textnorm.Term
	if a.Lang == "en" {
		stems = textnorm.Stems(s, terms)
	}
	m := make(docTerms, len(terms)/2)
	for _, t := range terms {
		m[t.Text] = append(m[t.Text], t.Pos)
	}
	for _, t := range stems {
		m[stemKey+t.Text] = append(m[stemKey+t.Text], t.Pos)
	}
	if textnorm.WrittenWithMarks(textnorm.CountMarked(s)) {
		m[markedKey] = nil
		for _, t := range termsSpell(s) {
			m[spellKey+t.Text] = append(m[spellKey+t.Text], t.Pos)
		}
	}
	return m, terms, stems, s
}

func (c rqClause) match(d docTerms) bool {
	if !c.matchFolded(d) {
		return false
	}
	if _, marked := d[markedKey]; !marked || c.Spelled == nil {
		return true
	}
	// Written with diacritics: the words with diacritics decide, as
	// written, at their relative positions.
	first := d[spellKey+c.Spelled[0]]
next:
	for _, p := range first {
		for k := 1; k < len(c.Spelled); k++ {
			if !slices.Contains(d[spellKey+c.Spelled[k]], p+c.Rel[k]) {
				continue next
			}
		}
		return true
	}
	return false
}

func (c rqClause) matchFolded(d docTerms) bool {
	if len(c.Terms) == 1 {
		if _, ok := d[c.Terms[0]]; ok {
			return true
		}
		if c.Stem != "" {
			_, ok := d[stemKey+c.Stem]
			return ok
		}
		return false
	}
	first := d[c.Terms[0]]
next:
	for _, p := range first {
		for k := 1; k < len(c.Terms); k++ {
			if !slices.Contains(d[c.Terms[k]], p+c.Rel[k]) {
				continue next
			}
		}
		return true
	}
	return false
}

func (q *realQuery) match(a *article.Article, d docTerms) bool {
	if q.About && !a.Classification.About {
		return false
	}
	if !q.Req.Since.IsZero() && a.Published.Before(q.Req.Since) {
		return false
	}
	if !q.Req.Until.IsZero() && !a.Published.Before(q.Req.Until) {
		return false
	}
	for _, c := range q.Clauses {
		if !c.match(d) {
			return false
		}
	}
	return true
}

// clauseOf analyses a query word or phrase as the index does.
func clauseOf(text string, bare bool) rqClause {
	var c rqClause
	for _, t := range textnorm.QueryTerms(text) {
		c.Terms = append(c.Terms, t.Text)
		c.Rel = append(c.Rel, t.Pos)
	}
	if bare && len(c.Terms) == 1 && textnorm.Stemmable(text) {
		c.Stem = textnorm.Stem(c.Terms[0])
	}
	if qt := analyzeQuery(text); qt.spell != nil && len(qt.toks) == len(c.Terms) {
		c.Spelled = qt.spelled().toks
	}
	return c
}

// realQuerySet is the queries and, per query, the numbers of the documents
// that match it.
type realQuerySet struct {
	Queries []realQuery
	truth   []*roaring.Bitmap
	// byTerm lists the queries whose first clause's first term (or stem) is
	// the key: only those can match a document without it.
	byTerm map[string][]int32
}

func (qs *realQuerySet) index() {
	qs.byTerm = map[string][]int32{}
	for i, q := range qs.Queries {
		c := q.Clauses[0]
		qs.byTerm[c.Terms[0]] = append(qs.byTerm[c.Terms[0]], int32(i))
		if c.Stem != "" {
			qs.byTerm[stemKey+c.Stem] = append(qs.byTerm[stemKey+c.Stem], int32(i))
		}
	}
}

// matches returns the queries document a matches.
func (qs *realQuerySet) matches(a *article.Article, d docTerms) []int32 {
	var out []int32
	for term := range d {
		for _, qi := range qs.byTerm[term] {
			if qs.Queries[qi].match(a, d) {
				out = append(out, qi)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// pilotStats is what the pilot documents tell about the terms.
type pilotStats struct {
	docs []*article.Article
	df   map[string]int
}

// makeRealQueries draws nq distinct queries from the pilot: for each, a pilot
// document, then
//
//   - 60 %: one to three of its words (for Chinese and Japanese, pairs of
//     characters that occur as such in the corpus's text), each drawn with probability proportional to its document
//     frequency in the pilot among words found in 2 to 20 % of the pilot's
//     documents (what people search for: neither hapaxes nor stop words);
//   - 25 %: a phrase of two or three consecutive words of the document
//     (quoted), or three or four consecutive CJK characters (a bare word that
//     is several terms, searched as their phrase);
//   - 15 %: the province's name as written in the document's language.
//
// and then, independently, the scope "about the province" (25 %), a 30- to
// 180-day publication range (20 %), a sort (relevance 60 %, newest 25 %,
// risk 15 %); every request asks for facets, the histogram and highlights
// and the first 20 hits, as the search page does.
func makeRealQueries(g *realGen, pilot int, nq int) *realQuerySet {
	st := pilotStats{df: map[string]int{}}
	type docInfo struct {
		terms []textnorm.Term
		text  string
	}
	infos := make([]docInfo, pilot)
	for i := 0; i < pilot; i++ {
		a := g.doc(i)
		st.docs = append(st.docs, a)
		d, terms, _, s := analyzeDoc(a)
		infos[i] = docInfo{terms, s}
		for t := range d {
			st.df[t]++
		}
	}
	corpusWords := map[string]map[string]bool{}
	for _, l := range g.langs {
		if l.cjk {
			m := map[string]bool{}
			for _, w := range l.vocab[:l.corpusV] {
				m[textnorm.Fold(w)] = true
			}
			corpusWords[l.lang] = m
		}
	}
	rng := rand.New(rand.NewPCG(g.seed^0xabcdef, 7))
	seen := map[string]bool{}
	qs := &realQuerySet{}
	lo, hi := 2, max(pilot/5, 3)
	for tries := 0; len(qs.Queries) < nq && tries < nq*50; tries++ {
		di := rng.IntN(pilot)
		a, info := st.docs[di], infos[di]
		cjk := isCJKLang(a.Lang)
		var q realQuery
		var words []string
		r := rng.IntN(100)
		switch {
		case r < 60:
			q.Kind = "terms"
			var cand []textnorm.Term
			var wsum []int
			tot := 0
			for _, t := range info.terms {
				if (cjk && t.Kind != textnorm.Bigram) || (!cjk && t.Kind != textnorm.Word) {
					continue
				}
				if cjk && !corpusWords[a.Lang][t.Text] {
					continue // a pair of characters that is not a piece of the corpus's text
				}
				if f := st.df[t.Text]; f >= lo && f <= hi && utf8Len(t.Text) >= 2 {
					cand = append(cand, t)
					tot += f
					wsum = append(wsum, tot)
				}
			}
			if len(cand) == 0 {
				continue
			}
			k := 1 + rng.IntN(3)
			for j := 0; j < k; j++ {
				x := rng.IntN(tot)
				i, _ := slices.BinarySearch(wsum, x+1)
				w := strings.ToLower(info.text[cand[i].Start:cand[i].End])
				if !slices.Contains(words, w) {
					words = append(words, w)
				}
			}
		case r < 85:
			q.Kind = "phrase"
			// consecutive terms of one kind at consecutive positions
			var run []textnorm.Term
			n := 2 + rng.IntN(2)
			st0 := rng.IntN(len(info.terms))
			for i := st0; i < len(info.terms) && len(run) < n; i++ {
				t := info.terms[i]
				want := textnorm.Word
				if cjk {
					want = textnorm.Bigram
				}
				if t.Kind != want {
					continue
				}
				if len(run) > 0 && t.Pos != run[len(run)-1].Pos+1 {
					run = run[:0]
				}
				run = append(run, t)
			}
			if len(run) < n {
				continue
			}
			if cjk {
				words = []string{info.text[run[0].Start:run[len(run)-1].End]}
			} else {
				var parts []string
				for _, t := range run {
					parts = append(parts, strings.ToLower(info.text[t.Start:t.End]))
				}
				words = []string{`"` + strings.Join(parts, " ") + `"`}
			}
		default:
			q.Kind = "province"
			name := provinceName[a.Lang]
			if name == "" {
				name = "Dong Nai"
			}
			if strings.Contains(name, " ") {
				name = `"` + name + `"`
			}
			words = []string{name}
		}
		if len(words) == 0 {
			continue
		}
		for _, w := range words {
			if strings.HasPrefix(w, `"`) {
				q.Clauses = append(q.Clauses, clauseOf(strings.Trim(w, `"`), false))
			} else {
				q.Clauses = append(q.Clauses, clauseOf(w, true))
			}
		}
		if slices.ContainsFunc(q.Clauses, func(c rqClause) bool { return len(c.Terms) == 0 }) {
			continue
		}
		q.Req = Request{Query: strings.Join(words, " "), Facets: true, Highlight: true, Size: 20}
		if rng.IntN(4) == 0 {
			q.About = true
			q.Req.Filters = map[string][]string{"relevance": {article.RelevanceAbout}}
		}
		if rng.IntN(5) == 0 {
			days := 30 + rng.IntN(151)
			startDay := rng.IntN(730 - days)
			q.Req.Since = realGenBase.AddDate(0, 0, startDay)
			q.Req.Until = q.Req.Since.AddDate(0, 0, days)
		}
		switch s := rng.IntN(100); {
		case s < 60:
			q.Req.Sort = SortRelevance
		case s < 85:
			q.Req.Sort = SortNewest
		default:
			q.Req.Sort = SortRisk
		}
		key := fmt.Sprintf("%s|%v|%s|%s|%s", q.Req.Query, q.About, q.Req.Since.Format(time.DateOnly), q.Req.Until.Format(time.DateOnly), q.Req.Sort)
		if seen[key] {
			continue
		}
		seen[key] = true
		qs.Queries = append(qs.Queries, q)
	}
	qs.index()
	return qs
}

func utf8Len(s string) int { return len([]rune(s)) }

package index

import (
	"html"
	"html/template"
	"sort"
	"strings"
	"unicode/utf8"

	porterstemmer "github.com/blevesearch/go-porterstemmer"

	"github.com/dongnai/presswatch/internal/textnorm"
)

// Snippet sizes, in bytes of original text.
const (
	snippetLen   = 240
	maxSnippets  = 2
	leadSnippet  = 200 // the text's beginning, when nothing matched
	maxHLScanLen = 200_000
)

// span is a half-open byte range of the original text.
type span struct{ start, end int }

// matchSpans finds, in the original text s, every occurrence of the
// highlight terms, comparing folded tokens as the index does; for English
// documents a word also matches a token with the same Porter stem.
func matchSpans(s string, terms []hlTerm, english bool) []span {
	if len(terms) == 0 || s == "" {
		return nil
	}
	if len(s) > maxHLScanLen {
		s = s[:maxHLScanLen]
	}
	folded, offs := textnorm.FoldMap(s)
	toks := textnorm.Tokens(folded)
	// English words match by Porter stem. The stemmer only rewrites
	// endings, so two words with different first letters never share a
	// stem: most tokens are ruled out without stemming them, and each
	// distinct word is stemmed once.
	stemOf := map[string]string{}
	stem := func(w string) string {
		s, ok := stemOf[w]
		if !ok {
			s = porterstemmer.StemString(w)
			stemOf[w] = s
		}
		return s
	}
	eq := func(i int, want string, prefix bool) bool {
		got := toks[i].Text
		if got == want || (prefix && strings.HasPrefix(got, want)) {
			return true
		}
		return english && !prefix && got != "" && want != "" && got[0] == want[0] && stem(got) == stem(want)
	}
	// A one-word term whose word is also part of a phrase term is marked
	// only when no such phrase occurs in the text: "Dong Nai" marks the
	// phrase, not every "động" that folds to "dong".
	inPhrase := map[string][]int{} // word → the phrase terms holding it
	for j, term := range terms {
		if len(term.toks) > 1 {
			for _, w := range term.toks {
				inPhrase[w] = append(inPhrase[w], j)
			}
		}
	}
	found := make([]bool, len(terms))
	var out, single []span
	var singleTerm []int
	for i := range toks {
		for j, term := range terms {
			n := len(term.toks)
			if i+n > len(toks) {
				continue
			}
			ok := true
			for k := 0; k < n && ok; k++ {
				ok = eq(i+k, term.toks[k], term.prefix && k == n-1)
			}
			if !ok {
				continue
			}
			found[j] = true
			sp := span{offs[toks[i].Start], offs[toks[i+n-1].End]}
			if n == 1 && !term.prefix && len(inPhrase[term.toks[0]]) > 0 {
				single, singleTerm = append(single, sp), append(singleTerm, j)
				continue
			}
			out = append(out, sp)
		}
	}
	for k, sp := range single {
		phraseFound := false
		for _, j := range inPhrase[terms[singleTerm[k]].toks[0]] {
			phraseFound = phraseFound || found[j]
		}
		if !phraseFound {
			out = append(out, sp)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].start < out[b].start })
	// Merge overlapping spans.
	merged := out[:0]
	for _, sp := range out {
		if k := len(merged); k > 0 && sp.start <= merged[k-1].end {
			if sp.end > merged[k-1].end {
				merged[k-1].end = sp.end
			}
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// snippets cuts up to maxSnippets fragments of s around the matches, HTML
// escaped, each match wrapped in <mark>. With no match, it returns the
// beginning of s when lead is set.
func snippets(s string, spans []span, lead bool) []template.HTML {
	if len(spans) == 0 {
		if !lead || s == "" {
			return nil
		}
		end := cutAt(s, leadSnippet, true)
		frag := html.EscapeString(strings.TrimSpace(s[:end]))
		if end < len(s) {
			frag += "…"
		}
		return []template.HTML{template.HTML(frag)}
	}
	var out []template.HTML
	for i := 0; i < len(spans) && len(out) < maxSnippets; {
		first := spans[i]
		start := cutAt(s, first.start-snippetLen/4, false)
		if start > first.start {
			start = first.start // a match starts a word
		}
		end := cutAt(s, start+snippetLen, true)
		if end < first.end {
			end = first.end
		}
		var b strings.Builder
		if start > 0 {
			b.WriteString("…")
		}
		pos := start
		for i < len(spans) && spans[i].start < end {
			sp := spans[i]
			e := min(sp.end, end)
			b.WriteString(html.EscapeString(s[pos:sp.start]))
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(s[sp.start:e]))
			b.WriteString("</mark>")
			pos = e
			i++
		}
		b.WriteString(html.EscapeString(s[pos:end]))
		if end < len(s) {
			b.WriteString("…")
		}
		out = append(out, template.HTML(b.String()))
	}
	return out
}

// cutAt returns a byte offset near i that is on a rune boundary and, when
// possible, at white space (forward: the end of a fragment; else its start).
func cutAt(s string, i int, forward bool) int {
	if i <= 0 {
		return 0
	}
	if i >= len(s) {
		return len(s)
	}
	// Fragments start and end between words: look up to 64 bytes (a long
	// Vietnamese word with its marks is ~30) for white space, then, for a
	// start, forward for the next word's beginning.
	const look = 64
	space := func(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
	if forward {
		for j := i; j < len(s) && j < i+look; j++ {
			if space(s[j]) {
				return j
			}
		}
	} else {
		for j := i; j > 0 && j > i-look; j-- {
			if space(s[j]) {
				return j + 1
			}
		}
		for j := i; j < len(s) && j < i+look; j++ {
			if space(s[j]) {
				return j + 1
			}
		}
	}
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// highlightHit builds a hit's snippets from its stored body (the original
// text): fragments around the matches, or the beginning of the text when the
// query matched elsewhere (the title, a keyword).
func highlightHit(body string, terms []hlTerm, english bool) []template.HTML {
	return snippets(body, matchSpans(body, terms, english), true)
}

package index

import (
	"html"
	"html/template"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/dongnai/presswatch/internal/textnorm"
)

// Snippet sizes, in bytes of original text.
const (
	snippetLen   = 240
	maxSnippets  = 2
	leadSnippet  = 200 // the text's beginning, when nothing matched
	maxHLScanLen = 200_000
)

// stemTailMax is how many letters at the end of a Porter stem may differ
// from the word it comes from.
const stemTailMax = 3

// span is a half-open byte range of the original text.
type span struct{ start, end int }

// matchSpans finds, in the original text s, every occurrence of the
// highlight terms, analysing s as the index does (textnorm.Analyze); for
// English documents an unquoted word also matches the words with its stem.
func matchSpans(s string, terms []hlTerm, english bool) []span {
	if len(terms) == 0 || s == "" {
		return nil
	}
	if len(s) > maxHLScanLen {
		s = s[:maxHLScanLen]
		for len(s) > 0 && !utf8.RuneStart(s[len(s)-1]) {
			s = s[:len(s)-1]
		}
	}
	all := textnorm.Analyze(s)
	// Only the terms' first words are looked up by text, so one pass over
	// the text collects their occurrences; the other words of a phrase are
	// looked up by position, and all is in order of position (a bigram
	// shares its first character's position), so by binary search. Building
	// maps of every term by text and by position cost more than the
	// analysis itself.
	firsts := make(map[string][]int, len(terms))
	for _, term := range terms {
		if len(term.toks) == 1 && term.prefix {
			continue
		}
		firsts[term.toks[0]] = nil
	}
	for i, t := range all {
		if l, ok := firsts[t.Text]; ok {
			firsts[t.Text] = append(l, i)
		}
	}
	// stems maps a wanted stem to the words that have it, for English
	// documents. A Porter stem keeps all but at most the last three letters
	// of its stem from the word's beginning (it only rewrites suffixes; the
	// longest rewrite is -biliti → -ble), so only words starting like a
	// wanted stem are stemmed (TestStemPrefixBound).
	var stems map[string][]int
	if english {
		for _, term := range terms {
			if term.stem != "" {
				if stems == nil {
					stems = map[string][]int{}
				}
				stems[term.stem] = nil
			}
		}
	}
	if stems != nil {
		for i, t := range all {
			if t.Kind != textnorm.Word || !textnorm.Stemmable(s[t.Start:t.End]) {
				continue
			}
			stem, stemmed := "", false
			for want := range stems {
				if !strings.HasPrefix(t.Text, want[:max(0, len(want)-stemTailMax)]) {
					continue
				}
				if !stemmed {
					stem, stemmed = textnorm.Stem(t.Text), true
				}
				if stem == want {
					stems[want] = append(stems[want], i)
				}
			}
		}
	}
	// at returns the index of a term at pos equal to (or, with prefix,
	// starting with) want, or -1.
	at := func(pos int, want string, prefix bool) int {
		for i := sort.Search(len(all), func(i int) bool { return all[i].Pos >= pos }); i < len(all) && all[i].Pos == pos; i++ {
			if got := all[i].Text; got == want || (prefix && strings.HasPrefix(got, want)) {
				return i
			}
		}
		return -1
	}
	// Words typed with diacritics are marked only as written in a text
	// written with diacritics, as they match there (index.md, "text_spell").
	marked := false
	for _, term := range terms {
		if term.spell != nil {
			marked = textnorm.WrittenWithMarks(textnorm.CountMarked(s))
			break
		}
	}
	spelledOK := func(term hlTerm, k, i int) bool {
		if !marked || term.spell == nil || k >= len(term.spell) || term.spell[k] == "" || (term.prefix && k == len(term.toks)-1) {
			return true
		}
		return textnorm.SpelledAs(s[all[i].Start:all[i].End], term.spell[k])
	}
	// A one-word term whose word is also in a phrase term is marked only
	// where no such phrase occurs in the text: "Dong Nai" marks the phrase,
	// not every "động" that folds to "dong".
	perTerm := make([][]span, len(terms))
	phraseFound := map[string]bool{}
	for ti, term := range terms {
		n := len(term.toks)
		var starts []int
		if n == 1 && term.prefix {
			for i, t := range all {
				if strings.HasPrefix(t.Text, term.toks[0]) {
					starts = append(starts, i)
				}
			}
		} else {
			starts = append(starts, firsts[term.toks[0]]...)
		}
		if term.stem != "" {
			starts = append(starts, stems[term.stem]...)
		}
		for _, i := range starts {
			end := i
			ok := spelledOK(term, 0, i)
			for k := 1; k < n && ok; k++ {
				off := k // positions of a phrase's words, when not given
				if k < len(term.offs) {
					off = term.offs[k]
				}
				j := at(all[i].Pos+off, term.toks[k], term.prefix && k == n-1)
				ok = j >= 0 && spelledOK(term, k, j)
				end = j
			}
			if ok {
				perTerm[ti] = append(perTerm[ti], span{all[i].Start, all[end].End})
			}
		}
		if n > 1 && len(perTerm[ti]) > 0 {
			for _, w := range term.toks {
				phraseFound[w] = true
			}
		}
	}
	var out []span
	for ti, term := range terms {
		if len(term.toks) == 1 && phraseFound[term.toks[0]] {
			continue
		}
		out = append(out, perTerm[ti]...)
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
	const look = 24
	if forward {
		for j := i; j < len(s) && j < i+look; j++ {
			if s[j] == ' ' || s[j] == '\n' {
				return j
			}
		}
	} else {
		for j := i; j > 0 && j > i-look; j-- {
			if s[j] == ' ' || s[j] == '\n' {
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

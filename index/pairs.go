package index

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/dongnai/presswatch/internal/textnorm"
)

// Word pairs (issue 15, mapping version 11). A phrase of common words was
// the tail of first-seen search at 1,000,000 documents: "dong nai", "in dong
// nai", "the for" have a tenth to two thirds of the articles as candidates,
// and each candidate's positions cost about a microsecond to check. As
// Lucene's CommonGrams and Elasticsearch's index_phrases do, the index also
// keeps, in text_pair, one term for every two common words side by side in
// text ("dong nai"): a document set read from one bitmap, no positions. A
// phrase's candidates are then the documents holding its words and its
// common pairs; a phrase of two common words is its pair's postings, with
// no positions read at all, and a longer one checks positions only on the
// documents that hold all its pairs.
//
// Only pairs of common words are kept: a phrase with a rare word has few
// candidates anyway, and every pair is a term the indexer writes. The
// common words are pairwords.txt (written by pairwords_gen.go): the words
// in at least 5 % of the labelled corpus's items, 292 of them. On that
// corpus (1,262 items) the pairs are 14 % as many as a text's terms, and an
// item gets about a fifth more distinct terms (30 on 163), each without
// frequencies, norms or positions (docs/index.md, "Word pairs").

//go:embed pairwords.txt
var pairWordsText string

// pairWords is the set of common words; read-only data built once.
var pairWords = func() map[string]struct{} {
	m := map[string]struct{}{}
	for l := range strings.Lines(pairWordsText) {
		if strings.HasPrefix(l, "#") {
			continue
		}
		w, _, _ := strings.Cut(strings.TrimSpace(l), "\t")
		if w != "" {
			m[w] = struct{}{}
		}
	}
	return m
}()

// isPairWord reports whether w is a common word, one whose pairs the index
// keeps.
func isPairWord(w string) bool {
	_, ok := pairWords[w]
	return ok
}

// pairTerm is the text_pair term of the words a and b side by side. Words
// of a spaced script never hold a space.
func pairTerm(a, b string) string { return a + " " + b }

// pairTerms are the text_pair terms of a text's terms: for every term that
// is a common word, and every such term at the next position, their pair,
// at the first one's position. Whatever the terms' kinds, so that a pair is
// kept exactly where a phrase of the two would match. Positions across the
// gap between parts are never adjacent, so no pair spans two parts.
func pairTerms(terms []textnorm.Term) []textnorm.Term {
	var common []textnorm.Term
	for _, t := range terms {
		if isPairWord(t.Text) {
			common = append(common, t)
		}
	}
	if len(common) < 2 {
		return nil
	}
	byPos := func(a, b textnorm.Term) int { return a.Pos - b.Pos }
	if !slices.IsSortedFunc(common, byPos) {
		slices.SortStableFunc(common, byPos)
	}
	// The pairs' texts go into one string that the terms slice, rather
	// than one allocation a pair (the indexer's garbage is mostly per term).
	var (
		buf  []byte
		out  []textnorm.Term
		ends []int
	)
	for i, a := range common {
		for _, b := range common[i+1:] {
			if b.Pos > a.Pos+1 {
				break
			}
			if b.Pos == a.Pos+1 {
				buf = append(append(append(buf, a.Text...), ' '), b.Text...)
				ends = append(ends, len(buf))
				out = append(out, textnorm.Term{Pos: a.Pos, Start: a.Start, End: b.End, Kind: textnorm.Word})
			}
		}
	}
	all, start := string(buf), 0
	for k := range out {
		out[k].Text, start = all[start:ends[k]], ends[k]
	}
	return out
}

// termsPair are the text_pair terms of s.
func termsPair(s string) []textnorm.Term { return pairTerms(textnorm.Analyze(s)) }

// phrasePairs are the text_pair terms of a phrase of text: its words at
// relative positions offs, every two side by side that are both common.
// exact reports whether the pairs alone decide the phrase: it is two words
// side by side, and their pair is kept.
func phrasePairs(toks []string, offs []int) (pairs []string, exact bool) {
	for k := 0; k+1 < len(toks); k++ {
		if offs[k+1] == offs[k]+1 && isPairWord(toks[k]) && isPairWord(toks[k+1]) {
			pairs = append(pairs, pairTerm(toks[k], toks[k+1]))
		}
	}
	return pairs, len(toks) == 2 && len(pairs) == 1
}

package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Selection thresholds (see docs/extraction.md). They were set on the Zyte
// benchmark and are deliberately round: results are flat around them.
const (
	// containedCov: a text whose shingles are at least this share inside the
	// other text is "contained" in it.
	containedCov = 0.9
	// extraCov: below this share, a text carries material the other lacks.
	extraCov = 0.9
	// proseMinWords is the length from which a paragraph only readability found
	// is taken as article prose (when it also ends like a sentence).
	proseMinWords = 15
	// continuationShare: readability's extra prose must amount to this share of
	// trafilatura's text before it is added (trafilatura stopped too early).
	continuationShare = 0.5
	// shortWords: a trafilatura text under this many words that readability
	// more than doubles is taken for a miss (trafilatura's own fallback rule).
	shortWords = 100
	// minReadWords: a readability text under this many words never replaces
	// trafilatura's (readability found a fragment, not a tighter article).
	minReadWords = 30
	// repeatedMin short paragraphs of at most repeatedMaxWords words with the
	// same words make readability's extra text a list of items.
	repeatedMin      = 3
	repeatedMaxWords = 8
)

// choose picks or merges the main text from the candidates:
//
//   - trafilatura's text is the default: it is the most precise alone;
//   - when trafilatura's text is short and readability's is more than twice as
//     long, trafilatura missed the article: readability's text wins;
//   - when readability's text is contained in trafilatura's but trafilatura's
//     has much that readability's lacks, trafilatura swept in boilerplate
//     (related links, teasers, footers): readability's tighter text wins;
//   - when trafilatura's text is contained in readability's and readability
//     found a lot of further sentence-like paragraphs, trafilatura stopped early
//     (split article bodies, ads between sections): readability's paragraphs that
//     are shared or prose-like are kept, in readability's order;
//   - an empty candidate loses; the schema.org articleBody is the last resort.
func choose(cs *candidateSet) (string, string) {
	t, r := cs.traf.text, cs.read.text
	switch {
	case t == "" && r == "":
		if cs.jsonld.text != "" {
			return cs.jsonld.text, cs.jsonld.method
		}
		return "", ""
	case t == "":
		return r, cs.read.method
	case r == "":
		return t, cs.traf.method
	}
	tt, rt := Tokens(t), Tokens(r)
	if len(tt) < shortWords && len(rt) > 2*len(tt) {
		return r, cs.read.method
	}
	if len(rt) < minReadWords {
		return t, cs.traf.method
	}
	ts, rs := shingles(tt, 4), shingles(rt, 4)
	covRT := coverage(rs, ts) // share of readability inside trafilatura
	covTR := coverage(ts, rs) // share of trafilatura inside readability
	if covRT >= containedCov && covTR < extraCov {
		return r, cs.read.method
	}
	if covTR >= containedCov && covRT < extraCov {
		if merged, ok := continuation(r, ts, len(tt)); ok {
			return merged, "trafilatura+readability"
		}
	}
	return t, cs.traf.method
}

// coverage returns the share of a's shingles (with multiplicity) found in b.
func coverage(a, b map[string]int) float64 {
	total, in := 0, 0
	for k, n := range a {
		total += n
		in += min(n, b[k])
	}
	if total == 0 {
		return 0
	}
	return float64(in) / float64(total)
}

// continuation keeps readability's paragraphs that share a shingle with
// trafilatura's text or read like prose; ok is false when the prose added is
// too little to be a missed continuation of the article.
func continuation(r string, ts map[string]int, tWords int) (string, bool) {
	var out []string
	extra := 0
	short := map[string]int{}
	for p := range strings.SplitSeq(r, "\n") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		toks := Tokens(p)
		shared := false
		for k := range shingles(toks, 4) {
			if ts[k] > 0 {
				shared = true
				break
			}
		}
		switch {
		case shared:
			out = append(out, p)
		case len(toks) >= proseMinWords && endsSentence(p):
			out = append(out, p)
			extra += len(toks)
		case len(toks) <= repeatedMaxWords:
			short[wordKey(p)]++
		}
	}
	for _, n := range short {
		if n >= repeatedMin {
			// The same short line again and again ("Share Tweet Pin") marks a
			// list of items, not an article that trafilatura cut short.
			return "", false
		}
	}
	if float64(extra) < continuationShare*float64(tWords) {
		return "", false
	}
	return strings.Join(out, "\n\n"), true
}

// endsSentence reports whether p ends with sentence punctuation, possibly
// followed by a closing quote or bracket.
func endsSentence(p string) bool {
	p = strings.TrimRightFunc(p, unicode.IsSpace)
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		switch r {
		case '.', '!', '?', '…', '。', '！', '？':
			return true
		case '"', '”', '’', '»', ')', '\'', '」', '』':
			p = p[:len(p)-size]
			continue
		}
		return false
	}
	return false
}

package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// choose picks or merges the main text from the candidates (th from
// thresholds.go; the numbers are fields of Thresholds):
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
func choose(cs *candidateSet, th Thresholds) (string, string) {
	s := newSelection(cs)
	return s.text(s.decide(th))
}

// choiceKind names where a chosen text comes from.
type choiceKind int

const (
	choiceNone choiceKind = iota
	choiceJSONLD
	choiceTraf
	choiceRead
	choiceMerged
)

// choice is the outcome of the selection rules: a candidate, or the merge of
// trafilatura's and readability's texts, which depends only on prose (the
// ProseMinWords it was made with). Two equal choices give the same text, so the
// evaluation can cache a page's score per choice (see CrossValidate).
type choice struct {
	kind  choiceKind
	prose int
}

// selection holds what the rules measure on a candidate set. Everything in it
// depends on the candidates alone, not on the thresholds, and is computed
// lazily once: Extract measures only what its path through the rules needs,
// CrossValidate reuses it for every threshold setting.
type selection struct {
	cs            *candidateSet
	tt, rt        []string // tokens of trafilatura's and readability's texts
	ts            map[string]int
	covered       bool
	covRT, covTR  float64 // share of readability in trafilatura, and the reverse
	paras         []readPara
	parasMeasured bool
}

// readPara is one non-blank paragraph of readability's text.
type readPara struct {
	text     string
	words    int
	shared   bool // shares a word 4-gram with trafilatura's text
	sentence bool // ends like a sentence
	key      string
}

func newSelection(cs *candidateSet) *selection {
	s := &selection{cs: cs}
	if cs.traf.text != "" && cs.read.text != "" {
		s.tt, s.rt = words(cs.traf.text), words(cs.read.text)
	}
	return s
}

// decide applies the rules with th.
func (s *selection) decide(th Thresholds) choice {
	t, r := s.cs.traf.text, s.cs.read.text
	switch {
	case t == "" && r == "":
		if s.cs.jsonld.text != "" {
			return choice{kind: choiceJSONLD}
		}
		return choice{kind: choiceNone}
	case t == "":
		return choice{kind: choiceRead}
	case r == "":
		return choice{kind: choiceTraf}
	}
	if len(s.tt) < th.ShortWords && float64(len(s.rt)) > th.ShortRatio*float64(len(s.tt)) {
		return choice{kind: choiceRead}
	}
	if len(s.rt) < th.MinReadWords {
		return choice{kind: choiceTraf}
	}
	covRT, covTR := s.coverages()
	if covRT >= th.ContainedCov && covTR < th.ExtraCov {
		return choice{kind: choiceRead}
	}
	if covTR >= th.ContainedCov && covRT < th.ExtraCov && s.continues(th) {
		return choice{kind: choiceMerged, prose: th.ProseMinWords}
	}
	return choice{kind: choiceTraf}
}

// text returns the text and method of c.
func (s *selection) text(c choice) (string, string) {
	switch c.kind {
	case choiceJSONLD:
		return s.cs.jsonld.text, s.cs.jsonld.method
	case choiceTraf:
		return s.cs.traf.text, s.cs.traf.method
	case choiceRead:
		return s.cs.read.text, s.cs.read.method
	case choiceMerged:
		var out []string
		for _, p := range s.paragraphs() {
			if p.shared || (p.words >= c.prose && p.sentence) {
				out = append(out, p.text)
			}
		}
		return strings.Join(out, "\n\n"), "trafilatura+readability"
	}
	return "", ""
}

func (s *selection) coverages() (float64, float64) {
	if !s.covered {
		s.ts = shingles(s.tt, 4)
		rs := shingles(s.rt, 4)
		s.covRT = coverage(rs, s.ts)
		s.covTR = coverage(s.ts, rs)
		s.covered = true
	}
	return s.covRT, s.covTR
}

// paragraphs measures readability's paragraphs against trafilatura's text.
func (s *selection) paragraphs() []readPara {
	if s.parasMeasured {
		return s.paras
	}
	s.coverages()
	for p := range strings.SplitSeq(s.cs.read.text, "\n") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		toks := words(p)
		rp := readPara{text: p, words: len(toks), sentence: endsSentence(p), key: wordKey(p)}
		for k := range shingles(toks, 4) {
			if s.ts[k] > 0 {
				rp.shared = true
				break
			}
		}
		s.paras = append(s.paras, rp)
	}
	s.parasMeasured = true
	return s.paras
}

// continues reports whether readability's paragraphs that trafilatura lacks
// are a missed continuation of the article: prose (paragraphs of at least
// ProseMinWords ending like a sentence) amounting to ContinuationShare of
// trafilatura's length, and no short line repeated RepeatedMin times.
func (s *selection) continues(th Thresholds) bool {
	extra := 0
	short := map[string]int{}
	for _, p := range s.paragraphs() {
		switch {
		case p.shared:
		case p.words >= th.ProseMinWords && p.sentence:
			extra += p.words
		case p.words <= th.RepeatedMaxWords:
			short[p.key]++
		}
	}
	for _, n := range short {
		if n >= th.RepeatedMin {
			// The same short line again and again ("Share Tweet Pin") marks a
			// list of items, not an article that trafilatura cut short.
			return false
		}
	}
	return float64(extra) >= th.ContinuationShare*float64(len(s.tt))
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

package textnorm

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	porterstemmer "github.com/blevesearch/go-porterstemmer"
	"golang.org/x/text/unicode/norm"
)

// The one analysis of presswatch: the index, both search paths and the rule
// evaluator (topic rules, alert routes, silences) all turn text and query
// words into terms with Analyze, so that a query means the same everywhere.
//
//   - Text is folded with Fold: NFKC width normalisation, case, Vietnamese
//     diacritics (precomposed or NFD, either tone placement), đ/Đ/Ð → d.
//   - Words of spaced scripts are maximal runs of letters, digits and marks
//     (Kind Word), one position each.
//   - Han, Kana and Hangul (IsCJK) are written without spaces between words:
//     each character gets a position and a unigram term, and every two
//     adjacent characters a bigram term at the first one's position. A query
//     of two or more characters matches its bigrams in order, so 同奈 never
//     matches 同 … 奈, and 동나이 never matches 활동 나이 (the bigram 동나 is
//     not there). A single character matches its unigram.
//   - Characters separated by anything else are not adjacent: their
//     positions get a gap of one. Two exceptions join them: a middle dot
//     (ドン・ナイ is ドンナイ), and white space inside a known name (CJKNames:
//     동 나이 is 동나이, but only where the name starts at the beginning of a
//     Hangul word, so 활동 나이 stays two words).
//   - A paragraph separator (PartSep) adds PartGap positions, so that phrases
//     and NEAR never span the parts of a document given as one string.
//   - English stems (Stem) are extra terms at the words' positions, for
//     English documents: unquoted words match them, quoted phrases do not.

// Kind says what a Term is.
type Kind uint8

// Term kinds.
const (
	Word    Kind = iota // a word of a spaced script, folded
	Unigram             // one CJK character
	Bigram              // two adjacent CJK characters
)

// Term is one term of analysed text. Text is folded; Pos is its position
// (bigrams share the position of their first character); Start and End are
// byte offsets in the original text. Solo marks a unigram whose character
// has no adjacent CJK neighbour (the only term a query keeps for it).
type Term struct {
	Text       string
	Pos        int
	Start, End int
	Kind       Kind
	Solo       bool
}

// PartSep separates parts of a document given as one string (title,
// summary, text); PartGap is the gap of positions it leaves, more than any
// NEAR distance.
const (
	PartSep = '\u2029'
	PartGap = 1001
)

//go:embed cjk_names.txt
var cjkNamesText string

// cjkNames holds the known CJK names (folded, without spaces) by first rune;
// read-only data built once.
var cjkNames = func() map[rune][]string {
	m := map[rune][]string{}
	for _, l := range strings.Split(cjkNamesText, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := Fold(strings.ReplaceAll(l, " ", ""))
		r, _ := utf8.DecodeRuneInString(f)
		m[r] = append(m[r], f)
	}
	return m
}()

// CJKNames returns the known CJK names (folded, without spaces) whose words
// Analyze joins when they are written with spaces between them.
func CJKNames() []string {
	var out []string
	for _, ns := range cjkNames {
		out = append(out, ns...)
	}
	return out
}

// sep is what lies between two raw tokens.
type sep uint8

const (
	sepNone  sep = iota // adjacent
	sepDot              // only middle dots
	sepSpace            // only white space
	sepOther            // anything else
	sepPart             // a PartSep
)

type rawTok struct {
	text       string // folded
	start, end int    // in the folded string
	cjk        bool
	before     sep // what separates it from the token before
}

func isMiddleDot(r rune) bool {
	switch r {
	case '\u30fb', '\u00b7', '\u2027', '\u2022', '\uff65':
		return true
	}
	return false
}

// rawScratch holds the working lists of one AnalyzeFolded call; they are
// pooled because every article analysed needs them for a moment only.
type rawScratch struct {
	toks   []rawTok
	joined []bool
}

var rawPool = sync.Pool{New: func() any { return new(rawScratch) }}

func (sc *rawScratch) put() {
	clear(sc.toks) // no reference to the text outlives the call
	rawPool.Put(sc)
}

// rawTokens splits folded text like Tokens, appending to out, and records
// the separator before each token. It is written without closures so that
// its state stays in registers: it runs on every byte of every article
// (TestRawTokensSameAsClosures holds it to the closure-based version it
// replaced).
func rawTokens(out []rawTok, folded string) []rawTok {
	start := -1
	var seps sepSeen // what was seen since the last token
	for i := 0; i < len(folded); {
		c := folded[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' {
				if start < 0 {
					start = i
				}
				i++
				continue
			}
			if start >= 0 {
				out = append(out, rawTok{text: folded[start:i], start: start, end: i, before: seps.sep()})
				seps, start = 0, -1
			}
			switch c {
			case '\t', '\n', '\v', '\f', '\r', ' ':
				seps |= seenSpace
			default:
				seps |= seenOther
			}
			i++
			continue
		}
		r, size := decodeAt(folded, i)
		switch {
		case IsCJK(r):
			if start >= 0 {
				out = append(out, rawTok{text: folded[start:i], start: start, end: i, before: seps.sep()})
				seps, start = 0, -1
			}
			out = append(out, rawTok{text: folded[i : i+size], start: i, end: i + size, cjk: true, before: seps.sep()})
			seps = 0
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				out = append(out, rawTok{text: folded[start:i], start: start, end: i, before: seps.sep()})
				seps, start = 0, -1
			}
			switch {
			case r == PartSep:
				seps |= seenPart
			case isMiddleDot(r):
				seps |= seenDot
			case unicode.IsSpace(r):
				seps |= seenSpace
			default:
				seps |= seenOther
			}
		}
		i += size
	}
	if start >= 0 {
		out = append(out, rawTok{text: folded[start:], start: start, end: len(folded), before: seps.sep()})
	}
	return out
}

// sepSeen records the kinds of separator met between two tokens.
type sepSeen uint8

const (
	seenDot sepSeen = 1 << iota
	seenSpace
	seenOther
	seenPart
)

// sep is the separator a token records for what was seen before it.
func (s sepSeen) sep() sep {
	switch {
	case s&seenPart != 0:
		return sepPart
	case s&seenOther != 0 || s&(seenDot|seenSpace) == seenDot|seenSpace:
		return sepOther
	case s&seenDot != 0:
		return sepDot
	case s&seenSpace != 0:
		return sepSpace
	}
	return sepNone
}

// joins reports, for each raw token, whether it continues the CJK run of the
// token before it (adjacent, across middle dots, or across white space
// inside a known name).
func joins(j []bool, toks []rawTok) []bool {
	j = slices.Grow(j[:0], len(toks))[:len(toks)]
	clear(j)
	runStart := 0
	for i := range toks {
		if i == 0 {
			continue
		}
		a, b := toks[i-1], toks[i]
		if a.cjk && b.cjk {
			switch b.before {
			case sepNone, sepDot:
				j[i] = true
			case sepSpace:
				j[i] = knownNameAcross(toks, j, runStart, i)
			}
		}
		if !j[i] {
			runStart = i
		}
	}
	return j
}

// knownNameAcross reports whether a known name starting in the run
// toks[runStart:b] (at its start, or anywhere for a name not in Hangul) goes
// on across the space before toks[b], over CJK tokens separated by nothing,
// middle dots or spaces.
func knownNameAcross(toks []rawTok, joined []bool, runStart, b int) bool {
	const maxName = 16
	for s := max(runStart, b-maxName); s < b; s++ {
		first, _ := utf8.DecodeRuneInString(toks[s].text)
		names := cjkNames[first]
		if len(names) == 0 || (s != runStart && unicode.Is(unicode.Hangul, first)) {
			continue
		}
		// The candidate is the texts of toks[s:end] run together.
		end := s + 1
		for end < len(toks) && end < s+maxName && toks[end].cjk && toks[end-1].cjk && toks[end].before != sepOther && toks[end].before != sepPart {
			end++
		}
		minLen := 0 // the name must reach past the boundary
		for k := s; k < b; k++ {
			minLen += len(toks[k].text)
		}
		for _, n := range names {
			if len(n) > minLen && prefixOfRun(n, toks[s:end]) {
				return true
			}
		}
	}
	return false
}

// prefixOfRun reports whether n is a prefix of the texts of toks run
// together, without building that string.
func prefixOfRun(n string, toks []rawTok) bool {
	for _, t := range toks {
		if len(n) <= len(t.text) {
			return strings.HasPrefix(t.text, n)
		}
		if n[:len(t.text)] != t.text {
			return false
		}
		n = n[len(t.text):]
	}
	return n == ""
}

// Analyze returns the terms of s (see the package's analysis rules above),
// in order of position.
func Analyze(s string) []Term {
	folded, offs := FoldMap(s)
	return AnalyzeFolded(nil, folded, offs, 0)
}

// AnalyzeFolded appends to dst the terms Analyze returns, for a text that is
// already folded: folded and offs
// are FoldMap(s) for some s, or a piece of it that starts and ends next to
// an ASCII byte (folding is per piece there, so the piece is the folding of
// the matching piece of s), with offs the matching piece of FoldMap's
// offsets, one element longer than folded. Term offsets are offs minus base:
// base is where the piece begins in s, so that they point into that piece.
func AnalyzeFolded(dst []Term, folded string, offs []int, base int) []Term {
	dst, _ = AnalyzeFoldedTokens(dst, nil, folded, offs, base, -1)
	return dst
}

// AnalyzeFoldedTokens is AnalyzeFolded that also appends to toks, unless
// tokBase is negative, the Tokens of folded (AppendTokens(toks, folded))
// with their offsets moved by tokBase: both come from one pass over the
// text. A caller that analyses the parts of a text (title, then the text
// after a line break) gets the tokens of the whole.
func AnalyzeFoldedTokens(dst []Term, toks []Token, folded string, offs []int, base, tokBase int) ([]Term, []Token) {
	sc := rawPool.Get().(*rawScratch)
	defer sc.put()
	sc.toks = rawTokens(sc.toks[:0], folded)
	if tokBase >= 0 {
		// rawTokens cuts the text where AppendTokens does (the same
		// runs, the same CJK characters; TestAnalyzeFoldedTokens).
		toks = slices.Grow(toks, len(sc.toks))
		for _, t := range sc.toks {
			toks = append(toks, Token{Text: t.text, Start: tokBase + t.start, End: tokBase + t.end})
		}
	}
	sc.joined = joins(sc.joined[:0], sc.toks)
	raw, joined := sc.toks, sc.joined
	n := len(raw) // one term per token, and a bigram per joined pair
	for _, j := range joined {
		if j {
			n++
		}
	}
	out := slices.Grow(dst, n)
	pos := -1
	for i, t := range raw {
		pos++
		if i > 0 {
			switch {
			case t.before == sepPart:
				pos += PartGap
			case !joined[i] && t.before != sepNone && (t.cjk || raw[i-1].cjk):
				pos++ // CJK characters separated by anything are not adjacent
			}
		}
		start, end := offs[t.start]-base, offs[t.end]-base
		if !t.cjk {
			out = append(out, Term{Text: t.text, Pos: pos, Start: start, End: end, Kind: Word})
			continue
		}
		if joined[i] {
			p := &raw[i-1]
			bigram := folded[p.start:t.end] // adjacent: already in folded
			if p.end != t.start {
				bigram = p.text + t.text // joined across a middle dot or space
			}
			out = append(out, Term{Text: bigram, Pos: pos - 1, Start: offs[p.start] - base, End: end, Kind: Bigram})
		}
		solo := !joined[i] && (i+1 >= len(raw) || !joined[i+1])
		out = append(out, Term{Text: t.text, Pos: pos, Start: start, End: end, Kind: Unigram, Solo: solo})
	}
	return out, toks
}

// QueryTerms analyses a query word or phrase into the terms that must
// occur: words, the bigrams of every run of two or more CJK characters and
// the unigram of a lone CJK character. Pos is relative to the first term.
func QueryTerms(s string) []Term {
	all := Analyze(s)
	out := all[:0]
	for _, t := range all {
		if t.Kind == Unigram && !t.Solo {
			continue
		}
		out = append(out, t)
	}
	if len(out) > 0 {
		base := out[0].Pos
		for i := range out {
			out[i].Pos -= base
		}
	}
	return out
}

// Exact returns a word as written, width-normalised (NFKC) and lower case,
// diacritics kept: the form that ranks a Vietnamese word typed with the
// right diacritics first.
func Exact(word string) string { return strings.ToLower(norm.NFKC.String(word)) }

// StemPrefix marks stem terms among a document's words (query.Doc keys):
// no folded word starts with it.
const StemPrefix = "\x1f"

// Stemmable reports whether a word written as orig gets an English stem:
// ASCII letters only (a word written with diacritics is not English).
func Stemmable(orig string) bool {
	if orig == "" {
		return false
	}
	letter := false
	for i := 0; i < len(orig); i++ {
		c := orig[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			letter = true
		case '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return letter
}

// Stem returns the Porter stem of a folded English word.
func Stem(word string) string {
	return string(porterstemmer.StemWithoutLowerCasing([]rune(word)))
}

// Stems returns the stem terms of an English text's terms (as Analyze
// returned them for s): one for every word written in ASCII letters, at the
// word's position, its Text the bare stem.
func Stems(s string, terms []Term) []Term {
	var out []Term
	for _, t := range terms {
		if t.Kind == Word && Stemmable(s[t.Start:t.End]) {
			t.Text = Stem(t.Text)
			out = append(out, t)
		}
	}
	return out
}

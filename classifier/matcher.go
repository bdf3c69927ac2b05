package classifier

import (
	"unicode"
	"unicode/utf8"

	"github.com/dongnai/presswatch/internal/textnorm"
)

// The matcher finds every gazetteer alias, trap, other-place name and
// lexicon phrase in one pass over the folded tokens of an article. Patterns
// are sequences of tokens held in a trie keyed by token, which is an
// Aho-Corasick automaton over the token alphabet without failure links:
// matches may only start at a token, so word boundaries come for free in
// scripts with spaces, and CJK text, tokenised one character per token,
// matches anywhere.

// layer separates patterns that compete for the same text (gazetteer names:
// leftmost-longest, no overlaps) from those that do not (lexicons: all).
type layer uint8

const (
	layerGaz layer = iota
	layerLex
)

type patRef struct {
	layer layer
	kind  uint8 // gazAlias, gazTrap, gazOther; lexPos, lexNeg, lexAlarm, lexHedge, lexNegator
	idx   int32 // index into the rules' table for kind
	lang  string
	n     int // tokens
	// spell is the textnorm.Spelling of each token of a lexicon phrase
	// written with diacritics ("" for a token without); nil when none has
	// one. Such a phrase matches only as written in a text written with
	// diacritics (speller), since folded "đạt" (achieve) is also "đất"
	// (land) and "cháy" (fire) is "chạy" (run).
	spell []string
}

// speller tells how the token at an index of the scanned text is written:
// spelledAs reports whether it is spelled as spelling (textnorm.Spelling),
// or the text is not written with diacritics.
type speller interface {
	spelledAs(tok int, spelling string) bool
}

const (
	gazAlias uint8 = iota
	gazTrap
	gazOther
)

const (
	lexPos uint8 = iota
	lexNeg
	lexAlarm
	lexHedge
	lexNegator
)

type trieNode struct {
	next map[string]*trieNode
	pats []patRef
}

type trie struct {
	root trieNode
	// first has the bit firstBit(tok) set for every token that begins a
	// pattern: most tokens of a text begin none, and the bit says so
	// faster than a look-up in root.next.
	first [1 << 16 / 64]uint64
}

// firstBit is a 16-bit FNV-1a hash of a token, for trie.first.
func firstBit(tok string) uint32 {
	return fnvString(fnvOffset, tok) & (1<<16 - 1)
}

// add inserts the folded token sequence of text. It returns false when text
// has no tokens.
func (t *trie) add(text string, p patRef) bool {
	toks := textnorm.Tokens(textnorm.Fold(text))
	if len(toks) == 0 {
		return false
	}
	b := firstBit(toks[0].Text)
	t.first[b/64] |= 1 << (b % 64)
	n := &t.root
	for _, tok := range toks {
		if n.next == nil {
			n.next = map[string]*trieNode{}
		}
		c := n.next[tok.Text]
		if c == nil {
			c = &trieNode{}
			n.next[tok.Text] = c
		}
		n = c
	}
	p.n = len(toks)
	if p.layer == layerLex {
		p.spell = spellings(text, len(toks))
	}
	n.pats = append(n.pats, p)
	return true
}

// spellings returns the Spelling of each of the n words of text, or nil
// when none carries a diacritic or the words do not line up with the
// folded tokens (CJK).
func spellings(text string, n int) []string {
	var words []textnorm.Term
	for _, t := range textnorm.Analyze(text) {
		if t.Kind != textnorm.Word {
			return nil
		}
		words = append(words, t)
	}
	if len(words) != n {
		return nil
	}
	var out []string
	for k, w := range words {
		if sp := textnorm.Spelling(text[w.Start:w.End]); sp != "" {
			if out == nil {
				out = make([]string, n)
			}
			out[k] = sp
		}
	}
	return out
}

// spelledAt reports whether pattern p, matched at token i, is written as
// its spelling says (always, for a pattern without one or no speller).
func (p *patRef) spelledAt(sp speller, i int) bool {
	if p.spell == nil || sp == nil {
		return true
	}
	for k, s := range p.spell {
		if s != "" && !sp.spelledAs(i+k, s) {
			return false
		}
	}
	return true
}

// hit is one match: tokens [tok, tok+n) of the folded text.
type hit struct {
	ref patRef
	tok int
}

// joined reports whether b may continue a name begun with a: always for
// words of spaced scripts, but two CJK characters only when nothing separates
// them, so "활동 나이" (activity, age) is not "동나이" and "边，和" is not "边和".
func joined(a, b textnorm.Token) bool {
	if a.End == b.Start {
		return true
	}
	ra, _ := utf8.DecodeRuneInString(a.Text)
	rb, _ := utf8.DecodeRuneInString(b.Text)
	return !textnorm.IsCJK(ra) && !textnorm.IsCJK(rb)
}

// hangulWordStart reports whether toks[i] is a Hangul syllable that begins
// a word: nothing joins it to the token before.
func hangulWordStart(toks []textnorm.Token, i int) bool {
	r, _ := utf8.DecodeRuneInString(toks[i].Text)
	return unicode.Is(unicode.Hangul, r) && (i == 0 || toks[i-1].End != toks[i].Start)
}

// spaceBetweenHangul reports whether b follows a after white space alone
// and both are Hangul syllables. Korean writes spaces between the words of
// a name (롱탄 국제공항, Long Thành International Airport), as the
// gazetteer's aliases do; a name is matched across them when it begins at
// the start of a Hangul word, as the index joins them (textnorm.Analyze),
// so that 동나이 is not found in 활동 나이.
func spaceBetweenHangul(folded string, a, b textnorm.Token) bool {
	if a.End >= b.Start || b.Start > len(folded) {
		return false
	}
	for _, r := range folded[a.End:b.Start] {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	ra, _ := utf8.DecodeRuneInString(a.Text)
	rb, _ := utf8.DecodeRuneInString(b.Text)
	return unicode.Is(unicode.Hangul, ra) && unicode.Is(unicode.Hangul, rb)
}

// scan returns gazetteer matches and lexicon matches, each layer
// leftmost-longest without overlaps, so "ô nhiễm dioxin" is one phrase, not
// three. lang restricts lexicon patterns to the article's language
// (patterns with lang "" match in every language); sp (may be nil) checks
// the spelling of lexicon phrases written with diacritics.
func (t *trie) scan(toks []textnorm.Token, folded, lang string, sp speller, gaz, lex []hit) ([]hit, []hit) {
	gazEnd, lexEnd := 0, 0
	for i := range toks {
		if b := firstBit(toks[i].Text); t.first[b/64]&(1<<(b%64)) == 0 {
			continue // no pattern begins with this token
		}
		n := &t.root
		var best, bestLex *patRef
		// spaced: the walk went over a space between Hangul words, which
		// only a gazetteer name may do (below).
		spaced := false
		for j := i; j < len(toks); j++ {
			if j > i && !joined(toks[j-1], toks[j]) {
				if !hangulWordStart(toks, i) || !spaceBetweenHangul(folded, toks[j-1], toks[j]) {
					break
				}
				spaced = true
			}
			c := n.next[toks[j].Text]
			if c == nil {
				break
			}
			n = c
			for k := range n.pats {
				p := &n.pats[k]
				if spaced && p.layer != layerGaz {
					continue
				}
				if p.layer == layerGaz {
					if i >= gazEnd && (best == nil || p.n > best.n || (p.n == best.n && p.kind == gazTrap)) {
						best = p
					}
					continue
				}
				if i >= lexEnd && (p.lang == "" || p.lang == lang) && (bestLex == nil || p.n >= bestLex.n) && p.spelledAt(sp, i) {
					bestLex = p
				}
			}
		}
		if best != nil {
			gaz = append(gaz, hit{ref: *best, tok: i})
			gazEnd = i + best.n
		}
		if bestLex != nil {
			lex = append(lex, hit{ref: *bestLex, tok: i})
			lexEnd = i + bestLex.n
		}
	}
	return gaz, lex
}

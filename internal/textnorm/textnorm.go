// Package textnorm normalises text for matching: Unicode NFKC (width
// normalisation: half-width kana, full-width Latin), simple case folding and Vietnamese (Latin-script) diacritic folding with đ→d, with a
// mapping from every folded byte back to the original byte offset so that
// matches can be highlighted in the original text. It also tokenises folded
// text into words, one token per character for scripts written without spaces
// (Han, Hiragana, Katakana, Hangul), so that matching needs no word-boundary
// rules of its own for those scripts.
//
// Folding is per rune: a Latin letter loses its diacritics (including combining
// marks that follow it, so decomposed input folds like NFC input), every rune
// is lower-cased, and other scripts keep their marks (Japanese dakuten,
// Devanagari vowel signs), since removing those would change the word.
package textnorm

import (
	"slices"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode normalisation form C.
func NFC(s string) string { return norm.NFC.String(s) }

// Fold returns s width-normalised (NFKC), case-folded, with Latin diacritics
// removed and đ/Đ/Ð mapped to d. "Đồng Nai" and "DONG NAI" both fold to
// "dong nai", half-width "ﾄﾞﾝﾅｲ" to "ドンナイ".
func Fold(s string) string {
	if foldedASCII(s) {
		return s // keywords and rule words often are folded already
	}
	f, _ := fold(s, false, nil)
	return f
}

// foldedASCII reports whether s is ASCII without capitals: its own folding.
func foldedASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// FoldMap is Fold that also returns, for every byte of the folded string, the
// byte offset in s of the rune it came from; the slice has one extra element,
// len(s), so that a folded half-open range [i, j) maps to [offs[i], offs[j]).
func FoldMap(s string) (folded string, offs []int) {
	return fold(s, true, nil)
}

// AppendFoldMap is FoldMap appending the offsets to offs, so that a caller
// folding many texts can reuse one slice.
func AppendFoldMap(offs []int, s string) (folded string, offsOut []int) {
	return fold(s, true, offs)
}

func fold(s string, withMap bool, offs []int) (string, []int) {
	b := make([]byte, 0, len(s)+8)
	if withMap && offs == nil {
		offs = make([]int, 0, len(s)+9)
	}
	prevLatin := false
	var it *norm.Iter
	put := func(r rune, at int) {
		if r < utf8.RuneSelf {
			c := byte(r)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			if withMap {
				offs = append(offs, at)
			}
			prevLatin = ('a' <= c && c <= 'z')
			return
		}
		out, latin, drop := foldRune(r, prevLatin)
		if drop {
			return
		}
		n := len(b)
		b = utf8.AppendRune(b, out)
		if withMap {
			for k := n; k < len(b); k++ {
				offs = append(offs, at)
			}
		}
		prevLatin = latin
	}
	// nfkc folds seg, which starts at s[base], through NFKC's iterator:
	// each rune it gives is put at the input offset of its piece.
	nfkc := func(seg string, base int) {
		if it == nil {
			it = new(norm.Iter) // a segment's iterator escapes: one per call, not one per segment
		}
		it.InitString(norm.NFKC, seg)
		for !it.Done() {
			at := base + it.Pos()
			out := it.Next()
			for o := 0; o < len(out); {
				r, size := utf8.DecodeRune(out[o:])
				put(r, at)
				o += size
			}
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			// A run of ASCII, the common case, without a call per byte:
			// its end found first, then written by index into room made
			// once (no capacity check per byte).
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf {
				j++
			}
			run := s[i:j]
			nb := len(b)
			b = slices.Grow(b, len(run))[:nb+len(run)]
			dst := b[nb:]
			for k := 0; k < len(run) && k < len(dst); k++ {
				c := run[k]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				dst[k] = c
			}
			if withMap {
				no := len(offs)
				offs = slices.Grow(offs, len(run))[:no+len(run)]
				at := offs[no:]
				for k := range at {
					at[k] = i + k
				}
			}
			last := b[len(b)-1]
			prevLatin = 'a' <= last && last <= 'z'
			i = j
			continue
		}
		// A stretch of non-ASCII text: width-normalised with NFKC (half-width
		// kana, full-width Latin, compatibility forms), segment by segment so
		// that every output byte maps back to where its segment began.
		j := i + 1
		for j < len(s) && s[j] >= utf8.RuneSelf {
			j++
		}
		seg := s[i:j]
		// Most segments hold only runes that NFKC leaves alone wherever
		// they stand (nfkcPlain): they are folded rune by rune at once.
		// At the first other rune what was folded of the segment is taken
		// back and the segment goes the general way.
		nb, no, pl := len(b), len(offs), prevLatin
		k := 0
		for k < len(seg) {
			r, size := decodeAt(seg, k)
			if !isNFKCPlain(r) {
				break
			}
			// foldRune's fast paths, here without a call per rune: a
			// Latin letter's base, a Han or Hangul character as it is.
			var out rune
			switch {
			case int(r) < len(latinTable) && latinTable[r] != 0:
				out, prevLatin = latinTable[r], true
			case isHanOrHangulSyllable(r):
				out, prevLatin = r, false
			default:
				put(r, i+k)
				k += size
				continue
			}
			n := len(b)
			b = utf8.AppendRune(b, out)
			if withMap {
				for range len(b) - n {
					offs = append(offs, i+k)
				}
			}
			k += size
		}
		if k == len(seg) {
			i = j
			continue
		}
		b, prevLatin = b[:nb], pl
		if withMap {
			offs = offs[:no]
		}
		// QuickSpanString covers the whole of a segment exactly when
		// IsNormalString can answer yes at once; it does not allocate
		// (IsNormalString does, every call), so it is asked first.
		if norm.NFKC.QuickSpanString(seg) == len(seg) || norm.NFKC.IsNormalString(seg) {
			for k := 0; k < len(seg); {
				r, size := utf8.DecodeRuneInString(seg[k:])
				put(r, i+k)
				k += size
			}
			i = j
			continue
		}
		if it == nil {
			it = new(norm.Iter) // a segment's iterator escapes: one per call, not one per segment
		}
		if !utf8.ValidString(seg) {
			// The iterator cuts invalid bytes differently at the end of
			// its input: no pieces.
			nfkc(seg, i)
			i = j
			continue
		}
		// NFKC changes the segment: its iterator gives the folding and the
		// offsets. Where a plain rune is followed by another, the iterator
		// returns it alone and unchanged at its own offset, so such runs are
		// folded directly; it is needed only from the plain rune before
		// other runes (which may combine with them) to the next plain rune
		// (which combines with nothing before it, so the iterator starts
		// afresh there as it would have gone on).
		for k := 0; k < len(seg); {
			r, size := utf8.DecodeRuneInString(seg[k:])
			if isNFKCPlain(r) {
				next, _ := utf8.DecodeRuneInString(seg[k+size:])
				if k+size == len(seg) || isNFKCPlain(next) {
					put(r, i+k)
					k += size
					continue
				}
			}
			e := k + size
			for e < len(seg) {
				r, size := utf8.DecodeRuneInString(seg[e:])
				if isNFKCPlain(r) {
					break
				}
				e += size
			}
			nfkc(seg[k:e], i+k)
			k = e
		}
		i = j
	}
	if withMap {
		offs = append(offs, len(s))
	}
	// b is not written again, so the string can share its memory (as
	// strings.Builder does) instead of copying the whole folded text.
	return unsafe.String(unsafe.SliceData(b), len(b)), offs
}

// nfkcPlain marks the runes below U+10000 that NFKC leaves as they are
// wherever they stand: starters that combine with nothing before them and
// pass NFKC's quick check. A string of them is NFKC-normal (so
// norm.NFKC.QuickSpanString spans it; TestNFKCPlain checks), and a bit
// test is cheaper than the normaliser's look-up. Read-only data computed
// once.
var nfkcPlain = func() (t [0x10000 / 64]uint64) {
	var buf [utf8.UTFMax]byte
	for r := rune(utf8.RuneSelf); r < 0x10000; r++ {
		if r == utf8.RuneError || !utf8.ValidRune(r) {
			continue
		}
		e := utf8.EncodeRune(buf[:], r)
		p := norm.NFKC.Properties(buf[:e])
		if p.BoundaryBefore() && p.CCC() == 0 && p.LeadCCC() == 0 && norm.NFKC.QuickSpan(buf[:e]) == e {
			t[r/64] |= 1 << (r % 64)
		}
	}
	return t
}()

func isNFKCPlain(r rune) bool { return r < 0x10000 && nfkcPlain[r/64]&(1<<(r%64)) != 0 }

// foldRune folds one non-ASCII rune. drop reports a combining mark that follows
// a Latin letter.
func foldRune(r rune, prevLatin bool) (out rune, latin, drop bool) {
	// Fast paths for the bulk of non-ASCII news text, equivalent to the
	// general rules below (TestFoldRuneFastPaths checks every rune):
	// Vietnamese and other Latin letters are table look-ups, and Han
	// ideographs and Hangul syllables are neither marks, Latin nor cased.
	if int(r) < len(latinTable) {
		if b := latinTable[r]; b != 0 {
			return b, true, false
		}
	} else if isHanOrHangulSyllable(r) {
		return r, false, false
	}
	switch r {
	case 'đ', 'Đ', 'ð', 'Ð':
		return 'd', true, false
	case utf8.RuneError:
		return ' ', false, false
	case '\u00a0', '\u2007', '\u202f', '\u3000',
		'\u200b': // zero-width space: a word break (Thai, Khmer; "Đồng\u200bNai")
		return ' ', false, false
	}
	if invisibleInWord(r) {
		return 0, prevLatin, true
	}
	if isPunctuationBlock(r) || isKana(r) {
		return r, false, false // no mark, not Latin, uncased
	}
	if unicode.Is(unicode.Mn, r) {
		if prevLatin {
			return 0, true, true
		}
		return r, false, false
	}
	if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
		return foldASCII(r - 0xFF01 + '!'), true, false
	}
	if int(r) < len(latinTable) {
		if b := latinTable[r]; b != 0 {
			return b, true, false
		}
	}
	if unicode.Is(unicode.Latin, r) {
		return latinBase(r), true, false
	}
	return unicode.ToLower(r), false, false
}

// invisibleInWord reports whether r is a format character that is drawn as
// nothing and never separates words: the soft hyphen, zero-width
// (non-)joiners, the word joiner, the byte-order mark, bidi controls and
// variation selectors. Folding drops them, so a name written with one inside
// ("H\u00adòa", "Đồ\u200dng" — to dodge matching, or left by a CMS's
// hyphenation) is the plain name for search as it is for the classifier
// (classifier/prenorm.go). The zero-width space is a word break instead.
func invisibleInWord(r rune) bool {
	switch {
	case r == '\u00ad', r == '\u034f', r == '\u061c', '\u180b' <= r && r <= '\u180f',
		'\u200c' <= r && r <= '\u200f', '\u202a' <= r && r <= '\u202e',
		'\u2060' <= r && r <= '\u2064', '\u2066' <= r && r <= '\u2069',
		r == '\ufeff', '\ufe00' <= r && r <= '\ufe0f':
		return true
	}
	return false
}

// latinTable maps the Latin letters up to U+1EFF (Latin-1, Extended-A/B and
// Extended Additional, where Vietnamese lives) to their folded base letter;
// 0 means "not a Latin letter". It is computed once, read-only data.
var latinTable = func() (t [0x1F00]rune) {
	for r := rune(0x80); r < 0x1F00; r++ {
		if unicode.Is(unicode.Latin, r) {
			t[r] = latinBase(r)
		}
	}
	t['đ'], t['Đ'], t['ð'], t['Ð'] = 'd', 'd', 'd', 'd'
	return t
}()

func latinBase(r rune) rune {
	base, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r)))
	return unicode.ToLower(base)
}

func foldASCII(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// Token is one word of folded text: Text is the folded word, Start and End
// are byte offsets into the folded string.
type Token struct {
	Text       string
	Start, End int
}

// IsCJK reports whether r belongs to a script written without spaces between
// words, which Tokens splits into one token per character.
func IsCJK(r rune) bool {
	switch {
	case r < 0x1100: // below Hangul Jamo, the first block of these scripts
		return false
	case r < 0x1200: // Hangul Jamo
		return true
	case r < 0x2E80: // none of these scripts from there to the CJK radicals
		return false
	case isHanOrHangulSyllable(r) || isKana(r):
		return true
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) ||
		r == 'ー' || r == '々'
}

// isHanOrHangulSyllable reports whether r is in the CJK Unified Ideographs
// block (U+4E00–U+9FFF) or is a precomposed Hangul syllable
// (U+AC00–U+D7A3): the runes of most Chinese, Japanese and Korean text,
// checked by range before any table search.
func isHanOrHangulSyllable(r rune) bool {
	return (0x4E00 <= r && r <= 0x9FFF) || (0xAC00 <= r && r <= 0xD7A3)
}

// isKana reports whether r is one of the hiragana (U+3041–U+3096) or
// katakana (U+30A1–U+30FA) letters, checked by range.
func isKana(r rune) bool {
	return (0x3041 <= r && r <= 0x3096) || (0x30A1 <= r && r <= 0x30FA)
}

// isPunctuationBlock reports whether r is in the General Punctuation
// block's dashes, quotes, bullets and marks (U+2010–U+2027,
// U+2030–U+205E), which news text is full of: none is a letter, digit,
// mark or cased rune.
func isPunctuationBlock(r rune) bool {
	return (0x2010 <= r && r <= 0x2027) || (0x2030 <= r && r <= 0x205E)
}

func isWordRune(r rune) bool {
	if isHanOrHangulSyllable(r) || isKana(r) {
		return true // letters (Lo)
	}
	if isPunctuationBlock(r) {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// Tokens splits folded text into words: maximal runs of letters, digits and
// marks, except that each CJK character (see IsCJK) is a token of its own.
// Token texts are substrings of folded, so tokenising allocates only the slice.
func Tokens(folded string) []Token {
	return AppendTokens(nil, folded)
}

// AppendTokens is Tokens appending to dst.
func AppendTokens(dst []Token, folded string) []Token {
	start := -1
	for i := 0; i < len(folded); {
		c := folded[i]
		if c < utf8.RuneSelf {
			if ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z') {
				if start < 0 {
					start = i
				}
			} else if start >= 0 {
				dst = append(dst, Token{Text: folded[start:i], Start: start, End: i})
				start = -1
			}
			i++
			continue
		}
		r, size := decodeAt(folded, i)
		switch {
		case IsCJK(r):
			if start >= 0 {
				dst = append(dst, Token{Text: folded[start:i], Start: start, End: i})
				start = -1
			}
			dst = append(dst, Token{Text: folded[i : i+size], Start: i, End: i + size})
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				dst = append(dst, Token{Text: folded[start:i], Start: start, End: i})
				start = -1
			}
		}
		i += size
	}
	if start >= 0 {
		dst = append(dst, Token{Text: folded[start:], Start: start, End: len(folded)})
	}
	return dst
}

// Words folds s and returns the texts of its tokens.
func Words(s string) []string {
	f := Fold(s)
	toks := Tokens(f)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Text
	}
	return out
}

// Positions numbers tokens for phrase and proximity matching: consecutive
// tokens get consecutive numbers, except that two CJK characters separated by
// anything (a space, punctuation) get a gap, so a phrase of characters never
// matches across a word or sentence boundary.
func Positions(toks []Token) []int {
	out := make([]int, len(toks))
	p := 0
	for i := range toks {
		if i > 0 {
			p++
			if toks[i-1].End != toks[i].Start {
				ra, _ := utf8.DecodeRuneInString(toks[i-1].Text)
				rb, _ := utf8.DecodeRuneInString(toks[i].Text)
				if IsCJK(ra) || IsCJK(rb) {
					p++
				}
			}
		}
		out[i] = p
	}
	return out
}

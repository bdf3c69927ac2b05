package textnorm

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Vietnamese carries meaning in its diacritics: folded, "bão" (storm) is
// "bao" (how much, to wrap), "báo động" (alarm) is also "bảo Đồng" as in
// "đảm bảo Đồng Nai", "lũ" (flood) is "lữ" (travel). Text written without
// diacritics can only be matched folded; text written with them can be
// matched as written. The functions below give the two pieces that
// diacritic-aware matching needs: the written form of a word (Spelling) and
// whether a piece of text is written with diacritics (MarkedShare).

// Vietnamese tone marks as combining characters (NFD). The other marks
// (circumflex, breve, horn) change the vowel itself and stay where they are.
func isToneMark(r rune) bool {
	switch r {
	case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
		return true
	}
	return false
}

// Spelling returns the written form of a word for comparison with
// diacritics: lower case, canonical composition, and the tone mark moved to
// the end of the word (ð read as đ) so that the old and new placements ("hoà" and "hòa",
// "thuỷ" and "thủy") compare equal. It returns "" when the word carries no
// diacritic, that is when it folds to itself: such a word is compared
// folded.
func Spelling(word string) string {
	var buf [64]byte
	if b, ok := appendSpelling(buf[:0], word); ok {
		return string(b)
	}
	return slowSpelling(word)
}

// SpelledAs reports whether Spelling(word) == spelling. Rules compare the
// words of every article they match with diacritics this way, so for the
// words of precomposed Latin letters (nearly all) it builds no string.
func SpelledAs(word, spelling string) bool {
	var buf [64]byte
	if b, ok := appendSpelling(buf[:0], word); ok {
		return string(b) == spelling
	}
	return slowSpelling(word) == spelling
}

// spellRune is what Spelling does to one rune of a word in spellTable: the
// rune it leaves (lower case, ð read as đ, decomposed, tone mark removed,
// recomposed), the tone mark it removes (toneMarks index + 1, 0 for none),
// and whether the lowered rune is a diacritic letter. ok is false for a
// rune the table does not cover.
type spellRune struct {
	rest uint16
	tone uint8
	diac bool
	ok   bool
}

var toneMarks = [...]rune{'\u0300', '\u0301', '\u0303', '\u0309', '\u0323'}

// spellTable gives spellRune for the ASCII and Latin letters up to U+1EFF;
// read-only data computed once. Each is spelled alone by slowSpelling's
// rules; TestSpellingFastPath checks that spelling a word rune by rune
// with it gives slowSpelling's result (no two of these runes combine when
// a word is recomposed).
var spellTable = func() (t [0x1F00]spellRune) {
	for r := rune(0); r < 0x1F00; r++ {
		if r >= utf8.RuneSelf && !unicode.Is(unicode.Latin, r) {
			continue
		}
		lr := unicode.ToLower(r)
		if lr == 'ð' {
			lr = 'đ'
		}
		if lr < utf8.RuneSelf {
			t[r] = spellRune{rest: uint16(lr), ok: true}
			continue
		}
		d := norm.NFD.String(string(lr))
		if first, _ := utf8.DecodeRuneInString(d); norm.NFD.PropertiesString(string(first)).CCC() != 0 {
			continue // begins with a mark: not a letter of its own
		}
		var tone uint8
		var b strings.Builder
		for _, m := range d {
			if k := slices.Index(toneMarks[:], m); k >= 0 {
				tone = uint8(k + 1)
				continue
			}
			b.WriteRune(m)
		}
		rest := []rune(norm.NFC.String(b.String()))
		if len(rest) != 1 || rest[0] > 0xFFFF || norm.NFC.PropertiesString(string(rest[0])).CCC() != 0 {
			continue
		}
		t[r] = spellRune{rest: uint16(rest[0]), tone: tone, diac: isDiacriticLetter(lr), ok: true}
	}
	return t
}()

// appendSpelling appends Spelling(word) to dst, rune by rune with
// spellTable. ok is false, and dst unusable, when word holds a rune the
// table does not cover (a combining mark, another script, invalid UTF-8):
// slowSpelling spells those.
func appendSpelling(dst []byte, word string) (out []byte, ok bool) {
	var tone uint8
	diac := false
	for i := 0; i < len(word); {
		c := word[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(word[i:])
		if int(r) >= len(spellTable) || !spellTable[r].ok {
			return dst, false // also utf8.RuneError: not covered
		}
		e := spellTable[r]
		dst = utf8.AppendRune(dst, rune(e.rest))
		if e.tone != 0 {
			tone = e.tone
		}
		diac = diac || e.diac
		i += size
	}
	if !diac {
		return dst[:0], true
	}
	if tone != 0 {
		dst = utf8.AppendRune(dst, toneMarks[tone-1])
	}
	return dst, true
}

// slowSpelling is Spelling by its definition, for any word.
func slowSpelling(word string) string {
	// Ð (U+00D0, eth) stands for Đ in text converted from legacy
	// Vietnamese encodings.
	lw := strings.ReplaceAll(strings.ToLower(word), "ð", "đ")
	if !hasDiacriticLetter(lw) {
		return ""
	}
	var tone rune
	var b strings.Builder
	b.Grow(len(lw) + 2)
	d := norm.NFD.String(lw)
	for _, r := range d {
		if isToneMark(r) {
			tone = r
			continue
		}
		if invisibleInWord(r) {
			continue // as folding drops it ("H\u00adòa" is "hòa")
		}
		b.WriteRune(r)
	}
	s := norm.NFC.String(b.String())
	if tone != 0 {
		s += string(tone)
	}
	return s
}

// HasDiacritic reports whether word carries a diacritic: a Latin letter
// outside ASCII that is not a full-width form, or a combining diacritical
// mark.
func HasDiacritic(word string) bool { return hasDiacriticLetter(word) }

// hasDiacriticLetter reports whether s holds a Latin letter outside ASCII
// that is not a full-width form (full-width letters fold to ASCII too, but
// they are a width, not a diacritic).
func hasDiacriticLetter(s string) bool {
	for _, r := range s {
		if isDiacriticLetter(r) {
			return true
		}
	}
	return false
}

func isDiacriticLetter(r rune) bool {
	if r >= 0x0300 && r <= 0x036F {
		return true // a combining diacritic (decomposed text)
	}
	return r >= utf8.RuneSelf && !(r >= 0xFF00 && r <= 0xFFEF) && unicode.Is(unicode.Latin, r)
}

// CountMarked counts the Latin-script words of s (runs of letters and
// combining marks that begin with a Latin letter) and how many of them
// carry a diacritic. Vietnamese written with diacritics marks well over half
// its syllables; without them, none; an English text naming "Đồng Nai" a
// few times marks a few per cent. It does not allocate. Every part of
// presswatch that matches words with diacritics (query.Document, the
// classifier, the index) decides with it, on the same text.
func CountMarked(s string) (latin, marked int) {
	// A word's state: in a word, the word is Latin, it has a mark. Written
	// without a closure so that it stays in registers.
	inWord, isLatin, hasMark := false, false, false
	for i := 0; i < len(s); {
		// ASCII letters are Latin without a mark; other ASCII ends a word.
		if c := s[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				if !inWord {
					inWord, isLatin = true, true
				}
			} else if inWord {
				if isLatin {
					latin++
					if hasMark {
						marked++
					}
				}
				inWord, isLatin, hasMark = false, false, false
			}
			i++
			continue
		}
		r, size := decodeAt(s, i)
		i += size
		class := markClassOf(r)
		if class&markWordRune == 0 {
			if inWord {
				if isLatin {
					latin++
					if hasMark {
						marked++
					}
				}
				inWord, isLatin, hasMark = false, false, false
			}
			continue
		}
		if !inWord {
			inWord, isLatin = true, class&markLatin != 0
		}
		if class&markDiacritic != 0 {
			hasMark = true
		}
	}
	if inWord && isLatin {
		latin++
		if hasMark {
			marked++
		}
	}
	return latin, marked
}

// What CountMarked needs to know of a rune: whether it belongs to a word
// (a letter or a combining diacritic), is Latin, and carries a diacritic.
const (
	markWordRune uint8 = 1 << iota
	markLatin
	markDiacritic
)

// markClasses holds markClass for the runes below U+3100 (Latin, Greek,
// Cyrillic, the combining marks, punctuation, kana); read-only data
// computed once.
var markClasses = func() (t [0x3100]uint8) {
	for r := range rune(len(t)) {
		t[r] = markClass(r)
	}
	return t
}()

// markClassOf is markClass with the common runes looked up.
func markClassOf(r rune) uint8 {
	switch {
	case int(r) < len(markClasses):
		return markClasses[r]
	case isHanOrHangulSyllable(r):
		return markWordRune // letters, not Latin
	}
	return markClass(r)
}

func markClass(r rune) uint8 {
	var c uint8
	if unicode.IsLetter(r) || (r >= 0x0300 && r <= 0x036F) {
		c |= markWordRune
	}
	if unicode.Is(unicode.Latin, r) {
		c |= markLatin
	}
	if isDiacriticLetter(r) {
		c |= markDiacritic
	}
	return c
}

// WrittenWithMarks reports whether a text with the given CountMarked counts
// is written with diacritics, so that words with diacritics should be
// matched as written: at least MarkedMinWords Latin words, of which at least
// MarkedMinShare carry a mark. The share sits between what accented
// Vietnamese shows (0.5–0.8 of syllables) and what a foreign text quoting
// Vietnamese names shows (under 0.1).
func WrittenWithMarks(latin, marked int) bool {
	return latin >= MarkedMinWords && float64(marked) >= MarkedMinShare*float64(latin)
}

// Thresholds of WrittenWithMarks.
const (
	MarkedMinWords = 4
	MarkedMinShare = 0.25
)

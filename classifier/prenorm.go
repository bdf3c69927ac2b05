package classifier

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
)

// Pre-normalisation undoes spellings written to dodge matching before the
// text is folded (internal/textnorm folds case, Latin diacritics and
// full-width ASCII):
//
//   - format characters (zero-width space and joiners, soft hyphen, word
//     joiner, BOM, bidi controls: Unicode category Cf) and variation
//     selectors are dropped, so "Biên\u00adHòa" and "Đồng\u200bNai" read as
//     "BiênHòa" / "ĐồngNai" and then match like the plain name where the
//     trie allows it, and "Đồ\u200bng Nai" matches "Đồng Nai";
//   - in a word that mixes Latin letters with Cyrillic or Greek ones, each
//     Cyrillic or Greek letter is replaced by its Unicode TR39 confusable
//     skeleton (github.com/mtibben/confusables), so "Đồng Nаі" with a
//     Cyrillic а and і is "Đồng Nai". Words written wholly in Cyrillic or
//     Greek are left alone: Russian text is Russian, not a disguise.
//
// Vietnamese letters, Han, Kana, Hangul and every other script pass through
// unchanged, so diacritics and CJK are not damaged.

// needsPrenorm reports whether s holds a rune pre-normalisation may change;
// almost every article does not, and then costs one scan.
//
// The letters of Vietnamese text are skipped without decoding them: a
// two-byte form led by 0xC3–0xC8 is U+00C0–U+023F (Latin-1 letters and
// Latin Extended-A and -B) and a three-byte form led by 0xE1 0xB8–0xBB is
// U+1E00–U+1EFF (Latin Extended Additional), both outside every suspect
// range (TestNeedsPrenormFastPath checks every two- and three-byte form).
func needsPrenorm(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		if 0xC3 <= c && c <= 0xC8 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			i += 2
			continue
		}
		if c == 0xE1 && i+2 < len(s) && 0xB8 <= s[i+1] && s[i+1] <= 0xBB && s[i+2]&0xC0 == 0x80 {
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if suspectRune(r) {
			return true
		}
		i += size
	}
	return false
}

func suspectRune(r rune) bool {
	// Fast path for the bulk of non-ASCII news text: Latin letters with
	// diacritics (Latin-1 Supplement to Extended-B, Latin Extended
	// Additional, where Vietnamese lives), dashes and quotation marks, CJK
	// punctuation, kana, Han ideographs, Hangul syllables and full-width
	// forms are neither format characters nor Cyrillic or Greek
	// (TestSuspectRuneFastPath checks every rune).
	switch {
	case 0xC0 <= r && r <= 0x24F, 0x1E00 <= r && r <= 0x1EFF,
		0x2010 <= r && r <= 0x2027, 0x3000 <= r && r <= 0x30FF, 0x4E00 <= r && r <= 0x9FFF,
		0xAC00 <= r && r <= 0xD7A3, 0xFF00 <= r && r <= 0xFFEF:
		return false
	}
	return isFormat(r) || unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Greek, r)
}

func isFormat(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
}

func isLookalike(r rune) bool {
	return unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Greek, r)
}

// prenormalize returns s cleaned as described above and, for every byte of
// the result plus one, the byte offset in s it came from. When s needs no
// change it returns s and nil.
func prenormalize(s string) (string, []int) {
	if !needsPrenorm(s) {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	offs := make([]int, 0, len(s)+1)
	emit := func(str string, from int) {
		b.WriteString(str)
		for len(offs) < b.Len() {
			offs = append(offs, from)
		}
	}
	// Walk word by word: a word is a maximal run of letters, marks, digits
	// and format characters.
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !wordish(r) {
			if !isFormat(r) {
				emit(s[i:i+size], i)
			}
			i += size
			continue
		}
		j := i
		latin, look := false, false
		for j < len(s) {
			r2, sz := utf8.DecodeRuneInString(s[j:])
			if !wordish(r2) {
				break
			}
			switch {
			case unicode.Is(unicode.Latin, r2):
				latin = true
			case isLookalike(r2):
				look = true
			}
			j += sz
		}
		mixed := latin && look
		for k := i; k < j; {
			r2, sz := utf8.DecodeRuneInString(s[k:])
			switch {
			case isFormat(r2):
			case mixed && isLookalike(r2):
				emit(skeletonLatin(r2), k)
			default:
				emit(s[k:k+sz], k)
			}
			k += sz
		}
		i = j
	}
	offs = append(offs, len(s))
	return b.String(), offs
}

func wordish(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || isFormat(r)
}

// skeletonLatin maps one look-alike letter to its TR39 skeleton, lower- or
// upper-case as the skeleton gives it; a letter whose skeleton is not plain
// ASCII is kept.
func skeletonLatin(r rune) string {
	sk := confusables.Skeleton(string(r))
	for _, c := range sk {
		if c >= utf8.RuneSelf && !unicode.Is(unicode.Mn, c) {
			return string(r)
		}
	}
	return sk
}

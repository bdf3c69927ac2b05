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
//     Cyrillic а and і is "Đồng Nai";
//   - a word written wholly in Cyrillic or Greek letters that all look like
//     Latin ones (every letter's skeleton is ASCII) becomes its skeleton
//     when it has two letters or more and a word beside it on the same
//     line is in Latin letters: "Biên
//     Ноа" with a Cyrillic Н, о and а is "Biên Hoa". Elsewhere such words
//     are left alone (Russian text is Russian, not a disguise), as is any
//     word with a letter that has no Latin look-alike ("Путин");
//   - Latin letters that only imitate others become them: dotless ı, the
//     African Ɖ/ɖ (drawn as Đ/đ) and small capitals (ᴅᴏɴɢ ɴᴀɪ).
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
		if 0xC3 <= c && c <= 0xC8 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 && !(c == 0xC4 && s[i+1] == 0xB1) && !(c == 0xC6 && s[i+1] == 0x89) {
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
	case r == 'ı' || r == 'Ɖ':
		return true
	case 0xC0 <= r && r <= 0x24F, 0x1E00 <= r && r <= 0x1EFF,
		0x2010 <= r && r <= 0x2027, 0x3000 <= r && r <= 0x30FF, 0x4E00 <= r && r <= 0x9FFF,
		0xAC00 <= r && r <= 0xD7A3, 0xFF00 <= r && r <= 0xFFEF:
		return false
	}
	return isFormat(r) || unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Greek, r) || latinImitation(r) != ""
}

// latinImitation returns the letter a Latin letter that only imitates
// another stands for, or "": dotless ı, the African D (Ɖ ɖ, drawn as Đ đ)
// and small capitals (ᴅᴏɴɢ ɴᴀɪ).
func latinImitation(r rune) string {
	switch {
	case r == 'ı':
		return "i"
	case r == 'Ɖ':
		return "Đ"
	case r == 'ɖ':
		return "đ"
	case 0x250 <= r && r <= 0x2AF || 0x1D00 <= r && r <= 0x1D22:
		if lc := smallCapitals[r]; lc != 0 {
			return string(lc)
		}
	}
	return ""
}

// smallCapitals are the small capitals of IPA Extensions and Phonetic
// Extensions with the letter each stands for.
var smallCapitals = map[rune]rune{
	'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ɢ': 'g', 'ʜ': 'h', 'ɪ': 'i', 'ᴊ': 'j', 'ᴋ': 'k',
	'ʟ': 'l', 'ᴍ': 'm', 'ɴ': 'n', 'ᴏ': 'o', 'ᴘ': 'p', 'ʀ': 'r', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z',
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
	// Find the words: maximal runs of letters, marks, digits and format
	// characters, with the scripts they are written in.
	type word struct {
		start, end    int
		latin, look   bool
		lookLatinOnly bool // every look-alike letter has an ASCII skeleton
		newlineBefore bool // a line break between the previous word and this one
	}
	var words []word
	nl := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !wordish(r) {
			nl = nl || r == '\n'
			i += size
			continue
		}
		w := word{start: i, lookLatinOnly: true, newlineBefore: nl}
		nl = false
		j := i
		for j < len(s) {
			r2, sz := utf8.DecodeRuneInString(s[j:])
			if !wordish(r2) {
				break
			}
			switch {
			case unicode.Is(unicode.Latin, r2):
				w.latin = true
			case isLookalike(r2):
				w.look = true
				if skeletonLatin(r2) == string(r2) {
					w.lookLatinOnly = false
				}
			}
			j += sz
		}
		w.end = j
		words = append(words, w)
		i = j
	}
	// Rewrite them; what lies between words is copied, format characters
	// dropped.
	prev := 0
	gap := func(to int) {
		for k := prev; k < to; {
			r, sz := utf8.DecodeRuneInString(s[k:])
			if !isFormat(r) {
				emit(s[k:k+sz], k)
			}
			k += sz
		}
	}
	for wi, w := range words {
		gap(w.start)
		// A look-alike word beside a Latin one on the same line is a
		// disguise of a Latin word.
		besideLatin := (wi > 0 && words[wi-1].latin && !w.newlineBefore) ||
			(wi+1 < len(words) && words[wi+1].latin && !words[wi+1].newlineBefore)
		skeleton := w.look && (w.latin || (w.lookLatinOnly && besideLatin && utf8.RuneCountInString(s[w.start:w.end]) >= 2))
		for k := w.start; k < w.end; {
			r2, sz := utf8.DecodeRuneInString(s[k:])
			switch {
			case isFormat(r2):
			case skeleton && isLookalike(r2):
				emit(skeletonLatin(r2), k)
			default:
				if li := latinImitation(r2); li != "" {
					emit(li, k)
				} else {
					emit(s[k:k+sz], k)
				}
			}
			k += sz
		}
		prev = w.end
	}
	gap(len(s))
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

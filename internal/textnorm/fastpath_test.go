package textnorm

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// The reference forms below are the general rules without the fast paths;
// the fast paths must agree with them on every rune.

func refFoldRune(r rune, prevLatin bool) (out rune, latin, drop bool) {
	switch r {
	case 'đ', 'Đ', 'ð', 'Ð':
		return 'd', true, false
	case utf8.RuneError:
		return ' ', false, false
	case '\u00a0', '\u2007', '\u202f', '\u3000':
		return ' ', false, false
	}
	if unicode.Is(unicode.Mn, r) {
		if prevLatin {
			return 0, true, true
		}
		return r, false, false
	}
	if r >= 0xFF01 && r <= 0xFF5E {
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

func refIsCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) ||
		r == 'ー' || r == '々'
}

func refIsWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// TestFoldRuneFastPaths checks foldRune, IsCJK and isWordRune against the
// general rules for every rune outside ASCII (fold handles ASCII itself).
func TestFoldRuneFastPaths(t *testing.T) {
	bad := 0
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune && bad < 10; r++ {
		for _, prev := range []bool{false, true} {
			o1, l1, d1 := foldRune(r, prev)
			o2, l2, d2 := refFoldRune(r, prev)
			if o1 != o2 || l1 != l2 || d1 != d2 {
				t.Errorf("foldRune(%U, %v) = %U %v %v, want %U %v %v", r, prev, o1, l1, d1, o2, l2, d2)
				bad++
			}
		}
		if IsCJK(r) != refIsCJK(r) {
			t.Errorf("IsCJK(%U) = %v, want %v", r, IsCJK(r), refIsCJK(r))
			bad++
		}
		if isWordRune(r) != refIsWordRune(r) {
			t.Errorf("isWordRune(%U) = %v, want %v", r, isWordRune(r), refIsWordRune(r))
			bad++
		}
	}
	for r := rune(0); r < utf8.RuneSelf; r++ {
		if IsCJK(r) != refIsCJK(r) || isWordRune(r) != refIsWordRune(r) {
			t.Errorf("ASCII %q: IsCJK or isWordRune differs from the general rule", r)
		}
	}
}

package textnorm

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The reference forms below are the general rules without the fast paths;
// the fast paths must agree with them on every rune.

func refFoldRune(r rune, prevLatin bool) (out rune, latin, drop bool) {
	switch r {
	case 'đ', 'Đ', 'ð', 'Ð':
		return 'd', true, false
	case utf8.RuneError:
		return ' ', false, false
	case '\u00a0', '\u2007', '\u202f', '\u3000', '\u200b':
		return ' ', false, false
	}
	if unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Join_Control, r) ||
		(unicode.Is(unicode.Variation_Selector, r) && r <= 0xFE0F) ||
		r == 0xAD || r == 0x34F || r == 0x180E || r == 0xFEFF || (0x2060 <= r && r <= 0x2064) {
		return 0, prevLatin, true
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

// TestSpellingFastPath checks that spelling a word rune by rune with
// spellTable gives what slowSpelling (the definition) gives: for every rune
// the table covers, alone and next to others, and for random words mixing
// covered and uncovered runes.
func TestSpellingFastPath(t *testing.T) {
	var covered []rune
	for r := range rune(len(spellTable)) {
		if spellTable[r].ok {
			covered = append(covered, r)
		}
	}
	if len(covered) < 1000 {
		t.Fatalf("spellTable covers %d runes, want the Latin letters (over 1000)", len(covered))
	}
	check := func(w string) {
		t.Helper()
		want := slowSpelling(w)
		if got := Spelling(w); got != want {
			t.Errorf("Spelling(%q) = %q, want %q", w, got, want)
		}
		if !SpelledAs(w, want) || SpelledAs(w, want+"a") {
			t.Errorf("SpelledAs(%q, …) disagrees with slowSpelling %q", w, want)
		}
	}
	for _, r := range covered {
		check(string(r))
		check("N" + string(r) + "a")
	}
	// Recomposing a word must not join a rune's remainder to the next
	// rune's base letter; then the word's spelling is the runes' spellings
	// in a row.
	rests, bases := map[rune]bool{}, map[rune]bool{}
	for _, r := range covered {
		rests[rune(spellTable[r].rest)] = true
		lr := unicode.ToLower(r)
		if lr == 'ð' {
			lr = 'đ'
		}
		b, _ := utf8.DecodeRuneInString(norm.NFD.String(string(lr)))
		bases[b] = true
	}
	for x := range rests {
		for y := range bases {
			if s := string(x) + string(y); norm.NFC.String(s) != s {
				t.Errorf("%U and %U compose: the fast path cannot spell them rune by rune", x, y)
			}
		}
	}
	words := []string{"Đồng", "NAI", "hoà", "Thuỷ", "ĐỒNG", "Ðồng", "nghiêng", "khuyến", "Trị", "ho\u0300a",
		"Dong", "2025", "Straße", "İstanbul", "naïve", "ñandú", "ǘ", "Nаі", "ΆΘΗΝΑ", "同奈", "ＤＯＮＧ", "bad\xffbyte", ""}
	for _, w := range words {
		check(w)
	}
	// Random words of covered runes and a few others.
	others := []rune{'\u0300', '\u0301', '\u0323', '\u0302', 'α', 'ά', 'й', '同', 'ー', 'Ａ', '²', utf8.RuneError}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			if rng.IntN(8) == 0 {
				b.WriteRune(others[rng.IntN(len(others))])
			} else {
				b.WriteRune(covered[rng.IntN(len(covered))])
			}
		}
		check(b.String())
	}
}

// TestSpelledAsAllocs: comparing a word's spelling builds no string.
func TestSpelledAsAllocs(t *testing.T) {
	sp := Spelling("trạch")
	if !SpelledAs("Trạch", sp) {
		t.Fatalf("SpelledAs(%q, %q) = false", "Trạch", sp)
	}
	if n := testing.AllocsPerRun(100, func() { SpelledAs("Trạch", sp) }); n != 0 {
		t.Errorf("SpelledAs allocates %v times, want 0", n)
	}
}

// TestNFKCPlain checks that strings of runes marked in nfkcPlain are
// NFKC-normal as fold assumes, each rune between others and in random
// runs.
func TestNFKCPlain(t *testing.T) {
	var plain []rune
	for r := range rune(0x10000) {
		if isNFKCPlain(r) {
			plain = append(plain, r)
		}
	}
	if len(plain) < 50000 {
		t.Fatalf("%d plain runes, want most of the BMP", len(plain))
	}
	for _, r := range plain {
		for _, s := range []string{string(r), "é" + string(r) + string(r) + "越", "가" + string(r) + "ア"} {
			if n := norm.NFKC.QuickSpanString(s); n != len(s) {
				t.Fatalf("%U: QuickSpanString(%q) = %d, want %d", r, s, n, len(s))
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteRune(plain[rng.IntN(len(plain))])
		}
		if s := b.String(); norm.NFKC.QuickSpanString(s) != len(s) {
			t.Fatalf("QuickSpanString(%q) does not span it", s)
		}
	}
}

// refFoldMap is FoldMap as first written, with neither nfkcPlain nor the
// quick span: every non-ASCII segment is asked IsNormalString.
func refFoldMap(s string) (string, []int) {
	var b []byte
	var offs []int
	prevLatin := false
	put := func(r rune, at int) {
		if r < utf8.RuneSelf {
			c := byte(foldASCII(r))
			b = append(b, c)
			offs = append(offs, at)
			prevLatin = 'a' <= c && c <= 'z'
			return
		}
		out, latin, drop := refFoldRune(r, prevLatin)
		if drop {
			return
		}
		n := len(b)
		b = utf8.AppendRune(b, out)
		for k := n; k < len(b); k++ {
			offs = append(offs, at)
		}
		prevLatin = latin
	}
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			put(rune(s[i]), i)
			i++
			continue
		}
		j := i + 1
		for j < len(s) && s[j] >= utf8.RuneSelf {
			j++
		}
		seg := s[i:j]
		if norm.NFKC.IsNormalString(seg) {
			for k := 0; k < len(seg); {
				r, size := utf8.DecodeRuneInString(seg[k:])
				put(r, i+k)
				k += size
			}
		} else {
			var it norm.Iter
			it.InitString(norm.NFKC, seg)
			for !it.Done() {
				at := i + it.Pos()
				out := it.Next()
				for k := 0; k < len(out); {
					r, size := utf8.DecodeRune(out[k:])
					put(r, at)
					k += size
				}
			}
		}
		i = j
	}
	return string(b), append(offs, len(s))
}

// TestFoldMapSameAsReference compares FoldMap with refFoldMap on random
// text mixing ASCII, Vietnamese, CJK, and runes NFKC changes or reorders.
func TestFoldMapSameAsReference(t *testing.T) {
	pieces := []string{"a", "B", " ", ",", "1", "Đồng", "Nai", "ồ", "ạ", "ư", "越", "，", "。", "、", "ﾄﾞ", "ｱ", "ド", "ー",
		"동", "ᄀ", "ᅡ", "ᆨ", "\u0300", "\u0301", "\u0323", "\u0302", "\u0345", "\u0f73", "\u3099", "\u309b", "ﬁ", "①", "㎞", "Ａ",
		"ǆ", "ẛ", "\u00a0", "\u2029", "\u200b", "é", "e\u0301", "\xff", "\xe1\xbb", "\U0001F600", "𠀀", "ß", "İ", "ſ",
		"同奈省", "表示", "가", "ﾅｲ", "\u0338", "≠", "\u1b35", "\u0b47", "\u0b3e", "\u0653", "ا", "Å", "Ω", "ｶﾞ"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 60000 {
		var b strings.Builder
		for range 1 + rng.IntN(14) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		f1, o1 := FoldMap(s)
		f2, o2 := refFoldMap(s)
		if f1 != f2 || !slices.Equal(o1, o2) {
			t.Fatalf("FoldMap(%q) = %q %v, want %q %v", s, f1, o1, f2, o2)
		}
		if Fold(s) != f2 {
			t.Fatalf("Fold(%q) = %q, want %q", s, Fold(s), f2)
		}
	}
}

// refCountMarked is CountMarked as first written, a rune at a time with
// the general predicates.
func refCountMarked(s string) (latin, marked int) {
	inWord, isLatin, hasMark := false, false, false
	end := func() {
		if inWord && isLatin {
			latin++
			if hasMark {
				marked++
			}
		}
		inWord, isLatin, hasMark = false, false, false
	}
	for _, r := range s {
		if unicode.IsLetter(r) || (r >= 0x0300 && r <= 0x036F) {
			if !inWord {
				inWord, isLatin = true, unicode.Is(unicode.Latin, r)
			}
			if isDiacriticLetter(r) {
				hasMark = true
			}
			continue
		}
		end()
	}
	end()
	return latin, marked
}

// TestCountMarkedSameAsReference checks CountMarked's look-ups against
// the general predicates: every rune after a Latin letter and before one,
// and random text.
func TestCountMarkedSameAsReference(t *testing.T) {
	check := func(s string) {
		t.Helper()
		l1, m1 := CountMarked(s)
		l2, m2 := refCountMarked(s)
		if l1 != l2 || m1 != m2 {
			t.Fatalf("CountMarked(%q) = %d, %d, want %d, %d", s, l1, m1, l2, m2)
		}
	}
	for r := rune(0); r <= unicode.MaxRune; r += 1 + r/0x2000 {
		check("a" + string(r) + "b")
		check(string(r) + "é")
	}
	pieces := []string{"Đồng", "Nai", " ", ",", "2025", "越", "동", "ア", "\u0300", "ʼ", "ª", "Ⅻ", "ﬁ", "Ａ", "α", "й", "\xff", "\u200b", "ß"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(10) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		check(b.String())
	}
	for _, text := range corpusTexts(t) {
		check(text)
	}
}

// TestDecodeAt: decodeAt decodes as utf8.DecodeRuneInString every one-,
// two- and three-byte sequence led by a non-ASCII byte (valid, invalid,
// overlong, surrogate, cut short), and four-byte forms by their lead.
func TestDecodeAt(t *testing.T) {
	check := func(s string, i int) {
		r, n := decodeAt(s, i)
		wr, wn := utf8.DecodeRuneInString(s[i:])
		if r != wr || n != wn {
			t.Fatalf("decodeAt(%q, %d) = %U, %d; want %U, %d", s, i, r, n, wr, wn)
		}
	}
	for a := 0x80; a < 0x100; a++ {
		check(string([]byte{byte(a)}), 0)
		for b := 0; b < 0x100; b++ {
			check(string([]byte{byte(a), byte(b)}), 0)
			check(string([]byte{'x', byte(a), byte(b)}), 1)
			for c := 0; c < 0x100; c++ {
				check(string([]byte{byte(a), byte(b), byte(c)}), 0)
			}
			check(string([]byte{byte(a), byte(b), 0x80, 0x80}), 0)
		}
	}
}

// rawTokensClosures is rawTokens as it was written before it ran without
// closures: the reference TestRawTokensSameAsClosures holds it to.
func rawTokensClosures(out []rawTok, folded string) []rawTok {
	start := -1
	var dot, space, other, part bool
	before := func() sep {
		s := sepNone
		switch {
		case part:
			s = sepPart
		case other || (dot && space):
			s = sepOther
		case dot:
			s = sepDot
		case space:
			s = sepSpace
		}
		dot, space, other, part = false, false, false, false
		return s
	}
	flush := func(end int) {
		if start >= 0 {
			out = append(out, rawTok{text: folded[start:end], start: start, end: end, before: before()})
			start = -1
		}
	}
	for i := 0; i < len(folded); {
		r, size := rune(folded[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(folded[i:])
		}
		switch {
		case r < utf8.RuneSelf && (('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z')):
			if start < 0 {
				start = i
			}
		case r >= utf8.RuneSelf && IsCJK(r):
			flush(i)
			out = append(out, rawTok{text: folded[i : i+size], start: i, end: i + size, cjk: true, before: before()})
		case r >= utf8.RuneSelf && isWordRune(r):
			if start < 0 {
				start = i
			}
		default:
			flush(i)
			switch {
			case r == PartSep:
				part = true
			case isMiddleDot(r):
				dot = true
			case unicode.IsSpace(r):
				space = true
			default:
				other = true
			}
		}
		i += size
	}
	flush(len(folded))
	return out
}

// TestRawTokensSameAsClosures: rawTokens gives the tokens and separators
// of the closure-based version, on random text of every separator kind
// and on the corpus's folded items.
func TestRawTokensSameAsClosures(t *testing.T) {
	pieces := []string{"a", "Dong", "nai", "9", " ", "  ", "\t", "\n", "\v", "\f", "\r", ".", ",", "·", "・", "\u2029", "\u00a0", "\u3000",
		"同", "奈", "동나이", "カ", "ไทย", "đ", "\u0301", "\xff", "\xe3\x80", "-", "'", "\u2022", "\u0085"}
	rng := rand.New(rand.NewPCG(7, 11))
	var cases []string
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	for _, it := range corpusTexts(t) {
		cases = append(cases, Fold(it))
	}
	kinds := map[sep]bool{}
	for _, s := range cases {
		got, want := rawTokens(nil, s), rawTokensClosures(nil, s)
		if !slices.Equal(got, want) {
			t.Fatalf("rawTokens(%q) = %+v, want %+v", s, got, want)
		}
		for _, tok := range got {
			kinds[tok.before] = true
		}
	}
	if len(kinds) != 5 {
		t.Fatalf("separators met: %v; the cases do not cover all five", kinds)
	}
}

// corpusTexts returns the titles and texts of the shared dev corpus, none
// when it is absent (PRESSWATCH_TESTDATA, default ../../../shared/testdata).
func corpusTexts(t *testing.T) []string {
	dir := os.Getenv("PRESSWATCH_TESTDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "testdata")
	}
	data, err := os.ReadFile(filepath.Join(dir, "corpus", "dev.jsonl"))
	if err != nil {
		t.Logf("no corpus texts (%v): random text only", err)
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		var it struct{ Title, Text string }
		if json.Unmarshal([]byte(line), &it) == nil {
			out = append(out, it.Title, it.Text)
		}
	}
	return out
}

// TestAnalyzeFoldedTokens: the tokens AnalyzeFoldedTokens gives with the
// terms of a title and of the text after it are AppendTokens of the whole
// folded text, and its terms are AnalyzeFolded's, on the corpus and on
// random text.
func TestAnalyzeFoldedTokens(t *testing.T) {
	pieces := []string{"a", "Đồng", "Nai", "9", " ", ".", "·", "\u2029", "同奈", "省", "동나이", "カタ", "ไทย", "\u0301", "\xff", "-", "’"}
	rng := rand.New(rand.NewPCG(4, 21))
	texts := corpusTexts(t)
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	for k := 0; k+1 < len(texts); k += 2 {
		title, body := texts[k], texts[k+1]
		full := title + "\n\n" + body
		folded, offs := FoldMap(full)
		ftl := sort.SearchInts(offs, len(title))
		wantTerms := AnalyzeFolded(nil, folded[:ftl], offs[:ftl+1], 0)
		wantTerms = AnalyzeFolded(wantTerms, folded[ftl:], offs[ftl:], len(title))
		wantToks := AppendTokens(nil, folded)
		terms, toks := AnalyzeFoldedTokens(nil, nil, folded[:ftl], offs[:ftl+1], 0, 0)
		terms, toks = AnalyzeFoldedTokens(terms, toks, folded[ftl:], offs[ftl:], len(title), ftl)
		if !slices.Equal(terms, wantTerms) {
			t.Fatalf("title %q, text %q: terms differ from AnalyzeFolded's", title, body)
		}
		if !slices.Equal(toks, wantToks) {
			t.Fatalf("title %q, text %q: tokens %v, AppendTokens gives %v", title, body, toks, wantToks)
		}
	}
}

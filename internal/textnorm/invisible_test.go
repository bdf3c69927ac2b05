package textnorm

import (
	"slices"
	"testing"
)

// Format characters drawn as nothing — left by a CMS's hyphenation or put
// inside a name to dodge matching — leave a word whole; a zero-width space
// is a word break. Search then finds such a name as the classifier does.
func TestInvisibleCharacters(t *testing.T) {
	terms := func(s string) []string {
		var out []string
		for _, tm := range Analyze(s) {
			out = append(out, tm.Text)
		}
		return out
	}
	plain := terms("Biên Hòa, Đồng Nai")
	for _, s := range []string{
		"Biên H\u00adòa, Đồng Nai",             // soft hyphen
		"Bi\u200dên Hòa, Đồ\u200cng Nai",       // zero-width joiner, non-joiner
		"Biên Hòa, Đồng\u2060 Nai",             // word joiner
		"\ufeffBiên Hòa, Đồng Nai\u200e",       // byte-order mark, left-to-right mark
		"Biên Hòa,\u200bĐồng\u200bNai",         // zero-width spaces between words
		"Bie\u0302\u034fn Hòa, Đồng Na\ufe0fi", // combining grapheme joiner, variation selector
	} {
		if got := terms(s); !slices.Equal(got, plain) {
			t.Errorf("Analyze(%+q) = %q, want %q", s, got, plain)
		}
	}
	if Spelling("H\u00adòa") != Spelling("hòa") || Spelling("Đồ\u200dng") != Spelling("đồng") {
		t.Errorf("Spelling keeps an invisible character: %q, %q", Spelling("H\u00adòa"), Spelling("Đồ\u200dng"))
	}
	// Offsets still point into the original text.
	s := "H\u00adòa Bình"
	for _, tm := range Analyze(s) {
		if tm.Text == "binh" && s[tm.Start:tm.End] != "Bình" {
			t.Errorf("offsets %d–%d read %q", tm.Start, tm.End, s[tm.Start:tm.End])
		}
	}
}

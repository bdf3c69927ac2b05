package classifier

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTidySpacesSameAsFields holds describe's shortcut to what it skips:
// a string tidySpaces passes is unchanged by strings.Fields and a join
// with one space, and describe gives the same text with or without it.
func TestTidySpacesSameAsFields(t *testing.T) {
	cases := []string{
		"", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\nb", "a\u00a0b", "a\u2003b",
		"a\u0085b", "matches claim \"sáp nhập\"; official correction: x", "đình công\r\n",
		"同奈 省", "\xff\xfe a", "a \xff",
	}
	pieces := []string{"a", "Đồng", "Nai", " ", "  ", "\t", "\n", "\u00a0", "\u3000", "同奈", "\xe2\x80", "x"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var sb strings.Builder
		for range rng.IntN(8) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		cases = append(cases, sb.String())
	}
	tidy := 0
	for _, s := range cases {
		joined := strings.Join(strings.Fields(s), " ")
		if tidySpaces(s) {
			tidy++
			if joined != s {
				t.Fatalf("tidySpaces(%q) = true, but Fields and Join give %q", s, joined)
			}
		} else if joined == s {
			t.Fatalf("tidySpaces(%q) = false for a tidy string", s)
		}
	}
	if tidy == 0 || tidy == len(cases) {
		t.Fatalf("%d of %d strings tidy: the cases do not exercise both answers", tidy, len(cases))
	}
}

// TestDescribeCutsAtWord: a detail over 120 bytes is cut at the end of a
// word and says so with "…"; a claim quoted to an officer as "… được
// quyết…" would read as another word than "quyết định".
func TestDescribeCutsAtWord(t *testing.T) {
	claim := "Việc sáp nhập Bình Phước vào Đồng Nai vẫn chưa được quyết định và người dân cần chờ thêm thông báo chính thức từ trung ương"
	got := describe("from response r1: " + claim)
	if !strings.HasSuffix(got, "…") || len(got) > 120+len("…") {
		t.Fatalf("describe = %q (%d bytes): want at most 120 bytes and a final …", got, len(got))
	}
	cut := strings.TrimSuffix(got, "…")
	if !strings.HasPrefix(claim+" ", strings.TrimPrefix(cut, "from response r1: ")+" ") {
		t.Errorf("describe = %q: not cut at the end of a word", got)
	}
	// A detail without a space near the cut (Han text) is cut at a rune.
	han := describe(strings.Repeat("同奈省", 20))
	if !strings.HasSuffix(han, "…") || !utf8.ValidString(han) {
		t.Errorf("describe(Han) = %q", han)
	}
}

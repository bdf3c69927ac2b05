package classifier

import (
	"math/rand/v2"
	"strings"
	"testing"
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

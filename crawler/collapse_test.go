package crawler

import (
	"strings"
	"testing"
)

// collapseSpace must give what strings.Join(strings.Fields(s), " ") gives.
func FuzzCollapseSpace(f *testing.F) {
	for _, s := range []string{"", " ", "a", "  a  b\t\nc  ", "x\u00a0y\u2003z\u0085", "\xff \xfe\xfd  q", "Đồng  Nai\r\n", "\u3000全角\u3000空白"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapseSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("collapseSpace(%q) = %q, want %q", s, got, want)
		}
	})
}

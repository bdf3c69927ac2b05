package classifier

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestEndsSentence: endsSentence answers as strings.ContainsAny with the
// sentence ends, for gaps of ASCII, CJK, other non-ASCII and invalid
// UTF-8, in any order.
func TestEndsSentence(t *testing.T) {
	pieces := []string{" ", ", ", ".", "!", "?", "\n", ";", "。", "！", "？", "；", "、", "，", "“", "”", "—", "·", "\xff", "\xe3\x80", "a", "\t", ":", "(", ")"}
	rng := rand.New(rand.NewPCG(5, 8))
	ends := 0
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		gap := b.String()
		want := strings.ContainsAny(gap, sentenceEnds)
		if got := endsSentence(gap); got != want {
			t.Fatalf("endsSentence(%q) = %v, want %v", gap, got, want)
		}
		if want {
			ends++
		}
	}
	if ends < 10000 || ends > 40000 {
		t.Fatalf("%d of 50,000 gaps end a sentence: the test's gaps are too one-sided", ends)
	}
}

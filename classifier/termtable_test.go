package classifier

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestTermTableAsMap: interning and looking up terms in a termTable gives
// the numbers a map numbering them in order of first occurrence gives, for
// present and absent terms, across resets of one table (as a pooled
// scratch reuses it), sizes from empty to a full table.
func TestTermTableAsMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	var tab termTable
	for round := range 200 {
		n := rng.IntN(3000)
		if round%50 == 0 {
			n = 0
		}
		occ := make([]string, n)
		for i := range occ {
			occ[i] = fmt.Sprintf("t%d", rng.IntN(n/2+1))
		}
		tab.reset(len(occ))
		want := map[string]int32{}
		for _, s := range occ {
			id, added := tab.intern(s)
			w, ok := want[s]
			if !ok {
				w = int32(len(want))
				want[s] = w
			}
			if id != w || added == ok {
				t.Fatalf("round %d: intern(%q) = %d, %v; want %d, %v", round, s, id, added, w, !ok)
			}
		}
		if len(tab.terms) != len(want) {
			t.Fatalf("round %d: %d terms, want %d", round, len(tab.terms), len(want))
		}
		for s, w := range want {
			if id, ok := tab.lookup(s); !ok || id != w || tab.terms[id] != s {
				t.Fatalf("round %d: lookup(%q) = %d, %v; want %d", round, s, id, ok, w)
			}
		}
		for range 200 {
			s := fmt.Sprintf("t%d", n/2+1+rng.IntN(1000)) // never interned this round
			if id, ok := tab.lookup(s); ok {
				t.Fatalf("round %d: lookup(%q) = %d, found; it was never added", round, s, id)
			}
		}
	}
	var empty termTable
	if _, ok := empty.lookup("x"); ok {
		t.Fatal("a table never reset finds a term")
	}
}

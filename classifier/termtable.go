package classifier

import "github.com/dongnai/presswatch/query"

// termTable numbers the distinct terms of one query document: an
// open-addressing hash table (linear probing) of term numbers, sized once
// for the document's occurrences so that it never grows. It does for the
// document what a map[string]int32 did, with one hash per occurrence when
// the document is built. Terms are filed under query.TermHash, so a rule
// word, whose hash its prepared query keeps, is found without hashing it
// again (lookupHashed).
type termTable struct {
	slots []int32  // term number + 1; 0 is an empty slot
	terms []string // the terms by number
	mask  uint64
}

// reset empties the table for at most n distinct terms.
func (t *termTable) reset(n int) {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	if cap(t.slots) >= size {
		t.slots = t.slots[:size]
		clear(t.slots)
	} else {
		t.slots = make([]int32, size)
	}
	t.mask = uint64(size - 1)
	clear(t.terms)
	t.terms = t.terms[:0]
}

// lookup returns the number of term s, and whether it is in the table.
func (t *termTable) lookup(s string) (int32, bool) {
	return t.lookupHashed(s, query.TermHash(s))
}

// lookupHashed is lookup with h = query.TermHash(s).
func (t *termTable) lookupHashed(s string, h uint64) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		v := t.slots[i]
		if v == 0 {
			return 0, false
		}
		if t.terms[v-1] == s {
			return v - 1, true
		}
	}
}

// intern returns the number of term s, numbering it next when it is new
// (added). The table must have been reset for at least as many terms.
func (t *termTable) intern(s string) (id int32, added bool) {
	i := query.TermHash(s) & t.mask
	for ; ; i = (i + 1) & t.mask {
		v := t.slots[i]
		if v == 0 {
			break
		}
		if t.terms[v-1] == s {
			return v - 1, false
		}
	}
	if 2*(len(t.terms)+1) > len(t.slots) {
		panic("classifier: termTable holds more terms than it was reset for")
	}
	t.terms = append(t.terms, s)
	t.slots[i] = int32(len(t.terms))
	return int32(len(t.terms) - 1), true
}

package crawler

import (
	"math/bits"
	"sync"
	"unicode"

	"github.com/dongnai/presswatch/store"
)

// SimHash returns a 64-bit SimHash of text over word 3-shingles (case
// folded, letters and digits only; character trigrams for scripts written
// without spaces), or 0 when the text is too short to fingerprint. It makes
// one pass over the text and allocates only the word-hash slice.
func SimHash(text string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	var buf [512]uint64
	hs := buf[:0]
	h, in := uint64(offset), false
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			h = (h ^ uint64(unicode.ToLower(r))) * prime
			in = true
		} else if in {
			hs = append(hs, h)
			h, in = offset, false
		}
	}
	if in {
		hs = append(hs, h)
	}
	// Scripts without spaces (Chinese, Japanese) give few long "words": use
	// character trigrams for them.
	if len(hs) < 20 {
		hs = hs[:0]
		for _, r := range text {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				hs = append(hs, mix64(uint64(unicode.ToLower(r))))
			}
		}
		if len(hs) < 22 {
			return 0
		}
	}
	var v [64]int32
	for i := 0; i+3 <= len(hs); i++ {
		x := mix64(hs[i] ^ bits.RotateLeft64(hs[i+1], 21) ^ bits.RotateLeft64(hs[i+2], 42))
		for b := range 64 {
			v[b] += int32(x>>b&1)*2 - 1
		}
	}
	var out uint64
	for b := range 64 {
		if v[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

// mix64 is SplitMix64's finaliser.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// nearDupDistance is the largest Hamming distance between the fingerprints of
// two copies of one text (a syndicated copy with a changed sentence or an
// added credit line is typically 3-6 bits away; unrelated texts about 32).
const nearDupDistance = 6

// bands is the number of 8-bit bands the index splits a fingerprint into: any
// fingerprint within distance 7 shares at least one band exactly
// (pigeonhole).
const bands = 8

// fpIndex finds near-duplicate fingerprints among the most recent ones by
// banding. It forgets the oldest entries beyond its capacity.
type fpIndex struct {
	mu    sync.Mutex
	cap   int
	ring  []fpEntry
	next  int
	bands [bands]map[uint8][]int
}

type fpEntry struct {
	fp        uint64
	id, canon string
	sources   []string
}

// fpCapacity is how many recent fingerprints the index (and the store) keep.
const fpCapacity = 50000

// restore adds a stored fingerprint (at start, oldest first).
func (x *fpIndex) restore(f store.Fingerprint) {
	if f.FP == 0 || len(f.Sources) == 0 {
		return
	}
	x.lookupOrAdd(f.FP, f.ID, f.Canon, f.Sources[0])
	x.mu.Lock()
	defer x.mu.Unlock()
	for b := range bands {
		for _, i := range x.bands[b][uint8(f.FP>>(8*b))] {
			if e := &x.ring[i]; e.id == f.ID {
				for _, s := range f.Sources[1:] {
					e.sources = appendUnique(e.sources, s)
				}
				return
			}
		}
	}
}

func newFPIndex(capacity int) *fpIndex {
	x := &fpIndex{cap: capacity}
	for i := range x.bands {
		x.bands[i] = map[uint8][]int{}
	}
	return x
}

// lookupOrAdd returns the entry of a near-duplicate with another ID, or
// records fp for id and returns false.
func (x *fpIndex) lookupOrAdd(fp uint64, id, canon, source string) (fpEntry, bool) {
	if fp == 0 {
		return fpEntry{}, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for b := range bands {
		key := uint8(fp >> (8 * b))
		for _, i := range x.bands[b][key] {
			e := &x.ring[i]
			if e.id != id && bits.OnesCount64(e.fp^fp) <= nearDupDistance {
				found := *e
				e.sources = appendUnique(e.sources, source)
				return found, true
			}
		}
	}
	e := fpEntry{fp: fp, id: id, canon: canon, sources: []string{source}}
	var slot int
	if len(x.ring) < x.cap {
		x.ring = append(x.ring, e)
		slot = len(x.ring) - 1
	} else {
		slot = x.next
		old := x.ring[slot]
		for b := range bands {
			key := uint8(old.fp >> (8 * b))
			x.bands[b][key] = removeInt(x.bands[b][key], slot)
			if len(x.bands[b][key]) == 0 {
				delete(x.bands[b], key)
			}
		}
		x.ring[slot] = e
		x.next = (x.next + 1) % x.cap
	}
	for b := range bands {
		key := uint8(fp >> (8 * b))
		x.bands[b][key] = append(x.bands[b][key], slot)
	}
	return fpEntry{}, false
}

func removeInt(s []int, v int) []int {
	for i, x := range s {
		if x == v {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

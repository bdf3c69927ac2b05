package crawler

import (
	"encoding/hex"
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
//
// Its records are fixed-size (issue 18): the raw article ID, the first
// source and the canonical URL (needed to record a copy under the original
// when the original is not stored yet), in a ring allocated once; further
// sources and IDs that are not hex SHA-256 live in small side maps. Each band
// is a set of 256 linked lists of ring slots (int32 links), in insertion
// order, so the oldest entry — the one evicted — is the head of each of its
// lists. 292 bytes per entry before, ~140 now (TestFingerprintIndexHeap).
type fpIndex struct {
	mu   sync.Mutex
	cap  int
	ring []fpRec
	next int
	// link[slot*bands+b] is the next slot in band b's list of slot's key,
	// or -1; head and tail are each list's ends (-1 when empty).
	link       []int32
	head, tail [bands][256]int32
	more       map[int32][]string // sources of a slot after its first
	oddIDs     map[int32]string   // IDs that are not 64 lower-case hex digits
}

type fpRec struct {
	fp     uint64
	id     [32]byte // the article ID, raw (unless in oddIDs)
	canon  string
	source string // the first source
}

// fpEntry is a near-duplicate found by lookupOrAdd.
type fpEntry struct {
	fp        uint64
	id, canon string
	sources   []string
}

// fpCapacity is how many recent fingerprints the index (and the store) keep.
const fpCapacity = 50000

// rawFPID decodes a 64-digit lower-case hex article ID.
func rawFPID(id string) (raw [32]byte, ok bool) {
	if len(id) != 64 {
		return raw, false
	}
	for i := range len(id) {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return raw, false
		}
	}
	_, err := hex.Decode(raw[:], []byte(id))
	return raw, err == nil
}

// idOf is the article ID of slot.
func (x *fpIndex) idOf(slot int32) string {
	if id, ok := x.oddIDs[slot]; ok {
		return id
	}
	return hex.EncodeToString(x.ring[slot].id[:])
}

// isID reports whether slot holds the ID given as id (raw, ok from rawFPID).
func (x *fpIndex) isID(slot int32, id string, raw [32]byte, ok bool) bool {
	if !ok {
		odd, isOdd := x.oddIDs[slot]
		return isOdd && odd == id
	}
	_, isOdd := x.oddIDs[slot]
	return !isOdd && x.ring[slot].id == raw
}

// sourcesOf are the sources of slot, the first first.
func (x *fpIndex) sourcesOf(slot int32) []string {
	return append([]string{x.ring[slot].source}, x.more[slot]...)
}

// addSource adds source to slot's sources unless it is there already.
func (x *fpIndex) addSource(slot int32, source string) {
	if x.ring[slot].source == source {
		return
	}
	for _, s := range x.more[slot] {
		if s == source {
			return
		}
	}
	x.more[slot] = append(x.more[slot], source)
}

// restore adds a stored fingerprint (at start, oldest first).
func (x *fpIndex) restore(f store.Fingerprint) {
	if f.FP == 0 || len(f.Sources) == 0 {
		return
	}
	x.lookupOrAdd(f.FP, f.ID, f.Canon, f.Sources[0])
	x.mu.Lock()
	defer x.mu.Unlock()
	raw, ok := rawFPID(f.ID)
	for b := range bands {
		for i := x.head[b][uint8(f.FP>>(8*b))]; i >= 0; i = x.link[int(i)*bands+b] {
			if x.isID(i, f.ID, raw, ok) {
				for _, s := range f.Sources[1:] {
					x.addSource(i, s)
				}
				return
			}
		}
	}
}

func newFPIndex(capacity int) *fpIndex {
	x := &fpIndex{cap: capacity, ring: make([]fpRec, 0, capacity), link: make([]int32, 0, capacity*bands),
		more: map[int32][]string{}, oddIDs: map[int32]string{}}
	for b := range bands {
		for k := range 256 {
			x.head[b][k], x.tail[b][k] = -1, -1
		}
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
	raw, ok := rawFPID(id)
	for b := range bands {
		for i := x.head[b][uint8(fp>>(8*b))]; i >= 0; i = x.link[int(i)*bands+b] {
			e := &x.ring[i]
			if !x.isID(i, id, raw, ok) && bits.OnesCount64(e.fp^fp) <= nearDupDistance {
				found := fpEntry{fp: e.fp, id: x.idOf(i), canon: e.canon, sources: x.sourcesOf(i)}
				x.addSource(i, source)
				return found, true
			}
		}
	}
	var slot int32
	if len(x.ring) < x.cap {
		x.ring = append(x.ring, fpRec{})
		x.link = append(x.link, make([]int32, bands)...)
		slot = int32(len(x.ring) - 1)
	} else {
		slot = int32(x.next)
		x.unlink(slot)
		x.next = (x.next + 1) % x.cap
	}
	x.ring[slot] = fpRec{fp: fp, id: raw, canon: canon, source: source}
	if !ok {
		x.oddIDs[slot] = id
	}
	for b := range bands {
		key := uint8(fp >> (8 * b))
		x.link[int(slot)*bands+b] = -1
		if t := x.tail[b][key]; t >= 0 {
			x.link[int(t)*bands+b] = slot
		} else {
			x.head[b][key] = slot
		}
		x.tail[b][key] = slot
	}
	return fpEntry{}, false
}

// unlink takes slot (the oldest entry) out of its band lists and side maps.
func (x *fpIndex) unlink(slot int32) {
	old := x.ring[slot].fp
	for b := range bands {
		key := uint8(old >> (8 * b))
		prev := int32(-1)
		i := x.head[b][key]
		for i >= 0 && i != slot { // the oldest is the head; walk if not
			prev, i = i, x.link[int(i)*bands+b]
		}
		if i < 0 {
			continue
		}
		nxt := x.link[int(slot)*bands+b]
		if prev < 0 {
			x.head[b][key] = nxt
		} else {
			x.link[int(prev)*bands+b] = nxt
		}
		if x.tail[b][key] == slot {
			x.tail[b][key] = prev
		}
	}
	delete(x.more, slot)
	delete(x.oddIDs, slot)
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

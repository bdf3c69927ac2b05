package crawler

// The GUID and fingerprint indexes as they were before issue 18's
// compaction, kept as reference models: TestGUIDIndexMatchesReference and
// TestFingerprintIndexMatchesReference check that the compact ones answer
// exactly as these did.

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/maphash"
	"math/bits"
	"strings"
	"sync"

	"github.com/dongnai/presswatch/store"
)

type refGUIDIndex struct {
	seed maphash.Seed
	mu   sync.Mutex
	m    map[string]*refSourceGUIDs
}

type refGUIDRec struct {
	id  [sha256.Size]byte // the article the GUID names
	url uint64            // hash of the link last recorded for it
}

type refSourceGUIDs struct {
	m     map[uint64]refGUIDRec
	order []uint64 // insertion ring for eviction
	next  int
}

func newRefGUIDIndex() *refGUIDIndex {
	return &refGUIDIndex{seed: maphash.MakeSeed(), m: map[string]*refSourceGUIDs{}}
}

// refGUIDMove is an entry whose GUID is known under another article: the link
// changed.
type refGUIDMove struct {
	id, newURL string
	guidKey    uint64
	e          entry
}

// resolve applies GUID identity to a source's entries: an entry whose GUID
// names a known article with another ID is taken out of entries and
// returned as a move; first sightings are recorded.
func (x *refGUIDIndex) resolve(source string, entries []entry) ([]entry, []refGUIDMove) {
	x.mu.Lock()
	defer x.mu.Unlock()
	sg := x.m[source]
	var moves []refGUIDMove
	kept := entries[:0]
	for _, e := range entries {
		g := strings.TrimSpace(e.guid)
		if g == "" || g == e.art.URL || g == e.art.CanonicalURL {
			kept = append(kept, e)
			continue
		}
		raw, err := hex.DecodeString(e.art.ID)
		if err != nil || len(raw) != sha256.Size {
			kept = append(kept, e)
			continue
		}
		if sg == nil {
			sg = &refSourceGUIDs{m: map[uint64]refGUIDRec{}}
			x.m[source] = sg
		}
		k := maphash.String(x.seed, g)
		uh := maphash.String(x.seed, e.art.URL)
		rec, known := sg.m[k]
		switch {
		case !known:
			var r refGUIDRec
			copy(r.id[:], raw)
			r.url = uh
			sg.add(k, r)
			kept = append(kept, e)
		case string(rec.id[:]) == string(raw):
			kept = append(kept, e)
		default:
			if rec.url != uh {
				moves = append(moves, refGUIDMove{id: hex.EncodeToString(rec.id[:]), newURL: e.art.URL, guidKey: k, e: e})
			}
		}
	}
	return kept, moves
}

// moved records that the move's new link is now the known one.
func (x *refGUIDIndex) moved(source string, m refGUIDMove) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if sg := x.m[source]; sg != nil {
		if r, ok := sg.m[m.guidKey]; ok {
			r.url = maphash.String(x.seed, m.newURL)
			sg.m[m.guidKey] = r
		}
	}
}

func (s *refSourceGUIDs) add(k uint64, r refGUIDRec) {
	if len(s.order) < maxGUIDsPerSource {
		s.order = append(s.order, k)
	} else {
		delete(s.m, s.order[s.next])
		s.order[s.next] = k
		s.next = (s.next + 1) % maxGUIDsPerSource
	}
	s.m[k] = r
}

type refFPIndex struct {
	mu    sync.Mutex
	cap   int
	ring  []refFPEntry
	next  int
	bands [bands]map[uint8][]int
}

type refFPEntry struct {
	fp        uint64
	id, canon string
	sources   []string
}

// restore adds a stored fingerprint (at start, oldest first).
func (x *refFPIndex) restore(f store.Fingerprint) {
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

func newRefFPIndex(capacity int) *refFPIndex {
	x := &refFPIndex{cap: capacity}
	for i := range x.bands {
		x.bands[i] = map[uint8][]int{}
	}
	return x
}

// lookupOrAdd returns the entry of a near-duplicate with another ID, or
// records fp for id and returns false.
func (x *refFPIndex) lookupOrAdd(fp uint64, id, canon, source string) (refFPEntry, bool) {
	if fp == 0 {
		return refFPEntry{}, false
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
	e := refFPEntry{fp: fp, id: id, canon: canon, sources: []string{source}}
	var slot int
	if len(x.ring) < x.cap {
		x.ring = append(x.ring, e)
		slot = len(x.ring) - 1
	} else {
		slot = x.next
		old := x.ring[slot]
		for b := range bands {
			key := uint8(old.fp >> (8 * b))
			x.bands[b][key] = refRemoveInt(x.bands[b][key], slot)
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
	return refFPEntry{}, false
}

func refRemoveInt(s []int, v int) []int {
	for i, x := range s {
		if x == v {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}

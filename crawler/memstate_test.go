package crawler

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// Heap of the crawler's integrity state at the size of issue 18's workload:
// the GUID index at 10,000 sources × 20 entries and the near-duplicate
// fingerprint index full (fpCapacity entries). The figures are logged (run
// with -v) and bounded, so that a change that makes these records large again
// fails here rather than in a half-hour process benchmark.

const (
	memSources        = 10000
	memItemsPerSource = 20
)

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func memArticleID(src, i int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "https://feed%05d.example.com/news/%d", src, i))
	return hex.EncodeToString(h[:])
}

func TestGUIDIndexHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 200,000 GUID records")
	}
	// The entries (what a poll holds anyway) are built before the baseline.
	names := make([]string, memSources)
	batches := make([][]entry, memSources)
	for s := range memSources {
		names[s] = fmt.Sprintf("farm-%05d", s)
		for i := range memItemsPerSource {
			u := fmt.Sprintf("https://feed%05d.example.com/news/%d", s, i)
			batches[s] = append(batches[s], entry{
				art:  &article.Article{ID: memArticleID(s, i), URL: u, CanonicalURL: u},
				guid: fmt.Sprintf("tag:feed%05d.example.com,2026:%d", s, i),
			})
		}
	}
	before := heapInUse()
	x := newGUIDIndex()
	for s := range memSources {
		b := append([]entry(nil), batches[s]...)
		if kept, moves := x.resolve(names[s], b); len(kept) != memItemsPerSource || len(moves) != 0 {
			t.Fatalf("source %d: %d kept, %d moves", s, len(kept), len(moves))
		}
	}
	after := heapInUse()
	n := memSources * memItemsPerSource
	per := float64(after-before) / float64(n)
	t.Logf("GUID index: %d sources × %d GUIDs: %.1f MB heap, %.1f bytes per GUID", memSources, memItemsPerSource, float64(after-before)/1e6, per)
	// A second poll of the same entries changes nothing.
	if kept, moves := x.resolve(names[7], append([]entry(nil), batches[7]...)); len(kept) != memItemsPerSource || len(moves) != 0 {
		t.Fatalf("second poll: %d kept, %d moves", len(kept), len(moves))
	}
	if per > guidHeapBound {
		t.Errorf("GUID index uses %.1f bytes per GUID, more than %d", per, guidHeapBound)
	}
	runtime.KeepAlive(x)
	runtime.KeepAlive(batches)
}

func TestFingerprintIndexHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 50,000 fingerprint records")
	}
	n := fpCapacity
	ids := make([]string, n)
	canons := make([]string, n)
	fps := make([]uint64, n)
	srcs := make([]string, memSources)
	for s := range srcs {
		srcs[s] = fmt.Sprintf("farm-%05d", s)
	}
	for i := range n {
		ids[i] = memArticleID(i%memSources, i/memSources)
		canons[i] = fmt.Sprintf("https://feed%05d.example.com/news/2026/12/04/story-%d", i%memSources, i)
		fps[i] = mix64(uint64(i) + 1)
	}
	before := heapInUse()
	x := newFPIndex(n)
	added := 0
	for i := range n {
		if _, dup := x.lookupOrAdd(fps[i], strings.Clone(ids[i]), strings.Clone(canons[i]), srcs[i%memSources]); !dup {
			added++
		}
	}
	after := heapInUse()
	per := float64(after-before) / float64(added)
	t.Logf("fingerprint index: %d entries (%d near-duplicates of random fingerprints): %.1f MB heap, %.1f bytes per entry (IDs and canonical URLs of ~55 bytes are copies held only by the index, as in a run)",
		added, n-added, float64(after-before)/1e6, per)
	if per > fpHeapBound {
		t.Errorf("fingerprint index uses %.1f bytes per entry, more than %d", per, fpHeapBound)
	}
	runtime.KeepAlive(x)
	runtime.KeepAlive(ids)
	runtime.KeepAlive(canons)
}

// Bounds of the tests above (bytes per record): measured 55 and 157, with
// room for allocations of other goroutines during the measurement; the
// structures they replaced took 111 and 292.
const (
	guidHeapBound = 90
	fpHeapBound   = 240
)

// TestGUIDIndexMatchesReference drives the compact GUID index and the one it
// replaced (memref_test.go) with the same random polls — link changes,
// GUIDs equal to links, IDs that are not hex, more GUIDs than a source keeps
// — and requires the same kept entries and moves.
func TestGUIDIndexMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 1))
	x, ref := newGUIDIndex(), newRefGUIDIndex()
	sources := []string{"a", "b", "c"}
	mk := func(s string, k int) entry {
		u := fmt.Sprintf("https://%s.example/%d/v%d", s, k, rng.IntN(3))
		id := hex.EncodeToString(func() []byte { h := sha256.Sum256([]byte(u)); return h[:] }())
		g := fmt.Sprintf("guid-%s-%d", s, k)
		switch rng.IntN(20) {
		case 0:
			g = u
		case 1:
			id = "not-hex"
		case 2:
			g = ""
		}
		return entry{art: &article.Article{ID: id, URL: u, CanonicalURL: u}, guid: g}
	}
	moves := 0
	for poll := range 3000 {
		s := sources[rng.IntN(len(sources))]
		var batch []entry
		for range 1 + rng.IntN(30) {
			batch = append(batch, mk(s, rng.IntN(400)))
		}
		kept, mv := x.resolve(s, append([]entry(nil), batch...))
		rkept, rmv := ref.resolve(s, append([]entry(nil), batch...))
		if len(kept) != len(rkept) || len(mv) != len(rmv) {
			t.Fatalf("poll %d: %d kept, %d moves; reference %d, %d", poll, len(kept), len(mv), len(rkept), len(rmv))
		}
		for i := range kept {
			if kept[i].art != rkept[i].art {
				t.Fatalf("poll %d: kept entry %d differs", poll, i)
			}
		}
		for i := range mv {
			if mv[i].id != rmv[i].id || mv[i].newURL != rmv[i].newURL || mv[i].e.art != rmv[i].e.art {
				t.Fatalf("poll %d: move %d = %+v, reference %+v", poll, i, mv[i], rmv[i])
			}
			if rng.IntN(10) < 7 { // the store update succeeded
				x.moved(s, mv[i])
				ref.moved(s, rmv[i])
			}
		}
		moves += len(mv)
	}
	if moves == 0 {
		t.Fatal("no moves exercised")
	}
}

// TestFingerprintIndexMatchesReference does the same for the fingerprint
// index: clustered fingerprints (near-duplicates found), a capacity small
// enough to evict, restored records with several sources, IDs that are not
// hex.
func TestFingerprintIndexMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 2))
	const capacity = 40
	x, ref := newFPIndex(capacity), newRefFPIndex(capacity)
	var bases []uint64
	for i := range 30 {
		bases = append(bases, mix64(uint64(i)))
	}
	id := func() string {
		n := rng.IntN(200)
		if n%17 == 0 {
			return fmt.Sprintf("id-%d", n)
		}
		return memArticleID(n, 0)
	}
	dups := 0
	for op := range 5000 {
		fp := bases[rng.IntN(len(bases))]
		for range rng.IntN(9) {
			fp ^= 1 << rng.IntN(64)
		}
		if rng.IntN(50) == 0 {
			fp = 0
		}
		aid, canon, src := id(), fmt.Sprintf("https://x.example/%d", op), fmt.Sprintf("s%d", rng.IntN(5))
		if rng.IntN(10) == 0 {
			f := store.Fingerprint{ID: aid, FP: fp, Canon: canon, Sources: []string{src, "r1", src, "r2"}}
			x.restore(f)
			ref.restore(f)
			continue
		}
		e, dup := x.lookupOrAdd(fp, aid, canon, src)
		re, rdup := ref.lookupOrAdd(fp, aid, canon, src)
		if dup != rdup || e.fp != re.fp || e.id != re.id || e.canon != re.canon || !slices.Equal(e.sources, re.sources) {
			t.Fatalf("op %d: %v %+v; reference %v %+v", op, dup, e, rdup, re)
		}
		if dup {
			dups++
		}
	}
	if dups < 100 {
		t.Fatalf("only %d near-duplicates exercised", dups)
	}
}

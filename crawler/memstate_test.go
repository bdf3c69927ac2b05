package crawler

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
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

// Bounds of the tests above (bytes per record).
const (
	guidHeapBound = 1000
	fpHeapBound   = 1000
)

package index

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/dongnai/presswatch/article"
	"github.com/prometheus/client_golang/prometheus"
)

// cachedSegments reports how many segments of the facet cache have each of
// the three per-segment caches built.
func cachedSegments(ix *Index) (facets, ids, risk int) {
	ix.facets.mu.Lock()
	defer ix.facets.mu.Unlock()
	for _, f := range ix.facets.segs {
		if f.terms != nil {
			facets++
		}
		if f.rank != nil {
			ids++
		}
		if f.risk != nil {
			risk++
		}
	}
	return facets, ids, risk
}

// TestWarmBuildsSegmentCaches: after a restart, Warm builds the facet,
// ID-order and risk caches of every segment, and a search answers the
// same with them built ahead as it does when it builds them itself.
func TestWarmBuildsSegmentCaches(t *testing.T) {
	dir := t.TempDir() + "/index"
	ix := openTest(t, dir)
	arts := corpus()
	// Three batches, three segments until merges join them.
	for _, batch := range [][]*article.Article{arts[:3], arts[3:5], arts[5:]} {
		if err := ix.IndexArticles(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	req := Request{Query: "Đồng Nai", Sort: "risk", Facets: true, Size: 10}
	want, err := ix.Search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix = openTest(t, dir)
	if f, i, r := cachedSegments(ix); f+i+r != 0 {
		t.Fatalf("a fresh open has caches built: facets %d, ids %d, risk %d", f, i, r)
	}
	n, err := ix.Warm(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("Warm found no segment in an index of seven articles")
	}
	if f, i, r := cachedSegments(ix); f != n || i != n || r != n {
		t.Fatalf("after Warm of %d segments: facets %d, ids %d, risk %d cached", n, f, i, r)
	}
	got, err := ix.Search(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != want.Total || !slices.Equal(hitIDs(got.Hits), hitIDs(want.Hits)) {
		t.Fatalf("warmed search: %d %v, before the restart: %d %v", got.Total, hitIDs(got.Hits), want.Total, hitIDs(want.Hits))
	}
	if len(got.Facets) == 0 || len(got.Facets) != len(want.Facets) {
		t.Fatalf("warmed search facets: %d groups, before the restart %d", len(got.Facets), len(want.Facets))
	}
}

// TestOpenWarmsInBackground: with Options.Warm, Open returns at once and
// the caches are built behind it; Close right after Open stops the warm-up
// and waits for it (the race detector watches the two).
func TestOpenWarmsInBackground(t *testing.T) {
	dir := t.TempDir() + "/index"
	ix := openTest(t, dir)
	if err := ix.IndexArticles(context.Background(), corpus()); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	open := func() *Index {
		ix, err := Open(context.Background(), Options{Dir: dir, Warm: true,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registerer: prometheus.NewRegistry()})
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}

	ix = open()
	<-ix.warmDone
	f, i, r := cachedSegments(ix)
	if f == 0 || f != i || f != r {
		t.Fatalf("after the background warm-up: facets %d, ids %d, risk %d segments cached", f, i, r)
	}
	if _, err := ix.Search(context.Background(), Request{Query: "flood", Facets: true}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	// Closed at once: Close returns only after the warm-up has.
	ix = open()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ix.warmDone:
	default:
		t.Fatal("Close returned before the background warm-up did")
	}
}

// TestWarmNoWarmOption: without Options.Warm nothing is built ahead (an
// indexer-only process keeps its memory for writing).
func TestWarmNoWarmOption(t *testing.T) {
	ix := newTestIndex(t)
	if ix.warmDone != nil {
		t.Fatal("an index opened without Options.Warm started a warm-up")
	}
	if f, i, r := cachedSegments(ix); f+i+r != 0 {
		t.Fatalf("caches built without a search or Warm: facets %d, ids %d, risk %d", f, i, r)
	}
}

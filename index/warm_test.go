package index

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
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

// warmCandidates lists, from the dictionaries themselves, every postings
// list of warmFields long enough for the impact cache, with its length.
func warmCandidates(t *testing.T, ix *Index) map[impactKey]uint64 {
	t.Helper()
	adv, err := ix.bi.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[impactKey]uint64{}
	for _, ss := range r.(*scorch.IndexSnapshot).Segments() {
		for _, field := range warmFields {
			d, err := ss.Segment().Dictionary(field)
			if err != nil {
				t.Fatal(err)
			}
			it := d.AutomatonIterator(nil, nil, nil)
			for e, err := it.Next(); e != nil || err != nil; e, err = it.Next() {
				if err != nil {
					t.Fatal(err)
				}
				if e.Count >= ix.impacts.minPostings {
					out[impactKey{seg: ss.Segment(), field: field, term: e.Term}] = e.Count
				}
			}
		}
	}
	return out
}

// TestWarmReadsLongestImpacts: Warm reads the impacts of the longest
// postings lists first, up to half the cache's bound, without counting
// them as the searches' hits or misses; a search of common words then
// finds them cached and ranks exactly as without the warm-up.
func TestWarmReadsLongestImpacts(t *testing.T) {
	ctx := context.Background()
	ix := openTest(t, t.TempDir()+"/index")
	g := newGenerator(11)
	var arts []*article.Article
	for i := range 600 {
		arts = append(arts, g.article(i))
	}
	// One batch: one segment, which no background merge replaces while
	// the test compares the cache's keys with the dictionaries'.
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	req := Request{Query: "the of and", Size: 20}
	ix.impacts = nil
	want, err := ix.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}

	// An ample bound: every list long enough is read, and only those.
	ix.impacts = newImpactCache(1 << 30)
	ix.impacts.minPostings = 16
	cands := warmCandidates(t, ix)
	if len(cands) < 50 {
		t.Fatalf("only %d postings lists of 16 documents or more: the test corpus is too small", len(cands))
	}
	if _, err := ix.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	ix.impacts.mu.Lock()
	cached := len(ix.impacts.items)
	for key := range ix.impacts.items {
		if _, ok := cands[key]; !ok {
			t.Errorf("Warm cached %s:%q, not a list of %d documents or more", key.field, key.term, ix.impacts.minPostings)
		}
	}
	ix.impacts.mu.Unlock()
	if cached != len(cands) {
		t.Fatalf("Warm cached %d lists, %d are long enough", cached, len(cands))
	}
	if h, m := ix.impacts.counts(); h+m != 0 {
		t.Fatalf("Warm counted %d hits and %d misses; only searches count", h, m)
	}
	got, err := ix.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if h, m := ix.impacts.counts(); h == 0 || m != 0 {
		t.Fatalf("a search of common words after Warm: %d hits, %d misses (want all hits)", h, m)
	}
	if got.Total != want.Total || len(got.Hits) != len(want.Hits) {
		t.Fatalf("after Warm: %d hits of %d, without the cache %d of %d", len(got.Hits), got.Total, len(want.Hits), want.Total)
	}
	for i := range got.Hits {
		if got.Hits[i].ID != want.Hits[i].ID || got.Hits[i].Score != want.Hits[i].Score {
			t.Fatalf("hit %d after Warm: %s %.6f, without the cache %s %.6f", i, got.Hits[i].ID, got.Hits[i].Score, want.Hits[i].ID, want.Hits[i].Score)
		}
	}

	ix.impacts.mu.Lock()
	total := ix.impacts.size // every long list's bytes
	ix.impacts.mu.Unlock()

	// Warm beside searches on a fresh cache: the same answers (the race
	// detector watches the cache's entries built by either).
	ix.impacts = newImpactCache(1 << 30)
	ix.impacts.minPostings = 16
	warmed := make(chan error, 1)
	go func() {
		_, err := ix.Warm(ctx)
		warmed <- err
	}()
	for range 5 {
		again, err := ix.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Hits) != len(want.Hits) || again.Hits[0].ID != want.Hits[0].ID || again.Hits[0].Score != want.Hits[0].Score {
			t.Fatalf("a search beside Warm: first hit %s %.6f of %d, want %s %.6f of %d", again.Hits[0].ID, again.Hits[0].Score, len(again.Hits), want.Hits[0].ID, want.Hits[0].Score, len(want.Hits))
		}
	}
	if err := <-warmed; err != nil {
		t.Fatal(err)
	}

	// A small bound: Warm stops near half of it, and what it read are the
	// longest lists.
	lens := make([]uint64, 0, len(cands))
	for _, n := range cands {
		lens = append(lens, n)
	}
	slices.Sort(lens)
	small := total / 4 // Warm may fill half: an eighth of the lists' bytes
	ix.impacts = newImpactCache(small)
	ix.impacts.minPostings = 16
	if _, err := ix.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	ix.impacts.mu.Lock()
	defer ix.impacts.mu.Unlock()
	size, n := ix.impacts.size, len(ix.impacts.items)
	if n == 0 || n >= len(cands)/2 {
		t.Fatalf("with a bound of a quarter of all lists' bytes Warm cached %d of %d lists", n, len(cands))
	}
	if size > small {
		t.Fatalf("Warm filled %d bytes of a %d-byte cache", size, small)
	}
	median := lens[len(lens)/2]
	for key := range ix.impacts.items {
		if cands[key] < median {
			t.Errorf("Warm read %s:%q (%d documents) before longer lists (median %d)", key.field, key.term, cands[key], median)
		}
	}
	// The longest are the most recently used: the last an eviction takes.
	if front := ix.impacts.lru.Front().Value.(*impactList).key; cands[front] != lens[len(lens)-1] {
		t.Errorf("the most recently used entry after Warm is %s:%q (%d documents), not the longest list (%d)", front.field, front.term, cands[front], lens[len(lens)-1])
	}
	shortest := lens[len(lens)-1]
	for key := range ix.impacts.items {
		shortest = min(shortest, cands[key])
	}
	if back := ix.impacts.lru.Back().Value.(*impactList).key; cands[back] != shortest {
		t.Errorf("the least recently used entry after Warm is %s:%q (%d documents), not one of the shortest read (%d)", back.field, back.term, cands[back], shortest)
	}
	if longest := lens[len(lens)-1]; !slices.ContainsFunc(slices.Collect(maps.Keys(ix.impacts.items)), func(k impactKey) bool { return cands[k] == longest }) {
		t.Fatalf("the longest list (%d documents) was not read", longest)
	}
}

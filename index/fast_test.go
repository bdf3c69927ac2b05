package index

import (
	"context"
	"math"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
)

// fastAndBleve returns one index of n synthetic articles (several segments,
// some documents replaced and deleted) searched by the bitmap path, and the
// same index with every search sent through Bleve, counting facets exactly.
func fastAndBleve(t *testing.T, n int) (fast, slow *Index) {
	t.Helper()
	return fastAndBleveSized(t, n, 2500)
}

// fastAndBleveSized is fastAndBleve with articles of textLen bytes of text.
func fastAndBleveSized(t *testing.T, n, textLen int) (fast, slow *Index) {
	t.Helper()
	ctx := context.Background()
	ix, err := Open(ctx, Options{Dir: t.TempDir() + "/ix", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	g := newGenerator(7)
	g.random = true
	g.textLen = textLen
	arts := make([]*article.Article, n)
	for i := range arts {
		arts[i] = g.article(i)
	}
	batch := max(400, n/30)
	for lo := 0; lo < n; lo += batch { // one segment per batch, before merges
		if err := ix.IndexArticles(ctx, arts[lo:min(lo+batch, n)]); err != nil {
			t.Fatal(err)
		}
	}
	// Replace some (the old versions become deleted documents) and delete some.
	var again []*article.Article
	var gone []string
	for i := 0; i < n; i += 37 {
		a := *arts[i]
		a.Title = "Replaced " + a.Title
		again = append(again, &a)
		if i+5 < n {
			gone = append(gone, arts[i+5].ID)
		}
	}
	if err := ix.IndexArticles(ctx, again); err != nil {
		t.Fatal(err)
	}
	if err := ix.DeleteArticles(ctx, gone); err != nil {
		t.Fatal(err)
	}
	slowIx := &Index{bi: ix.bi, dir: ix.dir, log: ix.log, metrics: ix.metrics, versionS: ix.versionS,
		exactFacetMax: math.MaxInt, noFast: true}
	return ix, slowIx
}

func TestFastPathAgreesWithBleve(t *testing.T) {
	fast, slow := fastAndBleve(t, 2400)
	ctx := context.Background()
	// Half the queries read impacts from the cache (every postings list
	// qualifies), half decode them each time.
	cached := &Index{bi: fast.bi, dir: fast.dir, log: fast.log, metrics: fast.metrics, versionS: fast.versionS,
		exactFacetMax: fast.exactFacetMax, impacts: newImpactCache(1 << 20)}
	cached.impacts.minPostings = 1
	fast.impacts = nil
	since := genBase.Add(100*24*time.Hour + 7*time.Hour) // not on a day boundary
	until := since.Add(200*24*time.Hour + 13*time.Hour)
	queries := []string{
		"", "dong nai", "Đồng Nai", "đồng", "factory workers", "workers", "worker", "the",
		"nhà máy", "police OR arrest", "factory NOT workers", "NOT factory", "lang:vi",
		"country:us factory", "outlet:reuters", `outlet:"BBC Tiếng Việt"`, "topic:investment",
		"tone:negative AND flood", "needs_review:false", "(coffee OR pepper) AND NOT lang:en",
		"replaced", "zzznothing", "title:factory",
		`"dong nai"`, `"Đồng Nai" AND lang:vi`, `"nhà máy" OR "khu công"`, `title:"factory workers"`,
		`NOT "the province"`, `"the of"`, "同奈", `"동나이"`, "ドンナイ OR 省", "Đồng-Nai", "title:同奈",
	}
	type variant struct {
		name string
		mod  func(*Request)
	}
	variants := []variant{
		{"relevance", func(*Request) {}},
		{"newest", func(r *Request) { r.Sort = SortNewest }},
		{"oldest", func(r *Request) { r.Sort = SortOldest; r.From = 3 }},
		{"range-newest", func(r *Request) { r.Since, r.Until, r.Sort = since, until, SortNewest }},
		{"since-only", func(r *Request) { r.Since = since }},
		{"until-only", func(r *Request) { r.Until = until; r.Sort = SortOldest }},
		{"risk", func(r *Request) { r.Sort = SortRisk }},
		{"risk-range-page", func(r *Request) { r.Since, r.Until, r.Sort, r.From = since, until, SortRisk, 5 }},
		{"filters", func(r *Request) {
			r.Filters = map[string][]string{"lang": {"en", "vi"}, "topic": {"labour", "industry"}}
			r.Sort = SortNewest
		}},
	}
	for _, q := range queries {
		for _, v := range variants {
			r := Request{Query: q, Facets: true, Size: 30}
			v.mod(&r)
			c, err := fast.compile(r)
			if err != nil {
				t.Fatalf("%q %s: %v", q, v.name, err)
			}
			if c.fast == nil {
				t.Errorf("%q %s: not planned for the bitmap path", q, v.name)
				continue
			}
			got, err := fast.Search(ctx, r)
			if err != nil {
				t.Fatalf("%q %s: %v", q, v.name, err)
			}
			for pass := 0; pass < 2; pass++ { // a miss, then a hit
				fromCache, err := cached.Search(ctx, r)
				if err != nil {
					t.Fatalf("%q %s: %v", q, v.name, err)
				}
				if !slices.Equal(hitIDs(fromCache.Hits), hitIDs(got.Hits)) || fromCache.Total != got.Total {
					t.Errorf("%q %s: with cached impacts (pass %d) the hits differ\n cached %v\n read   %v", q, v.name, pass, hitIDs(fromCache.Hits), hitIDs(got.Hits))
				}
			}
			want, err := slow.Search(ctx, r)
			if err != nil {
				t.Fatalf("%q %s: %v", q, v.name, err)
			}
			if got.Total != want.Total {
				t.Errorf("%q %s: total %d, Bleve %d", q, v.name, got.Total, want.Total)
				continue
			}
			if !reflect.DeepEqual(got.Facets, want.Facets) {
				t.Errorf("%q %s: facets differ\n fast  %v\n bleve %v", q, v.name, got.Facets, want.Facets)
			}
			if !reflect.DeepEqual(got.Histogram, want.Histogram) {
				t.Errorf("%q %s: histogram differs (%d and %d days)", q, v.name, len(got.Histogram), len(want.Histogram))
			}
			if r.Sort != "" {
				if !slices.Equal(hitIDs(got.Hits), hitIDs(want.Hits)) {
					t.Errorf("%q %s: date order differs\n fast  %v\n bleve %v", q, v.name, hitIDs(got.Hits), hitIDs(want.Hits))
				}
				continue
			}
			// Relevance: scores differ in scale, so compare the sets of all
			// hits and that the fast path's scores do not increase.
			if got.Total <= MaxSize {
				r.Size = MaxSize
				all, err := fast.Search(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				wantAll, err := slow.Search(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				if a, b := sortedIDs(all.Hits), sortedIDs(wantAll.Hits); !slices.Equal(a, b) {
					t.Errorf("%q %s: hit sets differ (%d and %d)", q, v.name, len(a), len(b))
				}
			}
			if len(c.phrase) == 0 {
				for i := 1; i < len(got.Hits); i++ {
					if got.Hits[i].Score > got.Hits[i-1].Score {
						t.Errorf("%q: hit %d scores %v after %v", q, i, got.Hits[i].Score, got.Hits[i-1].Score)
					}
				}
			}
		}
	}
	// Export uses the same path, so the same order, as the hit list.
	for _, q := range []string{"dong nai", "workers", "lang:vi", "", `"nhà máy"`, "同奈"} {
		for _, sortBy := range []string{SortRelevance, SortNewest, SortOldest, SortRisk} {
			exportMatchesSearch(t, fast, Request{Query: q, Sort: sortBy})
		}
	}
}

// exportMatchesSearch checks that Export lists the hits of r in the order
// Search pages through them.
func exportMatchesSearch(t *testing.T, ix *Index, r Request) {
	t.Helper()
	ctx := context.Background()
	var exported []string
	if err := ix.Export(ctx, r, func(h Hit) error { exported = append(exported, h.ID); return nil }); err != nil {
		t.Fatalf("export %q: %v", r.Query, err)
	}
	var searched []string
	for r.From = 0; r.From < len(exported) && r.From <= MaxFrom; r.From += MaxSize {
		r.Size = MaxSize
		res, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatalf("search %q: %v", r.Query, err)
		}
		searched = append(searched, hitIDs(res.Hits)...)
		if uint64(len(exported)) != res.Total {
			t.Fatalf("export %q sort %q: %d hits, total %d", r.Query, r.Sort, len(exported), res.Total)
		}
	}
	if !slices.Equal(exported[:len(searched)], searched) {
		t.Errorf("export %q sort %q: order differs from the hit list", r.Query, r.Sort)
	}
}

// The impact cache stays within its budget and serves repeated words.
func TestImpactCacheBounded(t *testing.T) {
	fast, _ := fastAndBleve(t, 2400)
	fast.impacts = newImpactCache(64 << 10)
	fast.impacts.minPostings = 1
	ctx := context.Background()
	for _, q := range []string{"the", "of", "factory", "workers", "dong nai", "the", "police OR arrest", "the"} {
		if _, err := fast.Search(ctx, Request{Query: q}); err != nil {
			t.Fatal(err)
		}
		c := fast.impacts
		c.mu.Lock()
		size, n, max := c.size, c.lru.Len(), c.max
		var sum int64
		for e := c.lru.Front(); e != nil; e = e.Next() {
			sum += e.Value.(*impactList).bytes()
		}
		c.mu.Unlock()
		if size != sum || len(c.items) != n {
			t.Fatalf("%q: size %d, entries add up to %d; %d items, %d in the list", q, size, sum, len(c.items), n)
		}
		if size > max && n > 1 {
			t.Fatalf("%q: cache holds %d bytes in %d entries, over its %d", q, size, n, max)
		}
	}
	if fast.impacts.hits == 0 || fast.impacts.miss == 0 {
		t.Errorf("hits %d, misses %d: a repeated word should hit", fast.impacts.hits, fast.impacts.miss)
	}
}

func hitIDs(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func sortedIDs(hs []Hit) []string {
	out := hitIDs(hs)
	sort.Strings(out)
	return out
}

// Queries the bitmap path cannot answer go to Bleve and still work.
func TestFastPathFallsBack(t *testing.T) {
	fast, _ := fastAndBleve(t, 400)
	ctx := context.Background()
	// NEAR of words is the bitmap path's since stop 24, with prefix operands
	// since stop 25, except a phrase ending in a prefix past NEAR/16.
	for _, q := range []string{"factor*", "risk>=10", "dong-factor* NEAR/40 workers"} {
		c, err := fast.compile(Request{Query: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if c.fast != nil {
			t.Errorf("%q: planned for the bitmap path, which cannot answer it", q)
		}
		if _, err := fast.Search(ctx, Request{Query: q, Facets: true}); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
}

// Relevance ranks the documents that use a word more, in shorter texts,
// first; and exact Vietnamese diacritics before folded matches.
func TestFastRelevanceOrder(t *testing.T) {
	ctx := context.Background()
	ix, err := Open(ctx, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	pub := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(id, lang, text string) *article.Article {
		return &article.Article{ID: id, URL: "https://x.example/" + id, Lang: lang, Title: "t " + id, Text: text, Published: pub}
	}
	arts := []*article.Article{
		mk("once", "en", "flood in the long long long long long long text about many other things entirely"),
		mk("thrice", "en", "flood flood flood here"),
		mk("none", "en", "nothing relevant"),
		mk("folded", "vi", "dong nai co mua"),
		mk("exact", "vi", "Đồng Nai có mưa"),
	}
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(ctx, Request{Query: "flood"})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(res.Hits); !slices.Equal(got, []string{"thrice", "once"}) {
		t.Errorf("flood: %v", got)
	}
	res, err = ix.Search(ctx, Request{Query: "đồng"})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(res.Hits); !slices.Equal(got, []string{"exact", "folded"}) {
		t.Errorf("đồng: %v", got)
	}
}

// Quantised impacts keep their order and stay within 0.1 % of the value.
func TestQuantImpact(t *testing.T) {
	prev := uint16(0)
	for v := 1e-4; v < 1e4; v *= 1.0007 {
		q := quantImpact(v)
		if q < prev {
			t.Fatalf("quantImpact(%g) = %d, below %d for a smaller value", v, q, prev)
		}
		prev = q
		if got := float64(impactTable[q]); math.Abs(got-v)/v > 1e-3 {
			t.Fatalf("impact %g comes back as %g", v, got)
		}
	}
	if quantImpact(0) != 0 || quantImpact(-1) != 0 {
		t.Error("zero and negative impacts should be 0")
	}
}

// Searches run while batches are indexed and segments merge: every search
// sees a consistent snapshot (totals never go down while articles are only
// added) and nothing fails.
func TestFastPathWhileIndexing(t *testing.T) {
	ctx := context.Background()
	ix, err := Open(ctx, Options{Dir: t.TempDir() + "/ix", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	g := newGenerator(11)
	done := make(chan error, 1)
	go func() {
		for b := 0; b < 30; b++ {
			arts := make([]*article.Article, 100)
			for i := range arts {
				arts[i] = g.article(b*100 + i)
			}
			if err := ix.IndexArticles(ctx, arts); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var last uint64
	queries := []Request{
		{Query: "the", Facets: true},
		{Query: "dong nai", Sort: SortNewest, Facets: true},
		{Query: `"dong nai"`},
	}
	for i := 0; ; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			res, err := ix.Search(ctx, Request{})
			if err != nil || res.Total != 3000 {
				t.Fatalf("after indexing: total %v, err %v", res, err)
			}
			return
		default:
		}
		r := queries[i%len(queries)]
		res, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatalf("%q while indexing: %v", r.Query, err)
		}
		all, err := ix.Search(ctx, Request{Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		if all.Total < last {
			t.Fatalf("total went down from %d to %d", last, all.Total)
		}
		last = all.Total
		if len(res.Hits) > 0 && res.Hits[0].ID == "" {
			t.Fatalf("%q: a hit without an ID", r.Query)
		}
	}
}

// TestPhraseRangesAgree: a phrase in a segment larger than one range is read
// by several goroutines at once (readPhrase). They must not share a segment
// dictionary (zap's is not safe for concurrent use: a 1M-document index
// crashed in vellum), and together they must find what Bleve finds. Ranges
// of 97 documents stand in for the 131,072 of a large index.
func TestPhraseRangesAgree(t *testing.T) {
	defer func(u uint64) { phraseRange = u }(phraseRange)
	phraseRange = 97
	fast, slow := fastAndBleve(t, 2400)
	fast.impacts = nil
	ctx := context.Background()
	for _, q := range []string{`"dong nai"`, `"Đồng Nai" AND lang:vi`, `"nhà máy" OR "khu công"`, `"the of"`,
		`title:"factory workers"`, `NOT "the province"`, `"factory workers"`} {
		r := Request{Query: q, Size: 30, Sort: SortNewest} // relevance is scored differently by design
		got, err := fast.Search(ctx, r)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		want, err := slow.Search(ctx, r)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if got.Total != want.Total || !slices.Equal(hitIDs(got.Hits), hitIDs(want.Hits)) {
			t.Errorf("%q: %d hits %v, Bleve %d %v", q, got.Total, hitIDs(got.Hits), want.Total, hitIDs(want.Hits))
		}
	}
}

package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// genQueries makes n distinct queries over the generator's vocabulary:
// single words (English, Vietnamese with and without diacritics), pairs,
// OR, NOT, quoted words and phrases, CJK words, title: and keyword fields,
// in proportions like an analyst's.
func genQueries(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, 0xa9ee))
	g := newGenerator(seed)
	en := func() string { return g.word(g.en[:400]) }
	vi := func() string { return g.word(g.vi[:300]) }
	cjk := func() string {
		r := []rune(cjkText[rng.IntN(len(cjkText))])
		i := rng.IntN(len(r) - 4)
		return string(r[i : i+1+rng.IntN(4)])
	}
	fields := []string{"lang:en", "lang:vi", "country:us", "country:gb", "topic:labour", "topic:investment",
		"tone:negative", "needs_review:false", `outlet:"BBC Tiếng Việt"`, "outlet:reuters"}
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var q string
		switch rng.IntN(14) {
		case 0, 1:
			q = en()
		case 2:
			q = vi()
		case 3:
			q = en() + " " + en()
		case 4:
			q = vi() + " " + vi()
		case 5:
			q = en() + " OR " + en()
		case 6:
			q = en() + " NOT " + en()
		case 7:
			q = `"` + en() + `"`
		case 8:
			q = `"` + vi() + " " + vi() + `"`
		case 9:
			q = cjk()
		case 10:
			q = "title:" + en()
		case 11:
			q = fields[rng.IntN(len(fields))] + " " + en()
		case 12:
			q = "(" + en() + " OR " + vi() + ") AND NOT " + fields[rng.IntN(len(fields))]
		case 13:
			q = strings.ToUpper(en()) + " " + cjk()
		}
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	return out
}

// TestFastPathAgreesWithBleveLarge is the agreement test at scale:
// PRESSWATCH_AGREE_N articles (default 30,000) in many segments, with
// replaced and deleted documents, and PRESSWATCH_AGREE_QUERIES generated
// queries (default 520), each in one of several variants. Both paths must
// give the same totals, facets and histogram; date orders must be the same
// top k, hit for hit (ties by ID on both paths). Relevance is answered by
// the bitmap path alone (Bleve's relevance path is retired for these
// queries, docs/index.md): its top k must be identical with and without
// the impact cache, and the same again when searched a second time while
// the index may have merged segments in the background.
func TestFastPathAgreesWithBleveLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 30,000-article index")
	}
	n := envInt("PRESSWATCH_AGREE_N", 30000)
	nq := envInt("PRESSWATCH_AGREE_QUERIES", 520)
	start := time.Now()
	// Articles of 600 bytes: the build is most of the test's time, and
	// what is compared depends on the number of articles and segments.
	fast, slow := fastAndBleveSized(t, n, envInt("PRESSWATCH_AGREE_TEXT", 600))
	built := time.Since(start)
	cached := &Index{bi: fast.bi, dir: fast.dir, log: fast.log, metrics: fast.metrics, versionS: fast.versionS,
		exactFacetMax: fast.exactFacetMax, impacts: newImpactCache(16 << 20)}
	fast.impacts = nil
	ctx := context.Background()
	since := genBase.Add(200*24*time.Hour + 5*time.Hour)
	until := since.Add(90*24*time.Hour + 11*time.Hour)
	variants := []func(*Request){
		func(*Request) {},
		func(r *Request) { r.Sort = SortNewest },
		func(r *Request) { r.Sort = SortOldest; r.From = 7 },
		func(r *Request) { r.Since, r.Until, r.Sort = since, until, SortNewest },
		func(r *Request) { r.Since = since },
		func(r *Request) { r.Filters = map[string][]string{"lang": {"en", "vi"}}; r.Sort = SortNewest },
		func(r *Request) { r.From = 20 },
		func(r *Request) { r.Sort = SortRisk },
		func(r *Request) { r.Since, r.Until, r.Sort, r.From = since, until, SortRisk, 20 },
	}
	var orderChecked, relChecked int
	for i, q := range genQueries(11, nq) {
		r := Request{Query: q, Facets: true, Size: 20}
		variants[i%len(variants)](&r)
		name := fmt.Sprintf("%q (variant %d)", q, i%len(variants))
		c, err := fast.compile(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.fast == nil {
			t.Errorf("%s: not planned for the bitmap path", name)
			continue
		}
		got, err := fast.Search(ctx, r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := slow.Search(ctx, r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Total != want.Total {
			t.Errorf("%s: total %d, Bleve %d", name, got.Total, want.Total)
			continue
		}
		if !reflect.DeepEqual(got.Facets, want.Facets) {
			t.Errorf("%s: facets differ\n fast  %v\n bleve %v", name, got.Facets, want.Facets)
		}
		if !reflect.DeepEqual(got.Histogram, want.Histogram) {
			t.Errorf("%s: histogram differs (%d and %d days)", name, len(got.Histogram), len(want.Histogram))
		}
		if r.Sort != "" {
			orderChecked++
			if !slices.Equal(hitIDs(got.Hits), hitIDs(want.Hits)) {
				t.Errorf("%s: top %d differ\n fast  %v\n bleve %v", name, r.Size, hitIDs(got.Hits), hitIDs(want.Hits))
			}
			continue
		}
		relChecked++
		for pass := 0; pass < 2; pass++ {
			again, err := cached.Search(ctx, r)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !slices.Equal(hitIDs(again.Hits), hitIDs(got.Hits)) {
				t.Errorf("%s: relevance top %d differs with cached impacts (pass %d)\n cached %v\n read   %v",
					name, r.Size, pass, hitIDs(again.Hits), hitIDs(got.Hits))
			}
		}
	}
	t.Logf("%d articles built in %v; %d queries (%d date orders compared with Bleve, %d relevance orders across impact paths) in %v",
		n, built.Round(time.Second), nq, orderChecked, relChecked, (time.Since(start) - built).Round(time.Second))
}

package index

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
)

// TestDateBasisCollected: with DateBasis collected, Since and Until bound
// the collection time (the reports' basis), not the publication time; an
// article published long before it was collected counts on the day it was
// collected. Both the bitmap path and Bleve's path agree.
func TestDateBasisCollected(t *testing.T) {
	arts := corpus()
	// Published a week before it was found: in the collected window only.
	arts = append(arts, &article.Article{ID: "late", URL: "https://late.example/1", Source: "wire", Outlet: "Reuters", Country: "GB", Lang: "en",
		Title: "Dong Nai factory strike ends", Text: "Workers at a Dong Nai factory returned after a strike.",
		Published: day("2026-10-25"), Collected: day("2026-11-03"),
		Classification: &article.Classification{Mentions: true, Topics: []string{"industry"}, Tone: "neutral", Risk: 20}})
	ctx := context.Background()
	for _, noFast := range []bool{false, true} {
		ix := openTest(t, t.TempDir()+"/index")
		ix.noFast = noFast
		if err := ix.IndexArticles(ctx, arts); err != nil {
			t.Fatal(err)
		}
		since, until := day("2026-11-03").Add(-8*time.Hour), day("2026-11-04").Add(-8*time.Hour) // the UTC day 11-03
		search := func(basis string, rel []string) []string {
			t.Helper()
			r := Request{Since: since, Until: until, DateBasis: basis, Size: 50, Facets: true}
			if rel != nil {
				r.Filters = map[string][]string{"relevance": rel}
			}
			res, err := ix.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if int(res.Total) != len(res.Hits) {
				t.Fatalf("total %d, %d hits", res.Total, len(res.Hits))
			}
			return ids(res)
		}
		if got, want := search(DatePublished, nil), []string{"en1", "zh1"}; !slices.Equal(got, want) {
			t.Errorf("noFast=%v published on 11-03 = %v, want %v", noFast, got, want)
		}
		if got, want := search(DateCollected, nil), []string{"en1", "late", "zh1"}; !slices.Equal(got, want) {
			t.Errorf("noFast=%v collected on 11-03 = %v, want %v", noFast, got, want)
		}
		// The reports' scope: about or mentions the province.
		if got, want := search(DateCollected, []string{"about", "mentions"}), []string{"en1", "late", "zh1"}; !slices.Equal(got, want) {
			t.Errorf("noFast=%v collected, about|mentions = %v, want %v", noFast, got, want)
		}
		if got, want := search(DateCollected, []string{"about"}), []string{"en1", "zh1"}; !slices.Equal(got, want) {
			t.Errorf("noFast=%v collected, about = %v, want %v", noFast, got, want)
		}
	}
	ix := openTest(t, t.TempDir()+"/index")
	if _, err := ix.Search(ctx, Request{DateBasis: "modified"}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("unknown date basis: %v, want ErrBadRequest", err)
	}
}

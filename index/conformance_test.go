package index

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm/textnormtest"
	"github.com/dongnai/presswatch/query"
)

// TestConformance runs the conformance table (internal/textnorm/textnormtest)
// through the bitmap path, Bleve's path and the alert-rule evaluator
// (query.Document as alerts builds it): every row must find exactly its
// articles on all three.
func TestConformance(t *testing.T) {
	ctx := context.Background()
	ix, err := Open(ctx, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	slow := &Index{bi: ix.bi, dir: ix.dir, log: ix.log, metrics: ix.metrics, versionS: ix.versionS,
		exactFacetMax: math.MaxInt, noFast: true}
	pub := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var arts []*article.Article
	docs := map[string]*query.Document{}
	for _, a := range textnormtest.Articles {
		arts = append(arts, &article.Article{ID: a.ID, URL: "https://x.example/" + a.ID, Lang: a.Lang,
			Title: a.Title, Text: a.Text, Published: pub})
		d := query.NewDocument()
		d.AddTextLang("title", a.Title, a.Lang, true)
		d.AddTextLang("text", a.Text, a.Lang, true)
		docs[a.ID] = d
	}
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	for _, row := range textnormtest.Rows {
		t.Run(row.Query, func(t *testing.T) {
			want := slices.Clone(row.Want)
			slices.Sort(want)
			c, err := ix.compile(Request{Query: row.Query})
			if err != nil {
				t.Fatal(err)
			}
			if c.fast == nil {
				t.Errorf("not planned for the bitmap path")
			}
			for _, p := range []struct {
				name string
				ix   *Index
			}{{"bitmap path", ix}, {"Bleve path", slow}} {
				res, err := p.ix.Search(ctx, Request{Query: row.Query, Size: MaxSize})
				if err != nil {
					t.Fatalf("%s: %v", p.name, err)
				}
				if got := sortedIDs(res.Hits); !slices.Equal(got, want) && (len(got) > 0 || len(want) > 0) {
					t.Errorf("%s finds %v, want %v (%s)", p.name, got, want, row.Why)
				}
			}
			n, err := query.Parse(row.Query)
			if err != nil {
				t.Fatal(err)
			}
			pq := query.Prepare(n)
			var got []string
			for _, a := range textnormtest.Articles {
				if pq.Match(docs[a.ID]) {
					got = append(got, a.ID)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("rule evaluator finds %v, want %v (%s)", got, want, row.Why)
			}
		})
	}
}

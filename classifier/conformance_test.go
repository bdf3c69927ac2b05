package classifier

import (
	"slices"
	"testing"

	"github.com/dongnai/presswatch/internal/textnorm/textnormtest"
	"github.com/dongnai/presswatch/query"
)

// TestConformance runs the analysis conformance table against the document
// topic rules, narratives and facts are matched on: it must find exactly
// what search finds (index.TestConformance runs the same table).
func TestConformance(t *testing.T) {
	for _, row := range textnormtest.Rows {
		n, err := query.Parse(row.Query)
		if err != nil {
			t.Fatalf("%q: %v", row.Query, err)
		}
		pq := query.Prepare(n)
		var got []string
		for _, a := range textnormtest.Articles {
			if pq.Match(newTokDoc(a.Title, "\n\n"+a.Text, a.Lang == "en")) {
				got = append(got, a.ID)
			}
		}
		slices.Sort(got)
		want := slices.Clone(row.Want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%q: topic rules find %v, want %v (%s)", row.Query, got, want, row.Why)
		}
	}
}

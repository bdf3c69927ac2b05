package index

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/dongnai/presswatch/article"
)

// TestNearBitmapAgreesWithBleve: NEAR is answered on the bitmap path
// (readNear) since a reviewer's NEAR chains of common words held a server
// for minutes in Bleve's gapped phrases. On 2,000 realistic articles, NEAR
// queries built from their commonest words (two and three operands,
// phrases as operands, distances 1 to 16 and past nearPhraseMax) must find
// exactly the articles Bleve's path finds.
func TestNearBitmapAgreesWithBleve(t *testing.T) {
	files := realCorpusFiles()
	if files == nil {
		t.Skip("PRESSWATCH_TESTDATA unset or without corpus/dev.jsonl: the realistic corpus learns from it")
	}
	const n = 2000
	g, err := newRealGen(files, 1, n)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ix, err := Open(ctx, Options{Dir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	qs := makeRealQueries(g, n, 200)
	if _, err := computeTruth(ctx, g, qs, n, func(_ int, arts []*article.Article) error { return ix.IndexArticles(ctx, arts) }); err != nil {
		t.Fatal(err)
	}
	slow := &Index{bi: ix.bi, dir: ix.dir, log: ix.log, metrics: ix.metrics, versionS: ix.versionS,
		exactFacetMax: math.MaxInt, noFast: true, searchTimeout: DefaultSearchTimeout}
	// Words and phrases of the generated queries: common words of several
	// languages, as analysts type them. Two-word phrases give pairs of
	// words that do occur near each other.
	var words []string
	var pairs [][2]string
	for _, q := range qs.Queries {
		for _, c := range q.Clauses {
			switch {
			case len(c.Terms) == 1:
				words = append(words, c.Terms[0])
			case len(c.Terms) == 2 && slices.Equal(c.Rel, []int{0, 1}):
				pairs = append(pairs, [2]string{c.Terms[0], c.Terms[1]})
			}
		}
	}
	if len(words) < 20 || len(pairs) < 20 {
		t.Fatalf("only %d words and %d word pairs to build queries from", len(words), len(pairs))
	}
	var queries []string
	for i := 0; i < 20; i++ {
		a, b, w := pairs[i][0], pairs[i][1], words[i]
		d := []int{0, 1, 2, 5, 16, 40}[i%6]
		queries = append(queries,
			fmt.Sprintf("%s NEAR/%d %s", a, d, b),
			fmt.Sprintf("%s NEAR/%d %s", b, d+3, a),
			fmt.Sprintf("%s NEAR/%d %s NEAR/%d %s", a, d+8, b, d+8, w),
			fmt.Sprintf("%q NEAR/%d %s", a+" "+b, 2+i%12, w),
			fmt.Sprintf("%q NEAR/%d %q", a+" "+b, 1+i%4, pairs[i+1][0]+" "+pairs[i+1][1]))
	}
	// Operands ending in a prefix: the bitmap path reads the positions of
	// the terms the prefix expands to (the same ones the translator uses).
	prefix := func(w string) string {
		r := []rune(w)
		if len(r) >= 4 {
			r = r[:3]
		}
		return string(r) + "*"
	}
	for i := 0; i < 20; i++ {
		a, b, w := pairs[i][0], pairs[i][1], words[i]
		d := []int{0, 1, 2, 5, 16, 40}[i%6]
		queries = append(queries,
			fmt.Sprintf("%s NEAR/%d %s", prefix(a), d, b),
			fmt.Sprintf("%s NEAR/%d %s", a, d+2, prefix(w)),
			fmt.Sprintf("%s NEAR/%d %s NEAR/%d %s", prefix(a), d+4, prefix(b), d+4, w))
	}
	queries = append(queries, `"dong nai" NEAR/5 tinh`, `dong NEAR/1 nai`, `nai NEAR/1 dong`, `title:dong NEAR/2 title:nai`,
		`dong-na* NEAR/4 tinh`, `"dong nai" NEAR/3 tin*`, `ng* NEAR/2 nai`)
	nonzero := 0
	for _, q := range queries {
		c, err := ix.compile(Request{Query: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if c.fast == nil {
			t.Errorf("%q: not planned for the bitmap path", q)
			continue
		}
		var got [2][]string
		var total [2]uint64
		for k, x := range []*Index{ix, slow} {
			res, err := x.Search(ctx, Request{Query: q, Size: MaxSize, Sort: SortNewest})
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			total[k] = res.Total
			for _, h := range res.Hits {
				got[k] = append(got[k], h.ID)
			}
			slices.Sort(got[k])
		}
		if total[0] != total[1] || !slices.Equal(got[0], got[1]) {
			t.Errorf("%q: bitmap path %d articles, Bleve %d", q, total[0], total[1])
		}
		if total[1] > 0 {
			nonzero++
		}
	}
	if nonzero < len(queries)/3 {
		t.Errorf("only %d of %d NEAR queries found anything: the comparison says little", nonzero, len(queries))
	}
}

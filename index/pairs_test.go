package index

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm"
)

func TestPairTerms(t *testing.T) {
	for _, w := range []string{"dong", "nai", "the", "of", "in", "province"} {
		if !isPairWord(w) {
			t.Fatalf("%q is not a pair word; pairwords.txt changed?", w)
		}
	}
	if isPairWord("zzzq") || isPairWord("") {
		t.Fatal("a word outside pairwords.txt is a pair word")
	}
	texts := func(ts []textnorm.Term) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Text)
		}
		return out
	}
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Đồng Nai", []string{"dong nai"}},
		// A rare word breaks the chain; pairs are ordered by position.
		{"The province of Zzzq in Đồng Nai", []string{"the province", "province of", "in dong", "dong nai"}},
		// No pair across the gap between two parts.
		{"Tỉnh Đồng" + partSep + "Nai", []string{"tinh dong"}},
		// CJK terms are not pair words.
		{"同奈省 dong nai", []string{"dong nai"}},
		{"zzzq", nil},
	} {
		if got := texts(termsPair(c.in)); !slices.Equal(got, c.want) {
			t.Errorf("termsPair(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		toks  []string
		offs  []int
		pairs []string
		exact bool
	}{
		{[]string{"dong", "nai"}, []int{0, 1}, []string{"dong nai"}, true},
		{[]string{"in", "dong", "nai"}, []int{0, 1, 2}, []string{"in dong", "dong nai"}, false},
		{[]string{"dong", "zzzq", "nai"}, []int{0, 1, 2}, nil, false},
		{[]string{"dong", "nai"}, []int{0, 2}, nil, false}, // a gap in the query ("any term")
		{[]string{"zzzq", "nai"}, []int{0, 1}, nil, false},
	} {
		pairs, exact := phrasePairs(c.toks, c.offs)
		if !slices.Equal(pairs, c.pairs) || exact != c.exact {
			t.Errorf("phrasePairs(%q, %v) = %q, %v; want %q, %v", c.toks, c.offs, pairs, exact, c.pairs, c.exact)
		}
	}
}

// TestPairsDecidePhrases checks phrases of common words, which the bitmap
// path answers from text_pair, against Bleve's phrase search, which reads
// positions, and against the documents that do hold each phrase.
func TestPairsDecidePhrases(t *testing.T) {
	ctx := context.Background()
	ix, err := Open(ctx, Options{Dir: t.TempDir() + "/ix", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	docs := []struct{ id, lang, title, text string }{
		{"adjacent", "en", "Floods", "Rain fell in Dong Nai province all week."},
		{"diacritics", "vi", "Mưa lớn", "Mưa lớn ở Đồng Nai kéo dài."},
		{"reversed", "en", "Notes", "The nai dong order is reversed here."},
		{"apart", "en", "Notes", "Dong is a word and nai is another."},
		{"across-parts", "en", "A visit to Dong", "Nai is where the text begins."},
		{"pairs-not-chain", "en", "Notes", "They live in Dong town, and Dong Nai is far."},
		{"chain", "en", "Notes", "They live in Dong Nai province."},
		{"rare-middle", "en", "Notes", "Dong Zzzq Nai is not the name."},
		{"cjk", "zh", "同奈省", "同奈省 dong nai 的新闻"},
		// Written with diacritics: words with diacritics match as spelled.
		{"vi-spelled", "vi", "Tin tức", "Tin tức tỉnh Đồng Nai hôm nay."},
		{"vi-other-spelling", "vi", "Tin tức", "Ở Đông Nai có mưa, tỉnh đồng bằng."},
		{"vi-plain", "vi", "Tin tuc", "Tin tuc tinh Dong Nai hom nay."},
	}
	var arts []*article.Article
	for i, d := range docs {
		arts = append(arts, &article.Article{ID: d.id, Lang: d.lang, Title: d.title, Text: d.text, Published: at.Add(time.Duration(i) * time.Hour)})
	}
	// Two batches: two segments.
	if err := ix.IndexArticles(ctx, arts[:4]); err != nil {
		t.Fatal(err)
	}
	if err := ix.IndexArticles(ctx, arts[4:]); err != nil {
		t.Fatal(err)
	}
	slow := &Index{bi: ix.bi, dir: ix.dir, log: ix.log, metrics: ix.metrics, versionS: ix.versionS,
		exactFacetMax: math.MaxInt, noFast: true}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{`"dong nai"`, []string{"adjacent", "diacritics", "pairs-not-chain", "chain", "cjk", "vi-spelled", "vi-other-spelling", "vi-plain"}},
		{`"Đồng Nai"`, []string{"adjacent", "diacritics", "pairs-not-chain", "chain", "cjk", "vi-spelled", "vi-plain"}},
		{`"tỉnh Đồng Nai"`, []string{"vi-spelled", "vi-plain"}},
		{`"Đông Nai"`, []string{"adjacent", "pairs-not-chain", "chain", "cjk", "vi-other-spelling", "vi-plain"}},
		{`"in dong nai"`, []string{"adjacent", "chain"}},
		{`"dong nai province"`, []string{"adjacent", "chain"}},
		{`"nai dong"`, []string{"reversed"}},
		{`"dong zzzq nai"`, []string{"rare-middle"}},
		{"Dong-Nai", []string{"adjacent", "diacritics", "pairs-not-chain", "chain", "cjk", "vi-spelled", "vi-other-spelling", "vi-plain"}},
		{`"dong nai" AND NOT "in dong nai"`, []string{"diacritics", "pairs-not-chain", "cjk", "vi-spelled", "vi-other-spelling", "vi-plain"}},
	} {
		r := Request{Query: c.q, Size: 50, Sort: SortNewest}
		compiled, err := ix.compile(r)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if compiled.fast == nil {
			t.Fatalf("%q: not planned for the bitmap path", c.q)
		}
		got, err := ix.Search(ctx, r)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		want, err := slow.Search(ctx, r)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if g, b := sortedIDs(got.Hits), sortedIDs(want.Hits); !slices.Equal(g, b) {
			t.Errorf("%q: bitmap path %v, Bleve %v", c.q, g, b)
		}
		exp := slices.Clone(c.want)
		slices.Sort(exp)
		if g := sortedIDs(got.Hits); !slices.Equal(g, exp) {
			t.Errorf("%q: %v, want %v", c.q, g, exp)
		}
	}
}

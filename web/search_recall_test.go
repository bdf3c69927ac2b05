package web

import (
	"context"
	"log/slog"
	"testing"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/presssim"
)

// TestProvinceSearchRecall indexes the demo corpus as the classifier sees
// it and counts how many of the articles about the province a plain
// "Dong Nai" search finds, as typed and with the gazetteer's expansion:
// the expansion must find every one the classifier placed in the province.
func TestProvinceSearchRecall(t *testing.T) {
	items, err := presssim.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := classifier.New(classifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.Open(context.Background(), index.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var arts []*article.Article
	about := 0
	for _, it := range items {
		a, err := presssim.ToArticle(it, it.Outlets[0], "http://127.0.0.1:1")
		if err != nil {
			t.Fatal(err)
		}
		if a.Classification, err = eng.Classify(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		if a.Classification.About {
			about++
		}
		arts = append(arts, a)
	}
	if err := ix.IndexArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	places, err := LoadPlaces(configs.ClassifierRules())
	if err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		res, err := ix.Search(context.Background(), index.Request{Query: q, Size: 1, Filters: map[string][]string{"relevance": {"about"}}})
		if err != nil {
			t.Fatal(err)
		}
		return int(res.Total)
	}
	expanded, _ := places.Expand("Dong Nai")
	literal, wide := count("Dong Nai"), count(expanded)
	t.Logf("demo corpus: %d articles about the province; \"Dong Nai\" as typed finds %d, expanded %d", about, literal, wide)
	if wide < literal || wide != about {
		t.Errorf("expanded search finds %d of %d articles about the province (as typed: %d)", wide, about, literal)
	}

	// Ranking: the first page of the expanded search, as the search page
	// sends it (names of a place rank as one word), holds no script out of
	// proportion to its share of the hits. Before SameWord, Japanese
	// articles took the first five places on their rare bigram terms.
	expanded, exps := places.Expand("Dong Nai")
	cjk := map[string]bool{"ja": true, "zh": true, "ko": true}
	// firstPage returns how many of the first ten hits are Chinese, Japanese
	// or Korean, and those languages' share of all hits.
	firstPage := func(same [][]string) (top int, share float64) {
		res, err := ix.Search(context.Background(), index.Request{Query: expanded, SameWord: same, Size: 10,
			Facets: true, Filters: map[string][]string{"relevance": {"about"}}})
		if err != nil {
			t.Fatal(err)
		}
		all := 0
		for _, f := range res.Facets["lang"] {
			if cjk[f.Term] {
				all += f.Count
			}
		}
		for _, h := range res.Hits {
			if cjk[h.Lang] {
				top++
			}
		}
		return top, float64(all) / float64(res.Total)
	}
	top, share := firstPage(SameWord(exps))
	before, _ := firstPage(nil)
	bound := 1.5 * share * 10
	t.Logf("Chinese, Japanese and Korean: %.0f%% of the hits; %d of the first 10 (without SameWord: %d); bound %.1f", 100*share, top, before, bound)
	if float64(top) > bound {
		t.Errorf("%d of the first 10 hits for \"Dong Nai\" are Chinese, Japanese or Korean, against %.0f%% of all hits", top, 100*share)
	}
	if float64(before) <= bound {
		t.Errorf("without SameWord %d of the first 10 are Chinese, Japanese or Korean, within the bound: this check no longer tells the two apart", before)
	}
	for _, e := range exps {
		for _, n := range e.Names {
			if n == "ドンナイ省" || n == "tỉnh Đồng Nai" || n == "Đồng Nai" {
				t.Errorf("expansion searches %q, which the words as typed or a shorter name already find", n)
			}
		}
	}
}

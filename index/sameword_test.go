package index

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
)

// TestSameWordRanksScriptsAlike: the province named in the words typed (in
// forty English articles) and in Japanese (one article, whose bigram terms
// are rare in this index) ranks alike when the two spellings are one
// SameWord group; without the group the Japanese article's rare terms put
// it far ahead. Matching is the same either way.
func TestSameWordRanksScriptsAlike(t *testing.T) {
	ix := openTest(t, t.TempDir()+"/index")
	pub := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var arts []*article.Article
	add := func(id, lang, title, text string) {
		arts = append(arts, &article.Article{ID: id, URL: "https://example.com/" + id, CanonicalURL: "https://example.com/" + id,
			Lang: lang, Title: title, Text: text, Published: pub, Collected: pub})
	}
	for i := range 40 {
		add(fmt.Sprintf("en%02d", i), "en", "Factory news", fmt.Sprintf("Workers at a factory in Dong Nai province met on day %d.", i))
	}
	add("ja", "ja", "工場ニュース", "ドンナイ省の工場で労働者が集まった。")
	add("other", "en", "Unrelated", "Workers at a factory in Binh Duong met.")
	if err := ix.IndexArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	q := `Dong AND Nai OR "ドンナイ"`
	search := func(same [][]string) (rank int, ja, en float64, total uint64) {
		res, err := ix.Search(context.Background(), Request{Query: q, Size: 50, SameWord: same})
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range res.Hits {
			switch h.ID {
			case "ja":
				rank, ja = i, h.Score
			case "en00":
				en = h.Score
			}
		}
		return rank, ja, en, res.Total
	}
	rank0, ja0, en0, total0 := search(nil)
	rank1, ja1, en1, total1 := search([][]string{{"Dong Nai", "ドンナイ"}})
	t.Logf("without SameWord: Japanese article ranks %d, score %.3f against %.3f; with: ranks %d, %.3f against %.3f", rank0, ja0, en0, rank1, ja1, en1)
	if total0 != 41 || total1 != 41 {
		t.Fatalf("totals %d and %d, want 41 both ways (SameWord must not change matching)", total0, total1)
	}
	if rank0 != 0 || ja0 < 2*en0 {
		t.Fatalf("without SameWord the Japanese article should lead on its rare terms (rank %d, %.3f against %.3f): the test no longer tests anything", rank0, ja0, en0)
	}
	if r := ja1 / en1; r < 0.5 || r > 2 {
		t.Errorf("with SameWord the Japanese article scores %.3f against %.3f (ratio %.2f), want within a factor of 2", ja1, en1, r)
	}
}

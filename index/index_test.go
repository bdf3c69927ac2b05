package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm"
	"github.com/dongnai/presswatch/query"
)

func day(s string) time.Time {
	t, err := time.Parse(dayLayout, s)
	if err != nil {
		panic(err)
	}
	return t.Add(8 * time.Hour)
}

// corpus is a small multilingual set of articles with known answers.
func corpus() []*article.Article {
	return []*article.Article{
		{
			ID: "vi1", URL: "https://vn.example/a", Source: "vn-feed", Outlet: "Báo Mẫu", Country: "vn", Lang: "vi",
			Title:     "Đồng Nai khởi công sân bay Long Thành",
			Text:      "Tỉnh Đồng Nai hôm nay khởi công giai đoạn hai của sân bay Long Thành. Lũ lụt không ảnh hưởng đến công trình.",
			Published: day("2026-11-01"), Collected: day("2026-11-01"),
			Classification: &article.Classification{About: true, Topics: []string{"infrastructure"}, Tone: "positive", Risk: 10,
				Entities: []article.Entity{{Text: "Đồng Nai", Kind: "place", Canonical: "Đồng Nai"}}, Cluster: "c-airport"},
		},
		{
			ID: "en1", URL: "https://news.example/floods", Source: "wire", Sources: []string{"wire", "search"}, Outlet: "Reuters", Country: "GB", Lang: "en",
			Title:     "Flooding hits Dong Nai province",
			Text:      "Heavy floods swept the southern province of Dong Nai on Monday. Several factories were flooded and workers were evacuated.",
			Published: day("2026-11-03"), Collected: day("2026-11-03"),
			Classification: &article.Classification{About: true, Topics: []string{"disaster", "industry"}, Tone: "negative", Risk: 70, NeedsReview: true,
				Entities: []article.Entity{{Text: "Dong Nai", Kind: "place", Canonical: "Đồng Nai"}}, Cluster: "c-flood"},
		},
		{
			ID: "en2", URL: "https://news.example/hcmc", Source: "wire", Outlet: "Reuters", Country: "GB", Lang: "en",
			Title: "Traffic in Ho Chi Minh City",
			Text: "Dong Xoai is a town in Binh Phuoc, far from the city. Commuters in the metropolis spend hours in traffic jams every single day of the week " +
				"while Nai is not a word that appears near the first one here.",
			Published: day("2026-11-05"), Collected: day("2026-11-05"),
			Classification: &article.Classification{Topics: []string{"transport"}, Tone: "neutral", Risk: 30, Cluster: "c-traffic"},
		},
		{
			ID: "zh1", URL: "https://cn.example/1", Source: "cn-feed", Outlet: "新华社", Country: "CN", Lang: "zh",
			Title:     "越南同奈省发生洪水",
			Text:      "越南南部同奈省本周发生严重洪水，多家工厂停工。",
			Published: day("2026-11-03"), Collected: day("2026-11-03"),
			Classification: &article.Classification{About: true, Topics: []string{"disaster"}, Tone: "negative", Risk: 40, Cluster: "c-flood"},
		},
		{
			ID: "ko1", URL: "https://kr.example/1", Source: "kr-feed", Outlet: "연합뉴스", Country: "KR", Lang: "ko",
			Title:     "베트남 동나이성 공장 화재",
			Text:      "베트남 남부 동나이성의 한국 기업 공장에서 화재가 발생했다.",
			Published: day("2026-11-04"), Collected: day("2026-11-04"),
			Classification: &article.Classification{About: true, Topics: []string{"industry"}, Tone: "negative", Risk: 50},
		},
		{
			ID: "ja1", URL: "https://jp.example/1", Source: "jp-feed", Outlet: "日経", Country: "JP", Lang: "ja",
			Title:     "ドンナイ省に日本企業が進出",
			Text:      "ベトナム南部のドンナイ省に日本の部品メーカーが新工場を建設する。",
			Published: day("2026-11-02"), Collected: day("2026-11-02"),
			Classification: &article.Classification{About: true, Topics: []string{"investment"}, Tone: "positive", Risk: 5},
		},
		{
			ID: "fr1", URL: "https://fr.example/1", Source: "fr-feed", Outlet: "Le Monde", Country: "FR", Lang: "fr",
			Title:     "Le Đồng Nai attire les investisseurs",
			Text:      "La province du Đồng Nai, près de Hô Chi Minh-Ville, attire des usines étrangères.",
			Published: day("2026-10-20"), Collected: day("2026-10-21"),
		},
	}
}

func openTest(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(context.Background(), Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

func newTestIndex(t *testing.T) *Index {
	t.Helper()
	ix := openTest(t, t.TempDir()+"/index")
	if err := ix.IndexArticles(context.Background(), corpus()); err != nil {
		t.Fatal(err)
	}
	return ix
}

func ids(res *Result) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	slices.Sort(out)
	return out
}

func TestQueries(t *testing.T) {
	ix := newTestIndex(t)
	tests := []struct {
		name, q string
		want    []string
	}{
		// Vietnamese, with and without diacritics.
		{"vi with diacritics", "Đồng Nai", []string{"en1", "en2", "fr1", "vi1"}},
		{"vi without diacritics", "Dong Nai", []string{"en1", "en2", "fr1", "vi1"}},
		{"vi lower case", "dong nai", []string{"en1", "en2", "fr1", "vi1"}},
		{"vi phrase with diacritics", `"Đồng Nai"`, []string{"en1", "fr1", "vi1"}},
		{"vi phrase without diacritics", `"dong nai"`, []string{"en1", "fr1", "vi1"}},
		{"vi phrase upper case", `"DONG NAI"`, []string{"en1", "fr1", "vi1"}},
		{"vi word folded", "khoi cong", []string{"vi1"}},
		{"vi word diacritics", "khởi công", []string{"vi1"}},
		{"vi phrase across words", `"san bay long thanh"`, []string{"vi1"}},
		{"vi đ", "đến", []string{"vi1"}},
		{"phrase never spans title and text", `"long thanh tinh dong nai"`, []string{}},
		{"near never spans title and text", "thanh NEAR/2 tinh", []string{}},
		{"vi lũ", "lũ", []string{"vi1"}},
		{"vi lu folded", "lu", []string{"vi1"}},
		// English stemming.
		{"en stem flood", "flood", []string{"en1"}},
		{"en stem floods", "floods", []string{"en1"}},
		{"en stem evacuate", "evacuating", []string{"en1"}},
		{"en stem factory", "factory", []string{"en1"}},
		// CJK.
		{"zh", "同奈", []string{"zh1"}},
		{"zh province", "同奈省", []string{"zh1"}},
		{"zh phrase", `"同奈省"`, []string{"zh1"}},
		{"zh non-adjacent", "同省", []string{}},
		{"ko", "동나이", []string{"ko1"}},
		{"ko with suffix", "동나이성", []string{"ko1"}},
		{"ja", "ドンナイ", []string{"ja1"}},
		{"ja han", "日本企業", []string{"ja1"}},
		// French, neutral field only.
		{"fr folded", "investisseurs", []string{"fr1"}},
		{"fr accent dropped", "etrangeres", []string{"fr1"}},
		// Boolean operators.
		{"or", "同奈 OR 동나이", []string{"ko1", "zh1"}},
		{"not", "nai NOT flooding", []string{"en2", "fr1", "vi1"}},
		{"minus", "nai -khoi", []string{"en1", "en2", "fr1"}},
		{"not alone", "NOT nai", []string{"ja1", "ko1", "zh1"}},
		{"parentheses", "(flood OR 同奈) AND lang:zh", []string{"zh1"}},
		// Prefix.
		{"prefix vi", "khoi*", []string{"vi1"}},
		{"prefix en", "evacu*", []string{"en1"}},
		{"prefix in compound", "Đồng-Na*", []string{"en1", "fr1", "vi1"}},
		// NEAR.
		{"near adjacent", "Dong NEAR/1 Nai", []string{"en1", "fr1", "vi1"}},
		{"near reverse", "Nai NEAR/1 Dong", []string{"en1", "fr1", "vi1"}},
		{"near 3", "province NEAR/3 nai", []string{"en1", "fr1"}},
		{"near too far", "dong NEAR/5 nai", []string{"en1", "fr1", "vi1"}},
		{"near wide", "dong NEAR/40 nai", []string{"en1", "en2", "fr1", "vi1"}},
		{"near default", "factories NEAR workers", []string{"en1"}},
		{"near phrase", `"long thanh" NEAR/8 "dong nai"`, []string{"vi1"}},
		{"near three", "heavy NEAR/6 floods NEAR/6 province", []string{"en1"}},
		{"near prefix", "flood* NEAR/3 dong", []string{"en1"}},
		// field:value.
		{"lang", "lang:vi", []string{"vi1"}},
		{"lang upper", "lang:EN", []string{"en1", "en2"}},
		{"country lower", "country:gb", []string{"en1", "en2"}},
		{"outlet folded", "outlet:reuters", []string{"en1", "en2"}},
		{"outlet diacritics", `outlet:"bao mau"`, []string{"vi1"}},
		{"outlet exact", `outlet:"Báo Mẫu"`, []string{"vi1"}},
		{"topic", "topic:disaster", []string{"en1", "zh1"}},
		{"topics alias", "topics:industry", []string{"en1", "ko1"}},
		{"entity", `entity:"dong nai"`, []string{"en1", "vi1"}},
		{"tone", "tone:negative", []string{"en1", "ko1", "zh1"}},
		{"needs review", "needs_review:true", []string{"en1"}},
		{"source", "source:search", []string{"en1"}},
		{"cluster", "cluster:c-flood", []string{"en1", "zh1"}},
		{"title field", "title:thanh", []string{"vi1"}},
		{"title field miss", "title:floods", []string{}},
		{"keyword prefix", "topic:indus*", []string{"en1", "ko1"}},
		// Numeric and date comparisons.
		{"risk ge", "risk>=60", []string{"en1"}},
		{"risk gt", "risk>40", []string{"en1", "ko1"}},
		{"risk lt", "risk<10", []string{"ja1"}},
		{"risk le", "risk<=10", []string{"ja1", "vi1"}},
		{"risk eq", "risk=30", []string{"en2"}},
		{"risk field", "risk:50", []string{"ko1"}},
		{"risk and text", "nai risk>=20", []string{"en1", "en2"}},
		{"published day", "published:2026-11-03", []string{"en1", "zh1"}},
		{"published after", "published>2026-11-03", []string{"en2", "ko1"}},
		{"published before", "published<2026-11-01", []string{"fr1"}},
		{"no match", "zzzyyyxxx", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), Request{Query: tc.q, Size: 50})
			if err != nil {
				t.Fatalf("Search(%q): %v", tc.q, err)
			}
			got := ids(res)
			if tc.want == nil {
				tc.want = []string{}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Search(%q) = %v, want %v", tc.q, got, tc.want)
			}
			if res.Total != uint64(len(tc.want)) {
				t.Errorf("Search(%q).Total = %d, want %d", tc.q, res.Total, len(tc.want))
			}
		})
	}
}

func TestBadQueries(t *testing.T) {
	ix := newTestIndex(t)
	tests := []struct {
		q   string
		pos int
	}{
		{`"Dong Nai`, 0},
		{`Dong AND`, 5},
		{`(Dong Nai`, 0},
		{`Dong Nai)`, 8},
		{`NEAR/x dong`, 0},
		{`dong OR`, 5},
		{`foo:bar`, 0},
		{`dong risk>=abc`, 5},
		{`dong published>yesterday`, 5},
		{`a*`, 0},
		{`dong lang>3`, 5},
		{`needs_review:maybe`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			_, err := ix.Search(context.Background(), Request{Query: tc.q})
			var se *query.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Search(%q) error = %v, want a *query.SyntaxError", tc.q, err)
			}
			if se.Pos != tc.pos {
				t.Errorf("Search(%q) error position = %d (%v), want %d", tc.q, se.Pos, err, tc.pos)
			}
		})
	}
}

// TestNearBudget: a query whose NEAR clauses become more gapped phrases
// than maxNearPhrases is refused as a bad query (a reviewer's 100-word
// NEAR/16 chain made about 158,000 and ran the server out of memory),
// while NEAR at the budget still searches.
func TestNearBudget(t *testing.T) {
	ix := newTestIndex(t)
	ors := func(prefix string, n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = fmt.Sprintf("%s%d", prefix, i)
		}
		return "(" + strings.Join(ws, " OR ") + ")"
	}
	// 8 × 8 clauses at NEAR/16, each 2 × 16 phrases: 2,048, the budget.
	at := ors("a", 8) + " NEAR/16 " + ors("b", 8)
	if _, err := ix.Search(context.Background(), Request{Query: at}); err != nil {
		t.Fatalf("NEAR at the budget: %v", err)
	}
	over := ors("a", 9) + " NEAR/16 " + ors("b", 8)
	_, err := ix.Search(context.Background(), Request{Query: over})
	var se *query.SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "too many") {
		t.Fatalf("NEAR over the budget: %v, want a *query.SyntaxError", err)
	}
	// Several NEAR clauses of one query share the budget.
	two := at + " OR " + ors("c", 2) + " NEAR/16 d"
	if _, err := ix.Search(context.Background(), Request{Query: two}); !errors.As(err, &se) {
		t.Fatalf("two NEAR clauses over the budget together: %v", err)
	}
}

// TestSearchTimeout: a search past the index's time limit stops with
// ErrSearchTimeout, on the bitmap path and on Bleve's (NEAR); the caller's
// own cancellation stays context.Canceled.
func TestSearchTimeout(t *testing.T) {
	ix := newTestIndex(t)
	ix.searchTimeout = time.Nanosecond // every check finds it spent
	for _, q := range []string{"dong nai", "dong NEAR/3 nai", "dong NEAR/3 na*"} {
		_, err := ix.Search(context.Background(), Request{Query: q, Facets: true})
		if !errors.Is(err, ErrSearchTimeout) {
			t.Errorf("%q past the time limit: %v, want ErrSearchTimeout", q, err)
		}
	}
	ix.searchTimeout = time.Hour
	if _, err := ix.Search(context.Background(), Request{Query: "dong NEAR/3 nai"}); err != nil {
		t.Fatalf("within the limit: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Search(ctx, Request{Query: "dong NEAR/3 nai"}); !errors.Is(err, context.Canceled) || errors.Is(err, ErrSearchTimeout) {
		t.Errorf("cancelled by the caller: %v", err)
	}
}

func TestBadRequests(t *testing.T) {
	ix := newTestIndex(t)
	for _, r := range []Request{
		{Query: "nai", Sort: "random"},
		{Query: "nai", Size: MaxSize + 1},
		{Query: "nai", From: -1},
		{Filters: map[string][]string{"risk": {"1"}}},
		{Filters: map[string][]string{"needs_review": {"perhaps"}}},
		{Since: day("2026-11-05"), Until: day("2026-11-01")},
	} {
		_, err := ix.Search(context.Background(), r)
		if !errors.Is(err, ErrBadRequest) {
			t.Errorf("Search(%+v) error = %v, want ErrBadRequest", r, err)
		}
	}
}

func TestFiltersSortPaging(t *testing.T) {
	ix := newTestIndex(t)
	ctx := context.Background()
	res, err := ix.Search(ctx, Request{
		Filters: map[string][]string{"lang": {"en", "vi"}},
		Since:   day("2026-11-01").Add(-time.Hour), Until: day("2026-11-05"),
		Sort: SortNewest,
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.ID)
	}
	if want := []string{"en1", "vi1"}; !slices.Equal(got, want) {
		t.Errorf("newest lang en|vi in [11-01, 11-05) = %v, want %v", got, want)
	}

	all, err := ix.Search(ctx, Request{Sort: SortOldest, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 7 || all.Hits[0].ID != "fr1" || all.Hits[6].ID != "en2" {
		t.Errorf("oldest: total %d, first %s, last %s", all.Total, all.Hits[0].ID, all.Hits[6].ID)
	}
	var paged []string
	for from := 0; from < 7; from += 3 {
		p, err := ix.Search(ctx, Request{Sort: SortOldest, From: from, Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range p.Hits {
			paged = append(paged, h.ID)
		}
	}
	var want []string
	for _, h := range all.Hits {
		want = append(want, h.ID)
	}
	if !slices.Equal(paged, want) {
		t.Errorf("paged = %v, want %v", paged, want)
	}

	// Relevance pages (re-ranked: phrases first) add up to the whole list.
	whole, err := ix.Search(ctx, Request{Query: "dong nai", Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	var relPaged []string
	for from := 0; from < 4; from += 2 {
		p, err := ix.Search(ctx, Request{Query: "dong nai", From: from, Size: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range p.Hits {
			relPaged = append(relPaged, h.ID)
		}
	}
	var relWhole []string
	for _, h := range whole.Hits {
		relWhole = append(relWhole, h.ID)
	}
	if !slices.Equal(relPaged, relWhole) {
		t.Errorf("relevance pages %v, whole %v", relPaged, relWhole)
	}

	rel, err := ix.Search(ctx, Request{Query: "Đồng Nai", Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if rel.Hits[len(rel.Hits)-1].ID != "en2" {
		t.Errorf("relevance: en2 (the words far apart, not a phrase) should rank last: %v", ids(rel))
	}
	h := rel.Hits[0]
	for _, x := range rel.Hits {
		if x.ID == "en1" {
			h = x
		}
	}
	if h.Title != "Flooding hits Dong Nai province" || h.Outlet != "Reuters" || h.Country != "GB" || h.Lang != "en" ||
		h.Risk != 70 || !h.NeedsReview || h.Tone != "negative" || h.Cluster != "c-flood" ||
		!slices.Equal(h.Topics, []string{"disaster", "industry"}) || !h.Published.Equal(day("2026-11-03")) || h.URL != "https://news.example/floods" {
		t.Errorf("hit fields: %+v", h)
	}
}

func TestFacets(t *testing.T) {
	ix := newTestIndex(t)
	res, err := ix.Search(context.Background(), Request{Query: "NOT zzz", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	count := func(facet, term string) int {
		for _, f := range res.Facets[facet] {
			if f.Term == term {
				return f.Count
			}
		}
		return 0
	}
	checks := []struct {
		facet, term string
		want        int
	}{
		{"lang", "en", 2}, {"lang", "vi", 1}, {"country", "GB", 2}, {"outlet", "Reuters", 2},
		{"topic", "disaster", 2}, {"topic", "industry", 2}, {"tone", "negative", 3},
		{"needs_review", "true", 1}, {"needs_review", "false", 5},
	}
	for _, c := range checks {
		if got := count(c.facet, c.term); got != c.want {
			t.Errorf("facet %s[%s] = %d, want %d (%v)", c.facet, c.term, got, c.want, res.Facets[c.facet])
		}
	}
	wantDays := []DateCount{
		{time.Date(2026, 10, 20, 0, 0, 0, 0, vietnam), 1},
		{time.Date(2026, 11, 1, 0, 0, 0, 0, vietnam), 1},
		{time.Date(2026, 11, 2, 0, 0, 0, 0, vietnam), 1},
		{time.Date(2026, 11, 3, 0, 0, 0, 0, vietnam), 2},
		{time.Date(2026, 11, 4, 0, 0, 0, 0, vietnam), 1},
		{time.Date(2026, 11, 5, 0, 0, 0, 0, vietnam), 1},
	}
	if !slices.Equal(res.Histogram, wantDays) {
		t.Errorf("histogram = %v, want %v", res.Histogram, wantDays)
	}
	// A filter on a facet value narrows it.
	res, err = ix.Search(context.Background(), Request{Filters: map[string][]string{"topic": {"disaster"}}, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(res), []string{"en1", "zh1"}) || count("country", "CN") != 1 || count("country", "KR") != 0 {
		t.Errorf("filtered facets: %v %v", ids(res), res.Facets["country"])
	}
}

func TestHighlight(t *testing.T) {
	ix := newTestIndex(t)
	hostile := &article.Article{ID: "evil", Lang: "en", Title: "x", Published: day("2026-11-06"),
		Text: `<script>alert(1)</script> Dong Nai <b onmouseover="x">bold</b> & more`}
	if err := ix.IndexArticles(context.Background(), []*article.Article{hostile}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q, id string
		want  string // substring of the first snippet
	}{
		{"Dong Nai", "vi1", "Tỉnh <mark>Đồng Nai</mark> hôm nay"},
		{`"dong nai"`, "vi1", "Tỉnh <mark>Đồng Nai</mark> hôm nay"},
		{"flood", "en1", "Heavy <mark>floods</mark> swept"},
		{"同奈", "zh1", "越南南部<mark>同奈</mark>省"},
		{"ドンナイ", "ja1", "ベトナム南部の<mark>ドンナイ</mark>省"},
		{"khoi*", "vi1", "hôm nay <mark>khởi</mark> công"},
		{"lang:fr", "fr1", "La province du Đồng Nai"},
		{"dong nai", "evil", "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Dong Nai</mark> &lt;b onmouseover=&#34;x&#34;&gt;bold&lt;/b&gt; &amp; more"},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			res, err := ix.Search(context.Background(), Request{Query: tc.q, Highlight: true, Size: 50})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				if h.ID != tc.id {
					continue
				}
				if len(h.Snippets) == 0 || !strings.Contains(string(h.Snippets[0]), tc.want) {
					t.Errorf("snippets of %s for %q = %q, want one containing %q", h.ID, tc.q, h.Snippets, tc.want)
				}
				return
			}
			t.Errorf("%q did not find %s", tc.q, tc.id)
		})
	}
}

func TestIdempotentAndDelete(t *testing.T) {
	ix := newTestIndex(t)
	ctx := context.Background()
	arts := corpus()
	arts[0].Title = "Đồng Nai khánh thành cầu mới"
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	if n, _ := ix.DocCount(); n != uint64(len(arts)) {
		t.Errorf("DocCount after reindexing the same IDs = %d, want %d", n, len(arts))
	}
	res, err := ix.Search(ctx, Request{Query: "khanh thanh"})
	if err != nil || !slices.Equal(ids(res), []string{"vi1"}) {
		t.Errorf("updated title not searchable: %v %v", res, err)
	}
	if err := ix.DeleteArticles(ctx, []string{"vi1"}); err != nil {
		t.Fatal(err)
	}
	if res, _ := ix.Search(ctx, Request{Query: "khanh thanh"}); res.Total != 0 {
		t.Errorf("deleted article still found")
	}
}

func TestMappingVersionRebuild(t *testing.T) {
	dir := t.TempDir() + "/index"
	ctx := context.Background()
	ix := openTest(t, dir)
	if ix.NeedsRebuild() {
		t.Error("a new index needs no rebuild")
	}
	if err := ix.IndexArticles(ctx, corpus()); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// Same version: kept.
	ix = openTest(t, dir)
	if n, _ := ix.DocCount(); n != 7 || ix.NeedsRebuild() {
		t.Fatalf("reopened: %d docs, needs rebuild %v", n, ix.NeedsRebuild())
	}
	// An older mapping version: rebuilt empty.
	if err := ix.bi.SetInternal([]byte(versionKey), []byte("0")); err != nil {
		t.Fatal(err)
	}
	_ = ix.Close()
	ix = openTest(t, dir)
	if n, _ := ix.DocCount(); n != 0 || !ix.NeedsRebuild() {
		t.Fatalf("old mapping: %d docs, needs rebuild %v; want 0, true", n, ix.NeedsRebuild())
	}
	arts := corpus()
	var progress []int64
	err := Rebuild(ctx, ScanFunc(func(ctx context.Context, fn func(*article.Article) error) error {
		for _, a := range arts {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	}), ix, func(done int64) { progress = append(progress, done) })
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := ix.DocCount(); n != 7 || !slices.Equal(progress, []int64{7}) {
		t.Errorf("after Rebuild: %d docs, progress %v", n, progress)
	}
}

func TestOpenRefusesForeignFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/notes.txt", []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), Options{Dir: dir}); err == nil {
		t.Fatal("Open on a folder holding other files succeeded")
	}
}

func TestExport(t *testing.T) {
	ix := openTest(t, "")
	ctx := context.Background()
	const n = 1234
	arts := make([]*article.Article, n)
	base := day("2026-01-01")
	for i := range arts {
		arts[i] = &article.Article{ID: fmt.Sprintf("a%05d", i), Lang: "en", Title: fmt.Sprintf("Dong Nai item %d", i),
			Text: "Dong Nai export test", Published: base.Add(time.Duration(i) * time.Minute)}
	}
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	for _, sortBy := range []string{SortNewest, SortOldest, SortRelevance} {
		var got []string
		err := ix.Export(ctx, Request{Query: "dong nai", Sort: sortBy, Size: 3}, func(h Hit) error {
			got = append(got, h.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("export %s: %d hits, want %d", sortBy, len(got), n)
		}
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("export %s: %s twice", sortBy, id)
			}
			seen[id] = true
		}
		if sortBy == SortNewest && (got[0] != "a01233" || got[n-1] != "a00000") {
			t.Errorf("export newest: first %s last %s", got[0], got[n-1])
		}
	}
	stop := errors.New("stop")
	calls := 0
	err := ix.Export(ctx, Request{Query: "dong"}, func(Hit) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("export did not stop at the callback's error: %v after %d calls", err, calls)
	}
}

// foldTokens runs the index's text analyzer: "term@position" for each token.
func foldTokens(t testing.TB, s string) []string {
	im, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tok := range im.AnalyzerNamed(analyzerFold).Analyze([]byte(s)) {
		if tok.Start < 0 || tok.End > len(s) || tok.Start > tok.End {
			t.Fatalf("token %q has offsets [%d,%d) outside %d bytes", tok.Term, tok.Start, tok.End, len(s))
		}
		out = append(out, fmt.Sprintf("%s@%d", tok.Term, tok.Position-1))
	}
	return out
}

// analyzed is textnorm.Analyze as "term@position".
func analyzed(s string) []string {
	var out []string
	for _, t := range textnorm.Analyze(s) {
		out = append(out, fmt.Sprintf("%s@%d", t.Text, t.Pos))
	}
	return out
}

var tokenizerSamples = []string{
	"Đồng Nai khởi công sân bay Long Thành",
	"ĐỒNG NAI, đồng-nai; Dong_Nai Dong1Nai",
	"越南南部同奈省发生洪水 ベトナム南部のドンナイ省 동나이성의 공장 ｆｕｌｌ　ｗｉｄｔｈ！",
	"ﾄﾞﾝﾅｲ ドン・ナイ 동 나이 활동 나이 同…奈",
	"e\u0301cole deco\u0301mposed Nai\u0300 \u0301start",
	"bad \xff\xfe bytes \ufffd here\u00a0nbsp\u202fthin",
	"Ngươi Việt, Hô Chi Minh-Ville, São Paulo, Łódź, İstanbul, ǅemal",
	"हिन्दी समाचार, русский текст, ελληνικά, עברית, العربية",
	"title\u2029text",
	"",
}

// TestFoldTokenizerMatchesTextnorm holds the index's text analyzer to
// textnorm.Analyze, which topic rules and alert routes use: the same terms
// at the same positions.
func TestFoldTokenizerMatchesTextnorm(t *testing.T) {
	samples := slices.Clone(tokenizerSamples)
	for _, a := range corpus() {
		samples = append(samples, a.Title, a.Text)
	}
	g := newGenerator(7)
	for i := 0; i < 30; i++ {
		samples = append(samples, g.article(i).Text)
	}
	for _, s := range samples {
		if got, want := foldTokens(t, s), analyzed(s); !slices.Equal(got, want) {
			t.Errorf("tokens of %q:\n got %q\nwant %q", s, got, want)
		}
	}
}

func FuzzFoldTokenizer(f *testing.F) {
	for _, s := range tokenizerSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := foldTokens(t, s), analyzed(s); !slices.Equal(got, want) {
			t.Errorf("tokens of %q:\n got %q\nwant %q", s, got, want)
		}
	})
}

// FuzzSearch runs arbitrary query strings: a query either searches or fails
// with a *query.SyntaxError whose position lies inside the query; nothing
// panics.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"Đồng Nai", `"dong nai" NEAR/3 flood*`, "risk>=60 -lang:en", "(a OR b) AND NOT c",
		"topic:x* published<2026-01", "同奈 OR 동나이", `title:"long thanh"`, "foo:bar", "a NEAR/1000 b NEAR/1000 c"} {
		f.Add(s)
	}
	ix, err := Open(context.Background(), Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	if err := ix.IndexArticles(context.Background(), corpus()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		_, err := ix.Search(context.Background(), Request{Query: q, Facets: true, Highlight: true})
		if err == nil {
			return
		}
		var se *query.SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Search(%q): %v is not a syntax error", q, err)
		}
		if se.Pos < 0 || se.Pos > len(q) {
			t.Fatalf("Search(%q): position %d outside the query", q, se.Pos)
		}
	})
}

func TestOpenInUse(t *testing.T) {
	dir := t.TempDir() + "/index"
	openTest(t, dir)
	start := time.Now()
	_, err := Open(context.Background(), Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open of a held index: %v, want an in-use error", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("second Open took %s", el)
	}
}

func TestSampledFacets(t *testing.T) {
	ctx := context.Background()
	ix, err := Open(ctx, Options{ExactFacetMax: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	// Only Bleve's path samples: the bitmap path counts exactly.
	ix.noFast = true
	g := newGenerator(3)
	arts := make([]*article.Article, 800)
	for i := range arts {
		arts[i] = g.article(i)
	}
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(ctx, Request{Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.FacetsSampled || res.Total != 800 {
		t.Fatalf("sampled = %v, total = %d", res.FacetsSampled, res.Total)
	}
	for _, f := range res.Facets["lang"] {
		if f.Count%sampleBuckets != 0 {
			t.Errorf("sampled count %d is not scaled", f.Count)
		}
		exact, err := ix.Search(ctx, Request{Filters: map[string][]string{"lang": {f.Term}}})
		if err != nil {
			t.Fatal(err)
		}
		// Within three binomial standard deviations of the sample's count, scaled.
		if d := float64(f.Count) - float64(exact.Total); d*d > 9*sampleBuckets*sampleBuckets*float64(exact.Total)/sampleBuckets {
			t.Errorf("lang %s: sampled %d, exact %d", f.Term, f.Count, exact.Total)
		}
	}
	// A small result is counted exactly.
	ix.exactFacetMax = DefaultExactFacetMax
	small, err := ix.Search(ctx, Request{Filters: map[string][]string{"lang": {"ko"}}, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if small.FacetsSampled || len(small.Facets["lang"]) != 1 || uint64(small.Facets["lang"][0].Count) != small.Total {
		t.Errorf("small result: sampled %v, lang facet %v, total %d", small.FacetsSampled, small.Facets["lang"], small.Total)
	}
}

func TestExactDiacriticsRankFirst(t *testing.T) {
	ix := openTest(t, "")
	ctx := context.Background()
	arts := []*article.Article{
		{ID: "plain", Lang: "vi", Title: "Tin tuc", Text: "Tinh Dong Nai hom nay co mua lon o Bien Hoa.", Published: day("2026-11-01")},
		{ID: "marked", Lang: "vi", Title: "Tin tức", Text: "Tỉnh Đồng Nai hôm nay có mưa lớn ở Biên Hòa.", Published: day("2026-11-01")},
	}
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(ctx, Request{Query: "mưa lớn"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || res.Hits[0].ID != "marked" {
		t.Errorf("\"mưa lớn\": %v, want both with the diacritics-exact article first", ids(res))
	}
}

// TestDateQueryInVietnamTime: a day in the query is a Vietnam day, as the
// hit list shows dates and as since/until read them: an article published
// at 18:00 UTC on 29 October is dated 30/10 01:00 and is found on the 30th.
func TestDateQueryInVietnamTime(t *testing.T) {
	ix := openTest(t, t.TempDir()+"/index")
	at := time.Date(2025, 10, 29, 18, 0, 0, 0, time.UTC)
	a := &article.Article{ID: "late", URL: "https://x.example/late", Source: "s", Lang: "en", Title: "Dong Nai evening news",
		Text: "Dong Nai news.", Published: at, Collected: at, Classification: &article.Classification{About: true}}
	if err := ix.IndexArticles(context.Background(), []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{
		"published:2025-10-30": 1, "published:2025-10-29": 0,
		"published>2025-10-29 AND published<2025-10-31": 1, "published>=2025-10-30 Dong": 1, "published<2025-10-30": 0,
		"published:2025-10": 1, "published:2025-11": 0,
	} {
		res, err := ix.Search(context.Background(), Request{Query: q, Size: 10})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if int(res.Total) != want {
			t.Errorf("%s: %d hits, want %d", q, res.Total, want)
		}
	}
}

// A name written with invisible characters inside — a soft hyphen, a
// zero-width joiner, zero-width spaces for spaces — is found by the plain
// name, with diacritics and without, as the classifier finds it.
func TestInvisibleCharactersFound(t *testing.T) {
	ix := openTest(t, "")
	ctx := context.Background()
	arts := []*article.Article{
		{ID: "shy", Lang: "vi", Title: "Tin", Text: "Công nhân ở Biên H\u00adòa đình công.", Published: day("2026-11-01")},
		{ID: "zw", Lang: "en", Title: "News", Text: "Workers in \u200dĐồ\u200cng\u200bNai went on strike.", Published: day("2026-11-01")},
	}
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{`"Biên Hòa"`: "shy", `"Bien Hoa"`: "shy", `"Đồng Nai"`: "zw", `"Dong Nai"`: "zw"} {
		res, err := ix.Search(ctx, Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 1 || res.Hits[0].ID != want {
			t.Errorf("%s: %v, want %s", q, ids(res), want)
		}
	}
}

// Days are Vietnam days: an article published at 01:30 on 8 December in
// Vietnam (18:30 UTC on the 7th) is counted on the 8th, and a search for
// the 8th finds it, as the dashboard's bar for that day links.
func TestHistogramInVietnamDays(t *testing.T) {
	ix := openTest(t, "")
	ctx := context.Background()
	night := time.Date(2026, 12, 7, 18, 30, 0, 0, time.UTC)
	arts := []*article.Article{
		{ID: "night", Lang: "en", Title: "Dong Nai at night", Text: "Dong Nai news after midnight.", Published: night},
		{ID: "evening", Lang: "en", Title: "Dong Nai in the evening", Text: "Dong Nai news in the evening.", Published: night.Add(-2 * time.Hour)},
	}
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(ctx, Request{Facets: true, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []DateCount{{time.Date(2026, 12, 7, 0, 0, 0, 0, vietnam), 1}, {time.Date(2026, 12, 8, 0, 0, 0, 0, vietnam), 1}}
	if !slices.Equal(res.Histogram, want) {
		t.Errorf("histogram = %v, want %v", res.Histogram, want)
	}
	day8 := time.Date(2026, 12, 8, 0, 0, 0, 0, vietnam)
	res, err = ix.Search(ctx, Request{Since: day8, Until: day8.AddDate(0, 0, 1), Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(res), []string{"night"}) {
		t.Errorf("8 December (Vietnam): %v, want [night]", ids(res))
	}
}

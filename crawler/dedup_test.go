package crawler

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/presssim"
)

// TestDedupAcrossSources: an entry already stored under another source is
// not published again; the new source is recorded on the stored article. An
// entry claimed by a source in flight is left to that source.
func TestDedupAcrossSources(t *testing.T) {
	e := newEnv(t, presssim.Options{NoCorpus: true})
	ctx := context.Background()
	c := e.crawler(t, []Source{feedSource("a", "http://127.0.0.1:1/a", "en"), feedSource("b", "http://127.0.0.1:1/b", "en")}, nil)
	if _, err := c.load(ctx); err != nil {
		t.Fatal(err)
	}
	mk := func(u, src string) *article.Article {
		canon, id, err := article.IDFor(u)
		if err != nil {
			t.Fatal(err)
		}
		return &article.Article{ID: id, URL: u, CanonicalURL: canon, Source: src, Sources: []string{src}, Title: "t", Collected: time.Now().UTC()}
	}
	stored := mk("https://news.example.org/2026/dong-nai.html?utm_source=x", "a")
	if err := e.store.UpsertArticles(ctx, []*article.Article{stored}); err != nil {
		t.Fatal(err)
	}
	sb := c.runs[1]
	fresh, err := c.filterNew(ctx, sb, []entry{
		{art: mk("https://news.example.org/2026/dong-nai.html", "b")}, // same canonical URL as the stored one
		{art: mk("https://news.example.org/2026/other.html", "b")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh) != 1 || fresh[0].art.URL != "https://news.example.org/2026/other.html" {
		t.Fatalf("fresh = %+v", fresh)
	}
	got, err := e.store.GetArticle(ctx, stored.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got.Sources, "a") || !slices.Contains(got.Sources, "b") {
		t.Fatalf("sources %v, want a and b", got.Sources)
	}
	// "other" is now claimed by b: a sees it as someone else's.
	fa, err := c.filterNew(ctx, c.runs[0], []entry{{art: mk("https://news.example.org/2026/other.html", "a")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(fa) != 0 {
		t.Fatalf("claimed article offered to a second source")
	}
	// A second poll of b does not offer the merged entry again: it is seen.
	again, err := c.filterNew(ctx, sb, []entry{{art: mk("https://news.example.org/2026/dong-nai.html", "b")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("merged entry offered again")
	}
}

func TestUsableCanonical(t *testing.T) {
	tests := []struct {
		canon, page, want string
		ok                bool
	}{
		{"https://x.example/a/b.html", "https://x.example/a/b.html?ref=1", "https://x.example/a/b.html", true},
		{"/a/b.html", "https://x.example/feed/item", "https://x.example/a/b.html", true},
		{"https://x.example/", "https://x.example/a/b.html", "", false},
		{"", "https://x.example/a", "", false},
		{"javascript:alert(1)", "https://x.example/a", "", false},
	}
	for _, tt := range tests {
		got, ok := usableCanonical(tt.canon, tt.page)
		if ok != tt.ok || got != tt.want {
			t.Errorf("usableCanonical(%q, %q) = %q %v", tt.canon, tt.page, got, ok)
		}
	}
}

func TestHTMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain  text\n here", "plain text here"},
		{"<p>Đo\u0302\u0300ng <b>Nai</b></p><script>x()</script>&amp; more", "Đồng Nai & more"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := htmlText(tt.in); got != tt.want {
			t.Errorf("htmlText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

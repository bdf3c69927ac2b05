package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/presssim"
)

// TestSearchFeed polls a search feed template filled with two terms: both
// URLs are fetched, their entries published, and the next poll is two
// conditional GETs answered 304.
func TestSearchFeed(t *testing.T) {
	var mu sync.Mutex
	queries := map[string]int{}
	conditional := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		mu.Lock()
		queries[q]++
		if r.Header.Get("If-None-Match") == `"`+q+`"` {
			conditional++
			mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
		mu.Unlock()
		w.Header().Set("ETag", `"`+q+`"`)
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>search %s</title><link>%s/</link>
<item><title>Tin về %s</title><link>%s/a/%d</link><pubDate>Mon, 02 Mar 2026 10:00:00 +0700</pubDate><description>%s được nhắc đến.</description></item>
</channel></rss>`, q, "http://"+r.Host, q, "http://"+r.Host, len(q), q)
	}))
	defer srv.Close()
	cc := configs.CrawlerConfig{SearchTerms: map[string][]string{"vi": {"Đồng Nai", "Biên Hòa"}}}
	srcs, err := SourcesFromConfig(cc, []configs.Source{{Name: "search-vi", Kind: "search_feed", URL: srv.URL + "/rss/search?q={query}&hl={lang}", Lang: "vi", IntervalMin: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, presssim.Options{NoCorpus: true})
	c := e.crawler(t, srcs, func(o *Options) { o.SkipArticles = true })
	ctx := context.Background()
	if _, err := c.load(ctx); err != nil {
		t.Fatal(err)
	}
	sr := c.runs[0]
	c.poll(ctx, sr)
	if n := len(e.pub.bySource()["search-vi"]); n != 2 {
		t.Fatalf("published %d entries, want 2", n)
	}
	c.poll(ctx, sr)
	mu.Lock()
	defer mu.Unlock()
	if queries["Đồng Nai"] != 2 || queries["Biên Hòa"] != 2 || conditional != 2 {
		t.Fatalf("queries %v, conditional %d", queries, conditional)
	}
	if st := sr.state; st.ConsecutiveErrors != 0 || st.ItemsTotal != 2 {
		t.Fatalf("state %+v", st)
	}
}

package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/presssim"
)

const newsSitemap = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://x.example/asia/2026/03/01/dong-nai.html</loc>
  <news:news><news:publication><news:name>X</news:name><news:language>vi</news:language></news:publication>
  <news:publication_date>2026-03-01T08:00:00+07:00</news:publication_date><news:title>Đồng Nai mở rộng khu công nghiệp</news:title></news:news></url>
 <url><loc>https://x.example/asia/2019/01/01/old.html</loc><lastmod>2019-01-01</lastmod></url>
 <url><loc> https://x.example/about.html </loc></url>
</urlset>`

func TestParseSitemap(t *testing.T) {
	oldest := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(newsSitemap))
	zw.Close()
	for name, body := range map[string][]byte{"plain": []byte(newsSitemap), "gzip": gz.Bytes()} {
		urls, children, err := parseSitemap(body, "application/xml", oldest)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(children) != 0 || len(urls) != 2 {
			t.Fatalf("%s: urls %+v children %v", name, urls, children)
		}
		u := urls[0]
		if u.Title != "Đồng Nai mở rộng khu công nghiệp" || u.Lang != "vi" || !u.Published.Equal(time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: news entry %+v", name, u)
		}
		if urls[1].Loc != "https://x.example/about.html" {
			t.Errorf("%s: loc not trimmed: %q", name, urls[1].Loc)
		}
	}
	idx := `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://x.example/s1.xml</loc></sitemap><sitemap><loc>https://x.example/s2.xml.gz</loc></sitemap></sitemapindex>`
	_, children, err := parseSitemap([]byte(idx), "", oldest)
	if err != nil || strings.Join(children, " ") != "https://x.example/s1.xml https://x.example/s2.xml.gz" {
		t.Fatalf("index: %v %v", children, err)
	}
	if _, _, err := parseSitemap([]byte("<urlset><url><loc>x"), "", oldest); err == nil || !strings.Contains(err.Error(), "malformed sitemap XML") {
		t.Fatalf("truncated sitemap: %v", err)
	}
}

func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(newsSitemap), "application/xml")
	f.Add([]byte(`<sitemapindex><sitemap><loc>a</loc></sitemap></sitemapindex>`), "")
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0}, "")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		urls, _, err := parseSitemap(body, ct, time.Time{})
		if err != nil {
			return
		}
		if len(urls) > maxSitemapURLs {
			t.Fatalf("%d urls", len(urls))
		}
		for _, u := range urls {
			if !utf8.ValidString(u.Title) || u.Loc == "" {
				t.Fatalf("bad entry %+v", u)
			}
		}
	})
}

// TestSiteWalk checks how a site source follows links: depth first from
// the start page, once per URL (fragments dropped), only on the allowed
// host, to the source's depth, resolving against <base href>; links that
// match the article patterns are taken as articles (with the link's text as
// title) and not fetched.
func TestSiteWalk(t *testing.T) {
	e := newEnv(t, presssim.Options{NoCorpus: true})
	h := newHostile(t)
	h.set("/robots.txt", "text/plain", []byte("User-agent: *\nAllow: /\n"))
	h.set("/", "text/html", []byte(`<html><body>
		<a href="#top">top</a>
		<a href="/section/a">Section A</a>
		<a href="/section/a#more">Section A again</a>
		<a href="/news/1.html">One</a>
		<a href="/news/2.html"> Two
		  <b>words</b></a>
		<a href="http://other.example/news/9.html">elsewhere</a>
		<a href="http://localhost:1/section/x">other host</a>
		</body></html>`))
	h.set("/section/a", "text/html", []byte(`<html><head><base href="/news/"></head><body>
		<a href="3.html">Three</a>
		<a href="/deep/b">Deeper</a>
		<a href="/">Home</a>
		</body></html>`))
	h.set("/deep/b", "text/html", []byte(`<html><body><a href="/news/4.html">Four</a></body></html>`))
	src := Source{Name: "site", Kind: KindSite, URLs: []string{h.srv.URL + "/"}, Lang: "en",
		AllowedDomains: []string{"127.0.0.1"}, Depth: 2, IntervalMin: time.Minute, IntervalMax: time.Hour,
		ArticlePatterns: []*regexp.Regexp{regexp.MustCompile(`/news/\d+\.html$`)}}
	c := hostileCrawler(t, e, []Source{src}, true)
	if _, err := c.load(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries, err := c.collectSite(context.Background(), c.runs[0])
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, en := range entries {
		got[strings.TrimPrefix(en.art.URL, h.srv.URL)] = en.art.Title
	}
	want := map[string]string{"/news/1.html": "One", "/news/2.html": "Two words", "/news/3.html": "Three"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("articles %v, want %v", got, want)
	}
	for path, n := range map[string]int{"/": 1, "/section/a": 1, "/deep/b": 0, "/news/1.html": 0} {
		if h.hitsOf(path) != n {
			t.Errorf("%s fetched %d times, want %d", path, h.hitsOf(path), n)
		}
	}
}

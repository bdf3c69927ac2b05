package crawler

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/crawler/charset"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/presssim"
)

// hostile is a loopback web server whose documents a test sets and changes.
type hostile struct {
	srv  *httptest.Server
	mu   sync.Mutex
	docs map[string]hostileDoc
	hits map[string]int
	gate map[string]chan struct{} // a path whose answer waits for the channel to close
}

type hostileDoc struct {
	ct     string
	body   []byte
	status int
}

func newHostile(t *testing.T) *hostile {
	h := &hostile{docs: map[string]hostileDoc{}, hits: map[string]int{}, gate: map[string]chan struct{}{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		d, ok := h.docs[r.URL.Path]
		h.hits[r.URL.Path]++
		g := h.gate[r.URL.Path]
		h.mu.Unlock()
		if g != nil {
			select {
			case <-g:
			case <-r.Context().Done():
				return
			}
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		if d.ct != "" {
			w.Header().Set("Content-Type", d.ct)
		}
		if d.status != 0 {
			w.WriteHeader(d.status)
		}
		w.Write(d.body)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hostile) set(path, ct string, body []byte) {
	h.mu.Lock()
	h.docs[path] = hostileDoc{ct: ct, body: body}
	h.mu.Unlock()
}

func (h *hostile) setStatus(path string, status int) {
	h.mu.Lock()
	h.docs[path] = hostileDoc{ct: "text/plain", body: []byte("error"), status: status}
	h.mu.Unlock()
}

func (h *hostile) hitsOf(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

// localURL is the server's address under the name "localhost": another
// site than 127.0.0.1 for the canonical-link checks, the same server.
func (h *hostile) localURL() string {
	return strings.Replace(h.srv.URL, "127.0.0.1", "localhost", 1)
}

func rss(items ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>` + strings.Join(items, "") + `</channel></rss>`)
}

func rssEntry(guid, link, title, extra string) string {
	g := ""
	if guid != "" {
		g = `<guid isPermaLink="false">` + guid + `</guid>`
	}
	return "<item>" + g + "<link>" + link + "</link><title>" + title + "</title>" + extra + "</item>"
}

func articlePage(title, canonical, text string) []byte {
	c := ""
	if canonical != "" {
		c = `<link rel="canonical" href="` + canonical + `">`
	}
	var paras strings.Builder
	for i := range 6 {
		fmt.Fprintf(&paras, "<p>%s Paragraph %d of the report goes on with more detail about the province and its people.</p>", text, i)
	}
	return []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>` + title + `</title>` + c +
		`</head><body><article><h1>` + title + `</h1>` + paras.String() + `</article></body></html>`)
}

func hostileCrawler(t *testing.T, e *env, sources []Source, skip bool) *Crawler {
	return e.crawler(t, sources, func(o *Options) {
		o.SkipArticles = skip
		o.HTTP = fetch.Options{AllowHosts: []string{"127.0.0.1", "::1", "localhost"}, PerHost: fetch.HostLimit{Concurrency: 16, Rate: -1},
			Timeout: 20 * time.Second, MaxBodyBytes: 4 << 20}
	})
}

func (r *recorder) byURL(u string) *article.Article {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.arts {
		if a.URL == u {
			return a
		}
	}
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.arts)
}

// pollOnce polls source i of a loaded crawler the way the scheduler does.
func pollOnce(t *testing.T, c *Crawler, i int) {
	t.Helper()
	c.poll(context.Background(), c.runs[i])
	if n := c.arts.queued(); n > 0 {
		t.Fatalf("poll queued %d article jobs with SkipArticles", n)
	}
}

func sourceState(c *Crawler, i int) (int, string) {
	sr := c.runs[i]
	sr.mu.Lock()
	defer sr.mu.Unlock()
	return sr.state.ConsecutiveErrors, sr.state.LastError
}

// TestCanonicalAcrossSites: a page on one site declaring another outlet's
// URL as canonical keeps its own ID, and the other outlet's real article is
// still fetched and published under its ID. A canonical link within the
// page's registrable domain is still followed.
func TestCanonicalAcrossSites(t *testing.T) {
	e := newEnv(t, presssim.Options{NoCorpus: true})
	h := newHostile(t)
	victim := h.localURL() + "/victim/story.html"
	h.set("/evil/feed.xml", "application/rss+xml", rss(rssEntry("", h.srv.URL+"/evil/page.html", "Fake", "")))
	h.set("/evil/page.html", "text/html; charset=utf-8", articlePage("Fake story", victim, "Forged words about Bien Hoa."))
	h.set("/victim/feed.xml", "application/rss+xml", rss(rssEntry("", victim, "Real", "")))
	h.set("/victim/story.html", "text/html; charset=utf-8", articlePage("Real story", "", "True words about Dong Nai."))
	// The victim's feed answers only once the forged page was served, so the
	// forged claim comes first, as in the attack.
	open := make(chan struct{})
	h.gate["/victim/feed.xml"] = open
	go func() {
		for h.hitsOf("/evil/page.html") == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		close(open)
	}()
	c := hostileCrawler(t, e, []Source{
		feedSource("evil", h.srv.URL+"/evil/feed.xml", "en"),
		feedSource("victim", h.localURL()+"/victim/feed.xml", "en"),
	}, false)
	runUntil(t, c, 60*time.Second, func() bool { return e.pub.byURL(victim) != nil && e.pub.byURL(h.srv.URL+"/evil/page.html") != nil })

	_, victimID, _ := article.IDFor(victim)
	evil := e.pub.byURL(h.srv.URL + "/evil/page.html")
	if evil.ID == victimID || evil.CanonicalURL == victim {
		t.Fatalf("a page of another site was stored under the victim's ID: %+v", evil)
	}
	real := e.pub.byURL(victim)
	if real.ID != victimID || real.Source != "victim" || !strings.Contains(real.Text, "True words") {
		t.Fatalf("the real article: id %s source %s text %q", real.ID, real.Source, firstN(real.Text, 80))
	}
	if h.hitsOf("/victim/story.html") == 0 {
		t.Fatal("the real article was never fetched")
	}

	// Same registrable domain: followed.
	for _, tc := range []struct {
		canon, page string
		ok          bool
	}{
		{"https://www.example.co.uk/a/1", "https://news.example.co.uk/x", true},
		{"https://other.co.uk/a/1", "https://news.example.co.uk/x", false},
		{"https://evil.blogspot.com/a", "https://victim.blogspot.com/a", false},
		{"http://localhost:1/a", "http://127.0.0.1:1/a", false},
		{"http://127.0.0.1:2/a", "http://127.0.0.1:1/a", true},
	} {
		if _, ok := usableCanonical(tc.canon, tc.page); ok != tc.ok {
			t.Errorf("usableCanonical(%q, %q) = %v, want %v", tc.canon, tc.page, ok, tc.ok)
		}
	}
}

// TestCopyNeverOverwritesOriginal: a near-duplicate arriving while the
// original is still on its way through the classifier adds its source to the
// original's record and nothing else; the original's own upsert (what the
// classifier does) then fills the record, and a copy arriving after that
// changes no field but the sources.
func TestCopyNeverOverwritesOriginal(t *testing.T) {
	e := newEnv(t, presssim.Options{NoCorpus: true})
	h := newHostile(t)
	body := "The provincial people's committee of Dong Nai approved the second phase of the Long Thanh airport access road, worth 12 trillion dong, on Tuesday."
	h.set("/a/feed.xml", "application/rss+xml", rss(rssEntry("", h.srv.URL+"/a/orig.html", "Original title", "")))
	h.set("/a/orig.html", "text/html; charset=utf-8", articlePage("Original title", "", body))
	h.set("/b/feed.xml", "application/rss+xml", rss(rssEntry("", h.srv.URL+"/b/copy.html", "Copy title", "")))
	h.set("/b/copy.html", "text/html; charset=utf-8", articlePage("Copy title", "", body))
	h.set("/c/feed.xml", "application/rss+xml", rss(rssEntry("", h.srv.URL+"/c/copy2.html", "Second copy", "")))
	h.set("/c/copy2.html", "text/html; charset=utf-8", articlePage("Second copy", "", body))
	openB, openC := make(chan struct{}), make(chan struct{})
	h.gate["/b/feed.xml"], h.gate["/c/feed.xml"] = openB, openC
	c := hostileCrawler(t, e, []Source{
		feedSource("a", h.srv.URL+"/a/feed.xml", "en"),
		feedSource("b", h.srv.URL+"/b/feed.xml", "en"),
		feedSource("c", h.srv.URL+"/c/feed.xml", "en"),
	}, false)
	dupes := c.m.duplicates.WithLabelValues("simhash")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	waitFor(t, 60*time.Second, "original published", func() bool { return e.pub.count() == 1 })
	orig := e.pub.byURL(h.srv.URL + "/a/orig.html")
	if orig == nil {
		t.Fatalf("published %+v", e.pub.arts)
	}
	close(openB)
	waitFor(t, 60*time.Second, "copy merged", func() bool { return testutilValue(dupes) >= 1 && storedSources(e, orig.ID, "b") })
	got, err := e.store.GetArticle(context.Background(), orig.ID)
	if err != nil {
		t.Fatalf("the copy's source was not recorded on the original's ID: %v", err)
	}
	if got.Title == "Copy title" || strings.Contains(got.URL, "/b/") || !slices.Contains(got.Sources, "b") {
		t.Fatalf("record of the original while it is classified: url %q title %q sources %v", got.URL, got.Title, got.Sources)
	}
	// The classifier stores the original.
	stored := *orig
	stored.Classification = &article.Classification{About: true, Tone: "neutral", At: time.Now().UTC()}
	if err := e.store.UpsertArticles(context.Background(), []*article.Article{&stored}); err != nil {
		t.Fatal(err)
	}
	close(openC)
	waitFor(t, 60*time.Second, "second copy merged", func() bool { return testutilValue(dupes) >= 2 && storedSources(e, orig.ID, "c") })
	got, err = e.store.GetArticle(context.Background(), orig.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Original title" || got.URL != orig.URL || got.Source != "a" || got.Classification == nil || !got.Classification.About {
		t.Fatalf("the original's record was changed by its copies: %+v", got)
	}
	for _, s := range []string{"a", "b", "c"} {
		if !slices.Contains(got.Sources, s) {
			t.Errorf("sources %v lack %s", got.Sources, s)
		}
	}
	if e.pub.count() != 1 {
		t.Fatalf("copies published as new stories: %d articles", e.pub.count())
	}
}

// storedSources reports whether the stored article id lists source.
func storedSources(e *env, id, source string) bool {
	a, err := e.store.GetArticle(context.Background(), id)
	return err == nil && slices.Contains(a.Sources, source)
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHostileFeeds runs feeds that broke collection through the real poll:
// invalid bytes in UTF-8, a NUL, an over-deep JSON item, GUIDs repeated with
// other links, a date in 2099, bidi controls and a 20,000-character title.
func TestHostileFeeds(t *testing.T) {
	e := newEnv(t, presssim.Options{NoCorpus: true})
	h := newHostile(t)
	u := h.srv.URL

	// A few invalid bytes in a UTF-8 feed.
	h.set("/bytes.xml", "application/rss+xml; charset=utf-8", rss(
		rssEntry("", u+"/b/1", "Đồng Nai mở rộng", "<description>bad \xff byte</description>"),
		rssEntry("", u+"/b/2", "Biên Hòa", "<description>bad \xfe byte</description>"),
	))
	// One NUL and a reference to U+0001.
	h.set("/nul.xml", "application/rss+xml", rss(
		rssEntry("", u+"/n/1", "Long\x00 Thành", ""),
		rssEntry("", u+"/n/2", "Nhơn Trạch&#1;", ""),
	))
	// One over-deep JSON item among good ones.
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	h.set("/deep.json", "application/feed+json", []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[`+
		`{"id":"1","url":"`+u+`/j/1","title":"one"},{"id":"2","url":"`+u+`/j/2","title":"two","x":`+deep+`},{"id":"3","url":"`+u+`/j/3","title":"three"}]}`))
	// GUIDs repeated with another link, a date in 2099, bidi and a giant title.
	giant := strings.Repeat("Đồng Nai ", 2500)
	h.set("/guid.xml", "application/rss+xml", rss(
		rssEntry("g-1", u+"/g/1-corrected", "Corrected slug", "<pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate>"),
		rssEntry("g-1", u+"/g/1", "Original slug", ""),
		rssEntry("g-2", u+"/g/2", "Invoice \u202Egnp.exe\u202C \u2066x\u2069", "<description>a\u200Fb</description>"),
		rssEntry("g-3", u+"/g/3", giant, "<description>short</description><author>"+strings.Repeat("a ", 1000)+"</author>"),
	))
	c := hostileCrawler(t, e, []Source{
		feedSource("bytes", u+"/bytes.xml", "vi"),
		feedSource("nul", u+"/nul.xml", "vi"),
		feedSource("deep", u+"/deep.json", "en"),
		feedSource("guid", u+"/guid.xml", "en"),
	}, true)
	if _, err := c.load(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := range c.runs {
		pollOnce(t, c, i)
	}

	titles := map[string]string{}
	for _, a := range e.pub.arts {
		titles[strings.TrimPrefix(a.URL, u)] = a.Title
		if !utf8.ValidString(a.Title) || strings.IndexFunc(a.Title+a.Summary+a.Text, charset.IsBidiControl) >= 0 {
			t.Errorf("%s: title not clean: %q", a.URL, a.Title)
		}
	}
	for path, want := range map[string]string{
		"/b/1": "Đồng Nai mở rộng", "/b/2": "Biên Hòa", // not mojibake
		"/n/1": "Long Thành", "/n/2": "Nhơn Trạch",
		"/j/1": "one", "/j/3": "three",
		"/g/1-corrected": "Corrected slug", "/g/2": "Invoice gnp.exe x",
	} {
		if titles[path] != want {
			t.Errorf("%s: title %q, want %q", path, titles[path], want)
		}
	}
	for _, path := range []string{"/j/2", "/g/1"} {
		if _, ok := titles[path]; ok {
			t.Errorf("%s published", path)
		}
	}
	if n := len(e.pub.arts); n != 9 {
		t.Errorf("%d articles published, want 9", n)
	}
	// Sources read with repairs: a success, with the repair shown.
	for i, want := range map[int]string{0: "", 1: "removed 2 character", 2: "$.items[1]", 3: "repeated an earlier item's GUID"} {
		errs, last := sourceState(c, i)
		if errs != 0 || (want == "" && last != "") || !strings.Contains(last, want) {
			t.Errorf("source %s: consecutive errors %d, last error %q, want %q", c.runs[i].src.Name, errs, last, want)
		}
	}
	// A date after collection is clamped and flagged.
	fut := e.pub.byURL(u + "/g/1-corrected")
	if fut == nil || fut.Published.After(time.Now()) || fut.Published.Before(start) || !fut.HasFlag(article.FlagFutureDate) {
		t.Fatalf("future date: %+v", fut)
	}
	// A 20,000-character title is cut; the full title begins the text.
	g := e.pub.byURL(u + "/g/3")
	if g == nil || utf8.RuneCountInString(g.Title) > MaxTitleRunes || utf8.RuneCountInString(g.Author) > maxAuthorRunes || !strings.HasPrefix(g.Text, strings.TrimSpace(giant)) || !g.HasFlag(article.FlagTitleCut) {
		t.Fatalf("giant title: %d runes, text starts %q", utf8.RuneCountInString(g.Title), firstN(g.Text, 40))
	}

	// Next poll: the entry with GUID g-2 moved to a new link. Once the
	// article is stored, the move updates its link; it is not published again.
	if err := e.store.UpsertArticles(context.Background(), e.pub.arts); err != nil {
		t.Fatal(err)
	}
	h.set("/guid.xml", "application/rss+xml", rss(
		rssEntry("g-2", u+"/g/2-renamed", "Invoice renamed", ""),
	))
	before := e.pub.count()
	pollOnce(t, c, 3)
	if e.pub.count() != before {
		t.Fatalf("an entry whose link changed was published again: %+v", e.pub.arts[before:])
	}
	moved, err := e.store.GetArticle(context.Background(), e.pub.byURL(u+"/g/2").ID)
	if err != nil {
		t.Fatal(err)
	}
	if moved.URL != u+"/g/2-renamed" {
		t.Fatalf("moved entry's link %q, want the new one", moved.URL)
	}
	// A GUID cannot move an article to another site: that entry is a new
	// story, and the stored article keeps its link.
	other := h.localURL() + "/elsewhere/story.html"
	h.set("/guid.xml", "application/rss+xml", rss(rssEntry("g-2", other, "Elsewhere", "")))
	pollOnce(t, c, 3)
	if a := e.pub.byURL(other); a == nil || a.ID == moved.ID {
		t.Fatalf("an entry moved to another site: %+v", a)
	}
	if again, _ := e.store.GetArticle(context.Background(), moved.ID); again.URL != u+"/g/2-renamed" {
		t.Fatalf("the stored article's link was moved to another site: %q", again.URL)
	}
}

// TestRobotsUnreachableSourceError: a site whose robots.txt answers 503 is
// reported as "robots.txt unreachable", never as disallowed, and nothing of
// it is fetched.
func TestRobotsUnreachableSourceError(t *testing.T) {
	e := newEnv(t, presssim.Options{NoCorpus: true})
	h := newHostile(t)
	h.setStatus("/robots.txt", http.StatusServiceUnavailable)
	h.set("/", "text/html", []byte(`<html><body><a href="/news/1.html">one</a></body></html>`))
	c := hostileCrawler(t, e, []Source{{Name: "site", Kind: KindSite, URLs: []string{h.srv.URL + "/"}, Lang: "en",
		AllowedDomains: []string{"127.0.0.1"}, Depth: 1, IntervalMin: time.Minute, IntervalMax: time.Hour}}, true)
	if _, err := c.load(context.Background()); err != nil {
		t.Fatal(err)
	}
	pollOnce(t, c, 0)
	errs, last := sourceState(c, 0)
	if errs != 1 || !strings.Contains(last, "robots.txt unreachable") || strings.Contains(last, "disallowed by robots.txt") {
		t.Fatalf("source error %d %q", errs, last)
	}
	if n := h.hitsOf("/"); n != 0 {
		t.Fatalf("home page fetched %d times while robots.txt was unreachable", n)
	}
	if h.hitsOf("/robots.txt") == 0 {
		t.Fatal("robots.txt never asked for")
	}
}

func TestSanitizeArticle(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	a := &article.Article{
		Title:     strings.Repeat("word ", 150) + "\u202E",
		Author:    strings.Repeat("x", 500),
		Text:      "body \u2066text\u2069",
		Published: now.Add(10 * time.Minute),
	}
	sanitizeArticle(a, now)
	if !a.Published.Equal(now.Add(10*time.Minute)) || a.HasFlag(article.FlagFutureDate) {
		t.Errorf("a date within the skew allowance was changed: %s", a.Published)
	}
	if a.Title != strings.TrimSpace(strings.Repeat("word ", 150)) || a.HasFlag(article.FlagTitleCut) || a.Text != "body text" {
		t.Errorf("title %d runes, text %q, flags %v", utf8.RuneCountInString(a.Title), a.Text, a.Flags)
	}
	if n := utf8.RuneCountInString(a.Author); n > maxAuthorRunes {
		t.Errorf("author %d runes", n)
	}
	b := &article.Article{Title: strings.Repeat("word ", 300), Published: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}
	sanitizeArticle(b, now)
	if !b.Published.Equal(now) || !b.HasFlag(article.FlagFutureDate) {
		t.Errorf("2099 kept: %s %v", b.Published, b.Flags)
	}
	if n := utf8.RuneCountInString(b.Title); n > MaxTitleRunes || !strings.HasSuffix(b.Title, "word…") || !b.HasFlag(article.FlagTitleCut) ||
		!strings.HasPrefix(b.Text, strings.TrimSpace(strings.Repeat("word ", 300))) {
		t.Errorf("title cut: %d runes, ends %q; text starts %q", n, b.Title[len(b.Title)-10:], firstN(b.Text, 20))
	}
}

// TestPagesThatAreNotArticles: a PDF, a PNG served as text/html and a page
// with no extractable text are not stored as the article's text (a PDF
// became 76,000 characters of binary noise, classified and alerted, in an
// outside run); the entry is published as the feed gave it, the page is not
// fetched again and again, and the source says why.
func TestPagesThatAreNotArticles(t *testing.T) {
	e := newEnv(t, presssim.Options{NoCorpus: true})
	h := newHostile(t)
	u := h.srv.URL
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 4000)...)
	h.set("/p/doc", "application/pdf", append([]byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nstream\n"), bytes.Repeat([]byte{0x8f, 0x00, 0x41}, 5000)...))
	h.set("/p/img", "text/html; charset=utf-8", png)
	h.set("/p/stub", "text/html; charset=utf-8", []byte(`<html><head><META HTTP-EQUIV="Refresh" content="0; url=http://10.0.0.1/"><title>Đồng Nai</title></head><body>Redirecting…</body></html>`))
	h.set("/p/good", "text/html; charset=utf-8", articlePage("Đồng Nai mở cảng", "", strings.Repeat("Tỉnh Đồng Nai khởi công cảng Phước An để phục vụ xuất khẩu. ", 20)))
	h.set("/feed.xml", "application/rss+xml", rss(
		rssEntry("", u+"/p/doc", "Báo cáo Đồng Nai (PDF)", "<description>Tóm tắt báo cáo</description>"),
		rssEntry("", u+"/p/img", "Ảnh Đồng Nai", "<description>Ảnh</description>"),
		rssEntry("", u+"/p/stub", "Đồng Nai chuyển trang", "<description>Bài đã chuyển</description>"),
		rssEntry("", u+"/p/good", "Đồng Nai mở cảng", ""),
	))
	c := hostileCrawler(t, e, []Source{feedSource("pages", u+"/feed.xml", "vi")}, false)
	runUntil(t, c, 60*time.Second, func() bool {
		return e.pub.byURL(u+"/p/doc") != nil && e.pub.byURL(u+"/p/img") != nil && e.pub.byURL(u+"/p/good") != nil && e.pub.byURL(u+"/p/stub") != nil
	})
	for _, p := range []string{"/p/doc", "/p/img", "/p/stub"} {
		a := e.pub.byURL(u + p)
		if a.Text != "" || strings.ContainsRune(a.Title+a.Summary, 0) {
			t.Errorf("%s: published with %d bytes of text %.40q", p, len(a.Text), a.Text)
		}
		if n := h.hitsOf(p); n != 1 {
			t.Errorf("%s fetched %d times, want once", p, n)
		}
	}
	if a := e.pub.byURL(u + "/p/good"); !strings.Contains(a.Text, "cảng Phước An") {
		t.Errorf("the good page lost its text: %q", a.Text)
	}
	// The next successful poll shows the pages on the source.
	c.poll(context.Background(), c.runs[0])
	if _, warn := sourceState(c, 0); !strings.Contains(warn, "article pages not read: 3 since the last poll, the last: page "+u+"/p/") {
		t.Errorf("source warning %q", warn)
	}
	c.poll(context.Background(), c.runs[0])
	if _, warn := sourceState(c, 0); warn != "" {
		t.Errorf("the warning outlived a poll with no page problem: %q", warn)
	}
}

func TestNotAPage(t *testing.T) {
	for _, tc := range []struct {
		ct   string
		body string
		want string
	}{
		{"text/html; charset=utf-8", "<html><body><p>Đồng Nai</p></body></html>", ""},
		{"", "<!doctype html><p>x</p>", ""},
		{"application/xhtml+xml", "<?xml version='1.0'?><html/>", ""},
		{"text/plain", "Đồng Nai plain text", ""},
		{"application/pdf", "%PDF-1.4 ...", "a PDF document"},
		{"text/html", "%PDF-1.4 ...", "a PDF document"},
		{"text/html", "\x89PNG\r\n\x1a\n\x00\x00", "a file of type image/png"},
		{"image/jpeg", "\xff\xd8\xff\xe0", "a file of type image/jpeg"},
		{"application/octet-stream", "<html><p>x</p></html>", ""},
		{"application/octet-stream", "PK\x03\x04\x00\x00", "a file of type application/octet-stream"},
	} {
		if got := notAPage(tc.ct, []byte(tc.body)); got != tc.want {
			t.Errorf("%q %.12q: %q, want %q", tc.ct, tc.body, got, tc.want)
		}
	}
	if !isRefreshStub([]byte(`<meta http-equiv = "refresh" content="0;url=/x">`), "Redirecting…") ||
		isRefreshStub([]byte(`<meta http-equiv="refresh" content="300">`), strings.Repeat("Tin Đồng Nai. ", 40)) ||
		isRefreshStub([]byte(`<meta http-equiv="content-type" content="text/html">`), "short") {
		t.Error("isRefreshStub")
	}
}

package presssim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/unicode/norm"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/presssim"
)

// start runs a simulator for the test and closes it at the end.
func start(t testing.TB, opts presssim.Options) *presssim.Server {
	t.Helper()
	s, err := presssim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func get(t testing.TB, url string, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", url, err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func TestNewRejectsNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.168.1.1:80", ":8090", "example.com:80"} {
		if _, err := presssim.New(presssim.Options{Addr: addr}); err == nil {
			t.Errorf("New(%q) accepted a non-loopback address", addr)
		}
	}
}

func TestCorpus(t *testing.T) {
	items, err := presssim.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) < 60 {
		t.Errorf("corpus has %d items, want at least 60", len(items))
	}
	outletLang := map[string]string{}
	s := start(t, presssim.Options{NoCorpus: true})
	for _, si := range s.Sources() {
		outletLang[si.Name] = si.Lang
	}
	langs := map[string]int{}
	forms := map[string]int{}
	lookAlikes := map[string]bool{}
	clusters := map[string]map[string]bool{}
	var about, mentionsOnly, none, review, hostile int
	for _, it := range items {
		langs[it.Lang]++
		forms[it.Form]++
		if it.Truth.LookAlike != "" {
			lookAlikes[it.Truth.LookAlike] = true
		}
		if it.Truth.About && !it.Truth.Mentions {
			t.Errorf("%s: about but not mentions", it.ID)
		}
		switch {
		case it.Truth.About:
			about++
		case it.Truth.Mentions:
			mentionsOnly++
		default:
			none++
		}
		if it.Truth.NeedsReview {
			review++
		}
		if it.Hostile {
			hostile++
			if !strings.Contains(it.HTML, "<script") || !strings.Contains(it.HTML, "onerror=") || !strings.Contains(it.HTML, "javascript:") ||
				!strings.Contains(it.HTML, "<iframe") || !strings.Contains(it.HTML, "expression(") {
				t.Errorf("%s: hostile article lacks one of script, onerror, javascript:, iframe, expression()", it.ID)
			}
		}
		if len(it.Outlets) == 0 {
			t.Errorf("%s: no outlets", it.ID)
		}
		for _, o := range it.Outlets {
			if l, ok := outletLang[o]; !ok {
				t.Errorf("%s: unknown outlet %q", it.ID, o)
			} else if l != it.Lang {
				t.Errorf("%s: %s item at %s outlet %q", it.ID, it.Lang, l, o)
			}
			if c := it.Truth.Cluster; c != "" {
				if clusters[c] == nil {
					clusters[c] = map[string]bool{}
				}
				clusters[c][o] = true
			}
		}
		if it.Published.IsZero() {
			t.Errorf("%s: no publication date", it.ID)
		}
		text := it.Title + " " + strings.Join(it.Body, " ")
		switch it.Form {
		case "nfd":
			if norm.NFD.String(text) != text || norm.NFC.String(text) == text {
				t.Errorf("%s: form nfd but text is not decomposed", it.ID)
			}
		case "ascii":
			for _, r := range text {
				if r > unicode.MaxASCII && unicode.IsLetter(r) {
					t.Errorf("%s: form ascii but has %q", it.ID, r)
					break
				}
			}
		default:
			if !norm.NFC.IsNormalString(text) {
				t.Errorf("%s: text is not NFC", it.ID)
			}
		}
	}
	for _, l := range []string{"vi", "en", "zh", "ko", "ja"} {
		if langs[l] < 5 {
			t.Errorf("%d items in %s, want at least 5", langs[l], l)
		}
	}
	if forms["nfd"] < 2 || forms["ascii"] < 2 {
		t.Errorf("forms %v: want a few nfd and a few ascii items", forms)
	}
	for _, p := range []string{"Đồng Tháp", "Đồng Hới", "Đắk Nông", "Vĩnh Phúc"} {
		if !lookAlikes[p] {
			t.Errorf("no look-alike item for %s", p)
		}
	}
	if about < 20 || mentionsOnly < 3 || none < 10 || review < 5 || hostile != 1 {
		t.Errorf("about %d, mentions only %d, none %d, needs review %d, hostile %d", about, mentionsOnly, none, review, hostile)
	}
	big := 0
	for _, outlets := range clusters {
		big = max(big, len(outlets))
	}
	if big < 5 {
		t.Errorf("largest story is carried by %d outlets, want at least 5", big)
	}
}

// rssDoc, atomDoc and urlset are what encoding/xml must read from the feeds.
type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Channel struct {
		Title string `xml:"title"`
		Items []struct {
			Title   string `xml:"title"`
			Link    string `xml:"link"`
			PubDate string `xml:"pubDate"`
			Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
		} `xml:"item"`
	} `xml:"channel"`
}

type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Entries []struct {
		Title     string `xml:"title"`
		Published string `xml:"published"`
		Link      struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

type urlset struct {
	XMLName xml.Name `xml:"urlset"`
	URLs    []struct {
		Loc  string `xml:"loc"`
		News *struct {
			Title string `xml:"title"`
			Date  string `xml:"publication_date"`
		} `xml:"news"`
	} `xml:"url"`
}

func TestFormatsParse(t *testing.T) {
	s := start(t, presssim.Options{})
	fp := gofeed.NewParser()
	for _, si := range s.Sources() {
		t.Run(si.Name, func(t *testing.T) {
			if si.Items == 0 {
				t.Fatal("no items")
			}
			var rss rssDoc
			body := get(t, si.RSS).body
			if err := xml.Unmarshal(body, &rss); err != nil {
				t.Fatalf("rss: %v", err)
			}
			if len(rss.Channel.Items) != si.Items {
				t.Errorf("rss has %d items, want %d", len(rss.Channel.Items), si.Items)
			}
			for _, it := range rss.Channel.Items {
				if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
					t.Errorf("rss pubDate %q: %v", it.PubDate, err)
				}
				if it.Content == "" || it.Title == "" || !strings.HasPrefix(it.Link, s.URL()+"/"+si.Name+"/") {
					t.Errorf("rss item %+v incomplete", it)
				}
			}
			var atom atomDoc
			if err := xml.Unmarshal(get(t, si.Atom).body, &atom); err != nil {
				t.Fatalf("atom: %v", err)
			}
			if len(atom.Entries) != si.Items {
				t.Errorf("atom has %d entries, want %d", len(atom.Entries), si.Items)
			}
			var jf struct {
				Version string `json:"version"`
				Items   []struct {
					ID, URL, Title, DatePublished string
				} `json:"items"`
			}
			if err := json.Unmarshal(get(t, si.JSONFeed).body, &jf); err != nil {
				t.Fatalf("json feed: %v", err)
			}
			if jf.Version != "https://jsonfeed.org/version/1.1" || len(jf.Items) != si.Items {
				t.Errorf("json feed version %q with %d items", jf.Version, len(jf.Items))
			}
			for _, u := range []string{si.RSS, si.Atom, si.JSONFeed} {
				f, err := fp.ParseURL(u)
				if err != nil {
					t.Fatalf("gofeed %s: %v", u, err)
				}
				if len(f.Items) != si.Items || f.Language == "" && !strings.HasSuffix(u, ".json") {
					t.Errorf("gofeed %s: %d items (want %d), language %q", u, len(f.Items), si.Items, f.Language)
				}
				for _, it := range f.Items {
					if it.PublishedParsed == nil || it.Title == "" || it.Link == "" {
						t.Errorf("gofeed %s: item %q lacks date, title or link", u, it.Title)
					}
				}
			}
			var sm, news urlset
			if err := xml.Unmarshal(get(t, si.Sitemap).body, &sm); err != nil {
				t.Fatalf("sitemap: %v", err)
			}
			if len(sm.URLs) != si.Items+1+len(si.Sections) {
				t.Errorf("sitemap has %d urls, want %d", len(sm.URLs), si.Items+1+len(si.Sections))
			}
			if err := xml.Unmarshal(get(t, si.NewsSitemap).body, &news); err != nil {
				t.Fatalf("news sitemap: %v", err)
			}
			if len(news.URLs) != si.Items {
				t.Errorf("news sitemap has %d urls, want %d", len(news.URLs), si.Items)
			}
			for _, u := range news.URLs {
				if u.News == nil || u.News.Title == "" || u.News.Date == "" {
					t.Errorf("news sitemap entry %s lacks news:news", u.Loc)
				}
			}
			if r := get(t, si.Robots); r.status != 200 || !bytes.Contains(r.body, []byte("Sitemap: "+si.Sitemap)) {
				t.Errorf("robots.txt: %d %q", r.status, r.body)
			}
			for _, sec := range append([]string{si.Home}, si.Sections...) {
				if r := get(t, sec); r.status != 200 || !bytes.Contains(r.body, []byte("<nav class=\"main-nav\">")) {
					t.Errorf("section %s: %d", sec, r.status)
				}
			}
		})
	}
	var idx struct {
		XMLName  xml.Name `xml:"sitemapindex"`
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal(get(t, s.URL()+"/sitemap.xml").body, &idx); err != nil || len(idx.Sitemaps) != 2*len(s.Sources()) {
		t.Errorf("sitemap index: %v, %d sitemaps", err, len(idx.Sitemaps))
	}
}

func TestArticlePages(t *testing.T) {
	s := start(t, presssim.Options{})
	var rss rssDoc
	si := s.Sources()[2] // meridian: tracked links
	if err := xml.Unmarshal(get(t, si.RSS).body, &rss); err != nil {
		t.Fatal(err)
	}
	tracked := 0
	for _, it := range rss.Channel.Items {
		if strings.Contains(it.Link, "utm_source=") {
			tracked++
		}
		r := get(t, it.Link)
		if r.status != 200 {
			t.Fatalf("%s: status %d", it.Link, r.status)
		}
		canonical, _, err := article.IDFor(it.Link)
		if err != nil {
			t.Fatal(err)
		}
		page := string(r.body)
		for _, want := range []string{
			`<link rel="canonical" href="` + canonical + `">`,
			`<meta property="og:url" content="` + canonical + `">`,
			`<meta property="og:title"`, `<meta property="article:published_time"`, `<meta name="author"`,
			`<nav class="main-nav">`, `class="comments"`, `class="ad `, `<footer`, `class="related"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %s", it.Link, want)
			}
		}
		truth, ok := s.TruthFor(it.Link)
		if !ok || !strings.Contains(page, "<h1 class=\"headline\">") || truth.Title != it.Title {
			t.Errorf("TruthFor(%s) = %q, %v; feed title %q", it.Link, truth.Title, ok, it.Title)
		}
	}
	if tracked == 0 {
		t.Error("meridian's feed links carry no tracking parameters")
	}
	if r := get(t, s.URL()+"/meridian/news/2020/01/01/nope.html"); r.status != 404 {
		t.Errorf("unknown article: %d", r.status)
	}
}

func TestHostileArticleIsServedRaw(t *testing.T) {
	s := start(t, presssim.Options{})
	u := s.ItemURL("asialedger", "en-hostile")
	if u == "" {
		t.Fatal("hostile article not published")
	}
	page := string(get(t, u).body)
	for _, want := range []string{"<script>document.title", `onerror="window.__presssimHostile=2`, `href="javascript:alert('javascript-link')"`, "<iframe", "expression(alert"} {
		if !strings.Contains(page, want) {
			t.Errorf("hostile page lacks %s", want)
		}
	}
	// The title is text: the simulator itself escapes it.
	if strings.Contains(page, `<b onmouseover=`) || !strings.Contains(page, `&lt;b onmouseover=`) {
		t.Error("hostile title not escaped as text in the simulator's page")
	}
}

func TestConditionalGET(t *testing.T) {
	s := start(t, presssim.Options{Farm: 10})
	si := s.Sources()[0]
	art := s.ItemURL(si.Name, "vi-longthanh-tienDo")
	for _, u := range []string{si.RSS, si.Atom, si.JSONFeed, si.Home, si.Sections[0], si.Sitemap, si.NewsSitemap, si.Robots, art,
		s.URL() + "/robots.txt", s.URL() + "/sitemap.xml", s.FarmFeedURL(3), s.URL() + "/farm/3/a/4.html"} {
		t.Run(strings.TrimPrefix(u, s.URL()), func(t *testing.T) {
			first := get(t, u)
			etag, lm := first.header.Get("ETag"), first.header.Get("Last-Modified")
			if first.status != 200 || etag == "" || lm == "" {
				t.Fatalf("status %d, ETag %q, Last-Modified %q", first.status, etag, lm)
			}
			if r := get(t, u, "If-None-Match", etag); r.status != 304 || len(r.body) != 0 {
				t.Errorf("If-None-Match: status %d, %d bytes", r.status, len(r.body))
			}
			if r := get(t, u, "If-Modified-Since", lm); r.status != 304 {
				t.Errorf("If-Modified-Since: status %d", r.status)
			}
			if r := get(t, u, "If-None-Match", `"other"`); r.status != 200 {
				t.Errorf("stale If-None-Match: status %d", r.status)
			}
			old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)
			if r := get(t, u, "If-Modified-Since", old); r.status != 200 {
				t.Errorf("old If-Modified-Since: status %d", r.status)
			}
		})
	}
	// A publication changes the feed: the old validators now get a 200.
	before := get(t, si.RSS)
	if _, err := s.Publish(si.Name, presssim.Item{Title: "Tin mới về Đồng Nai", Body: []string{"Nội dung."}}); err != nil {
		t.Fatal(err)
	}
	after := get(t, si.RSS, "If-None-Match", before.header.Get("ETag"))
	if after.status != 200 || after.header.Get("ETag") == before.header.Get("ETag") {
		t.Errorf("after publish: status %d, ETag %q (was %q)", after.status, after.header.Get("ETag"), before.header.Get("ETag"))
	}
	if r := get(t, si.RSS, "If-Modified-Since", before.header.Get("Last-Modified")); r.status != 200 {
		t.Errorf("after publish, If-Modified-Since: status %d", r.status)
	}
}

func TestPublish(t *testing.T) {
	s := start(t, presssim.Options{NoCorpus: true})
	p, err := s.Publish("hankyeol", presssim.Item{ID: "ko-test-1", Title: "동나이성 새 소식", Summary: "요약", Body: []string{"본문 첫 문단.", "둘째 문단."}})
	if err != nil {
		t.Fatal(err)
	}
	if r := get(t, p.URL); r.status != 200 || !strings.Contains(string(r.body), "둘째 문단.") {
		t.Fatalf("article %s: %d", p.URL, r.status)
	}
	// Through the control endpoint too.
	body := `{"source":"hankyeol","item":{"title":"두 번째 기사","body":["내용"]}}`
	resp, err := http.Post(s.URL()+"/_sim/publish", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var p2 presssim.Published
	if err := json.NewDecoder(resp.Body).Decode(&p2); err != nil || resp.StatusCode != 201 {
		t.Fatalf("control publish: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	fp := gofeed.NewParser()
	for _, u := range []string{"/hankyeol/rss.xml", "/hankyeol/atom.xml", "/hankyeol/feed.json"} {
		f, err := fp.ParseURL(s.URL() + u)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) != 2 || f.Items[0].Title != "두 번째 기사" || f.Items[1].Title != "동나이성 새 소식" {
			var titles []string
			for _, it := range f.Items {
				titles = append(titles, it.Title)
			}
			t.Errorf("%s: items %q, want the two published, newest first", u, titles)
		}
	}
	if _, err := s.Publish("nope", presssim.Item{Title: "x"}); err == nil {
		t.Error("publish to an unknown source succeeded")
	}
	if _, err := s.Publish("hankyeol", presssim.Item{ID: "../x", Title: "x"}); err == nil {
		t.Error("publish with a path in the id succeeded")
	}
	if n := s.Hits("/hankyeol/rss.xml"); n != 1 {
		t.Errorf("Hits(rss) = %d, want 1", n)
	}
}

func TestSchedule(t *testing.T) {
	s := start(t, presssim.Options{Interval: 10 * time.Millisecond})
	var st presssim.State
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if err := json.Unmarshal(get(t, s.URL()+"/_sim/state").body, &st); err != nil {
			t.Fatal(err)
		}
		if st.Held == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st.Held != 0 {
		t.Fatalf("%d held items never published", st.Held)
	}
	if s.ItemURL("viendong", "vi-hold-caotoc") != "" || s.ItemURL("nguoiviet-observer", "vi-hold-caotoc") == "" {
		t.Error("held item not published at its outlet")
	}
	// Once the held items are out, the schedule keeps going with follow-ups.
	it, pubs, err := s.Tick()
	if err != nil || len(pubs) == 0 || !strings.Contains(it.ID, "-u") {
		t.Fatalf("Tick after the held items: %q, %v, %v", it.ID, pubs, err)
	}
	if r := get(t, pubs[0].URL); r.status != 200 {
		t.Errorf("follow-up page: %d", r.status)
	}
	// A follow-up is dated an hour after its story was first published,
	// not today: the classifier's story window is in publication time.
	orig := it.ID[:strings.LastIndex(it.ID, "-u")]
	first, ok := s.FirstPublished(orig)
	if !ok {
		t.Fatalf("%s: its story %s was never published", it.ID, orig)
	}
	t.Logf("follow-up %s of a story first published %v, published %v", it.ID, first, pubs[0].At)
	want := first.Add(time.Hour)
	if want.After(time.Now()) {
		want = pubs[0].At // a story published this hour: its update is now
	}
	if !pubs[0].At.Equal(want) {
		t.Errorf("follow-up of %s published %v, want %v (an hour after %v)", orig, pubs[0].At, want, first)
	}
}

func TestControlAPI(t *testing.T) {
	s := start(t, presssim.Options{Farm: 100})
	post := func(path, body string) (int, string) {
		resp, err := http.Post(s.URL()+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		path, body string
		status     int
	}{
		{"/_sim/fault", `{"source":"meridian","fault":{"kind":"ratelimit","retry_after":"30s"}}`, 200},
		{"/_sim/fault", `{"source":"meridian","fault":{"kind":"nonsense"}}`, 400},
		{"/_sim/fault", `{"source":"nope","fault":{"kind":"hang"}}`, 400},
		{"/_sim/fault", `{"source":"meridian","fault":{"kind":"latency","latency":"soon"}}`, 400},
		{"/_sim/fault", `{"source":"meridian","fault":{"kind":"status","status":200}}`, 400},
		{"/_sim/fault", `{"source":"meridian","fault":{"kind":"status","target":"nowhere"}}`, 400},
		{"/_sim/fault", `{"bogus":1}`, 400},
		{"/_sim/publish", `{"source":"meridian","item":{"body":["no title"]}}`, 400},
		{"/_sim/publish", `not json`, 400},
		{"/_sim/farm", `{"change":2}`, 400},
		{"/_sim/farm", `{"change":0.5}`, 200},
		{"/_sim/tick", `{}`, 201},
		{"/_sim/nothing", `{}`, 404},
	}
	for _, tc := range tests {
		if got, body := post(tc.path, tc.body); got != tc.status {
			t.Errorf("POST %s %s: %d %s, want %d", tc.path, tc.body, got, body, tc.status)
		}
	}
	r := get(t, s.URL()+"/meridian/rss.xml")
	if r.status != 429 || r.header.Get("Retry-After") != "30" {
		t.Errorf("after fault: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	var st presssim.State
	if err := json.Unmarshal(get(t, s.URL()+"/_sim/state").body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Farm == nil || st.Farm.Feeds != 100 || st.Farm.Changes != 1 || len(st.Sources) < 7 {
		t.Errorf("state: farm %+v, %d sources", st.Farm, len(st.Sources))
	}
	var f *presssim.Fault
	for _, si := range st.Sources {
		if si.Name == "meridian" {
			f = si.Fault
		}
	}
	if f == nil || f.Kind != presssim.FaultRateLimit || f.RetryAfter != 30*time.Second {
		t.Errorf("state fault = %+v", f)
	}
	if code, _ := post("/_sim/fault", `{"source":"meridian","clear":true}`); code != 200 || get(t, s.URL()+"/meridian/rss.xml").status != 200 {
		t.Error("clearing the fault did not restore the feed")
	}
}

func FuzzControlPublish(f *testing.F) {
	s, err := presssim.New(presssim.Options{NoCorpus: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(`{"source":"meridian","item":{"title":"x","body":["y"]}}`)
	f.Add(`{"source":"viendong","item":{"id":"a-b","title":"<script>","summary":"]]>","html":"<p>x"}}`)
	f.Add(`{"source":"meridian","fault":{"kind":"latency","latency":"1ns"}}`)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/_sim/publish", "/_sim/fault"} {
			req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1"+path, strings.NewReader(body))
			rec := newRecorder()
			s.ServeHTTP(rec, req)
			if rec.status != 201 && rec.status != 200 && rec.status != 400 {
				t.Fatalf("%s: status %d", path, rec.status)
			}
		}
		s.ClearFault("meridian")
		s.ClearFault("viendong")
		// Whatever was published, the feeds stay well formed.
		for _, path := range []string{"/meridian/rss.xml", "/viendong/atom.xml"} {
			req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1"+path, nil)
			rec := newRecorder()
			s.ServeHTTP(rec, req)
			if err := xmlWellFormed(rec.body.Bytes()); err != nil {
				t.Fatalf("%s not well formed after %q: %v", path, body, err)
			}
		}
	})
}

// recorder is a minimal http.ResponseWriter for the fuzz test.
type recorder struct {
	status int
	header http.Header
	body   bytes.Buffer
}

func newRecorder() *recorder                    { return &recorder{header: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func xmlWellFormed(b []byte) error {
	if !utf8.Valid(b) {
		return fmt.Errorf("not UTF-8")
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func TestRepublishReplaces(t *testing.T) {
	s := start(t, presssim.Options{NoCorpus: true})
	first, err := s.Publish("meridian", presssim.Item{ID: "same", Title: "First", Section: "business"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Publish("meridian", presssim.Item{ID: "same", Title: "Second", Section: "world",
		Published: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if first.URL == second.URL {
		t.Fatal("section and date changed but the URL did not")
	}
	if r := get(t, first.URL); r.status != 404 {
		t.Errorf("old URL: %d", r.status)
	}
	f, err := gofeed.NewParser().ParseURL(s.URL() + "/meridian/rss.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 || f.Items[0].Title != "Second" {
		t.Errorf("feed after republish has %d items", len(f.Items))
	}
	// HEAD gets the validators and no body.
	resp, err := http.Head(second.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
		t.Errorf("HEAD: %d ETag %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if r := get(t, s.URL()+"/meridian"); r.status != 200 || !strings.Contains(string(r.body), "Second") {
		t.Errorf("/meridian should redirect to the home page: %d", r.status)
	}
}

func TestToArticle(t *testing.T) {
	s := start(t, presssim.Options{})
	items, err := presssim.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Hold {
			continue
		}
		for _, src := range it.Outlets {
			a, err := presssim.ToArticle(it, src, s.URL())
			if err != nil {
				t.Fatal(err)
			}
			if a.URL != s.ItemURL(src, it.ID) {
				t.Errorf("%s at %s: URL %s, served at %s", it.ID, src, a.URL, s.ItemURL(src, it.ID))
			}
			if a.ID != article.ID(a.CanonicalURL) || a.Text == "" || a.Lang != it.Lang || a.Published.IsZero() {
				t.Errorf("%s: incomplete article %+v", it.ID, a)
			}
			if !norm.NFC.IsNormalString(a.Text) || !norm.NFC.IsNormalString(a.Title) {
				t.Errorf("%s: text not NFC", it.ID)
			}
			if _, err := article.Marshal(a); err != nil {
				t.Errorf("%s: %v", it.ID, err)
			}
			if it.Hostile && (strings.Contains(a.Text, "alert(") || !strings.Contains(a.Text, "Long Thanh International Airport")) {
				t.Errorf("hostile text: %q", a.Text)
			}
		}
	}
	if _, err := presssim.ToArticle(items[0], "nope", s.URL()); err == nil {
		t.Error("unknown source accepted")
	}
}

func TestLastModifiedAdvancesWithinASecond(t *testing.T) {
	s := start(t, presssim.Options{NoCorpus: true})
	u := s.URL() + "/asialedger/atom.xml"
	var last string
	for i := range 3 {
		if _, err := s.Publish("asialedger", presssim.Item{Title: fmt.Sprintf("Item %d", i)}); err != nil {
			t.Fatal(err)
		}
		r := get(t, u)
		lm := r.header.Get("Last-Modified")
		if last != "" {
			if r2 := get(t, u, "If-Modified-Since", last); r2.status != 200 {
				t.Errorf("publish %d: If-Modified-Since %s got %d", i, last, r2.status)
			}
		}
		last = lm
	}
}

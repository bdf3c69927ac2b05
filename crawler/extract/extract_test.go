package extract

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/crawler/charset"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExtractArticle(t *testing.T) {
	e := New(Options{})
	res, err := e.Extract(readFixture(t, "article.html"), "https://news.example.com/business/long-thanh?utm_source=rss")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"title", res.Title, "Dong Nai opens Long Thanh airport terminal"},
		{"author", res.Author, "Nguyen Van An"},
		{"canonical", res.CanonicalURL, "https://news.example.com/business/2024/05/long-thanh-terminal"},
		{"image", res.ImageURL, "https://news.example.com/img/long-thanh.jpg"},
		{"lang", res.Lang, "en"},
		{"published", res.Published.UTC().Format(time.RFC3339), "2024-05-14T01:30:00Z"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.HasPrefix(res.Description, "The first passenger terminal") {
		t.Errorf("description = %q", res.Description)
	}
	for _, want := range []string{
		"The first passenger terminal of Long Thanh International Airport",
		"relieve the crowded Tan Son Nhat airport.",
		"the deputy prime minister.",
	} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, res.Text)
		}
	}
	for _, bad := range []string{"Subscribe now", "Related stories", "Ten things to do", "All rights reserved"} {
		if strings.Contains(res.Text, bad) {
			t.Errorf("text contains boilerplate %q:\n%s", bad, res.Text)
		}
	}
	if n := strings.Count(res.Text, "\n\n"); n < 4 {
		t.Errorf("text has %d paragraph breaks, want at least 4:\n%s", n, res.Text)
	}
}

func TestExtractConcurrent(t *testing.T) {
	e := New(Options{})
	page := readFixture(t, "article.html")
	want, err := e.Extract(page, "https://news.example.com/a")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for range 5 {
				got, err := e.Extract(page, "https://news.example.com/a")
				if err == nil && got.Text != want.Text {
					err = errors.New("different text from the same page")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestExtractBadInput(t *testing.T) {
	deep := bytes.Repeat([]byte("<div>"), 200_000)
	para := "<p>Tỉnh Đồng Nai hôm nay công bố kế hoạch mở rộng khu công nghiệp Biên Hòa, với tổng vốn đầu tư hàng nghìn tỷ đồng cho hạ tầng.</p>"
	tangle := []byte("<html><head><title>Đồng Nai</title></head><body><article>" + strings.Repeat(para, 4) +
		"</article><footer>" + strings.Repeat("<font color=red>x", 520) + "</footer></body></html>")
	wide := []byte("<html><body>" + strings.Repeat("<p>x</p>", 30_000) + "</body></html>")
	paras := []byte("<html><body><article>" + strings.Repeat("<p>A sentence of prose that goes on for a while.</p>", 8_000) + "</article></body></html>")
	tests := []struct {
		name    string
		page    []byte
		url     string
		wantErr error
	}{
		{"empty", nil, "", ErrNoText},
		{"garbage", []byte("\x00\xff\xfe<<<>>>&&&;;\x01"), "http://x", ErrNoText},
		{"no body text", []byte("<html><head><title>t</title></head><body></body></html>"), "", ErrNoText},
		// Deeper than x/net/html's 512 open elements: read again with the
		// deep elements dropped (here nothing is left to read).
		{"deep nesting", deep, "http://x", ErrNoText},
		// An article before an old site's tangle of unclosed tags.
		{"article before a deep tangle", tangle, "http://x", nil},
		{"too many nodes", wide, "http://x", ErrTooLarge},
		{"bad url", []byte("<p>Hello world, this is a page.</p>"), "::not a url", nil},
		// Too many paragraphs for trafilatura (quadratic): readability alone.
		{"many paragraphs", paras, "http://x", nil},
	}
	e := New(Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.Extract(tc.page, tc.url)
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("error %v", err)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			case tc.wantErr == nil && res.Text == "":
				t.Fatalf("no text")
			case tc.page != nil && bytes.Equal(tc.page, tangle) && !strings.Contains(res.Text, "khu công nghiệp Biên Hòa"):
				t.Fatalf("the article before the tangle was not read: %q", res.Text)
			}
		})
	}
}

func TestExtractTruncatesHugeInput(t *testing.T) {
	e := New(Options{MaxBytes: 1 << 10})
	page := []byte("<html><body><article><p>" + strings.Repeat("word ", 100) + "</p><p>" +
		strings.Repeat("tail ", 1000) + "</p></article></body></html>")
	res, err := e.Extract(page, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Text) > 1<<10 {
		t.Errorf("text of %d bytes from 1 KiB of input", len(res.Text))
	}
}

func TestChoose(t *testing.T) {
	prose := func(n int, word string) string {
		var ps []string
		for i := range n {
			ps = append(ps, strings.Repeat(word+" ", 20)+"ends number "+strings.Repeat("i", i+1)+".")
		}
		return strings.Join(ps, "\n\n")
	}
	article := prose(6, "article")
	junk := strings.Repeat("Related link teaser\n\nMore news here\n\n", 20)
	tests := []struct {
		name, traf, read, jsonld string
		want, method             string
	}{
		{"both empty uses jsonld", "", "", "Body from JSON-LD", "Body from JSON-LD", "jsonld"},
		{"nothing", "", "", "", "", ""},
		{"only readability", "", article, "", article, "readability"},
		{"only trafilatura", article, "", "", article, "trafilatura"},
		{"agree", article, article, "", article, "trafilatura"},
		{"trafilatura swept boilerplate", article + "\n\n" + junk, article, "", article, "readability"},
		{"trafilatura short, readability long", "Just a teaser sentence here.", article, "", article, "readability"},
		{"readability fragment ignored", article + "\n\n" + junk, "article article article article article.", "", article + "\n\n" + junk, "trafilatura"},
		{"list of items is no continuation", prose(5, "article"),
			prose(5, "article") + "\n\nShare Tweet Pin\n\n" + prose(2, "quote") + "\n\nShare Tweet Pin\n\n" + prose(2, "saying") + "\n\nShare Tweet Pin\n\n" + prose(2, "motto"),
			"", prose(5, "article"), "trafilatura"},
		{"trafilatura stopped early", prose(5, "article"), prose(5, "article") + "\n\nShare\n\n" + prose(6, "second"),
			"", prose(5, "article") + "\n\n" + prose(6, "second"), "trafilatura+readability"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs := &candidateSet{
				traf:   candidate{method: "trafilatura", text: tc.traf},
				read:   candidate{method: "readability", text: tc.read},
				jsonld: candidate{method: "jsonld", text: tc.jsonld},
			}
			got, method := choose(cs, DefaultThresholds())
			if got != tc.want || method != tc.method {
				t.Errorf("choose = %q (%s), want %q (%s)", got, method, tc.want, tc.method)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, text string
		titles     []string
		want       string
	}{
		{"headline dropped", "Dong Nai opens airport\n\nThe airport opened today.", []string{"Dong Nai opens airport"}, "The airport opened today."},
		{"page title prefix dropped", "Dong Nai opens new airport\n\nThe airport opened today.",
			[]string{"Dong Nai opens new airport | Example News"}, "The airport opened today."},
		{"headline kept mid-text", "The airport opened today.\n\nDong Nai opens airport", []string{"Dong Nai opens airport"},
			"The airport opened today.\n\nDong Nai opens airport"},
		{"short prefix kept", "Update\n\nThe airport opened today.", []string{"Update on the airport"}, "Update\n\nThe airport opened today."},
		{"cues dropped", "First.\n\nREAD MORE: Other story\n\nAdvertisement\n\nXem thêm: Tin khác\n\n関連記事\n\nLast.", nil, "First.\n\nLast."},
		{"long cue paragraph kept", "Read more " + strings.Repeat("words ", 30), nil, "Read more " + strings.TrimSpace(strings.Repeat("words ", 30))},
		{"empty", "", []string{"x"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cleanText(tc.text, DefaultThresholds().MaxCueWords, tc.titles...); got != tc.want {
				t.Errorf("cleanText = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNormLang(t *testing.T) {
	for in, want := range map[string]string{
		"en_US": "en", "vi": "vi", " VI-vn ": "vi", "zh-Hant-TW": "zh", "": "", "x": "", "en us!": "", "ko": "ko",
	} {
		if got := normLang(in); got != want {
			t.Errorf("normLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAbsURL(t *testing.T) {
	base, _ := parseBase("https://a.example/x/y.html")
	tests := []struct{ ref, want string }{
		{"/z", "https://a.example/z"},
		{"img.jpg", "https://a.example/x/img.jpg"},
		{"//cdn.example/i.png", "https://cdn.example/i.png"},
		{"javascript:alert(1)", ""},
		{"", ""},
		{"http://[::1", ""},
	}
	for _, tc := range tests {
		if got := absURL(base, tc.ref); got != tc.want {
			t.Errorf("absURL(%q) = %q, want %q", tc.ref, got, tc.want)
		}
	}
	if got := absURL(nil, "/rel"); got != "" {
		t.Errorf("absURL without base = %q, want empty", got)
	}
}

func TestEndsSentence(t *testing.T) {
	for in, want := range map[string]bool{
		"He left.": true, "Really?”": true, "Xin chào!": true, "终于。": true, "Read more": false, "": false, "(see above).)": true,
	} {
		if got := endsSentence(in); got != want {
			t.Errorf("endsSentence(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzExtract(f *testing.F) {
	f.Add(readFixture(f, "article.html"), "https://news.example.com/a")
	f.Add([]byte("<html><body><p>short</p></body></html>"), "")
	f.Add([]byte(`<script type="application/ld+json">{"@type":"NewsArticle","articleBody":"x","@graph":[[[]]]}</script>`), "http://x/")
	f.Add([]byte("<table><tr><td><p>a<br>b</td></tr></table>"), "::")
	f.Add([]byte("<title>\u202Egnp.exe</title><p>\u2067text\u2069 of the page with enough words to be an article body here.</p>"), "https://x.example/")
	e := New(Options{MaxNodes: 5000})
	f.Fuzz(func(t *testing.T, page []byte, u string) {
		res, err := e.Extract(page, u)
		if err == nil && res == nil {
			t.Fatal("nil result without error")
		}
		if res != nil && strings.IndexFunc(res.Title+res.Author+res.Description+res.Text, charset.IsBidiControl) >= 0 {
			t.Fatalf("bidi control in the result: %q", res.Title)
		}
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Logf("third-party panic recovered: %v", err)
		}
	})
}

// TestFlatten: below the depth, tags go and text stays, but a script's or
// style's content goes with its tags; nothing nests deeper than the depth.
func TestFlatten(t *testing.T) {
	page := "<div><div><div><p>kept <b>text</b></p><script>var x = 1;</script><style>p{}</style><img src=x></div></div></div><p>after</p>"
	got := string(flatten([]byte(page), 2))
	want := "<div><div>kept text<img src=x></div></div><p>after</p>"
	if got != want {
		t.Errorf("flatten = %q, want %q", got, want)
	}
}

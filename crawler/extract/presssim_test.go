package extract

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/presssim"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// TestExtractPresssimLanguages extracts the simulated press's article pages
// in every language it serves: the text must be the body paragraphs without
// the page's breadcrumb, byline, tag list and share line, and the author must
// be the byline's name, never the byline's date. Chinese and Japanese pages
// used to come out with all of that furniture (their text has no spaces, so
// it measured as a handful of words), and an author-less byline gave its
// time as the author.
func TestExtractPresssimLanguages(t *testing.T) {
	sim, err := presssim.New(presssim.Options{}) // not started: pages are rendered in-process
	if err != nil {
		t.Fatal(err)
	}
	items, err := presssim.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	var served []presssim.Item
	for _, it := range items {
		// Held items appear only on the schedule; HTML items are the hostile
		// raw-markup ones, tested elsewhere.
		if !it.Hold && it.HTML == "" && len(it.Body) > 0 && len(it.Outlets) > 0 {
			served = append(served, it)
		}
	}
	x := New(Options{})
	nfc := norm.NFC.String // some items are served decomposed (Form "nfd")
	checked := map[string]int{}
	for _, it := range served {
		pageURL := sim.ItemURL(it.Outlets[0], it.ID)
		page := renderSimPage(t, sim, pageURL)
		res, err := x.Extract(page, "http://127.0.0.1:8080"+pageURL)
		if err != nil {
			t.Errorf("%s: %v", it.ID, err)
			continue
		}
		checked[it.Lang]++
		text := nfc(res.Text)
		for _, p := range it.Body {
			if !strings.Contains(text, nfc(normalizeText(p))) {
				t.Errorf("%s [%s]: text lacks body paragraph %q:\n%s", it.ID, res.Method, p, res.Text)
			}
		}
		for _, bp := range furniture(t, page) {
			if strings.Contains(res.Text, bp) {
				t.Errorf("%s [%s]: text contains page furniture %q:\n%s", it.ID, res.Method, bp, res.Text)
			}
		}
		if nfc(res.Author) != nfc(it.Author) {
			t.Errorf("%s: author = %q, want %q", it.ID, res.Author, it.Author)
		}
	}
	for _, lang := range []string{"vi", "en", "zh", "ja", "ko"} {
		if checked[lang] == 0 {
			t.Errorf("no %s page checked", lang)
		}
	}
	t.Logf("pages checked per language: %v", checked)

	// The same articles published again without an author: the byline then
	// holds only the <time>, which must not become the author.
	for _, it := range served {
		it.ID, it.Author = it.ID+"-anon", ""
		pub, err := sim.Publish(it.Outlets[0], it)
		if err != nil {
			t.Fatal(err)
		}
		res, err := x.Extract(renderSimPage(t, sim, pub.URL), "http://127.0.0.1:8080"+pub.URL)
		if err != nil {
			t.Errorf("%s: %v", it.ID, err)
			continue
		}
		if res.Author != "" {
			t.Errorf("%s: author = %q, want none", it.ID, res.Author)
		}
	}
}

// renderSimPage serves path from sim in-process (no listener, no network).
func renderSimPage(t *testing.T, sim *presssim.Server, path string) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != 200 {
		t.Fatalf("GET %s: status %d", path, rec.Code)
	}
	return rec.Body.Bytes()
}

// furniture returns the text of the article page's breadcrumb, byline, tag
// list and share line, as they appear in the page.
func furniture(t *testing.T, page []byte) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(string(page)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"breadcrumb": true, "byline": true, "tags": true, "share": true}
	var out []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "class" && want[a.Val] {
					out = append(out, renderText(n))
					delete(want, a.Val)
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	delete(want, "tags") // only items with tags have the list
	if len(want) > 0 {
		t.Fatalf("page lacks %v: the simulator's markup changed", want)
	}
	return out
}

package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/internal/l10n"
	"github.com/dongnai/presswatch/store"
)

// knownMessage reports whether key is in one of the catalogues T reads.
func knownMessage(key string) bool {
	if _, ok := catalog[key]; ok {
		return true
	}
	if _, ok := pageCatalog[key]; ok {
		return true
	}
	return l10n.Has(key)
}

// TestCatalogComplete fails on any message without both languages, and on
// any key used in a template or in the package's code that no catalogue
// holds (it would reach the page as the raw key), including the keys built
// at run time: roles, tones, states, channels, facet labels, and the names
// of every country and language the test and demo corpora carry.
func TestCatalogComplete(t *testing.T) {
	for _, c := range []map[string][2]string{catalog, pageCatalog} {
		for k, v := range c {
			if strings.TrimSpace(v[0]) == "" || strings.TrimSpace(v[1]) == "" {
				t.Errorf("message %q lacks a language: %q", k, v)
			}
		}
	}
	for k := range pageCatalog {
		if _, dup := catalog[k]; dup {
			t.Errorf("message %q is in both catalog and pageCatalog", k)
		}
	}
	if bad := l10n.Incomplete(); len(bad) > 0 {
		t.Errorf("domain messages lacking a language: %v", bad)
	}
	// Keys in templates: .L.T "k", $L.T "k", $.L.T "k", .L.F "k".
	tmplKey := regexp.MustCompile(`L\.[TF] "([^"]+)"`)
	entries, err := assets.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		b, _ := assets.ReadFile("templates/" + e.Name())
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			seen++
			if !knownMessage(m[1]) {
				t.Errorf("%s uses unknown message %q", e.Name(), m[1])
			}
		}
	}
	// Keys in code: m.T("k"), .T("k"), m.F("k", …).
	codeKey := regexp.MustCompile(`\.[TF]\("([a-z0-9_]+)"[),]`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeKey.FindAllStringSubmatch(string(b), -1) {
			seen++
			if !knownMessage(m[1]) {
				t.Errorf("%s uses unknown message %q", f, m[1])
			}
		}
	}
	if seen < 100 {
		t.Errorf("found only %d message uses; the scan is broken", seen)
	}
	// Keys built at run time.
	var dynamic []string
	for _, r := range AllRoles {
		dynamic = append(dynamic, "role_"+r)
	}
	for _, tn := range []string{"positive", "neutral", "negative"} {
		dynamic = append(dynamic, "tone_"+tn)
	}
	for _, st := range append(append([]string{}, alertStates...), store.DeliveryPending, store.DeliverySending, store.DeliverySent, store.DeliveryFailed) {
		dynamic = append(dynamic, "state_"+st)
	}
	for _, ch := range []string{"email", "webhook"} {
		dynamic = append(dynamic, "channel_"+ch)
	}
	for _, f := range facetOrder {
		dynamic = append(dynamic, "facet_"+f)
	}
	for _, c := range []string{"about", "mentions", "none", "any"} {
		dynamic = append(dynamic, "relevance_"+c)
	}
	for _, k := range []string{"place", "org", "person", "landmark", "other"} {
		dynamic = append(dynamic, "entkind_"+k)
	}
	for _, e := range []string{"dial tcp 192.0.2.1:80: connect: connection refused", "lookup x: no such host", "context deadline exceeded",
		"x509: certificate signed by unknown authority", "fetch feed: 429 Too Many Requests", "fetch feed: 503 Service Unavailable", "fetch feed: 404 Not Found",
		"article pages not read: 2 since the last poll, the last: page x is a PDF document, not a web page: no article in the page",
		"more new entries than one poll takes: took the newest 200 of 3000 new entries; the other 2800 come with the next polls",
		"fetch \"x\": more than 8388608 bytes: response body exceeds the size limit", "parse feed: not an RSS, Atom or JSON feed", "odd"} {
		k := sourceRow{LastError: e}.ErrorKind()
		if k == "srcerr_other" && e != "odd" {
			t.Errorf("error %q not recognised", e)
		}
		dynamic = append(dynamic, k)
	}
	for _, k := range dynamic {
		if !knownMessage(k) {
			t.Errorf("no message for run-time key %q", k)
		}
	}
	// Every country and language of the test and demo corpora has a name.
	countries, langs := corpusCodes(t)
	for c := range countries {
		if !l10n.Has("country_" + strings.ToLower(c)) {
			t.Errorf("no name for country %q", c)
		}
	}
	for l := range langs {
		if !l10n.Has("lang_" + strings.ToLower(l)) {
			t.Errorf("no name for language %q", l)
		}
	}
}

// corpusCodes collects the country and language codes of web/testdata and
// of presssim's outlets and corpus.
func corpusCodes(t *testing.T) (countries, langs map[string]bool) {
	t.Helper()
	countries, langs = map[string]bool{}, map[string]bool{}
	b, err := os.ReadFile(filepath.Join("testdata", "articles.json"))
	if err != nil {
		t.Fatal(err)
	}
	var arts []struct {
		Country, Lang  string
		Classification *struct{ Topics []string }
	}
	if err := json.Unmarshal(b, &arts); err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		if a.Country != "" {
			countries[a.Country] = true
		}
		if a.Lang != "" {
			langs[a.Lang] = true
		}
		if a.Classification != nil {
			for _, tp := range a.Classification.Topics {
				if !l10n.Has("topic_" + tp) {
					t.Errorf("no name for topic %q of the test corpus", tp)
				}
			}
		}
	}
	src, err := os.ReadFile(filepath.Join("..", "presssim", "outlets.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`Country:\s*"([A-Z]{2})"`).FindAllStringSubmatch(string(src), -1) {
		countries[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`Lang:\s*"([a-z]{2})"`).FindAllStringSubmatch(string(src), -1) {
		langs[m[1]] = true
	}
	if len(countries) < 3 || len(langs) < 3 {
		t.Fatalf("found only countries %v and languages %v; the scan is broken", countries, langs)
	}
	return countries, langs
}

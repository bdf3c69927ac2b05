package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFarmHostsAreDistinctLoopback(t *testing.T) {
	seen := map[string]bool{}
	for i := range 10000 {
		h := farmHost(i)
		if !strings.HasPrefix(h, "127.2.") {
			t.Fatalf("host %d = %s, not in 127.2.0.0/16", i, h)
		}
		if seen[h] {
			t.Fatalf("host %s given twice", h)
		}
		seen[h] = true
	}
	if got := farmFeedURL(8090, 0); got != "http://127.2.0.1:8090/farm/0/feed.xml" {
		t.Errorf("farmFeedURL(8090, 0) = %s", got)
	}
}

func TestCrawlerConfigNamesEveryFeedOnItsHost(t *testing.T) {
	dir := t.TempDir()
	path, err := writeCrawlerConfig(dir, "nats://127.0.0.1:4222", 18081, 9000, 3, 64, 0, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if !strings.Contains(string(b), farmFeedURL(9000, i)) {
			t.Errorf("config lacks feed %d", i)
		}
	}
	if port, err := portOfConfig(path); err != nil || port != 18081 {
		t.Errorf("portOfConfig = %d, %v", port, err)
	}
	if filepath.Dir(path) != dir {
		t.Errorf("config written to %s", path)
	}
}

func TestBuildArticlesFromCorpus(t *testing.T) {
	if os.Getenv("PRESSWATCH_TESTDATA") == "" {
		t.Skip("PRESSWATCH_TESTDATA is not set")
	}
	// loadCorpus reads classifier/testdata relative to the module root.
	t.Chdir(filepath.Join("..", ".."))
	recs, err := loadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	arts, mean, langs := buildArticles(recs, 2000)
	if len(arts) < 1900 {
		t.Fatalf("%d articles of 2000", len(arts))
	}
	if mean < 4500 || mean > 5000 {
		t.Errorf("mean size %d B, want about 5 KB", mean)
	}
	ids := map[string]bool{}
	for _, a := range arts {
		if ids[a.ID] {
			t.Fatalf("duplicate ID %s", a.ID)
		}
		ids[a.ID] = true
		if !utf8.ValidString(a.Text) || len(a.Text) > 5000 || a.Lang == "" || a.Fingerprint == 0 {
			t.Fatalf("article %s: %d bytes, lang %q, valid UTF-8 %v", a.ID, len(a.Text), a.Lang, utf8.ValidString(a.Text))
		}
	}
	for _, l := range []string{"vi", "en", "ja", "zh", "ko"} {
		if langs[l] == 0 {
			t.Errorf("no %s articles: %v", l, langs)
		}
	}
}

// The ceilings paragraph states the bounds the set-up puts on any poller and
// says when a goal lies above them (the figures of the 4 Dec run: Miniflux
// 736 feeds/s at 304 and 865 at 200 ms, 10,000 feeds, 512 workers).
func TestCeilingsNameGoalsAboveTheBound(t *testing.T) {
	got := ceilings(knobs{feeds: 10000, workers: 512}, 736, 865, 400)
	for _, want := range []string{
		"presswatch and the farm together spent 400 µs per feed in the 304 window, so two cores allow at most 5000 feeds/s (6.8× Miniflux's 304 rate)",
		"at most 10000 feeds/s (13.6× Miniflux's 304 rate in this run; the 20× goal would need 14720 feeds/s, above what the shipped politeness allows here)",
		"512 workers waiting for their answers allow at most 2560 feeds/s to either tool (3.0× Miniflux's rate in this run; the 7× goal would need 6055 feeds/s, above that bound)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("ceilings:\n%s\nlacks %q", got, want)
		}
	}
	if got := ceilings(knobs{feeds: 10000, workers: 512}, 400, 300, 0); strings.Contains(got, "above") {
		t.Errorf("goals within the bounds reported above them: %s", got)
	}
}

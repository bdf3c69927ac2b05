package crawler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/presssim"
)

// floodFeed serves one RSS feed of n entries, newest first, with an ETag
// (304 to a matching If-None-Match), and counts its full and 304 answers.
type floodFeed struct {
	mu        sync.Mutex
	body      string
	full, nm  int
	etag      string
	published time.Time // of the newest entry; each next one is a minute older
}

func newFloodFeed(t *testing.T, n int) (*floodFeed, *httptest.Server) {
	f := &floodFeed{etag: `"flood-1"`, published: time.Now().UTC().Add(-time.Hour).Truncate(time.Second)}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Flood</title><link>http://example.invalid/</link>`)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Tin %d về Đồng Nai</title><link>http://127.0.0.1/flood/%d</link><guid>flood-%d</guid><pubDate>%s</pubDate><description>Bài %d</description></item>`,
			i, i, i, f.published.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z), i)
	}
	b.WriteString(`</channel></rss>`)
	f.body = b.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.Header.Get("If-None-Match") == f.etag {
			f.nm++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		f.full++
		w.Header().Set("ETag", f.etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(f.body))
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *floodFeed) counts() (full, notModified int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.full, f.nm
}

// A feed that lists far more new entries than one poll takes (a whole
// archive, or a hostile feed) is taken in portions, newest first: nothing is
// lost, and the source says why its entries are coming late.
func TestFeedFloodTakenInPortions(t *testing.T) {
	const n, limit = 450, 200
	e := newEnv(t, presssim.Options{NoCorpus: true})
	f, srv := newFloodFeed(t, n)
	src := feedSource("flood", srv.URL+"/feed.xml", "vi")
	src.IntervalMin, src.IntervalMax = 50*time.Millisecond, time.Hour

	published := func() int { return len(e.pub.bySource()["flood"]) }
	c := e.crawler(t, []Source{src}, func(o *Options) {
		o.SkipArticles = true
		o.MaxNewPerPoll = limit
	})
	runUntil(t, c, 60*time.Second, func() bool {
		return published() == n && e.state(t, "flood").ETag != ""
	})
	if full, _ := f.counts(); full != 3 {
		t.Errorf("feed read whole %d times, want 3 (200 + 200 + 50 entries)", full)
	}
	// Once nothing is left, the validators are kept again (the condition
	// above): the next poll is a 304.
	arts := e.pub.bySource()["flood"]
	if len(arts) != n {
		t.Fatalf("published %d articles, want all %d", len(arts), n)
	}
	seen := map[string]bool{}
	for _, a := range arts {
		if seen[a.URL] {
			t.Errorf("%s published twice", a.URL)
		}
		seen[a.URL] = true
	}
	// Newest first: the first portion is entries 0..199.
	first := map[string]bool{}
	for _, a := range arts[:limit] {
		first[a.URL] = true
	}
	for i := range limit {
		if u := fmt.Sprintf("http://127.0.0.1/flood/%d", i); !first[u] {
			t.Errorf("entry %d (among the %d newest) was not in the first portion", i, limit)
			break
		}
	}
}

// While entries wait, the source's page says so; once they are all taken,
// the warning is gone.
func TestFeedFloodWarning(t *testing.T) {
	e := newEnv(t, presssim.Options{NoCorpus: true})
	f, srv := newFloodFeed(t, 30)
	src := feedSource("flood", srv.URL+"/feed.xml", "vi")
	src.IntervalMin, src.IntervalMax = time.Hour, 2*time.Hour // no second poll in this test
	c := e.crawler(t, []Source{src}, func(o *Options) {
		o.SkipArticles = true
		o.MaxNewPerPoll = 10
	})
	runUntil(t, c, 30*time.Second, func() bool {
		full, _ := f.counts()
		return full >= 1 && len(e.pub.bySource()["flood"]) == 10 && e.state(t, "flood").LastError != ""
	})
	st := e.state(t, "flood")
	if !strings.HasPrefix(st.LastError, deferredPrefix) || !strings.Contains(st.LastError, "newest 10 of 30") {
		t.Errorf("source warning %q, want it to say 10 of 30 were taken", st.LastError)
	}
	if st.ETag != "" {
		t.Errorf("ETag %q kept: the next poll would get a 304 and never see the other 20", st.ETag)
	}
	if st.ConsecutiveErrors != 0 {
		t.Errorf("ConsecutiveErrors %d: a portion is not a failure", st.ConsecutiveErrors)
	}
	if wait := st.NextAttempt.Sub(st.LastAttempt); wait > deferredPollGap {
		t.Errorf("next poll %s after the last, want within %s", wait, deferredPollGap)
	}
}

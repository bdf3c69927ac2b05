package crawler

import (
	"context"
	"testing"
	"time"

	"github.com/dongnai/presswatch/presssim"
)

// TestDeferredPagesAfterRetryAfter: a 429 with Retry-After on an article
// page pauses the host; the pages that could not be fetched in the window
// are deferred, not published without text, and fetched after it (issue
// 12). The feeds polled on the same host meanwhile are not in error.
func TestDeferredPagesAfterRetryAfter(t *testing.T) {
	e := newEnv(t, presssim.Options{Farm: 2, NoCorpus: true})
	if err := e.sim.SetFault("farm", presssim.Fault{Kind: presssim.FaultRateLimit, RetryAfter: 2 * time.Second, Target: "page", Times: 1}); err != nil {
		t.Fatal(err)
	}
	srcs := []Source{feedSource("farm-0", e.sim.FarmFeedURL(0), "en"), feedSource("farm-1", e.sim.FarmFeedURL(1), "en")}
	srcs[1].IntervalMin = time.Second // polled again while the host is paused
	srcs[1].IntervalMax = time.Second
	c := e.crawler(t, srcs, nil)
	runUntil(t, c, 90*time.Second, func() bool {
		by := e.pub.bySource()
		open, err := e.store.ListOpenCrawlerItems(context.Background())
		return err == nil && len(open) == 0 && len(by["farm-0"])+len(by["farm-1"]) >= 40-2 // near-duplicates merged at most
	})
	if n := testutilValue(c.m.articleErr.WithLabelValues("deferred")); n < 1 {
		t.Fatalf("%v pages deferred, want at least the one answered 429", n)
	}
	seen := map[string]int{}
	for _, a := range e.pub.arts {
		seen[a.ID]++
		if len(a.Text) < 500 {
			t.Errorf("%s published with %d bytes of text", a.URL, len(a.Text))
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s published %d times", id, n)
		}
	}
	for _, name := range []string{"farm-0", "farm-1"} {
		if st := e.state(t, name); st.ConsecutiveErrors != 0 || st.LastError != "" {
			t.Errorf("%s shows an error that is not its own: %d, %q", name, st.ConsecutiveErrors, st.LastError)
		}
	}
	open, err := e.store.ListOpenCrawlerItems(context.Background())
	if err != nil || len(open) != 0 {
		t.Fatalf("%d items still open, %v", len(open), err)
	}
}

// TestTextlessThenText: a page that keeps failing is published without its
// text after TextlessAfter attempts, and again, under the same article ID,
// when the text comes (issue 12).
func TestTextlessThenText(t *testing.T) {
	e := newEnv(t, presssim.Options{Farm: 1, NoCorpus: true})
	// Every page's first two fetches fail (20 pages).
	if err := e.sim.SetFault("farm", presssim.Fault{Kind: presssim.FaultStatus, Status: 503, Target: "page", Times: 40}); err != nil {
		t.Fatal(err)
	}
	c := e.crawler(t, []Source{feedSource("farm-0", e.sim.FarmFeedURL(0), "en")}, func(o *Options) {
		o.TextlessAfter = 1
		o.FetchRetryBase = 200 * time.Millisecond
	})
	full := func() int {
		e.pub.mu.Lock()
		defer e.pub.mu.Unlock()
		n := 0
		for _, a := range e.pub.arts {
			if len(a.Text) >= 500 {
				n++
			}
		}
		return n
	}
	runUntil(t, c, 90*time.Second, func() bool {
		open, err := e.store.ListOpenCrawlerItems(context.Background())
		return err == nil && len(open) == 0 && full() >= 18
	})
	versions := map[string][]int{}
	collected := map[string]time.Time{}
	for _, a := range e.pub.arts {
		versions[a.ID] = append(versions[a.ID], len(a.Text))
		// The version with the text keeps the collection time of the
		// textless one: reports and search count the article once, on the
		// day it was first found.
		if first, ok := collected[a.ID]; ok && !a.Collected.Equal(first) {
			t.Errorf("%s: published again with collection time %s, first %s", a.ID, a.Collected, first)
		} else if !ok {
			collected[a.ID] = a.Collected
		}
	}
	textless := 0
	for id, v := range versions {
		if len(v) > 2 {
			t.Errorf("%s published %d times: %v", id, len(v), v)
		}
		if v[len(v)-1] < 500 {
			t.Errorf("%s never published with its text: %v", id, v)
		}
		if len(v) == 2 && v[0] < v[1] {
			textless++
		}
	}
	if textless == 0 {
		t.Fatalf("no article went out without its text first: %v", versions)
	}
}

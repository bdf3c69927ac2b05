package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/store"
)

// healerWatch runs the index healer with opts until it has finished checks
// complete checks of the index against the store, and reports whether it
// rebuilt the index meanwhile. It waits on the healer's own calls (each
// check starts with Count; a rebuild scans the source and counts again
// before the next check), not on time.
func healerWatch(t *testing.T, ix *index.Index, opts index.HealerOptions, checks int) (rebuilt bool) {
	t.Helper()
	var (
		mu      sync.Mutex
		counts  int
		scanned bool
	)
	enough := make(chan struct{})
	count, src := opts.Count, opts.Source
	opts.Count = func(ctx context.Context) (int64, error) {
		mu.Lock()
		counts++
		if counts == checks+1 {
			close(enough)
		}
		mu.Unlock()
		return count(ctx)
	}
	opts.Source = index.ScanFunc(func(ctx context.Context, fn func(*article.Article) error) error {
		mu.Lock()
		scanned = true
		mu.Unlock()
		return src.Scan(ctx, fn)
	})
	opts.Interval = time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ix.Heal(ctx, opts) }()
	select {
	case <-enough:
	case <-time.After(time.Minute):
		t.Fatal("the healer made no checks in a minute")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Heal: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return scanned
}

// TestHealerComparesClassifiedArticles: while the classifier is stopped the
// crawler still stores records for copies of articles (crawler/integrity.go);
// the index, which holds what was classified, must not be rebuilt for them,
// and a rebuild (of an emptied index) leaves them out.
func TestHealerComparesClassifiedArticles(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	st, err := store.Open(ctx, store.Options{DataDir: dataDir, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC().Truncate(time.Second)
	var classified []*article.Article
	for i, title := range []string{"Đình công tại khu công nghiệp Biên Hòa", "Flooding hits Dong Nai"} {
		id := strings.Repeat(string(rune('a'+i)), 64)
		classified = append(classified, &article.Article{ID: id, URL: "https://example.test/" + id[:4],
			CanonicalURL: "https://example.test/" + id[:4], Source: "s", Lang: []string{"vi", "en"}[i],
			Title: title, Text: title, Published: now, Collected: now,
			Classification: &article.Classification{About: true, Mentions: true, Tone: "negative", At: now}})
	}
	if err := st.UpsertArticles(ctx, classified); err != nil {
		t.Fatal(err)
	}
	// A copy recorded by the crawler before its original was classified:
	// an ID, a URL and sources, no classification.
	copyID := strings.Repeat("c", 64)
	if err := st.UpsertArticles(ctx, []*article.Article{{ID: copyID, CanonicalURL: "https://example.test/copy",
		Source: "s2", Sources: []string{"s2"}, Collected: now}}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)

	open := func(t *testing.T) *index.Index {
		ix, err := index.Open(ctx, index.Options{Dir: t.TempDir(), Logger: log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		return ix
	}

	t.Run("index holds the classified articles", func(t *testing.T) {
		ix := open(t)
		if err := ix.IndexArticles(ctx, classified); err != nil {
			t.Fatal(err)
		}
		if healerWatch(t, ix, healerOptions(st, log), 3) {
			t.Error("the healer rebuilt an index that holds every classified article")
		}
		// The same check counting every stored article rebuilds: the
		// scenario this test is about is really set up.
		opts := healerOptions(st, log)
		opts.Count = st.CountArticles
		if !healerWatch(t, ix, opts, 3) {
			t.Error("counting every stored article did not rebuild: the copy record is not in the scenario")
		}
	})

	t.Run("a rebuild leaves unclassified records out", func(t *testing.T) {
		ix := open(t) // empty: the healer rebuilds it at its first check
		if !healerWatch(t, ix, healerOptions(st, log), 2) {
			t.Fatal("the healer did not rebuild an empty index")
		}
		n, err := ix.DocCount()
		if err != nil || n != uint64(len(classified)) {
			t.Fatalf("after the rebuild the index holds %d documents (%v), want the %d classified articles", n, err, len(classified))
		}
		res, err := ix.Search(ctx, index.Request{Query: "biên hòa OR dong nai"})
		if err != nil || res.Total != uint64(len(classified)) {
			t.Fatalf("search after the rebuild: %+v, %v", res, err)
		}
	})
}

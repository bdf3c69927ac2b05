package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/presssim"
)

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestChainPresssimToStoreAndIndex runs the real pipeline in-process — presssim
// on loopback, crawler, embedded JetStream, classifier stage, SQLite, Bleve —
// publishes a new item on presssim, and waits for it to be stored, classified
// and searchable. Then it stops the pipeline as a signal would.
func TestChainPresssimToStoreAndIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end pipeline test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	sim, err := presssim.New(presssim.Options{NoCorpus: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	simURL, _ := url.Parse(sim.URL())

	cfg := &configs.Loaded{Config: configs.Defaults(), Path: "test", Dir: "."}
	cfg.DataDir = t.TempDir()
	cfg.Web.Listen = "127.0.0.1:0"
	cfg.Crawler.AllowHosts = []string{simURL.Hostname()}
	cfg.Crawler.PerHostRate = -1
	cfg.Crawler.PerHostConcurrency = 8
	cfg.Index.FlushInterval = 100 * time.Millisecond
	srcs := demoSources(sim.Sources())
	cfg.Sources = srcs[:2] // one RSS feed and one news-sitemap site crawl
	for i := range cfg.Sources {
		cfg.Sources[i].IntervalMin = 10 * time.Second
	}
	var logs syncBuffer
	g := &globals{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &logs}
	p, err := wire(ctx, g, cfg, roles{roleCrawler: true, roleClassifier: true, roleIndexer: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.app.run(runCtx, 20*time.Second) }()

	outlet := sim.Sources()[0].Name
	_, err = sim.Publish(outlet, presssim.Item{
		Lang:  "en",
		Title: "Long Thanh airport in Dong Nai opens its first terminal",
		ID:    "e2e-longthanh-terminal",
		Body: []string{
			"Dong Nai province, Vietnam — The first terminal of Long Thanh International Airport in Dong Nai " +
				"opened on Monday, the provincial People's Committee said.",
			"The airport, 40 km east of Ho Chi Minh City, is Vietnam's largest infrastructure project.",
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	// The item must reach the store, classified, and the index.
	deadline := time.Now().Add(2 * time.Minute)
	var found bool
	for time.Now().Before(deadline) && !found {
		time.Sleep(250 * time.Millisecond)
		res, err := p.index.Search(ctx, index.Request{Query: "\"long thanh\" terminal", Size: 5})
		if err != nil {
			t.Fatalf("search: %v", err)
		}
		for _, h := range res.Hits {
			a, err := p.store.GetArticle(ctx, h.ID)
			if err != nil {
				t.Fatalf("indexed article %s not in the store: %v", h.ID, err)
			}
			if a.Classification == nil {
				t.Fatalf("stored article %s has no classification", h.ID)
			}
			if !a.Classification.About {
				t.Errorf("article about Long Thành airport in Đồng Nai classified about=false: %+v", a.Classification)
			}
			found = true
		}
	}
	if !found {
		t.Fatalf("published item never became searchable; logs:\n%s", tail(logs.String(), 4000))
	}

	// Health and metrics are served while it runs.
	resp, err := http.Get("http://" + p.addr() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "bus: ok") || !strings.Contains(string(body), "store: ok") {
		t.Errorf("/readyz = %d %q", resp.StatusCode, body)
	}
	resp, err = http.Get("http://" + p.addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "process_resident_memory_bytes") {
		t.Errorf("/metrics lacks process metrics")
	}

	stop()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v\nlogs:\n%s", err, tail(logs.String(), 4000))
	}
	if !strings.Contains(logs.String(), "name=crawler") {
		t.Errorf("crawler never logged its start/stop")
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestWebRoleWarmsSearchCaches: a process with the web role warms the
// index's per-segment search caches in the background after opening it
// (index.Options.Warm), and says so in its log.
func TestWebRoleWarmsSearchCaches(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := &configs.Loaded{Config: configs.Defaults(), Path: "test", Dir: "."}
	cfg.DataDir = t.TempDir()
	cfg.Web.Listen = "127.0.0.1:0"
	var logs syncBuffer
	g := &globals{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &logs}
	p, err := wire(ctx, g, cfg, roles{roleIndexer: true, roleWeb: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.app.run(runCtx, 20*time.Second) }()
	for !strings.Contains(logs.String(), "search caches warm") {
		if ctx.Err() != nil {
			t.Fatalf("the web role never logged its warm-up; logs:\n%s", tail(logs.String(), 4000))
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v\nlogs:\n%s", err, tail(logs.String(), 4000))
	}
}

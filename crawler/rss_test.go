package crawler

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/presssim"
	"github.com/dongnai/presswatch/store"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkCrawlerProcessRSS measures the resident set of a process that runs
// only the crawler (plus its NATS client and SQLite store) over 10,000 farm
// feeds: presssim and the NATS server run in this, the parent, process. The
// child polls every feed (first fetch: 200,000 entries published), then keeps
// polling with 304s; its VmRSS is read at the end.
func BenchmarkCrawlerProcessRSS(b *testing.B) {
	const n = 10000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim, err := presssim.New(presssim.Options{Farm: n, NoCorpus: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := sim.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	bs, err := bus.Open(ctx, bus.Options{DataDir: b.TempDir(), Listen: "127.0.0.1:0", Registerer: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	defer bs.Close()
	for range b.N {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrawlerProcessChild$", "-test.v")
		cmd.Env = append(os.Environ(), "PW_CRAWLER_CHILD=1", "PW_FARM_URL="+sim.URL(), "PW_FARM_N="+strconv.Itoa(n),
			"PW_NATS_URL="+bs.ClientURL(), "PW_CHILD_DIR="+b.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		found := false
		for sc.Scan() {
			var rss, heap, secs float64
			if _, err := fmt.Sscanf(strings.TrimSpace(sc.Text()), "RESULT rss_mib=%f heap_mib=%f first_round_s=%f", &rss, &heap, &secs); err == nil {
				b.ReportMetric(rss, "crawler-rss-MiB")
				b.ReportMetric(heap, "crawler-heap-MiB")
				b.ReportMetric(secs, "first-round-s")
				found = true
			}
		}
		if !found {
			b.Fatalf("no result from the child:\n%s", out)
		}
	}
}

// TestCrawlerProcessChild is the child of BenchmarkCrawlerProcessRSS; it
// skips unless started by it.
func TestCrawlerProcessChild(t *testing.T) {
	if os.Getenv("PW_CRAWLER_CHILD") != "1" {
		t.Skip("run by BenchmarkCrawlerProcessRSS")
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// What `presswatch crawler` does (cmd/presswatch): measure the same process.
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
	n, _ := strconv.Atoi(os.Getenv("PW_FARM_N"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, store.Options{URL: "sqlite:" + os.Getenv("PW_CHILD_DIR") + "/pw.db", AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bs, err := bus.Open(ctx, bus.Options{URL: os.Getenv("PW_NATS_URL"), Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	sources := make([]Source, n)
	for i := range n {
		sources[i] = Source{Name: "farm-" + strconv.Itoa(i), Kind: KindFeed, URLs: []string{os.Getenv("PW_FARM_URL") + "/farm/" + strconv.Itoa(i) + "/feed.xml"},
			Lang: "en", IntervalMin: 10 * time.Second, IntervalMax: 20 * time.Second}
	}
	c, err := New(Options{Sources: sources, Publisher: bs, Store: st, SkipArticles: true, Workers: 128,
		HTTP:       fetch.Options{AllowHosts: []string{"127.0.0.1"}, PerHost: fetch.HostLimit{Concurrency: 192, Rate: -1}},
		Registerer: prometheus.NewRegistry(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- c.Run(ctx) }()
	var firstRound time.Duration
	for deadline := time.Now().Add(8 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		if testutilValue(c.m.published.WithLabelValues(KindFeed)) >= float64(n*20) {
			firstRound = time.Since(start)
			break
		}
	}
	if firstRound == 0 {
		t.Fatal("first round not finished")
	}
	time.Sleep(25 * time.Second) // a round of 304 polls at least
	rss := rssMiB()
	heap := float64(heapAfterGC()) / (1 << 20)
	if p := os.Getenv("PW_CHILD_HEAPPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	cancel()
	<-done
	fmt.Printf("RESULT rss_mib=%.1f heap_mib=%.1f first_round_s=%.1f\n", rss, heap, firstRound.Seconds())
}

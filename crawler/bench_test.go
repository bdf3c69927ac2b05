package crawler

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/presssim"
	"github.com/dongnai/presswatch/store"
	"github.com/prometheus/client_golang/prometheus"
)

// benchEnv is presssim serving a farm of n feeds, a SQLite store and an
// embedded bus, and a crawler over the farm.
func benchEnv(b *testing.B, n int, latency time.Duration, workers int, skipArticles bool) (*Crawler, *presssim.Server) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	sim, err := presssim.New(presssim.Options{Farm: n, Latency: latency, NoCorpus: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := sim.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sim.Close() })
	st, err := store.Open(ctx, store.Options{URL: "sqlite:" + b.TempDir() + "/pw.db", AutoMigrate: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	bs, err := bus.Open(ctx, bus.Options{DataDir: b.TempDir(), Registerer: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bs.Close() })
	sources := make([]Source, n)
	for i := range n {
		sources[i] = Source{Name: "farm-" + strconv.Itoa(i), Kind: KindFeed, URLs: []string{sim.FarmFeedURL(i)}, Lang: "en",
			IntervalMin: time.Minute, IntervalMax: time.Hour}
	}
	c, err := New(Options{
		Sources: sources, Publisher: bs, Store: st, Workers: workers, ArticleWorkers: 64, SkipArticles: skipArticles,
		HTTP:       fetch.Options{AllowHosts: []string{"127.0.0.1"}, PerHost: fetch.HostLimit{Concurrency: workers + 64, Rate: -1}, Timeout: 10 * time.Second},
		Registerer: prometheus.NewRegistry(), Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.load(ctx); err != nil {
		b.Fatal(err)
	}
	return c, sim
}

// round polls every source once with the given concurrency and returns the
// number of new entries found.
func round(ctx context.Context, c *Crawler, workers int) {
	ch := make(chan *sourceRun)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for sr := range ch {
				c.poll(ctx, sr)
			}
		})
	}
	for _, sr := range c.runs {
		ch <- sr
	}
	close(ch)
	wg.Wait()
}

func counter(c *Crawler, kind, status string) float64 {
	return testutilValue(c.m.polls.WithLabelValues(kind, status))
}

func benchUnchanged(b *testing.B, n int, latency time.Duration, workers int) {
	c, _ := benchEnv(b, n, latency, workers, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.flushLoop(ctx)
	round(ctx, c, workers) // first fetch: ETags, entries published
	before := counter(c, KindFeed, statusNotModified)
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for range b.N {
		round(ctx, c, workers)
	}
	c.flush(ctx) // the states of the last round are written too
	el, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	got := counter(c, KindFeed, statusNotModified) - before
	if int(got) != n*b.N {
		b.Fatalf("%v of %d polls were 304", got, n*b.N)
	}
	b.ReportMetric(got/el.Seconds(), "feeds/s")
	b.ReportMetric(float64(cpu.Microseconds())/got, "cpu-µs/feed")
}

// BenchmarkUnchanged304 polls a farm of unchanged feeds: conditional GET, 304,
// state saved.
func BenchmarkUnchanged304(b *testing.B) { benchUnchanged(b, 2000, 0, 64) }

// BenchmarkUnchanged304Latency200ms adds 200 ms to every response: the
// concurrency sets the rate.
func BenchmarkUnchanged304Latency200ms(b *testing.B) {
	benchUnchanged(b, 2000, 200*time.Millisecond, 512)
}

// BenchmarkNewEntries measures new feed entries published to the bus (PubAck
// received) on a first fetch, without article fetching.
func BenchmarkNewEntries(b *testing.B) {
	const n = 500
	var total float64
	var el, cpu time.Duration
	for range b.N {
		b.StopTimer()
		c, _ := benchEnv(b, n, 0, 64, true)
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		round(context.Background(), c, 64)
		el += time.Since(start)
		cpu += cpuTime() - cpu0
		total += testutilValue(c.m.published.WithLabelValues(KindFeed))
	}
	if total < float64(n*20*b.N) {
		b.Fatalf("published %v entries, want %d", total, n*20*b.N)
	}
	b.ReportMetric(total/el.Seconds(), "entries/s")
	b.ReportMetric(float64(cpu.Microseconds())/total, "cpu-µs/entry")
}

// BenchmarkArticlesEndToEnd measures new articles fetched, extracted
// (go-trafilatura), language-detected, fingerprinted and published.
func BenchmarkArticlesEndToEnd(b *testing.B) {
	const n = 50 // 1000 articles
	var total float64
	var el, cpu time.Duration
	for range b.N {
		b.StopTimer()
		c, _ := benchEnv(b, n, 0, 16, false)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range c.opts.ArticleWorkers {
			wg.Go(func() {
				for {
					j, ok := c.arts.next(ctx)
					if !ok {
						return
					}
					c.processArticle(ctx, j)
					j.lease.end()
				}
			})
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		round(ctx, c, 16)
		c.arts.stopWhenEmpty()
		wg.Wait()
		el += time.Since(start)
		cpu += cpuTime() - cpu0
		cancel()
		total += testutilValue(c.m.published.WithLabelValues(KindFeed))
	}
	if total < float64(n*20*b.N)*0.95 {
		b.Fatalf("published %v articles, want about %d", total, n*20*b.N)
	}
	b.ReportMetric(total/el.Seconds(), "articles/s")
	b.ReportMetric(float64(cpu.Microseconds())/total, "cpu-µs/article")
}

// BenchmarkMemory10kSources loads 10,000 sources and polls them all twice
// (first fetch, then 304s). It reports the heap the crawler itself retains
// (heap in use with the crawler minus after dropping it: presssim, the
// embedded NATS server and SQLite live in the same test process) and the
// whole process's resident set.
func BenchmarkMemory10kSources(b *testing.B) {
	for range b.N {
		c, _ := benchEnv(b, 10000, 0, 128, true)
		round(context.Background(), c, 128)
		round(context.Background(), c, 128)
		c.flush(context.Background())
		with := heapAfterGC()
		b.ReportMetric(rssMiB(), "process-rss-MiB")
		runtime.KeepAlive(c)
		c = nil
		without := heapAfterGC()
		b.ReportMetric(float64(with-without)/(1<<20), "crawler-heap-MiB")
		b.ReportMetric(float64(with)/(1<<20), "process-heap-MiB")
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// cpuTime is the process's user+system CPU time so far. On a shared machine
// CPU time per item is steadier than items per second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func rssMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

package index

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/dongnai/presswatch/article"
)

// Benchmark sizes can be raised from the environment:
//
//	PRESSWATCH_BENCH_INDEX_N   articles per indexing benchmark (default 5000)
//	PRESSWATCH_BENCH_SEARCH_N  articles in the search benchmark's index (default 100000)
//	PRESSWATCH_BENCH_DIR       keep the search benchmark's index here and reuse it
//	                           on the next run when it holds the same number of articles
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// rssMiB reads a resident-memory line of /proc/self/status: VmRSS (all),
// RssAnon (heap and stacks) or RssFile (mapped index files, which the kernel
// can drop under memory pressure).
func rssMiB(key string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, key+":") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuTime is the process's user and system CPU time so far: unlike wall
// time it does not grow when other processes crowd the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func genArticles(n int) []*article.Article {
	g := newGenerator(1)
	arts := make([]*article.Article, n)
	for i := range arts {
		arts[i] = g.article(i)
	}
	return arts
}

// BenchmarkIndex indexes the same synthetic articles with presswatch's
// mapping and with Bleve's default mapping (with and without _all), in
// batches of 500, side by side: the three are interleaved for three rounds and
// the median of each is reported, so that load from other processes on the
// machine falls on all of them alike. It reports articles per second, process
// CPU per article (open to close, background merges included) and index
// bytes per article for each, and presswatch's speed relative to the
// default mapping.
func BenchmarkIndex(b *testing.B) {
	indexCompare(b, genArticles(envInt("PRESSWATCH_BENCH_INDEX_N", 5000)))
}

// indexCompare is BenchmarkIndex on the given articles.
func indexCompare(b *testing.B, arts []*article.Article) {
	n := len(arts)
	rounds := envInt("PRESSWATCH_BENCH_ROUNDS", 3)
	var textBytes int
	for _, a := range arts {
		textBytes += len(a.Title) + len(a.Text)
	}
	const batch = 500
	ctx := context.Background()

	presswatch := func(dir string) (time.Duration, error) {
		ix, err := Open(ctx, Options{Dir: dir, Logger: quietLogger()})
		if err != nil {
			return 0, err
		}
		start := time.Now()
		for i := 0; i < n; i += batch {
			if err := ix.IndexArticles(ctx, arts[i:min(i+batch, n)]); err != nil {
				return 0, err
			}
		}
		el := time.Since(start)
		return el, ix.Close()
	}
	bleveDefault := func(noAll bool) func(dir string) (time.Duration, error) {
		return func(dir string) (time.Duration, error) {
			im := bleve.NewIndexMapping()
			if noAll {
				im.DefaultMapping.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
			}
			bi, err := bleve.New(dir, im)
			if err != nil {
				return 0, err
			}
			start := time.Now()
			for i := 0; i < n; i += batch {
				bb := bi.NewBatch()
				for _, a := range arts[i:min(i+batch, n)] {
					if err := bb.Index(a.ID, a); err != nil {
						return 0, err
					}
				}
				if err := bi.Batch(bb); err != nil {
					return 0, err
				}
			}
			el := time.Since(start)
			return el, bi.Close()
		}
	}
	variants := []struct {
		name string
		run  func(dir string) (time.Duration, error)
	}{
		{"presswatch", presswatch},
		{"default", bleveDefault(false)},
		{"default-no-all", bleveDefault(true)},
	}
	if only := os.Getenv("PRESSWATCH_BENCH_VARIANT"); only != "" { // for profiling one
		variants = slices.DeleteFunc(variants, func(v struct {
			name string
			run  func(dir string) (time.Duration, error)
		}) bool {
			return v.name != only
		})
	}
	for b.Loop() {
		rates := make([][]float64, len(variants))
		cpus := make([][]float64, len(variants))
		sizes := make([]int64, len(variants))
		for r := 0; r < rounds; r++ {
			for v, vr := range variants {
				dir := filepath.Join(b.TempDir(), vr.name)
				cpu0 := cpuTime()
				el, err := vr.run(dir)
				if err != nil {
					b.Fatalf("%s: %v", vr.name, err)
				}
				// Process CPU from open to close, background merges and
				// persisting included: unlike docs/s it does not change
				// when other processes crowd the machine.
				cpus[v] = append(cpus[v], float64((cpuTime()-cpu0).Microseconds())/float64(n))
				rates[v] = append(rates[v], float64(n)/el.Seconds())
				sizes[v] = dirSize(dir)
				_ = os.RemoveAll(dir)
			}
		}
		med := make([]float64, len(variants))
		for v, vr := range variants {
			slices.Sort(rates[v])
			med[v] = rates[v][len(rates[v])/2]
			slices.Sort(cpus[v])
			b.ReportMetric(med[v], vr.name+"-docs/s")
			b.ReportMetric(cpus[v][len(cpus[v])/2], vr.name+"-cpu-µs/doc")
			b.ReportMetric(float64(sizes[v])/float64(n), vr.name+"-bytes/doc")
			b.Logf("%s: docs/s per round %.0f", vr.name, rates[v])
		}
		if len(med) == 3 {
			b.ReportMetric(med[0]/med[1], "presswatch/default")
			b.ReportMetric(med[0]/med[2], "presswatch/default-no-all")
		}
	}
	b.ReportMetric(float64(textBytes)/float64(n), "text-bytes/doc")
	b.ReportMetric(float64(n), "articles")
}

// benchIndex opens (building when needed) the search benchmark's index of n
// synthetic articles.
func benchIndex(b *testing.B, n int) (*Index, string, float64) {
	b.Helper()
	ctx := context.Background()
	dir := os.Getenv("PRESSWATCH_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir() + "/ix"
	}
	ix, err := Open(ctx, Options{Dir: dir, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	if c, _ := ix.DocCount(); c == uint64(n) {
		return ix, dir, 0
	}
	if c, _ := ix.DocCount(); c != 0 {
		b.Fatalf("%s holds %d articles, not %d: delete it or point PRESSWATCH_BENCH_DIR elsewhere", dir, c, n)
	}
	g := newGenerator(1)
	g.random = os.Getenv("PRESSWATCH_BENCH_ORDER") == "random"
	const batch = 1000
	arts := make([]*article.Article, 0, batch)
	start := time.Now()
	for i := 0; i < n; i++ {
		arts = append(arts, g.article(i))
		if len(arts) == batch || i == n-1 {
			if err := ix.IndexArticles(ctx, arts); err != nil {
				b.Fatal(err)
			}
			arts = arts[:0]
		}
	}
	return ix, dir, float64(n) / time.Since(start).Seconds()
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(p * float64(len(s)-1))
	return s[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkSearch measures search latency over a large synthetic index
// (PRESSWATCH_BENCH_SEARCH_N articles): a two-term query with the five facets
// plus the histogram and highlighting; a newest-first query filtered by
// language and a 30-day range; and the time from IndexArticles to searchable.
func BenchmarkSearch(b *testing.B) {
	n := envInt("PRESSWATCH_BENCH_SEARCH_N", 100000)
	ctx := context.Background()
	ix, dir, buildRate := benchIndex(b, n)
	defer ix.Close()
	if buildRate > 0 {
		b.Logf("built %d articles at %.0f docs/s", n, buildRate)
	}
	size := dirSize(dir)

	pairs := []string{
		"dong nai", "Đồng Nai", "factory workers", "flood province", "investment japan",
		"nhà máy", "công nhân", "khu công", "police arrest", "coffee prices", "sân bay",
		"pollution river", "hàn quốc", "supply chain", "đầu tư", "airport highway",
	}
	queries := envInt("PRESSWATCH_BENCH_QUERIES", 300)
	run := func(b *testing.B, mk func(i int) Request) {
		// Warm up: every query once, so the figures are the steady state of
		// an analyst desk that keeps asking about the same things (the
		// cold-words run shows the first time).
		for i := 0; i < len(pairs); i++ {
			if _, err := ix.Search(ctx, mk(i)); err != nil {
				b.Fatal(err)
			}
		}
		var lat []time.Duration
		var hits uint64
		cpu0 := cpuTime()
		for b.Loop() {
			lat = lat[:0]
			for i := 0; i < queries; i++ {
				start := time.Now()
				res, err := ix.Search(ctx, mk(i))
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				hits += res.Total
			}
		}
		b.ReportMetric(ms(percentile(lat, 0.5)), "p50-ms")
		b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
		b.ReportMetric(ms(cpuTime()-cpu0)/float64(b.N*queries), "cpu-ms/query")
		b.ReportMetric(float64(hits)/float64(b.N*queries), "hits/query")
		b.ReportMetric(float64(n), "articles")
	}
	b.Run("two-terms-facets-highlight", func(b *testing.B) {
		run(b, func(i int) Request {
			return Request{Query: pairs[i%len(pairs)], Facets: true, Highlight: true, Size: 20}
		})
	})
	b.Run("two-terms-cold-words", func(b *testing.B) {
		// Every query starts with an empty impact cache: the cost of words
		// nobody searched for since the index last changed.
		saved := ix.impacts
		defer func() { ix.impacts = saved }()
		run(b, func(i int) Request {
			ix.impacts = newImpactCache(DefaultImpactCacheBytes)
			return Request{Query: pairs[i%len(pairs)], Facets: true, Highlight: true, Size: 20}
		})
	})
	b.Run("two-terms-bleve-path", func(b *testing.B) {
		// The same queries through Bleve alone, facets counted exactly: what
		// the bitmap path replaces.
		ix.noFast, ix.exactFacetMax = true, math.MaxInt
		defer func() { ix.noFast, ix.exactFacetMax = false, DefaultExactFacetMax }()
		run(b, func(i int) Request {
			return Request{Query: pairs[i%len(pairs)], Facets: true, Highlight: true, Size: 20}
		})
	})
	b.Run("phrase-facets-highlight", func(b *testing.B) {
		run(b, func(i int) Request {
			return Request{Query: `"` + pairs[i%len(pairs)] + `"`, Facets: true, Highlight: true, Size: 20}
		})
	})
	b.Run("phrase-cold", func(b *testing.B) {
		// A phrase nobody searched for since the index last changed: its
		// documents are read from the words' positions.
		saved := ix.impacts
		defer func() { ix.impacts = saved }()
		run(b, func(i int) Request {
			ix.impacts = newImpactCache(DefaultImpactCacheBytes)
			return Request{Query: `"` + pairs[i%len(pairs)] + `"`, Facets: true, Highlight: true, Size: 20}
		})
	})
	b.Run("newest-lang-daterange", func(b *testing.B) {
		langs := []string{"vi", "en", "zh", "ko", "ja"}
		days := int(time.Duration(n) * genGap / (24 * time.Hour))
		if os.Getenv("PRESSWATCH_BENCH_ORDER") == "random" {
			days = 730
		}
		run(b, func(i int) Request {
			since := genBase.AddDate(0, 0, (i*37)%max(days-30, 1))
			return Request{Filters: map[string][]string{"lang": {langs[i%len(langs)]}},
				Since: since, Until: since.AddDate(0, 0, 30), Sort: SortNewest, Size: 20}
		})
	})
	b.Run("index-to-searchable", func(b *testing.B) {
		g := newGenerator(99)
		var lat []time.Duration
		for b.Loop() {
			lat = lat[:0]
			for i := 0; i < 20; i++ {
				a := g.article(n + 1000 + i)
				a.ID = "fresh-" + strconv.Itoa(i) + "-" + strconv.Itoa(b.N)
				a.Title = "zzfresh" + strconv.Itoa(i) + " " + a.Title
				start := time.Now()
				if err := ix.IndexArticles(ctx, []*article.Article{a}); err != nil {
					b.Fatal(err)
				}
				res, err := ix.Search(ctx, Request{Query: "zzfresh" + strconv.Itoa(i)})
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				if res.Total == 0 {
					b.Fatalf("article %s not searchable right after IndexArticles", a.ID)
				}
				if err := ix.DeleteArticles(ctx, []string{a.ID}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(ms(percentile(lat, 0.5)), "p50-ms")
		b.ReportMetric(ms(percentile(lat, 1)), "max-ms")
	})
	b.Run("index-size", func(b *testing.B) {
		for b.Loop() {
		}
		b.ReportMetric(float64(n), "articles")
		b.ReportMetric(float64(size)/float64(n), "index-bytes/doc")
		b.ReportMetric(rssMiB("VmRSS"), "RSS-MiB")
		b.ReportMetric(rssMiB("RssAnon"), "RSS-anon-MiB")
		b.ReportMetric(rssMiB("RssFile"), "RSS-file-MiB")
		if buildRate > 0 {
			b.ReportMetric(buildRate, "build-docs/s")
		}
	})
}

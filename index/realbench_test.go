package index

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
)

// BenchmarkSearchReal is issue 15's search benchmark: the realistic corpus
// (realgen_test.go) of PRESSWATCH_BENCH_SEARCH_N documents (default 100,000),
// 1,000 distinct queries drawn from it as the search page sends them
// (realquery_test.go), through (*Index).Search — the call the web UI makes —
// and the same documents and queries in PostgreSQL full-text search when
// PRESSWATCH_TEST_POSTGRES is set. It skips without PRESSWATCH_TESTDATA (the
// corpus it learns from).
//
// The index (and the ground truth) is built once and kept in
// PRESSWATCH_BENCH_CACHE (default: the user's cache directory, presswatch-bench/)
// under a name with the generator's version, the mapping's version, the size
// and the number of queries; the PostgreSQL table likewise, in the database
// pw_searchbench. Rows:
//
//   - cold-process-evicted: a fresh process (this test binary, run again)
//     opens the index and runs one query; before each, the index files are
//     evicted from the OS page cache (posix_fadvise DONTNEED, only this
//     index's files), so open and first query read from disk. 20 queries.
//   - cold-process: the same with the page cache as the previous run left it.
//   - cold-process-warmed: the same, with (*Index).Warm run between the open
//     and the query (what the web role does in the background after Open);
//     warm-up-p50-ms is its time.
//   - warm-up: (*Index).Warm in this process, as the web role runs it after
//     Open: the per-segment caches.
//   - first-seen: in this process, after the warm-up, every query once, in
//     order: each query is new to the process (its words may be cached by
//     earlier queries).
//   - warm: every query again (the caches hold its words).
//   - recall: every query's complete result set (Export) against the ground
//     truth; Search's totals against the truth's sizes.
//   - pg-*: PostgreSQL, the same queries (count + first 20 in the same order),
//     first pass and second pass, and its recall.
func BenchmarkSearchReal(b *testing.B) {
	env := realBenchSetup(b)
	ctx := context.Background()
	queries := env.qs.Queries
	if realSkip("bleve") { // the PostgreSQL peer alone, no Bleve index built
		b.Logf("%d documents, %d queries, no Bleve index (PRESSWATCH_BENCH_REAL_SKIP=bleve)", env.n, len(queries))
		pgPeer(b, env)
		return
	}
	b.Logf("%d documents, %d queries, index %s (%.0f MB)", env.n, len(queries), env.ixDir, float64(dirSize(env.ixDir))/1e6)
	if env.built > 0 {
		b.Run("index-build", func(b *testing.B) {
			for b.Loop() {
			}
			b.ReportMetric(float64(env.n)/env.built.Seconds(), "docs/s")
			b.ReportMetric(env.built.Seconds(), "build-s")
			b.ReportMetric(loadAvg(), "load1")
			b.ReportMetric(float64(env.n), "articles")
		})
	}
	// Bleve merges segments in the background for as long as the index is
	// open, and a bulk build leaves it many to merge: after the 1M build and
	// an hour of benchmark runs on it, 2 min 46 s of merging were still left,
	// and rows measured beside those merges were a third slower and more
	// (docs/BENCHMARKS.md). A live index merges a little at a time; the
	// search rows measure it settled, and say how long settling took.
	b.Run("merges-settled", func(b *testing.B) {
		var took time.Duration
		var segs int
		for b.Loop() {
			var err error
			if took, segs, err = settleMerges(env.ixDir); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(took.Seconds(), "settle-s")
		b.ReportMetric(float64(segs), "segments")
		b.ReportMetric(loadAvg(), "load1")
	})
	coldN := min(envInt("PRESSWATCH_BENCH_COLD", 20), len(queries))
	for _, v := range []struct {
		name        string
		evict, warm bool
	}{{"cold-process-evicted", true, false}, {"cold-process", false, false}, {"cold-process-warmed", false, true}} {
		if realSkip("cold") {
			break
		}
		evict := v.evict
		b.Run(v.name, func(b *testing.B) {
			var open, first, warm []time.Duration
			for b.Loop() {
				open, first, warm = open[:0], first[:0], warm[:0]
				for k := 0; k < coldN; k++ {
					if evict {
						if err := evictDir(env.ixDir); err != nil {
							b.Fatal(err)
						}
					}
					o, f, w, err := coldSearch(env.ixDir, queries[k*len(queries)/coldN].Req, v.warm)
					if err != nil {
						b.Fatal(err)
					}
					open, first, warm = append(open, o), append(first, f), append(warm, w)
				}
			}
			if v.warm {
				b.ReportMetric(ms(percentile(warm, 0.5)), "warm-up-p50-ms")
			}
			b.ReportMetric(ms(percentile(open, 0.5)), "open-p50-ms")
			b.ReportMetric(ms(percentile(first, 0.5)), "first-query-p50-ms")
			b.ReportMetric(ms(percentile(first, 0.95)), "first-query-p95-ms")
			b.ReportMetric(ms(percentile(first, 1)), "first-query-max-ms")
			b.ReportMetric(float64(coldN), "processes")
			b.ReportMetric(loadAvg(), "load1")
			b.ReportMetric(float64(env.n), "articles")
		})
	}

	if realSkip("search") { // the PostgreSQL peer alone
		pgPeer(b, env)
		return
	}
	ix, err := Open(ctx, Options{Dir: env.ixDir, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	// What the web role does after Open, in the background, before the
	// first analyst's query: the per-segment caches (warm.go). first-seen
	// is measured after it, so that its first query does not carry them.
	b.Run("warm-up", func(b *testing.B) {
		var took time.Duration
		var segs int
		for b.Loop() {
			start := time.Now()
			var err error
			if segs, err = ix.Warm(ctx); err != nil {
				b.Fatal(err)
			}
			took = time.Since(start)
		}
		b.ReportMetric(took.Seconds(), "warm-up-s")
		b.ReportMetric(float64(segs), "segments")
		b.ReportMetric(loadAvg(), "load1")
	})
	totals := make([]uint64, len(queries))
	pass := func(b *testing.B) {
		var lat []time.Duration
		var hits uint64
		byKind := map[string][]time.Duration{}
		h0, m0 := ix.impacts.counts()
		cpu0 := cpuTime()
		for b.Loop() {
			lat = lat[:0]
			clear(byKind)
			for i, q := range queries {
				start := time.Now()
				res, err := ix.Search(ctx, q.Req)
				if err != nil {
					b.Fatalf("%q: %v", q.Req.Query, err)
				}
				took := time.Since(start)
				lat = append(lat, took)
				byKind[q.Kind] = append(byKind[q.Kind], took)
				hits += res.Total
				totals[i] = res.Total
			}
		}
		reportLatency(b, lat)
		for kind, l := range byKind { // by the query's kind (terms, phrase, province)
			b.ReportMetric(ms(percentile(l, 0.99)), kind+"-p99-ms")
		}
		b.ReportMetric(ms(cpuTime()-cpu0)/float64(b.N*len(queries)), "cpu-ms/query")
		b.ReportMetric(float64(hits)/float64(b.N*len(queries)), "hits/query")
		if h1, m1 := ix.impacts.counts(); h1+m1 > h0+m0 {
			// The impact cache's lookups that found their entry (words'
			// impacts and phrases' documents, per segment).
			b.ReportMetric(100*float64(h1-h0)/float64(h1+m1-h0-m0), "impact-hit-%")
		}
		b.ReportMetric(float64(len(queries)), "queries")
		b.ReportMetric(float64(env.n), "articles")
	}
	b.Run("first-seen", pass)
	b.Run("warm", pass)
	b.Run("warm-by-kind", func(b *testing.B) {
		// The warm pass again, split by kind of query: p50 and p99 of each.
		byKind := map[string][]time.Duration{}
		for b.Loop() {
			for _, q := range queries {
				start := time.Now()
				if _, err := ix.Search(ctx, q.Req); err != nil {
					b.Fatal(err)
				}
				k := q.Kind
				if q.Req.Sort != SortRelevance {
					k += "-" + q.Req.Sort
				}
				byKind[k] = append(byKind[k], time.Since(start))
			}
		}
		for _, k := range sortedKeys(byKind) {
			b.ReportMetric(ms(percentile(byKind[k], 0.5)), k+"-p50-ms")
			b.ReportMetric(ms(percentile(byKind[k], 0.99)), k+"-p99-ms")
		}
	})
	if !realSkip("recall") {
		b.Run("recall", func(b *testing.B) {
			var rs recallStats
			for b.Loop() {
				rs = recallStats{}
				for i, q := range queries {
					got := roaring.New()
					r := q.Req
					r.Sort, r.Highlight, r.Facets = SortNewest, false, false
					err := ix.Export(ctx, r, func(h Hit) error {
						v, err := strconv.ParseUint(h.ID, 16, 32)
						if err != nil {
							return err
						}
						got.Add(uint32(v))
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
					rs.add(got, env.qs.truth[i], totals[i])
				}
			}
			rs.report(b)
		})
	} else {
		// Without the set-by-set pass (53 min at 1M), Search's totals are
		// still checked against the sizes of the truth's sets.
		b.Run("totals", func(b *testing.B) {
			var agree int
			var truthN uint64
			for b.Loop() {
				agree, truthN = 0, 0
				for i := range queries {
					tn := env.qs.truth[i].GetCardinality()
					truthN += tn
					if totals[i] == tn {
						agree++
					}
				}
			}
			b.ReportMetric(float64(agree)/float64(len(queries)), "totals-agree")
			b.ReportMetric(float64(truthN)/float64(len(queries)), "truth-hits/query")
			b.ReportMetric(float64(len(queries)), "queries")
		})
	}
	pgPeer(b, env)
}

func pgPeer(b *testing.B, env *realEnv) {
	pgURL := os.Getenv("PRESSWATCH_TEST_POSTGRES")
	if pgURL == "" {
		b.Log("PRESSWATCH_TEST_POSTGRES not set: no PostgreSQL peer")
		return
	}
	if realSkip("pg") {
		b.Log("PRESSWATCH_BENCH_REAL_SKIP=pg: no PostgreSQL peer")
		return
	}
	pgBench(b, env, pgURL)
}

// realSkip reports whether PRESSWATCH_BENCH_REAL_SKIP (a comma list) names
// part: cold, search, recall or pg leave those rows out (for profiling;
// without recall, a totals row still checks Search's totals);
// bleve builds no Bleve index and runs the PostgreSQL peer alone, against
// a ground truth computed from the generated text (a 1M-document Bleve
// build takes most of an hour here, PostgreSQL's load another).
func realSkip(part string) bool {
	return slices.Contains(strings.Split(os.Getenv("PRESSWATCH_BENCH_REAL_SKIP"), ","), part)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func reportLatency(b *testing.B, lat []time.Duration) {
	b.ReportMetric(ms(percentile(lat, 0.5)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.95)), "p95-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	b.ReportMetric(ms(percentile(lat, 1)), "max-ms")
	b.ReportMetric(loadAvg(), "load1")
}

// loadAvg is the machine's one-minute load average when the row was
// measured (other processes' work on the same CPUs).
func loadAvg() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// recallStats compares result sets with the ground truth.
type recallStats struct {
	queries, exact, totalOK int
	sumRecall, sumPrec      float64
	truthN, gotN, inter     uint64
	minRecall               float64
}

func (rs *recallStats) add(got, truth *roaring.Bitmap, total uint64) {
	if rs.queries == 0 {
		rs.minRecall = 1
	}
	rs.queries++
	in := got.AndCardinality(truth)
	tn, gn := truth.GetCardinality(), got.GetCardinality()
	rs.truthN, rs.gotN, rs.inter = rs.truthN+tn, rs.gotN+gn, rs.inter+in
	rec, prec := 1.0, 1.0
	if tn > 0 {
		rec = float64(in) / float64(tn)
	}
	if gn > 0 {
		prec = float64(in) / float64(gn)
	}
	rs.sumRecall += rec
	rs.sumPrec += prec
	rs.minRecall = min(rs.minRecall, rec)
	if in == tn && in == gn {
		rs.exact++
	}
	if total == tn {
		rs.totalOK++
	}
}

func (rs *recallStats) report(b *testing.B) {
	q := float64(max(rs.queries, 1))
	b.ReportMetric(rs.sumRecall/q, "recall")
	b.ReportMetric(rs.sumPrec/q, "precision")
	b.ReportMetric(rs.minRecall, "min-recall")
	b.ReportMetric(float64(rs.exact)/q, "exact-sets")
	b.ReportMetric(float64(rs.totalOK)/q, "totals-agree")
	b.ReportMetric(float64(rs.truthN)/q, "truth-hits/query")
	b.ReportMetric(float64(rs.queries), "queries")
}

// realEnv is the benchmark's corpus: generator, queries with their truth,
// and the index folder.
type realEnv struct {
	n     int
	g     *realGen
	qs    *realQuerySet
	dir   string // cache folder of this corpus
	ixDir string
	built time.Duration // build time when built by this run
}

// settleMerges opens the index in dir and waits until Bleve's merger has
// nothing left to do: it has planned at the current root and no merge is
// running. It returns how long that took and the number of segments left.
func settleMerges(dir string) (time.Duration, int, error) {
	ctx := context.Background()
	start := time.Now()
	ix, err := Open(ctx, Options{Dir: dir, Logger: quietLogger()})
	if err != nil {
		return 0, 0, err
	}
	defer ix.Close()
	stat := func(m map[string]any, k string) uint64 { v, _ := m[k].(uint64); return v }
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		sm, _ := ix.bi.StatsMap()["index"].(map[string]any)
		if sm == nil {
			return 0, 0, fmt.Errorf("settle %s: no scorch statistics", dir)
		}
		// CurRootEpoch stays 0 until something is introduced after the open
		// (a merge's result); LastMergedEpoch is set when the merger has
		// finished planning (and merging) at a root.
		root, merged := stat(sm, "CurRootEpoch"), stat(sm, "LastMergedEpoch")
		if merged != 0 && (root == 0 || root == merged) && stat(sm, "TotFileMergeZapBeg") == stat(sm, "TotFileMergeZapEnd") {
			return time.Since(start), int(stat(sm, "TotFileSegmentsAtRoot")), nil
		}
		if time.Since(start) > 3*time.Hour {
			return 0, 0, fmt.Errorf("settle %s: merges still running after 3 h (root epoch %d, merged %d)", dir, root, merged)
		}
		<-tick.C
	}
}

func realCacheDir(b *testing.B) string {
	if d := os.Getenv("PRESSWATCH_BENCH_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		d = os.TempDir()
	}
	return filepath.Join(d, "presswatch-bench")
}

// realBenchSetup learns the corpus, draws the queries and opens or builds the
// cached index and ground truth.
func realBenchSetup(b *testing.B) *realEnv {
	b.Helper()
	files := realCorpusFiles()
	if files == nil {
		b.Skip("PRESSWATCH_TESTDATA unset or without corpus/dev.jsonl: the realistic corpus learns from it")
	}
	n := envInt("PRESSWATCH_BENCH_SEARCH_N", 100000)
	nq := envInt("PRESSWATCH_BENCH_REAL_QUERIES", 1000)
	g, err := newRealGen(files, 1, n)
	if err != nil {
		b.Fatal(err)
	}
	qs := makeRealQueries(g, min(5000, n), nq)
	if len(qs.Queries) < nq {
		b.Fatalf("only %d distinct queries", len(qs.Queries))
	}
	env := &realEnv{n: n, g: g, qs: qs}
	env.dir = filepath.Join(realCacheDir(b), fmt.Sprintf("search-g%d-%s-m%d-n%d-q%d", realGenVersion, g.corpus, MappingVersion, n, nq))
	env.ixDir = filepath.Join(env.dir, "ix")
	done := filepath.Join(env.dir, "done")
	if _, err := os.Stat(done); err == nil || realSkip("bleve") {
		// The index is built (or not wanted: PRESSWATCH_BENCH_REAL_SKIP=bleve)
		// and the truth may be missing or of another version
		// (realTruthVersion): compute the truth alone. Without an index it
		// is kept where the index would be; a later run with Bleve finds no
		// "done" and builds both.
		if err := env.loadTruth(); err == nil {
			return env
		}
		if err := os.MkdirAll(env.dir, 0o755); err != nil {
			b.Fatal(err)
		}
		b.Logf("computing the ground truth of %d documents alone", n)
		truth, err := computeTruth(context.Background(), g, qs, n, nil)
		if err != nil {
			b.Fatal(err)
		}
		qs.truth = truth
		if err := env.saveTruth(); err != nil {
			b.Fatal(err)
		}
		return env
	}
	if err := os.RemoveAll(env.dir); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(env.dir, 0o755); err != nil {
		b.Fatal(err)
	}
	b.Logf("building %d documents into %s", n, env.ixDir)
	ctx := context.Background()
	ix, err := Open(ctx, Options{Dir: env.ixDir, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	truth, err := computeTruth(ctx, g, qs, n, func(first int, arts []*article.Article) error {
		if (first/1000)%100 == 0 {
			b.Logf("%d documents in %s", first, time.Since(start).Round(time.Second))
		}
		return ix.IndexArticles(ctx, arts)
	})
	if err != nil {
		b.Fatal(err)
	}
	env.built = time.Since(start)
	if err := ix.Close(); err != nil {
		b.Fatal(err)
	}
	qs.truth = truth
	if err := env.saveTruth(); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(done, []byte(env.built.String()+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return env
}

// realTruthVersion is the version of the ground truth's semantics, in the
// name of its cache file: raise it when the truth's matching changes (the
// index is kept, the truth alone computed again). 2: in a document written
// with diacritics, a query's words with diacritics match as written (the
// index's text_spell, mapping version 8).
const realTruthVersion = 2

var truthFile = fmt.Sprintf("truth-v%d.bin", realTruthVersion)

// computeTruth returns, for every query, the documents of [0, n) that match
// it; each, when not nil, gets every batch of documents in order (the build
// indexes them there, so the corpus is generated once).
func computeTruth(ctx context.Context, g *realGen, qs *realQuerySet, n int, each func(first int, arts []*article.Article) error) ([]*roaring.Bitmap, error) {
	truth := make([]*roaring.Bitmap, len(qs.Queries))
	for i := range truth {
		truth[i] = roaring.New()
	}
	err := g.produce(ctx, 0, n, 1000, func(a *article.Article) any {
		d, _, _, _ := analyzeDoc(a)
		return qs.matches(a, d)
	}, func(first int, arts []*article.Article, extra []any) error {
		for k, m := range extra {
			for _, qi := range m.([]int32) {
				truth[qi].Add(uint32(first + k))
			}
		}
		if each != nil {
			return each(first, arts)
		}
		return nil
	})
	return truth, err
}

func (env *realEnv) saveTruth() error {
	var buf bytes.Buffer
	for _, t := range env.qs.truth {
		t.RunOptimize()
		var one bytes.Buffer
		if _, err := t.WriteTo(&one); err != nil {
			return err
		}
		_ = binary.Write(&buf, binary.LittleEndian, uint64(one.Len()))
		buf.Write(one.Bytes())
	}
	return os.WriteFile(filepath.Join(env.dir, truthFile), buf.Bytes(), 0o644)
}

func (env *realEnv) loadTruth() error {
	data, err := os.ReadFile(filepath.Join(env.dir, truthFile))
	if err != nil {
		return err
	}
	r := bytes.NewReader(data)
	var truth []*roaring.Bitmap
	for r.Len() > 0 {
		var l uint64
		if err := binary.Read(r, binary.LittleEndian, &l); err != nil {
			return err
		}
		bm := roaring.New()
		if _, err := bm.ReadFrom(io.LimitReader(r, int64(l))); err != nil {
			return err
		}
		truth = append(truth, bm)
	}
	if len(truth) != len(env.qs.Queries) {
		return fmt.Errorf("truth has %d queries, want %d", len(truth), len(env.qs.Queries))
	}
	env.qs.truth = truth
	return nil
}

// produce makes documents [from, to) on all CPUs, runs work on each in the
// worker, and hands them to fn in order, batch documents at a time.
func (g *realGen) produce(ctx context.Context, from, to, batch int, work func(*article.Article) any,
	fn func(first int, arts []*article.Article, extra []any) error) error {
	type res struct {
		first int
		arts  []*article.Article
		extra []any
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	order := make(chan chan res, workers*2)
	sem := make(chan struct{}, workers)
	go func() {
		defer close(order)
		for first := from; first < to; first += batch {
			c := make(chan res, 1)
			select {
			case order <- c:
			case <-ctx.Done():
				return
			}
			sem <- struct{}{}
			go func(first int) {
				defer func() { <-sem }()
				last := min(first+batch, to)
				r := res{first: first}
				for i := first; i < last; i++ {
					a := g.doc(i)
					r.arts = append(r.arts, a)
					if work != nil {
						r.extra = append(r.extra, work(a))
					}
				}
				c <- r
			}(first)
		}
	}()
	for c := range order {
		r := <-c
		if err := fn(r.first, r.arts, r.extra); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// coldSearch runs this test binary again to open the index in dir and run
// one search (TestRealSearchColdProcess): the open and the first query of a
// fresh process. With warm, the process runs (*Index).Warm between the two
// (what Options.Warm does in the background for the web role) and warmUp
// is its time.
func coldSearch(dir string, r Request, warm bool) (open, first, warmUp time.Duration, err error) {
	js, err := json.Marshal(r)
	if err != nil {
		return 0, 0, 0, err
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRealSearchColdProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "PW_REALBENCH_COLD_DIR="+dir, "PW_REALBENCH_COLD_REQ="+string(js))
	if warm {
		cmd.Env = append(cmd.Env, "PW_REALBENCH_COLD_WARM=1")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("cold search: %v: %s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "PWCOLD" {
			var ns [3]int64
			for i := range ns {
				if ns[i], err = strconv.ParseInt(f[i+1], 10, 64); err != nil {
					return 0, 0, 0, fmt.Errorf("cold search: %q: %w", sc.Text(), err)
				}
			}
			return time.Duration(ns[0]), time.Duration(ns[1]), time.Duration(ns[2]), nil
		}
	}
	return 0, 0, 0, fmt.Errorf("cold search: no result in %s", out)
}

// TestRealSearchColdProcess is BenchmarkSearchReal's fresh process: it runs
// only when the benchmark starts it. It prints the open, the first query's
// and the warm-up's nanoseconds (0 without PW_REALBENCH_COLD_WARM).
func TestRealSearchColdProcess(t *testing.T) {
	dir := os.Getenv("PW_REALBENCH_COLD_DIR")
	if dir == "" {
		t.Skip("started by BenchmarkSearchReal only")
	}
	var r Request
	if err := json.Unmarshal([]byte(os.Getenv("PW_REALBENCH_COLD_REQ")), &r); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	ix, err := Open(ctx, Options{Dir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	open := time.Since(start)
	var warm time.Duration
	if os.Getenv("PW_REALBENCH_COLD_WARM") != "" {
		start = time.Now()
		if _, err := ix.Warm(ctx); err != nil {
			t.Fatal(err)
		}
		warm = time.Since(start)
	}
	start = time.Now()
	if _, err := ix.Search(ctx, r); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("PWCOLD %d %d %d\n", open.Nanoseconds(), time.Since(start).Nanoseconds(), warm.Nanoseconds())
}

// BenchmarkPublishToSearchReal measures publish → visible in search
// on the realistic corpus's index (PRESSWATCH_BENCH_SEARCH_N documents, the
// cached index of BenchmarkSearchReal): PublishClassified of one realistic
// article on the embedded bus (an in-process NATS server with file storage,
// no TCP), the indexer's fetch and batch (FlushInterval 250 ms, the default),
// IndexArticles into the large index, until Search (polled every 2 ms) finds
// the article. Out: crawling, classification, the store. The articles are
// deleted again afterwards so the cached index keeps its size.
func BenchmarkPublishToSearchReal(b *testing.B) {
	if realSkip("bleve") {
		b.Skip("PRESSWATCH_BENCH_REAL_SKIP=bleve: no Bleve index to publish into")
	}
	env := realBenchSetup(b)
	ctx := context.Background()
	bb, err := bus.Open(ctx, bus.Options{DataDir: b.TempDir(), Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer bb.Close()
	ix, err := Open(ctx, Options{Dir: env.ixDir, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	x, err := NewIndexer(IndexerOptions{Bus: bb, Index: ix, Durable: "bench-real", Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = x.Run(rctx) }()
	defer func() { cancel(); <-done }()
	var lat []time.Duration
	var ids []string
	defer func() {
		if err := ix.DeleteArticles(ctx, ids); err != nil {
			b.Error(err)
		}
	}()
	for b.Loop() {
		lat = lat[:0]
		for i := 0; i < 20; i++ {
			a := env.g.doc(env.n + i)
			word := "zzpubreal" + strconv.Itoa(i) + "x" + strconv.Itoa(len(ids))
			a.ID = word
			a.Title = word + " " + a.Title
			a.Classification.At = time.Now()
			ids = append(ids, word)
			start := time.Now()
			if err := bb.PublishClassified(ctx, []*article.Article{a}); err != nil {
				b.Fatal(err)
			}
			for {
				res, err := ix.Search(ctx, Request{Query: word, Facets: true, Highlight: true})
				if err != nil {
					b.Fatal(err)
				}
				if res.Total > 0 {
					break
				}
				if time.Since(start) > 30*time.Second {
					b.Fatalf("%s not searchable after 30s", word)
				}
				time.Sleep(2 * time.Millisecond) // polling, as a user reloading the page
			}
			lat = append(lat, time.Since(start))
		}
	}
	b.ReportMetric(ms(percentile(lat, 0.5)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 1)), "max-ms")
	b.ReportMetric(float64(env.n), "articles")
}

// BenchmarkIndexReal is BenchmarkIndex on PRESSWATCH_BENCH_INDEX_N (default
// 5,000) documents of the realistic corpus: presswatch's mapping against
// Bleve's default mapping with its _all field and without it.
func BenchmarkIndexReal(b *testing.B) {
	files := realCorpusFiles()
	if files == nil {
		b.Skip("PRESSWATCH_TESTDATA unset or without corpus/dev.jsonl: the realistic corpus learns from it")
	}
	n := envInt("PRESSWATCH_BENCH_INDEX_N", 5000)
	g, err := newRealGen(files, 1, n)
	if err != nil {
		b.Fatal(err)
	}
	arts := make([]*article.Article, n)
	for i := range arts {
		arts[i] = g.doc(i)
	}
	indexCompare(b, arts)
}

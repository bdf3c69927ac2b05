// Command benchreport runs the project's benchmarks and measurements and writes
// them, with the machine and the date, to docs/BENCHMARKS.md. It is what
// `make bench` runs.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/internal/startbench"
)

// suites lists what `make bench` measures: a package, a benchmark pattern,
// how long each benchmark runs, what the figure includes and leaves out (so
// that no figure reads as more than it measures), and the goal from the
// issues.
var suites = []struct {
	title, pkg, pattern, benchtime, scope, goal string
}{
	{"Stage pipeline: publish → consume → store, classifier out (issue 2)", "./classifier", "BenchmarkStagePipeline", "20000x",
		"in-process embedded NATS (no socket), ~2 KB articles, no classification, store upsert + republish; the classified end-to-end figure over TCP is in the process section below",
		"≥ 5,000 articles/s with SQLite, ≥ 10,000 articles/s with PostgreSQL (PostgreSQL runs need PRESSWATCH_TEST_POSTGRES)"},
	{"Bus, in-process (issue 2)", "./bus", "Benchmark", "20000x",
		"embedded JetStream in the same process: no socket, one node, no replication",
		"publishing and confirmed acks well above the pipeline's goal"},
	{"Store upserts (issue 2)", "./store", "BenchmarkUpsertArticles", "50x",
		"batches of articles straight into the store, no bus",
		"well above the pipeline's goal"},
	{"Wire format (issue 2)", "./article", "BenchmarkUnmarshal", "20000x",
		"decode of one message, in memory",
		"cheap on every stage's hot path"},
	{"Feed polling micro-benchmarks, in-process (issue 3)", "./crawler", "BenchmarkUnchanged304$|BenchmarkUnchanged304Latency200ms|BenchmarkNewEntries|BenchmarkArticlesEndToEnd|BenchmarkCrawlerProcessRSS", "3x",
		"crawler inside the test binary against an in-process presssim; the release binary against a separate farm process, with Miniflux, is in the process section below",
		"≥ 1,000 unchanged feeds/s; ≥ 500/s with 200 ms latency; ≥ 5,000 new entries/s; ≥ 100 articles/s end to end; crawler ≤ 150 MiB with 10,000 sources"},
	{"Extraction speed (issue 3)", "./crawler/extract", "BenchmarkExtractVsTrafilatura", "1x",
		"extraction of the stored Zyte pages in memory, every extractor in the same run; quality below",
		"mean ms/page no worse than go-trafilatura with its fallback, in the same run"},
	{"presssim farm (issue 3)", "./presssim", "BenchmarkFarm", "2s",
		"the simulated press alone, in-process",
		"serves the polling benchmark's farm faster than the crawler polls it"},
	{"Classifier, per article (issues 4, 11)", "./classifier", "BenchmarkClassify|BenchmarkCluster", "3000x",
		"one engine, language detection in; cpu-µs/op is the CPU time of the process per article (steadier than ns/op on a loaded machine). BenchmarkClassify, ClassifyDeclaredLang and ClassifyWithModel cycle 20 synthetic 5 KB articles (en/vi/zh/ja/ko, one paragraph repeated, so few distinct words: an easier text than real coverage); Classify is rules only, WithModel has the learned layer in. BenchmarkClassifyStream is the realistic one: learned layer in, every article distinct, ~5 KB built from the dev corpus's texts in their own languages (as internal/procbench builds them), all in one clustering window as the classifier process sees a backlog, so each article is also compared with the window's stories (but its texts come round again every corpus length, so an article usually finds its story among the newest and stops there). BenchmarkClusterNewStory is the story clusterer alone for an article that starts a new story, by the number of stories in the window (synthetic stories that it matches with none, a quarter naming an entity it names): window=N has them all in the article's language, and it is compared with every one; mixed/window=N has them in four languages, and of those in other languages only the ones sharing an entity are compared. BenchmarkClusterExpiring is the cost of forgetting: 20,000 stories in time order, each new article an update that expires the oldest",
		"≥ 2,000 articles/s per core on 5 KB articles with the learned layer on (BenchmarkClassifyStream is the figure on real text)"},
	{"Indexing (issue 5)", "./index", "BenchmarkIndex$|BenchmarkSearchableAfterPublish", "1x",
		"in-process Bleve; see each benchmark's name for the mapping compared; <variant>-cpu-µs/doc is the process's CPU from opening the index to closing it (merges included) per document",
		"full mapping at least as fast as a default-mapping Bleve index; searchable ≤ 1 s after classification"},
	{"Search, fixed queries (issue 5)", "./index", "BenchmarkSearch$", "1x",
		"in-process, warm, 16 fixed queries over a synthetic ~300-word vocabulary (size: PRESSWATCH_BENCH_SEARCH_N, default 100,000); realistic queries are in the Zipfian section",
		"p50 ≤ 20 ms, p99 ≤ 150 ms for two terms + five facets + highlights; newest-first filtered p50 ≤ 20 ms"},
	{"Search on a realistic corpus, with PostgreSQL FTS as the peer (issue 15)", "./index", "BenchmarkSearchReal$", "1x",
		"corpus of PRESSWATCH_BENCH_SEARCH_N documents (default 100,000) generated from the dev corpus's language mix and Zipfian word ranks (needs PRESSWATCH_TESTDATA; index cached between runs, see docs/index.md); 1,000 distinct queries drawn from it (1–3 words by document frequency, phrases, the province's name; a quarter scoped to \"about the province\", a fifth to a date range; sorted by relevance, newest or risk), each with facets, histogram, highlights and 20 hits, through (*Index).Search in-process. merges-settled: before the search rows the index is opened and left until Bleve's background merges have nothing left to do (a bulk build leaves many; the rows measure a settled index, as a live one is between merges). cold-process-evicted: a fresh process opens the index and runs one query after this index's files were evicted from the page cache (20 queries); cold-process: the same, page cache as left; cold-process-warmed: the same with (*Index).Warm between open and query; warm-up: Warm in the searching process, as the web role runs it after open (the per-segment caches); first-seen: each query's first run in that process, after the warm-up, with p99 by kind of query; warm: second run; recall: complete result sets (Export) against a ground truth computed from the generated text. pg-*: PostgreSQL FTS (tsvector of the same textnorm tokens + GIN, database pw_searchbench) on the same documents and queries, count + first 20 in the same order, no facets or snippets, over a loopback connection (needs PRESSWATCH_TEST_POSTGRES). load1 is the machine's load average",
		"p50 ≤ 20 ms, p99 ≤ 150 ms at 1M with realistic queries, faster than PostgreSQL FTS at the same recall (the 1M section below)"},
	{title1M, "./index", "BenchmarkSearchReal$", "1x",
		"the section above's benchmark (same corpus generator, 1,000 queries, requests and rows) at 1,000,000 documents. Run only when PRESSWATCH_BENCH_1M=1 (or -only names it): it takes about 1 h 40 min here (Bleve's build 32–51 min on the machines here and 3 min of merges settling; PostgreSQL's load about 26 min, its two passes 29, its recall pass 5); without it, `make bench` keeps the section of the last run that had it, under that run's own Run line. The set-by-set recall pass is left out by default (PRESSWATCH_BENCH_REAL_SKIP=recall: 53 min at 1M); the totals row checks Search's totals against the truth's set sizes instead, and pg-recall is PostgreSQL's set-by-set pass. The index and the truth are cached between runs, keyed by the corpus files, so a second run skips the build",
		"p50 ≤ 20 ms, p99 ≤ 150 ms at 1M with realistic queries, faster than PostgreSQL FTS at the same recall"},
	{"Indexing and publish → searchable on the realistic corpus (issue 15)", "./index", "BenchmarkIndexReal$|BenchmarkPublishToSearchReal$", "1x",
		"presswatch's full mapping against two Bleve baselines named as such: Bleve's default mapping (dynamic, with the _all field) and the default without _all (presswatch/default and presswatch/default-no-all; 5,000 realistic documents, batches of 500, median of 3 interleaved rounds, in-process, on disk). presswatch's row includes its stored body, title and URL, text_spell (for text written with diacritics), text_en (English) and text_pair (pairs of common words side by side), keywords and the facets' doc values, with term vectors (positions only) on text and title; the baselines index and store every field of the article struct, with term vectors and offsets on every text field. <variant>-cpu-µs/doc is the process's CPU from opening the index to closing it, background merges included, per document (steadier than docs/s on a loaded machine). Publish → searchable: PublishClassified on the embedded bus (in-process NATS, no TCP), the indexer's fetch and 250 ms flush, IndexArticles into the realistic index of PRESSWATCH_BENCH_SEARCH_N documents, Search polled every 2 ms until the article is found; crawling, classification and the store are out",
		"full mapping at least as fast as Bleve's default; searchable ≤ 1 s after classification"},
	{"Web (issue 5)", "./web", "Benchmark", "200x",
		"HTTP handlers through httptest (no network), small index",
		"page and API overhead small next to search"},
	{"Alerts (issue 6)", "./alerts", "BenchmarkAlert", "10x",
		"presssim → classifier → alerter → in-process SMTP over loopback",
		"presssim → SMTP accepted p50 ≤ 3 s, p99 ≤ 10 s; ≥ 500 emails/min"},
	{"Reports (issue 7)", "./digest", "BenchmarkReport", "1x",
		"report generation from a SQLite store, no sending",
		"week of 10,000 articles ≤ 5 s; quarter of 100,000 ≤ 30 s"},
}

// title1M is the realistic search at 1,000,000 documents: opt-in, since it
// takes about 1 h 40 min here.
const title1M = "Search on a realistic corpus at 1,000,000 documents (issue 15)"

// suiteOpts are what some suites need beside the table's columns: the
// environment they run with (env always; envDefault unless the caller set
// the variable), the variable that must be 1 for a full run to include
// them, and a longer timeout.
var suiteOpts = map[string]struct {
	env, envDefault []string
	optIn           string
	timeout         string
}{
	title1M: {
		env:        []string{"PRESSWATCH_BENCH_SEARCH_N=1000000"},
		envDefault: []string{"PRESSWATCH_BENCH_REAL_SKIP=recall"},
		optIn:      "PRESSWATCH_BENCH_1M",
		timeout:    "6h",
	},
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+)\s+(\d+)\s+(.*)$`)

func main() {
	out := flag.String("out", "docs/BENCHMARKS.md", "file to write")
	only := flag.String("only", "", "run only suites whose title contains this")
	flag.Parse()
	ctx := context.Background()

	started, loadStart := time.Now().UTC(), loadAvg()
	previous, _ := os.ReadFile(*out)
	// Sections this run leaves out and keeps from an earlier one are named
	// in the header, with that run's Run line, so the header does not pass
	// them off as this run's.
	var body bytes.Buffer
	var kept []string
	for _, s := range suites {
		if *only != "" && !strings.Contains(s.title, *only) {
			continue
		}
		opts := suiteOpts[s.title]
		if opts.optIn != "" && *only == "" && os.Getenv(opts.optIn) != "1" {
			sec, run := keptSection(previous, s.title, opts.optIn)
			body.WriteString(sec)
			if run != "" {
				kept = append(kept, fmt.Sprintf("\"%s\" (%s%s)", s.title, run, mappingNote(run, index.MappingVersion)))
			}
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s (%s %s)\n", s.title, s.pkg, s.pattern)
		loadBefore, at := loadAvg(), time.Now().UTC()
		timeout := suiteTimeout()
		if opts.timeout != "" && os.Getenv("PRESSWATCH_BENCH_TIMEOUT") == "" {
			timeout = opts.timeout
		}
		cmd := exec.CommandContext(ctx, "go", "test", "-run=^$", "-bench="+s.pattern, "-benchtime="+s.benchtime, "-benchmem", "-timeout="+timeout, s.pkg)
		cmd.Env = suiteEnv(os.Environ(), opts.env, opts.envDefault)
		var outBuf bytes.Buffer
		cmd.Stdout = io.MultiWriter(&outBuf, os.Stderr)
		cmd.Stderr = io.MultiWriter(&outBuf, os.Stderr)
		err := cmd.Run()
		fmt.Fprintf(&body, "## %s\n\nIncludes: %s.\n\nGoal: %s. Command: `go test -run='^$' -bench='%s' -benchtime=%s -benchmem %s`\n\n%s\n\n", s.title, s.scope, s.goal, s.pattern, s.benchtime, s.pkg, runLine(at, loadBefore))
		rows := parse(outBuf.String())
		if len(rows) == 0 {
			status := "no benchmark matched"
			if err != nil {
				status = "failed: " + err.Error()
			}
			fmt.Fprintf(&body, "_%s_\n\n", status)
			continue
		}
		body.WriteString("| benchmark | iterations | metrics |\n|---|---:|---|\n")
		for _, r := range rows {
			fmt.Fprintf(&body, "| %s | %s | %s |\n", r[0], r[1], r[2])
		}
		body.WriteString("\n")
		if s.pattern == "BenchmarkSearchReal$" {
			body.WriteString(searchPeerTable(rows))
		}
	}

	for _, ev := range []struct {
		title, goal string
		args        []string
	}{
		{"Extraction quality (issue 3, `presswatch eval extraction`)", "Zyte F1 ≥ 0.965 with mean ms/page no worse than go-trafilatura with fallback in the same run; publication-date accuracy ≥ 0.90", []string{"eval", "extraction"}},
		{"Classifier quality, 10-fold cross-validated (issues 4, 11, `presswatch eval classifier`)", "on the dev corpus (dev.jsonl + classifier/testdata/corpus/grown.jsonl), folds keeping a story together, the CV column is the figure: about F1 ≥ 0.96, mentions F1 ≥ 0.98, needs_review recall ≥ 0.90 at precision ≥ 0.70, topic micro-F1 ≥ 0.80, tone accuracy ≥ 0.75", []string{"eval", "classifier"}},
	} {
		if *only != "" && !strings.Contains(ev.title, *only) {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", ev.title)
		loadBefore, at := loadAvg(), time.Now().UTC()
		cmd := exec.CommandContext(ctx, "bin/presswatch", ev.args...)
		var outBuf bytes.Buffer
		cmd.Stdout = &outBuf
		cmd.Stderr = io.MultiWriter(&outBuf, os.Stderr)
		err := cmd.Run()
		fmt.Fprintf(&body, "## %s\n\nGoal: %s. Data: `$PRESSWATCH_TESTDATA` (../shared/testdata).\n\n%s\n\n", ev.title, ev.goal, runLine(at, loadBefore))
		if err != nil {
			fmt.Fprintf(&body, "_failed: %v_\n\n", err)
		}
		fmt.Fprintf(&body, "```\n%s```\n\n", headLines(outBuf.String(), evalLines, "presswatch "+strings.Join(ev.args, " ")))
	}

	// Process-level measurements (issue 15): internal/procbench runs the
	// release binary, a feed-farm process, NATS, Miniflux and the classifier
	// and indexer processes, and writes its own sections.
	if *only == "" || strings.Contains("processes", *only) {
		fmt.Fprintf(os.Stderr, "== Processes (internal/procbench)\n")
		loadBefore, at := loadAvg(), time.Now().UTC()
		md, err := procBench(ctx)
		if err != nil {
			md = fmt.Sprintf("## Polling as processes (internal/procbench)\n\n_failed: %v_\n\n%s", err, md)
		}
		body.WriteString(withRunLine(md, runLine(at, loadBefore)))
	}

	if *only == "" || strings.Contains("idle memory", *only) {
		loadBefore, at := loadAvg(), time.Now().UTC()
		rss, err := idleRSS(ctx)
		fmt.Fprintf(&body, "## `presswatch run` idle resident memory\n\nGoal: ≤ 150 MiB. Measured: `bin/presswatch run` (release build) on embedded defaults in an empty data directory, RSS read from /proc after 30 s idle.\n\n%s\n\n", runLine(at, loadBefore))
		if err != nil {
			fmt.Fprintf(&body, "_failed: %v_\n\n", err)
		} else {
			fmt.Fprintf(&body, "| metric | value |\n|---|---:|\n| VmRSS after 30 s | %.1f MiB |\n\n", float64(rss)/1024)
		}
	}
	if *only == "" || strings.Contains("release binary start-up crawler process", *only) {
		fmt.Fprintln(os.Stderr, "== release binary: size, start-up, crawler process (internal/startbench)")
		// The crawler run lasts the whole first fetch (every feed polled
		// once, 200,000 article pages), where its peak comes (issue 18):
		// ~7 min on an idle machine; the cap keeps a loaded run bounded and
		// the section says when it was reached.
		loadBefore, at := loadAvg(), time.Now().UTC()
		sb, err := startbench.Measure(ctx, startbench.Options{Binary: "bin/presswatch", CrawlFor: 25 * time.Minute, Log: os.Stderr})
		if err != nil {
			fmt.Fprintf(&body, "## Release binary: size, start-up, crawler process (issues 15, 18)\n\n_failed: %v_\n\n", err)
		} else {
			body.WriteString(withRunLine(sb.Markdown(), runLine(at, loadBefore)))
		}
	}
	machine := fmt.Sprintf("%s, %d cores, %s RAM", cpuModel(), runtime.NumCPU(), memTotal())
	goVersion := fmt.Sprintf("%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	data := append([]byte(header(started, machine, goVersion, codeLabel(), loadStart, kept)), body.Bytes()...)
	if *only != "" {
		if old, err := os.ReadFile(*out); err == nil {
			data = mergeSections(old, data)
		}
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "wrote", *out)
}

// evalLines caps an eval's output in the report: the figures come first,
// the per-item listing after them is for the command line.
const evalLines = 80

// headLines returns the first n lines of s and says how many were left out.
func headLines(s string, n int, cmd string) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "") + fmt.Sprintf("… %d more lines (every misjudged item with its reasons): run `%s`\n", len(lines)-n, cmd)
}

// loadAvg is the 1-minute load average from /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

// runLine says when and on which machine a section ran, and the load
// around it.
func runLine(at time.Time, loadBefore string) string {
	return fmt.Sprintf("**Run:** %s on %s (%d cores), code %s, took %s; load average %s at start, %s at end.",
		at.Format("2006-01-02 15:04 MST"), cpuModel(), runtime.NumCPU(), codeLabel(), time.Since(at).Round(time.Second), loadBefore, loadAvg())
}

// codeLabel names the code a section measured: the commit (git describe,
// "-dirty" when the tree had changes) and the search index's mapping
// version, which changes what the indexing and search rows measure.
// Sections rerun with -only at another commit say so in their Run line.
func codeLabel() string {
	codeOnce.Do(func() {
		commit := "unknown commit"
		if out, err := exec.Command("git", "describe", "--always", "--dirty", "--abbrev=7").Output(); err == nil {
			commit = strings.TrimSpace(string(out))
		}
		code = fmt.Sprintf("%s with index mapping %d", commit, index.MappingVersion)
	})
	return code
}

var (
	codeOnce sync.Once
	code     string
)

// mappingNote is what the header adds to a kept section's run (the Run
// line's part before "took") when that run did not record the index
// mapping this run's code uses: its index and search rows may measure
// another index.
func mappingNote(run string, mapping int) string {
	m := mappingInRun.FindStringSubmatch(run)
	switch {
	case m == nil:
		return fmt.Sprintf("; its Run line does not say which index mapping it measured (this run's is %d)", mapping)
	case m[1] != strconv.Itoa(mapping):
		return fmt.Sprintf("; measured with index mapping %s, not this run's %d", m[1], mapping)
	}
	return ""
}

var mappingInRun = regexp.MustCompile(`with index mapping (\d+)\b`)

// withRunLine puts line under the heading of every section of md (a
// measurement that writes several sections gives each the same Run line).
func withRunLine(md, line string) string {
	var out strings.Builder
	for _, l := range strings.SplitAfter(md, "\n") {
		out.WriteString(l)
		if strings.HasPrefix(l, "## ") {
			out.WriteString("\n" + line + "\n")
		}
	}
	return out.String()
}

func parse(s string) [][3]string {
	var rows [][3]string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		fields := strings.Fields(m[3])
		var metrics []string
		for i := 0; i+1 < len(fields); i += 2 {
			metrics = append(metrics, fields[i]+" "+fields[i+1])
		}
		rows = append(rows, [3]string{m[1], m[2], strings.Join(metrics, ", ")})
	}
	return rows
}

// idleRSS starts the built binary on embedded defaults and reads its resident
// memory after it has been idle for 30 seconds. Result in KiB.
func idleRSS(ctx context.Context) (int64, error) {
	dir, err := os.MkdirTemp("", "pw-idle-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	bin, err := filepath.Abs("bin/presswatch")
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, bin, "run")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PRESSWATCH_DATA_DIR="+filepath.Join(dir, "data"), "PRESSWATCH_WEB_LISTEN=127.0.0.1:18080")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	time.Sleep(30 * time.Second)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("process ended early: %v: %s", err, tail(stderr.String()))
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc status")
}

func tail(s string) string {
	if len(s) > 500 {
		return s[len(s)-500:]
	}
	return s
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	return describeCPU(string(b))
}

// describeCPU names the first processor of a /proc/cpuinfo text: its model
// name, then its family, model and clock where the file gives them (the
// clock is "cpu MHz" as read, which frequency scaling can move on a
// physical machine; on the virtual machines here it is fixed). Virtual
// machines of different kinds can share a model name ("AMD EPYC" on two
// machines whose speed differed by half), and the Run lines must tell them
// apart.
func describeCPU(cpuinfo string) string {
	field := map[string]string{}
	for _, line := range strings.Split(cpuinfo, "\n") {
		if strings.TrimSpace(line) == "" {
			if len(field) > 0 {
				break // the first processor's block is enough
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if k = strings.TrimSpace(k); field[k] == "" {
			field[k] = strings.TrimSpace(v)
		}
	}
	name := field["model name"]
	if name == "" {
		name = "unknown CPU"
	}
	var extra []string
	if f, m := field["cpu family"], field["model"]; f != "" && m != "" {
		extra = append(extra, "family "+f+" model "+m)
	}
	if mhz, err := strconv.ParseFloat(field["cpu MHz"], 64); err == nil && mhz > 0 {
		extra = append(extra, fmt.Sprintf("%.2f GHz", mhz/1000))
	}
	if len(extra) == 0 {
		return name
	}
	return name + ", " + strings.Join(extra, ", ")
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "MemTotal:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return fmt.Sprintf("%.1f GiB", kb/1024/1024)
		}
	}
	return "unknown"
}

// suiteEnv is base with env set and envDefault set where base lacks the
// variable (exec takes the last of a duplicate key).
func suiteEnv(base, env, envDefault []string) []string {
	out := append(slices.Clip(base), env...)
	for _, kv := range envDefault {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(base, func(b string) bool { return strings.HasPrefix(b, k+"=") }) {
			out = append(out, kv)
		}
	}
	return out
}

// header is the file's opening: what the file is, when the full run started,
// on which machine and code, and the sections it kept from earlier runs (kept: each
// section's title and its Run line's "when, on which machine").
func header(started time.Time, machine, goVersion, code, load string, kept []string) string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\nWritten by `make bench` (internal/benchreport), which runs every section in one run; `go run ./internal/benchreport -only X` reruns the sections whose title contains X and keeps the others, so sections can come from different runs. Each section's **Run** line says when it ran, on which machine, which code (commit and search-index mapping version), and the machine's load average (1 min) when it started and ended: compare sections only when their Run lines agree. Each section says what its figures include and leave out: on a shared machine wall-clock rates swing with the load, CPU time per item much less.\n\n")
	fmt.Fprintf(&b, "- Last full run (`make bench`): %s\n- Machine: %s\n- Go: %s\n- Code: %s\n- Load average at start: %s\n", started.Format("2006-01-02 15:04 MST"), machine, goVersion, code, load)
	if len(kept) > 0 {
		fmt.Fprintf(&b, "- Not rerun in this run, kept from the run its Run line names: %s\n", strings.Join(kept, "; "))
	}
	b.WriteString("\n")
	return b.String()
}

// keptSection is what a full run writes for an opt-in suite it leaves out:
// the last run's section, whose Run line says when it ran, or a line that
// says how to run it; run is that Run line's "when, on which machine" part
// ("" when there was no section to keep).
func keptSection(previous []byte, title, optIn string) (sec, run string) {
	if sec, ok := section(previous, title); ok {
		for _, l := range strings.Split(sec, "\n") {
			if r, ok := strings.CutPrefix(l, "**Run:** "); ok {
				run, _, _ = strings.Cut(r, ", took ")
				break
			}
		}
		return "## " + sec, run
	}
	return fmt.Sprintf("## %s\n\n_Not run: set %s=1._\n\n", title, optIn), ""
}

// section returns the section of md whose heading is title, without its
// "## ", up to the next section.
func section(md []byte, title string) (string, bool) {
	for _, sec := range strings.Split(string(md), "\n## ")[1:] {
		if t, _, _ := strings.Cut(sec, "\n"); t == title {
			return strings.TrimRight(sec, "\n") + "\n\n", true
		}
	}
	return "", false
}

// mergeSections replaces, in old, every "## " section that fresh also has,
// keeps the others, and takes fresh's header (with today's date and machine).
func mergeSections(old, fresh []byte) []byte {
	split := func(b []byte) (string, []string) {
		parts := strings.Split(string(b), "\n## ")
		return parts[0], parts[1:]
	}
	title := func(sec string) string { t, _, _ := strings.Cut(sec, "\n"); return t }
	// The head (date, load at start) stays the full run's: a rerun section
	// carries its own Run line, and the sections not rerun still come from
	// the run the head names.
	head, oldSecs := split(old)
	_, freshSecs := split(fresh)
	byTitle := map[string]string{}
	for _, s := range freshSecs {
		byTitle[title(s)] = s
	}
	var out strings.Builder
	out.WriteString(head)
	for _, s := range oldSecs {
		if f, ok := byTitle[title(s)]; ok {
			s = f
			delete(byTitle, title(s))
		}
		out.WriteString("\n## " + s)
	}
	for _, s := range freshSecs {
		if _, ok := byTitle[title(s)]; ok {
			out.WriteString("\n## " + s)
		}
	}
	return []byte(out.String())
}

// procBench runs internal/procbench and returns its markdown sections.
func procBench(ctx context.Context) (string, error) {
	f, err := os.CreateTemp("", "procbench-*.md")
	if err != nil {
		return "", err
	}
	f.Close()
	defer os.Remove(f.Name())
	cmd := exec.CommandContext(ctx, "go", "run", "./internal/procbench", "-bin", "bin/presswatch", "-out", f.Name())
	cmd.Env = os.Environ()
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	runErr := cmd.Run()
	md, err := os.ReadFile(f.Name())
	if err != nil && runErr == nil {
		runErr = err
	}
	return string(md), runErr
}

// suiteTimeout is each suite's go test timeout: PRESSWATCH_BENCH_TIMEOUT
// (a Go duration) or 30m. The search suite at 1M documents builds its
// index for an hour or more and needs a longer one.
func suiteTimeout() string {
	if v := os.Getenv("PRESSWATCH_BENCH_TIMEOUT"); v != "" {
		if _, err := time.ParseDuration(v); err == nil {
			return v
		}
		fmt.Fprintf(os.Stderr, "benchreport: PRESSWATCH_BENCH_TIMEOUT=%q is not a duration; using 30m\n", v)
	}
	return "30m"
}

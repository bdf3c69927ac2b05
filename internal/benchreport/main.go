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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dongnai/presswatch/internal/startbench"
)

// suites lists what `make bench` measures: a package, a benchmark pattern and
// how long each benchmark runs. Goals come from the issues.
var suites = []struct {
	title, pkg, pattern, benchtime, goal string
}{
	{"Pipeline: publish → consume → store (issue 2)", "./classifier", "BenchmarkStagePipeline", "20000x", "≥ 5,000 articles/s with SQLite, ≥ 10,000 articles/s with PostgreSQL (PostgreSQL runs need PRESSWATCH_TEST_POSTGRES)"},
	{"Bus (issue 2)", "./bus", "Benchmark", "20000x", "publishing and confirmed acks well above the pipeline's goal"},
	{"Store upserts (issue 2)", "./store", "BenchmarkUpsertArticles", "50x", "well above the pipeline's goal"},
	{"Wire format (issue 2)", "./article", "BenchmarkUnmarshal", "20000x", "cheap on every stage's hot path"},
	{"Feed polling and collection (issue 3)", "./crawler", "BenchmarkUnchanged304$|BenchmarkUnchanged304Latency200ms|BenchmarkNewEntries|BenchmarkArticlesEndToEnd|BenchmarkCrawlerProcessRSS", "3x", "≥ 1,000 unchanged feeds/s; ≥ 500/s with 200 ms latency; ≥ 5,000 new entries/s; ≥ 100 articles/s end to end; crawler ≤ 150 MiB with 10,000 sources"},
	{"Extraction (issue 3)", "./crawler/extract", "BenchmarkExtractVsTrafilatura", "1x", "mean ms/page no worse than go-trafilatura with its fallback, in the same run (quality: `make eval`)"},
	{"presssim farm (issue 3)", "./presssim", "BenchmarkFarm", "2s", "serves the polling benchmark's farm faster than the crawler polls it"},
	{"Classifier (issue 4)", "./classifier", "BenchmarkClassify", "3000x", "≥ 2,000 articles/s per core on 5 KB articles, language detection included"},
	{"Indexing (issue 5)", "./index", "BenchmarkIndex$|BenchmarkSearchableAfterPublish", "1x", "full mapping at least as fast as a default-mapping Bleve index; searchable ≤ 1 s after classification"},
	{"Search (issue 5)", "./index", "BenchmarkSearch$", "1x", "p50 ≤ 20 ms, p99 ≤ 150 ms for two terms + five facets + highlights; newest-first filtered p50 ≤ 20 ms (size: PRESSWATCH_BENCH_SEARCH_N, default 100,000)"},
	{"Web (issue 5)", "./web", "Benchmark", "200x", "page and API overhead small next to search"},
	{"Alerts (issue 6)", "./alerts", "BenchmarkAlert", "10x", "presssim → SMTP accepted p50 ≤ 3 s, p99 ≤ 10 s; ≥ 500 emails/min"},
	{"Reports (issue 7)", "./digest", "BenchmarkReport", "1x", "week of 10,000 articles ≤ 5 s; quarter of 100,000 ≤ 30 s"},
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+)\s+(\d+)\s+(.*)$`)

func main() {
	out := flag.String("out", "docs/BENCHMARKS.md", "file to write")
	only := flag.String("only", "", "run only suites whose title contains this")
	flag.Parse()
	ctx := context.Background()

	var b bytes.Buffer
	fmt.Fprintf(&b, "# Benchmarks\n\nWritten by `make bench` (internal/benchreport). Figures are from one run; rerun to compare.\n\n")
	fmt.Fprintf(&b, "- Date: %s\n- Machine: %s, %d cores, %s RAM\n- Go: %s %s/%s\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), cpuModel(), runtime.NumCPU(), memTotal(), runtime.Version(), runtime.GOOS, runtime.GOARCH)

	for _, s := range suites {
		if *only != "" && !strings.Contains(s.title, *only) {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s (%s %s)\n", s.title, s.pkg, s.pattern)
		cmd := exec.CommandContext(ctx, "go", "test", "-run=^$", "-bench="+s.pattern, "-benchtime="+s.benchtime, "-benchmem", "-timeout=30m", s.pkg)
		cmd.Env = os.Environ()
		var outBuf bytes.Buffer
		cmd.Stdout = io.MultiWriter(&outBuf, os.Stderr)
		cmd.Stderr = io.MultiWriter(&outBuf, os.Stderr)
		err := cmd.Run()
		fmt.Fprintf(&b, "## %s\n\nGoal: %s. Command: `go test -run='^$' -bench='%s' -benchtime=%s -benchmem %s`\n\n", s.title, s.goal, s.pattern, s.benchtime, s.pkg)
		rows := parse(outBuf.String())
		if len(rows) == 0 {
			status := "no benchmark matched"
			if err != nil {
				status = "failed: " + err.Error()
			}
			fmt.Fprintf(&b, "_%s_\n\n", status)
			continue
		}
		b.WriteString("| benchmark | iterations | metrics |\n|---|---:|---|\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", r[0], r[1], r[2])
		}
		b.WriteString("\n")
	}

	for _, ev := range []struct {
		title, goal string
		args        []string
	}{
		{"Extraction quality (issue 3, `presswatch eval extraction`)", "Zyte F1 ≥ 0.965 with mean ms/page no worse than go-trafilatura with fallback in the same run; publication-date accuracy ≥ 0.90", []string{"eval", "extraction"}},
		{"Classifier quality (issue 4, `presswatch eval classifier`)", "about F1 ≥ 0.95, mentions F1 ≥ 0.98, needs_review recall ≥ 0.9 with precision ≥ 0.6, topic micro-F1 ≥ 0.75, tone accuracy ≥ 0.75 (dev corpus; the rules were written against it)", []string{"eval", "classifier"}},
	} {
		if *only != "" && !strings.Contains(ev.title, *only) {
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s\n", ev.title)
		cmd := exec.CommandContext(ctx, "bin/presswatch", ev.args...)
		var outBuf bytes.Buffer
		cmd.Stdout = &outBuf
		cmd.Stderr = io.MultiWriter(&outBuf, os.Stderr)
		err := cmd.Run()
		fmt.Fprintf(&b, "## %s\n\nGoal: %s. Data: `$PRESSWATCH_TESTDATA` (../shared/testdata).\n\n", ev.title, ev.goal)
		if err != nil {
			fmt.Fprintf(&b, "_failed: %v_\n\n", err)
		}
		fmt.Fprintf(&b, "```\n%s```\n\n", outBuf.String())
	}

	if *only == "" || strings.Contains("idle memory", *only) {
		rss, err := idleRSS(ctx)
		b.WriteString("## `presswatch run` idle resident memory\n\nGoal: ≤ 150 MiB. Measured: `bin/presswatch run` on embedded defaults in an empty data directory, RSS read from /proc after 30 s idle.\n\n")
		if err != nil {
			fmt.Fprintf(&b, "_failed: %v_\n\n", err)
		} else {
			fmt.Fprintf(&b, "| metric | value |\n|---|---:|\n| VmRSS after 30 s | %.1f MiB |\n\n", float64(rss)/1024)
		}
	}
	if *only == "" || strings.Contains("release binary start-up crawler process", *only) {
		fmt.Fprintln(os.Stderr, "== release binary: size, start-up, crawler process (internal/startbench)")
		sb, err := startbench.Measure(ctx, startbench.Options{Binary: "bin/presswatch", CrawlFor: 150 * time.Second, Log: os.Stderr})
		if err != nil {
			fmt.Fprintf(&b, "## Release binary: size, start-up, crawler process (issues 15, 18)\n\n_failed: %v_\n\n", err)
		} else {
			b.WriteString(sb.Markdown())
		}
	}
	data := b.Bytes()
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
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			if i := strings.Index(line, ":"); i >= 0 {
				return strings.TrimSpace(line[i+1:])
			}
		}
	}
	return "unknown CPU"
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

// mergeSections replaces, in old, every "## " section that fresh also has,
// keeps the others, and takes fresh's header (with today's date and machine).
func mergeSections(old, fresh []byte) []byte {
	split := func(b []byte) (string, []string) {
		parts := strings.Split(string(b), "\n## ")
		return parts[0], parts[1:]
	}
	title := func(sec string) string { t, _, _ := strings.Cut(sec, "\n"); return t }
	_, oldSecs := split(old)
	head, freshSecs := split(fresh)
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

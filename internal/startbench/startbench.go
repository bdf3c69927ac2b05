// Package startbench measures the release binary the way an operator meets
// it: its size on disk, how long `presswatch -h` takes, how long `presswatch
// run` takes from exec to answering /healthz (in a fresh data directory and
// again on a restart), and a crawler-only process (`presswatch crawler`)
// against a loopback feed farm of 10,000 sources with article fetching on:
// exec → first request received by the farm, exec → every feed polled once,
// and the peak resident set (VmHWM) at that point.
//
// The farm (presssim) and the NATS server the crawler publishes to run in
// the measuring process, so their CPU and memory are not the crawler's. No
// measured process reaches beyond 127.0.0.1: every configuration it is given
// lists only loopback sources.
//
// `make bench` runs it through internal/benchreport; on its own:
//
//	go run ./internal/startbench/cmd/startbench -bin bin/presswatch
package startbench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/internal/procstat"
	"github.com/dongnai/presswatch/presssim"
)

// Options says what to measure.
type Options struct {
	// Binary is the release binary (`make build`: bin/presswatch).
	Binary string
	// Runs is how many times each start-up is measured; the median is
	// reported. 0 means 5, negative skips the start-up measures.
	Runs int
	// Sources is the crawler run's farm size; 0 means 10,000, negative skips
	// the crawler run.
	Sources int
	// CrawlFor caps the crawler run: when the first round (every feed
	// polled once) has not ended by then, the figures are taken at the cap
	// and say so. With article fetching the first round fetches 200,000
	// pages, which takes tens of minutes on a shared 2-core machine. 0 means
	// 30 minutes.
	CrawlFor time.Duration
	// CrawlerEnv is added to the crawler process's environment (for
	// experiments such as GOMEMLIMIT=90MiB); empty in `make bench`.
	CrawlerEnv []string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Result holds every figure of one run of Measure.
type Result struct {
	BinaryBytes int64
	Help        []time.Duration // `presswatch -h`, exec → exit
	Cold        []time.Duration // `presswatch run` in an empty data directory, exec → /healthz 200
	Warm        []time.Duration // the same directory started again
	Crawler     *CrawlerResult  // nil when skipped
	LoadBefore  string          // /proc/loadavg when the measurements began
	LoadAfter   string          // and when they ended
	Errors      []string        // measurements that failed, with why
}

// CrawlerResult is the crawler-only process at Sources farm feeds.
type CrawlerResult struct {
	Sources      int
	FirstRequest time.Duration // exec → first request received by the farm
	FirstRound   time.Duration // exec → polls_total ≥ Sources, or to the cap
	Capped       bool          // the first round had not ended at Options.CrawlFor
	Polls        float64       // feed polls done by then
	PeakRSSKiB   int64         // VmHWM at the end of the first round
	RSSKiB       int64         // VmRSS at the same moment
	RSSAnonKiB   int64         // of which anonymous memory (heap, stacks, SQLite's cache)
	RSSFileKiB   int64         // and pages of the mapped binary and files
	HeapInuse    float64       // Go heap in use (bytes) by then, from /metrics
	Articles     float64       // articles published by then (fetched, extracted, published)
	CPU          time.Duration // user+system CPU of the crawler process by then
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, "startbench: "+format+"\n", args...)
	}
}

// Measure runs every measurement. A measurement that fails is recorded in
// Result.Errors and the others still run; the error is for what prevents
// all of them (no binary).
func Measure(ctx context.Context, o Options) (*Result, error) {
	if o.Runs == 0 {
		o.Runs = 5
	}
	if o.Sources == 0 {
		o.Sources = 10000
	}
	if o.CrawlFor <= 0 {
		o.CrawlFor = 30 * time.Minute
	}
	bin, err := filepath.Abs(o.Binary)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(bin)
	if err != nil {
		return nil, fmt.Errorf("release binary: %w (run make build)", err)
	}
	r := &Result{BinaryBytes: fi.Size(), LoadBefore: procstat.LoadAvg()}
	fail := func(what string, err error) {
		o.logf("%s: %v", what, err)
		r.Errors = append(r.Errors, what+": "+err.Error())
	}
	for i := range max(o.Runs, 0) {
		d, err := timeHelp(ctx, bin)
		if err != nil {
			fail("presswatch -h", err)
			break
		}
		o.logf("-h run %d: %s", i+1, d)
		r.Help = append(r.Help, d)
	}
	for i := range max(o.Runs, 0) {
		cold, warm, err := timeRun(ctx, bin)
		if err != nil {
			fail("presswatch run → /healthz", err)
			break
		}
		o.logf("run → /healthz run %d: cold %s, warm %s", i+1, cold, warm)
		r.Cold = append(r.Cold, cold)
		r.Warm = append(r.Warm, warm)
	}
	if o.Sources > 0 {
		cr, err := crawlerRun(ctx, bin, o.Sources, &o)
		if err != nil {
			fail(fmt.Sprintf("presswatch crawler at %d sources", o.Sources), err)
		} else {
			r.Crawler = cr
		}
	}
	r.LoadAfter = procstat.LoadAvg()
	return r, nil
}

// Median returns the median of ds (the lower middle one for an even count),
// 0 for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// Markdown is the result as a docs/BENCHMARKS.md section.
func (r *Result) Markdown() string {
	var b strings.Builder
	b.WriteString("## Release binary: size, start-up, crawler process (issues 15, 18)\n\n")
	b.WriteString("Goals: binary ≤ 60 MiB; `presswatch run` answers /healthz < 1 s after exec on an idle machine; " +
		"`presswatch -h` instant; `presswatch crawler` at 10,000 sources sends its first request ≤ 1 s after exec " +
		"and peaks ≤ 150 MiB (VmHWM) at the end of the first fetch with article fetching on. " +
		"Measured by internal/startbench on bin/presswatch (`make build`). `run` gets a configuration with one loopback " +
		"source and an empty data directory (cold: migrations, new index, new JetStream store) and is started again " +
		"on it (warm). The crawler polls presssim's farm (20 items, 20–40 KB a feed, one loopback host, per-host " +
		"limits off) and publishes to a NATS server; both run in the measuring process, not in the crawler's. " +
		fmt.Sprintf("Load average before: %s; after: %s.\n\n", r.LoadBefore, r.LoadAfter))
	b.WriteString("| measure | median | runs |\n|---|---:|---|\n")
	fmt.Fprintf(&b, "| binary size | %.1f MiB (%d bytes) | — |\n", float64(r.BinaryBytes)/(1<<20), r.BinaryBytes)
	row := func(name string, ds []time.Duration) {
		if len(ds) == 0 {
			return
		}
		parts := make([]string, len(ds))
		for i, d := range ds {
			parts[i] = ms(d)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, ms(Median(ds)), strings.Join(parts, ", "))
	}
	row("`presswatch -h` (exec → exit)", r.Help)
	row("`presswatch run`, empty data dir: exec → /healthz 200", r.Cold)
	row("`presswatch run`, restart: exec → /healthz 200", r.Warm)
	if c := r.Crawler; c != nil {
		fmt.Fprintf(&b, "| `presswatch crawler`, %d sources: exec → first request at the farm | %s | 1 |\n", c.Sources, ms(c.FirstRequest))
		if c.Capped {
			fmt.Fprintf(&b, "| same: first fetch **not finished** at the cap: feeds polled after %.0f s | %.0f of %d | 1 |\n", c.FirstRound.Seconds(), c.Polls, c.Sources)
		} else {
			fmt.Fprintf(&b, "| same: exec → every feed polled once | %.1f s | 1 |\n", c.FirstRound.Seconds())
		}
		fmt.Fprintf(&b, "| same: peak RSS (VmHWM) by then | %.1f MiB (VmRSS %.1f MiB: anonymous %.1f, file %.1f; Go heap in use %.1f MiB) | 1 |\n",
			float64(c.PeakRSSKiB)/1024, float64(c.RSSKiB)/1024, float64(c.RSSAnonKiB)/1024, float64(c.RSSFileKiB)/1024, c.HeapInuse/(1<<20))
		fmt.Fprintf(&b, "| same: articles published by then; crawler CPU | %.0f; %.1f s | 1 |\n", c.Articles, c.CPU.Seconds())
	}
	b.WriteString("\n")
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "_failed: %s_\n\n", e)
	}
	return b.String()
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + " ms" }

func timeHelp(ctx context.Context, bin string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, bin, "-h")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	// -h prints the usage and exits 0 or 2 (flag's convention); anything
	// else is a failure.
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 2) {
		return 0, fmt.Errorf("%v: %s", err, tail(out.String()))
	}
	if !strings.Contains(out.String(), "usage:") {
		return 0, fmt.Errorf("no usage printed: %s", tail(out.String()))
	}
	return d, nil
}

// timeRun starts `presswatch run` in a fresh directory, then again in the
// same one, and times exec → /healthz 200 for each.
func timeRun(ctx context.Context, bin string) (cold, warm time.Duration, err error) {
	dir, err := os.MkdirTemp("", "pw-startbench-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	// A feed that answers 304: the crawler has something to poll that is
	// neither outside 127.0.0.1 nor slow.
	feed := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	}), ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	go feed.Serve(ln)
	defer feed.Close()
	port, err := procstat.FreePort()
	if err != nil {
		return 0, 0, err
	}
	cfg := fmt.Sprintf(`data_dir: %q
log: {format: text, level: info}
web:
  listen: 127.0.0.1:%d
  base_url: http://127.0.0.1:%d
crawler:
  allow_hosts: [127.0.0.1]
sources:
  - {name: loopback, kind: feed, url: "http://%s/feed.xml", outlet: "Loopback", country: VN, lang: vi, tier: 1}
`, filepath.Join(dir, "data"), port, port, ln.Addr().String())
	cfgPath := filepath.Join(dir, "presswatch.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return 0, 0, err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	if cold, err = timeHealthz(ctx, bin, cfgPath, dir, url); err != nil {
		return 0, 0, fmt.Errorf("cold: %w", err)
	}
	if warm, err = timeHealthz(ctx, bin, cfgPath, dir, url); err != nil {
		return 0, 0, fmt.Errorf("warm: %w", err)
	}
	return cold, warm, nil
}

// timeHealthz starts `presswatch run`, polls url every 5 ms until it answers
// 200, then stops the process with SIGTERM and waits for it.
func timeHealthz(ctx context.Context, bin, cfgPath, dir, url string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, bin, "-config", cfgPath, "run")
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	client := &http.Client{Timeout: 500 * time.Millisecond}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	deadline := time.NewTimer(60 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			return 0, fmt.Errorf("exited before /healthz answered: %v: %s", err, tail(out.String()))
		case <-deadline.C:
			stop()
			return 0, fmt.Errorf("no /healthz within 60 s: %s", tail(out.String()))
		case <-ctx.Done():
			stop()
			return 0, ctx.Err()
		case <-tick.C:
		}
		resp, err := client.Get(url)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			d := time.Since(start)
			stop()
			return d, nil
		}
	}
}

// cleanEnv is the environment without PRESSWATCH_* settings, so that the
// generated configuration is what the process runs on.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PRESSWATCH_") || strings.HasPrefix(kv, "GOMEMLIMIT=") || strings.HasPrefix(kv, "GOGC=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// crawlerRun starts `presswatch crawler` on n farm sources with article
// fetching on, and measures it until every feed was polled once.
func crawlerRun(ctx context.Context, bin string, n int, o *Options) (*CrawlerResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dir, err := os.MkdirTemp("", "pw-startbench-crawler-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	sim, err := presssim.New(presssim.Options{Farm: n, NoCorpus: true})
	if err != nil {
		return nil, err
	}
	if err := sim.Start(ctx); err != nil {
		return nil, err
	}
	defer sim.Close()
	bs, err := bus.Open(ctx, bus.Options{DataDir: filepath.Join(dir, "nats"), Listen: "127.0.0.1:0",
		Registerer: prometheus.NewRegistry(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	defer bs.Close()
	port, err := procstat.FreePort()
	if err != nil {
		return nil, err
	}
	var cfg bytes.Buffer
	fmt.Fprintf(&cfg, `data_dir: %q
log: {format: text, level: warn}
web:
  listen: 127.0.0.1:%d
  base_url: http://127.0.0.1:%d
nats:
  url: %q
crawler:
  allow_hosts: [127.0.0.1]
  per_host_rate: -1
  per_host_concurrency: 192
  workers: 128
  fetch_articles: true
  interval_min: 10m
  interval_max: 6h
sources:
`, filepath.Join(dir, "data"), port, port, bs.ClientURL())
	for i := range n {
		fmt.Fprintf(&cfg, "  - {name: farm-%d, kind: feed, url: %q, outlet: Farm, country: VN, lang: en, tier: 2}\n", i, sim.FarmFeedURL(i))
	}
	cfgPath := filepath.Join(dir, "presswatch.yaml")
	if err := os.WriteFile(cfgPath, cfg.Bytes(), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "-config", cfgPath, "crawler")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), o.CrawlerEnv...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	res := &CrawlerResult{Sources: n}
	// First request: presssim counts every request; poll it finely.
	tick := time.NewTicker(2 * time.Millisecond)
	for res.FirstRequest == 0 {
		select {
		case err := <-exited:
			tick.Stop()
			return nil, fmt.Errorf("crawler exited: %v: %s", err, tail(out.String()))
		case <-ctx.Done():
			tick.Stop()
			return nil, ctx.Err()
		case <-time.After(2 * time.Minute):
			tick.Stop()
			return nil, fmt.Errorf("no request within 2 minutes: %s", tail(out.String()))
		case <-tick.C:
			if sim.Requests() > 0 {
				res.FirstRequest = time.Since(start)
			}
		}
	}
	tick.Stop()
	o.logf("crawler: first request after %s", res.FirstRequest)
	// First round: the crawler's own counter of feed polls.
	metrics := fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := start.Add(o.CrawlFor)
	tick = time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	lastLog := time.Now()
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("crawler exited: %v: %s", err, tail(out.String()))
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		m, err := procstat.Scrape(ctx, client, metrics)
		if err != nil {
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("metrics: %w", err)
			}
			o.logf("crawler: metrics: %v", err)
			continue
		}
		polls := m["presswatch_crawler_polls_total"]
		if time.Since(lastLog) > 10*time.Second {
			o.logf("crawler: %.0f polls, %.0f articles published after %s", polls, m["presswatch_crawler_articles_published_total"], time.Since(start).Round(time.Second))
			lastLog = time.Now()
		}
		capped := time.Now().After(deadline)
		if polls >= float64(n) || capped {
			res.FirstRound, res.Capped, res.Polls = time.Since(start), capped, polls
			res.HeapInuse = m["go_memstats_heap_inuse_bytes"]
			res.Articles = m["presswatch_crawler_articles_published_total"]
			res.CPU = time.Duration(m["process_cpu_seconds_total"] * float64(time.Second))
			st, err := procstat.Status(cmd.Process.Pid)
			if err != nil {
				return nil, err
			}
			res.PeakRSSKiB, res.RSSKiB = st["VmHWM"], st["VmRSS"]
			res.RSSAnonKiB, res.RSSFileKiB = st["RssAnon"], st["RssFile"]
			return res, nil
		}
	}
}

func tail(s string) string {
	if len(s) > 800 {
		return "…" + s[len(s)-800:]
	}
	return s
}

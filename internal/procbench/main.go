// Command procbench measures presswatch as processes: the release binary's
// `presswatch crawler` against a separate feed-farm process of 10,000
// loopback hosts, Miniflux's poller on the same farm in the same run, and
// classified end-to-end throughput (NATS over TCP → classifier → store →
// index) on 5 KB multilingual articles. It writes one markdown fragment that
// internal/benchreport pastes into docs/BENCHMARKS.md (see docs/BENCHMARKS.md
// and issue 15).
//
//	go run ./internal/procbench -bin bin/presswatch -out /tmp/procbench.md
//
// Knobs (environment): PRESSWATCH_PROCBENCH_FEEDS (10000),
// PRESSWATCH_PROCBENCH_ARTICLE_FEEDS (200), PRESSWATCH_PROCBENCH_ARTICLE_WORKERS
// (the shipped 16), PRESSWATCH_PROCBENCH_WINDOW (20s),
// PRESSWATCH_PROCBENCH_WORKERS (512), PRESSWATCH_PROCBENCH_E2E_ARTICLES
// (10000), PRESSWATCH_PROCBENCH_SKIP (comma list of polling, miniflux,
// articles, latency, e2e, e2e-postgres), PRESSWATCH_BENCH_MINIFLUX (a miniflux binary
// to use instead of installing it), PRESSWATCH_PROCBENCH_PROFILE (a folder:
// CPU profiles of the classifier and indexer processes go there, and the
// polling crawler's CPU and heap profiles by phase, see polling.go). Miniflux and the PostgreSQL end-to-end
// run need PRESSWATCH_TEST_POSTGRES.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dongnai/presswatch/internal/procstat"
)

type knobs struct {
	feeds, articleFeeds, workers, e2eArticles int
	articleWorkers                            int // 0: the shipped default
	window                                    time.Duration
	skip                                      map[string]bool
	postgres                                  string
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}

func readKnobs() knobs {
	k := knobs{
		feeds:        envInt("PRESSWATCH_PROCBENCH_FEEDS", 10000),
		articleFeeds: envInt("PRESSWATCH_PROCBENCH_ARTICLE_FEEDS", 200),
		workers:      envInt("PRESSWATCH_PROCBENCH_WORKERS", 512),
		e2eArticles:  envInt("PRESSWATCH_PROCBENCH_E2E_ARTICLES", 10000),
		// 0 (unset) leaves article_workers out of the configuration.
		articleWorkers: envInt("PRESSWATCH_PROCBENCH_ARTICLE_WORKERS", 0),
		window:         20 * time.Second,
		skip:           map[string]bool{},
		postgres:       os.Getenv("PRESSWATCH_TEST_POSTGRES"),
	}
	if d, err := time.ParseDuration(os.Getenv("PRESSWATCH_PROCBENCH_WINDOW")); err == nil && d > 0 {
		k.window = d
	}
	for _, s := range strings.Split(os.Getenv("PRESSWATCH_PROCBENCH_SKIP"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			k.skip[s] = true
		}
	}
	return k
}

func main() {
	bin := flag.String("bin", "bin/presswatch", "the presswatch release binary")
	out := flag.String("out", "", "markdown file to write (default stdout)")
	farmChild := flag.Bool("farm-child", false, "internal: run as the feed-farm process")
	feeds := flag.Int("feeds", 0, "internal: farm size")
	farmLatency := flag.Duration("farm-latency", 0, "internal: farm latency")
	farmPort := flag.Int("farm-port", 0, "internal: farm port")
	natsChild := flag.Bool("nats-child", false, "internal: run as the NATS process")
	natsPort := flag.Int("nats-port", 0, "internal: NATS port")
	natsDir := flag.String("nats-dir", "", "internal: JetStream directory")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch {
	case *farmChild:
		err = runFarmChild(ctx, *feeds, *farmLatency, *farmPort)
	case *natsChild:
		err = runNATSChild(ctx, *natsPort, *natsDir)
	default:
		raiseFileLimit()
		var md string
		md, err = run(ctx, *bin, readKnobs())
		if md != "" {
			if *out == "" {
				fmt.Print(md)
			} else if werr := os.WriteFile(*out, []byte(md), 0o644); werr != nil && err == nil {
				err = werr
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "procbench:", err)
		os.Exit(1)
	}
}

// raiseFileLimit lifts the open-file limit to the hard limit: the farm holds
// one listener per host and the crawler a connection per host.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "procbench %s: %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// run does every measurement and returns the markdown, with whatever failed
// said in place.
func run(ctx context.Context, bin string, k knobs) (string, error) {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%s: %w (run make build first)", bin, err)
	}
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "procbench-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	rep := &report{loadStart: procstat.LoadAvg(), k: k}
	logf("load average %s; %d feeds; work dir %s", rep.loadStart, k.feeds, tmp)

	if k.skip["polling"] {
		rep.pollErr = "skipped (PRESSWATCH_PROCBENCH_SKIP)"
	} else if err := pollingBench(ctx, bin, self, tmp, k, rep); err != nil {
		rep.pollErr = err.Error()
		logf("polling: %v", err)
	}
	if !k.skip["e2e"] {
		for _, backend := range []string{"sqlite", "postgres"} {
			if backend == "postgres" && (k.postgres == "" || k.skip["e2e-postgres"]) {
				rep.e2e = append(rep.e2e, e2eResult{backend: backend, err: "skipped (PRESSWATCH_TEST_POSTGRES unset or PRESSWATCH_PROCBENCH_SKIP)"})
				continue
			}
			r := e2eBench(ctx, bin, self, tmp, k, backend)
			rep.e2e = append(rep.e2e, r)
			if ctx.Err() != nil {
				break
			}
		}
	}
	rep.loadEnd = procstat.LoadAvg()
	rep.total = time.Since(start)
	logf("done in %s; load average %s", rep.total.Round(time.Second), rep.loadEnd)
	return rep.markdown(), ctx.Err()
}

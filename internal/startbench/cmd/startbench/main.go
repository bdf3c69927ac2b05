// Command startbench prints internal/startbench's figures for the release
// binary as a docs/BENCHMARKS.md section.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/dongnai/presswatch/internal/startbench"
)

func main() {
	bin := flag.String("bin", "bin/presswatch", "release binary (make build)")
	runs := flag.Int("runs", 5, "start-up runs per measure (median reported)")
	sources := flag.Int("sources", 10000, "crawler farm size; negative skips the crawler run")
	crawlFor := flag.Duration("crawl-for", 30*time.Minute, "cap on the crawler run's first fetch")
	var env envList
	flag.Var(&env, "crawler-env", "KEY=VALUE added to the crawler's environment (repeatable)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := startbench.Measure(ctx, startbench.Options{Binary: *bin, Runs: *runs, Sources: *sources, CrawlFor: *crawlFor, CrawlerEnv: env, Log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "startbench:", err)
		os.Exit(1)
	}
	fmt.Print(r.Markdown())
	if len(r.Errors) > 0 {
		os.Exit(1)
	}
}

// envList collects repeated -crawler-env flags.
type envList []string

func (e *envList) String() string     { return fmt.Sprint(*e) }
func (e *envList) Set(v string) error { *e = append(*e, v); return nil }

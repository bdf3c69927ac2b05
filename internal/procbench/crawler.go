package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dongnai/presswatch/internal/procstat"
)

// crawlerRun is one `presswatch crawler` process with its own data directory.
type crawlerRun struct {
	p       *proc
	metrics string
	dir     string
}

// writeCrawlerConfig writes a configuration for n farm feeds. Only what the
// benchmark needs differs from the shipped defaults: the feeds, the SSRF
// allow-list for the farm's loopback hosts, the pollers, the interval and
// (when articleWorkers > 0) the article workers.
// Politeness (per_host_concurrency 2, per_host_rate 1/s, robots.txt) is the
// shipped default.
func writeCrawlerConfig(dir string, natsURL string, webPort, farmPort, n, workers, articleWorkers int, interval time.Duration, fetchArticles bool) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir: %q\nlog: {format: text, level: warn}\nweb: {listen: \"127.0.0.1:%d\"}\n", filepath.Join(dir, "data"), webPort)
	fmt.Fprintf(&b, "nats: {url: %q}\nstore: {url: \"\"}\n", natsURL)
	fmt.Fprintf(&b, "crawler:\n  workers: %d\n  allow_hosts: [\"127.0.0.0/8\"]\n  interval_min: %s\n  interval_max: %s\n  fetch_articles: %v\n",
		workers, interval, interval, fetchArticles)
	if articleWorkers > 0 {
		fmt.Fprintf(&b, "  article_workers: %d\n", articleWorkers)
	}
	b.WriteString("sources:\n")
	for i := 0; i < n; i++ {
		lang, country := "en", "US"
		if i%2 == 1 {
			lang, country = "vi", "VN"
		}
		fmt.Fprintf(&b, "  - {name: farm%05d, kind: feed, url: %q, outlet: \"Farm %d\", country: %s, lang: %s}\n", i, farmFeedURL(farmPort, i), i, country, lang)
	}
	path := filepath.Join(dir, "presswatch.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

// startCrawler starts `presswatch crawler`. With profile set, the process
// writes a CPU profile there and heap profiles to profile.heap
// (PRESSWATCH_CPUPROFILE, PRESSWATCH_HEAPPROFILE; profileNext starts the
// next file).
func startCrawler(ctx context.Context, bin, cfg, dir, profile string) (*crawlerRun, error) {
	port, err := portOfConfig(cfg)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "PRESSWATCH_CONFIG=")
	if profile != "" {
		env = append(env, "PRESSWATCH_CPUPROFILE="+profile, "PRESSWATCH_HEAPPROFILE="+profile+".heap")
	}
	p, err := startProc("presswatch crawler", env, dir, filepath.Join(dir, "crawler.log"), nil, bin, "-config", cfg, "crawler")
	if err != nil {
		return nil, err
	}
	c := &crawlerRun{p: p, metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", port), dir: dir}
	if err := waitHTTP(ctx, p, fmt.Sprintf("http://127.0.0.1:%d/healthz", port), 120*time.Second); err != nil {
		_ = p.stop(10 * time.Second)
		return nil, err
	}
	return c, nil
}

// profileNext makes a crawler started with a profile end its CPU profile
// file and start the next (path.1, path.2, …; cmd/presswatch/profile.go).
func (c *crawlerRun) profileNext() {
	_ = c.p.cmd.Process.Signal(syscall.SIGUSR1)
}

func portOfConfig(cfg string) (int, error) {
	b, err := os.ReadFile(cfg)
	if err != nil {
		return 0, err
	}
	var port int
	i := strings.Index(string(b), "listen: \"127.0.0.1:")
	if i < 0 {
		return 0, fmt.Errorf("no web.listen in %s", cfg)
	}
	_, err = fmt.Sscanf(string(b[i+len("listen: \"127.0.0.1:"):]), "%d", &port)
	return port, err
}

// sample is one reading of the crawler's counters.
type sample struct {
	at                  time.Time
	polls, notMod, errs float64
	published, newItems float64
	cpu                 time.Duration
}

func (c *crawlerRun) read(ctx context.Context) (sample, error) {
	m, err := procstat.Scrape(ctx, http.DefaultClient, c.metrics)
	if err != nil {
		return sample{}, err
	}
	s := sample{at: time.Now(), cpu: c.p.cpu(),
		polls:     m["presswatch_crawler_polls_total"],
		published: m["presswatch_crawler_articles_published_total"],
		newItems:  m["presswatch_crawler_new_items_total"],
	}
	for k, v := range m {
		if strings.HasPrefix(k, "presswatch_crawler_polls_total{") {
			switch {
			case strings.Contains(k, `status="not_modified"`):
				s.notMod += v
			case strings.Contains(k, `status="error"`):
				s.errs += v
			}
		}
	}
	return s, nil
}

// waitPublished samples the crawler until it has published want articles;
// it returns the first sample with a poll and the last one.
// p99 is the first sample with 99 % of want published (a few feeds that
// time out and back off can hold up the last entries for minutes).
// onHalf, when not nil, is called once when half of want is published.
func (c *crawlerRun) waitPublished(ctx context.Context, want float64, limit time.Duration, onHalf func()) (first, p99, last sample, err error) {
	deadline := time.Now().Add(limit)
	for {
		if !c.p.alive() {
			return first, p99, last, fmt.Errorf("crawler exited: %v: %s", c.p.err, tail(c.p.log.String(), 1500))
		}
		s, err := c.read(ctx)
		if err == nil {
			if first.at.IsZero() && s.polls > 0 {
				first = s
			}
			last = s
			if onHalf != nil && s.published >= want/2 {
				onHalf()
				onHalf = nil
			}
			if p99.at.IsZero() && s.published >= 0.99*want {
				p99 = s
			}
			if s.published >= want {
				return first, p99, last, nil
			}
		}
		if time.Now().After(deadline) {
			return first, p99, last, fmt.Errorf("%.0f of %.0f published after %s", last.published, want, limit)
		}
		select {
		case <-ctx.Done():
			return first, p99, last, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// window measures polls over d.
func (c *crawlerRun) window(ctx context.Context, d time.Duration) (a, b sample, err error) {
	a, err = c.read(ctx)
	if err != nil {
		return
	}
	select {
	case <-ctx.Done():
		return a, b, ctx.Err()
	case <-time.After(d):
	}
	b, err = c.read(ctx)
	return
}

func rate(a, b sample, f func(sample) float64) float64 {
	dt := b.at.Sub(a.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return (f(b) - f(a)) / dt
}

package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/presssim"
)

// cmdDemo runs the whole pipeline against presssim, a simulated foreign press
// on 127.0.0.1, so a newcomer sees items flow with no internet and no mail
// server. The configured real sources are replaced by presssim's outlets.
func cmdDemo(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	simAddr := fs.String("sim-addr", "127.0.0.1:8090", "address presssim listens on (loopback only)")
	interval := fs.Duration("interval", 10*time.Second, "how often presssim publishes a new item")
	dataDir := fs.String("data-dir", "data/demo", "data directory of the demo (kept apart from `make run`'s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := configs.Load(g.ConfigPath)
	if err != nil {
		return err
	}
	if os.Getenv(configs.EnvPrefix+"DATA_DIR") == "" {
		cfg.DataDir = *dataDir
	}
	log := newLogger(cfg.Log, g.Stderr)
	sim, err := presssim.New(presssim.Options{Addr: *simAddr, Interval: *interval, Logger: log.With("component", "presssim")})
	if err != nil {
		return fmt.Errorf("presssim: %w", err)
	}
	simCtx, stopSim := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSim()
	if err := sim.Start(simCtx); err != nil {
		return fmt.Errorf("start presssim: %w", err)
	}
	u, err := url.Parse(sim.URL())
	if err != nil {
		return fmt.Errorf("presssim URL: %w", err)
	}
	cfg.Sources = demoSources(sim.Sources())
	// presssim's address and port only: an admin of the demo adding a source
	// on another loopback port (a database, the UI itself) is refused.
	cfg.Crawler.AllowHosts = append(cfg.Crawler.AllowHosts, u.Host)
	// Every simulated outlet shares one loopback host: lift the per-host
	// politeness limits that protect real sites.
	cfg.Crawler.PerHostRate = -1
	cfg.Crawler.PerHostConcurrency = 8
	fmt.Fprintf(g.Stderr, "\n  presswatch demo: simulated foreign press at %s (%d sources, a new item every %s)\n  UI: %s\n\n",
		sim.URL(), len(cfg.Sources), *interval, cfg.Web.BaseURL)

	ex := &extras{components: []component{{
		name: "presssim", phase: phaseServer,
		run: func(ctx context.Context) error {
			<-ctx.Done()
			err := sim.Close()
			sim.Wait()
			return err
		},
	}}}
	mb, err := addDemoMailbox(ex, cfg, log)
	if err != nil {
		return err
	}
	ex.mailbox = mb
	// Evidence: a story that is captured, edited, answered and corrected
	// within three minutes.
	cfg.Evidence.Schedule, cfg.Evidence.CheckInterval = demoEvidenceSchedule, 5*time.Second
	ex.withStore = append(ex.withStore, demoEvidenceStory(sim, log))
	// Reports go to the same sink: the scheduler catches up on the last
	// finished week at start-up, so a weekly digest arrives at once.
	cfg.Digest.Enabled = true
	for _, sch := range []*configs.DigestSchedule{&cfg.Digest.Weekly, &cfg.Digest.Quarterly, &cfg.Digest.Annual} {
		if len(sch.Recipients) == 0 {
			sch.Recipients = []string{"lanh-dao@ubnd.dongnai.demo"}
		}
	}
	fmt.Fprintf(g.Stderr, "  Alert emails go to a local SMTP sink: %s/demo/mailbox (and %s)\n\n", cfg.Web.BaseURL, filepath.Join(cfg.DataDir, "mailbox"))
	return serve(ctx, g, cfg, roles{roleCrawler: true, roleClassifier: true, roleIndexer: true, roleAlerter: true, roleWeb: true}, ex)
}

// demoSources turns presssim's outlets into sources: each outlet's RSS feed,
// and for every other outlet its Atom or JSON feed instead, so that every
// format is exercised; one outlet is crawled as a site through its news sitemap.
func demoSources(sims []presssim.SourceInfo) []configs.Source {
	var out []configs.Source
	for i, s := range sims {
		feed := s.RSS
		switch i % 3 {
		case 1:
			feed = s.Atom
		case 2:
			feed = s.JSONFeed
		}
		out = append(out, configs.Source{
			Name: "sim-" + s.Name, Kind: "feed", URL: feed, Outlet: s.Outlet, Country: s.Country,
			Lang: s.Lang, Tier: 2, IntervalMin: 10 * time.Second, IntervalMax: time.Minute,
		})
		if i == 0 && s.NewsSitemap != "" {
			out = append(out, configs.Source{
				Name: "sim-" + s.Name + "-site", Kind: "site", URL: s.Home, Outlet: s.Outlet, Country: s.Country,
				Lang: s.Lang, Tier: 2, Sitemaps: []string{s.NewsSitemap}, Depth: 1,
				IntervalMin: 10 * time.Second, IntervalMax: 2 * time.Minute,
			})
		}
	}
	return out
}

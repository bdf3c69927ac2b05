package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"

	"github.com/dongnai/presswatch/presssim"
)

// cmdPresssim runs the simulated foreign press until ctx is done.
func cmdPresssim(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("presssim", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "loopback address to listen on")
	feeds := fs.Int("feeds", 0, "number of synthetic benchmark feeds to serve at /farm/{i}/feed.xml")
	interval := fs.Duration("interval", 0, "publish one new item every interval (0: never)")
	latency := fs.Duration("latency", 0, "delay added to every response")
	quiet := fs.Bool("quiet", false, "do not list every URL served")
	fs.Usage = func() {
		fmt.Fprintln(g.Stderr, "usage: presswatch presssim [-addr 127.0.0.1:8090] [-feeds N] [-interval 30s] [-latency 0]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	srv, err := presssim.New(presssim.Options{
		Addr: *addr, Farm: *feeds, Interval: *interval, Latency: *latency,
		Logger: slog.New(slog.NewTextHandler(g.Stderr, nil)),
	})
	if err != nil {
		return err
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "presssim serving on %s (control: %s/_sim/state)\n", srv.URL(), srv.URL())
	if !*quiet {
		for _, s := range srv.Sources() {
			fmt.Fprintf(g.Stdout, "%-20s %-3s %s  %s\n", s.Name, s.Lang, s.Country, s.Outlet)
			fmt.Fprintf(g.Stdout, "    rss %s\n    atom %s\n    json %s\n    sitemap %s\n    news %s\n",
				s.RSS, s.Atom, s.JSONFeed, s.Sitemap, s.NewsSitemap)
		}
		if *feeds > 0 {
			fmt.Fprintf(g.Stdout, "farm: %d feeds, %s … %s\n", *feeds, srv.FarmFeedURL(0), srv.FarmFeedURL(*feeds-1))
		}
	}
	<-ctx.Done()
	return srv.Close()
}

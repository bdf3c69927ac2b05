package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/configs"
)

const deadUsage = "presswatch dead list|show SEQ|replay [--stream S] [--since DURATION|TIME] [--dry-run]"

// cmdDead is `presswatch dead`: list the dead letters in PW_DEAD, show one,
// or replay them to the stream they came from (idempotent: a replayed dead
// letter is removed from PW_DEAD, and the republished message's ID is derived
// from the dead letter, so an interrupted replay run again publishes nothing
// twice). With the embedded server, stop presswatch first (or give nats.url).
func cmdDead(ctx context.Context, g *globals, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, deadUsage)
	}
	sub := args[0]
	fs := flag.NewFlagSet("dead "+sub, flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	stream := fs.String("stream", "", "only dead letters from this stream (PW_COLLECTED or PW_CLASSIFIED)")
	since := fs.String("since", "", "only dead letters since this long ago (e.g. 24h) or this time (RFC 3339)")
	dryRun := fs.Bool("dry-run", false, "replay: only say what would be replayed")
	configPath := fs.String("config", g.ConfigPath, "configuration file")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	f := bus.DeadFilter{Stream: strings.ToUpper(*stream)}
	if *since != "" {
		t, err := parseSince(*since, time.Now())
		if err != nil {
			return fmt.Errorf("%w: --since: %v", errUsage, err)
		}
		f.Since = t
	}
	var seq uint64
	switch sub {
	case "list", "replay":
		if fs.NArg() > 0 {
			return fmt.Errorf("%w: %s", errUsage, deadUsage)
		}
	case "show":
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: presswatch dead show SEQ", errUsage)
		}
		n, err := strconv.ParseUint(fs.Arg(0), 10, 64)
		if err != nil || n == 0 {
			return fmt.Errorf("%w: dead show: %q is not a sequence number", errUsage, fs.Arg(0))
		}
		seq = n
	default:
		return fmt.Errorf("%w: %s", errUsage, deadUsage)
	}
	cfg, err := configs.Load(*configPath)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, g.Stderr)
	reg := prometheus.NewRegistry()
	b, err := bus.Open(ctx, busOptions(cfg, log, reg))
	if err != nil {
		return fmt.Errorf("open bus: %w", err)
	}
	defer b.Close()
	return runDead(ctx, g.Stdout, b, reg, sub, f, seq, *dryRun)
}

// runDead does the work of cmdDead on an open bus.
func runDead(ctx context.Context, w io.Writer, b *bus.Bus, reg prometheus.Gatherer, sub string, f bus.DeadFilter, seq uint64, dryRun bool) error {
	switch sub {
	case "list":
		dead, err := b.ListDead(ctx, f)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tDEAD-LETTERED\tSTREAM\tCONSUMER\tDELIVERED\tMSG-ID\tERROR")
		for _, d := range dead {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", d.Seq, d.Time.In(srcHCMC()).Format(time.RFC3339), d.Stream, d.Durable,
				d.Delivered, d.OriginalMsgID, shorten(d.Error, 80))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "%d dead letters\n", len(dead))
		return nil
	case "show":
		d, err := b.GetDead(ctx, seq)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "seq:              %d\ndead-lettered:    %s\nid:               %s\nstream:           %s (seq %d)\nconsumer:         %s\nsubject:          %s\nmsg-id:           %s\ndelivered:        %d\nerror:            %s\n\n%s\n",
			d.Seq, d.Time.In(srcHCMC()).Format(time.RFC3339), d.MsgID, d.Stream, d.StreamSeq, d.Durable, d.OriginalSubject,
			d.OriginalMsgID, d.Delivered, d.Error, d.Data)
		return nil
	default: // replay
		res, err := b.ReplayDead(ctx, f, dryRun)
		if dryRun {
			fmt.Fprintf(w, "dry run: %d dead letters would be replayed\n", res.Selected)
			return err
		}
		fmt.Fprintf(w, "replayed %d of %d dead letters\n", res.Replayed, res.Selected)
		if err == nil {
			if mfs, gerr := reg.Gather(); gerr == nil {
				for _, mf := range mfs {
					if mf.GetName() == "presswatch_bus_dead_replayed_total" {
						for _, m := range mf.GetMetric() {
							fmt.Fprintf(w, "presswatch_bus_dead_replayed_total{stream=%q} %g\n", m.GetLabel()[0].GetValue(), m.GetCounter().GetValue())
						}
					}
				}
			}
		}
		return err
	}
}

// parseSince reads a duration before now (24h, 90m) or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("negative duration %s", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration (24h) nor an RFC 3339 time", s)
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

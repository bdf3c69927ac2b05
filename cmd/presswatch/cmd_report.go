package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/store"
)

// cmdReport is `presswatch report --kind weekly --period 2026-W47 [--send]
// [--out DIR]`: it generates one report on demand. --out writes report.html
// (with the PNG charts beside it), report.pdf, report.docx, report.txt and report.json to
// DIR; --send archives it and sends it to the configured recipients through
// the outbox, once: a period already sent is not sent again.
func cmdReport(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	kindFlag := fs.String("kind", "weekly", "weekly, quarterly or annual")
	periodFlag := fs.String("period", "", "2026-W47, 2026-Q4 or 2026 (default: the last complete period)")
	send := fs.Bool("send", false, "archive the report and send it to the configured recipients")
	out := fs.String("out", "", "write the report's files into this folder")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 || (!*send && *out == "") {
		return fmt.Errorf("%w: presswatch report --kind weekly|quarterly|annual [--period P] [--send] [--out DIR] (at least one of --send, --out)", errUsage)
	}
	kind, err := digest.ParseKind(*kindFlag)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	cfg, err := configs.Load(g.ConfigPath)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, g.Stderr)
	dc := digestConfig(cfg)
	var mailer digest.Mailer
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if *send {
		if mailer, err = digestMailer(cfg, st); err != nil {
			return err
		}
		if mailer == nil {
			return errors.New("--send needs an SMTP server (smtp.host in the configuration); use --out to write the files")
		}
	}
	gen, err := newDigestGenerator(cfg, dc, st, log)
	if err != nil {
		return err
	}
	var p digest.Period
	if *periodFlag == "" {
		p = digest.PeriodOf(kind, time.Now(), gen.Location()).Prev()
	} else if p, err = digest.ParsePeriod(kind, *periodFlag, gen.Location()); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	now := time.Now()
	if p.Start.After(now) {
		return fmt.Errorf("%w: --period %s has not begun (it starts %s)", errUsage, p.Label, p.Start.In(gen.Location()).Format("2006-01-02"))
	}
	if p.End.After(now) {
		fmt.Fprintf(g.Stderr, "note: %s is not over; the report covers it up to now\n", p.Label)
	}
	if *out != "" {
		o, err := gen.Generate(ctx, p)
		if err != nil {
			return err
		}
		if err := gen.WriteDir(o, *out); err != nil {
			return err
		}
		pdf := "report.pdf, report.docx"
		if o.PDFError != nil {
			pdf = fmt.Sprintf("report.docx, no PDF (%v)", o.PDFError)
		}
		fmt.Fprintf(g.Stdout, "%s: %d articles, %d charts, %s, written to %s\n", o.DigestID, o.Report.Total, len(o.Charts), pdf, *out)
		if o.Report.Total == 0 {
			fmt.Fprintf(g.Stderr, "note: nothing was collected in %s (%s to %s); --period picks another\n", p.Label,
				p.Start.In(gen.Location()).Format("2006-01-02"), p.End.In(gen.Location()).Add(-time.Second).Format("2006-01-02"))
		}
	}
	if !*send {
		return nil
	}
	ds, ok := st.(digest.ArchiveStore)
	if !ok {
		return fmt.Errorf("the %s store cannot archive reports", st.Backend())
	}
	scheds, err := digestSchedules(dc)
	if err != nil {
		return err
	}
	var recipients []string
	for _, sc := range scheds {
		if sc.Kind == kind {
			recipients = sc.Recipients
		}
	}
	if len(recipients) == 0 {
		return fmt.Errorf("--send: digest.%s.recipients is empty: nobody to send the report to", kind)
	}
	s, err := digest.NewScheduler(digest.SchedulerOptions{Generator: gen, Store: ds, Mailer: mailer,
		Lease: dc.Lease, MailDomain: mailDomain(cfg), Logger: log})
	if err != nil {
		return err
	}
	sent, err := s.Deliver(ctx, p, recipients)
	if err != nil {
		return err
	}
	id := store.DigestID(string(kind), p.Label)
	if !sent {
		fmt.Fprintf(g.Stdout, "%s was already sent (or is being sent by another process): not sent again\n", id)
		return nil
	}
	fmt.Fprintf(g.Stdout, "%s archived and queued in the outbox for %d recipients (the alerter sends them)\n", id, len(recipients))
	return nil
}

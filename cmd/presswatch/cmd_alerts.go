package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/query"
	"github.com/dongnai/presswatch/store"
)

// openAlertStore loads the configuration and opens the store with its alert methods.
func openAlertStore(ctx context.Context, g *globals) (alertStore, func(), error) {
	cfg, err := configs.Load(g.ConfigPath)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, cfg, newLogger(cfg.Log, g.Stderr), false)
	if err != nil {
		return nil, nil, err
	}
	as, err := asAlertStore(st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return as, func() { st.Close() }, nil
}

// cmdSilence manages silences: presswatch silence add|list|expire.
func cmdSilence(ctx context.Context, g *globals, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: presswatch silence add|list|expire", errUsage)
	}
	switch args[0] {
	case "add":
		return silenceAdd(ctx, g, args[1:])
	case "list":
		return silenceList(ctx, g, args[1:])
	case "expire":
		return silenceExpire(ctx, g, args[1:])
	}
	return fmt.Errorf("%w: unknown silence command %q (want add, list or expire)", errUsage, args[0])
}

func silenceAdd(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("silence add", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	q := fs.String("query", "", `articles to silence, in the query language (e.g. 'outlet:"Example News" AND topic:environment')`)
	d := durationDays(fs, "duration", 24*time.Hour, "how long the silence lasts: whole days (7d) or hours and minutes (36h, 90m)")
	reason := fs.String("reason", "", "why (required)")
	author := fs.String("author", os.Getenv("USER"), "who sets it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	if strings.TrimSpace(*q) == "" || strings.TrimSpace(*reason) == "" || *d <= 0 {
		return fmt.Errorf("%w: silence add needs -query, -reason and a positive -duration", errUsage)
	}
	if _, err := query.Parse(*q); err != nil {
		return fmt.Errorf("%w: -query: %v", errUsage, err)
	}
	as, closeStore, err := openAlertStore(ctx, g)
	if err != nil {
		return err
	}
	defer closeStore()
	var b [8]byte
	_, _ = rand.Read(b[:])
	now := time.Now().UTC()
	s := store.Silence{ID: "s-" + hex.EncodeToString(b[:]), Query: *q, Reason: *reason, Author: *author, CreatedAt: now, ExpiresAt: now.Add(*d)}
	if err := as.CreateSilence(ctx, s); err != nil {
		return err
	}
	if err := as.AppendAudit(ctx, store.AuditEntry{At: now, Actor: *author, Action: "silence.add", Object: "silence/" + s.ID,
		Detail: fmt.Sprintf("query %q until %s: %s", s.Query, s.ExpiresAt.Format(time.RFC3339), s.Reason)}); err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "%s\n", s.ID)
	return nil
}

func silenceList(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("silence list", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	all := fs.Bool("all", false, "include expired silences")
	if err := fs.Parse(args); err != nil {
		return err
	}
	as, closeStore, err := openAlertStore(ctx, g)
	if err != nil {
		return err
	}
	defer closeStore()
	ss, err := as.ListSilences(ctx, time.Now(), *all)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEXPIRES (Asia/Ho_Chi_Minh)\tAUTHOR\tQUERY\tREASON")
	for _, s := range ss {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.ExpiresAt.In(srcHCMC()).Format("2006-01-02 15:04"), s.Author, s.Query, s.Reason)
	}
	return tw.Flush()
}

func silenceExpire(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("silence expire", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	author := fs.String("author", os.Getenv("USER"), "who ends it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: presswatch silence expire [-author NAME] ID", errUsage)
	}
	as, closeStore, err := openAlertStore(ctx, g)
	if err != nil {
		return err
	}
	defer closeStore()
	now := time.Now().UTC()
	if err := as.ExpireSilence(ctx, fs.Arg(0), now); err != nil {
		return err
	}
	return as.AppendAudit(ctx, store.AuditEntry{At: now, Actor: *author, Action: "silence.expire", Object: "silence/" + fs.Arg(0)})
}

// alertStateNames are the states -state accepts.
var alertStateNames = []string{store.AlertNew, store.AlertAcknowledged, store.AlertConfirmed, store.AlertResponded,
	store.AlertFalsePositive, store.AlertSilenced, store.AlertInhibited}

// cmdAlerts lists alerts: presswatch alerts list.
func cmdAlerts(ctx context.Context, g *globals, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		return fmt.Errorf("%w: presswatch alerts list [-state S] [-route R] [-receiver NAME] [-limit N]", errUsage)
	}
	fs := flag.NewFlagSet("alerts list", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	state := fs.String("state", "", "only alerts in this state (new, acknowledged, confirmed, …)")
	route := fs.String("route", "", "only alerts of this route")
	receiver := fs.String("receiver", "", "only alerts sent to this receiver")
	limit := fs.Int("limit", 50, "at most this many, newest first")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	as, closeStore, err := openAlertStore(ctx, g)
	if err != nil {
		return err
	}
	defer closeStore()
	if *state != "" && !slices.Contains(alertStateNames, *state) {
		return fmt.Errorf("%w: -state %q: not a state; states are %s", errUsage, *state, strings.Join(alertStateNames, ", "))
	}
	if *limit < 1 {
		return fmt.Errorf("%w: -limit %d: at least 1", errUsage, *limit)
	}
	// One more than asked tells whether there are more to say so.
	f := store.AlertFilter{Limit: *limit + 1}
	if *state != "" {
		f.States = []string{*state}
	}
	if *route != "" {
		f.Routes = []string{*route}
	}
	if *receiver != "" {
		f.Receivers = []string{*receiver}
	}
	als, err := as.ListAlerts(ctx, f)
	if err != nil {
		return err
	}
	more := len(als) > *limit
	if more {
		als = als[:*limit]
	}
	tw := tabwriter.NewWriter(g.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CREATED (Asia/Ho_Chi_Minh)\tID\tROUTE\tSTATE\tRISK\tOUTLET\tTITLE")
	for _, a := range als {
		title := []rune(a.Title)
		if len(title) > 60 {
			title = append(title[:59], '…')
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", a.CreatedAt.In(srcHCMC()).Format("2006-01-02 15:04"), a.ID, a.Route, a.State, a.Risk, a.Outlet, string(title))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if more {
		fmt.Fprintf(g.Stderr, "the newest %d alerts are shown; there are more (-limit N, or -state, -route, -receiver to narrow)\n", *limit)
	}
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/store"
)

// sourcesStore is what `presswatch sources` reads from the store.
type sourcesStore interface {
	ListSources(ctx context.Context) ([]store.Source, error)
	ListSourceStates(ctx context.Context) ([]store.SourceState, error)
}

// cmdSources is `presswatch sources`: the health of every source as a table.
func cmdSources(ctx context.Context, g *globals, args []string) error {
	cfg, err := configs.Load(g.ConfigPath)
	if err != nil {
		return err
	}
	if err := requireExistingStore(cfg); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, newLogger(cfg.Log, g.Stderr), false)
	if err != nil {
		return err
	}
	defer st.Close()
	return runSources(ctx, st, g.Stdout, g.Stderr, args, time.Now())
}

// sourceRow is one line of the table (and one object of -json).
type sourceRow struct {
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Outlet      string    `json:"outlet,omitempty"`
	Country     string    `json:"country,omitempty"`
	Lang        string    `json:"lang,omitempty"`
	Status      string    `json:"status"` // ok, failing, silent, new, disabled
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastNewItem time.Time `json:"last_new_item,omitzero"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	Errors      int       `json:"consecutive_errors"`
	LastError   string    `json:"last_error,omitempty"`
	ItemsTotal  int64     `json:"items_total"`
	ItemsPerDay float64   `json:"items_per_day"`
	Interval    string    `json:"interval,omitempty"`
}

// runSources prints the table for st.
func runSources(ctx context.Context, st sourcesStore, stdout, stderr io.Writer, args []string, now time.Time) error {
	fs := flag.NewFlagSet("sources", flag.ContinueOnError)
	fs.SetOutput(stderr)
	problems := fs.Bool("problems", false, "show only failing and silent sources")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	sortBy := fs.String("sort", "status", "order: status, name or items")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: presswatch sources [-problems] [-json] [-sort status|name|items]", errUsage)
	}
	srcs, err := st.ListSources(ctx)
	if err != nil {
		return fmt.Errorf("list sources: %w", err)
	}
	states, err := st.ListSourceStates(ctx)
	if err != nil {
		return fmt.Errorf("list source states: %w", err)
	}
	byName := map[string]store.SourceState{}
	for _, s := range states {
		byName[s.Source] = s
	}
	rows := make([]sourceRow, 0, len(srcs))
	for _, s := range srcs {
		x := byName[s.Name]
		r := sourceRow{
			Name: s.Name, Kind: s.Kind, Outlet: s.Outlet, Country: s.Country, Lang: s.Lang,
			LastAttempt: x.LastAttempt, LastSuccess: x.LastSuccess, LastNewItem: x.LastNewItem, NextAttempt: x.NextAttempt,
			Errors: x.ConsecutiveErrors, LastError: x.LastError, ItemsTotal: x.ItemsTotal, ItemsPerDay: x.ItemsPerDay,
		}
		if x.Interval > 0 {
			r.Interval = x.Interval.Round(time.Second).String()
		}
		switch {
		case !s.DeletedAt.IsZero():
			r.Status = "deleted" // soft-deleted in the admin UI
		case !s.Enabled:
			r.Status = "disabled"
		case x.ConsecutiveErrors > 0:
			r.Status = "failing"
		case x.Silent:
			r.Status = "silent"
		case x.LastAttempt.IsZero():
			r.Status = "new"
		default:
			r.Status = "ok"
		}
		if *problems && r.Status != "failing" && r.Status != "silent" {
			continue
		}
		rows = append(rows, r)
	}
	rank := map[string]int{"failing": 0, "silent": 1, "new": 2, "ok": 3, "disabled": 4, "deleted": 5}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch *sortBy {
		case "items":
			if a.ItemsPerDay != b.ItemsPerDay {
				return a.ItemsPerDay > b.ItemsPerDay
			}
		case "name":
		default:
			if rank[a.Status] != rank[b.Status] {
				return rank[a.Status] < rank[b.Status]
			}
			if a.Errors != b.Errors {
				return a.Errors > b.Errors
			}
		}
		return a.Name < b.Name
	})
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tSTATUS\tLAST SUCCESS\tLAST NEW\tITEMS/DAY\tTOTAL\tERRORS\tNEXT\tLAST ERROR")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f\t%d\t%d\t%s\t%s\n", r.Name, r.Kind, r.Status,
			srcAgo(r.LastSuccess, now), srcAgo(r.LastNewItem, now), r.ItemsPerDay, r.ItemsTotal, r.Errors,
			srcUntil(r.NextAttempt, now), srcOneLine(r.LastError, 80))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var failing, silent int
	for _, r := range rows {
		switch r.Status {
		case "failing":
			failing++
		case "silent":
			silent++
		}
	}
	_, err = fmt.Fprintf(stdout, "%d sources, %d failing, %d silent (times in Asia/Ho_Chi_Minh)\n", len(rows), failing, silent)
	return err
}

// srcAgo prints how long before now t was ("3m ago"), "-" for never.
func srcAgo(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return srcShort(now.Sub(t)) + " ago"
}

// srcUntil prints how long after now t is ("in 4m"), or the local time when far.
func srcUntil(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := t.Sub(now)
	if d <= 0 {
		return "due"
	}
	if d > 24*time.Hour {
		return t.In(srcHCMC()).Format("2006-01-02 15:04")
	}
	return "in " + srcShort(d)
}

func srcShort(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

func srcHCMC() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}

func srcOneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

func TestRunSources(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: "sqlite:" + filepath.Join(t.TempDir(), "pw.db"), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range []store.Source{
		{Name: "bbc-vietnamese", Kind: "feed", URL: "https://feeds.bbci.co.uk/vietnamese/rss.xml", Enabled: true, AddedAt: now},
		{Name: "broken", Kind: "feed", URL: "https://example.org/rss", Enabled: true, AddedAt: now},
		{Name: "quiet", Kind: "site", URL: "https://example.net/", Enabled: true, AddedAt: now},
	} {
		if err := st.UpsertSource(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []store.SourceState{
		{Source: "bbc-vietnamese", LastAttempt: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute), LastNewItem: now.Add(-10 * time.Minute), NextAttempt: now.Add(9 * time.Minute), ItemsTotal: 120, ItemsPerDay: 40, Interval: 10 * time.Minute},
		{Source: "broken", LastAttempt: now.Add(-time.Minute), LastSuccess: now.Add(-3 * time.Hour), ConsecutiveErrors: 4, LastError: "poll https://example.org/rss: parse feed: malformed feed XML: unexpected EOF", NextAttempt: now.Add(time.Hour)},
		{Source: "quiet", LastAttempt: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute), LastNewItem: now.Add(-72 * time.Hour), Silent: true},
	} {
		if err := st.UpsertSourceState(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	if err := runSources(ctx, st, &out, &errOut, nil, now); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("want header, 3 rows and a summary:\n%s", out.String())
	}
	for i, want := range []string{"SOURCE", "broken", "quiet", "bbc-vietnamese", "3 sources, 1 failing, 1 silent"} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[1], "failing") || !strings.Contains(lines[1], "malformed feed XML") || !strings.Contains(lines[1], "3h00m ago") {
		t.Errorf("failing row: %q", lines[1])
	}
	if !strings.Contains(lines[3], "40.0") || !strings.Contains(lines[3], "in 9m") {
		t.Errorf("ok row: %q", lines[3])
	}

	out.Reset()
	if err := runSources(ctx, st, &out, &errOut, []string{"-problems", "-json"}, now); err != nil {
		t.Fatal(err)
	}
	var rows []sourceRow
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Name != "broken" || rows[0].Errors != 4 || rows[1].Status != "silent" {
		t.Errorf("problems: %+v", rows)
	}
	if err := runSources(ctx, st, &out, &errOut, []string{"extra"}, now); err == nil {
		t.Error("stray argument accepted")
	}
}

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/store"
)

func TestReport(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "pw.yaml")
	if err := os.WriteFile(cfgPath, []byte("data_dir: "+dataDir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{DataDir: dataDir, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 17, 3, 0, 0, 0, time.UTC) // in 2026-W47
	var arts []*article.Article
	for i, title := range []string{"Đồng Nai khởi công sân bay Long Thành", "Flooding hits Dong Nai", "同奈省发生洪水"} {
		canon, id, err := article.IDFor("https://example.test/a/" + string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, &article.Article{ID: id, URL: canon, CanonicalURL: canon, Source: "s", Outlet: "Example",
			Country: "US", Lang: []string{"vi", "en", "zh"}[i], Title: title, Text: title + ". More text follows here about the province.",
			Published: day, Collected: day.Add(time.Duration(i) * time.Hour),
			Classification: &article.Classification{About: true, Tone: "neutral", Cluster: "c1", Topics: []string{"infrastructure"}}})
	}
	if err := st.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report")
	var stdout, stderr bytes.Buffer
	g := &globals{Stdout: &stdout, Stderr: &stderr, ConfigPath: cfgPath}
	if err := cmdReport(ctx, g, []string{"--kind", "weekly", "--period", "2026-W47", "--out", out}); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr.String())
	}
	// No browser is configured: the PDF is written natively, beside the DOCX.
	if !strings.Contains(stdout.String(), "weekly-2026-W47: 3 articles") || !strings.Contains(stdout.String(), "report.pdf, report.docx") {
		t.Errorf("output: %s", stdout.String())
	}
	for _, f := range []string{"report.html", "report.pdf", "report.docx", "report.txt", "report.json", "volume.png", "countries.png", "tone.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(html), `src="volume.png"`) || !strings.Contains(string(html), "Đồng Nai khởi công sân bay Long Thành") {
		t.Error("report.html does not show the chart file or the story")
	}
	// Without a mail server --send refuses rather than pretending to send.
	err = cmdReport(ctx, g, []string{"--kind", "weekly", "--period", "2026-W47", "--send"})
	if err == nil || !strings.Contains(err.Error(), "smtp.host") {
		t.Errorf("--send without an outbox = %v", err)
	}
	// A week with nothing collected is written, and the command says so.
	stderr.Reset()
	if err := cmdReport(ctx, g, []string{"--kind", "weekly", "--period", "2026-W40", "--out", t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "nothing was collected in 2026-W40") {
		t.Errorf("empty week: stderr %q", stderr.String())
	}
	// A period that has not begun is refused.
	future := time.Now().AddDate(2, 0, 0).Format("2006") // reporting years start in November
	for _, bad := range [][]string{{"--kind", "daily", "--out", out}, {"--period", "2026-W99", "--out", out}, {"--kind", "weekly"},
		{"--kind", "annual", "--period", future, "--out", out}} {
		if err := cmdReport(ctx, g, bad); !errors.Is(err, errUsage) {
			t.Errorf("report %v = %v, want a usage error", bad, err)
		}
	}
}

func TestDigestSchedulesFromConfig(t *testing.T) {
	dc := configs.DigestConfig{
		Weekly:    configs.DigestSchedule{Weekday: "tuesday", Time: "06:15", Recipients: []string{"a@b.vn"}},
		Quarterly: configs.DigestSchedule{Disabled: true},
	}
	got, err := digestSchedules(dc)
	if err != nil {
		t.Fatal(err)
	}
	want := []digest.Schedule{
		{Kind: digest.Weekly, Weekday: time.Tuesday, Hour: 6, Minute: 15, Recipients: []string{"a@b.vn"}},
		{Kind: digest.Annual, Weekday: time.Monday, Day: 2, Hour: 8},
	}
	if len(got) != len(want) {
		t.Fatalf("schedules %+v", got)
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || got[i].Weekday != want[i].Weekday || got[i].Day != want[i].Day ||
			got[i].Hour != want[i].Hour || got[i].Minute != want[i].Minute || len(got[i].Recipients) != len(want[i].Recipients) {
			t.Errorf("schedule %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestAddDigestDisabledByDefault(t *testing.T) {
	a := newApp(newLogger(configs.LogConfig{}, &bytes.Buffer{}))
	cfg := &configs.Loaded{Config: configs.Defaults()}
	if err := addDigest(a, cfg, nil, newLogger(configs.LogConfig{}, &bytes.Buffer{}), nil); err != nil {
		t.Fatal(err)
	}
	if len(a.components) != 0 {
		t.Fatalf("components %v with reports disabled", a.components)
	}
}

// TestDigestWarnings: the alerter says when reports are off, and which kinds
// have nobody to go to; the shipped configuration has them on.
func TestDigestWarnings(t *testing.T) {
	if w := digestWarnings(configs.DigestConfig{}); len(w) != 1 || !strings.Contains(w[0], "digest.enabled") {
		t.Errorf("off: %q", w)
	}
	dc := configs.DigestConfig{Enabled: true, Weekly: configs.DigestSchedule{Recipients: []string{"a@example.org"}},
		Annual: configs.DigestSchedule{Disabled: true}}
	if w := digestWarnings(dc); len(w) != 1 || !strings.Contains(w[0], "digest.quarterly.recipients is empty") {
		t.Errorf("quarterly without recipients: %q", w)
	}
	data, err := os.ReadFile("../../configs/dongnai.yaml")
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := configs.Parse("dongnai.yaml", data, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if !shipped.Digest.Enabled {
		t.Error("the shipped configuration has reports off")
	}
}

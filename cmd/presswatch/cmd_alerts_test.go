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

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/configs"
)

func alertsTestGlobals(t *testing.T) (*globals, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "presswatch.yaml")
	if err := os.WriteFile(path, []byte("data_dir: "+filepath.Join(dir, "data")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	return &globals{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &bytes.Buffer{}, ConfigPath: path}, &out
}

func TestCmdSilence(t *testing.T) {
	ctx := context.Background()
	g, out := alertsTestGlobals(t)
	if err := cmdSilence(ctx, g, []string{"add", "-query", `outlet:"Straits Echo"`, "-reason", "satire", "-author", "lan", "-duration", "2d"}); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(out.String())
	if !strings.HasPrefix(id, "s-") {
		t.Fatalf("silence add printed %q", id)
	}
	out.Reset()
	if err := cmdSilence(ctx, g, []string{"list"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), id) || !strings.Contains(out.String(), "satire") {
		t.Errorf("silence list:\n%s", out.String())
	}
	// Times in Vietnam time, as `alerts list` and `sources` give them.
	expires := time.Now().Add(48 * time.Hour).In(srcHCMC())
	if !strings.Contains(out.String(), "EXPIRES (Asia/Ho_Chi_Minh)") || !strings.Contains(out.String(), expires.Format("2006-01-02 ")) {
		t.Errorf("silence list not in Vietnam time (want about %s):\n%s", expires.Format("2006-01-02 15:04"), out.String())
	}
	if err := cmdSilence(ctx, g, []string{"expire", "-author", "lan", id}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := cmdSilence(ctx, g, []string{"list"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), id) {
		t.Errorf("expired silence still listed:\n%s", out.String())
	}
	for _, bad := range [][]string{{}, {"nope"}, {"add", "-query", "risk>=(", "-reason", "x"}, {"add", "-query", "x"}, {"expire"}} {
		if err := cmdSilence(ctx, g, bad); !errors.Is(err, errUsage) {
			t.Errorf("silence %q: %v, want a usage error", bad, err)
		}
	}
	out.Reset()
	if err := cmdAlerts(ctx, g, []string{"list", "-state", "new"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "CREATED") {
		t.Errorf("alerts list:\n%s", out.String())
	}
	// A state that does not exist is an error, not an empty table.
	for _, bad := range [][]string{{"list", "-state", "bogus"}, {"list", "-limit", "0"}} {
		if err := cmdAlerts(ctx, g, bad); !errors.Is(err, errUsage) {
			t.Errorf("alerts %q: %v, want a usage error", bad, err)
		}
	}
}

func TestShippedAlertsConfig(t *testing.T) {
	cfg := &configs.Loaded{Config: configs.Defaults(), Dir: t.TempDir()}
	ac, err := loadAlertsConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := buildAlerts(ac)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range rt.receivers {
		names[r.Name] = true
	}
	for _, want := range []string{"foreign_affairs", "police", "analysts"} {
		if !names[want] {
			t.Errorf("shipped config lacks receiver %s", want)
		}
	}
	// A file beside the main config wins, strictly parsed.
	if err := os.WriteFile(filepath.Join(cfg.Dir, alertsFile), []byte("route:\n  receiver: x\n  bogus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadAlertsConfig(cfg); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown key accepted: %v", err)
	}
}

// TestAddAlerter wires the alerter as `presswatch demo` does (mailbox sink,
// alerts.yaml beside the config) and checks a classified article becomes emails.
func TestAddAlerter(t *testing.T) {
	dir := t.TempDir()
	cfg := &configs.Loaded{Config: configs.Defaults(), Dir: dir}
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Web.SessionSecret = "0123456789abcdef0123456789abcdef"
	yaml := strings.Replace(string(configs.AlertsYAML()), "group_wait: 30s", "group_wait: 0s", 1)
	yaml = strings.Replace(yaml, "poll_interval: 1s", "poll_interval: 50ms", 1)
	if err := os.WriteFile(filepath.Join(dir, alertsFile), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	log := newLogger(configs.LogConfig{Level: "error"}, os.Stderr)
	ex := &extras{}
	mb, err := addDemoMailbox(ex, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := bus.Open(ctx, bus.Options{DataDir: cfg.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a := newApp(log)
	a.components = append(a.components, ex.components...)
	if err := addAlerter(a, cfg, st, b, log, prometheus.NewRegistry()); err != nil {
		t.Fatal(err)
	}
	art := &article.Article{ID: article.ID("https://x.example.com/a"), URL: "https://x.example.com/a", CanonicalURL: "https://x.example.com/a",
		Source: "x", Outlet: "X Times", Country: "SG", Lang: "en", Title: "Đồng Nai rumour", Collected: time.Now().UTC(),
		Classification: &article.Classification{About: true, Mentions: true, Risk: 85, NeedsReview: true, Cluster: "c-1",
			Reasons: []article.Reason{{Signal: "narrative", Detail: "“rumour”"}}, At: time.Now().UTC()}}
	if err := st.UpsertArticles(ctx, []*article.Article{art}); err != nil {
		t.Fatal(err)
	}
	if err := b.PublishClassified(ctx, []*article.Article{art}); err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- a.run(ctx, 10*time.Second) }()
	deadline := time.Now().Add(20 * time.Second)
	for len(mb.Messages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("app: %v", err)
	}
	to := map[string]bool{}
	for _, m := range mb.Messages() {
		to[m.To[0]] = true
	}
	if len(mb.Messages()) != 2 || !to["canhbao.songoaivu@dongnai.gov.vn"] || !to["theodoi.stttt@dongnai.gov.vn"] {
		t.Errorf("mailbox got %d messages to %v", len(mb.Messages()), to)
	}
	ents, _ := os.ReadDir(filepath.Join(cfg.DataDir, "mailbox"))
	if len(ents) != 2 {
		t.Errorf("%d .eml files under data_dir/mailbox, want 2", len(ents))
	}
}

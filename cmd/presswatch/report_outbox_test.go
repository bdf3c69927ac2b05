package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// TestReportSendQueuesInOutbox: `report --send` puts one prebuilt email per
// recipient in the alerts outbox, and a second --send adds nothing.
func TestReportSendQueuesInOutbox(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "pw.yaml")
	cfg := "data_dir: " + dataDir + "\n" +
		"smtp:\n  host: 127.0.0.1\n  port: 2525\n  tls: none\n  from: baocao@example.org\n" +
		"digest:\n  weekly:\n    recipients: [ngoaivu@example.org, ubnd@example.org]\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{DataDir: dataDir, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 17, 3, 0, 0, 0, time.UTC) // in 2026-W47
	canon, id, err := article.IDFor("https://example.test/outbox/a")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertArticles(ctx, []*article.Article{{ID: id, URL: canon, CanonicalURL: canon, Source: "s", Outlet: "Example",
		Country: "US", Lang: "en", Title: "Flooding hits Dong Nai", Text: "Flooding hits Dong Nai. More text.",
		Published: day, Collected: day,
		Classification: &article.Classification{About: true, Tone: "neutral", Cluster: "c1", Topics: []string{"infrastructure"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	g := &globals{Stdout: &stdout, Stderr: &stderr, ConfigPath: cfgPath}
	for range 2 {
		if err := cmdReport(ctx, g, []string{"--kind", "weekly", "--period", "2026-W47", "--send"}); err != nil {
			t.Fatalf("report --send: %v\n%s", err, stderr.String())
		}
	}
	if out := stdout.String(); !strings.Contains(out, "queued in the outbox for 2 recipients") || !strings.Contains(out, "already sent") {
		t.Errorf("output: %s", out)
	}
	st, err = store.Open(ctx, store.Options{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.ListDeliveries(ctx, store.DeliveryFilter{})
	if err != nil || len(ds) != 2 {
		t.Fatalf("outbox = %+v, %v; want two deliveries", ds, err)
	}
	for _, d := range ds {
		raw, err := st.DeliveryMessage(ctx, d.ID)
		if err != nil || !d.Prebuilt || d.DigestID != "weekly-2026-W47" || d.State != store.DeliveryPending ||
			!bytes.Contains(raw, []byte("Message-Id: "+d.MessageID)) && !bytes.Contains(raw, []byte("Message-ID: "+d.MessageID)) {
			t.Errorf("delivery %+v (message %d bytes, %v)", d, len(raw), err)
		}
	}
}

package digest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

// TestSMTPEndToEnd sends a weekly report from a store through the SMTP
// mailer to the in-process SMTP sink the demo uses, and reads it back.
func TestSMTPEndToEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mbox, err := alerts.NewMailbox(alerts.MailboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = mbox.Run(ctx) }()
	defer mbox.Close()
	host, port := mbox.HostPort()

	loc, _ := time.LoadLocation(digest.DefaultTimezone)
	st := storetest.OpenSQLite(t)
	day := time.Date(2026, 11, 18, 9, 0, 0, 0, loc)
	var arts []*article.Article
	for i, o := range []string{"Reuters", "NHK", "Yonhap"} {
		canon, id, err := article.IDFor("https://" + strings.ToLower(o) + ".example/a")
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, &article.Article{ID: id, URL: canon, CanonicalURL: canon, Source: o, Outlet: o,
			Country: []string{"GB", "JP", "KR"}[i], Lang: "en", Title: "Đồng Nai opens Long Thành airport",
			Text:      "Đồng Nai opened the Long Thành airport on Wednesday. “It is a great day for Đồng Nai,” the chairman said.",
			Published: day.UTC(), Collected: day.Add(time.Duration(i) * time.Minute).UTC(),
			Classification: &article.Classification{About: true, Tone: "positive", Cluster: "c1", Topics: []string{"infrastructure"},
				Entities: []article.Entity{{Text: "Đồng Nai", Kind: "province"}}}})
	}
	if err := st.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 23, 7, 30, 0, 0, loc) }
	gen, err := digest.New(digest.Options{Store: st.(digest.ReportStore), Location: loc, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	mailer, err := digest.NewSMTPMailer(digest.SMTPOptions{Host: host, Port: port, TLS: "none", From: "presswatch@dongnai.example", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	rcpts := []string{"songoaivu@dongnai.example", "congan@dongnai.example"}
	s, err := digest.NewScheduler(digest.SchedulerOptions{Generator: gen, Store: st.(digest.ArchiveStore), Mailer: mailer, Now: now,
		Schedules: []digest.Schedule{{Kind: digest.Weekly, Weekday: time.Monday, Hour: 7, Minute: 30, Recipients: rcpts}}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run sends nothing
		if err := s.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	msgs := mbox.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages in the mailbox, want 2", len(msgs))
	}
	for _, m := range msgs {
		if !strings.Contains(m.Subject, "Tuần 47/2026") || len(m.To) != 1 {
			t.Errorf("message %q to %v", m.Subject, m.To)
		}
		raw := string(m.Raw)
		for _, want := range []string{"multipart/related", "<volume.2026-W47@presswatch>", "image/png", "text/plain"} {
			if !strings.Contains(raw, want) {
				t.Errorf("message to %v lacks %q", m.To, want)
			}
		}
	}
	d, err := st.(store.DigestStore).GetDigest(ctx, "weekly-2026-W47")
	if err != nil || d.State != store.DigestSent {
		t.Fatalf("digest state %q, %v", d.State, err)
	}
}

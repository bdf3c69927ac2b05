package alerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/store"
)

// failAfter passes the first n messages to the real mailer and then fails,
// as a scheduler does when it dies or the store hiccups part-way through the
// recipients of a report.
type failAfter struct {
	next digest.Mailer
	mu   sync.Mutex
	n    int
}

func (f *failAfter) Enqueue(ctx context.Context, m *digest.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n <= 0 {
		return errors.New("interrupted")
	}
	f.n--
	return f.next.Enqueue(ctx, m)
}

// seedWeek stores three classified articles of 2026-W47, so the report has
// charts (inline parts) to carry.
func seedWeek(t testing.TB, st store.Store) {
	t.Helper()
	day := time.Date(2026, 11, 17, 3, 0, 0, 0, time.UTC)
	var arts []*article.Article
	for i, title := range []string{"Đồng Nai khởi công sân bay Long Thành", "Flooding hits Dong Nai", "同奈省发生洪水"} {
		canon, id, err := article.IDFor(fmt.Sprintf("https://example.test/w47/%d", i))
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, &article.Article{ID: id, URL: canon, CanonicalURL: canon, Source: "s", Outlet: "Example",
			Country: "US", Lang: []string{"vi", "en", "zh"}[i], Title: title, Text: title + ". More text about the province.",
			Published: day, Collected: day.Add(time.Duration(i) * time.Hour),
			Classification: &article.Classification{About: true, Tone: "neutral", Cluster: "c1", Topics: []string{"infrastructure"}}})
	}
	if err := st.UpsertArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
}

// TestReportThroughOutbox: a weekly report goes from the scheduler through
// the outbox and the alerts sender to a real SMTP server exactly once per
// recipient, although the server refuses at first, the first scheduler run
// fails after its first recipient and the scheduler runs three times.
func TestReportThroughOutbox(t *testing.T) {
	r := newRig(t, testRoutes(0), nil, time.Now)
	loc := LoadLocation("")
	seedWeek(t, r.st)
	gen, err := digest.New(digest.Options{Store: r.st.(digest.ReportStore), Location: loc, BaseURL: "http://ui.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	om, err := digest.NewOutboxMailer(digest.OutboxMailerOptions{Store: r.st, From: "baocao@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	recipients := []string{"ngoaivu@example.org", "ubnd@example.org", "stttt@example.org"}
	var mu sync.Mutex
	clock := time.Date(2026, 11, 23, 8, 0, 0, 0, loc) // after the Monday 07:30 due time of 2026-W47
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	scheduler := func(m digest.Mailer) *digest.Scheduler {
		s, err := digest.NewScheduler(digest.SchedulerOptions{
			Generator: gen, Store: r.st, Mailer: m, Owner: "test", Lease: 10 * time.Minute, MailDomain: "ui.example.org", Now: now,
			Schedules: []digest.Schedule{{Kind: digest.Weekly, Weekday: time.Monday, Hour: 7, Minute: 30, Recipients: recipients}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ctx := context.Background()
	if err := scheduler(&failAfter{next: om, n: 1}).RunOnce(ctx); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("first run = %v, want the injected failure", err)
	}
	mu.Lock()
	clock = clock.Add(11 * time.Minute) // the failed claim lapses
	mu.Unlock()
	s := scheduler(om)
	for i := range 2 {
		if err := s.RunOnce(ctx); err != nil {
			t.Fatalf("run %d: %v", i+2, err)
		}
	}
	ds, err := r.st.ListDeliveries(ctx, store.DeliveryFilter{})
	if err != nil || len(ds) != len(recipients) {
		t.Fatalf("outbox = %d deliveries, %v; want one per recipient", len(ds), err)
	}
	dg, err := r.st.GetDigest(ctx, "weekly-2026-W47")
	if err != nil || dg.State != store.DigestSent {
		t.Fatalf("digest = %+v, %v; want sent", dg.State, err)
	}

	r.mb.RefuseUntil(time.Now().Add(time.Hour)) // from the sender's first attempt on
	sender := r.sender(SenderOptions{BackoffInitial: 100 * time.Millisecond, BackoffMax: 300 * time.Millisecond, MaxAttempts: 50})
	runSender(t, sender)
	waitRefused(t, r, len(recipients)) // then accept: no wall-clock window to miss
	r.mb.RefuseUntil(time.Time{})
	waitFor(t, "every report accepted", 60*time.Second, func() bool {
		return deliveriesByState(t, r.st)[store.DeliverySent] == int64(len(recipients))
	})
	time.Sleep(300 * time.Millisecond) // a duplicate would arrive now
	ds, _ = r.st.ListDeliveries(ctx, store.DeliveryFilter{})
	msgIDs := map[string]bool{}
	for _, d := range ds {
		if d.Attempts < 2 {
			t.Errorf("delivery to %s sent at attempt %d; the refusal was not exercised", d.Recipient, d.Attempts)
		}
		if d.DigestID != "weekly-2026-W47" || !d.Prebuilt || d.Receiver != store.ReportsReceiver {
			t.Errorf("delivery = %+v", d)
		}
		msgIDs[d.MessageID] = true
	}
	for _, to := range recipients {
		got := messagesTo(r.mb, to)
		if len(got) != 1 {
			t.Errorf("%s received %d reports, want exactly 1", to, len(got))
			continue
		}
		m := got[0]
		if !msgIDs[m.MessageID] || !strings.HasPrefix(m.MessageID, "<digest.") || !strings.HasSuffix(m.MessageID, "@ui.example.org>") {
			t.Errorf("%s: Message-ID %q is not the report's stored one (%v)", to, m.MessageID, msgIDs)
		}
		if !strings.Contains(m.Subject, "Tuần 47/2026") {
			t.Errorf("%s: subject %q", to, m.Subject)
		}
		pm, err := mail.ReadMessage(bytes.NewReader(m.Raw))
		if err != nil {
			t.Fatalf("%s: %v", to, err)
		}
		if got := pm.Header.Get("To"); !strings.Contains(got, to) {
			t.Errorf("%s: To header %q", to, got)
		}
		if got := pm.Header.Get("From"); !strings.Contains(got, "baocao@example.org") {
			t.Errorf("%s: From header %q, want the report's", to, got)
		}
		mt, _, err := mime.ParseMediaType(pm.Header.Get("Content-Type"))
		if err != nil || !strings.HasPrefix(mt, "multipart/") {
			t.Errorf("%s: content type %q (%v), want the report's text and HTML parts", to, mt, err)
		}
		if !bytes.Contains(m.Raw, []byte("cid:")) || !bytes.Contains(bytes.ToLower(m.Raw), []byte("content-id: <")) ||
			!bytes.Contains(m.Raw, []byte("image/png")) {
			t.Errorf("%s: the charts are not inline in the email", to)
		}
	}
	// The mailbox's copies: the raw bytes the sender stored are what arrived.
	for _, d := range ds {
		raw, err := r.st.DeliveryMessage(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := messagesTo(r.mb, d.Recipient)
		if len(got) == 1 && !bytes.Equal(bytes.ReplaceAll(got[0].Raw, []byte("\r\n"), []byte("\n")), bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))) {
			t.Errorf("%s: the message that arrived differs from the one stored", d.Recipient)
		}
	}
}

// TestPrebuiltPermanentFailure: a 5xx reply to a prebuilt message fails it
// at once with the error; a webhook cannot carry one.
func TestPrebuiltPermanentFailure(t *testing.T) {
	r := newRig(t, testRoutes(0), nil, time.Now)
	ctx := context.Background()
	m := store.OutboxMessage{ID: "k/1", To: "not an address", MIME: []byte("Subject: x\r\n\r\nx\r\n"), Now: time.Now()}
	if _, err := r.st.EnqueueMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	s := r.sender(SenderOptions{MaxAttempts: 5})
	if _, err := s.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	ds, _ := r.st.ListDeliveries(ctx, store.DeliveryFilter{State: store.DeliveryFailed})
	if len(ds) != 1 || ds[0].Attempts != 1 || !strings.Contains(ds[0].LastError, "not an address") {
		t.Errorf("failed = %+v; want the bad address failed at the first attempt", ds)
	}
	wh, _ := NewWebhookNotifier(WebhookOptions{Endpoints: map[string]WebhookEndpoint{"r": {URL: "http://127.0.0.1:1/"}}})
	if retry, err := wh.Notify(ctx, &Message{Raw: []byte("x"), Receiver: "r"}); err == nil || retry {
		t.Errorf("webhook Notify(raw) = %v, %v; want a permanent error", retry, err)
	}
}

// BenchmarkReportOutbox measures enqueueing one weekly report's email for
// b.N recipients and the sender delivering them all to a local SMTP server.
func BenchmarkReportOutbox(b *testing.B) {
	r := newRig(b, testRoutes(0), nil, time.Now)
	ctx := context.Background()
	loc := LoadLocation("")
	seedWeek(b, r.st)
	gen, err := digest.New(digest.Options{Store: r.st.(digest.ReportStore), Location: loc})
	if err != nil {
		b.Fatal(err)
	}
	p, err := digest.ParsePeriod(digest.Weekly, "2026-W47", loc)
	if err != nil {
		b.Fatal(err)
	}
	o, err := gen.Generate(ctx, p)
	if err != nil {
		b.Fatal(err)
	}
	m := &digest.Message{To: "x@example.org", Subject: "s", MessageID: "<m@x>", HTML: string(o.EmailHTML), Text: o.Text}
	for _, c := range o.Charts {
		m.Inline = append(m.Inline, digest.Part{ContentID: c.ContentID, Filename: c.Name, ContentType: "image/png", Data: c.PNG})
	}
	raw, err := m.MIME("baocao@example.org", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	s := r.sender(SenderOptions{BatchSize: 100})
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		to := fmt.Sprintf("r%d@example.org", i)
		if _, err := r.st.EnqueueMessage(ctx, store.OutboxMessage{ID: "w47/" + to, To: to, MIME: raw, Now: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	enq := time.Since(start)
	for deliveriesByState(b, r.st)[store.DeliverySent] < int64(b.N) {
		if _, err := s.SendDue(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	total := time.Since(start)
	b.ReportMetric(float64(b.N)/total.Minutes(), "emails/min")
	b.ReportMetric(float64(enq.Microseconds())/float64(b.N), "µs/enqueue")
	b.ReportMetric(float64(len(raw)), "bytes/email")
}

// An alert an officer has acknowledged before its message was due is left
// out of the message, and a message with nothing left is not sent: the
// outbox says so instead.
func TestHandledAlertsNotMailed(t *testing.T) {
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	root := Route{Receiver: "analysts", GroupWait: dur(time.Minute), Severity: SeverityImmediate}
	r := newRig(t, root, nil, clock)
	ctx := context.Background()
	// Two stories: the first's only alert is acknowledged, the second has
	// one acknowledged and one still new.
	lone := classified(t, r.st, 1, "Straits Echo", "c-lone", 55)
	a2 := classified(t, r.st, 2, "Asia Ledger", "c-two", 55)
	b2 := classified(t, r.st, 3, "Mekong Times", "c-two", 55)
	process(t, r.stage, lone, a2, b2)
	ack := store.AlertAcknowledged
	for _, a := range []*article.Article{lone, a2} {
		if _, err := r.st.UpdateAlert(ctx, store.AlertChange{ID: AlertID("default", a.ID), Actor: "fa1", State: &ack, At: now}); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(2 * time.Minute)
	s := r.sender(SenderOptions{})
	if _, err := s.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	cancelled, _ := r.st.ListDeliveries(ctx, store.DeliveryFilter{State: store.DeliverySkipped})
	if len(cancelled) != 1 || !strings.Contains(cancelled[0].LastError, "đã được xử lý") {
		t.Fatalf("cancelled deliveries = %+v; want the lone story's, saying why", cancelled)
	}
	msgs := r.mb.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages sent, want 1 (the second story's)", len(msgs))
	}
	body := decodedBody(t, msgs[0].Raw)
	if !strings.Contains(body, "Mekong Times") || strings.Contains(body, "Asia Ledger") || strings.Contains(body, "Straits Echo") {
		t.Errorf("the message carries an acknowledged alert, or lacks the new one:\n%.1500s", body)
	}
}

// TestStoryMessagesThreaded: the messages of one story to one address
// refer to one root (References, In-Reply-To), so a mail client shows them
// as one thread, and link the story's page; another story's messages have
// another root (an outside reading: 57 messages, none threaded).
func TestStoryMessagesThreaded(t *testing.T) {
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	root := Route{Receiver: "analysts", GroupWait: dur(time.Minute), GroupInterval: dur(time.Minute), Severity: SeverityImmediate}
	r := newRig(t, root, nil, clock)
	ctx := context.Background()
	s := r.sender(SenderOptions{})
	send := func(arts ...*article.Article) {
		t.Helper()
		process(t, r.stage, arts...)
		now = now.Add(3 * time.Minute)
		if _, err := s.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	send(classified(t, r.st, 1, "Straits Echo", "c-strike", 55))
	send(classified(t, r.st, 2, "Asia Ledger", "c-strike", 60))
	send(classified(t, r.st, 3, "Mekong Times", "c-flood", 50))
	msgs := r.mb.Messages()
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3 (two of the strike, one of the flood)", len(msgs))
	}
	// Messages come back in the mailbox's order, not in the order sent.
	byRoot := map[string]int{}
	for i, m := range msgs {
		h := headerOf(t, m.Raw)
		ref := h.Get("References")
		if ref == "" || h.Get("In-Reply-To") != ref {
			t.Fatalf("message %d: References %q, In-Reply-To %q: want one root in both", i, ref, h.Get("In-Reply-To"))
		}
		byRoot[ref]++
		cluster := "c-flood"
		if strings.Contains(ref, "c-strike") {
			cluster = "c-strike"
		}
		if body := decodedBody(t, m.Raw); !strings.Contains(body, "/stories/"+cluster) {
			t.Errorf("message %d (root %s) does not link its story's page:\n%.1500s", i, ref, body)
		}
	}
	if len(byRoot) != 2 {
		t.Errorf("roots %v: want the strike's two messages on one root and the flood's on another", byRoot)
	}
	for ref, n := range byRoot {
		if want := map[bool]int{true: 2, false: 1}[strings.Contains(ref, "c-strike")]; n != want {
			t.Errorf("root %s has %d messages, want %d", ref, n, want)
		}
	}
}

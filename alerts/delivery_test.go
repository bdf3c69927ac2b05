package alerts

import (
	"context"
	"encoding/json"
	"github.com/dongnai/presswatch/internal/translate"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

func process(t testing.TB, s *Stage, arts ...*article.Article) {
	t.Helper()
	if err := s.Process(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
}

// TestRefusingServerRetried: the SMTP server refuses (421) for a while; the
// sender retries with backoff and the message arrives exactly once.
func TestRefusingServerRetried(t *testing.T) {
	r := newRig(t, testRoutes(0), nil, time.Now)
	r.mb.RefuseUntil(time.Now().Add(time.Hour))
	s := r.sender(SenderOptions{BackoffInitial: 100 * time.Millisecond, BackoffMax: 400 * time.Millisecond, MaxAttempts: 50})
	a := classified(t, r.st, 1, "Straits Echo", "c-1", 85, "narrative")
	process(t, r.stage, a)
	runSender(t, s)
	// Accept only once every delivery was refused: on a busy machine a
	// refusal window in wall time may close before the first attempt.
	waitRefused(t, r, 2)
	r.mb.RefuseUntil(time.Time{})
	waitFor(t, "two emails", 60*time.Second, func() bool { return deliveriesByState(t, r.st)[store.DeliverySent] == 2 })
	time.Sleep(300 * time.Millisecond)
	if n := len(messagesTo(r.mb, "ngoaivu@example.org")); n != 1 {
		t.Errorf("foreign_affairs got %d emails, want exactly 1", n)
	}
	ds, _ := r.st.ListDeliveries(context.Background(), store.DeliveryFilter{})
	for _, d := range ds {
		if d.Attempts < 2 {
			t.Errorf("delivery %s sent at attempt %d; the refusal was not exercised", d.ID, d.Attempts)
		}
	}
}

// waitRefused waits until n deliveries were each refused at least once.
func waitRefused(t *testing.T, r *rig, n int) {
	t.Helper()
	waitFor(t, "every delivery refused once", 60*time.Second, func() bool {
		ds, err := r.st.ListDeliveries(context.Background(), store.DeliveryFilter{})
		if err != nil || len(ds) != n {
			return false
		}
		for _, d := range ds {
			if d.Attempts < 1 || !strings.Contains(d.LastError, "421") {
				return false
			}
		}
		return true
	})
}

// TestPermanentFailure: after MaxAttempts the delivery is failed with the error.
func TestPermanentFailure(t *testing.T) {
	r := newRig(t, testRoutes(0), nil, time.Now)
	r.mb.RefuseUntil(time.Now().Add(time.Hour))
	s := r.sender(SenderOptions{BackoffInitial: 10 * time.Millisecond, BackoffMax: 20 * time.Millisecond, MaxAttempts: 3})
	process(t, r.stage, classified(t, r.st, 1, "Straits Echo", "c-1", 85, "narrative"))
	runSender(t, s)
	waitFor(t, "failed deliveries", 20*time.Second, func() bool { return deliveriesByState(t, r.st)[store.DeliveryFailed] == 2 })
	ds, _ := r.st.ListDeliveries(context.Background(), store.DeliveryFilter{State: store.DeliveryFailed})
	for _, d := range ds {
		if d.Attempts != 3 || !strings.Contains(d.LastError, "421") {
			t.Errorf("failed delivery: attempts %d, error %q", d.Attempts, d.LastError)
		}
	}
	if n := len(r.mb.Messages()); n != 0 {
		t.Errorf("%d messages arrived", n)
	}
}

// TestCrashAfterAcceptance: the sender dies after the SMTP server accepted a
// message and before marking it sent. After a restart the message is sent
// again with the same Message-ID, so the resend is recognisable, and then
// marked sent.
func TestCrashAfterAcceptance(t *testing.T) {
	r := newRig(t, Route{Receiver: "police", GroupWait: dur(0), Severity: SeverityImmediate}, nil, time.Now)
	s1 := r.sender(SenderOptions{Lease: 300 * time.Millisecond})
	ctx, kill := context.WithCancel(context.Background())
	var once sync.Once
	r.onMsgMu.Lock()
	r.onMsg = func(MailboxMessage) { once.Do(kill) } // the process dies as the server accepts
	r.onMsgMu.Unlock()
	process(t, r.stage, classified(t, r.st, 1, "Straits Echo", "c-1", 30))
	_, _ = s1.SendDue(ctx)
	waitFor(t, "the first copy", 60*time.Second, func() bool { return len(r.mb.Messages()) == 1 })
	if c := deliveriesByState(t, r.st); c[store.DeliverySent] != 0 {
		t.Fatalf("delivery marked sent although the sender died: %v", c)
	}

	s2 := r.sender(SenderOptions{Lease: 300 * time.Millisecond, Registerer: nil})
	runSender(t, s2)
	waitFor(t, "the resend", 60*time.Second, func() bool { return deliveriesByState(t, r.st)[store.DeliverySent] == 1 })
	time.Sleep(200 * time.Millisecond)
	msgs := r.mb.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the original and one resend", len(msgs))
	}
	if msgs[0].MessageID == "" || msgs[0].MessageID != msgs[1].MessageID {
		t.Errorf("resend has Message-ID %q, original %q", msgs[0].MessageID, msgs[1].MessageID)
	}
}

// TestStoryGrouped: ten outlets carry one story; each receiver gets one
// email listing all ten.
func TestStoryGrouped(t *testing.T) {
	r := newRig(t, testRoutes(300*time.Millisecond), nil, time.Now)
	outlets := []string{"Straits Echo", "Asia Ledger", "Mekong Times", "Pacific Wire", "Seoul Daily",
		"Tokyo Herald", "Canton Post", "Bangkok Mirror", "Manila Courier", "Delhi Observer"}
	var arts []*article.Article
	for i, o := range outlets {
		a := classified(t, r.st, i, o, "c-story", 70, "narrative", "industry")
		a.Classification.Topics = append(a.Classification.Topics, "industry_labor")
		arts = append(arts, a)
	}
	// They arrive in several batches, as from the bus.
	process(t, r.stage, arts[:3]...)
	process(t, r.stage, arts[3:7]...)
	process(t, r.stage, arts[7:]...)
	runSender(t, r.sender(SenderOptions{}))
	waitFor(t, "three emails", 10*time.Second, func() bool { return len(r.mb.Messages()) >= 3 })
	time.Sleep(500 * time.Millisecond)
	for _, to := range []string{"ngoaivu@example.org", "congan@example.org", "stttt@example.org"} {
		ms := messagesTo(r.mb, to)
		if len(ms) != 1 {
			t.Errorf("%s got %d emails, want 1", to, len(ms))
			continue
		}
		body := decodedBody(t, ms[0].Raw)
		for _, o := range outlets {
			if !strings.Contains(body, o) {
				t.Errorf("%s: the email does not list %s", to, o)
			}
		}
		if !strings.Contains(ms[0].Subject, "+9") {
			t.Errorf("%s: subject %q does not say 9 more", to, ms[0].Subject)
		}
	}
}

func TestSilence(t *testing.T) {
	r := newRig(t, testRoutes(0), nil, time.Now)
	ctx := context.Background()
	if err := r.st.CreateSilence(ctx, store.Silence{ID: "s1", Query: `outlet:"Straits Echo"`, Reason: "known satire site",
		Author: "lan", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	silenced := classified(t, r.st, 1, "Straits Echo", "c-1", 85, "narrative")
	other := classified(t, r.st, 2, "Asia Ledger", "c-2", 85, "narrative")
	process(t, r.stage, silenced, other)
	als, _ := r.st.ListAlerts(ctx, store.AlertFilter{})
	for _, al := range als {
		want := store.AlertNew
		if al.ArticleID == silenced.ID {
			want = store.AlertSilenced
		}
		if al.State != want {
			t.Errorf("alert of %s on %s: state %s, want %s", al.Outlet, al.Route, al.State, want)
		}
	}
	ds, _ := r.st.ListDeliveries(ctx, store.DeliveryFilter{})
	for _, d := range ds {
		if al, _ := r.st.DeliveryAlerts(ctx, d.ID); len(al) == 0 || al[0].ArticleID == silenced.ID {
			t.Errorf("a silenced article has a delivery")
		}
	}
	if len(ds) != 2 {
		t.Errorf("%d deliveries, want 2 (the other article)", len(ds))
	}
	// Once the silence expires, the outlet alerts again.
	if err := r.st.ExpireSilence(ctx, "s1", time.Now()); err != nil {
		t.Fatal(err)
	}
	process(t, r.stage, classified(t, r.st, 3, "Straits Echo", "c-3", 85, "narrative"))
	if ds, _ := r.st.ListDeliveries(ctx, store.DeliveryFilter{}); len(ds) != 4 {
		t.Errorf("after the silence expired: %d deliveries, want 4", len(ds))
	}
}

func TestInhibition(t *testing.T) {
	inhibit := []InhibitRule{{Source: "story_spread", Target: "misinformation", Equal: []string{"cluster"}}}
	r := newRig(t, testRoutes(0), inhibit, time.Now)
	ctx := context.Background()
	// The story alert arrives; later articles of the same story are inhibited
	// on the per-article route, in the same batch and in later ones.
	story := classified(t, r.st, 1, "Straits Echo", "c-story", 85, "narrative", "rapid_spread")
	same := classified(t, r.st, 2, "Asia Ledger", "c-story", 85, "narrative")
	process(t, r.stage, story, same)
	later := classified(t, r.st, 3, "Mekong Times", "c-story", 85, "narrative")
	process(t, r.stage, later)
	elsewhere := classified(t, r.st, 4, "Pacific Wire", "c-other", 85, "narrative")
	process(t, r.stage, elsewhere)
	state := map[string]string{}
	als, _ := r.st.ListAlerts(ctx, store.AlertFilter{Routes: []string{"misinformation"}})
	for _, al := range als {
		state[al.ArticleID] = al.State
	}
	for _, tc := range []struct {
		a    *article.Article
		want string
	}{{story, store.AlertInhibited}, {same, store.AlertInhibited}, {later, store.AlertInhibited}, {elsewhere, store.AlertNew}} {
		if state[tc.a.ID] != tc.want {
			t.Errorf("misinformation alert of %s: %q, want %q", tc.a.Outlet, state[tc.a.ID], tc.want)
		}
	}
	if st, _ := r.st.ListAlerts(ctx, store.AlertFilter{Routes: []string{"story_spread"}}); len(st) != 1 || st[0].State != store.AlertNew {
		t.Errorf("story alerts = %+v", st)
	}
}

func TestQuietHours(t *testing.T) {
	loc := LoadLocation("")
	night := time.Date(2026, 11, 26, 23, 15, 0, 0, loc) // 23:15 in Đồng Nai
	recv := testReceivers()
	recv[1].QuietHours = &QuietHours{Start: 22 * time.Hour, End: 6 * time.Hour}
	st := openStore(t)
	rt, err := NewRouter(Route{Receiver: "police", GroupWait: dur(0), Severity: SeverityImmediate}, receiverNames(recv))
	if err != nil {
		t.Fatal(err)
	}
	stage, err := NewStage(StageOptions{Store: st, Router: rt, Receivers: recv, Now: func() time.Time { return night }})
	if err != nil {
		t.Fatal(err)
	}
	normal := classified(t, st, 1, "Straits Echo", "c-1", 55)
	critical := classified(t, st, 2, "Asia Ledger", "c-2", 90)
	// As risky, but published 400 days before it was collected (a new
	// source's archive): not urgent, so it waits for the morning.
	old := classified(t, st, 3, "Old Gazette", "c-3", 90)
	old.Published = old.Collected.AddDate(0, 0, -400)
	if err := st.UpsertArticles(context.Background(), []*article.Article{old}); err != nil {
		t.Fatal(err)
	}
	process(t, stage, normal, critical, old)
	morning := time.Date(2026, 11, 27, 6, 0, 0, 0, loc)
	if al, err := st.GetAlert(context.Background(), AlertID("default", old.ID)); err != nil || al.Priority != 0 {
		t.Errorf("old coverage: alert priority %d (%v), want 0 (not critical)", al.Priority, err)
	}
	for _, tc := range []struct {
		a   *article.Article
		due time.Time
	}{{normal, morning}, {critical, night}, {old, morning}} {
		ds, err := st.ListDeliveries(context.Background(), store.DeliveryFilter{AlertID: AlertID("default", tc.a.ID)})
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries of %s: %v, %v", tc.a.Outlet, ds, err)
		}
		if !ds[0].NextAttempt.Equal(tc.due) {
			t.Errorf("risk %d: due %s, want %s", tc.a.Classification.Risk, ds[0].NextAttempt.In(loc), tc.due)
		}
	}
}

func TestRepeatInterval(t *testing.T) {
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	root := Route{Receiver: "analysts", GroupWait: dur(0), RepeatInterval: dur(4 * time.Hour), Severity: SeverityImmediate}
	r := newRig(t, root, nil, clock)
	a := classified(t, r.st, 1, "Straits Echo", "c-1", 55)
	process(t, r.stage, a)
	count := func() int {
		ds, _ := r.st.ListDeliveries(context.Background(), store.DeliveryFilter{})
		return len(ds)
	}
	// A redelivery or reclassification within repeat_interval: no new notification.
	now = now.Add(time.Hour)
	process(t, r.stage, a)
	if n := count(); n != 1 {
		t.Fatalf("%d deliveries within repeat_interval, want 1", n)
	}
	ds, err := r.st.ClaimDeliveries(context.Background(), now, 10, time.Minute)
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim = %v, %v", ds, err)
	}
	if err := r.st.MarkDeliverySent(context.Background(), ds[0].ID, "s", now); err != nil {
		t.Fatal(err)
	}
	now = now.Add(4 * time.Hour)
	process(t, r.stage, a)
	if n := count(); n != 2 {
		t.Fatalf("%d deliveries after repeat_interval, want 2", n)
	}
}

func TestDigestOnlyAndIrrelevant(t *testing.T) {
	r := newRig(t, testRoutes(0), nil, time.Now)
	low := classified(t, r.st, 1, "Straits Echo", "c-1", 0)
	low.Classification.NeedsReview = false
	none := classified(t, r.st, 2, "Asia Ledger", "c-2", 90)
	none.Classification.About, none.Classification.Mentions = false, false
	process(t, r.stage, low, none)
	als, _ := r.st.ListAlerts(context.Background(), store.AlertFilter{})
	if len(als) != 1 || als[0].ArticleID != low.ID || als[0].Severity != SeverityDigest {
		t.Fatalf("alerts = %+v; want one digest-only alert of the low-risk article", als)
	}
	if ds, _ := r.st.ListDeliveries(context.Background(), store.DeliveryFilter{}); len(ds) != 0 {
		t.Errorf("digest-only alert has %d deliveries", len(ds))
	}
}

// TestEmailTranslated: with a LibreTranslate-compatible service on loopback,
// a foreign item's email carries its Vietnamese machine translation; a
// failing service sends the alert untranslated.
func TestEmailTranslated(t *testing.T) {
	var fail atomic.Bool
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":"down"}`))
			return
		}
		var req struct {
			Q []string `json:"q"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		out := make([]string, len(req.Q))
		for i, q := range req.Q {
			out[i] = "BẢN DỊCH: " + q
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"translatedText": out})
	}))
	defer svc.Close()
	for _, failing := range []bool{false, true} {
		fail.Store(failing)
		r := newRig(t, testRoutes(50*time.Millisecond), nil, time.Now)
		a := classified(t, r.st, 1, "Straits Echo", "c-mt", 85, "narrative")
		process(t, r.stage, a)
		runSender(t, r.sender(SenderOptions{Translator: translate.New(translate.Options{URL: svc.URL})}))
		waitFor(t, "an email", 10*time.Second, func() bool { return len(messagesTo(r.mb, "ngoaivu@example.org")) >= 1 })
		body := decodedBody(t, messagesTo(r.mb, "ngoaivu@example.org")[0].Raw)
		has := strings.Contains(body, "Dịch máy: BẢN DỊCH: "+a.Title)
		if has == failing {
			t.Errorf("failing service %v: translation in the email = %v", failing, has)
		}
	}
}

// TestStoryUpdatesSpaced: a story that keeps producing alerts is mailed at
// growing intervals under group_interval_max (the setting reaches the store
// through the router and the stage), and a story turning critical is mailed
// a group_interval after its previous message again.
func TestStoryUpdatesSpaced(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	root := Route{Receiver: "analysts", GroupWait: dur(0), GroupInterval: dur(5 * time.Minute),
		GroupIntervalMax: dur(time.Hour), RepeatInterval: dur(12 * time.Hour), Severity: SeverityImmediate}
	r := newRig(t, root, nil, clock)
	var scheduled []time.Time
	for i, risk := range []int{55, 60, 65, 70, 90} {
		// Each update of the story arrives a minute after its last message.
		process(t, r.stage, classified(t, r.st, i+1, "Straits Echo", "c-1", risk))
		pending, err := r.st.ListDeliveries(ctx, store.DeliveryFilter{State: store.DeliveryPending})
		if err != nil || len(pending) != 1 {
			t.Fatalf("update %d: pending deliveries = %d, %v; want 1", i+1, len(pending), err)
		}
		due := pending[0].ScheduledAt
		scheduled = append(scheduled, due)
		now = due
		ds, err := r.st.ClaimDeliveries(ctx, now, 10, time.Minute)
		if err != nil || len(ds) != 1 {
			t.Fatalf("update %d: claim at its due time = %d, %v", i+1, len(ds), err)
		}
		if err := r.st.MarkDeliverySent(ctx, ds[0].ID, "s", now); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	var gaps []time.Duration
	for i := 1; i < len(scheduled); i++ {
		gaps = append(gaps, scheduled[i].Sub(scheduled[i-1]))
	}
	// 5, 10, 20 minutes; risk 90 is critical (the rig's critical_risk 80):
	// back to 5.
	want := []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 5 * time.Minute}
	if !slices.Equal(gaps, want) {
		t.Errorf("pauses between the story's messages = %v, want %v", gaps, want)
	}
}

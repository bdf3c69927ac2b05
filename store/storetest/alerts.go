package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// RunAlerts runs the conformance suite of store.AlertStore against a fresh
// store from open for every subtest.
func RunAlerts(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.AlertStore, st store.Store)
	}{
		{"GroupingAndClaim", testAlertGrouping},
		{"GroupIntervalGrows", testAlertGroupBackoff},
		{"CriticalJoinsHeldDelivery", testCriticalJoinsHeld},
		{"RepeatInterval", testAlertRepeat},
		{"RetryAndFail", testDeliveryRetry},
		{"LeaseExpiry", testDeliveryLease},
		{"PriorityOrder", testDeliveryPriority},
		{"TriageAudit", testAlertTriage},
		{"HasAlertAndList", testAlertHasList},
		{"Silences", testSilences},
		{"ConcurrentClaims", testConcurrentClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			as, ok := st.(store.AlertStore)
			if !ok {
				t.Fatalf("%T does not implement store.AlertStore", st)
			}
			tc.fn(t, as, st)
		})
	}
}

func alertFor(t *testing.T, st store.Store, i int, route string) store.Alert {
	t.Helper()
	a := newArticle(i)
	a.Classification = newClassification(base)
	mustUpsert(t, st, a)
	return store.Alert{
		ID: fmt.Sprintf("al-%s-%d", route, i), Route: route, ArticleID: a.ID, Cluster: "c-1",
		GroupKey: route + "/cluster=c-1", Severity: "immediate", Risk: 70, Title: a.Title, Outlet: a.Outlet,
		Country: a.Country, Lang: a.Lang, Source: a.Source, Receivers: []string{"police"},
		Reasons: []article.Reason{{Signal: "narrative", Detail: "matched “Đồng Nai”", Weight: 30}},
	}
}

var mailPolice = store.Notification{Receiver: "police", Channel: "email", Recipient: "ca@example.org"}

func testAlertGrouping(t *testing.T, s store.AlertStore, st store.Store) {
	now := base
	var batch []store.NewAlert
	for i := range 3 {
		batch = append(batch, store.NewAlert{Alert: alertFor(t, st, i, "misinfo"), Notify: []store.Notification{mailPolice},
			GroupWait: 10 * time.Second, GroupInterval: time.Minute, RepeatInterval: time.Hour, Now: now.Add(time.Duration(i) * time.Second)})
	}
	if err := s.RecordAlerts(ctx(t), batch); err != nil {
		t.Fatal(err)
	}
	// Nothing is due before group_wait.
	if ds, err := s.ClaimDeliveries(ctx(t), now.Add(9*time.Second), 10, time.Minute); err != nil || len(ds) != 0 {
		t.Fatalf("claim before group_wait = %v, %v; want none", ds, err)
	}
	ds, err := s.ClaimDeliveries(ctx(t), now.Add(10*time.Second), 10, time.Minute)
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim = %v, %v; want one grouped delivery", ds, err)
	}
	d := ds[0]
	if d.Attempts != 1 || d.State != store.DeliverySending || d.MessageID != store.DeliveryMessageID(d.ID) || d.Recipient != "ca@example.org" {
		t.Errorf("claimed delivery = %+v", d)
	}
	als, err := s.DeliveryAlerts(ctx(t), d.ID)
	if err != nil || len(als) != 3 {
		t.Fatalf("DeliveryAlerts = %d, %v; want 3", len(als), err)
	}
	if als[0].Reasons[0].Detail != "matched “Đồng Nai”" || als[0].Receivers[0] != "police" || als[0].State != store.AlertNew {
		t.Errorf("alert round trip = %+v", als[0])
	}
	// A claimed delivery is not claimed again within its lease.
	if ds, _ := s.ClaimDeliveries(ctx(t), now.Add(20*time.Second), 10, time.Minute); len(ds) != 0 {
		t.Errorf("claimed twice within the lease: %v", ds)
	}
	// A new alert of the group while the first is being sent starts a new
	// delivery, due group_interval after the first one.
	na := store.NewAlert{Alert: alertFor(t, st, 7, "misinfo"), Notify: []store.Notification{mailPolice},
		GroupWait: 10 * time.Second, GroupInterval: time.Minute, RepeatInterval: time.Hour, Now: now.Add(15 * time.Second)}
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{na}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDeliverySent(ctx(t), d.ID, "subject", now.Add(16*time.Second)); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.ClaimDeliveries(ctx(t), now.Add(69*time.Second), 10, time.Minute); len(ds) != 0 {
		t.Errorf("second delivery due before group_interval: %v", ds)
	}
	ds, err = s.ClaimDeliveries(ctx(t), now.Add(70*time.Second), 10, time.Minute)
	if err != nil || len(ds) != 1 || ds[0].ID == d.ID {
		t.Fatalf("claim after group_interval = %v, %v", ds, err)
	}
	sent, err := s.ListDeliveries(ctx(t), store.DeliveryFilter{State: store.DeliverySent})
	if err != nil || len(sent) != 1 || sent[0].Subject != "subject" || sent[0].SentAt.IsZero() {
		t.Errorf("sent deliveries = %+v, %v", sent, err)
	}
}

// testAlertGroupBackoff: with GroupIntervalMax, a story that keeps
// producing alerts is mailed at doubling intervals up to the maximum; an
// alert that raises the story's priority, or one after the story had gone
// quiet, starts again at GroupInterval.
func testAlertGroupBackoff(t *testing.T, s store.AlertStore, st store.Store) {
	const (
		wait = 10 * time.Second
		step = time.Minute
		most = 8 * time.Minute
	)
	// record records alert i of the story at recordAt and checks that its
	// delivery is due exactly at wantDue (nothing claimable a second before),
	// then sends it.
	record := func(i int, priority int, recordAt, wantDue time.Time) {
		t.Helper()
		al := alertFor(t, st, i, "spread")
		al.Priority = priority
		if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: al, Notify: []store.Notification{mailPolice},
			GroupWait: wait, GroupInterval: step, GroupIntervalMax: most, RepeatInterval: time.Hour, Now: recordAt}}); err != nil {
			t.Fatal(err)
		}
		if ds, err := s.ClaimDeliveries(ctx(t), wantDue.Add(-time.Second), 10, time.Minute); err != nil || len(ds) != 0 {
			t.Fatalf("alert %d: claimed %d deliveries (%v) a second before %s", i, len(ds), err, wantDue.Sub(base))
		}
		ds, err := s.ClaimDeliveries(ctx(t), wantDue, 10, time.Minute)
		if err != nil || len(ds) != 1 {
			t.Fatalf("alert %d: claim at %s = %d deliveries, %v; want one", i, wantDue.Sub(base), len(ds), err)
		}
		if err := s.MarkDeliverySent(ctx(t), ds[0].ID, "subject", wantDue); err != nil {
			t.Fatal(err)
		}
	}
	at := func(d time.Duration) time.Time { return base.Add(d) }
	record(0, 0, at(0), at(wait))                               // a new story: group_wait
	record(1, 0, at(20*time.Second), at(wait+step))             // one delivery before: group_interval
	record(2, 0, at(80*time.Second), at(70*time.Second+2*step)) // then twice the last pause: 2m
	record(3, 0, at(200*time.Second), at(190*time.Second+4*step))
	record(4, 0, at(440*time.Second), at(430*time.Second+most)) // 8m: the maximum
	record(5, 0, at(920*time.Second), at(910*time.Second+most)) // and stays there
	// The story turns critical: back to group_interval.
	record(6, 1, at(1400*time.Second), at(1390*time.Second+step))
	// A critical alert after a critical one climbs the ladder again.
	record(7, 1, at(1460*time.Second), at(1450*time.Second+2*step))
	// The story goes quiet for longer than the maximum: the next alert is
	// due at once, and the one after it a group_interval later.
	record(8, 1, at(1570*time.Second+time.Hour), at(1570*time.Second+time.Hour))
	record(9, 1, at(1580*time.Second+time.Hour), at(1570*time.Second+time.Hour+step))
}

// testCriticalJoinsHeld: a story's delivery held for quiet hours (due at
// 06:00) is brought forward by a critical alert of the same story, which
// ignores quiet hours: it was left at 06:00 because the held delivery
// itself counted as the story's previous one.
func testCriticalJoinsHeld(t *testing.T, s store.AlertStore, st store.Store) {
	morning := base.Add(7 * time.Hour)
	held := alertFor(t, st, 1, "security")
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: held, Notify: []store.Notification{mailPolice},
		GroupWait: 30 * time.Second, GroupInterval: 5 * time.Minute, GroupIntervalMax: time.Hour, RepeatInterval: time.Hour,
		NotBefore: morning, Now: base}}); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.ClaimDeliveries(ctx(t), base.Add(time.Hour), 10, time.Minute); len(ds) != 0 {
		t.Fatalf("the held delivery went out before the quiet hours ended: %+v", ds)
	}
	critical := alertFor(t, st, 2, "security")
	critical.Priority = 1
	at := base.Add(2 * time.Hour)
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: critical, Notify: []store.Notification{mailPolice},
		GroupWait: 30 * time.Second, GroupInterval: 5 * time.Minute, GroupIntervalMax: time.Hour, RepeatInterval: time.Hour,
		Now: at}}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ClaimDeliveries(ctx(t), at.Add(30*time.Second), 10, time.Minute)
	if err != nil || len(ds) != 1 || ds[0].Priority != 1 {
		t.Fatalf("claim 30 s after the critical alert = %+v, %v; want the story's delivery, critical", ds, err)
	}
	als, err := s.DeliveryAlerts(ctx(t), ds[0].ID)
	if err != nil || len(als) != 2 {
		t.Errorf("the delivery carries %d alerts (%v), want the held one and the critical one", len(als), err)
	}
}

func testAlertRepeat(t *testing.T, s store.AlertStore, st store.Store) {
	a := alertFor(t, st, 1, "r")
	rec := func(at time.Time) {
		t.Helper()
		if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: a, Notify: []store.Notification{mailPolice},
			RepeatInterval: time.Hour, Now: at}}); err != nil {
			t.Fatal(err)
		}
	}
	rec(base)
	rec(base.Add(time.Minute)) // a redelivery: nothing new
	ds, err := s.ListDeliveries(ctx(t), store.DeliveryFilter{AlertID: a.ID})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries after a redelivery = %d, %v; want 1", len(ds), err)
	}
	if _, err := s.ClaimDeliveries(ctx(t), base, 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	rec(base.Add(2 * time.Hour)) // after repeat_interval: notified again
	ds, _ = s.ListDeliveries(ctx(t), store.DeliveryFilter{AlertID: a.ID})
	if len(ds) != 2 {
		t.Fatalf("deliveries after repeat_interval = %d; want 2", len(ds))
	}
}

func testDeliveryRetry(t *testing.T, s store.AlertStore, st store.Store) {
	a := alertFor(t, st, 1, "r")
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: a, Notify: []store.Notification{mailPolice}, Now: base}}); err != nil {
		t.Fatal(err)
	}
	ds, _ := s.ClaimDeliveries(ctx(t), base, 10, time.Minute)
	if len(ds) != 1 {
		t.Fatal("no delivery")
	}
	if err := s.MarkDeliveryRetry(ctx(t), ds[0].ID, base.Add(time.Second), "421 try later"); err != nil {
		t.Fatal(err)
	}
	// A retried delivery takes no new alerts: its content is fixed.
	b := alertFor(t, st, 2, "r")
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: b, Notify: []store.Notification{mailPolice}, Now: base}}); err != nil {
		t.Fatal(err)
	}
	if als, _ := s.DeliveryAlerts(ctx(t), ds[0].ID); len(als) != 1 {
		t.Errorf("retried delivery carries %d alerts, want 1", len(als))
	}
	again, _ := s.ClaimDeliveries(ctx(t), base.Add(time.Second), 10, time.Minute)
	var found bool
	for _, d := range again {
		if d.ID == ds[0].ID {
			found = true
			if d.Attempts != 2 || d.LastError != "421 try later" || d.MessageID != ds[0].MessageID {
				t.Errorf("retried delivery = %+v", d)
			}
		}
	}
	if !found {
		t.Fatal("retried delivery not claimed again")
	}
	if err := s.MarkDeliveryFailed(ctx(t), ds[0].ID, base.Add(2*time.Second), "550 no such user"); err != nil {
		t.Fatal(err)
	}
	failed, _ := s.ListDeliveries(ctx(t), store.DeliveryFilter{State: store.DeliveryFailed})
	if len(failed) != 1 || failed[0].LastError != "550 no such user" {
		t.Errorf("failed deliveries = %+v", failed)
	}
	counts, err := s.CountDeliveries(ctx(t))
	if err != nil || counts[store.DeliveryFailed] != 1 {
		t.Errorf("CountDeliveries = %v, %v", counts, err)
	}
	// A delivery whose alerts were all handled before it was due is
	// skipped, saying why.
	handled := alertFor(t, st, 2, "r")
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: handled, Notify: []store.Notification{mailPolice}, Now: base}}); err != nil {
		t.Fatal(err)
	}
	pend, _ := s.ListDeliveries(ctx(t), store.DeliveryFilter{AlertID: handled.ID})
	if len(pend) != 1 {
		t.Fatalf("deliveries of the second alert: %+v", pend)
	}
	if err := s.MarkDeliverySkipped(ctx(t), pend[0].ID, base.Add(3*time.Second), "handled before it was due"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ListDeliveries(ctx(t), store.DeliveryFilter{State: store.DeliverySkipped}); len(got) != 1 || got[0].LastError != "handled before it was due" {
		t.Errorf("cancelled deliveries = %+v", got)
	}
	if counts, _ := s.CountDeliveries(ctx(t)); counts[store.DeliverySkipped] != 1 {
		t.Errorf("CountDeliveries = %v, want one cancelled", counts)
	}
}

func testDeliveryLease(t *testing.T, s store.AlertStore, st store.Store) {
	a := alertFor(t, st, 1, "r")
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: a, Notify: []store.Notification{mailPolice}, Now: base}}); err != nil {
		t.Fatal(err)
	}
	first, _ := s.ClaimDeliveries(ctx(t), base, 10, time.Minute)
	// The sender died: after the lease the delivery is claimed again, with its Message-ID.
	again, _ := s.ClaimDeliveries(ctx(t), base.Add(time.Minute), 10, time.Minute)
	if len(first) != 1 || len(again) != 1 || again[0].MessageID != first[0].MessageID || again[0].Attempts != 2 {
		t.Fatalf("after lease: first %+v again %+v", first, again)
	}
	if err := s.MarkDeliverySent(ctx(t), again[0].ID, "s", base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A late retry mark from the dead sender does not undo "sent".
	if err := s.MarkDeliveryRetry(ctx(t), again[0].ID, base, "late"); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.ClaimDeliveries(ctx(t), base.Add(time.Hour), 10, time.Minute); len(ds) != 0 {
		t.Errorf("sent delivery claimed again: %+v", ds)
	}
}

func testDeliveryPriority(t *testing.T, s store.AlertStore, st store.Store) {
	var batch []store.NewAlert
	for i := range 4 {
		a := alertFor(t, st, i, "r")
		a.GroupKey = fmt.Sprintf("g%d", i)
		a.Priority = i % 2
		batch = append(batch, store.NewAlert{Alert: a, Notify: []store.Notification{mailPolice}, Now: base.Add(time.Duration(i) * time.Second)})
	}
	if err := s.RecordAlerts(ctx(t), batch); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ClaimDeliveries(ctx(t), base.Add(time.Minute), 10, time.Minute)
	if err != nil || len(ds) != 4 {
		t.Fatalf("claim = %d, %v", len(ds), err)
	}
	for i, want := range []int{1, 1, 0, 0} {
		if ds[i].Priority != want {
			t.Errorf("claim order: delivery %d has priority %d, want %d", i, ds[i].Priority, want)
		}
	}
	if !ds[0].NextAttempt.After(base) || ds[0].ScheduledAt.After(ds[2].ScheduledAt) && ds[0].Priority == ds[2].Priority {
		t.Errorf("unexpected schedule %+v", ds[0])
	}
}

func testAlertTriage(t *testing.T, s store.AlertStore, st store.Store) {
	a := alertFor(t, st, 1, "r")
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: a, Now: base}}); err != nil {
		t.Fatal(err)
	}
	ack, who, note := store.AlertAcknowledged, "lan", "gọi lại cho toà soạn"
	got, err := s.UpdateAlert(ctx(t), store.AlertChange{ID: a.ID, Actor: "lan", State: &ack, Assignee: &who, Note: &note, At: base.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != ack || got.AckedBy != "lan" || got.AckedAt.IsZero() || got.Note != note {
		t.Errorf("after ack: %+v", got)
	}
	conf, link := store.AlertConfirmed, "https://example.org/correction"
	if _, err := s.UpdateAlert(ctx(t), store.AlertChange{ID: a.ID, Actor: "minh", State: &conf, ResponseLink: &link}); err != nil {
		t.Fatal(err)
	}
	back, err := s.GetAlert(ctx(t), a.ID)
	if err != nil || back.State != conf || back.ResponseLink != link || back.AckedBy != "lan" {
		t.Errorf("GetAlert = %+v, %v", back, err)
	}
	audit, err := st.ListAudit(ctx(t), 10)
	if err != nil || len(audit) != 2 || audit[0].Object != "alert/"+a.ID {
		t.Errorf("audit = %+v, %v", audit, err)
	}
	if _, err := s.UpdateAlert(ctx(t), store.AlertChange{ID: "missing", State: &ack}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update missing alert: %v", err)
	}
	b := alertFor(t, st, 2, "r")
	c := alertFor(t, st, 3, "other")
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: b}, {Alert: c}}); err != nil {
		t.Fatal(err)
	}
	fp := store.AlertFalsePositive
	if _, err := s.UpdateAlert(ctx(t), store.AlertChange{ID: b.ID, Actor: "lan", State: &fp}); err != nil {
		t.Fatal(err)
	}
	ps, err := s.RulePrecision(ctx(t))
	if err != nil || len(ps) != 2 {
		t.Fatalf("RulePrecision = %+v, %v", ps, err)
	}
	if p := ps[1]; p.Route != "r" || p.Total != 2 || p.Confirmed != 1 || p.FalsePositive != 1 {
		t.Errorf("precision of r = %+v", p)
	}
	if v, ok := ps[1].Precision(); !ok || v != 0.5 {
		t.Errorf("Precision() = %v, %v", v, ok)
	}
	if _, ok := ps[0].Precision(); ok {
		t.Errorf("a route without outcomes has a precision")
	}
}

func testAlertHasList(t *testing.T, s store.AlertStore, st store.Store) {
	a := alertFor(t, st, 1, "story")
	b := alertFor(t, st, 2, "article")
	b.Receivers = []string{"foreign_affairs", "analysts"}
	b.State = store.AlertInhibited
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: a, Now: base}, {Alert: b, Now: base.Add(time.Second)}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		route string
		eq    map[string]string
		want  bool
	}{
		{"story", map[string]string{"cluster": "c-1"}, true},
		{"story", map[string]string{"cluster": "c-2"}, false},
		{"story", map[string]string{"cluster": "c-1", "outlet": "Example News"}, true},
		{"article", map[string]string{"cluster": "c-1"}, false}, // inhibited alerts do not count
		{"nothing", nil, false},
	} {
		got, err := s.HasAlert(ctx(t), tc.route, tc.eq)
		if err != nil || got != tc.want {
			t.Errorf("HasAlert(%q, %v) = %v, %v; want %v", tc.route, tc.eq, got, err, tc.want)
		}
	}
	if _, err := s.HasAlert(ctx(t), "story", map[string]string{"title; DROP": "x"}); err == nil {
		t.Error("HasAlert accepted an unknown field")
	}
	all, err := s.ListAlerts(ctx(t), store.AlertFilter{})
	if err != nil || len(all) != 2 || all[0].ID != b.ID {
		t.Fatalf("ListAlerts = %v, %v", all, err)
	}
	pol, _ := s.ListAlerts(ctx(t), store.AlertFilter{Receivers: []string{"police"}})
	if len(pol) != 1 || pol[0].ID != a.ID {
		t.Errorf("police see %v", pol)
	}
	fa, _ := s.ListAlerts(ctx(t), store.AlertFilter{Receivers: []string{"analysts"}, States: []string{store.AlertInhibited}})
	if len(fa) != 1 || fa[0].ID != b.ID {
		t.Errorf("analysts' inhibited alerts = %v", fa)
	}
	if _, err := s.GetAlert(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetAlert(missing) = %v", err)
	}
}

func testSilences(t *testing.T, s store.AlertStore, _ store.Store) {
	sl := store.Silence{ID: "s1", Query: `outlet:"Example News"`, Reason: "bảo trì", Author: "lan", CreatedAt: base, ExpiresAt: base.Add(time.Hour)}
	if err := s.CreateSilence(ctx(t), sl); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSilence(ctx(t), store.Silence{ID: "s2", Query: "x", ExpiresAt: base.Add(time.Minute), CreatedAt: base.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSilence(ctx(t), store.Silence{ID: "bad"}); err == nil {
		t.Error("a silence without query or expiry was accepted")
	}
	act, err := s.ListSilences(ctx(t), base.Add(2*time.Minute), false)
	if err != nil || len(act) != 1 || act[0].Reason != "bảo trì" || !act[0].ExpiresAt.Equal(sl.ExpiresAt) {
		t.Fatalf("active silences = %+v, %v", act, err)
	}
	if err := s.ExpireSilence(ctx(t), "s1", base.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if act, _ := s.ListSilences(ctx(t), base.Add(4*time.Minute), false); len(act) != 0 {
		t.Errorf("expired silence still active: %+v", act)
	}
	if all, _ := s.ListSilences(ctx(t), base, true); len(all) != 2 {
		t.Errorf("all silences = %d, want 2", len(all))
	}
	if err := s.ExpireSilence(ctx(t), "missing", base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ExpireSilence(missing) = %v", err)
	}
}

// testConcurrentClaims: senders racing for the outbox never get the same
// delivery twice within a lease.
func testConcurrentClaims(t *testing.T, s store.AlertStore, st store.Store) {
	var batch []store.NewAlert
	for i := range 40 {
		a := alertFor(t, st, i, "r")
		a.GroupKey = fmt.Sprintf("g%d", i)
		batch = append(batch, store.NewAlert{Alert: a, Notify: []store.Notification{mailPolice}, Now: base})
	}
	if err := s.RecordAlerts(ctx(t), batch); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ds, err := s.ClaimDeliveries(ctx(t), base.Add(time.Second), 3, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Errorf("%d deliveries claimed, want 40", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s claimed %d times", id, n)
		}
	}
}

package alerts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/l10n"
	"github.com/dongnai/presswatch/store"
)

// TestOneMessagePerRecipient: an article that several routes send to the
// same office — two `continue` routes of the tree and a saved search — gives
// that office's address one delivery, not one per route. Every route still
// records its alert (per-route precision counts them), and the alerts left
// without a delivery say whose message carries the article.
func TestOneMessagePerRecipient(t *testing.T) {
	eachBackend(t, testOnePerRecipient)
}

func testOnePerRecipient(t *testing.T, st testStore) {
	ctx := context.Background()
	// No inhibition rules: story_spread and misinformation both notify
	// foreign_affairs, and the saved search and security both the police.
	a := matchedByEveryRoute(t, st, time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC), "Dioxin", "c-dup")
	routes := map[string]string{ // route → its receiver
		"story_spread": "foreign_affairs", "misinformation": "foreign_affairs",
		"security": "police", SavedRoutePrefix + "dioxin": "police", "review": "analysts",
	}
	perRecipient := map[string]int{}
	merged := map[string]string{}
	for route := range routes {
		al, err := st.GetAlert(ctx, AlertID(route, a.ID))
		if err != nil {
			t.Fatalf("route %s recorded no alert: %v", route, err)
		}
		ds, err := st.ListDeliveries(ctx, store.DeliveryFilter{AlertID: al.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			perRecipient[d.Channel+" "+d.Recipient]++
		}
		if len(ds) == 0 {
			merged[route] = al.Note
		}
	}
	want := map[string]int{"email ngoaivu@example.org": 1, "email congan@example.org": 1, "email stttt@example.org": 1}
	for k, n := range want {
		if perRecipient[k] != n {
			t.Errorf("%s: %d deliveries, want %d (all: %v)", k, perRecipient[k], n, perRecipient)
		}
	}
	if len(perRecipient) != len(want) {
		t.Errorf("deliveries to %v, want only %v", perRecipient, want)
	}
	// The later route of each pair is the merged one, and its note names the
	// route whose message carries the article.
	for route, by := range map[string]string{"misinformation": "story_spread", SavedRoutePrefix + "dioxin": "security"} {
		note, ok := merged[route]
		if !ok {
			t.Errorf("route %s has its own delivery; want it merged into %s's", route, by)
			continue
		}
		if !strings.Contains(note, "tuyến "+by) || !strings.Contains(note, "route "+by) {
			t.Errorf("route %s note = %q, want it to name %s", route, note, by)
		}
	}
}

// TestTriageMovesSiblings: the alerts one office holds about one article
// (several routes matched it, one message carried it) are triaged together.
// A state change on one moves the others that stood in the same state; the
// one-click acknowledgement of the message acknowledges the merged alerts
// too; another office's alerts and a sibling already judged stay put.
func TestTriageMovesSiblings(t *testing.T) {
	eachBackend(t, testTriageSiblings)
}

func testTriageSiblings(t *testing.T, st testStore) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	a := matchedByEveryRoute(t, st, now, "Dioxin", "c-sib")
	_, _, stage := savedStage(t, st, now)
	other := classified(t, st, 2, "Harbour Post", "c-other", 70, "rapid_spread")
	if err := stage.Process(ctx, []*article.Article{other}); err != nil {
		t.Fatal(err)
	}
	state := func(route string, art *article.Article) string {
		t.Helper()
		al, err := st.GetAlert(ctx, AlertID(route, art.ID))
		if err != nil {
			t.Fatalf("alert %s for %s: %v", route, art.ID, err)
		}
		return al.State
	}
	tr := Triage{Store: st, Now: func() time.Time { return time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC) }}

	// Foreign affairs confirms story_spread's alert: misinformation's alert
	// about the same article moves with it; the police's and the other
	// article's do not.
	confirmed := store.AlertConfirmed
	if _, err := tr.Update(ctx, store.AlertChange{ID: AlertID("story_spread", a.ID), Actor: "ngoaivu", State: &confirmed}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		route string
		art   *article.Article
		want  string
	}{
		{"story_spread", a, store.AlertConfirmed},
		{"misinformation", a, store.AlertConfirmed},
		{"security", a, store.AlertNew},
		{SavedRoutePrefix + "dioxin", a, store.AlertNew},
		{"story_spread", other, store.AlertNew},
		{"misinformation", other, store.AlertNew},
	} {
		if got := state(c.route, c.art); got != c.want {
			t.Errorf("after confirming story_spread on %s: %s on %s is %s, want %s", a.ID, c.route, c.art.ID, got, c.want)
		}
	}
	mis, err := st.GetAlert(ctx, AlertID("misinformation", a.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mis.Note, "story_spread") {
		t.Errorf("the sibling's merge note was overwritten: %q", mis.Note)
	}

	// The police's message about the article: the saved search's alert was
	// merged into security's. One-click acknowledgement of that message
	// acknowledges both — unless the officer already judged the saved
	// search's alert on its own (set straight in the store here).
	ds, err := st.ListDeliveries(ctx, store.DeliveryFilter{AlertID: AlertID("security", a.ID)})
	if err != nil || len(ds) != 1 {
		t.Fatalf("security's deliveries: %v, %v; want one", ds, err)
	}
	n, err := tr.AckDelivery(ctx, ds[0].ID, "email:congan@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || state("security", a) != store.AlertAcknowledged || state(SavedRoutePrefix+"dioxin", a) != store.AlertAcknowledged {
		t.Errorf("one-click ack changed %d alerts: security %s, saved search %s; want 2, both acknowledged",
			n, state("security", a), state(SavedRoutePrefix+"dioxin", a))
	}
	fp := store.AlertFalsePositive
	if _, err := st.UpdateAlert(ctx, store.AlertChange{ID: AlertID(SavedRoutePrefix+"dioxin", a.ID), Actor: "congan", State: &fp}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Update(ctx, store.AlertChange{ID: AlertID("security", a.ID), Actor: "congan", State: &confirmed}); err != nil {
		t.Fatal(err)
	}
	if got := state(SavedRoutePrefix+"dioxin", a); got != store.AlertFalsePositive {
		t.Errorf("a sibling judged on its own moved with security's alert: %s, want false_positive", got)
	}
}

// TestMergedMessageTakesShorterWait: when a slow route (group_wait 10m) and
// a fast one (30s) send one article to the same office, the one message
// goes out at the fast route's time, whichever route matched first.
func TestMergedMessageTakesShorterWait(t *testing.T) {
	eachBackend(t, func(t *testing.T, st testStore) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
		root := Route{Receiver: "analysts", GroupBy: []string{"cluster"}, GroupWait: dur(0), GroupInterval: dur(time.Hour),
			RepeatInterval: dur(12 * time.Hour), Severity: SeverityDigest, Routes: []Route{
				{Name: "slow", Match: "about:true AND risk>=60", Receiver: "foreign_affairs", Continue: true, Severity: SeverityImmediate, GroupWait: dur(10 * time.Minute)},
				{Name: "fast", Match: "about:true AND risk>=60", Receiver: "foreign_affairs", Continue: true, Severity: SeverityImmediate, GroupWait: dur(30 * time.Second)},
			}}
		router, err := NewRouter(root, receiverNames(testReceivers()))
		if err != nil {
			t.Fatal(err)
		}
		stage, err := NewStage(StageOptions{Store: st, Router: router, Receivers: testReceivers(), Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		a := classified(t, st, 1, "Straits Daily", "c-wait", 70)
		if err := stage.Process(ctx, []*article.Article{a}); err != nil {
			t.Fatal(err)
		}
		ds, err := st.ListDeliveries(ctx, store.DeliveryFilter{AlertID: AlertID("slow", a.ID)})
		if err != nil || len(ds) != 1 {
			t.Fatalf("slow route's deliveries: %v, %v; want the one message", ds, err)
		}
		if want := now.Add(30 * time.Second); !ds[0].NextAttempt.Equal(want) {
			t.Errorf("the message is due at %s, want %s (the fast route's group_wait)", ds[0].NextAttempt, want)
		}
		if fast, _ := st.ListDeliveries(ctx, store.DeliveryFilter{AlertID: AlertID("fast", a.ID)}); len(fast) != 0 {
			t.Errorf("the fast route has its own delivery too: %v", fast)
		}
	})
}

// TestMergedMessageNamesEveryRoute: the one message an office gets for an
// article several of its routes matched names the other routes too, a
// saved search by its name, in both languages.
func TestMergedMessageNamesEveryRoute(t *testing.T) {
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	r := newRig(t, testRoutes(0), nil, func() time.Time { return now })
	matchedByEveryRoute(t, r.st, now, "Dioxin Biên Hòa", "c-names")
	runSender(t, r.sender(SenderOptions{}))
	waitFor(t, "the three offices' messages", 30*time.Second, func() bool {
		return len(messagesTo(r.mb, "congan@example.org")) > 0 && len(messagesTo(r.mb, "ngoaivu@example.org")) > 0 &&
			len(messagesTo(r.mb, "stttt@example.org")) > 0
	})
	police := decodedBody(t, messagesTo(r.mb, "congan@example.org")[0].Raw)
	for _, want := range []string{"Cùng bài, cũng khớp: Tìm kiếm đã lưu: Dioxin Biên Hòa", "Same article, also matched: Saved search: Dioxin Biên Hòa"} {
		if !strings.Contains(police, want) {
			t.Errorf("the police's message does not say %q:\n%.3000s", want, police)
		}
	}
	fa := decodedBody(t, messagesTo(r.mb, "ngoaivu@example.org")[0].Raw)
	if !strings.Contains(fa, "also matched: "+l10n.Route(l10n.EN, "misinformation")) {
		t.Errorf("foreign affairs' message does not name the misinformation route:\n%.3000s", fa)
	}
	if analysts := decodedBody(t, messagesTo(r.mb, "stttt@example.org")[0].Raw); strings.Contains(analysts, "also matched") {
		t.Errorf("the analysts' message, which no other route shares, names other routes:\n%.2000s", analysts)
	}
}

// matchedByEveryRoute records, at now, the police's saved search "dioxin"
// (named name) and puts a spreading dioxin article in cluster through a
// stage over st: the tree's story_spread and misinformation routes both
// notify foreign affairs, security and the saved search both the police,
// review the analysts. It returns the article.
func matchedByEveryRoute(t *testing.T, st testStore, now time.Time, name, cluster string) *article.Article {
	t.Helper()
	ctx := context.Background()
	_, saved, stage := savedStage(t, st, now)
	if err := st.UpsertSavedSearch(ctx, store.SavedSearch{ID: "dioxin", Owner: "police", Name: name, Query: "dioxin",
		AlertReceiver: "police", AlertEnabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := saved.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	a := classified(t, st, 1, "Straits Daily", cluster, 70, "rapid_spread")
	a.Classification.Topics = append(a.Classification.Topics, "security_crime")
	if err := stage.Process(ctx, []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
	return a
}

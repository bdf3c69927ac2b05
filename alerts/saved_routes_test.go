package alerts

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// TestSavedSearchRoutes: a saved search turned into an alert route makes a
// matching article produce a delivery to the chosen receiver, on both
// backends; disabling it stops that, and the configured tree routes exactly
// as before.
func TestSavedSearchRoutes(t *testing.T) {
	eachBackend(t, testSavedRoutes)
}

func testSavedRoutes(t *testing.T, st testStore) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	router, saved, stage := savedStage(t, st, now)
	ss := store.SavedSearch{ID: "dioxin-watch", Owner: "foreign_affairs", Name: "Dioxin", Query: `dioxin AND "Bien Hoa"`,
		AlertReceiver: "police", AlertEnabled: true, AlertMinRisk: 30}
	if err := st.UpsertSavedSearch(ctx, ss); err != nil {
		t.Fatal(err)
	}
	// Saved searches that cannot be routes are skipped, not fatal.
	for _, bad := range []store.SavedSearch{
		{ID: "bad-query", Owner: "x", Name: "b", Query: `"unterminated`, AlertReceiver: "police", AlertEnabled: true},
		{ID: "bad-receiver", Owner: "x", Name: "b", Query: "dioxin", AlertReceiver: "mallory", AlertEnabled: true},
		{ID: "not-enabled", Owner: "x", Name: "b", Query: "dioxin", AlertReceiver: "police"},
	} {
		if err := st.UpsertSavedSearch(ctx, bad); err != nil {
			t.Fatal(err)
		}
	}
	if err := saved.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := saved.Routes(); !slices.Equal(got, []string{"saved/dioxin-watch"}) {
		t.Fatalf("routes in force = %v, want [saved/dioxin-watch]", got)
	}
	route := SavedRoutePrefix + ss.ID

	// policeDeliveries returns the deliveries of the saved route's alert about a.
	policeDeliveries := func(a *article.Article) []store.Delivery {
		t.Helper()
		ds, err := st.ListDeliveries(ctx, store.DeliveryFilter{AlertID: AlertID(route, a.ID)})
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	treeRoutes := func(a *article.Article) []string {
		var out []string
		for _, m := range router.Match(a) {
			out = append(out, m.Route)
		}
		return out
	}

	cases := []struct {
		name   string
		risk   int
		text   string
		routed bool
	}{
		{"matches", 35, "", true},
		{"below min risk", 25, "", false},
		{"query does not match", 90, "Long Thành airport opens on schedule.", false},
	}
	for i, tc := range cases {
		a := classified(t, st, i, "Straits Daily", "c-saved", tc.risk)
		if tc.text != "" {
			a.Title, a.Summary, a.Text = tc.text, tc.text, tc.text
		}
		before := treeRoutes(a)
		if err := stage.Process(ctx, []*article.Article{a}); err != nil {
			t.Fatal(err)
		}
		ds := policeDeliveries(a)
		if !tc.routed {
			if len(ds) != 0 {
				t.Errorf("%s: saved route delivered %+v", tc.name, ds)
			}
			continue
		}
		if len(ds) != 1 || ds[0].Receiver != "police" || ds[0].Recipient != "congan@example.org" || ds[0].Channel != ChannelEmail {
			t.Fatalf("%s: deliveries = %+v, want one email to the police", tc.name, ds)
		}
		al, err := st.GetAlert(ctx, AlertID(route, a.ID))
		if err != nil {
			t.Fatal(err)
		}
		if al.Route != route || al.Severity != SeverityImmediate || !strings.Contains(al.GroupKey, "cluster=c-saved") {
			t.Errorf("%s: alert = route %q severity %q group %q", tc.name, al.Route, al.Severity, al.GroupKey)
		}
		// The configured tree still decided its own alerts, unchanged.
		for _, r := range before {
			if _, err := st.GetAlert(ctx, AlertID(r, a.ID)); err != nil {
				t.Errorf("%s: tree route %s lost its alert: %v", tc.name, r, err)
			}
		}
	}

	// Disabled: the next matching article raises no saved-route alert.
	ss.AlertEnabled = false
	if err := st.UpsertSavedSearch(ctx, ss); err != nil {
		t.Fatal(err)
	}
	if err := saved.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	a := classified(t, st, 10, "Straits Daily", "c-saved", 70)
	if err := stage.Process(ctx, []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
	if ds := policeDeliveries(a); len(ds) != 0 {
		t.Errorf("disabled route delivered %+v", ds)
	}
	for _, r := range treeRoutes(a) {
		if _, err := st.GetAlert(ctx, AlertID(r, a.ID)); err != nil {
			t.Errorf("tree route %s lost its alert after the saved route was disabled: %v", r, err)
		}
	}

	// Run picks up a change without a restart.
	runSaved, err := NewSavedRoutes(SavedRoutesOptions{Store: st, Receivers: receiverNames(testReceivers()), Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- runSaved.Run(rctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "first reload", 5*time.Second, func() bool { return len(runSaved.Routes()) == 0 })
	ss.AlertEnabled = true
	if err := st.UpsertSavedSearch(ctx, ss); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the re-enabled route", 5*time.Second, func() bool { return slices.Equal(runSaved.Routes(), []string{route}) })
	if ms := runSaved.Match(a); len(ms) != 1 || ms[0].Receiver != "police" || ms[0].GroupWait != DefaultGroupWait {
		t.Errorf("Match = %+v, want the police with default grouping", ms)
	}
}

// BenchmarkSavedRoutes measures rereading 500 saved-search routes from a real
// SQLite store and matching one article against all of them.
func BenchmarkSavedRoutes(b *testing.B) {
	ctx := context.Background()
	st := openStore(b)
	words := []string{"dioxin", "airport", "\"Long Thành\"", "strike", "flood", "Biên Hòa", "river NEAR/5 pollution", "factory*"}
	for i := range 500 {
		q := words[i%len(words)] + " AND (Dong Nai OR " + words[(i/len(words))%len(words)] + ")"
		if err := st.UpsertSavedSearch(ctx, store.SavedSearch{ID: "b" + strconv.Itoa(i), Owner: "u", Name: "n", Query: q,
			AlertReceiver: "police", AlertEnabled: true, AlertMinRisk: i % 60}); err != nil {
			b.Fatal(err)
		}
	}
	saved, err := NewSavedRoutes(SavedRoutesOptions{Store: st, Receivers: receiverNames(testReceivers())})
	if err != nil {
		b.Fatal(err)
	}
	a := classified(b, st, 1, "Straits Daily", "c-bench", 50)
	b.Run("Reload500", func(b *testing.B) {
		for b.Loop() {
			if err := saved.Reload(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Match500", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n = len(saved.Match(a))
		}
		b.ReportMetric(float64(n), "matches")
	})
}

package alerts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
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
	_, saved, stage := savedStage(t, st, time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC))
	if err := st.UpsertSavedSearch(ctx, store.SavedSearch{ID: "dioxin", Owner: "police", Name: "Dioxin", Query: "dioxin",
		AlertReceiver: "police", AlertEnabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := saved.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	a := classified(t, st, 1, "Straits Daily", "c-dup", 70, "rapid_spread")
	a.Classification.Topics = append(a.Classification.Topics, "security_crime")
	if err := stage.Process(ctx, []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
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

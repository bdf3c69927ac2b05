package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// RunSavedSearches runs the conformance suite of store.SavedSearchStore
// against a fresh store from open for every subtest.
func RunSavedSearches(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"UpsertIdempotent", testSavedUpsert},
		{"PerOwner", testSavedPerOwner},
		{"Routes", testSavedRoutes},
		{"Invalid", testSavedInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func savedFixture(i int, owner string) store.SavedSearch {
	return store.SavedSearch{
		ID: fmt.Sprintf("ss-%02d", i), Owner: owner, Name: fmt.Sprintf("Sông Đồng Nai %d", i),
		Query: `"Đồng Nai" AND river`, Params: "f=lang%3Avi&sort=date",
		CreatedAt: base.Add(time.Duration(i) * time.Minute),
	}
}

func testSavedUpsert(t *testing.T, s store.Store) {
	in := savedFixture(1, "analyst")
	for range 2 { // a retry is harmless
		if err := s.UpsertSavedSearch(ctx(t), in); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetSavedSearch(ctx(t), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != in.ID || got.Owner != in.Owner || got.Name != in.Name || got.Query != in.Query || got.Params != in.Params ||
		!got.CreatedAt.Equal(base.Add(time.Minute).Truncate(time.Microsecond)) || got.AlertReceiver != "" || got.AlertEnabled || got.AlertMinRisk != 0 {
		t.Errorf("round trip = %+v, want %+v", got, in)
	}
	if got.UpdatedAt.IsZero() || got.CreatedAt.Location() != time.UTC {
		t.Errorf("times = %v / %v, want UTC and an update time", got.CreatedAt, got.UpdatedAt)
	}
	if list, err := s.ListSavedSearches(ctx(t), "analyst"); err != nil || len(list) != 1 {
		t.Fatalf("after two upserts: %d saved, %v; want 1", len(list), err)
	}
	// An update changes the fields, keeps the earliest creation time.
	up := in
	up.Name, up.CreatedAt = "renamed", base.Add(time.Hour)
	up.AlertReceiver, up.AlertEnabled, up.AlertMinRisk = "police", true, 60
	if err := s.UpsertSavedSearch(ctx(t), up); err != nil {
		t.Fatal(err)
	}
	got, err = s.GetSavedSearch(ctx(t), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "renamed" || !got.CreatedAt.Equal(base.Add(time.Minute).Truncate(time.Microsecond)) ||
		got.AlertReceiver != "police" || !got.AlertEnabled || got.AlertMinRisk != 60 {
		t.Errorf("after update = %+v", got)
	}
	// Another owner cannot take it over.
	steal := up
	steal.Owner, steal.AlertReceiver = "intruder", "analysts"
	if err := s.UpsertSavedSearch(ctx(t), steal); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("upsert by another owner = %v, want ErrNotFound", err)
	}
	if got, _ := s.GetSavedSearch(ctx(t), in.ID); got.Owner != "analyst" || got.AlertReceiver != "police" {
		t.Errorf("after takeover attempt = %+v", got)
	}
	if _, err := s.GetSavedSearch(ctx(t), "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get missing = %v, want ErrNotFound", err)
	}
}

func testSavedPerOwner(t *testing.T, s store.Store) {
	for i := range 3 {
		if err := s.UpsertSavedSearch(ctx(t), savedFixture(i, "police")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpsertSavedSearch(ctx(t), savedFixture(9, "analyst")); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListSavedSearches(ctx(t), "police")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range list {
		ids = append(ids, x.ID)
	}
	if fmt.Sprint(ids) != "[ss-02 ss-01 ss-00]" {
		t.Errorf("police's saved searches = %v, want newest first [ss-02 ss-01 ss-00]", ids)
	}
	if list, err := s.ListSavedSearches(ctx(t), "nobody"); err != nil || len(list) != 0 {
		t.Errorf("nobody's = %v, %v", list, err)
	}
	// Only the owner deletes.
	if err := s.DeleteSavedSearch(ctx(t), "analyst", "ss-01"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete someone else's = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSavedSearch(ctx(t), "police", "ss-01"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSavedSearch(ctx(t), "police", "ss-01"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete = %v, want ErrNotFound", err)
	}
	if list, _ := s.ListSavedSearches(ctx(t), "police"); len(list) != 2 {
		t.Errorf("after delete: %d saved, want 2", len(list))
	}
}

func testSavedRoutes(t *testing.T, s store.Store) {
	cases := []struct {
		recv    string
		enabled bool
		route   bool
	}{
		{"police", true, true},
		{"police", false, false},
		{"", true, false},
		{"foreign_affairs", true, true},
	}
	for i, c := range cases {
		ss := savedFixture(i, "officer")
		ss.AlertReceiver, ss.AlertEnabled, ss.AlertMinRisk = c.recv, c.enabled, 10*i
		if ss.IsRoute() != c.route {
			t.Errorf("case %d: IsRoute = %v, want %v", i, ss.IsRoute(), c.route)
		}
		if err := s.UpsertSavedSearch(ctx(t), ss); err != nil {
			t.Fatal(err)
		}
	}
	routes, err := s.ListSavedSearchRoutes(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != 2 || routes[0].ID != "ss-00" || routes[1].ID != "ss-03" ||
		routes[1].AlertReceiver != "foreign_affairs" || routes[1].AlertMinRisk != 30 {
		t.Fatalf("routes = %+v, want ss-00 and ss-03", routes)
	}
	// Disabling removes it from the routes.
	off := routes[0]
	off.AlertEnabled = false
	if err := s.UpsertSavedSearch(ctx(t), off); err != nil {
		t.Fatal(err)
	}
	if routes, _ := s.ListSavedSearchRoutes(ctx(t)); len(routes) != 1 || routes[0].ID != "ss-03" {
		t.Errorf("after disabling = %+v, want only ss-03", routes)
	}
}

func testSavedInvalid(t *testing.T, s store.Store) {
	bad := []store.SavedSearch{
		{Owner: "x", Name: "n"},
		{ID: "a", Name: "n"},
		{ID: "a", Owner: "x", AlertMinRisk: 101},
		{ID: "a", Owner: "x", AlertMinRisk: -1},
	}
	for _, b := range bad {
		if err := s.UpsertSavedSearch(ctx(t), b); err == nil {
			t.Errorf("upsert %+v succeeded", b)
		}
	}
	if list, _ := s.ListSavedSearches(ctx(t), "x"); len(list) != 0 {
		t.Errorf("invalid upserts stored %v", list)
	}
}

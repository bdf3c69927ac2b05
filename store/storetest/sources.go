package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// testSourcesManaged checks the source-of-truth rules of sources managed in
// the admin UI: a config upsert (EditedAt zero) never overwrites a row an
// administrator edited, soft deletes and poll requests round-trip, and
// SourcesVersion changes on every write.
func testSourcesManaged(t *testing.T, s store.Store) {
	c := ctx(t)
	v0, err := s.SourcesVersion(c)
	if err != nil {
		t.Fatalf("SourcesVersion: %v", err)
	}
	if v0.Count != 0 || !v0.Updated.IsZero() {
		t.Fatalf("SourcesVersion of an empty table = %+v", v0)
	}
	cfg := store.Source{Name: "yonhap", Kind: "feed", URL: "https://en.yna.co.kr/rss", Outlet: "Yonhap", Country: "KR", Lang: "en", Tier: 1, Enabled: true, AddedAt: base}
	if err := s.UpsertSources(c, []store.Source{cfg}); err != nil {
		t.Fatalf("UpsertSources: %v", err)
	}
	v1, err := s.SourcesVersion(c)
	if err != nil || v1.Count != 1 || v1.Updated.IsZero() {
		t.Fatalf("SourcesVersion after one upsert = %+v, %v", v1, err)
	}

	// An administrator disables it and renames the outlet.
	edited := cfg
	edited.Enabled, edited.Outlet, edited.EditedAt = false, "Yonhap News", base.Add(time.Hour)
	if err := s.UpsertSource(c, edited); err != nil {
		t.Fatalf("UpsertSource (UI edit): %v", err)
	}
	// The crawler restarts and seeds the configuration again: no effect.
	if err := s.UpsertSources(c, []store.Source{cfg}); err != nil {
		t.Fatalf("UpsertSources (config seed): %v", err)
	}
	got, err := s.GetSource(c, "yonhap")
	if err != nil {
		t.Fatalf("GetSource: %v", err)
	}
	if got.Enabled || got.Outlet != "Yonhap News" || !got.EditedAt.Equal(trunc(edited.EditedAt)) || got.Origin != store.OriginConfig {
		t.Fatalf("config seed overwrote a UI edit: %+v", got)
	}
	// Another UI write does change it.
	edited.Enabled, edited.EditedAt = true, base.Add(2*time.Hour)
	if err := s.UpsertSource(c, edited); err != nil {
		t.Fatalf("UpsertSource (UI enable): %v", err)
	}
	if got, err = s.GetSource(c, "yonhap"); err != nil || !got.Enabled {
		t.Fatalf("UI enable not stored: %+v, %v", got, err)
	}

	// A source added in the UI, then soft-deleted.
	ui := store.Source{Name: "nikkei-asia", Kind: "site", URL: "https://asia.nikkei.com/", Outlet: "Nikkei Asia", Country: "JP", Lang: "en",
		Enabled: true, AddedAt: base, Origin: store.OriginUI, EditedAt: base}
	if err := s.UpsertSource(c, ui); err != nil {
		t.Fatalf("UpsertSource (UI add): %v", err)
	}
	ui.Enabled, ui.DeletedAt, ui.EditedAt = false, base.Add(3*time.Hour), base.Add(3*time.Hour)
	if err := s.UpsertSource(c, ui); err != nil {
		t.Fatalf("UpsertSource (UI delete): %v", err)
	}
	if got, err = s.GetSource(c, "nikkei-asia"); err != nil || got.Origin != store.OriginUI || !got.DeletedAt.Equal(trunc(ui.DeletedAt)) || got.Enabled {
		t.Fatalf("soft delete: %+v, %v", got, err)
	}

	// Poll now: recorded, kept by a later upsert without one, and visible in
	// the version.
	before, err := s.SourcesVersion(c)
	if err != nil {
		t.Fatal(err)
	}
	at := base.Add(4 * time.Hour)
	if err := s.RequestSourcePoll(c, "yonhap", at); err != nil {
		t.Fatalf("RequestSourcePoll: %v", err)
	}
	after, err := s.SourcesVersion(c)
	if err != nil {
		t.Fatal(err)
	}
	if after.Count != 2 || !after.Updated.After(before.Updated) {
		t.Errorf("SourcesVersion did not move on a poll request: %+v then %+v", before, after)
	}
	edited.EditedAt = base.Add(5 * time.Hour)
	if err := s.UpsertSource(c, edited); err != nil {
		t.Fatal(err)
	}
	if got, err = s.GetSource(c, "yonhap"); err != nil || !got.PollRequestedAt.Equal(trunc(at)) {
		t.Fatalf("poll request lost: %+v, %v", got, err)
	}
	if err := s.RequestSourcePoll(c, "nope", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RequestSourcePoll of a missing source = %v, want ErrNotFound", err)
	}
	if _, err := s.GetSource(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSource of a missing source = %v, want ErrNotFound", err)
	}
}

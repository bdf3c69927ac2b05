package storetest

import (
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// testCrawlerState checks the crawler's durable identity state: batched
// source states, item records and fingerprints written in one transaction,
// read back by source and key, listed while open, and pruned.
func testCrawlerState(t *testing.T, s store.Store) {
	c := ctx(t)
	srcs := make([]store.Source, 300)
	for i := range srcs {
		srcs[i] = store.Source{Name: fmt.Sprintf("farm-%03d", i), Kind: "feed", URL: fmt.Sprintf("https://e.example/%d", i), Enabled: true, AddedAt: base}
	}
	if err := s.UpsertSources(c, srcs); err != nil {
		t.Fatalf("UpsertSources: %v", err)
	}
	srcs[7].URL = "https://e.example/moved"
	srcs[7].AddedAt = base.Add(time.Hour) // AddedAt keeps the earliest
	if err := s.UpsertSources(c, srcs[5:10]); err != nil {
		t.Fatalf("UpsertSources again: %v", err)
	}
	got, err := s.ListSources(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 300 || got[7].URL != "https://e.example/moved" || !got[7].AddedAt.Equal(trunc(base)) {
		t.Fatalf("ListSources after UpsertSources: %d sources, [7] = %+v", len(got), got[7])
	}
	if err := s.UpsertSources(c, []store.Source{{Name: "ok"}, {}}); err == nil {
		t.Error("UpsertSources accepted a source without a name")
	}

	b := store.CrawlerBatch{
		States: []store.SourceState{{Source: "farm-001", ETag: `"v1"`, LastAttempt: base}, {Source: "farm-002", ETag: `"x"`}},
		Items: []store.CrawlerItem{
			{Source: "farm-001", Key: math.MinInt64, State: store.ItemQueued, Article: []byte(`{"id":"a"}`), Attempts: 2, NextAttempt: base.Add(time.Minute), LastError: "HTTP 503"},
			{Source: "farm-001", Key: 42, State: store.ItemPublishing, PubID: "abc", Article: []byte(`{"id":"b"}`)},
			{Source: "farm-001", Key: 43, State: store.ItemDone},
			{Source: "farm-002", Key: 42, State: store.ItemQueued, Textless: true, Article: []byte(`{}`)},
		},
		Fingerprints: []store.Fingerprint{
			{ID: "f1", FP: math.MaxUint64 - 5, Canon: "https://e.example/1", Sources: []string{"farm-001", "farm-002"}, Added: base},
			{ID: "f2", FP: 7, Canon: "https://e.example/2", Sources: []string{"farm-003"}, Added: base.Add(time.Second)},
		},
	}
	// A later state of the same source in the same batch wins.
	b.States = append(b.States, store.SourceState{Source: "farm-001", ETag: `"v2"`, LastAttempt: base.Add(time.Second)})
	if err := s.SaveCrawlerBatch(c, b); err != nil {
		t.Fatalf("SaveCrawlerBatch: %v", err)
	}
	st, err := s.GetSourceState(c, "farm-001")
	if err != nil || st.ETag != `"v2"` {
		t.Fatalf("state after batch = %+v, %v; want ETag \"v2\"", st, err)
	}
	states, err := s.CrawlerItemStates(c, "farm-001", []int64{math.MinInt64, 42, 43, 44})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int64]int{math.MinInt64: store.ItemQueued, 42: store.ItemPublishing, 43: store.ItemDone}; !reflect.DeepEqual(states, want) {
		t.Fatalf("CrawlerItemStates = %v, want %v", states, want)
	}
	open, err := s.ListOpenCrawlerItems(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 3 || open[0].Key != math.MinInt64 || open[0].Attempts != 2 || !open[0].NextAttempt.Equal(trunc(base.Add(time.Minute))) ||
		open[0].LastError != "HTTP 503" || string(open[0].Article) != `{"id":"a"}` || open[1].PubID != "abc" || open[2].Source != "farm-002" || !open[2].Textless {
		t.Fatalf("ListOpenCrawlerItems = %+v", open)
	}
	// Done: the entry is dropped, the key stays known.
	if err := s.SaveCrawlerBatch(c, store.CrawlerBatch{Items: []store.CrawlerItem{{Source: "farm-001", Key: 42, State: store.ItemDone}}}); err != nil {
		t.Fatal(err)
	}
	if open, err = s.ListOpenCrawlerItems(c); err != nil || len(open) != 2 {
		t.Fatalf("open items after done = %d, %v", len(open), err)
	}
	// Forget: the record is gone, the key unknown again.
	if err := s.SaveCrawlerBatch(c, store.CrawlerBatch{Items: []store.CrawlerItem{{Source: "farm-002", Key: 42, State: store.ItemForget}}}); err != nil {
		t.Fatal(err)
	}
	if states, _ := s.CrawlerItemStates(c, "farm-002", []int64{42}); len(states) != 0 {
		t.Fatalf("forgotten item still recorded: %v", states)
	}
	if open, err = s.ListOpenCrawlerItems(c); err != nil || len(open) != 1 {
		t.Fatalf("open items after forget = %d, %v", len(open), err)
	}
	fps, err := s.ListFingerprints(c, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fps) != 2 || fps[0].ID != "f1" || fps[0].FP != math.MaxUint64-5 || !reflect.DeepEqual(fps[0].Sources, []string{"farm-001", "farm-002"}) {
		t.Fatalf("ListFingerprints = %+v", fps)
	}
	if fps, _ = s.ListFingerprints(c, 1); len(fps) != 1 || fps[0].ID != "f2" {
		t.Fatalf("ListFingerprints(1) = %+v, want the newest", fps)
	}
	// An invalid record makes the whole batch fail: nothing of it is written.
	bad := store.CrawlerBatch{
		States: []store.SourceState{{Source: "farm-009", ETag: "nope"}},
		Items:  []store.CrawlerItem{{Key: 1}},
	}
	if err := s.SaveCrawlerBatch(c, bad); err == nil {
		t.Fatal("SaveCrawlerBatch accepted an item without a source")
	}
	if _, err := s.GetSourceState(c, "farm-009"); err == nil {
		t.Error("a failed batch wrote a source state")
	}
	n, err := s.PruneCrawlerState(c, time.Now().Add(time.Hour), 1)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 { // two done items, one fingerprint
		t.Errorf("PruneCrawlerState deleted %d rows, want 3", n)
	}
	if states, _ = s.CrawlerItemStates(c, "farm-001", []int64{42, 43, math.MinInt64}); len(states) != 1 {
		t.Errorf("after prune: %v, want only the open item", states)
	}
}

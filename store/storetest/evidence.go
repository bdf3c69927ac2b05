package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// RunEvidence checks the evidence schedule, captures and responses.
func RunEvidence(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	es, ok := s.(store.EvidenceStore)
	if !ok {
		t.Fatal("the store does not implement store.EvidenceStore")
	}
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	if err := es.RequestEvidence(ctx, store.EvidenceCheck{ArticleID: "a1", URL: "https://x.example/a1", Reason: store.EvidenceAlert, NextAt: now}); err != nil {
		t.Fatal(err)
	}
	// A second request (the article opened later) keeps the schedule.
	if err := es.RequestEvidence(ctx, store.EvidenceCheck{ArticleID: "a1", URL: "https://x.example/a1", Reason: store.EvidenceOpened, NextAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := es.RequestEvidence(ctx, store.EvidenceCheck{ArticleID: "a2", URL: "https://x.example/a2", Reason: store.EvidenceOpened, NextAt: now.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	due, err := es.DueEvidence(ctx, now, 10)
	if err != nil || len(due) != 1 || due[0].ArticleID != "a1" || due[0].Reason != store.EvidenceAlert || !due[0].NextAt.Equal(now) {
		t.Fatalf("due at now: %+v, %v", due, err)
	}
	sn := store.Snapshot{ID: store.SnapshotID("a1", 1), ArticleID: "a1", Seq: 1, URL: "https://x.example/a1", FinalURL: "https://x.example/a1",
		Status: 200, CapturedAt: now, SHA256: strings.Repeat("ab", 32), Title: "Tiêu đề", Text: "Nội dung 同奈",
		Headers: `{"Content-Type":"text/html"}`, WARCPath: "a1/1.warc", Change: store.ChangeFirst,
		WARCSHA256: strings.Repeat("cd", 32), ScreenshotPath: "a1/1.png", ScreenshotSHA256: strings.Repeat("ef", 32)}
	if err := es.SaveSnapshot(ctx, sn, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := es.SaveSnapshot(ctx, sn, now.Add(time.Hour)); err != nil { // a redelivery
		t.Fatal(err)
	}
	if due, _ := es.DueEvidence(ctx, now.Add(30*time.Minute), 10); len(due) != 0 {
		t.Fatalf("rescheduled check due early: %+v", due)
	}
	due, _ = es.DueEvidence(ctx, now.Add(3*time.Hour), 10)
	if len(due) != 2 || due[0].ArticleID != "a1" || due[0].Step != 1 || due[1].ArticleID != "a2" {
		t.Fatalf("due later: %+v", due)
	}
	sn2 := sn
	sn2.ID, sn2.Seq, sn2.CapturedAt, sn2.Status, sn2.Change, sn2.ChangeDetail = store.SnapshotID("a1", 2), 2, now.Add(time.Hour), 404, store.ChangeDeleted, "HTTP 404"
	sn2.ScreenshotPath, sn2.ScreenshotSHA256, sn2.ScreenshotNote = "", "", "Không chụp ảnh màn hình: trang không tải được nội dung."
	if err := es.SaveSnapshot(ctx, sn2, time.Time{}); err != nil { // the schedule ends
		t.Fatal(err)
	}
	if due, _ := es.DueEvidence(ctx, now.AddDate(1, 0, 0), 10); len(due) != 1 || due[0].ArticleID != "a2" {
		t.Fatalf("a finished schedule is still due: %+v", due)
	}
	list, err := es.ListSnapshots(ctx, "a1")
	if err != nil || len(list) != 2 || list[0].Seq != 1 || list[1].Change != store.ChangeDeleted || list[0].Text != "Nội dung 同奈" || !list[1].CapturedAt.Equal(now.Add(time.Hour)) ||
		list[1].ScreenshotNote != sn2.ScreenshotNote || list[1].ScreenshotPath != "" {
		t.Fatalf("snapshots: %+v, %v", list, err)
	}
	if got, err := es.GetSnapshot(ctx, sn.ID); err != nil || got.SHA256 != sn.SHA256 || got.Headers != sn.Headers ||
		got.WARCSHA256 != sn.WARCSHA256 || got.ScreenshotPath != "a1/1.png" || got.ScreenshotSHA256 != sn.ScreenshotSHA256 {
		t.Fatalf("get: %+v, %v", got, err)
	}
	if _, err := es.GetSnapshot(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing snapshot: %v", err)
	}

	r := store.Response{ID: "r1", Cluster: "c-raid", ArticleID: "a1", Text: "Sở Ngoại vụ đính chính: thông tin không đúng sự thật.",
		RespondedOn: now.Add(2 * time.Hour), Channel: store.ChannelLetter, ApprovedBy: "Giám đốc Sở", Narratives: []string{"n-merger", "n-dioxin"},
		CreatedBy: "officer1"}
	if err := es.UpsertResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := es.UpsertResponse(ctx, store.Response{ID: "r2", Cluster: "c-other", Text: "x", RespondedOn: now.AddDate(0, -6, 0),
		Channel: store.ChannelStatement}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []store.Response{
		{ID: "b", Cluster: "c", Text: " ", RespondedOn: now, Channel: store.ChannelLetter},
		{ID: "b", Cluster: "c", Text: "x", RespondedOn: now, Channel: "fax"},
		{ID: "b", Cluster: "c", Text: strings.Repeat("x", 20001), RespondedOn: now, Channel: store.ChannelLetter},
		{ID: "b\x00", Cluster: "c", Text: "x", RespondedOn: now, Channel: store.ChannelLetter},
	} {
		if err := es.UpsertResponse(ctx, bad); !errors.Is(err, store.ErrInvalidResponse) {
			t.Errorf("invalid response %+v accepted: %v", bad.Channel, err)
		}
	}
	got, err := es.ListResponses(ctx, store.ResponseFilter{Since: now, Until: now.AddDate(0, 0, 1)})
	if err != nil || len(got) != 1 || got[0].ID != "r1" || got[0].Outcome != store.OutcomePending || len(got[0].Narratives) != 2 ||
		got[0].Narratives[1] != "n-dioxin" || !got[0].RespondedOn.Equal(r.RespondedOn) {
		t.Fatalf("responses in range: %+v, %v", got, err)
	}
	if err := es.SetResponseOutcome(ctx, "r1", store.OutcomeRetracted, "the page was removed", now.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := es.SetResponseOutcome(ctx, "nope", store.OutcomeRetracted, "", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("outcome of a missing response: %v", err)
	}
	if open, _ := es.ListResponses(ctx, store.ResponseFilter{Open: true}); len(open) != 1 || open[0].ID != "r2" {
		t.Fatalf("open responses: %+v", open)
	}
	got, _ = es.ListResponses(ctx, store.ResponseFilter{Cluster: "c-raid"})
	if len(got) != 1 || got[0].Outcome != store.OutcomeRetracted || got[0].OutcomeNote != "the page was removed" {
		t.Fatalf("after the outcome: %+v", got)
	}
	// An edit of the response keeps its outcome.
	r.Text = "Sở Ngoại vụ đính chính (bản sửa)."
	if err := es.UpsertResponse(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got, _ := es.ListResponses(ctx, store.ResponseFilter{ArticleID: "a1"}); len(got) != 1 || got[0].Outcome != store.OutcomeRetracted || got[0].Text != r.Text {
		t.Fatalf("after an edit: %+v", got)
	}
}

// RunNarratives checks the narratives created from responses, their version
// counter and the "repeated elsewhere" outcome.
func RunNarratives(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ns, ok := s.(store.NarrativeStore)
	es, ok2 := s.(store.EvidenceStore)
	if !ok || !ok2 {
		t.Fatal("the store does not implement store.NarrativeStore and store.EvidenceStore")
	}
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	if v, err := ns.NarrativesVersion(ctx); err != nil || v != 0 {
		t.Fatalf("version of none: %d, %v", v, err)
	}
	if list, err := ns.ListNarratives(ctx); err != nil || len(list) != 0 {
		t.Fatalf("empty list: %+v, %v", list, err)
	}
	n := store.Narrative{ID: "resp-1-n", Claim: "Sân bay Long Thành bị bỏ dở", Phrases: []string{"bị bỏ dở", "abandoned", "中止"},
		Context: []string{"Long Thành", "隆城"}, Correction: "Giai đoạn 1 đang thi công.", ResponseID: "r1", ArticleID: "a1",
		Weight: 40, CreatedBy: "officer1", CreatedAt: now}
	if err := ns.CreateNarrative(ctx, n); err != nil {
		t.Fatal(err)
	}
	v1, err := ns.NarrativesVersion(ctx)
	if err != nil || v1 <= 0 {
		t.Fatalf("version after one: %d, %v", v1, err)
	}
	if err := ns.CreateNarrative(ctx, n); err != nil { // the same form posted twice
		t.Fatal(err)
	}
	if v, _ := ns.NarrativesVersion(ctx); v != v1 {
		t.Fatalf("a repeated create moved the version %d → %d", v1, v)
	}
	n2 := n
	n2.ID, n2.Context, n2.Phrases = "resp-2-n", nil, []string{"province renamed"}
	if err := ns.CreateNarrative(ctx, n2); err != nil {
		t.Fatal(err)
	}
	v2, _ := ns.NarrativesVersion(ctx)
	if v2 <= v1 {
		t.Fatalf("version did not move: %d → %d", v1, v2)
	}
	list, err := ns.ListNarratives(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "resp-1-n" || list[1].ID != "resp-2-n" || len(list[0].Phrases) != 3 ||
		list[0].Phrases[2] != "中止" || len(list[0].Context) != 2 || list[1].Context != nil || list[0].Weight != 40 ||
		!list[0].CreatedAt.Equal(now) || list[0].ResponseID != "r1" || list[0].Seq != v1 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if list[0].Retired() || list[1].Retired() {
		t.Fatalf("new narratives are retired: %+v", list)
	}

	// Retiring: the narrative stays listed with who, when and why; the
	// version moves; a second retirement changes nothing.
	retiredAt := now.Add(3 * time.Hour)
	if changed, err := ns.RetireNarrative(ctx, "resp-1-n", "officer2", "Cụm từ quá rộng, gắn cờ nhầm", retiredAt); err != nil || !changed {
		t.Fatalf("retire: %v, %v", changed, err)
	}
	v3, _ := ns.NarrativesVersion(ctx)
	if v3 <= v2 {
		t.Fatalf("retiring did not move the version: %d → %d", v2, v3)
	}
	if changed, err := ns.RetireNarrative(ctx, "resp-1-n", "officer3", "again", retiredAt.Add(time.Hour)); err != nil || changed {
		t.Fatalf("second retire: %v, %v", changed, err)
	}
	if v, _ := ns.NarrativesVersion(ctx); v != v3 {
		t.Fatalf("a repeated retirement moved the version %d → %d", v3, v)
	}
	if _, err := ns.RetireNarrative(ctx, "nope", "officer2", "", retiredAt); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("retiring a missing narrative: %v", err)
	}
	if _, err := ns.RetireNarrative(ctx, "resp-2-n", "officer2", strings.Repeat("x", 4001), retiredAt); !errors.Is(err, store.ErrInvalidNarrative) {
		t.Fatalf("a retirement note of 4,001 characters: %v", err)
	}
	list, err = ns.ListNarratives(ctx)
	if err != nil || len(list) != 2 || !list[0].Retired() || !list[0].RetiredAt.Equal(retiredAt) || list[0].RetiredBy != "officer2" ||
		list[0].RetireNote != "Cụm từ quá rộng, gắn cờ nhầm" || list[1].Retired() || list[1].RetiredBy != "" {
		t.Fatalf("list after retiring: %+v, %v", list, err)
	}
	// A narrative created after a retirement still moves the version.
	n3 := n2
	n3.ID = "resp-1-n-2"
	if err := ns.CreateNarrative(ctx, n3); err != nil {
		t.Fatal(err)
	}
	if v, _ := ns.NarrativesVersion(ctx); v <= v3 {
		t.Fatalf("version after a create following a retirement: %d → %d", v3, v)
	}

	for _, bad := range []store.Narrative{
		{ID: "b", Claim: " ", Phrases: []string{"x"}, Correction: "y"},
		{ID: "b", Claim: "x", Phrases: nil, Correction: "y"},
		{ID: "b", Claim: "x", Phrases: []string{"x"}, Correction: ""},
		{ID: "b", Claim: "x", Phrases: []string{"two\nlines"}, Correction: "y"},
		{ID: "b", Claim: "x", Phrases: []string{"x"}, Correction: "y", Weight: 101},
	} {
		if err := ns.CreateNarrative(ctx, bad); !errors.Is(err, store.ErrInvalidNarrative) {
			t.Errorf("invalid narrative %+v accepted: %v", bad, err)
		}
	}

	if err := es.UpsertResponse(ctx, store.Response{ID: "r1", Cluster: "c1", ArticleID: "a1", Text: "Đính chính.", RespondedOn: now,
		Channel: store.ChannelStatement}); err != nil {
		t.Fatal(err)
	}
	if err := es.UpsertResponse(ctx, store.Response{ID: "r2", Cluster: "c2", ArticleID: "a9", Text: "Đính chính.", RespondedOn: now,
		Channel: store.ChannelStatement}); err != nil {
		t.Fatal(err)
	}
	if err := es.SetResponseOutcome(ctx, "r2", store.OutcomeCorrected, "corrected", now); err != nil {
		t.Fatal(err)
	}
	// The response's own article does not count as a repeat.
	if changed, err := ns.MarkResponseRepeated(ctx, "r1", "a1", "own", now.Add(time.Hour)); err != nil || changed {
		t.Fatalf("own article: %v, %v", changed, err)
	}
	if changed, err := ns.MarkResponseRepeated(ctx, "r1", "a2", "Lặp lại trong bài a2", now.Add(time.Hour)); err != nil || !changed {
		t.Fatalf("repeat: %v, %v", changed, err)
	}
	if changed, _ := ns.MarkResponseRepeated(ctx, "r1", "a3", "again", now.Add(2*time.Hour)); changed {
		t.Fatal("a second repeat changed the outcome again")
	}
	if changed, _ := ns.MarkResponseRepeated(ctx, "r2", "a3", "x", now); changed {
		t.Fatal("a corrected response became repeated")
	}
	if _, err := ns.MarkResponseRepeated(ctx, "nope", "a3", "x", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing response: %v", err)
	}
	got, _ := es.ListResponses(ctx, store.ResponseFilter{ArticleID: "a1"})
	if len(got) != 1 || got[0].Outcome != store.OutcomeRepeated || got[0].OutcomeNote != "Lặp lại trong bài a2" || !got[0].OutcomeAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("after the repeat: %+v", got)
	}
}

package classifier_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/internal/l10n"
	"github.com/dongnai/presswatch/presssim"
	"github.com/dongnai/presswatch/store"
)

// TestNarrativeFromResponse: the office records a response to a story and
// creates a narrative from it; a running classifier stage (no restart)
// flags a new presssim article repeating the claim with a reason naming the
// narrative and the response, and the response's outcome becomes
// "repeated elsewhere". An article that does not repeat it is not flagged.
func TestNarrativeFromResponse(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "sqlite:"+filepath.Join(t.TempDir(), "pw.db"))
	b := openBus(t, bus.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0", SyncInterval: 100 * time.Millisecond})
	eng, err := classifier.New(classifier.Options{NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	ns := st.(store.NarrativeStore)
	es := st.(store.EvidenceStore)
	runStage(t, classifier.StageOptions{Bus: b, Store: st, Classifier: eng, Narratives: ns, Repeats: ns, BatchSize: 1})

	item := func(id, title string, body ...string) *article.Article {
		a, err := presssim.ToArticle(presssim.Item{ID: id, Lang: "en", Title: title, Body: body,
			Published: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)}, "meridian", "http://127.0.0.1:1")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// The original story, classified before any narrative exists.
	orig := item("ferry-orig", "Dong Nai ferry service to Can Gio suspended for good",
		"Officials in Dong Nai said the Cat Lai ferry service has been suspended for good after the new bridge opened.")
	publish(t, b, []*article.Article{orig})
	waitDrained(t, b, st, "classifier", 1, 60*time.Second)
	got, _ := st.GetArticle(ctx, orig.ID)
	for _, r := range got.Classification.Reasons {
		if strings.HasPrefix(r.Signal, "narrative:") {
			t.Fatalf("original flagged before the narrative exists: %+v", r)
		}
	}
	resp := store.Response{ID: "resp-ferry", Cluster: got.Classification.Cluster, ArticleID: orig.ID,
		Text: "Sở Ngoại vụ: phà Cát Lái vẫn hoạt động bình thường.", RespondedOn: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC),
		Channel: store.ChannelStatement, CreatedBy: "fa1"}
	if err := es.UpsertResponse(ctx, resp); err != nil {
		t.Fatal(err)
	}
	if err := ns.CreateNarrative(ctx, store.Narrative{ID: "n-resp-ferry", Claim: "Phà Cát Lái bị đình chỉ vĩnh viễn",
		Phrases: []string{"suspended for good", "ngừng hoạt động vĩnh viễn", "永久停运"}, Context: []string{"Cat Lai", "Cát Lái"},
		Correction: "Phà Cát Lái vẫn hoạt động bình thường.", ResponseID: resp.ID, ArticleID: orig.ID, Weight: 45, CreatedBy: "fa1"}); err != nil {
		t.Fatal(err)
	}
	// Later, another outlet repeats the claim; a third story does not.
	repeat := item("ferry-repeat", "Travellers stranded as Cat Lai crossing closes",
		"The Cat Lai ferry across the Dong Nai river has been suspended for good, travellers in Nhon Trach were told.")
	other := item("ferry-other", "Cat Lai ferry timetable changes",
		"The Cat Lai ferry in Dong Nai runs every 15 minutes from Monday.")
	publish(t, b, []*article.Article{repeat, other})
	waitDrained(t, b, st, "classifier", 3, 60*time.Second)

	got, _ = st.GetArticle(ctx, repeat.ID)
	var reason *article.Reason
	for i, r := range got.Classification.Reasons {
		if r.Signal == "narrative:n-resp-ferry" {
			reason = &got.Classification.Reasons[i]
		}
	}
	if reason == nil || !strings.Contains(reason.Detail, "resp-ferry") || reason.Weight != 45 {
		t.Fatalf("the repeat is not flagged with the narrative and response: %+v", got.Classification.Reasons)
	}
	// Officers read the claim, not the response's internal ID (a new user
	// found "demo-response-merger" in the demo's sentence).
	if s := l10n.Sentence("vi", *reason); !strings.Contains(s, "Phà Cát Lái bị đình chỉ vĩnh viễn") || strings.Contains(s, "resp-ferry") {
		t.Errorf("reason sentence %q", s)
	}
	if !strings.Contains(got.Classification.Rules, "+n") {
		t.Errorf("rules version %q does not show the stored narratives", got.Classification.Rules)
	}
	o, _ := st.GetArticle(ctx, other.ID)
	for _, r := range o.Classification.Reasons {
		if strings.HasPrefix(r.Signal, "narrative:") {
			t.Errorf("an article not repeating the claim was flagged: %+v", r)
		}
	}
	list, _ := es.ListResponses(ctx, store.ResponseFilter{ArticleID: orig.ID})
	if len(list) != 1 || list[0].Outcome != store.OutcomeRepeated || !strings.Contains(list[0].OutcomeNote, "Travellers stranded") {
		t.Fatalf("response outcome: %+v", list)
	}
	// The outcome note quotes the claim, not the narrative's ID.
	if n := list[0].OutcomeNote; !strings.Contains(n, "“Phà Cát Lái bị đình chỉ vĩnh viễn”") || strings.Contains(n, "n-resp-ferry") {
		t.Errorf("outcome note %q", n)
	}

	// An officer retires the narrative; the running stage stops flagging
	// repeats of it, and what it flagged before keeps its reason.
	if changed, err := ns.RetireNarrative(ctx, "n-resp-ferry", "fa1", "the ferry was in fact suspended", time.Time{}); err != nil || !changed {
		t.Fatalf("retire: %v, %v", changed, err)
	}
	again := item("ferry-again", "Cat Lai ferry suspended for good, residents say",
		"Residents of Nhon Trach in Dong Nai say the Cat Lai ferry has been suspended for good.")
	publish(t, b, []*article.Article{again})
	waitDrained(t, b, st, "classifier", 4, 60*time.Second)
	ag, _ := st.GetArticle(ctx, again.ID)
	for _, r := range ag.Classification.Reasons {
		if strings.HasPrefix(r.Signal, "narrative:n-resp-ferry") {
			t.Errorf("a retired narrative still flags articles: %+v", r)
		}
	}
	if got, _ := st.GetArticle(ctx, repeat.ID); !slices.ContainsFunc(got.Classification.Reasons, func(r article.Reason) bool { return r.Signal == "narrative:n-resp-ferry" }) {
		t.Error("retiring the narrative changed an earlier classification")
	}
}

// TestNarrativesSurviveReload: a rule-file reload keeps the narratives
// from the store, and a new one is picked up by SyncNarratives alone.
func TestNarrativesSurviveReload(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "sqlite:"+filepath.Join(t.TempDir(), "pw.db"))
	ns := st.(store.NarrativeStore)
	eng, err := classifier.New(classifier.Options{NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	base := eng.Rules().Version
	if changed, err := eng.SyncNarratives(ctx, ns); err != nil || changed {
		t.Fatalf("sync with none: %v, %v", changed, err)
	}
	if err := ns.CreateNarrative(ctx, store.Narrative{ID: "n-1", Claim: "c", Phrases: []string{"bridge collapsed"}, Correction: "no",
		ResponseID: "r1"}); err != nil {
		t.Fatal(err)
	}
	if changed, err := eng.SyncNarratives(ctx, ns); err != nil || !changed {
		t.Fatalf("sync after a create: %v, %v", changed, err)
	}
	v := eng.Rules().Version
	if v == base || eng.NarrativeResponse("n-1") != "r1" {
		t.Fatalf("version %q, response %q", v, eng.NarrativeResponse("n-1"))
	}
	if changed, err := eng.Reload(); err != nil || changed {
		t.Fatalf("reload of unchanged files: %v, %v", changed, err)
	}
	if eng.Rules().Version != v || eng.NarrativeResponse("n-1") != "r1" {
		t.Fatal("reload dropped the stored narratives")
	}
	a := &article.Article{ID: "x", Lang: "en", Title: "Dong Nai bridge collapsed", Text: "A bridge collapsed in Bien Hoa, Dong Nai province.",
		Published: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	c, err := eng.Classify(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range c.Reasons {
		found = found || r.Signal == "narrative:n-1"
	}
	if !found {
		t.Fatalf("not flagged: %+v", c.Reasons)
	}
}

// TestStageRestartKeepsStories: a classifier stage that restarts (a crash,
// a deploy, another replica starting) restores its story clusters from the
// store, so an update of a story classified before the restart joins the
// story's cluster (one alert plus updates) instead of starting a new one.
func TestStageRestartKeepsStories(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "sqlite:"+filepath.Join(t.TempDir(), "pw.db"))
	b := openBus(t, bus.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0", SyncInterval: 100 * time.Millisecond})
	raid, update := raidStory(t)
	first, err := classifier.New(classifier.Options{NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	stop := runStage(t, classifier.StageOptions{Bus: b, Store: st, Classifier: first, BatchSize: 1})
	publish(t, b, []*article.Article{raid})
	waitDrained(t, b, st, "classifier", 1, 60*time.Second)
	stop()

	// A new engine, as after a restart: it knows no story until the stage
	// restores them.
	second, err := classifier.New(classifier.Options{NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	runStage(t, classifier.StageOptions{Bus: b, Store: st, Classifier: second, BatchSize: 1})
	publish(t, b, []*article.Article{update})
	waitDrained(t, b, st, "classifier", 2, 60*time.Second)

	r, _ := st.GetArticle(ctx, raid.ID)
	u, _ := st.GetArticle(ctx, update.ID)
	if r.Classification == nil || u.Classification == nil || r.Classification.Cluster == "" {
		t.Fatalf("not classified: %+v, %+v", r.Classification, u.Classification)
	}
	if u.Classification.Cluster != r.Classification.Cluster {
		t.Errorf("after the restart the update started cluster %s; the story's is %s", u.Classification.Cluster, r.Classification.Cluster)
	}
	// Remember is idempotent and leaves stored classifications alone.
	if second.Remember(r) {
		t.Error("an article the engine already holds was added again")
	}
}

// TestNarrativesCountOnce: an officer's narrative made from a response to a
// shipped one's claim matches the same article; the article's risk counts
// the stronger once, and the other is listed at weight 0 saying so, in the
// reader's language.
func TestNarrativesCountOnce(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "sqlite:"+filepath.Join(t.TempDir(), "pw.db"))
	ns := st.(store.NarrativeStore)
	eng, err := classifier.New(classifier.Options{NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	a := &article.Article{ID: "x", Lang: "en", Title: "Binh Phuoc will merge into Dong Nai",
		Text:      "Binh Phuoc will merge into Dong Nai next year, officials in Bien Hoa said.",
		Published: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
	narr := func(c *article.Classification) (shipped, officer *article.Reason) {
		for i, r := range c.Reasons {
			switch r.Signal {
			case "narrative:merger-not-done":
				shipped = &c.Reasons[i]
			case "narrative:n-merger":
				officer = &c.Reasons[i]
			}
		}
		return
	}
	before, err := eng.Classify(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := narr(before); s == nil || s.Weight != 30 {
		t.Fatalf("the shipped narrative does not flag the claim: %+v", before.Reasons)
	}
	if err := ns.CreateNarrative(ctx, store.Narrative{ID: "n-merger", Claim: "Bình Phước sẽ sáp nhập vào Đồng Nai",
		Phrases: []string{"will merge into Dong Nai"}, Correction: "Đã sáp nhập từ 01/07/2025.", ResponseID: "r-merger", Weight: 45}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.SyncNarratives(ctx, ns); err != nil {
		t.Fatal(err)
	}
	after, err := eng.Classify(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	s, o := narr(after)
	if s == nil || o == nil || o.Weight != 45 || s.Weight != 0 {
		t.Fatalf("both narratives should be listed, the officer's (45) counting: %+v", after.Reasons)
	}
	if before.Risk >= 100 || after.Risk != min(100, before.Risk+15) {
		t.Errorf("risk %d → %d: the claim should count once (+45 instead of +30)", before.Risk, after.Risk)
	}
	if vi := l10n.Sentence("vi", *s); !strings.Contains(vi, "Không cộng thêm điểm rủi ro") || strings.Contains(vi, "counted once") {
		t.Errorf("vi sentence of the narrative counted once: %q", vi)
	}
}

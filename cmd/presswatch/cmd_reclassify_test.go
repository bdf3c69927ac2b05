package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/store"
)

func TestReclassify(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: "sqlite:" + filepath.Join(t.TempDir(), "pw.db"), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	old := &article.Classification{About: false, Mentions: false, Topics: []string{}, Tone: "neutral", At: now.Add(-time.Hour)}
	arts := []*article.Article{
		{ID: "a1", URL: "https://example.test/1", CanonicalURL: "https://example.test/1", Source: "s", Lang: "en", Collected: now.Add(-time.Hour),
			Title: "First case of African swine fever detected in Dong Nai", Text: "The first outbreak of African swine fever was found in Trang Bom district of Dong Nai province; farmers blame the authorities.",
			Published: now.Add(-2 * time.Hour), Classification: old},
		{ID: "a2", URL: "https://example.test/2", CanonicalURL: "https://example.test/2", Source: "s", Lang: "en", Collected: now.Add(-time.Hour),
			Title: "Rice prices fall", Text: "Rice prices in the Mekong delta fell.", Published: now.Add(-2 * time.Hour), Classification: old},
		{ID: "a3", URL: "https://example.test/3", CanonicalURL: "https://example.test/3", Source: "s", Lang: "en", Collected: now.Add(-72 * time.Hour),
			Title: "Dong Nai airport", Text: "Long Thanh airport in Dong Nai.", Published: now.Add(-72 * time.Hour)},
	}
	if err := st.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	eng, err := classifier.New(classifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := store.ArticleQuery{Since: now.Add(-24 * time.Hour), Until: now.Add(time.Minute)}
	ac, err := loadAlertsConfig(&configs.Loaded{Config: configs.Defaults(), Dir: t.TempDir()}) // the shipped routes
	if err != nil {
		t.Fatal(err)
	}
	rt, err := buildAlerts(ac)
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	g := &globals{Stdout: &out}
	if err := reclassify(ctx, eng, rt.router, st, q, reclassifyOptions{DryRun: true}, g); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2 articles, 2 would change") || !strings.Contains(out.String(), "a1") || !strings.Contains(out.String(), "none → about") {
		t.Errorf("dry run output:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "topic:health_disease") || !strings.Contains(out.String(), "needs_review") {
		t.Errorf("dry run lacks the per-rule back-test:\n%s", out.String())
	}
	// The swine-fever article now needs review: some alert route would have fired for it.
	var alertRow string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "alert:") {
			alertRow = line
		}
	}
	if f := strings.Fields(alertRow); len(f) < 2 || f[len(f)-2] != "0" || f[len(f)-1] == "0" {
		t.Errorf("no alert route back-tested from 0 to more alerts:\n%s", out.String())
	}
	got, err := st.GetArticle(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Classification == nil || got.Classification.About {
		t.Fatalf("dry run stored a classification: %+v", got.Classification)
	}

	out.Reset()
	if err := reclassify(ctx, eng, rt.router, st, q, reclassifyOptions{Quiet: true}, g); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2 updated") {
		t.Errorf("output:\n%s", out.String())
	}
	got, err = st.GetArticle(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Classification == nil || !got.Classification.About || !got.Classification.NeedsReview {
		t.Fatalf("reclassification not stored: %+v", got.Classification)
	}
}

func TestReclassifyUsage(t *testing.T) {
	var out, errb bytes.Buffer
	g := &globals{Stdout: &out, Stderr: &errb}
	for _, args := range [][]string{nil, {"--since", "-1h"}, {"--bogus"}} {
		if err := cmdReclassify(context.Background(), g, args); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("reclassify %v: %v, want a usage error", args, err)
		}
	}
}

// TestReclassifyKeepsNarrativesFromResponses: a narrative officers created
// from a response lives in the store, not in the rule files. Reclassifying
// an article that repeats the claim keeps the narrative's reason, as the
// classifier stage would give it, in the dry run and in what is stored.
func TestReclassifyKeepsNarrativesFromResponses(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: "sqlite:" + filepath.Join(t.TempDir(), "pw.db"), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	a := &article.Article{ID: "ferry", URL: "https://example.test/ferry", CanonicalURL: "https://example.test/ferry", Source: "s", Lang: "en",
		Collected: now.Add(-time.Hour), Published: now.Add(-2 * time.Hour),
		Title: "Travellers stranded as Cat Lai crossing closes",
		Text:  "The Cat Lai ferry across the Dong Nai river has been suspended for good, travellers in Nhon Trach were told."}
	if err := st.UpsertArticles(ctx, []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
	ns := st.(store.NarrativeStore)
	if err := ns.CreateNarrative(ctx, store.Narrative{ID: "n-resp-ferry", Claim: "Phà Cát Lái bị đình chỉ vĩnh viễn",
		Phrases: []string{"suspended for good"}, Context: []string{"Cat Lai", "Cát Lái"},
		Correction: "Phà Cát Lái vẫn hoạt động bình thường.", ResponseID: "resp-ferry", ArticleID: "orig", Weight: 45, CreatedBy: "fa1"}); err != nil {
		t.Fatal(err)
	}
	eng, err := classifier.New(classifier.Options{NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	q := store.ArticleQuery{Since: now.Add(-24 * time.Hour), Until: now.Add(time.Minute)}
	var out bytes.Buffer
	g := &globals{Stdout: &out}
	if err := reclassify(ctx, eng, nil, st, q, reclassifyOptions{DryRun: true}, g); err != nil {
		t.Fatal(err)
	}
	// The narrative is the article's only reason for risk: its weight is
	// the risk, and the rules' version counts the stored narrative.
	if !strings.Contains(out.String(), "risk 45") || !strings.Contains(out.String(), "+n1)") {
		t.Errorf("dry run did not use the stored narrative:\n%s", out.String())
	}
	if err := reclassify(ctx, eng, nil, st, q, reclassifyOptions{Quiet: true}, g); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetArticle(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Classification == nil {
		t.Fatal("no classification stored")
	}
	var found bool
	for _, r := range got.Classification.Reasons {
		if r.Signal == "narrative:n-resp-ferry" {
			found = r.Weight == 45 && strings.Contains(r.Detail, "resp-ferry")
		}
	}
	if !found {
		t.Errorf("stored classification lacks the narrative from the response: %+v", got.Classification.Reasons)
	}
}

package main

import (
	"context"
	"testing"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/presssim"
)

// TestDemoReachesPolice classifies the demo corpus with the shipped rules
// and routes it with the shipped alerts.yaml: crime and public-order items
// must reach Công an tỉnh with an immediate alert, and the police must not
// get the investment news.
func TestDemoReachesPolice(t *testing.T) {
	rt := shippedAlerts(t)
	eng, err := classifier.New(classifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	items, err := presssim.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	police := map[string]bool{}
	for _, it := range items {
		a, err := presssim.ToArticle(it, it.Outlets[0], "http://127.0.0.1:1")
		if err != nil {
			t.Fatal(err)
		}
		if a.Classification, err = eng.Classify(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		for _, m := range rt.router.Match(a) {
			if m.Receiver == "police" && m.Severity == "immediate" {
				police[it.ID] = true
			}
		}
	}
	for _, id := range []string{"vi-congan-matuy", "zh-hold-police-riot"} {
		if !police[id] {
			t.Errorf("%s (crime / public order) does not reach the police", id)
		}
	}
	for _, id := range []string{"en-fdi-korea", "vi-longthanh-tienDo"} {
		if police[id] {
			t.Errorf("%s reaches the police", id)
		}
	}
	t.Logf("police alerts for %d demo items: %v", len(police), police)
}

// TestEvidenceReachesForeignAffairs routes with the shipped alerts.yaml: an
// article about the province carrying evidence checked against what the
// office knows (an answered claim, a figure out of range, a finished event
// told as pending) reaches Sở Ngoại vụ with an immediate alert even when its
// risk is only the evidence's weight; the same article without the evidence
// does not.
func TestEvidenceReachesForeignAffairs(t *testing.T) {
	rt := shippedAlerts(t)
	toFA := func(signal string) bool {
		c := &article.Classification{About: true, Mentions: true, Risk: 25, NeedsReview: true, Tone: "neutral"}
		if signal != "" {
			c.Reasons = []article.Reason{{Signal: signal, Detail: "test", Weight: 25}}
		}
		a := &article.Article{ID: "a1", URL: "http://127.0.0.1/a", Title: "Đồng Nai", Lang: "en", Classification: c}
		for _, m := range rt.router.Match(a) {
			if m.Receiver == "foreign_affairs" && m.Severity == "immediate" {
				return true
			}
		}
		return false
	}
	for _, sig := range []string{classifier.SignalNarrative + ":dioxin-cleanup-finished", classifier.SignalFact + ":area", classifier.SignalStale + ":merger"} {
		if !toFA(sig) {
			t.Errorf("risk 25 with %s does not reach foreign_affairs", sig)
		}
	}
	if toFA("") {
		t.Error("risk 25 without evidence reaches foreign_affairs")
	}
}

// shippedAlerts builds the alerting of the embedded alerts.yaml.
func shippedAlerts(t *testing.T) *alertsRuntime {
	t.Helper()
	ac, err := configs.ParseAlerts("alerts.yaml", configs.AlertsYAML())
	if err != nil {
		t.Fatal(err)
	}
	rt, err := buildAlerts(ac)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

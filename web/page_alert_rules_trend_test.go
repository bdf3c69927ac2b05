package web

import (
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

func TestPrecisionTrend(t *testing.T) {
	jan := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	feb := jan.AddDate(0, 1, 0)
	model := func(id string) []article.Reason {
		return []article.Reason{{Signal: "relevance"}, {Signal: "model:needs_review", Detail: "model " + id + ": p=0.80 (threshold 0.20); strongest: x +1"}}
	}
	alerts := []store.Alert{
		{Route: "police", State: store.AlertConfirmed, CreatedAt: jan, Reasons: model("aaa")},
		{Route: "police", State: store.AlertFalsePositive, CreatedAt: jan, Reasons: model("aaa")},
		{Route: "police", State: store.AlertResponded, CreatedAt: feb, Reasons: model("bbb")},
		{Route: "press", State: store.AlertFalsePositive, CreatedAt: feb},
	}
	got := precisionTrend(alerts)
	want := []trendRow{
		{Month: "2026-02", Kind: "rule", Subject: "police", Good: 1, Precision: 100},
		{Month: "2026-02", Kind: "rule", Subject: "press", False: 1, Precision: 0},
		{Month: "2026-02", Kind: "model", Subject: "bbb", Good: 1, Precision: 100},
		{Month: "2026-01", Kind: "rule", Subject: "police", Good: 1, False: 1, Precision: 50},
		{Month: "2026-01", Kind: "model", Subject: "aaa", Good: 1, False: 1, Precision: 50},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

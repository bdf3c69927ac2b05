package classifier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
)

// TestTopicHitsFeature checks the topic_hits features: counted over every
// alternative of a topic rule (not only up to min_hits), present only when
// the feature configuration asks for them, so a model trained before them
// sees the vector it was trained on.
func TestTopicHitsFeature(t *testing.T) {
	e, err := New(Options{Now: evalNow, NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	r := e.Rules()
	a := &article.Article{ID: "hits", Lang: "en", Title: "Workers strike at a factory in Dong Nai",
		Text:      "Thousands of workers at a factory in Bien Hoa, Dong Nai, went on strike over wages; the trade union met the employees.",
		Published: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)}
	an := e.analyze(r, a)
	defer an.release()
	labor := slices.Index(r.Topics(), "industry_labor")
	if labor < 0 {
		t.Fatal("no industry_labor topic in the rules")
	}
	hits, inTitle := an.topicCounts(r)
	if len(hits) != len(r.Topics()) || len(inTitle) != len(hits) {
		t.Fatalf("%d and %d hit counts for %d topics", len(hits), len(inTitle), len(r.Topics()))
	}
	if h, min := hits[labor], r.topics[labor].MinHits; h <= min {
		t.Errorf("industry_labor: %d alternatives counted, want more than min_hits %d (counting must not stop there)", h, min)
	}
	if !slices.Contains(an.topics, "industry_labor") {
		t.Errorf("topics %v, want industry_labor once", an.topics)
	}
	if n := strings.Count(strings.Join(an.topics, " "), "industry_labor"); n != 1 {
		t.Errorf("industry_labor reported %d times", n)
	}
	if h := inTitle[labor]; h < 2 || h >= hits[labor] {
		t.Errorf("industry_labor: %d alternatives in the title, want at least 2 (workers, strike, factory) and fewer than all %d", h, hits[labor])
	}
	name := "topic_hits:industry_labor"
	on := DefaultFeatureConfig()
	if !on.TopicHits {
		t.Fatal("the default feature configuration has no topic_hits")
	}
	_, nf := an.features(r, on, nil, false)
	if i := slices.Index(nf.names(), name); i < 0 || math.Abs(nf.vals[i]-math.Log1p(float64(hits[labor]))) > 1e-12 {
		t.Errorf("with TopicHits: %s missing or wrong in %v", name, nf.names())
	}
	if i := slices.Index(nf.names(), "topic_title:industry_labor"); i < 0 || math.Abs(nf.vals[i]-math.Log1p(float64(inTitle[labor]))) > 1e-12 {
		t.Errorf("with TopicHits: topic_title:industry_labor missing or wrong in %v", nf.names())
	}
	off := on
	off.TopicHits = false
	_, nf = an.features(r, off, nil, false)
	for _, n := range nf.names() {
		if strings.HasPrefix(n, "topic_hits:") || strings.HasPrefix(n, "topic_title:") {
			t.Errorf("without TopicHits: feature %s", n)
		}
	}
}

// TestTopicHitsModelFile checks that a model trained with topic_hits keeps
// the setting through its file, that a model file from before the setting
// loads with it off, and that both predict as the model they were saved
// from.
func TestTopicHitsModelFile(t *testing.T) {
	e, err := New(Options{Now: evalNow, NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	stories := []struct{ title, text, topic string }{
		{"Workers strike at a Dong Nai factory", "Workers at a factory in Bien Hoa, Dong Nai, went on strike over wages and layoffs.", "industry_labor"},
		{"Dong Nai attracts new investment", "Japanese investors expand a factory in Nhon Trach industrial park, Dong Nai, with new investment.", "investment"},
	}
	var ex []*Example
	for i := range 30 {
		s := stories[i%len(stories)]
		review := false
		a := &article.Article{ID: fmt.Sprintf("h-%d", i), Title: s.title, Text: strings.Repeat(s.text+" ", 1+i%3) + fmt.Sprintf(" Item %d.", i),
			Lang: "en", Published: time.Date(2025, 9, 1, 0, 0, i, 0, time.UTC)}
		ex = append(ex, &Example{ID: a.ID, Article: a, About: true, Review: &review, Tone: "neutral", Topics: []string{s.topic}})
	}
	m, err := e.TrainModel(context.Background(), ex, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Features.TopicHits {
		t.Fatal("trained model does not use topic_hits")
	}
	// The tone models are trained without the topic count features; the
	// topic models use them.
	dims := topicOnlyDims(m.Features, e.Rules().Topics())
	if len(dims) == 0 {
		t.Fatal("no topic-only dimensions")
	}
	used := false
	for i := range dims {
		for _, bm := range m.Tone {
			if bm.w[i] != 0 {
				t.Errorf("tone model %s has weight %v on topic-only dimension %d", bm.Label, bm.w[i], i)
			}
		}
		for _, bm := range m.Topics {
			used = used || bm.w[i] != 0
		}
	}
	if !used {
		t.Error("no topic model has a weight on the topic count features")
	}
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadModel(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Features != m.Features {
		t.Fatalf("loaded features %+v, want %+v", loaded.Features, m.Features)
	}
	for _, x := range ex {
		if got, want := loaded.predict(x.x, nil).topics, m.predict(x.x, nil).topics; !slices.Equal(got, want) {
			t.Errorf("%s: loaded model says %v, trained model %v", x.ID, got, want)
		}
	}
	// A file written before the setting existed has no "topic_hits".
	var raw map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	delete(raw["features"].(map[string]any), "topic_hits")
	old, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := LoadModel(bytes.NewReader(old))
	if err != nil {
		t.Fatal(err)
	}
	if prev.Features.TopicHits {
		t.Error("a model file without topic_hits loads with it on")
	}
}

// TestTopicCountsResume: topicCounts goes on from where the rules stopped
// at min_hits (analyze records what it matched); its counts must equal a
// count of every alternative from the start, on every corpus item.
func TestTopicCountsResume(t *testing.T) {
	e, err := New(Options{Now: evalNow, NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	r := e.Rules()
	items := loadDevCorpus(t)
	resumed := 0
	for i := range items {
		an := e.analyze(r, items[i].Article())
		hits, inTitle := an.topicCounts(r)
		if len(an.topicAltHits) > 0 {
			resumed++
		}
		an.topicScanned, an.topicAltHits = nil, nil
		allHits, allTitle := an.topicCounts(r)
		an.release()
		if !slices.Equal(hits, allHits) || !slices.Equal(inTitle, allTitle) {
			t.Fatalf("%s: resumed counts %v / %v, counted from the start %v / %v", items[i].ID, hits, inTitle, allHits, allTitle)
		}
	}
	if resumed < len(items)/2 {
		t.Errorf("only %d of %d items had alternatives matched by the rules: the resumption is hardly tested", resumed, len(items))
	}
}

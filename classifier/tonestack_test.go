package classifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
)

// TestToneStackDecides checks that the second stage, not the first, decides
// the tone: a hand-written stack that calls every security_crime story
// neutral overrides first-stage probabilities that say negative.
func TestToneStackDecides(t *testing.T) {
	topics := []string{"investment", "security_crime"}
	m := &Model{Tone: []BinaryModel{{Label: "positive"}, {Label: "neutral"}, {Label: "negative"}}}
	for _, tp := range topics {
		m.Topics = append(m.Topics, BinaryModel{Label: tp})
	}
	// Input order: positive, neutral, negative, investment, security_crime.
	m.ToneStack = []StackModel{
		{Label: "positive", Weights: []float64{1, 0, 0, 0, 0}, PlattA: 1},
		{Label: "neutral", Weights: []float64{0, 0, 0, 0, 2}, PlattA: 1},
		{Label: "negative", Weights: []float64{0, 0, 1, 0, 0}, PlattA: 1},
	}
	if err := m.checkToneStack(); err != nil {
		t.Fatal(err)
	}
	tone, _ := m.stackTone([]float64{0.1, 0.2, 0.7}, []float64{0.1, 0.9})
	if tone != "neutral" {
		t.Errorf("crime story: tone %s, want neutral", tone)
	}
	tone, _ = m.stackTone([]float64{0.1, 0.2, 0.7}, []float64{0.9, 0.1})
	if tone != "negative" {
		t.Errorf("investment story: tone %s, want negative", tone)
	}
}

// TestToneStackTrainedAndLoaded trains a model on a small hand-written
// corpus, checks that it has a tone stack that survives the model file, and
// that LoadModel refuses a stack that does not fit the model.
func TestToneStackTrainedAndLoaded(t *testing.T) {
	e, err := New(Options{Now: evalNow, NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	stories := []struct{ title, text, tone, topic string }{
		{"Dong Nai attracts new investment", "Japanese investors expand a factory in Nhon Trach industrial park, Dong Nai, with new investment.", "positive", "investment"},
		{"Police in Dong Nai arrest gambling ring", "Police in Bien Hoa, Dong Nai, arrested a gambling ring; the case is under investigation.", "neutral", "security_crime"},
		{"Workers clash with police in Dong Nai riot", "A riot broke out in Bien Hoa, Dong Nai; police detained dozens after clashes and arson.", "negative", "security_crime"},
		{"Long Thanh airport runway completed in Dong Nai", "The runway of Long Thanh airport in Dong Nai was completed ahead of schedule, a success.", "positive", "infrastructure"},
	}
	var ex []*Example
	for i := range 40 {
		s := stories[i%len(stories)]
		review := s.tone == "negative"
		a := &article.Article{ID: fmt.Sprintf("t-%d", i), Title: s.title, Text: strings.Repeat(s.text+" ", 1+i%3) + fmt.Sprintf(" Item %d.", i),
			Lang: "en", Published: time.Date(2025, 9, 1, 0, 0, i, 0, time.UTC)}
		ex = append(ex, &Example{ID: a.ID, Article: a, About: true, Review: &review, Tone: s.tone, Topics: []string{s.topic}})
	}
	m, err := e.TrainModel(context.Background(), ex, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.ToneStack) != 3 {
		t.Fatalf("tone stack has %d models, want 3", len(m.ToneStack))
	}
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadModel(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ex {
		if got, want := loaded.predict(x.x, nil).tone, m.predict(x.x, nil).tone; got != want {
			t.Errorf("%s: loaded model says %s, trained model %s", x.ID, got, want)
		}
	}
	for name, edit := range map[string]func(*Model){
		"missing weight": func(m *Model) { m.ToneStack[1].Weights = m.ToneStack[1].Weights[1:] },
		"wrong order": func(m *Model) {
			m.ToneStack[0].Label, m.ToneStack[2].Label = m.ToneStack[2].Label, m.ToneStack[0].Label
		},
		"two models": func(m *Model) { m.ToneStack = m.ToneStack[:2] },
		"margin":     func(m *Model) { m.ToneStackMargin = 1.5 },
	} {
		bad, err := LoadModel(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		edit(bad)
		var b bytes.Buffer
		if err := bad.Encode(&b); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadModel(&b); !errors.Is(err, ErrIncompatibleModel) {
			t.Errorf("%s: err = %v, want ErrIncompatibleModel", name, err)
		}
	}
}

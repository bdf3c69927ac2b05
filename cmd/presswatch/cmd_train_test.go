package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

// TestTrainFromTriage runs the officers' loop end to end on a real store:
// alerts are triaged (confirmed, responded, false positive), `presswatch
// train --from-triage` turns the decisions into labels and writes a model,
// and `reclassify --dry-run --model` back-tests it against the current one
// with needs_review precision on the triaged articles.
func TestTrainFromTriage(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		testTrainFromTriage(t, dir, "sqlite:"+filepath.Join(dir, "pw.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t) // skips without PRESSWATCH_TEST_POSTGRES
		if _, _, err := store.Migrate(context.Background(), store.Options{URL: url}); err != nil {
			t.Fatal(err)
		}
		testTrainFromTriage(t, t.TempDir(), url)
	})
}

func testTrainFromTriage(t *testing.T, dir, url string) {
	ctx := context.Background()
	cfgPath := filepath.Join(dir, "presswatch.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("data_dir: %s\nstore:\n  url: %q\n", filepath.Join(dir, "data"), url)), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{URL: url, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := classifier.New(classifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	stories := []struct {
		title, text, outcome string
	}{
		{"Workers strike over unpaid wages at Dong Nai shoe factory", "Thousands of workers at a shoe factory in Bien Hoa, Dong Nai, went on strike over unpaid wages and layoffs.", store.AlertConfirmed},
		{"Pollution kills fish on Thi Vai river in Dong Nai", "Farmers in Nhon Trach, Dong Nai, blamed a factory for discharging untreated wastewater; fish died.", store.AlertResponded},
		{"Police arrest protesters in Dong Nai land dispute", "Police in Long Thanh, Dong Nai, detained residents protesting over land clearance compensation.", store.AlertConfirmed},
		{"Dong Nai welcomes Japanese investors", "Dong Nai province welcomed a delegation of Japanese investors to Nhon Trach industrial park.", store.AlertFalsePositive},
		{"Long Thanh airport terminal construction on schedule", "Construction of the passenger terminal at Long Thanh airport in Dong Nai is on schedule.", store.AlertFalsePositive},
		{"Dong Nai festival draws tourists", "A culture festival in Bien Hoa, Dong Nai, drew thousands of visitors.", store.AlertFalsePositive},
	}
	tri := alerts.Triage{Store: st}
	for i, s := range stories {
		a := &article.Article{ID: fmt.Sprintf("tr%d", i), URL: fmt.Sprintf("https://example.test/tr%d", i), CanonicalURL: fmt.Sprintf("https://example.test/tr%d", i),
			Source: "s", Outlet: "Example", Lang: "en", Title: s.title, Text: s.text, Published: now.Add(-2 * time.Hour), Collected: now.Add(-time.Hour)}
		if a.Classification, err = eng.Classify(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := st.UpsertArticles(ctx, []*article.Article{a}); err != nil {
			t.Fatal(err)
		}
		al := store.Alert{ID: "al-" + a.ID, Route: "review", ArticleID: a.ID, Cluster: a.Classification.Cluster, GroupKey: "review/" + a.ID,
			Severity: "immediate", Risk: a.Classification.Risk, Title: a.Title, Outlet: a.Outlet, Lang: a.Lang, Source: a.Source, Receivers: []string{"press"}}
		if err := st.RecordAlerts(ctx, []store.NewAlert{{Alert: al, Now: now}}); err != nil {
			t.Fatal(err)
		}
		for _, state := range []string{store.AlertAcknowledged, s.outcome} {
			state := state
			if _, err := tri.Update(ctx, store.AlertChange{ID: al.ID, Actor: "officer", State: &state, At: now}); err != nil {
				t.Fatalf("triage %s → %s: %v", al.ID, state, err)
			}
		}
	}
	st.Close()

	modelPath := filepath.Join(dir, "model.json")
	var out, errb bytes.Buffer
	g := &globals{Stdout: &out, Stderr: &errb, ConfigPath: cfgPath}
	if err := cmdTrain(ctx, g, []string{"--corpus", filepath.Join("testdata", "classify", "corpus.jsonl"), "--from-triage", "--out", modelPath}); err != nil {
		t.Fatalf("train: %v (%s)", err, errb.String())
	}
	if !strings.Contains(errb.String(), "triage: 6 labelled articles") {
		t.Errorf("train stderr: %s", errb.String())
	}
	f, err := os.Open(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	m, err := classifier.LoadModel(f)
	f.Close()
	if err != nil {
		t.Fatalf("trained model does not load: %v", err)
	}
	if m.Training.TriageLabels != 6 || m.Training.Items != 9 {
		t.Errorf("training info %+v, want 6 triage labels among 9 examples", m.Training)
	}
	// The model learned from the officers: the triaged strike story is more
	// likely to need review than the triaged festival.
	neu, err := classifier.New(classifier.Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	strike, _ := neu.Classify(ctx, &article.Article{ID: "x1", Lang: "en", Title: stories[0].title, Text: stories[0].text})
	fest, _ := neu.Classify(ctx, &article.Article{ID: "x2", Lang: "en", Title: stories[5].title, Text: stories[5].text})
	if strike.Risk <= fest.Risk {
		t.Errorf("risk of the confirmed strike story %d ≤ the false-positive festival %d", strike.Risk, fest.Risk)
	}

	out.Reset()
	errb.Reset()
	if err := cmdReclassify(ctx, g, []string{"--since", "24h", "--dry-run", "--model", modelPath}); err != nil {
		t.Fatalf("reclassify: %v (%s)", err, errb.String())
	}
	for _, want := range []string{"6 articles", "triaged by officers: 6 articles", "needs_review before: precision", "needs_review after:  precision"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("back-test output lacks %q:\n%s", want, out.String())
		}
	}
	if err := cmdReclassify(ctx, g, []string{"--since", "24h", "--model", modelPath}); err == nil {
		t.Error("--model without --dry-run accepted")
	}
	if err := cmdTrain(ctx, g, []string{"--from-triage"}); err == nil {
		t.Error("train without --out accepted")
	}
}

// TestTrainRefusesUnlabelled: train reads its corpora with eval's checks;
// an item without labels would otherwise be learned as all-negative.
func TestTrainRefusesUnlabelled(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "c.jsonl")
	if err := os.WriteFile(corpus, []byte(`{"id":"x","title":"Đồng Nai","text":"Công nhân đình công ở Biên Hòa."}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g := &globals{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, ConfigPath: filepath.Join("..", "..", "configs", "dongnai.yaml")}
	err := cmdTrain(context.Background(), g, []string{"--corpus", corpus, "--out", filepath.Join(dir, "m.json")})
	if err == nil || !strings.Contains(err.Error(), "c.jsonl") || !strings.Contains(err.Error(), "label") {
		t.Errorf("train on an unlabelled item: %v", err)
	}
}

package configs

import (
	"bytes"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"
)

func TestClassifierConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		c    ClassifierConfig
		want []string // keys named by the errors
	}{
		{"zero is valid", ClassifierConfig{}, nil},
		{"full", ClassifierConfig{RulesDir: "rules", ReviewThreshold: 50, Languages: []string{"vi", "en"}, ClusterWindow: 48 * time.Hour, SpreadOutlets: 3, Durable: "classifier", BatchSize: 100}, nil},
		{"threshold", ClassifierConfig{ReviewThreshold: 101}, []string{"classifier.review_threshold"}},
		{"language", ClassifierConfig{Languages: []string{"vi", "EN", "fra"}}, []string{"classifier.languages[1]", "classifier.languages[2]"}},
		{"window", ClassifierConfig{ClusterWindow: -time.Hour}, []string{"classifier.cluster_window"}},
		{"spread", ClassifierConfig{SpreadOutlets: -1}, []string{"classifier.spread_outlets"}},
		{"durable", ClassifierConfig{Durable: "a b"}, []string{"classifier.durable"}},
		{"batch", ClassifierConfig{BatchSize: 20000}, []string{"classifier.batch_size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.c.Validate()
			if len(errs) != len(tt.want) {
				t.Fatalf("errors %v, want keys %v", errs, tt.want)
			}
			for i, err := range errs {
				if !strings.HasPrefix(err.Error(), tt.want[i]+":") {
					t.Errorf("error %q does not name %s", err, tt.want[i])
				}
			}
		})
	}
}

func TestClassifierRulesEmbedded(t *testing.T) {
	for _, name := range []string{"topics.yaml", "narratives.yaml", "facts.yaml", "gazetteer/province.yaml", "tone/vi.yaml", "tone/en.yaml"} {
		if _, err := fs.Stat(ClassifierRules(), name); err != nil {
			t.Errorf("embedded rules lack %s: %v", name, err)
		}
	}
}

// TestShippedModelCompressed checks that the embedded, compressed model is
// exactly classifier_model.json, so a retrained model is not shipped
// without its compressed copy (or the other way round).
func TestShippedModelCompressed(t *testing.T) {
	want, err := os.ReadFile("classifier_model.json")
	if err != nil {
		t.Fatal(err)
	}
	got := ClassifierModel()
	if !bytes.Equal(got, want) {
		t.Fatalf("embedded model (%d bytes) differs from classifier_model.json (%d bytes): run `go generate ./configs`", len(got), len(want))
	}
	// Each call returns its own copy: a caller may not change the next one's.
	got[0] = 'x'
	if again := ClassifierModel(); again[0] != want[0] {
		t.Error("ClassifierModel returned a shared slice")
	}
}

// BenchmarkClassifierModel measures what the compression adds to start-up:
// decompressing the shipped model once.
func BenchmarkClassifierModel(b *testing.B) {
	for b.Loop() {
		ClassifierModel()
	}
}

package configs

import (
	"io/fs"
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

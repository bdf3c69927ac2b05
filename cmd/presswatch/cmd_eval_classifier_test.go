package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalClassifier(t *testing.T) {
	var out, errb bytes.Buffer
	g := &globals{Stdout: &out, Stderr: &errb, ConfigPath: filepath.Join("..", "..", "configs", "dongnai.yaml")}
	if err := evalClassifier(context.Background(), g, []string{"--corpus", filepath.Join("testdata", "classify", "corpus.jsonl"), "--folds", "3"}); err != nil {
		t.Fatalf("eval: %v (%s)", err, errb.String())
	}
	s := out.String()
	for _, want := range []string{"about", "mentions", "needs_review", "topics(micro)", "tone accuracy", "misclassified (1)", "c3 [ja]", "about=true want false", "3-fold cross-validation", "rules+model CV", "in-sample"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if err := evalClassifier(context.Background(), g, []string{"--corpus", filepath.Join(t.TempDir(), "none.jsonl")}); err == nil {
		t.Error("missing corpus accepted")
	}
}

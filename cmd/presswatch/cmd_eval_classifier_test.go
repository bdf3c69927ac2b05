package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
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

// TestEvalClassifierRefuses: what eval used to score without a word — an
// empty corpus (every figure 1.000), an item without labels (scored as
// all-negative), a label the classifier does not have, folds it cannot
// make — is refused, naming the file, line and value.
func TestEvalClassifierRefuses(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "classify", "corpus.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	item := func(labels string) string {
		return `{"id":"x1","lang":"en","title":"Dong Nai","text":"Dong Nai province."` + labels + "}\n"
	}
	const ok = `,"labels":{"about_dong_nai":true,"mentions_dong_nai":true,"topics":["investment"],"tone":"positive","needs_review":false}`
	tests := []struct {
		name   string
		corpus string
		args   []string
		want   []string // "" (nil) when accepted
		usage  bool     // the error is the user's (exit 2)
	}{
		{"empty", "", nil, []string{"corpus.jsonl holds no items"}, false},
		{"blank lines only", "\n  \n\n", nil, []string{"holds no items"}, false},
		{"no labels", string(good) + item(""), nil, []string{"line 4: item \"x1\" has no labels"}, false},
		{"null labels", item(`,"labels":null`) + string(good), nil, []string{"line 1: item \"x1\" has no labels"}, false},
		{"unknown tone", string(good) + "\n" + item(`,"labels":{"about_dong_nai":true,"topics":["investment"],"tone":"furious"}`), nil, []string{`line 5: tone "furious" is not positive, neutral or negative`}, false},
		{"no tone on an item about the province", item(`,"labels":{"about_dong_nai":true,"topics":["investment"]}`), nil, []string{`line 1: tone "" is not`}, false},
		{"unknown topic", item(`,"labels":{"about_dong_nai":true,"topics":["investment","weather"],"tone":"neutral"}`), nil, []string{`line 1: topic "weather" is not one of the classifier's topics (investment,`}, false},
		{"every line named", item(`,"labels":null`) + item(`,"labels":{"topics":["x"],"tone":"calm"}`), nil, []string{"line 1: item", `line 2: topic "x"`, `line 2: tone "calm"`}, false},
		{"negative folds", string(good), []string{"--folds", "-1"}, []string{"--folds -1: give 2 or more folds, or 0 to skip cross-validation"}, true},
		{"one fold", string(good), []string{"--folds", "1"}, []string{"--folds 1: give 2 or more folds"}, true},
		{"more folds than items", string(good), []string{"--folds", "4"}, []string{"--folds 4 is more than the 3 items of the corpus: give at most 3"}, true},
		{"default folds, small corpus", string(good), nil, []string{"--folds 10 (the default) is more than the 3 items"}, true},
		{"no cross-validation", string(good), []string{"--folds", "0"}, nil, false},
		{"one fold per item", string(good), []string{"--folds", "3"}, nil, false},
		{"item not about the province without a tone", string(good) + item(`,"labels":{"about_dong_nai":false,"topics":[]}`) + item(ok), []string{"--folds", "0"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "corpus.jsonl")
			if err := os.WriteFile(path, []byte(tt.corpus), 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			g := &globals{Stdout: &out, Stderr: &errb, ConfigPath: filepath.Join("..", "..", "configs", "dongnai.yaml")}
			err := evalClassifier(context.Background(), g, append([]string{"--corpus", path}, tt.args...))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if cv := strings.Contains(out.String(), "-fold cross-validation"); cv != !slices.Contains(tt.args, "0") {
					t.Errorf("cross-validation run %v with %v:\n%s", cv, tt.args, out.String())
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted:\n%s", out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			if errors.Is(err, errUsage) != tt.usage {
				t.Errorf("usage error %v, want %v: %v", errors.Is(err, errUsage), tt.usage, err)
			}
		})
	}
}

package classifier

import (
	"testing"
)

// TestModelScoresSameAsDot checks the interleaved weights LoadModel makes
// against each binary model's own dot product, to the bit, on the feature
// vectors of real articles.
func TestModelScoresSameAsDot(t *testing.T) {
	e, err := New(Options{Now: evalNow})
	if err != nil {
		t.Fatal(err)
	}
	m := e.Model()
	if m == nil || m.rows == nil {
		t.Fatal("the shipped model has no interleaved weights")
	}
	r := e.Rules()
	arts := benchArticles()
	for _, it := range loadDevCorpus(t) {
		arts = append(arts, it.Article())
	}
	for _, a := range arts {
		an := e.analyze(r, a)
		x, _ := an.features(r, m.Features, nil, false)
		an.release()
		got := m.scores(x)
		for j, bm := range m.binaryModels() {
			if want := bm.score(x); got[j] != want {
				t.Fatalf("%s: model %q score %v, want %v", a.ID, bm.Label, got[j], want)
			}
		}
	}
}

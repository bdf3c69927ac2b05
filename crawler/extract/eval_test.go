package extract

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/internal/testenv"
)

// Floors measured on the shared data (see docs/extraction.md); the test fails if
// a change makes extraction worse than this.
const (
	floorZyteF1      = 0.970
	floorDateAcc     = 0.90
	floorSnippetF1   = 0.90
	floorSnippetRecl = 0.90
)

func TestEvalZyte(t *testing.T) {
	if testing.Short() {
		t.Skip("full benchmark run")
	}
	dir := testenv.Testdata(t, "extraction")
	docs, err := LoadZyte(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 181 {
		t.Fatalf("loaded %d documents, want 181", len(docs))
	}
	// The scorer must reproduce the benchmark's published figure for a saved output.
	ref, err := ScorePredictions(docs, filepath.Join(dir, "output", "go_trafilatura.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := round3(ref.F1); got != 0.960 {
		t.Errorf("scorer gives saved go_trafilatura output F1 %.3f, the benchmark publishes 0.960", ref.F1)
	}
	e := New(Options{})
	scores, err := ScoreZyte(context.Background(), docs, []string{"presswatch"}, []ExtractFunc{e.Extract})
	if err != nil {
		t.Fatal(err)
	}
	s := scores[0]
	t.Logf("zyte: F1 %.4f P %.4f R %.4f acc %.3f, %.1f ms/page", s.F1, s.Precision, s.Recall, s.Accuracy, s.MeanMS)
	if s.F1 < floorZyteF1 {
		t.Errorf("zyte F1 %.4f below floor %.3f", s.F1, floorZyteF1)
	}
}

func TestEvalDates(t *testing.T) {
	if testing.Short() {
		t.Skip("full benchmark run")
	}
	docs, err := LoadDates(testenv.Testdata(t, "extraction-htmldate"))
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{})
	s, err := ScoreDates(context.Background(), "presswatch", docs, e.Extract)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dates: accuracy %.3f (%d/%d, found %d)", s.Accuracy, s.Correct, s.Docs, s.Found)
	if s.Accuracy < floorDateAcc {
		t.Errorf("date accuracy %.3f below floor %.2f", s.Accuracy, floorDateAcc)
	}
}

func TestEvalSnippets(t *testing.T) {
	if testing.Short() {
		t.Skip("full benchmark run")
	}
	docs, err := LoadSnippets(testenv.Testdata(t, "extraction-trafilatura"))
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{})
	s, err := ScoreSnippets(context.Background(), "presswatch", docs, e.Extract)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trafilatura set: F1 %.4f P %.4f R %.4f acc %.4f (TP %d FP %d TN %d FN %d, %d errors)",
		s.F1, s.Precision, s.Recall, s.Accuracy, s.TP, s.FP, s.TN, s.FN, s.Errors)
	if s.F1 < floorSnippetF1 || s.Recall < floorSnippetRecl {
		t.Errorf("trafilatura set F1 %.4f / recall %.4f below floor %.2f / %.2f", s.F1, s.Recall, floorSnippetF1, floorSnippetRecl)
	}
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// TestEvalReport prints the full comparison table (presswatch and the
// baselines on all three sets) when PRESSWATCH_EVAL_REPORT is set; it is the
// same run as `presswatch eval extraction`.
func TestEvalReport(t *testing.T) {
	if os.Getenv("PRESSWATCH_EVAL_REPORT") == "" {
		t.Skip("set PRESSWATCH_EVAL_REPORT=1 to print the comparison table")
	}
	dir := testenv.TestdataDir()
	if dir == "" {
		t.Skip("shared test data not found")
	}
	rep, err := Evaluate(context.Background(), New(Options{}), DefaultEvalOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := rep.Write(&b); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
}

package extract

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hello, world!", []string{"Hello", "world"}},
		{"Đồng Nai's 2024_plan", []string{"Đồng", "Nai", "s", "2024_plan"}},
		{"東京 서울 ½", []string{"東京", "서울", "½"}},
		{"  -- ", nil},
	}
	for _, tc := range tests {
		if got := Tokens(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestShingleMatch(t *testing.T) {
	const text = "one two three four five six"
	tests := []struct {
		name, truth, pred string
		tp, fp, fn        float64
	}{
		{"identical", text, text, 1, 0, 0},
		{"both empty", "", "", 0, 0, 0},
		{"empty prediction", text, "", 0, 0, 1},
		{"punctuation ignored", text, "One? no: " + text, 3.0 / 5, 2.0 / 5, 0},
		{"short texts make one shingle", "a b", "a b", 1, 0, 0},
		{"half", "a b c d e f g h", "a b c d x y z w", 1.0 / 9, 4.0 / 9, 4.0 / 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp, fp, fn := ShingleMatch(tc.truth, tc.pred)
			if !near(tp, tc.tp) || !near(fp, tc.fp) || !near(fn, tc.fn) {
				t.Errorf("ShingleMatch = %.3f %.3f %.3f, want %.3f %.3f %.3f", tp, fp, fn, tc.tp, tc.fp, tc.fn)
			}
		})
	}
}

func TestScoreTexts(t *testing.T) {
	per := []DocScore{
		{TP: 1, Precision: 1, Recall: 1, Elapsed: 10 * time.Millisecond},
		{TP: 0.5, FP: 0.5, Precision: 0.5, Recall: 1, Elapsed: 20 * time.Millisecond},
		// an empty prediction counts for recall only
		{FN: 1, Precision: 0, Recall: 0, Elapsed: 30 * time.Millisecond, Err: "boom"},
	}
	s := ScoreTexts("x", per, 1)
	if !near(s.Precision, 0.75) || !near(s.Recall, 2.0/3) {
		t.Errorf("precision %.3f recall %.3f, want 0.750 0.667", s.Precision, s.Recall)
	}
	if want := 2 * 0.75 * (2.0 / 3) / (0.75 + 2.0/3); !near(s.F1, want) {
		t.Errorf("F1 %.4f, want %.4f", s.F1, want)
	}
	if !near(s.MeanMS, 20) || !near(s.P50MS, 20) || !near(s.P99MS, 30) || s.Errors != 1 || !near(s.Accuracy, 1.0/3) {
		t.Errorf("timing/errors/accuracy wrong: %+v", s)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

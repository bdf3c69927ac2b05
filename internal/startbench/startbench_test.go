package startbench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{3 * ms}, 3 * ms},
		{[]time.Duration{5 * ms, 1 * ms, 3 * ms}, 3 * ms},
		{[]time.Duration{4 * ms, 1 * ms, 3 * ms, 2 * ms}, 2 * ms}, // lower middle
	}
	for _, tt := range tests {
		in := append([]time.Duration(nil), tt.in...)
		if got := Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Fatalf("Median reordered its argument: %v", tt.in)
			}
		}
	}
}

// TestMeasureFailsWithoutBinary checks that a missing binary is an error
// that says what to do, not figures.
func TestMeasureFailsWithoutBinary(t *testing.T) {
	_, err := Measure(context.Background(), Options{Binary: filepath.Join(t.TempDir(), "missing")})
	if err == nil || !strings.Contains(err.Error(), "make build") {
		t.Fatalf("err = %v, want one that names make build", err)
	}
}

// TestHelpAndMarkdown measures a stand-in binary that prints a usage line,
// and checks the report's rows.
func TestHelpAndMarkdown(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	bin := filepath.Join(t.TempDir(), "fake")
	if err := os.WriteFile(bin, []byte("#!"+sh+"\necho 'usage: fake'; exit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := Measure(context.Background(), Options{Binary: bin, Runs: 3, Sources: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Help) != 3 {
		t.Fatalf("%d -h runs, want 3 (errors: %v)", len(r.Help), r.Errors)
	}
	// The stand-in cannot serve /healthz: that failure is recorded, not fatal.
	if len(r.Cold) != 0 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0], "/healthz") {
		t.Errorf("cold runs %v, errors %q: want one /healthz failure", r.Cold, r.Errors)
	}
	md := r.Markdown()
	for _, want := range []string{"| binary size |", "`presswatch -h` (exec → exit)", "_failed: presswatch run → /healthz"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

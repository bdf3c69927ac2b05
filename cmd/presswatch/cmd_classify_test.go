package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateClassify = flag.Bool("update-classify", false, "rewrite testdata/classify/out.golden")

// TestClassifyGolden runs `presswatch classify` over fixtures covering every
// script and trap, against a golden output.
func TestClassifyGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "classify", "in.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	g := &globals{Stdin: bytes.NewReader(in), Stdout: &out, Stderr: &errb, ConfigPath: filepath.Join("..", "..", "configs", "dongnai.yaml")}
	if err := cmdClassify(context.Background(), g, nil); err != nil {
		t.Fatalf("classify: %v (%s)", err, errb.String())
	}
	golden := filepath.Join("testdata", "classify", "out.golden")
	if *updateClassify {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-classify to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		gl, wl := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d differs:\n got %s\nwant %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("output has %d lines, golden %d", len(gl), len(wl))
	}
	for _, field := range []string{`"id"`, `"about"`, `"mentions"`, `"relevance"`, `"topics"`, `"entities"`, `"tone"`, `"risk"`, `"needs_review"`, `"reasons"`, `"cluster"`} {
		if !strings.Contains(out.String(), field+":") {
			t.Errorf("output lacks field %s", field)
		}
	}
}

func TestClassifyBadInput(t *testing.T) {
	for _, in := range []string{"{not json\n", `{"title":"no id or url"}` + "\n", `{"id":"x","published":"yesterday"}` + "\n"} {
		var out, errb bytes.Buffer
		g := &globals{Stdin: strings.NewReader(in), Stdout: &out, Stderr: &errb, ConfigPath: filepath.Join("..", "..", "configs", "dongnai.yaml")}
		err := cmdClassify(context.Background(), g, nil)
		if err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("classify(%q) error = %v, want one naming line 1", in, err)
		}
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteHeapProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.pprof")
	var stderr bytes.Buffer
	writeHeapProfile(path, &stderr)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// pprof's protobuf format is gzip-compressed.
	if len(b) < 100 || b[0] != 0x1f || b[1] != 0x8b || stderr.Len() != 0 {
		t.Fatalf("heap profile: %d bytes starting %x, stderr %q", len(b), b[:min(2, len(b))], stderr.String())
	}
	stderr.Reset()
	writeHeapProfile(filepath.Join(t.TempDir(), "no", "such", "dir", "heap.pprof"), &stderr)
	if !strings.Contains(stderr.String(), "heap profile:") {
		t.Fatalf("a profile that cannot be written must be reported, got %q", stderr.String())
	}
}

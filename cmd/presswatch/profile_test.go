package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
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

// SIGUSR1 starts the next CPU profile file and writes a heap profile; the
// stop function closes the last CPU profile and writes the final heap.
func TestProfilesRotateOnSIGUSR1(t *testing.T) {
	dir := t.TempDir()
	cpu, heap := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "heap.pprof")
	var stderr bytes.Buffer
	stop := startProfiles(cpu, heap, &stderr)
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	// The signal is handled asynchronously: wait for its heap file.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(heap + ".1"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no heap profile after SIGUSR1")
		}
		runtime.Gosched()
	}
	stop()
	for _, p := range []string{cpu, cpu + ".1", heap + ".1", heap} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Fatalf("%s: not a gzip-compressed profile (%d bytes)", p, len(b))
		}
	}
	if stderr.Len() != 0 {
		t.Fatalf("stderr: %s", stderr.String())
	}
}

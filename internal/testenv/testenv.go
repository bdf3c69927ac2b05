// Package testenv finds what tests may use on this machine: the shared real-world
// test data, the PostgreSQL server and the external NATS server. Each helper skips
// the test with a clear message when its resource is not configured.
package testenv

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// RepoRoot returns the repository's root directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// TestdataDir returns the shared test data folder (PRESSWATCH_TESTDATA, else
// ../shared/testdata beside the repository), or "" when it does not exist.
func TestdataDir() string {
	dir := os.Getenv("PRESSWATCH_TESTDATA")
	if dir == "" {
		dir = filepath.Join(RepoRoot(), "..", "shared", "testdata")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

// Testdata returns the path of sub inside the shared test data folder, skipping
// the test when the folder or sub is absent.
func Testdata(tb testing.TB, sub string) string {
	tb.Helper()
	dir := TestdataDir()
	if dir == "" {
		tb.Skip("shared test data not found: set PRESSWATCH_TESTDATA or place ../shared/testdata beside the repository")
	}
	p := filepath.Join(dir, sub)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared test data %s not found: %v", sub, err)
	}
	return p
}

// PostgresURL returns PRESSWATCH_TEST_POSTGRES or skips the test.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("PRESSWATCH_TEST_POSTGRES")
	if u == "" {
		tb.Skip("PRESSWATCH_TEST_POSTGRES is not set: skipping the PostgreSQL run (CI sets it, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return u
}

// NATSURL returns PRESSWATCH_TEST_NATS_URL or skips the test.
func NATSURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("PRESSWATCH_TEST_NATS_URL")
	if u == "" {
		tb.Skip("PRESSWATCH_TEST_NATS_URL is not set: skipping the run against the external NATS server (CI sets it, e.g. nats://127.0.0.1:4222)")
	}
	return u
}

// RemoveAllUnderWriter deletes dir while a running process may still be
// writing into it (an index's background persister, say): a file created
// after os.RemoveAll read a folder makes its last rmdir fail with "directory
// not empty", as an operator's rm -rf would. It repeats the removal until
// the folder is gone, for up to a minute.
func RemoveAllUnderWriter(tb testing.TB, dir string) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		err := os.RemoveAll(dir)
		if err == nil {
			return
		}
		if !errors.Is(err, syscall.ENOTEMPTY) || time.Now().After(deadline) {
			tb.Fatal(err)
		}
	}
}

package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return storetest.OpenSQLite(t) })
}

func TestSQLiteMigrations(t *testing.T) {
	testMigrations(t, store.BackendSQLite, storetest.SQLiteURL)
}

func TestSQLiteDefaultPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	s, err := store.Open(context.Background(), store.Options{DataDir: dir, AutoMigrate: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if s.Backend() != store.BackendSQLite {
		t.Fatalf("Backend = %q", s.Backend())
	}
	// The file is where the default says, readable by its owner only, and can be reopened.
	st, err := os.Stat(filepath.Join(dir, "presswatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("database file mode %v, want no group/other access", perm)
	}
	s2, err := store.Open(context.Background(), store.Options{URL: filepath.Join(dir, "presswatch.db")})
	if err != nil {
		t.Fatalf("reopen the default database by path: %v", err)
	}
	s2.Close()
}

func TestOpenBadURL(t *testing.T) {
	for _, u := range []string{"mysql://u:secret@host/db", "sqlite:", "sqlite:/tmp/x.db?mode=memory", ":memory:"} {
		if _, err := store.Open(context.Background(), store.Options{URL: u}); err == nil {
			t.Errorf("Open(%q) succeeded", u)
		} else if contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error leaks the URL's password: %v", u, err)
		}
	}
}

// TestSQLiteBackgroundCheckpoint checks that the WAL is copied into the
// database file while the store is open, well below SQLite's auto-checkpoint
// threshold (which the store raises), i.e. by the background checkpointer.
func TestSQLiteBackgroundCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ckpt.db")
	s := storetest.Open(t, "sqlite:"+path)
	size := func() int64 {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	before := size()
	arts := benchArticles(0, 512, true) // ~1.6 MB of text
	if err := s.UpsertArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+1<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes (was %d) 10 s after the write: WAL not checkpointed", size(), before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

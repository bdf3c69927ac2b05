package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dongnai/presswatch/internal/testenv"
	"github.com/dongnai/presswatch/store"
)

// Helpers for tests in other packages that need a real store.

// PostgresURL creates a uniquely named, empty schema on the test PostgreSQL
// server (PRESSWATCH_TEST_POSTGRES; the test is skipped when it is unset) and
// returns a store URL whose search_path selects it. The schema is dropped when
// tb ends.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := testenv.PostgresURL(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to the test PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "pwtest_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse PRESSWATCH_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// SQLiteURL returns a store URL for a new SQLite database in tb.TempDir().
func SQLiteURL(tb testing.TB) string {
	tb.Helper()
	return "sqlite:" + filepath.Join(tb.TempDir(), "presswatch.db")
}

// Open opens (migrating it) the store at url and closes it when tb ends.
func Open(tb testing.TB, url string) store.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Options{URL: url, AutoMigrate: true})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("store Close: %v", err)
		}
	})
	return s
}

// OpenSQLite returns a new, migrated SQLite store in tb.TempDir().
func OpenSQLite(tb testing.TB) store.Store {
	tb.Helper()
	return Open(tb, SQLiteURL(tb))
}

// OpenPostgres returns a new, migrated PostgreSQL store on a fresh schema,
// skipping the test when PRESSWATCH_TEST_POSTGRES is unset.
func OpenPostgres(tb testing.TB) store.Store {
	tb.Helper()
	return Open(tb, PostgresURL(tb))
}

package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dongnai/presswatch/store"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// execRaw runs a statement on the database behind url, outside the store.
func execRaw(t *testing.T, backend, url, stmt string) {
	t.Helper()
	ctx := context.Background()
	switch backend {
	case store.BackendSQLite:
		db, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(url, "sqlite:"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	default:
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// testMigrations checks Open's refusal of out-of-date and too-new schemas,
// migration from empty, and that a second Migrate is a no-op.
func testMigrations(t *testing.T, backend string, newURL func(testing.TB) string) {
	ctx := context.Background()
	url := newURL(t)
	opts := store.Options{URL: url}

	_, err := store.Open(ctx, opts)
	if !errors.Is(err, store.ErrSchemaOutOfDate) {
		t.Fatalf("Open on an empty database: err = %v, want ErrSchemaOutOfDate", err)
	}
	for _, want := range []string{"schema version 0", "run presswatch migrate"} {
		if !contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %q", err, want)
		}
	}

	from, to, err := store.Migrate(ctx, opts)
	if err != nil {
		t.Fatalf("Migrate from empty: %v", err)
	}
	if from != 0 || to < 1 {
		t.Fatalf("Migrate from empty = %d → %d", from, to)
	}
	from2, to2, err := store.Migrate(ctx, opts)
	if err != nil || from2 != to || to2 != to {
		t.Fatalf("second Migrate = %d → %d, %v; want a no-op at %d", from2, to2, err, to)
	}

	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatalf("Open after Migrate: %v", err)
	}
	if s.Backend() != backend {
		t.Errorf("Backend = %q, want %q", s.Backend(), backend)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != to {
		t.Errorf("SchemaVersion = %d, %v; want %d", v, err, to)
	}
	s.Close()

	// A database migrated by a newer binary is refused by Open and Migrate.
	execRaw(t, backend, url, `INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')`)
	if _, err := store.Open(ctx, opts); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open on a newer schema: err = %v, want ErrSchemaTooNew", err)
	}
	if _, _, err := store.Migrate(ctx, opts); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Migrate on a newer schema: err = %v, want ErrSchemaTooNew", err)
	}

	// AutoMigrate brings an empty database up to date at Open.
	auto, err := store.Open(ctx, store.Options{URL: newURL(t), AutoMigrate: true})
	if err != nil {
		t.Fatalf("Open with AutoMigrate: %v", err)
	}
	defer auto.Close()
	if v, err := auto.SchemaVersion(ctx); err != nil || v != to {
		t.Errorf("SchemaVersion after AutoMigrate = %d, %v; want %d", v, err, to)
	}
}

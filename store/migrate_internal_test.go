package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

// TestMigrationsMatchAcrossDialects checks that both dialects embed the same
// migration numbers, so one schema version means the same on either backend.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	versions := func(dialect string) []int {
		ms, err := loadMigrations(dialect)
		if err != nil {
			t.Fatalf("loadMigrations(%s): %v", dialect, err)
		}
		var vs []int
		for _, m := range ms {
			vs = append(vs, m.Version)
		}
		return vs
	}
	lite, pg := versions(BackendSQLite), versions(BackendPostgres)
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Fatalf("sqlite migrations %v, postgres migrations %v", lite, pg)
	}
	for _, b := range []string{BackendSQLite, BackendPostgres} {
		if v, err := LatestSchemaVersion(b); err != nil || v != lite[len(lite)-1] {
			t.Errorf("LatestSchemaVersion(%s) = %d, %v", b, v, err)
		}
	}
	if _, err := LatestSchemaVersion("mysql"); err == nil {
		t.Error("LatestSchemaVersion accepted an unknown backend")
	}
}

// TestFailedMigrationLeavesNoTrace checks that a migration runs in one
// transaction: when its last statement fails, its first is rolled back and the
// version is not recorded.
func TestFailedMigrationLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	opts := Options{}.withDefaults()
	backends := []struct {
		name string
		open func(t *testing.T) migrator
	}{
		{BackendSQLite, func(t *testing.T) migrator {
			s, err := openSQLite(ctx, filepath.Join(t.TempDir(), "m.db"), opts, false)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{BackendPostgres, func(t *testing.T) migrator {
			s, err := openPostgres(ctx, freshPostgresURL(t), opts, false)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			m := b.open(t)
			bad := migration{Version: 9998, Name: "broken", SQL: "CREATE TABLE half_done (x integer);\nSELECT * FROM no_such_table;"}
			if err := m.applyMigration(ctx, bad); err == nil {
				t.Fatal("a broken migration succeeded")
			}
			vs, err := m.appliedVersions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(vs, 9998) {
				t.Fatal("the broken migration was recorded")
			}
			ok := migration{Version: 9997, Name: "probe", SQL: "CREATE TABLE half_done (x integer);"}
			if err := m.applyMigration(ctx, ok); err != nil {
				t.Fatalf("the broken migration left its table behind: %v", err)
			}
			// Applying a recorded migration again does nothing.
			if err := m.applyMigration(ctx, ok); err != nil {
				t.Fatalf("re-applying a recorded migration: %v", err)
			}
			// The real migrations refuse to run over a version they don't know.
			if _, _, err := runMigrations(ctx, m, opts.Logger); !errors.Is(err, ErrSchemaTooNew) {
				t.Fatalf("runMigrations over unknown versions: err = %v, want ErrSchemaTooNew", err)
			}
		})
	}
}

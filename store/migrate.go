package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migrations live in migrations/<dialect>/NNNN_name.sql. Numbers are reserved per
// area so that parallel work never collides (foundation 0001–0009, collection
// 0010–0019, classifier 0020–0029, search/web 0030–0039, alerts 0040–0049,
// reports 0050–0059); a database may therefore have a gap, and a migration is
// pending when its number is not recorded, not merely when it is above the maximum.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migration is one numbered, embedded SQL script.
type migration struct {
	Version int
	Name    string
	SQL     string
}

// migrator is what a backend provides to the migration runner.
type migrator interface {
	dialect() string
	// appliedVersions returns the recorded migration numbers (none when the
	// bookkeeping table does not exist yet).
	appliedVersions(ctx context.Context) ([]int, error)
	// applyMigration runs m and records it in one transaction; it does
	// nothing when m is already recorded (another process got there first).
	applyMigration(ctx context.Context, m migration) error
	// lockMigrations serialises migration runs across processes.
	lockMigrations(ctx context.Context) (unlock func(), err error)
}

// loadMigrations returns the embedded migrations of a dialect in order.
func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations %q: %w", dir, err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || rest == "" {
			return nil, fmt.Errorf("migration %q: name must be NNNN_name.sql", path.Join(dir, name))
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration %q: number %d already used by %q", path.Join(dir, name), v, prev)
		}
		seen[v] = name
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", name, err)
		}
		ms = append(ms, migration{Version: v, Name: rest, SQL: string(body)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.Version - b.Version })
	return ms, nil
}

// LatestSchemaVersion returns the highest migration number this binary embeds
// for backend ("sqlite" or "postgres"): the schema version Open wants.
func LatestSchemaVersion(backend string) (int, error) {
	if backend != BackendSQLite && backend != BackendPostgres {
		return 0, fmt.Errorf("latest schema version: unknown backend %q", backend)
	}
	ms, err := loadMigrations(backend)
	if err != nil {
		return 0, err
	}
	if len(ms) == 0 {
		return 0, nil
	}
	return ms[len(ms)-1].Version, nil
}

// schemaStatus compares the recorded migrations with the embedded ones.
type schemaStatus struct {
	current, wanted int
	pending         []migration
	unknown         []int
}

func checkSchema(ctx context.Context, m migrator) (schemaStatus, error) {
	ms, err := loadMigrations(m.dialect())
	if err != nil {
		return schemaStatus{}, err
	}
	applied, err := m.appliedVersions(ctx)
	if err != nil {
		return schemaStatus{}, fmt.Errorf("read schema version: %w", err)
	}
	var st schemaStatus
	have := map[int]bool{}
	for _, v := range applied {
		have[v] = true
		st.current = max(st.current, v)
	}
	known := map[int]bool{}
	for _, mg := range ms {
		known[mg.Version] = true
		st.wanted = max(st.wanted, mg.Version)
		if !have[mg.Version] {
			st.pending = append(st.pending, mg)
		}
	}
	for _, v := range applied {
		if !known[v] {
			st.unknown = append(st.unknown, v)
		}
	}
	return st, nil
}

func (st schemaStatus) tooNewErr() error {
	return fmt.Errorf("schema version %d has migrations %v unknown to this binary (which wants %d): %w",
		st.current, st.unknown, st.wanted, ErrSchemaTooNew)
}

// ensureSchema is called by Open: it migrates when allowed, else refuses an
// out-of-date or too-new schema.
func ensureSchema(ctx context.Context, m migrator, autoMigrate bool, log *slog.Logger) error {
	st, err := checkSchema(ctx, m)
	if err != nil {
		return err
	}
	if len(st.unknown) > 0 {
		return st.tooNewErr()
	}
	if len(st.pending) == 0 {
		return nil
	}
	if !autoMigrate {
		return fmt.Errorf("schema version %d, this binary wants %d (%d pending migrations): %w",
			st.current, st.wanted, len(st.pending), ErrSchemaOutOfDate)
	}
	_, _, err = runMigrations(ctx, m, log)
	return err
}

// runMigrations applies every pending migration in order, each in its own
// transaction, holding the backend's migration lock.
func runMigrations(ctx context.Context, m migrator, log *slog.Logger) (from, to int, err error) {
	unlock, err := m.lockMigrations(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("lock migrations: %w", err)
	}
	defer unlock()
	st, err := checkSchema(ctx, m)
	if err != nil {
		return 0, 0, err
	}
	if len(st.unknown) > 0 {
		return st.current, st.current, st.tooNewErr()
	}
	from, to = st.current, st.current
	for _, mg := range st.pending {
		if err := m.applyMigration(ctx, mg); err != nil {
			return from, to, fmt.Errorf("apply migration %04d_%s: %w", mg.Version, mg.Name, err)
		}
		to = max(to, mg.Version)
		log.InfoContext(ctx, "migration applied", "dialect", m.dialect(), "version", mg.Version, "name", mg.Name)
	}
	return from, to, nil
}

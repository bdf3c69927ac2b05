package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqliteStore is the SQLite implementation of Store.
//
// All writes go through one connection (w) so that concurrent writers queue in
// Go instead of failing with SQLITE_BUSY; transactions on it begin IMMEDIATE.
// Concurrent UpsertArticles calls are group-committed: one goroutine writes
// every call waiting at that moment in one transaction (see groupWriter).
// Reads use a separate pool (r) of query_only connections, which WAL lets run
// beside the writer. synchronous=FULL: in WAL mode a commit is fsynced before it
// returns, so when UpsertArticles returns the batch survives a power cut and the
// bus message may be acked (NORMAL would only survive a process crash).
//
// WAL checkpoints run in a background goroutine on their own connection
// (PASSIVE, once a second after writes) instead of inside the commit that
// crosses SQLite's auto-checkpoint threshold, which took about a third of the
// write path's time. wal_autocheckpoint stays on at a high threshold as a cap
// on the WAL's size should the background checkpoints fall behind.
type sqliteStore struct {
	path string
	w    *sql.DB
	r    *sql.DB
	ckpt *sql.DB
	log  *slog.Logger

	writes   chan *writeReq // UpsertArticles calls waiting for the group writer
	dirty    atomic.Bool    // written since the last checkpoint
	stop     chan struct{}  // closed by Close to stop the writer and the checkpointer
	stopOnce sync.Once
	wg       sync.WaitGroup

	upsertArticle *sql.Stmt
	upsertClass   *sql.Stmt
}

// errClosed is returned by writes on a closed store.
var errClosed = errors.New("store is closed")

// sqliteBusyTimeout is how long a connection waits for another process's lock
// (e.g. `presswatch migrate` beside a running server) before SQLITE_BUSY.
const sqliteBusyTimeout = 10 * time.Second

// sqliteCheckpointEvery is how often the background checkpointer runs after writes.
const sqliteCheckpointEvery = time.Second

// sqliteAutoCheckpointPages caps the WAL (about 64 MiB of 4 KiB pages) should
// background checkpoints fall behind; SQLite's default is 1000 pages.
const sqliteAutoCheckpointPages = 16384

func openSQLite(ctx context.Context, path string, opts Options, checkSchema bool) (*sqliteStore, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite %q: the path must not contain '?' or '#'", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite %q: %w", path, err)
		}
	}
	// Create the file owner-only before SQLite does (it would use 0644): it
	// holds password hashes and session IDs. SQLite gives its -wal and -shm
	// files the database file's permissions.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	} else if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	busy := fmt.Sprintf("_pragma=busy_timeout(%d)", sqliteBusyTimeout.Milliseconds())
	wdsn := "file:" + path + "?" + busy +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate" +
		fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", sqliteAutoCheckpointPages)
	cdsn := "file:" + path + "?" + busy + "&_pragma=synchronous(FULL)"
	rdsn := "file:" + path + "?" + busy + "&_pragma=foreign_keys(1)&_pragma=query_only(1)"

	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	r, err := sql.Open("sqlite", rdsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	n := opts.MaxConns
	if n <= 0 {
		n = 4
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	ckpt, err := sql.Open("sqlite", cdsn)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	s := &sqliteStore{path: path, w: w, r: r, ckpt: ckpt, log: opts.Logger.With("backend", BackendSQLite),
		stop: make(chan struct{}), writes: make(chan *writeReq)}
	if err := r.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	s.wg.Add(2)
	go s.checkpointer()
	go s.groupWriter()
	if !checkSchema {
		return s, nil
	}
	if err := ensureSchema(ctx, s, opts.AutoMigrate, s.log); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	s.log.DebugContext(ctx, "store opened", "path", path)
	return s, nil
}

func (s *sqliteStore) prepare(ctx context.Context) error {
	var err error
	if s.upsertArticle, err = s.w.PrepareContext(ctx, sqliteUpsertArticle); err != nil {
		return fmt.Errorf("prepare article upsert: %w", err)
	}
	if s.upsertClass, err = s.w.PrepareContext(ctx, sqliteUpsertClass); err != nil {
		return fmt.Errorf("prepare classification upsert: %w", err)
	}
	return nil
}

func (s *sqliteStore) Backend() string { return BackendSQLite }

func (s *sqliteStore) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// checkpointer copies the WAL into the database file in the background until
// Close, once a second when something was written.
func (s *sqliteStore) checkpointer() {
	defer s.wg.Done()
	tick := time.NewTicker(sqliteCheckpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		if !s.dirty.Swap(false) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var busy, logFrames, done int
		err := s.ckpt.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &done)
		cancel()
		if err != nil {
			s.log.Warn("wal checkpoint failed", "err", err)
			s.dirty.Store(true)
		} else if done < logFrames {
			s.dirty.Store(true) // readers held back part of the WAL: try again
		}
	}
}

// wrote records that the WAL has grown, for the checkpointer.
func (s *sqliteStore) wrote() { s.dirty.Store(true) }

func (s *sqliteStore) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	s.wg.Wait()
	var errs []error
	for _, st := range []*sql.Stmt{s.upsertArticle, s.upsertClass} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	errs = append(errs, s.ckpt.Close(), s.r.Close(), s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite %q: %w", s.path, err)
	}
	return nil
}

func (s *sqliteStore) SchemaVersion(ctx context.Context) (int, error) {
	vs, err := s.appliedVersions(ctx)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	v := 0
	for _, x := range vs {
		v = max(v, x)
	}
	return v, nil
}

// migrator

func (s *sqliteStore) dialect() string { return BackendSQLite }

func (s *sqliteStore) appliedVersions(ctx context.Context) ([]int, error) {
	var n int
	err := s.w.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil || n == 0 {
		return nil, err
	}
	rows, err := s.w.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

const sqliteSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER))
) STRICT`

func (s *sqliteStore) applyMigration(ctx context.Context, m migration) error {
	tx, err := s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: serialises with other processes
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, sqliteSchemaMigrations); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().UnixMicro()); err != nil {
		return err
	}
	return tx.Commit()
}

// lockMigrations needs no lock on SQLite: each migration runs in a BEGIN
// IMMEDIATE transaction that rechecks whether it was applied meanwhile.
func (s *sqliteStore) lockMigrations(context.Context) (func(), error) { return func() {}, nil }

// Time and boolean columns.

// sqlTime encodes t as microseconds since the epoch, or NULL for the zero time.
func sqlTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// fromSQLTime decodes a time column.
func fromSQLTime(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

func sqlBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

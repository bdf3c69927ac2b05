package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Saved searches, SQLite dialect.

func (s *sqliteStore) UpsertSavedSearch(ctx context.Context, ss SavedSearch) error {
	if err := checkSaved(ss); err != nil {
		return err
	}
	now := utc(time.Now())
	created := utc(ss.CreatedAt)
	if created.IsZero() {
		created = now
	}
	var recv any
	if ss.AlertReceiver != "" {
		recv = cleanText(ss.AlertReceiver)
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO saved_searches
    (id, owner, name, query, params, created_at, updated_at, alert_receiver, alert_enabled, alert_min_risk)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, query = excluded.query, params = excluded.params,
    created_at = min(saved_searches.created_at, excluded.created_at), updated_at = excluded.updated_at,
    alert_receiver = excluded.alert_receiver, alert_enabled = excluded.alert_enabled,
    alert_min_risk = excluded.alert_min_risk
WHERE saved_searches.owner = excluded.owner`,
		cleanText(ss.ID), cleanText(ss.Owner), cleanText(ss.Name), cleanText(ss.Query), cleanText(ss.Params),
		sqlTime(created), sqlTime(now), recv, sqlBool(ss.AlertEnabled), ss.AlertMinRisk)
	if err != nil {
		return fmt.Errorf("upsert saved search %q: %w", ss.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("upsert saved search %q: belongs to another owner: %w", ss.ID, ErrNotFound)
	}
	return nil
}

const sqliteSavedCols = `id, owner, name, query, params, created_at, updated_at, alert_receiver, alert_enabled, alert_min_risk`

func scanSQLiteSaved(row interface{ Scan(...any) error }) (SavedSearch, error) {
	var (
		ss               SavedSearch
		created, updated sql.NullInt64
		recv             sql.NullString
	)
	if err := row.Scan(&ss.ID, &ss.Owner, &ss.Name, &ss.Query, &ss.Params, &created, &updated,
		&recv, &ss.AlertEnabled, &ss.AlertMinRisk); err != nil {
		return SavedSearch{}, err
	}
	ss.CreatedAt, ss.UpdatedAt, ss.AlertReceiver = fromSQLTime(created), fromSQLTime(updated), recv.String
	return ss, nil
}

func (s *sqliteStore) GetSavedSearch(ctx context.Context, id string) (SavedSearch, error) {
	ss, err := scanSQLiteSaved(s.r.QueryRowContext(ctx, `SELECT `+sqliteSavedCols+` FROM saved_searches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return SavedSearch{}, fmt.Errorf("get saved search %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return SavedSearch{}, fmt.Errorf("get saved search %q: %w", id, err)
	}
	return ss, nil
}

func (s *sqliteStore) listSaved(ctx context.Context, what, q string, args ...any) ([]SavedSearch, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []SavedSearch
	for rows.Next() {
		ss, err := scanSQLiteSaved(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, ss)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func (s *sqliteStore) ListSavedSearches(ctx context.Context, owner string) ([]SavedSearch, error) {
	return s.listSaved(ctx, fmt.Sprintf("list saved searches of %q", owner),
		`SELECT `+sqliteSavedCols+` FROM saved_searches WHERE owner = ? ORDER BY created_at DESC, id`, owner)
}

func (s *sqliteStore) ListSavedSearchRoutes(ctx context.Context) ([]SavedSearch, error) {
	return s.listSaved(ctx, "list saved-search routes",
		`SELECT `+sqliteSavedCols+` FROM saved_searches WHERE alert_enabled = 1 AND alert_receiver IS NOT NULL ORDER BY id`)
}

func (s *sqliteStore) DeleteSavedSearch(ctx context.Context, owner, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM saved_searches WHERE id = ? AND owner = ?`, id, owner)
	if err != nil {
		return fmt.Errorf("delete saved search %q: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("delete saved search %q: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("delete saved search %q: %w", id, ErrNotFound)
	}
	return nil
}

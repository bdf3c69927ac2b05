package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Saved searches, PostgreSQL dialect.

func (s *pgStore) UpsertSavedSearch(ctx context.Context, ss SavedSearch) error {
	if err := checkSaved(ss); err != nil {
		return err
	}
	now := utc(time.Now())
	created := utc(ss.CreatedAt)
	if created.IsZero() {
		created = now
	}
	var recv *string
	if ss.AlertReceiver != "" {
		r := cleanText(ss.AlertReceiver)
		recv = &r
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO saved_searches
    (id, owner, name, query, params, created_at, updated_at, alert_receiver, alert_enabled, alert_min_risk)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, query = excluded.query, params = excluded.params,
    created_at = least(saved_searches.created_at, excluded.created_at), updated_at = excluded.updated_at,
    alert_receiver = excluded.alert_receiver, alert_enabled = excluded.alert_enabled,
    alert_min_risk = excluded.alert_min_risk
WHERE saved_searches.owner = excluded.owner`,
		cleanText(ss.ID), cleanText(ss.Owner), cleanText(ss.Name), cleanText(ss.Query), cleanText(ss.Params),
		pgTime(created), pgTime(now), recv, ss.AlertEnabled, ss.AlertMinRisk)
	if err != nil {
		return fmt.Errorf("upsert saved search %q: %w", ss.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("upsert saved search %q: belongs to another owner: %w", ss.ID, ErrNotFound)
	}
	return nil
}

const pgSavedCols = `id, owner, name, query, params, created_at, updated_at, alert_receiver, alert_enabled, alert_min_risk`

func scanPGSaved(row pgx.Row) (SavedSearch, error) {
	var (
		ss               SavedSearch
		created, updated pgtype.Timestamptz
		recv             pgtype.Text
	)
	if err := row.Scan(&ss.ID, &ss.Owner, &ss.Name, &ss.Query, &ss.Params, &created, &updated,
		&recv, &ss.AlertEnabled, &ss.AlertMinRisk); err != nil {
		return SavedSearch{}, err
	}
	ss.CreatedAt, ss.UpdatedAt, ss.AlertReceiver = fromPGTime(created), fromPGTime(updated), recv.String
	return ss, nil
}

func (s *pgStore) GetSavedSearch(ctx context.Context, id string) (SavedSearch, error) {
	ss, err := scanPGSaved(s.pool.QueryRow(ctx, `SELECT `+pgSavedCols+` FROM saved_searches WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return SavedSearch{}, fmt.Errorf("get saved search %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return SavedSearch{}, fmt.Errorf("get saved search %q: %w", id, err)
	}
	return ss, nil
}

func (s *pgStore) listSaved(ctx context.Context, what, q string, args ...any) ([]SavedSearch, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SavedSearch, error) { return scanPGSaved(row) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func (s *pgStore) ListSavedSearches(ctx context.Context, owner string) ([]SavedSearch, error) {
	return s.listSaved(ctx, fmt.Sprintf("list saved searches of %q", owner),
		`SELECT `+pgSavedCols+` FROM saved_searches WHERE owner = $1 ORDER BY created_at DESC, id COLLATE "C"`, owner)
}

func (s *pgStore) ListSavedSearchRoutes(ctx context.Context) ([]SavedSearch, error) {
	return s.listSaved(ctx, "list saved-search routes",
		`SELECT `+pgSavedCols+` FROM saved_searches WHERE alert_enabled AND alert_receiver IS NOT NULL ORDER BY id COLLATE "C"`)
}

func (s *pgStore) DeleteSavedSearch(ctx context.Context, owner, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM saved_searches WHERE id = $1 AND owner = $2`, id, owner)
	if err != nil {
		return fmt.Errorf("delete saved search %q: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete saved search %q: %w", id, ErrNotFound)
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Sources and source state, SQLite dialect.

func (s *sqliteStore) UpsertSource(ctx context.Context, src Source) error {
	if src.Name == "" {
		return errors.New("upsert source: empty name")
	}
	added := utc(src.AddedAt)
	if added.IsZero() {
		added = utc(time.Now())
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO sources (name, kind, url, outlet, country, lang, tier, enabled, added_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET
    kind = excluded.kind, url = excluded.url, outlet = excluded.outlet,
    country = excluded.country, lang = excluded.lang, tier = excluded.tier,
    enabled = excluded.enabled,
    added_at = min(coalesce(sources.added_at, excluded.added_at), excluded.added_at)`,
		cleanText(src.Name), cleanText(src.Kind), cleanText(src.URL), cleanText(src.Outlet),
		cleanText(src.Country), cleanText(src.Lang), src.Tier, sqlBool(src.Enabled), sqlTime(added))
	if err != nil {
		return fmt.Errorf("upsert source %q: %w", src.Name, err)
	}
	return nil
}

func (s *sqliteStore) ListSources(ctx context.Context) ([]Source, error) {
	rows, err := s.r.QueryContext(ctx,
		`SELECT name, kind, url, outlet, country, lang, tier, enabled, added_at FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		var (
			src   Source
			added sql.NullInt64
		)
		if err := rows.Scan(&src.Name, &src.Kind, &src.URL, &src.Outlet, &src.Country, &src.Lang,
			&src.Tier, &src.Enabled, &added); err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		src.AddedAt = fromSQLTime(added)
		out = append(out, src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

const sqliteSourceStateCols = `source, last_attempt, last_success, last_new_item, next_attempt,
    consecutive_errors, last_error, etag, last_modified, items_total, items_per_day,
    interval_ns, mean_gap_ns, silent`

func scanSQLiteSourceState(row interface{ Scan(...any) error }) (SourceState, error) {
	var (
		st             SourceState
		la, ls, ln, na sql.NullInt64
		iv, mg         int64
	)
	if err := row.Scan(&st.Source, &la, &ls, &ln, &na, &st.ConsecutiveErrors, &st.LastError, &st.ETag,
		&st.LastModified, &st.ItemsTotal, &st.ItemsPerDay, &iv, &mg, &st.Silent); err != nil {
		return SourceState{}, err
	}
	st.LastAttempt, st.LastSuccess = fromSQLTime(la), fromSQLTime(ls)
	st.LastNewItem, st.NextAttempt = fromSQLTime(ln), fromSQLTime(na)
	st.Interval, st.MeanGap = time.Duration(iv), time.Duration(mg)
	return st, nil
}

func (s *sqliteStore) GetSourceState(ctx context.Context, name string) (SourceState, error) {
	row := s.r.QueryRowContext(ctx, `SELECT `+sqliteSourceStateCols+` FROM source_state WHERE source = ?`, name)
	st, err := scanSQLiteSourceState(row)
	if errors.Is(err, sql.ErrNoRows) {
		return SourceState{}, fmt.Errorf("get source state %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return SourceState{}, fmt.Errorf("get source state %q: %w", name, err)
	}
	return st, nil
}

func (s *sqliteStore) UpsertSourceState(ctx context.Context, st SourceState) error {
	if st.Source == "" {
		return errors.New("upsert source state: empty source name")
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO source_state (`+sqliteSourceStateCols+`, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source) DO UPDATE SET
    last_attempt = excluded.last_attempt, last_success = excluded.last_success,
    last_new_item = excluded.last_new_item, next_attempt = excluded.next_attempt,
    consecutive_errors = excluded.consecutive_errors, last_error = excluded.last_error,
    etag = excluded.etag, last_modified = excluded.last_modified,
    items_total = excluded.items_total, items_per_day = excluded.items_per_day,
    interval_ns = excluded.interval_ns, mean_gap_ns = excluded.mean_gap_ns,
    silent = excluded.silent, updated_at = excluded.updated_at`,
		cleanText(st.Source), sqlTime(utc(st.LastAttempt)), sqlTime(utc(st.LastSuccess)),
		sqlTime(utc(st.LastNewItem)), sqlTime(utc(st.NextAttempt)), st.ConsecutiveErrors,
		cleanText(st.LastError), cleanText(st.ETag), cleanText(st.LastModified), st.ItemsTotal,
		st.ItemsPerDay, int64(st.Interval), int64(st.MeanGap), sqlBool(st.Silent), time.Now().UnixMicro())
	if err != nil {
		return fmt.Errorf("upsert source state %q: %w", st.Source, err)
	}
	return nil
}

func (s *sqliteStore) ListSourceStates(ctx context.Context) ([]SourceState, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqliteSourceStateCols+` FROM source_state ORDER BY source`)
	if err != nil {
		return nil, fmt.Errorf("list source states: %w", err)
	}
	defer rows.Close()
	var out []SourceState
	for rows.Next() {
		st, err := scanSQLiteSourceState(rows)
		if err != nil {
			return nil, fmt.Errorf("list source states: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list source states: %w", err)
	}
	return out, nil
}

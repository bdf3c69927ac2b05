package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Sources and source state, PostgreSQL dialect.

func (s *pgStore) UpsertSource(ctx context.Context, src Source) error {
	if src.Name == "" {
		return errors.New("upsert source: empty name")
	}
	added := utc(src.AddedAt)
	if added.IsZero() {
		added = utc(time.Now())
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO sources (name, kind, url, outlet, country, lang, tier, enabled, added_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (name) DO UPDATE SET
    kind = excluded.kind, url = excluded.url, outlet = excluded.outlet,
    country = excluded.country, lang = excluded.lang, tier = excluded.tier,
    enabled = excluded.enabled,
    added_at = least(coalesce(sources.added_at, excluded.added_at), excluded.added_at)`,
		cleanText(src.Name), cleanText(src.Kind), cleanText(src.URL), cleanText(src.Outlet),
		cleanText(src.Country), cleanText(src.Lang), src.Tier, src.Enabled, pgTime(added))
	if err != nil {
		return fmt.Errorf("upsert source %q: %w", src.Name, err)
	}
	return nil
}

func (s *pgStore) ListSources(ctx context.Context) ([]Source, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT name, kind, url, outlet, country, lang, tier, enabled, added_at FROM sources ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Source, error) {
		var (
			src   Source
			tier  int32
			added pgtype.Timestamptz
		)
		err := row.Scan(&src.Name, &src.Kind, &src.URL, &src.Outlet, &src.Country, &src.Lang, &tier, &src.Enabled, &added)
		src.Tier, src.AddedAt = int(tier), fromPGTime(added)
		return src, err
	})
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

const pgSourceStateCols = `source, last_attempt, last_success, last_new_item, next_attempt,
    consecutive_errors, last_error, etag, last_modified, items_total, items_per_day,
    interval_ns, mean_gap_ns, silent`

func scanPGSourceState(row pgx.Row) (SourceState, error) {
	var (
		st             SourceState
		la, ls, ln, na pgtype.Timestamptz
		errs           int32
		iv, mg         int64
	)
	if err := row.Scan(&st.Source, &la, &ls, &ln, &na, &errs, &st.LastError, &st.ETag,
		&st.LastModified, &st.ItemsTotal, &st.ItemsPerDay, &iv, &mg, &st.Silent); err != nil {
		return SourceState{}, err
	}
	st.ConsecutiveErrors = int(errs)
	st.LastAttempt, st.LastSuccess = fromPGTime(la), fromPGTime(ls)
	st.LastNewItem, st.NextAttempt = fromPGTime(ln), fromPGTime(na)
	st.Interval, st.MeanGap = time.Duration(iv), time.Duration(mg)
	return st, nil
}

func (s *pgStore) GetSourceState(ctx context.Context, name string) (SourceState, error) {
	st, err := scanPGSourceState(s.pool.QueryRow(ctx, `SELECT `+pgSourceStateCols+` FROM source_state WHERE source = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return SourceState{}, fmt.Errorf("get source state %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return SourceState{}, fmt.Errorf("get source state %q: %w", name, err)
	}
	return st, nil
}

func (s *pgStore) UpsertSourceState(ctx context.Context, st SourceState) error {
	if st.Source == "" {
		return errors.New("upsert source state: empty source name")
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO source_state (`+pgSourceStateCols+`, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (source) DO UPDATE SET
    last_attempt = excluded.last_attempt, last_success = excluded.last_success,
    last_new_item = excluded.last_new_item, next_attempt = excluded.next_attempt,
    consecutive_errors = excluded.consecutive_errors, last_error = excluded.last_error,
    etag = excluded.etag, last_modified = excluded.last_modified,
    items_total = excluded.items_total, items_per_day = excluded.items_per_day,
    interval_ns = excluded.interval_ns, mean_gap_ns = excluded.mean_gap_ns,
    silent = excluded.silent, updated_at = excluded.updated_at`,
		cleanText(st.Source), pgTime(st.LastAttempt), pgTime(st.LastSuccess),
		pgTime(st.LastNewItem), pgTime(st.NextAttempt), st.ConsecutiveErrors,
		cleanText(st.LastError), cleanText(st.ETag), cleanText(st.LastModified), st.ItemsTotal,
		st.ItemsPerDay, int64(st.Interval), int64(st.MeanGap), st.Silent, pgTime(time.Now()))
	if err != nil {
		return fmt.Errorf("upsert source state %q: %w", st.Source, err)
	}
	return nil
}

func (s *pgStore) ListSourceStates(ctx context.Context) ([]SourceState, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+pgSourceStateCols+` FROM source_state ORDER BY source COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list source states: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SourceState, error) { return scanPGSourceState(row) })
	if err != nil {
		return nil, fmt.Errorf("list source states: %w", err)
	}
	return out, nil
}

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
	return s.UpsertSources(ctx, []Source{src})
}

const sqliteSourceCols = `name, kind, url, outlet, country, lang, tier, enabled, added_at,
    origin, edited_at, deleted_at, poll_requested_at, updated_at`

// sqliteUpsertSource writes a source. A row an administrator edited
// (edited_at set) is only overwritten by another UI write, so seeding the
// configuration at start never undoes a change made in the UI.
const sqliteUpsertSource = `INSERT INTO sources (` + sqliteSourceCols + `)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET
    kind = excluded.kind, url = excluded.url, outlet = excluded.outlet,
    country = excluded.country, lang = excluded.lang, tier = excluded.tier,
    enabled = excluded.enabled,
    added_at = min(coalesce(sources.added_at, excluded.added_at), excluded.added_at),
    origin = excluded.origin, edited_at = excluded.edited_at, deleted_at = excluded.deleted_at,
    poll_requested_at = coalesce(excluded.poll_requested_at, sources.poll_requested_at),
    updated_at = excluded.updated_at
WHERE sources.edited_at IS NULL OR excluded.edited_at IS NOT NULL`

func sqliteSourceArgs(src Source, now time.Time) []any {
	added := utc(src.AddedAt)
	if added.IsZero() {
		added = utc(now)
	}
	origin := src.Origin
	if origin == "" {
		origin = OriginConfig
	}
	return []any{cleanText(src.Name), cleanText(src.Kind), cleanText(src.URL), cleanText(src.Outlet),
		cleanText(src.Country), cleanText(src.Lang), src.Tier, sqlBool(src.Enabled), sqlTime(added),
		cleanText(origin), sqlTime(src.EditedAt), sqlTime(src.DeletedAt), sqlTime(src.PollRequestedAt), now.UnixMicro()}
}

func scanSQLiteSource(row interface{ Scan(...any) error }) (Source, error) {
	var (
		src                Source
		added, ed, del, pr sql.NullInt64
		upd                int64
	)
	if err := row.Scan(&src.Name, &src.Kind, &src.URL, &src.Outlet, &src.Country, &src.Lang,
		&src.Tier, &src.Enabled, &added, &src.Origin, &ed, &del, &pr, &upd); err != nil {
		return Source{}, err
	}
	src.AddedAt, src.EditedAt, src.DeletedAt, src.PollRequestedAt = fromSQLTime(added), fromSQLTime(ed), fromSQLTime(del), fromSQLTime(pr)
	if upd != 0 {
		src.UpdatedAt = time.UnixMicro(upd).UTC()
	}
	return src, nil
}

func (s *sqliteStore) ListSources(ctx context.Context) ([]Source, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqliteSourceCols+` FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		src, err := scanSQLiteSource(rows)
		if err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out = append(out, src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

func (s *sqliteStore) GetSource(ctx context.Context, name string) (Source, error) {
	src, err := scanSQLiteSource(s.r.QueryRowContext(ctx, `SELECT `+sqliteSourceCols+` FROM sources WHERE name = ?`, cleanText(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return Source{}, fmt.Errorf("get source %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return Source{}, fmt.Errorf("get source %q: %w", name, err)
	}
	return src, nil
}

func (s *sqliteStore) RequestSourcePoll(ctx context.Context, name string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sources SET poll_requested_at = ?, updated_at = ? WHERE name = ?`,
		sqlTime(at), time.Now().UnixMicro(), cleanText(name))
	if err != nil {
		return fmt.Errorf("request poll of %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("request poll of %q: %w", name, err)
	} else if n == 0 {
		return fmt.Errorf("request poll of %q: %w", name, ErrNotFound)
	}
	return nil
}

func (s *sqliteStore) SourcesVersion(ctx context.Context) (SourcesVersion, error) {
	var (
		v   SourcesVersion
		upd sql.NullInt64
	)
	if err := s.r.QueryRowContext(ctx, `SELECT count(*), max(updated_at) FROM sources`).Scan(&v.Count, &upd); err != nil {
		return SourcesVersion{}, fmt.Errorf("sources version: %w", err)
	}
	if upd.Valid && upd.Int64 != 0 {
		v.Updated = time.UnixMicro(upd.Int64).UTC()
	}
	return v, nil
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

func (s *sqliteStore) UpsertSources(ctx context.Context, srcs []Source) error {
	if len(srcs) == 0 {
		return nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("upsert %d sources: begin: %w", len(srcs), err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, sqliteUpsertSource)
	if err != nil {
		return fmt.Errorf("upsert %d sources: %w", len(srcs), err)
	}
	defer stmt.Close()
	now := utc(time.Now())
	for _, src := range srcs {
		if src.Name == "" {
			return errors.New("upsert sources: empty name")
		}
		if _, err := stmt.ExecContext(ctx, sqliteSourceArgs(src, now)...); err != nil {
			return fmt.Errorf("upsert source %q: %w", src.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("upsert %d sources: commit: %w", len(srcs), err)
	}
	s.wrote()
	return nil
}

func (s *sqliteStore) SaveCrawlerBatch(ctx context.Context, b CrawlerBatch) error {
	if b.Len() == 0 {
		return nil
	}
	for _, st := range b.States {
		if st.Source == "" {
			return errors.New("save crawler batch: source state without a source name")
		}
	}
	for _, it := range b.Items {
		if it.Source == "" {
			return errors.New("save crawler batch: item without a source name")
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save crawler batch: begin: %w", err)
	}
	defer tx.Rollback()
	now := time.Now().UnixMicro()
	if len(b.States) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO source_state (`+sqliteSourceStateCols+`, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source) DO UPDATE SET
    last_attempt = excluded.last_attempt, last_success = excluded.last_success,
    last_new_item = excluded.last_new_item, next_attempt = excluded.next_attempt,
    consecutive_errors = excluded.consecutive_errors, last_error = excluded.last_error,
    etag = excluded.etag, last_modified = excluded.last_modified,
    items_total = excluded.items_total, items_per_day = excluded.items_per_day,
    interval_ns = excluded.interval_ns, mean_gap_ns = excluded.mean_gap_ns,
    silent = excluded.silent, updated_at = excluded.updated_at`)
		if err != nil {
			return fmt.Errorf("save crawler batch: %w", err)
		}
		defer stmt.Close()
		for _, st := range b.States {
			if _, err := stmt.ExecContext(ctx, cleanText(st.Source), sqlTime(utc(st.LastAttempt)), sqlTime(utc(st.LastSuccess)),
				sqlTime(utc(st.LastNewItem)), sqlTime(utc(st.NextAttempt)), st.ConsecutiveErrors,
				cleanText(st.LastError), cleanText(st.ETag), cleanText(st.LastModified), st.ItemsTotal,
				st.ItemsPerDay, int64(st.Interval), int64(st.MeanGap), sqlBool(st.Silent), now); err != nil {
				return fmt.Errorf("save crawler batch: source state %q: %w", st.Source, err)
			}
		}
	}
	if len(b.Items) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO crawler_items
    (source, item_key, state, pub_id, article, attempts, next_attempt, textless, last_error, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, item_key) DO UPDATE SET
    state = excluded.state, pub_id = excluded.pub_id, article = excluded.article,
    attempts = excluded.attempts, next_attempt = excluded.next_attempt,
    textless = excluded.textless, last_error = excluded.last_error, updated_at = excluded.updated_at`)
		if err != nil {
			return fmt.Errorf("save crawler batch: %w", err)
		}
		defer stmt.Close()
		del, err := tx.PrepareContext(ctx, `DELETE FROM crawler_items WHERE source = ? AND item_key = ?`)
		if err != nil {
			return fmt.Errorf("save crawler batch: %w", err)
		}
		defer del.Close()
		for _, it := range b.Items {
			if it.State == ItemForget {
				if _, err := del.ExecContext(ctx, cleanText(it.Source), it.Key); err != nil {
					return fmt.Errorf("save crawler batch: forget item %x of %q: %w", uint64(it.Key), it.Source, err)
				}
				continue
			}
			var art any
			if it.Article != nil {
				art = it.Article
			}
			if _, err := stmt.ExecContext(ctx, cleanText(it.Source), it.Key, it.State, it.PubID, art, it.Attempts,
				sqlTime(utc(it.NextAttempt)), sqlBool(it.Textless), cleanText(it.LastError), now); err != nil {
				return fmt.Errorf("save crawler batch: item %x of %q: %w", uint64(it.Key), it.Source, err)
			}
		}
	}
	if len(b.Fingerprints) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO crawler_fingerprints (id, fp, canon, sources, added_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET fp = excluded.fp, canon = excluded.canon, sources = excluded.sources`)
		if err != nil {
			return fmt.Errorf("save crawler batch: %w", err)
		}
		defer stmt.Close()
		for _, f := range b.Fingerprints {
			srcs, err := jsonList(f.Sources)
			if err != nil {
				return fmt.Errorf("save crawler batch: fingerprint of %q: %w", f.ID, err)
			}
			added := utc(f.Added)
			if added.IsZero() {
				added = utc(time.Now())
			}
			if _, err := stmt.ExecContext(ctx, f.ID, int64(f.FP), cleanText(f.Canon), srcs, added.UnixMicro()); err != nil {
				return fmt.Errorf("save crawler batch: fingerprint of %q: %w", f.ID, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save crawler batch: commit: %w", err)
	}
	s.wrote()
	return nil
}

func (s *sqliteStore) CrawlerItemStates(ctx context.Context, source string, keys []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(keys))
	for len(keys) > 0 {
		part := keys[:min(len(keys), sqliteMaxIn)]
		keys = keys[len(part):]
		args := make([]any, 0, len(part)+1)
		args = append(args, source)
		for _, k := range part {
			args = append(args, k)
		}
		err := func() error {
			rows, err := s.r.QueryContext(ctx, `SELECT item_key, state FROM crawler_items WHERE source = ? AND item_key IN (`+placeholders(len(part))+`)`, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var k int64
				var st int
				if err := rows.Scan(&k, &st); err != nil {
					return err
				}
				out[k] = st
			}
			return rows.Err()
		}()
		if err != nil {
			return nil, fmt.Errorf("crawler item states of %q: %w", source, err)
		}
	}
	return out, nil
}

func (s *sqliteStore) ListOpenCrawlerItems(ctx context.Context) ([]CrawlerItem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT source, item_key, state, pub_id, article, attempts, next_attempt, textless, last_error, updated_at
FROM crawler_items WHERE state < 2 ORDER BY source, item_key`)
	if err != nil {
		return nil, fmt.Errorf("list open crawler items: %w", err)
	}
	defer rows.Close()
	var out []CrawlerItem
	for rows.Next() {
		var (
			it     CrawlerItem
			na, up sql.NullInt64
		)
		if err := rows.Scan(&it.Source, &it.Key, &it.State, &it.PubID, &it.Article, &it.Attempts, &na, &it.Textless, &it.LastError, &up); err != nil {
			return nil, fmt.Errorf("list open crawler items: %w", err)
		}
		it.NextAttempt, it.Updated = fromSQLTime(na), fromSQLTime(up)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list open crawler items: %w", err)
	}
	return out, nil
}

func (s *sqliteStore) ListFingerprints(ctx context.Context, limit int) ([]Fingerprint, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, fp, canon, sources, added_at FROM
    (SELECT * FROM crawler_fingerprints ORDER BY added_at DESC, id DESC LIMIT ?) ORDER BY added_at, id`, limit)
	if err != nil {
		return nil, fmt.Errorf("list fingerprints: %w", err)
	}
	defer rows.Close()
	var out []Fingerprint
	for rows.Next() {
		var (
			f     Fingerprint
			fp    int64
			srcs  string
			added sql.NullInt64
		)
		if err := rows.Scan(&f.ID, &fp, &f.Canon, &srcs, &added); err != nil {
			return nil, fmt.Errorf("list fingerprints: %w", err)
		}
		f.FP, f.Added = uint64(fp), fromSQLTime(added)
		if f.Sources, err = parseList[string](srcs); err != nil {
			return nil, fmt.Errorf("list fingerprints: sources of %q: %w", f.ID, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list fingerprints: %w", err)
	}
	return out, nil
}

func (s *sqliteStore) PruneCrawlerState(ctx context.Context, doneBefore time.Time, keepFingerprints int) (int64, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("prune crawler state: begin: %w", err)
	}
	defer tx.Rollback()
	r1, err := tx.ExecContext(ctx, `DELETE FROM crawler_items WHERE state = 2 AND updated_at < ?`, utc(doneBefore).UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("prune crawler items: %w", err)
	}
	r2, err := tx.ExecContext(ctx, `DELETE FROM crawler_fingerprints WHERE id NOT IN
    (SELECT id FROM crawler_fingerprints ORDER BY added_at DESC, id DESC LIMIT ?)`, max(keepFingerprints, 0))
	if err != nil {
		return 0, fmt.Errorf("prune fingerprints: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("prune crawler state: commit: %w", err)
	}
	s.wrote()
	n1, _ := r1.RowsAffected()
	n2, _ := r2.RowsAffected()
	return n1 + n2, nil
}

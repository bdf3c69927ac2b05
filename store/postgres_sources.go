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
	if _, err := s.pool.Exec(ctx, pgUpsertSource, pgSourceArgs(src, time.Now())...); err != nil {
		return fmt.Errorf("upsert source %q: %w", src.Name, err)
	}
	return nil
}

const pgSourceCols = `name, kind, url, outlet, country, lang, tier, enabled, added_at,
    origin, edited_at, deleted_at, poll_requested_at, updated_at`

func (s *pgStore) ListSources(ctx context.Context) ([]Source, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+pgSourceCols+` FROM sources ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Source, error) { return scanPGSource(row) })
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

func scanPGSource(row pgx.Row) (Source, error) {
	var (
		src                     Source
		tier                    int32
		added, ed, del, pr, upd pgtype.Timestamptz
	)
	err := row.Scan(&src.Name, &src.Kind, &src.URL, &src.Outlet, &src.Country, &src.Lang, &tier, &src.Enabled, &added,
		&src.Origin, &ed, &del, &pr, &upd)
	src.Tier, src.AddedAt = int(tier), fromPGTime(added)
	src.EditedAt, src.DeletedAt, src.PollRequestedAt, src.UpdatedAt = fromPGTime(ed), fromPGTime(del), fromPGTime(pr), fromPGTime(upd)
	return src, err
}

func (s *pgStore) GetSource(ctx context.Context, name string) (Source, error) {
	src, err := scanPGSource(s.pool.QueryRow(ctx, `SELECT `+pgSourceCols+` FROM sources WHERE name = $1`, cleanText(name)))
	if errors.Is(err, pgx.ErrNoRows) {
		return Source{}, fmt.Errorf("get source %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return Source{}, fmt.Errorf("get source %q: %w", name, err)
	}
	return src, nil
}

func (s *pgStore) RequestSourcePoll(ctx context.Context, name string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE sources SET poll_requested_at = $2, updated_at = $3 WHERE name = $1`,
		cleanText(name), pgTime(at), pgTime(time.Now()))
	if err != nil {
		return fmt.Errorf("request poll of %q: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("request poll of %q: %w", name, ErrNotFound)
	}
	return nil
}

func (s *pgStore) SourcesVersion(ctx context.Context) (SourcesVersion, error) {
	var (
		v   SourcesVersion
		upd pgtype.Timestamptz
	)
	if err := s.pool.QueryRow(ctx, `SELECT count(*), max(updated_at) FROM sources`).Scan(&v.Count, &upd); err != nil {
		return SourcesVersion{}, fmt.Errorf("sources version: %w", err)
	}
	v.Updated = fromPGTime(upd)
	return v, nil
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

// pgUpsertSource writes a source. A row an administrator edited
// (edited_at set) is only overwritten by another UI write, so seeding the
// configuration at start never undoes a change made in the UI.
const pgUpsertSource = `INSERT INTO sources (` + pgSourceCols + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (name) DO UPDATE SET
    kind = excluded.kind, url = excluded.url, outlet = excluded.outlet,
    country = excluded.country, lang = excluded.lang, tier = excluded.tier,
    enabled = excluded.enabled,
    added_at = least(coalesce(sources.added_at, excluded.added_at), excluded.added_at),
    origin = excluded.origin, edited_at = excluded.edited_at, deleted_at = excluded.deleted_at,
    poll_requested_at = coalesce(excluded.poll_requested_at, sources.poll_requested_at),
    updated_at = excluded.updated_at
WHERE sources.edited_at IS NULL OR excluded.edited_at IS NOT NULL`

func pgSourceArgs(src Source, now time.Time) []any {
	added := utc(src.AddedAt)
	if added.IsZero() {
		added = utc(now)
	}
	origin := src.Origin
	if origin == "" {
		origin = OriginConfig
	}
	return []any{cleanText(src.Name), cleanText(src.Kind), cleanText(src.URL), cleanText(src.Outlet),
		cleanText(src.Country), cleanText(src.Lang), src.Tier, src.Enabled, pgTime(added),
		cleanText(origin), pgTime(src.EditedAt), pgTime(src.DeletedAt), pgTime(src.PollRequestedAt), pgTime(now)}
}

func (s *pgStore) UpsertSources(ctx context.Context, srcs []Source) error {
	if len(srcs) == 0 {
		return nil
	}
	now := utc(time.Now())
	var b pgx.Batch
	for _, src := range srcs {
		if src.Name == "" {
			return errors.New("upsert sources: empty name")
		}
		b.Queue(pgUpsertSource, pgSourceArgs(src, now)...)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, &b).Close() })
	if err != nil {
		return fmt.Errorf("upsert %d sources: %w", len(srcs), err)
	}
	return nil
}

const pgUpsertSourceState = `INSERT INTO source_state (` + pgSourceStateCols + `, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (source) DO UPDATE SET
    last_attempt = excluded.last_attempt, last_success = excluded.last_success,
    last_new_item = excluded.last_new_item, next_attempt = excluded.next_attempt,
    consecutive_errors = excluded.consecutive_errors, last_error = excluded.last_error,
    etag = excluded.etag, last_modified = excluded.last_modified,
    items_total = excluded.items_total, items_per_day = excluded.items_per_day,
    interval_ns = excluded.interval_ns, mean_gap_ns = excluded.mean_gap_ns,
    silent = excluded.silent, updated_at = excluded.updated_at`

func (s *pgStore) SaveCrawlerBatch(ctx context.Context, cb CrawlerBatch) error {
	if cb.Len() == 0 {
		return nil
	}
	now := pgTime(time.Now())
	var b pgx.Batch
	for _, st := range cb.States {
		if st.Source == "" {
			return errors.New("save crawler batch: source state without a source name")
		}
		b.Queue(pgUpsertSourceState, cleanText(st.Source), pgTime(st.LastAttempt), pgTime(st.LastSuccess),
			pgTime(st.LastNewItem), pgTime(st.NextAttempt), st.ConsecutiveErrors,
			cleanText(st.LastError), cleanText(st.ETag), cleanText(st.LastModified), st.ItemsTotal,
			st.ItemsPerDay, int64(st.Interval), int64(st.MeanGap), st.Silent, now)
	}
	for _, it := range cb.Items {
		if it.Source == "" {
			return errors.New("save crawler batch: item without a source name")
		}
		if it.State == ItemForget {
			b.Queue(`DELETE FROM crawler_items WHERE source = $1 AND item_key = $2`, cleanText(it.Source), it.Key)
			continue
		}
		b.Queue(`INSERT INTO crawler_items
    (source, item_key, state, pub_id, article, attempts, next_attempt, textless, last_error, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (source, item_key) DO UPDATE SET
    state = excluded.state, pub_id = excluded.pub_id, article = excluded.article,
    attempts = excluded.attempts, next_attempt = excluded.next_attempt,
    textless = excluded.textless, last_error = excluded.last_error, updated_at = excluded.updated_at`,
			cleanText(it.Source), it.Key, int16(it.State), it.PubID, it.Article, it.Attempts,
			pgTime(it.NextAttempt), it.Textless, cleanText(it.LastError), now)
	}
	for _, f := range cb.Fingerprints {
		srcs, err := jsonList(f.Sources)
		if err != nil {
			return fmt.Errorf("save crawler batch: fingerprint of %q: %w", f.ID, err)
		}
		added := f.Added
		if added.IsZero() {
			added = time.Now()
		}
		b.Queue(`INSERT INTO crawler_fingerprints (id, fp, canon, sources, added_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET fp = excluded.fp, canon = excluded.canon, sources = excluded.sources`,
			f.ID, int64(f.FP), cleanText(f.Canon), srcs, pgTime(added))
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, &b).Close() })
	if err != nil {
		return fmt.Errorf("save crawler batch of %d: %w", cb.Len(), err)
	}
	return nil
}

func (s *pgStore) CrawlerItemStates(ctx context.Context, source string, keys []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT item_key, state FROM crawler_items WHERE source = $1 AND item_key = ANY($2)`, source, keys)
	if err != nil {
		return nil, fmt.Errorf("crawler item states of %q: %w", source, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k int64
		var st int16
		if err := rows.Scan(&k, &st); err != nil {
			return nil, fmt.Errorf("crawler item states of %q: %w", source, err)
		}
		out[k] = int(st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("crawler item states of %q: %w", source, err)
	}
	return out, nil
}

func (s *pgStore) ListOpenCrawlerItems(ctx context.Context) ([]CrawlerItem, error) {
	rows, err := s.pool.Query(ctx, `SELECT source, item_key, state, pub_id, article, attempts, next_attempt, textless, last_error, updated_at
FROM crawler_items WHERE state < 2 ORDER BY source COLLATE "C", item_key`)
	if err != nil {
		return nil, fmt.Errorf("list open crawler items: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CrawlerItem, error) {
		var (
			it       CrawlerItem
			st       int16
			attempts int32
			na, up   pgtype.Timestamptz
		)
		err := row.Scan(&it.Source, &it.Key, &st, &it.PubID, &it.Article, &attempts, &na, &it.Textless, &it.LastError, &up)
		it.State, it.Attempts, it.NextAttempt, it.Updated = int(st), int(attempts), fromPGTime(na), fromPGTime(up)
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("list open crawler items: %w", err)
	}
	return out, nil
}

func (s *pgStore) ListFingerprints(ctx context.Context, limit int) ([]Fingerprint, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, fp, canon, sources, added_at FROM
    (SELECT * FROM crawler_fingerprints ORDER BY added_at DESC, id DESC LIMIT $1) f ORDER BY added_at, id`, limit)
	if err != nil {
		return nil, fmt.Errorf("list fingerprints: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Fingerprint, error) {
		var (
			f     Fingerprint
			fp    int64
			srcs  string
			added pgtype.Timestamptz
		)
		if err := row.Scan(&f.ID, &fp, &f.Canon, &srcs, &added); err != nil {
			return f, err
		}
		f.FP, f.Added = uint64(fp), fromPGTime(added)
		var err error
		f.Sources, err = parseList[string](srcs)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("list fingerprints: %w", err)
	}
	return out, nil
}

func (s *pgStore) PruneCrawlerState(ctx context.Context, doneBefore time.Time, keepFingerprints int) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		t1, err := tx.Exec(ctx, `DELETE FROM crawler_items WHERE state = 2 AND updated_at < $1`, pgTime(doneBefore))
		if err != nil {
			return err
		}
		t2, err := tx.Exec(ctx, `DELETE FROM crawler_fingerprints WHERE id NOT IN
    (SELECT id FROM crawler_fingerprints ORDER BY added_at DESC, id DESC LIMIT $1)`, max(keepFingerprints, 0))
		if err != nil {
			return err
		}
		n = t1.RowsAffected() + t2.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune crawler state: %w", err)
	}
	return n, nil
}

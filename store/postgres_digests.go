package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Digests, PostgreSQL dialect.

func (s *pgStore) ClaimDigest(ctx context.Context, c DigestClaim) (bool, error) {
	if c.Kind == "" || c.Period == "" || c.Owner == "" {
		return false, errors.New("claim digest: kind, period and owner are required")
	}
	id := DigestID(c.Kind, c.Period)
	now := utc(c.Now)
	if now.IsZero() {
		now = utc(time.Now())
	}
	// INSERT … ON CONFLICT DO NOTHING waits for a concurrent inserter of the
	// same key and then does nothing; the UPDATE's WHERE is re-evaluated on the
	// row a concurrent claimant just committed, whose claim is then fresh. So
	// exactly one of several racing schedulers gets true.
	tag, err := s.pool.Exec(ctx, `INSERT INTO digests
    (id, kind, period, period_start, period_end, state, claimed_by, claimed_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8)
ON CONFLICT DO NOTHING`,
		id, cleanText(c.Kind), cleanText(c.Period), pgTime(c.PeriodStart), pgTime(c.PeriodEnd),
		DigestClaimed, cleanText(c.Owner), pgTime(now))
	if err != nil {
		return false, fmt.Errorf("claim digest %q: %w", id, err)
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	tag, err = s.pool.Exec(ctx, `UPDATE digests SET claimed_by = $1, claimed_at = $2, state = $3, updated_at = $2
WHERE id = $4 AND state <> $5 AND state <> $7 AND (claimed_at IS NULL OR claimed_at < $6)`,
		cleanText(c.Owner), pgTime(now), DigestClaimed, id, DigestSent, pgTime(now.Add(-c.Lease)), DigestArchived)
	if err != nil {
		return false, fmt.Errorf("claim digest %q: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

func (s *pgStore) SaveDigest(ctx context.Context, d Digest) error {
	if d.ID == "" {
		return errors.New("save digest: empty id")
	}
	data := string(d.Data)
	if data == "" {
		data = "{}"
	}
	var pdf []byte
	if len(d.PDF) > 0 {
		pdf = d.PDF
	}
	lang := d.Lang
	if lang == "" {
		lang = "vi"
	}
	tag, err := s.pool.Exec(ctx, `UPDATE digests SET lang = $1, title = $2, body_html = $3, body_text = $4,
    data = $5::jsonb, pdf = $6, last_error = $7, updated_at = $8,
    state = CASE WHEN state = $9 THEN state ELSE $10 END
WHERE id = $11`,
		cleanText(lang), cleanText(d.Title), cleanText(d.BodyHTML), cleanText(d.BodyText), data, pdf,
		cleanText(d.LastError), pgTime(time.Now()), DigestSent, cleanText(d.State), d.ID)
	if err != nil {
		return fmt.Errorf("save digest %q: %w", d.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("save digest %q: %w", d.ID, ErrNotFound)
	}
	return nil
}

func (s *pgStore) MarkDigestSent(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE digests SET state = $1, sent_at = coalesce(sent_at, $2), last_error = '', updated_at = $3 WHERE id = $4`,
		DigestSent, pgTime(at), pgTime(time.Now()), id)
	if err != nil {
		return fmt.Errorf("mark digest %q sent: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("mark digest %q sent: %w", id, ErrNotFound)
	}
	return nil
}

const pgDigestCols = `id, kind, period, period_start, period_end, lang, title, state, claimed_by,
    claimed_at, last_error, created_at, updated_at, sent_at, pdf IS NOT NULL`

func scanPGDigest(row pgx.Row, extra ...any) (Digest, error) {
	var (
		d                        Digest
		ps, pe, ca, cr, up, sent pgtype.Timestamptz
	)
	dest := append([]any{&d.ID, &d.Kind, &d.Period, &ps, &pe, &d.Lang, &d.Title, &d.State, &d.ClaimedBy,
		&ca, &d.LastError, &cr, &up, &sent, &d.HasPDF}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Digest{}, err
	}
	d.PeriodStart, d.PeriodEnd, d.ClaimedAt = fromPGTime(ps), fromPGTime(pe), fromPGTime(ca)
	d.CreatedAt, d.UpdatedAt, d.SentAt = fromPGTime(cr), fromPGTime(up), fromPGTime(sent)
	return d, nil
}

func (s *pgStore) GetDigest(ctx context.Context, id string) (Digest, error) {
	var (
		html, text, data string
		pdf              []byte
	)
	row := s.pool.QueryRow(ctx, `SELECT `+pgDigestCols+`, body_html, body_text, data::text, pdf FROM digests WHERE id = $1`, id)
	d, err := scanPGDigest(row, &html, &text, &data, &pdf)
	if errors.Is(err, pgx.ErrNoRows) {
		return Digest{}, fmt.Errorf("get digest %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Digest{}, fmt.Errorf("get digest %q: %w", id, err)
	}
	d.BodyHTML, d.BodyText, d.Data, d.PDF = html, text, []byte(data), pdf
	return d, nil
}

func (s *pgStore) ListDigests(ctx context.Context, kind string, limit int) ([]Digest, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.pool.Query(ctx, `SELECT `+pgDigestCols+` FROM digests
WHERE $1 = '' OR kind = $1 ORDER BY period_start DESC, kind LIMIT $2`, kind, limit)
	if err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	defer rows.Close()
	var out []Digest
	for rows.Next() {
		d, err := scanPGDigest(rows)
		if err != nil {
			return nil, fmt.Errorf("list digests: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	return out, nil
}

func (s *pgStore) ScanDigestRows(ctx context.Context, since, until time.Time, fn func(DigestRow) error) error {
	rows, err := s.pool.Query(ctx, `SELECT a.id, a.url, a.title, a.source, a.outlet, a.country, a.lang,
    a.published, a.collected, c.about, c.mentions, c.topics::text, c.tone, c.risk, c.needs_review, c.cluster, c.relevance
FROM articles a JOIN classifications c ON c.article_id = a.id
WHERE a.collected >= $1 AND a.collected < $2 AND (c.about OR c.mentions)
ORDER BY a.collected, a.id`, pgTime(since), pgTime(until))
	if err != nil {
		return fmt.Errorf("scan digest rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r        DigestRow
			pub, col pgtype.Timestamptz
			topics   string
			risk     int32
		)
		if err := rows.Scan(&r.ID, &r.URL, &r.Title, &r.Source, &r.Outlet, &r.Country, &r.Lang, &pub, &col,
			&r.About, &r.Mentions, &topics, &r.Tone, &risk, &r.NeedsReview, &r.Cluster, &r.Relevance); err != nil {
			return fmt.Errorf("scan digest rows: %w", err)
		}
		r.Risk = int(risk)
		r.Published, r.Collected = fromPGTime(pub), fromPGTime(col)
		if r.Topics, err = parseList[string](topics); err != nil {
			return fmt.Errorf("scan digest rows: article %q: decode topics: %w", r.ID, err)
		}
		if err := fn(r); err != nil {
			return fmt.Errorf("scan digest rows: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan digest rows: %w", err)
	}
	return nil
}

func (s *pgStore) DigestAlerts(ctx context.Context, since, until time.Time) ([]DigestAlertCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT route, severity, state, count(*) FROM alerts
WHERE created_at >= $1 AND created_at < $2 GROUP BY route, severity, state ORDER BY route, severity, state`,
		pgTime(since), pgTime(until))
	if err != nil {
		return nil, fmt.Errorf("count digest alerts: %w", err)
	}
	defer rows.Close()
	var out []DigestAlertCount
	for rows.Next() {
		var (
			c DigestAlertCount
			n int64
		)
		if err := rows.Scan(&c.Route, &c.Severity, &c.State, &n); err != nil {
			return nil, fmt.Errorf("count digest alerts: %w", err)
		}
		c.Count = int(n)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count digest alerts: %w", err)
	}
	return out, nil
}

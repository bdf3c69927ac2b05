package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Digests, SQLite dialect.

func (s *sqliteStore) ClaimDigest(ctx context.Context, c DigestClaim) (bool, error) {
	if c.Kind == "" || c.Period == "" || c.Owner == "" {
		return false, errors.New("claim digest: kind, period and owner are required")
	}
	id := DigestID(c.Kind, c.Period)
	now := utc(c.Now)
	if now.IsZero() {
		now = utc(time.Now())
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO digests
    (id, kind, period, period_start, period_end, state, claimed_by, claimed_at, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING`,
		id, cleanText(c.Kind), cleanText(c.Period), sqlTime(utc(c.PeriodStart)), sqlTime(utc(c.PeriodEnd)),
		DigestClaimed, cleanText(c.Owner), sqlTime(now), sqlTime(now), sqlTime(now))
	if err != nil {
		return false, fmt.Errorf("claim digest %q: %w", id, err)
	}
	s.wrote()
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	res, err = s.w.ExecContext(ctx, `UPDATE digests SET claimed_by = ?, claimed_at = ?, state = ?, updated_at = ?
WHERE id = ? AND state NOT IN (?, ?) AND (claimed_at IS NULL OR claimed_at < ?)`,
		cleanText(c.Owner), sqlTime(now), DigestClaimed, sqlTime(now), id, DigestSent, DigestArchived, sqlTime(now.Add(-c.Lease)))
	if err != nil {
		return false, fmt.Errorf("claim digest %q: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim digest %q: %w", id, err)
	}
	return n == 1, nil
}

func (s *sqliteStore) SaveDigest(ctx context.Context, d Digest) error {
	if d.ID == "" {
		return errors.New("save digest: empty id")
	}
	data := string(d.Data)
	if data == "" {
		data = "{}"
	}
	var pdf any
	if len(d.PDF) > 0 {
		pdf = d.PDF
	}
	lang := d.Lang
	if lang == "" {
		lang = "vi"
	}
	res, err := s.w.ExecContext(ctx, `UPDATE digests SET lang = ?, title = ?, body_html = ?, body_text = ?,
    data = ?, pdf = ?, last_error = ?, updated_at = ?,
    state = CASE WHEN state = ? THEN state ELSE ? END
WHERE id = ?`,
		cleanText(lang), cleanText(d.Title), cleanText(d.BodyHTML), cleanText(d.BodyText), data, pdf,
		cleanText(d.LastError), time.Now().UnixMicro(), DigestSent, cleanText(d.State), d.ID)
	if err != nil {
		return fmt.Errorf("save digest %q: %w", d.ID, err)
	}
	s.wrote()
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("save digest %q: %w", d.ID, ErrNotFound)
	}
	return nil
}

func (s *sqliteStore) MarkDigestSent(ctx context.Context, id string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE digests SET state = ?, sent_at = coalesce(sent_at, ?), last_error = '', updated_at = ? WHERE id = ?`,
		DigestSent, sqlTime(utc(at)), time.Now().UnixMicro(), id)
	if err != nil {
		return fmt.Errorf("mark digest %q sent: %w", id, err)
	}
	s.wrote()
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("mark digest %q sent: %w", id, ErrNotFound)
	}
	return nil
}

const sqliteDigestCols = `id, kind, period, period_start, period_end, lang, title, state, claimed_by,
    claimed_at, last_error, created_at, updated_at, sent_at, pdf IS NOT NULL`

func scanSQLiteDigest(row interface{ Scan(...any) error }, extra ...any) (Digest, error) {
	var (
		d                        Digest
		ps, pe, ca, cr, up, sent sql.NullInt64
	)
	dest := append([]any{&d.ID, &d.Kind, &d.Period, &ps, &pe, &d.Lang, &d.Title, &d.State, &d.ClaimedBy,
		&ca, &d.LastError, &cr, &up, &sent, &d.HasPDF}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Digest{}, err
	}
	d.PeriodStart, d.PeriodEnd, d.ClaimedAt = fromSQLTime(ps), fromSQLTime(pe), fromSQLTime(ca)
	d.CreatedAt, d.UpdatedAt, d.SentAt = fromSQLTime(cr), fromSQLTime(up), fromSQLTime(sent)
	return d, nil
}

func (s *sqliteStore) GetDigest(ctx context.Context, id string) (Digest, error) {
	var (
		html, text, data string
		pdf              []byte
	)
	row := s.r.QueryRowContext(ctx, `SELECT `+sqliteDigestCols+`, body_html, body_text, data, pdf FROM digests WHERE id = ?`, id)
	d, err := scanSQLiteDigest(row, &html, &text, &data, &pdf)
	if errors.Is(err, sql.ErrNoRows) {
		return Digest{}, fmt.Errorf("get digest %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Digest{}, fmt.Errorf("get digest %q: %w", id, err)
	}
	d.BodyHTML, d.BodyText, d.Data, d.PDF = html, text, []byte(data), pdf
	return d, nil
}

func (s *sqliteStore) ListDigests(ctx context.Context, kind string, limit int) ([]Digest, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqliteDigestCols+` FROM digests
WHERE ? = '' OR kind = ? ORDER BY period_start DESC, kind LIMIT ?`, kind, kind, limit)
	if err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	defer rows.Close()
	var out []Digest
	for rows.Next() {
		d, err := scanSQLiteDigest(rows)
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

func (s *sqliteStore) ScanDigestRows(ctx context.Context, since, until time.Time, fn func(DigestRow) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.url, a.title, a.source, a.outlet, a.country, a.lang,
    a.published, a.collected, c.about, c.mentions, c.topics, c.tone, c.risk, c.needs_review, c.cluster, c.relevance
FROM articles a JOIN classifications c ON c.article_id = a.id
WHERE a.collected >= ? AND a.collected < ? AND (c.about = 1 OR c.mentions = 1)
ORDER BY a.collected, a.id`, utc(since).UnixMicro(), utc(until).UnixMicro())
	if err != nil {
		return fmt.Errorf("scan digest rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r        DigestRow
			pub, col sql.NullInt64
			topics   string
		)
		if err := rows.Scan(&r.ID, &r.URL, &r.Title, &r.Source, &r.Outlet, &r.Country, &r.Lang, &pub, &col,
			&r.About, &r.Mentions, &topics, &r.Tone, &r.Risk, &r.NeedsReview, &r.Cluster, &r.Relevance); err != nil {
			return fmt.Errorf("scan digest rows: %w", err)
		}
		r.Published, r.Collected = fromSQLTime(pub), fromSQLTime(col)
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

func (s *sqliteStore) DigestAlerts(ctx context.Context, since, until time.Time) ([]DigestAlertCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT route, severity, state, count(*) FROM alerts
WHERE created_at >= ? AND created_at < ? GROUP BY route, severity, state ORDER BY route, severity, state`,
		utc(since).UnixMicro(), utc(until).UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("count digest alerts: %w", err)
	}
	defer rows.Close()
	var out []DigestAlertCount
	for rows.Next() {
		var c DigestAlertCount
		if err := rows.Scan(&c.Route, &c.Severity, &c.State, &c.Count); err != nil {
			return nil, fmt.Errorf("count digest alerts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count digest alerts: %w", err)
	}
	return out, nil
}

package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Evidence, PostgreSQL dialect.

func (s *pgStore) RequestEvidence(ctx context.Context, c EvidenceCheck) error {
	now := utc(time.Now())
	next := utc(c.NextAt)
	if next.IsZero() {
		next = now
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO evidence_checks (article_id, url, reason, step, next_at, created_at)
VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (article_id) DO NOTHING`,
		cleanText(c.ArticleID), cleanText(c.URL), cleanText(c.Reason), pgTime(next), pgTime(now)); err != nil {
		return fmt.Errorf("request evidence for %q: %w", c.ArticleID, err)
	}
	return nil
}

func (s *pgStore) DueEvidence(ctx context.Context, now time.Time, limit int) ([]EvidenceCheck, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.pool.Query(ctx, `SELECT article_id, url, reason, step, next_at, created_at FROM evidence_checks
WHERE next_at IS NOT NULL AND next_at <= $1 ORDER BY next_at, article_id LIMIT $2`, pgTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due evidence: %w", err)
	}
	defer rows.Close()
	var out []EvidenceCheck
	for rows.Next() {
		var c EvidenceCheck
		var next, created pgtype.Timestamptz
		if err := rows.Scan(&c.ArticleID, &c.URL, &c.Reason, &c.Step, &next, &created); err != nil {
			return nil, fmt.Errorf("due evidence: %w", err)
		}
		c.NextAt, c.CreatedAt = fromPGTime(next), fromPGTime(created)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due evidence: %w", err)
	}
	return out, nil
}

func (s *pgStore) SaveSnapshot(ctx context.Context, sn Snapshot, next time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO snapshots (id, article_id, seq, url, final_url, status, captured_at, sha256,
    title, text, headers, warc_path, change, change_detail, warc_sha256, screenshot_path, screenshot_sha256, screenshot_note)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT DO NOTHING`,
			cleanText(sn.ID), cleanText(sn.ArticleID), sn.Seq, cleanText(sn.URL), cleanText(sn.FinalURL), sn.Status,
			pgTime(sn.CapturedAt), sn.SHA256, cleanText(sn.Title), cleanText(sn.Text), cleanText(sn.Headers),
			cleanText(sn.WARCPath), sn.Change, cleanText(sn.ChangeDetail),
			sn.WARCSHA256, cleanText(sn.ScreenshotPath), sn.ScreenshotSHA256, cleanText(sn.ScreenshotNote)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE evidence_checks SET step = greatest(step, $1), next_at = $2 WHERE article_id = $3`,
			sn.Seq, pgTime(next), cleanText(sn.ArticleID))
		return err
	})
	if err != nil {
		return fmt.Errorf("save snapshot %q: %w", sn.ID, err)
	}
	return nil
}

const pgSnapshotCols = `id, article_id, seq, url, final_url, status, captured_at, sha256, title, text, headers, warc_path, change, change_detail,
    warc_sha256, screenshot_path, screenshot_sha256, screenshot_note`

func scanPGSnapshot(row pgx.Row) (Snapshot, error) {
	var sn Snapshot
	var at pgtype.Timestamptz
	err := row.Scan(&sn.ID, &sn.ArticleID, &sn.Seq, &sn.URL, &sn.FinalURL, &sn.Status, &at, &sn.SHA256, &sn.Title, &sn.Text,
		&sn.Headers, &sn.WARCPath, &sn.Change, &sn.ChangeDetail, &sn.WARCSHA256, &sn.ScreenshotPath, &sn.ScreenshotSHA256, &sn.ScreenshotNote)
	sn.CapturedAt = fromPGTime(at)
	return sn, err
}

func (s *pgStore) ListSnapshots(ctx context.Context, articleID string) ([]Snapshot, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+pgSnapshotCols+` FROM snapshots WHERE article_id = $1 ORDER BY seq`, cleanText(articleID))
	if err != nil {
		return nil, fmt.Errorf("list snapshots of %q: %w", articleID, err)
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		sn, err := scanPGSnapshot(rows)
		if err != nil {
			return nil, fmt.Errorf("list snapshots of %q: %w", articleID, err)
		}
		out = append(out, sn)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list snapshots of %q: %w", articleID, err)
	}
	return out, nil
}

func (s *pgStore) GetSnapshot(ctx context.Context, id string) (Snapshot, error) {
	sn, err := scanPGSnapshot(s.pool.QueryRow(ctx, `SELECT `+pgSnapshotCols+` FROM snapshots WHERE id = $1`, cleanText(id)))
	if errors.Is(err, pgx.ErrNoRows) {
		return Snapshot{}, fmt.Errorf("get snapshot %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("get snapshot %q: %w", id, err)
	}
	return sn, nil
}

func (s *pgStore) UpsertResponse(ctx context.Context, r Response) error {
	if err := checkResponse(r); err != nil {
		return err
	}
	if r.Outcome == "" {
		r.Outcome = OutcomePending
	}
	created := utc(r.CreatedAt)
	if created.IsZero() {
		created = utc(time.Now())
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO responses (id, cluster, article_id, text, responded_on, channel, approved_by,
    narratives, created_by, created_at, outcome, outcome_note, outcome_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (id) DO UPDATE SET cluster = excluded.cluster, article_id = excluded.article_id, text = excluded.text,
    responded_on = excluded.responded_on, channel = excluded.channel, approved_by = excluded.approved_by,
    narratives = excluded.narratives`,
		cleanText(r.ID), cleanText(r.Cluster), cleanText(r.ArticleID), cleanText(r.Text), pgTime(r.RespondedOn), r.Channel,
		cleanText(r.ApprovedBy), cleanText(joinList(r.Narratives)), cleanText(r.CreatedBy), pgTime(created), r.Outcome,
		cleanText(r.OutcomeNote), pgTime(r.OutcomeAt)); err != nil {
		return fmt.Errorf("upsert response %q: %w", r.ID, err)
	}
	return nil
}

func (s *pgStore) SetResponseOutcome(ctx context.Context, id, outcome, note string, at time.Time) error {
	if err := checkResponse(Response{ID: id, Cluster: "x", Text: "x", RespondedOn: at, Channel: ChannelOther, Outcome: outcome}); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE responses SET outcome = $1, outcome_note = $2, outcome_at = $3 WHERE id = $4`,
		outcome, cleanText(note), pgTime(at), cleanText(id))
	if err != nil {
		return fmt.Errorf("set outcome of response %q: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set outcome of response %q: %w", id, ErrNotFound)
	}
	return nil
}

func (s *pgStore) ListResponses(ctx context.Context, f ResponseFilter) ([]Response, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Cluster != "" {
		where = append(where, "cluster = "+arg(cleanText(f.Cluster)))
	}
	if f.ArticleID != "" {
		where = append(where, "article_id = "+arg(cleanText(f.ArticleID)))
	}
	if !f.Since.IsZero() {
		where = append(where, "responded_on >= "+arg(pgTime(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, "responded_on < "+arg(pgTime(f.Until)))
	}
	if f.Open {
		where = append(where, "outcome = "+arg(OutcomePending))
	}
	q := `SELECT id, cluster, article_id, text, responded_on, channel, approved_by, narratives, created_by, created_at,
    outcome, outcome_note, outcome_at FROM responses`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.pool.Query(ctx, q+" ORDER BY responded_on DESC, id", args...)
	if err != nil {
		return nil, fmt.Errorf("list responses: %w", err)
	}
	defer rows.Close()
	var out []Response
	for rows.Next() {
		var r Response
		var on, created, oat pgtype.Timestamptz
		var narr string
		if err := rows.Scan(&r.ID, &r.Cluster, &r.ArticleID, &r.Text, &on, &r.Channel, &r.ApprovedBy, &narr, &r.CreatedBy,
			&created, &r.Outcome, &r.OutcomeNote, &oat); err != nil {
			return nil, fmt.Errorf("list responses: %w", err)
		}
		r.RespondedOn, r.CreatedAt, r.OutcomeAt, r.Narratives = fromPGTime(on), fromPGTime(created), fromPGTime(oat), splitList(narr)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list responses: %w", err)
	}
	return out, nil
}

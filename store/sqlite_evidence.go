package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Evidence, SQLite dialect.

func (s *sqliteStore) RequestEvidence(ctx context.Context, c EvidenceCheck) error {
	now := utc(time.Now())
	next := utc(c.NextAt)
	if next.IsZero() {
		next = now
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO evidence_checks (article_id, url, reason, step, next_at, created_at)
VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (article_id) DO NOTHING`,
		cleanText(c.ArticleID), cleanText(c.URL), cleanText(c.Reason), sqlTime(next), sqlTime(now)); err != nil {
		return fmt.Errorf("request evidence for %q: %w", c.ArticleID, err)
	}
	return nil
}

func (s *sqliteStore) DueEvidence(ctx context.Context, now time.Time, limit int) ([]EvidenceCheck, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.r.QueryContext(ctx, `SELECT article_id, url, reason, step, next_at, created_at FROM evidence_checks
WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at, article_id LIMIT ?`, utc(now).UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("due evidence: %w", err)
	}
	defer rows.Close()
	var out []EvidenceCheck
	for rows.Next() {
		var c EvidenceCheck
		var next, created sql.NullInt64
		if err := rows.Scan(&c.ArticleID, &c.URL, &c.Reason, &c.Step, &next, &created); err != nil {
			return nil, fmt.Errorf("due evidence: %w", err)
		}
		c.NextAt, c.CreatedAt = fromSQLTime(next), fromSQLTime(created)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due evidence: %w", err)
	}
	return out, nil
}

func (s *sqliteStore) SaveSnapshot(ctx context.Context, sn Snapshot, next time.Time) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save snapshot %q: %w", sn.ID, err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, `INSERT INTO snapshots (id, article_id, seq, url, final_url, status, captured_at, sha256,
    title, text, headers, warc_path, change, change_detail, warc_sha256, screenshot_path, screenshot_sha256, screenshot_note)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		cleanText(sn.ID), cleanText(sn.ArticleID), sn.Seq, cleanText(sn.URL), cleanText(sn.FinalURL), sn.Status,
		sqlTime(utc(sn.CapturedAt)), sn.SHA256, cleanText(sn.Title), cleanText(sn.Text), cleanText(sn.Headers),
		cleanText(sn.WARCPath), sn.Change, cleanText(sn.ChangeDetail),
		sn.WARCSHA256, cleanText(sn.ScreenshotPath), sn.ScreenshotSHA256, cleanText(sn.ScreenshotNote)); err != nil {
		return fmt.Errorf("save snapshot %q: %w", sn.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE evidence_checks SET step = max(step, ?), next_at = ? WHERE article_id = ?`,
		sn.Seq, sqlTime(utc(next)), cleanText(sn.ArticleID)); err != nil {
		return fmt.Errorf("save snapshot %q: %w", sn.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save snapshot %q: %w", sn.ID, err)
	}
	return nil
}

const sqliteSnapshotCols = `id, article_id, seq, url, final_url, status, captured_at, sha256, title, text, headers, warc_path, change, change_detail,
    warc_sha256, screenshot_path, screenshot_sha256, screenshot_note`

func scanSQLiteSnapshot(row interface{ Scan(...any) error }) (Snapshot, error) {
	var sn Snapshot
	var at sql.NullInt64
	err := row.Scan(&sn.ID, &sn.ArticleID, &sn.Seq, &sn.URL, &sn.FinalURL, &sn.Status, &at, &sn.SHA256, &sn.Title, &sn.Text,
		&sn.Headers, &sn.WARCPath, &sn.Change, &sn.ChangeDetail, &sn.WARCSHA256, &sn.ScreenshotPath, &sn.ScreenshotSHA256, &sn.ScreenshotNote)
	sn.CapturedAt = fromSQLTime(at)
	return sn, err
}

func (s *sqliteStore) ListSnapshots(ctx context.Context, articleID string) ([]Snapshot, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqliteSnapshotCols+` FROM snapshots WHERE article_id = ? ORDER BY seq`, articleID)
	if err != nil {
		return nil, fmt.Errorf("list snapshots of %q: %w", articleID, err)
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		sn, err := scanSQLiteSnapshot(rows)
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

func (s *sqliteStore) GetSnapshot(ctx context.Context, id string) (Snapshot, error) {
	sn, err := scanSQLiteSnapshot(s.r.QueryRowContext(ctx, `SELECT `+sqliteSnapshotCols+` FROM snapshots WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, fmt.Errorf("get snapshot %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("get snapshot %q: %w", id, err)
	}
	return sn, nil
}

func (s *sqliteStore) UpsertResponse(ctx context.Context, r Response) error {
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
	if _, err := s.w.ExecContext(ctx, `INSERT INTO responses (id, cluster, article_id, text, responded_on, channel, approved_by,
    narratives, created_by, created_at, outcome, outcome_note, outcome_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET cluster = excluded.cluster, article_id = excluded.article_id, text = excluded.text,
    responded_on = excluded.responded_on, channel = excluded.channel, approved_by = excluded.approved_by,
    narratives = excluded.narratives`,
		cleanText(r.ID), cleanText(r.Cluster), cleanText(r.ArticleID), cleanText(r.Text), sqlTime(utc(r.RespondedOn)), r.Channel,
		cleanText(r.ApprovedBy), cleanText(joinList(r.Narratives)), cleanText(r.CreatedBy), sqlTime(created), r.Outcome,
		cleanText(r.OutcomeNote), sqlTime(utc(r.OutcomeAt))); err != nil {
		return fmt.Errorf("upsert response %q: %w", r.ID, err)
	}
	return nil
}

func (s *sqliteStore) SetResponseOutcome(ctx context.Context, id, outcome, note string, at time.Time) error {
	if err := checkResponse(Response{ID: id, Cluster: "x", Text: "x", RespondedOn: at, Channel: ChannelOther, Outcome: outcome}); err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE responses SET outcome = ?, outcome_note = ?, outcome_at = ? WHERE id = ?`,
		outcome, cleanText(note), sqlTime(utc(at)), id)
	if err != nil {
		return fmt.Errorf("set outcome of response %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set outcome of response %q: %w", id, ErrNotFound)
	}
	return nil
}

func (s *sqliteStore) ListResponses(ctx context.Context, f ResponseFilter) ([]Response, error) {
	var where []string
	var args []any
	if f.Cluster != "" {
		where, args = append(where, "cluster = ?"), append(args, f.Cluster)
	}
	if f.ArticleID != "" {
		where, args = append(where, "article_id = ?"), append(args, f.ArticleID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "responded_on >= ?"), append(args, utc(f.Since).UnixMicro())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "responded_on < ?"), append(args, utc(f.Until).UnixMicro())
	}
	if f.Open {
		where, args = append(where, "outcome = ?"), append(args, OutcomePending)
	}
	q := `SELECT id, cluster, article_id, text, responded_on, channel, approved_by, narratives, created_by, created_at,
    outcome, outcome_note, outcome_at FROM responses`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY responded_on DESC, id", args...)
	if err != nil {
		return nil, fmt.Errorf("list responses: %w", err)
	}
	defer rows.Close()
	var out []Response
	for rows.Next() {
		var r Response
		var on, created, oat sql.NullInt64
		var narr string
		if err := rows.Scan(&r.ID, &r.Cluster, &r.ArticleID, &r.Text, &on, &r.Channel, &r.ApprovedBy, &narr, &r.CreatedBy,
			&created, &r.Outcome, &r.OutcomeNote, &oat); err != nil {
			return nil, fmt.Errorf("list responses: %w", err)
		}
		r.RespondedOn, r.CreatedAt, r.OutcomeAt, r.Narratives = fromSQLTime(on), fromSQLTime(created), fromSQLTime(oat), splitList(narr)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list responses: %w", err)
	}
	return out, nil
}

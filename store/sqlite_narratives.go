package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

func (s *sqliteStore) CreateNarrative(ctx context.Context, n Narrative) error {
	if err := CheckNarrative(n); err != nil {
		return err
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = time.Now()
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO narratives (id, claim, phrases, context, correction, response_id, article_id,
    weight, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		n.ID, cleanText(n.Claim), cleanText(joinLines(n.Phrases)), cleanText(joinLines(n.Context)), cleanText(n.Correction),
		n.ResponseID, n.ArticleID, n.Weight, cleanText(n.CreatedBy), sqlTime(utc(n.CreatedAt))); err != nil {
		return fmt.Errorf("create narrative %q: %w", n.ID, err)
	}
	return nil
}

func (s *sqliteStore) ListNarratives(ctx context.Context) ([]Narrative, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, id, claim, phrases, context, correction, response_id, article_id, weight,
    created_by, created_at, retired_at, retired_by, retire_note FROM narratives ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("list narratives: %w", err)
	}
	defer rows.Close()
	var out []Narrative
	for rows.Next() {
		var n Narrative
		var phrases, context string
		var at, retired sql.NullInt64
		if err := rows.Scan(&n.Seq, &n.ID, &n.Claim, &phrases, &context, &n.Correction, &n.ResponseID, &n.ArticleID, &n.Weight,
			&n.CreatedBy, &at, &retired, &n.RetiredBy, &n.RetireNote); err != nil {
			return nil, fmt.Errorf("list narratives: %w", err)
		}
		n.Phrases, n.Context, n.CreatedAt, n.RetiredAt = splitLines(phrases), splitLines(context), fromSQLTime(at), fromSQLTime(retired)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list narratives: %w", err)
	}
	return out, nil
}

func (s *sqliteStore) NarrativesVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + count(retired_at) FROM narratives`).Scan(&v); err != nil {
		return 0, fmt.Errorf("narratives version: %w", err)
	}
	return v, nil
}

func (s *sqliteStore) MarkResponseRepeated(ctx context.Context, id, articleID, note string, at time.Time) (bool, error) {
	var outcome, own string
	err := s.w.QueryRowContext(ctx, `SELECT outcome, article_id FROM responses WHERE id = ?`, id).Scan(&outcome, &own)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("mark response %q repeated: %w", id, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("mark response %q repeated: %w", id, err)
	}
	if own == articleID || !repeatableOutcome(outcome) {
		return false, nil
	}
	res, err := s.w.ExecContext(ctx, `UPDATE responses SET outcome = ?, outcome_note = ?, outcome_at = ?
WHERE id = ? AND outcome IN ('', 'pending', 'unchanged')`, OutcomeRepeated, cleanText(note), sqlTime(utc(at)), id)
	if err != nil {
		return false, fmt.Errorf("mark response %q repeated: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func (s *sqliteStore) RetireNarrative(ctx context.Context, id, by, note string, at time.Time) (bool, error) {
	if err := checkRetireNote(note); err != nil {
		return false, err
	}
	if at.IsZero() {
		at = time.Now()
	}
	res, err := s.w.ExecContext(ctx, `UPDATE narratives SET retired_at = ?, retired_by = ?, retire_note = ?
WHERE id = ? AND retired_at IS NULL`, sqlTime(utc(at)), cleanText(by), cleanText(note), id)
	if err != nil {
		return false, fmt.Errorf("retire narrative %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	var one int
	err = s.w.QueryRowContext(ctx, `SELECT 1 FROM narratives WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("retire narrative %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("retire narrative %q: %w", id, err)
	}
	return false, nil
}

package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

func (s *pgStore) CreateNarrative(ctx context.Context, n Narrative) error {
	if err := CheckNarrative(n); err != nil {
		return err
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = time.Now()
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO narratives (id, claim, phrases, context, correction, response_id, article_id,
    weight, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
		cleanText(n.ID), cleanText(n.Claim), cleanText(joinLines(n.Phrases)), cleanText(joinLines(n.Context)), cleanText(n.Correction),
		cleanText(n.ResponseID), cleanText(n.ArticleID), n.Weight, cleanText(n.CreatedBy), pgTime(n.CreatedAt)); err != nil {
		return fmt.Errorf("create narrative %q: %w", n.ID, err)
	}
	return nil
}

func (s *pgStore) ListNarratives(ctx context.Context) ([]Narrative, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, id, claim, phrases, context, correction, response_id, article_id, weight,
    created_by, created_at, retired_at, retired_by, retire_note FROM narratives ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("list narratives: %w", err)
	}
	defer rows.Close()
	var out []Narrative
	for rows.Next() {
		var n Narrative
		var phrases, context string
		var at, retired pgtype.Timestamptz
		if err := rows.Scan(&n.Seq, &n.ID, &n.Claim, &phrases, &context, &n.Correction, &n.ResponseID, &n.ArticleID, &n.Weight,
			&n.CreatedBy, &at, &retired, &n.RetiredBy, &n.RetireNote); err != nil {
			return nil, fmt.Errorf("list narratives: %w", err)
		}
		n.Phrases, n.Context, n.CreatedAt, n.RetiredAt = splitLines(phrases), splitLines(context), fromPGTime(at), fromPGTime(retired)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list narratives: %w", err)
	}
	return out, nil
}

func (s *pgStore) NarrativesVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) + count(retired_at) FROM narratives`).Scan(&v); err != nil {
		return 0, fmt.Errorf("narratives version: %w", err)
	}
	return v, nil
}

func (s *pgStore) MarkResponseRepeated(ctx context.Context, id, articleID, note string, at time.Time) (bool, error) {
	var outcome, own string
	err := s.pool.QueryRow(ctx, `SELECT outcome, article_id FROM responses WHERE id = $1`, cleanText(id)).Scan(&outcome, &own)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("mark response %q repeated: %w", id, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("mark response %q repeated: %w", id, err)
	}
	if own == articleID || !repeatableOutcome(outcome) {
		return false, nil
	}
	tag, err := s.pool.Exec(ctx, `UPDATE responses SET outcome = $1, outcome_note = $2, outcome_at = $3
WHERE id = $4 AND outcome IN ('', 'pending', 'unchanged')`, OutcomeRepeated, cleanText(note), pgTime(at), cleanText(id))
	if err != nil {
		return false, fmt.Errorf("mark response %q repeated: %w", id, err)
	}
	return tag.RowsAffected() > 0, nil
}

func (s *pgStore) RetireNarrative(ctx context.Context, id, by, note string, at time.Time) (bool, error) {
	if err := checkRetireNote(note); err != nil {
		return false, err
	}
	if at.IsZero() {
		at = time.Now()
	}
	tag, err := s.pool.Exec(ctx, `UPDATE narratives SET retired_at = $1, retired_by = $2, retire_note = $3
WHERE id = $4 AND retired_at IS NULL`, pgTime(at), cleanText(by), cleanText(note), cleanText(id))
	if err != nil {
		return false, fmt.Errorf("retire narrative %q: %w", id, err)
	}
	if tag.RowsAffected() > 0 {
		return true, nil
	}
	var one int
	err = s.pool.QueryRow(ctx, `SELECT 1 FROM narratives WHERE id = $1`, cleanText(id)).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("retire narrative %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("retire narrative %q: %w", id, err)
	}
	return false, nil
}

package store

import (
	"context"
	"fmt"
	"time"
)

// Translations, PostgreSQL dialect.

func (s *pgStore) GetTranslations(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	clean := make([]string, len(keys))
	for i, k := range keys {
		clean[i] = cleanText(k)
	}
	rows, err := s.pool.Query(ctx, `SELECT key, translated FROM translations WHERE key = ANY($1)`, clean)
	if err != nil {
		return nil, fmt.Errorf("get translations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, t string
		if err := rows.Scan(&k, &t); err != nil {
			return nil, fmt.Errorf("get translations: %w", err)
		}
		out[k] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get translations: %w", err)
	}
	return out, nil
}

func (s *pgStore) PutTranslations(ctx context.Context, ts []Translation) error {
	if len(ts) == 0 {
		return nil
	}
	now := utc(time.Now())
	keys, src, dst, text := make([]string, len(ts)), make([]string, len(ts)), make([]string, len(ts)), make([]string, len(ts))
	at := make([]time.Time, len(ts))
	for i, t := range ts {
		keys[i], src[i], dst[i], text[i] = cleanText(t.Key), cleanText(t.SourceLang), cleanText(t.TargetLang), cleanText(t.Translated)
		at[i] = utc(t.CreatedAt)
		if at[i].IsZero() {
			at[i] = now
		}
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO translations (key, source_lang, target_lang, translated, created_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
ON CONFLICT (key) DO NOTHING`, keys, src, dst, text, at); err != nil {
		return fmt.Errorf("put translations: %w", err)
	}
	return nil
}

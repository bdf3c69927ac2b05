package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Translations, SQLite dialect.

func (s *sqliteStore) GetTranslations(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for len(keys) > 0 {
		n := min(len(keys), 500)
		args := make([]any, n)
		for i, k := range keys[:n] {
			args[i] = k
		}
		rows, err := s.r.QueryContext(ctx, `SELECT key, translated FROM translations WHERE key IN (?`+strings.Repeat(",?", n-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("get translations: %w", err)
		}
		for rows.Next() {
			var k, t string
			if err := rows.Scan(&k, &t); err != nil {
				rows.Close()
				return nil, fmt.Errorf("get translations: %w", err)
			}
			out[k] = t
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("get translations: %w", err)
		}
		keys = keys[n:]
	}
	return out, nil
}

func (s *sqliteStore) PutTranslations(ctx context.Context, ts []Translation) error {
	if len(ts) == 0 {
		return nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put translations: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	now := utc(time.Now())
	for _, t := range ts {
		created := utc(t.CreatedAt)
		if created.IsZero() {
			created = now
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO translations (key, source_lang, target_lang, translated, created_at)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			cleanText(t.Key), cleanText(t.SourceLang), cleanText(t.TargetLang), cleanText(t.Translated), sqlTime(created)); err != nil {
			return fmt.Errorf("put translations: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put translations: %w", err)
	}
	return nil
}

package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Translation is a cached machine translation of one text.
type Translation struct {
	// Key identifies source language, target language and text; see
	// TranslationKey.
	Key        string
	SourceLang string
	TargetLang string
	Translated string
	CreatedAt  time.Time
}

// TranslationKey is the cache key of text translated from source to target:
// hex SHA-256 of "source|target|text".
func TranslationKey(source, target, text string) string {
	sum := sha256.Sum256([]byte(source + "|" + target + "|" + text))
	return hex.EncodeToString(sum[:])
}

// TranslationStore caches machine translations.
type TranslationStore interface {
	// GetTranslations returns the cached translations of keys, by key;
	// missing keys are absent from the map.
	GetTranslations(ctx context.Context, keys []string) (map[string]string, error)
	// PutTranslations stores ts (an existing key keeps its first translation).
	PutTranslations(ctx context.Context, ts []Translation) error
}

// Both backends implement TranslationStore.
var (
	_ TranslationStore = (*sqliteStore)(nil)
	_ TranslationStore = (*pgStore)(nil)
)

package main

import (
	"log/slog"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/internal/translate"
	"github.com/dongnai/presswatch/store"
)

// newTranslator returns the machine translator of the configuration
// (translate.url), caching in the store; without a URL it is unconfigured
// and the UI and reports say so.
func newTranslator(cfg *configs.Loaded, st store.Store, log *slog.Logger) *translate.Translator {
	c := cfg.Translate
	var cache store.TranslationStore
	if ts, ok := st.(store.TranslationStore); ok {
		cache = ts
	}
	return translate.New(translate.Options{URL: c.URL, APIKey: c.APIKey.Value(), Target: c.Target, Timeout: c.Timeout,
		Cache: cache, Logger: log})
}

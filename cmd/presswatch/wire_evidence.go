package main

import (
	"log/slog"
	"path/filepath"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/crawler/extract"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/evidence"
	"github.com/dongnai/presswatch/store"
)

// newEvidence builds the evidence archive of the configuration, or nil when
// it is disabled or the store cannot keep evidence. Pages are fetched
// through the crawler's guarded HTTP client (same SSRF guard, user agent and
// allowed hosts) and extracted with the crawler's extractor.
func newEvidence(cfg *configs.Loaded, st store.Store, log *slog.Logger) (*evidence.Archive, error) {
	if cfg.Evidence.Disabled {
		return nil, nil
	}
	es, ok := st.(evidence.Store)
	if !ok {
		log.Warn("evidence is not kept: the store cannot keep it", "backend", st.Backend())
		return nil, nil
	}
	c := cfg.Crawler
	fc, err := fetch.New(fetch.Options{UserAgent: c.UserAgent, Timeout: c.Timeout, MaxBodyBytes: c.MaxBodyBytes,
		MaxRedirects: c.MaxRedirects, AllowHosts: c.AllowHosts, Logger: log})
	if err != nil {
		return nil, err
	}
	dir := cfg.Evidence.Dir
	if dir == "" {
		dir = filepath.Join(cfg.DataDir, "evidence")
	}
	var alertsList evidence.AlertLister
	if as, ok := st.(store.AlertStore); ok {
		alertsList = as
	}
	return evidence.New(evidence.Options{Store: es, Alerts: alertsList, Dir: dir, Client: fc.HTTPClient(), Schedule: cfg.Evidence.Schedule, Interval: cfg.Evidence.CheckInterval,
		UserAgent: c.UserAgent, Extract: extractWith(extract.New(extract.Options{})), Logger: log})
}

// extractWith returns the title and main text of a page with the crawler's
// extractor.
func extractWith(ext *extract.Extractor) func(body []byte, pageURL string) (string, string) {
	return func(body []byte, pageURL string) (string, string) {
		r, err := ext.Extract(body, pageURL)
		if err != nil || r == nil {
			return "", ""
		}
		return r.Title, r.Text
	}
}

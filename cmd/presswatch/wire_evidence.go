package main

import (
	"context"
	"fmt"
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
func newEvidence(ctx context.Context, cfg *configs.Loaded, st store.Store, log *slog.Logger) (*evidence.Archive, error) {
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
	blobs, err := evidenceBlobs(ctx, cfg.Evidence, dir)
	if err != nil {
		return nil, err
	}
	shots, why := evidenceBrowser(cfg.Evidence.Browser)
	if shots == nil {
		log.Info("evidence screenshots are off", "why", why)
	}
	return evidence.New(evidence.Options{Store: es, Alerts: alertsList, Blobs: blobs, Client: fc.HTTPClient(), Schedule: cfg.Evidence.Schedule, Interval: cfg.Evidence.CheckInterval,
		UserAgent: c.UserAgent, Extract: extractWith(extract.New(extract.Options{})), Screenshots: shots, NoScreenshot: why, Logger: log})
}

// evidenceBlobs is the S3 bucket of the configuration, checked now so that a
// wrong endpoint, bucket or key stops the start with a clear error, or the
// folder dir.
func evidenceBlobs(ctx context.Context, c configs.EvidenceConfig, dir string) (evidence.Blobs, error) {
	if !c.S3.Enabled() {
		return evidence.NewFSBlobs(dir)
	}
	s := c.S3
	b, err := evidence.NewS3Blobs(ctx, evidence.S3Options{Endpoint: s.Endpoint, Bucket: s.Bucket, Prefix: s.Prefix, Region: s.Region,
		AccessKey: s.AccessKey.Value(), SecretKey: s.SecretKey.Value(), PathStyle: s.PathStyle, Insecure: s.Insecure, CAFile: s.CAFile,
		MaxRetries: s.MaxRetries, Timeout: s.RequestTimeout})
	if err != nil {
		return nil, fmt.Errorf("evidence.s3: %w", err)
	}
	return b, nil
}

// defaultBrowser is where Debian and Ubuntu install Chromium.
const defaultBrowser = "/usr/bin/chromium"

// evidenceBrowser is the screenshotter of the configuration, or nil and
// why not, in Vietnamese (printed on every evidence sheet without one).
func evidenceBrowser(c configs.EvidenceBrowserConfig) (evidence.Screenshotter, string) {
	path := c.Path
	switch path {
	case "none":
		return nil, "Không chụp ảnh màn hình: chức năng chụp đã được tắt trong cấu hình (evidence.browser.path: none)."
	case "":
		path = defaultBrowser
	}
	ch, err := evidence.NewChromium(evidence.ChromiumOptions{Path: path, Timeout: c.Timeout})
	if err != nil {
		return nil, "Không chụp ảnh màn hình: máy chủ không có trình duyệt Chromium tại " + path + "."
	}
	return ch, ""
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

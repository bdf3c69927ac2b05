package main

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/crawler"
	"github.com/dongnai/presswatch/crawler/extract"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/store"
)

// addCrawler builds the collection stage from the configured sources and adds
// it as a collector: it stops first on shutdown.
func addCrawler(a *app, cfg *configs.Loaded, st store.Store, b *bus.Bus, log *slog.Logger, reg prometheus.Registerer) error {
	srcs, err := crawler.SourcesFromConfig(cfg.Crawler, cfg.Sources)
	if err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	c := cfg.Crawler
	ext := extract.New(extract.Options{})
	cr, err := crawler.New(crawler.Options{
		Sources:   srcs,
		Publisher: b,
		Store:     st,
		Extract: func(html []byte, pageURL string) (crawler.Page, error) {
			r, err := ext.Extract(html, pageURL)
			if err != nil {
				return crawler.Page{}, err
			}
			return crawler.Page{
				Title: r.Title, Author: r.Author, Text: r.Text, Description: r.Description, Lang: r.Lang,
				CanonicalURL: r.CanonicalURL, ImageURL: r.ImageURL, Published: r.Published.UTC(),
			}, nil
		},
		Languages:      c.Languages,
		Workers:        c.Workers,
		ArticleWorkers: c.ArticleWorkers,
		SkipArticles:   c.FetchArticles != nil && !*c.FetchArticles,
		HTTP: fetch.Options{
			UserAgent: c.UserAgent, Timeout: c.Timeout, MaxBodyBytes: c.MaxBodyBytes, MaxRedirects: c.MaxRedirects,
			PerHost:    fetch.HostLimit{Concurrency: c.PerHostConcurrency, Rate: c.PerHostRate},
			AllowHosts: c.AllowHosts,
		},
		SourceDefaults:  c,
		ReloadInterval:  c.SourceReloadInterval,
		SilentFactor:    c.SilentFactor,
		MaxItemAge:      c.MaxItemAge,
		MaxNewPerPoll:   c.MaxNewPerPoll,
		ShutdownTimeout: cfg.Shutdown.Timeout,
		Logger:          log,
		Registerer:      reg,
	})
	if err != nil {
		return fmt.Errorf("crawler: %w", err)
	}
	a.add("crawler", phaseCollector, cr.Run)
	return nil
}

package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/markusmobius/go-trafilatura"
)

// TrafilaturaFunc returns the reference extractor the benchmark compares
// against: go-trafilatura as published, with or without its fallback chain
// (go-readability and go-domdistiller), everything else at its defaults.
func TrafilaturaFunc(fallback bool) ExtractFunc {
	return func(page []byte, pageURL string) (res *Result, err error) {
		defer func() {
			if r := recover(); r != nil {
				res, err = nil, fmt.Errorf("go-trafilatura %q: internal error: %v", pageURL, r)
			}
		}()
		var u *url.URL
		if p, perr := url.Parse(pageURL); perr == nil && p.IsAbs() {
			u = p
		}
		tr, err := trafilatura.Extract(bytes.NewReader(page), trafilatura.Options{
			OriginalURL:    u,
			EnableFallback: fallback,
		})
		if err != nil {
			return nil, fmt.Errorf("go-trafilatura %q: %w", pageURL, err)
		}
		return &Result{
			Title:     tr.Metadata.Title,
			Author:    tr.Metadata.Author,
			Published: tr.Metadata.Date,
			Lang:      tr.Metadata.Language,
			ImageURL:  tr.Metadata.Image,
			Text:      tr.ContentText,
			Method:    "trafilatura",
		}, nil
	}
}

// ReadabilityFunc returns readeck's go-readability v2 as a reference extractor.
func ReadabilityFunc() ExtractFunc {
	return func(page []byte, pageURL string) (res *Result, err error) {
		defer func() {
			if r := recover(); r != nil {
				res, err = nil, fmt.Errorf("go-readability %q: internal error: %v", pageURL, r)
			}
		}()
		var u *url.URL
		if p, perr := url.Parse(pageURL); perr == nil && p.IsAbs() {
			u = p
		}
		p := readability.NewParser()
		art, err := p.Parse(bytes.NewReader(page), u)
		if err != nil {
			return nil, fmt.Errorf("go-readability %q: %w", pageURL, err)
		}
		var b strings.Builder
		if art.Node != nil {
			if err := art.RenderText(&b); err != nil {
				return nil, fmt.Errorf("go-readability %q: %w", pageURL, err)
			}
		}
		pub, _ := art.PublishedTime()
		return &Result{Title: art.Title(), Author: art.Byline(), Lang: art.Language(),
			ImageURL: art.ImageURL(), Text: b.String(), Published: pub, Method: "readability"}, nil
	}
}

package crawler

import (
	"bytes"
	"fmt"
	"net/url"
	"time"

	"github.com/markusmobius/go-trafilatura"
)

// Page is what extraction finds in an article page.
type Page struct {
	Title, Author, Text, Description string
	Lang                             string // declared by the page (html lang, meta)
	CanonicalURL                     string // rel=canonical or og:url, absolute
	ImageURL                         string
	Published                        time.Time
}

// ExtractFunc extracts a page's main text and metadata from UTF-8 HTML. The
// extraction engineer's crawler/extract is wired in through one of these
// (see docs/crawler.md); nil in Options means the built-in go-trafilatura
// extraction.
type ExtractFunc func(html []byte, pageURL string) (Page, error)

// TrafilaturaExtract is the built-in ExtractFunc: go-trafilatura with its
// fallback extractors.
func TrafilaturaExtract(html []byte, pageURL string) (p Page, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("extract %q: extractor panicked: %v", pageURL, r)
		}
	}()
	u, err := url.Parse(pageURL)
	if err != nil {
		return Page{}, fmt.Errorf("extract %q: %w", pageURL, err)
	}
	res, err := trafilatura.Extract(bytes.NewReader(html), trafilatura.Options{OriginalURL: u, EnableFallback: true, ExcludeComments: true})
	if err != nil {
		return Page{}, fmt.Errorf("extract %q: %w", pageURL, err)
	}
	m := res.Metadata
	return Page{
		Title: m.Title, Author: m.Author, Text: res.ContentText, Description: m.Description,
		Lang: m.Language, CanonicalURL: m.URL, ImageURL: m.Image, Published: m.Date,
	}, nil
}

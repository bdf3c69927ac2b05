package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dongnai/presswatch/crawler/charset"
	"github.com/dongnai/presswatch/crawler/extract"
)

// maxExtractInput bounds what `presswatch extract` reads.
const maxExtractInput = 32 << 20

// extractOutput is the JSON printed by `presswatch extract`.
type extractOutput struct {
	URL          string `json:"url"`
	CanonicalURL string `json:"canonical_url"`
	Title        string `json:"title"`
	Author       string `json:"author"`
	Published    string `json:"published"` // RFC 3339 with the page's own offset, "" when unknown
	Lang         string `json:"lang"`
	Text         string `json:"text"`
}

// cmdExtract is `presswatch extract --url URL FILE|-`: it extracts one saved
// page (any charset) and prints {url, canonical_url, title, author, published,
// lang, text} as JSON.
func cmdExtract(_ context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	pageURL := fs.String("url", "", "URL the page was fetched from (resolves relative links)")
	contentType := fs.String("content-type", "", "HTTP Content-Type the page was served with, if known")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: want exactly one FILE (or - for standard input)", errUsage)
	}
	var r io.Reader = g.Stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("open page: %w", err)
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxExtractInput))
	if err != nil {
		return fmt.Errorf("read page: %w", err)
	}
	page, _, err := charset.Decode(raw, *contentType)
	if err != nil {
		return fmt.Errorf("decode page: %w", err)
	}
	res, extractErr := extract.New(extract.Options{}).Extract(page, *pageURL)
	if extractErr != nil && (res == nil || !errors.Is(extractErr, extract.ErrNoText)) {
		return extractErr
	}
	out := extractOutput{
		URL:          *pageURL,
		CanonicalURL: res.CanonicalURL,
		Title:        res.Title,
		Author:       res.Author,
		Lang:         res.Lang,
		Text:         res.Text,
	}
	if !res.Published.IsZero() {
		out.Published = res.Published.Format(time.RFC3339)
	}
	enc := json.NewEncoder(g.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return extractErr // a page without main text still prints its metadata, then fails
}

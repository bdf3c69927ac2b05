package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/crawler/charset"
	"github.com/dongnai/presswatch/crawler/feed"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/gocolly/colly/v2"
	"golang.org/x/text/unicode/norm"
)

// Limits of one site poll.
const (
	maxSitePages     = 50   // section pages visited per poll
	maxSitemapFiles  = 20   // child sitemaps read per poll
	maxSitemapURLs   = 5000 // URLs taken from one sitemap
	maxSiteArticles  = 500  // article URLs taken per poll
	sitemapMaxInflat = 64 << 20
)

// collectSite finds article URLs on a site: its sitemaps (news sitemaps give
// titles and dates too) and its start pages, following links between pages
// of the allowed domains up to the source's depth with colly. Every request
// goes through the crawler's client, so robots.txt, the SSRF guard and the
// host limits apply.
func (c *Crawler) collectSite(ctx context.Context, sr *sourceRun) ([]entry, error) {
	s := sr.src
	var (
		mu    sync.Mutex
		found = map[string]*article.Article{}
		order []string
		errs  []error
	)
	add := func(a *article.Article) {
		mu.Lock()
		defer mu.Unlock()
		if len(order) >= maxSiteArticles {
			return
		}
		if old, ok := found[a.ID]; ok {
			if old.Title == "" {
				old.Title = a.Title
			}
			if old.Published.IsZero() {
				old.Published = a.Published
			}
			return
		}
		found[a.ID] = a
		order = append(order, a.ID)
	}
	newArticle := func(link, title string, published time.Time, lang string) *article.Article {
		canon, id, err := article.IDFor(link)
		if err != nil {
			return nil
		}
		if lang == "" {
			lang = s.Lang
		}
		return &article.Article{
			ID: id, URL: link, CanonicalURL: canon, Source: s.Name, Sources: []string{s.Name},
			Outlet: s.Outlet, Country: s.Country, Tier: s.Tier, Lang: lang,
			Title: norm.NFC.String(strings.TrimSpace(title)), Published: published,
		}
	}

	for _, sm := range s.Sitemaps {
		urls, err := c.readSitemap(ctx, sm, 0)
		if err != nil {
			errs = append(errs, fmt.Errorf("sitemap %s: %w", sm, err))
			continue
		}
		for _, u := range urls {
			if !s.articleURL(u.Loc) || !c.allowedDomain(s, u.Loc) {
				continue
			}
			if a := newArticle(u.Loc, u.Title, u.Published, u.Lang); a != nil {
				add(a)
			}
		}
	}

	col := colly.NewCollector(
		colly.MaxDepth(s.Depth),
		colly.AllowedDomains(expandDomains(s.AllowedDomains)...),
		colly.IgnoreRobotsTxt(), // the client checks robots.txt itself
		colly.StdlibContext(ctx),
	)
	col.SetClient(&http.Client{Transport: clientTransport{c: c.client}})
	var pages int
	col.OnRequest(func(r *colly.Request) {
		mu.Lock()
		defer mu.Unlock()
		if pages >= maxSitePages || ctx.Err() != nil {
			r.Abort()
			return
		}
		pages++
	})
	starts := map[string]bool{}
	for _, u := range s.URLs {
		starts[u] = true
	}
	col.OnError(func(r *colly.Response, err error) {
		if starts[r.Request.URL.String()] {
			mu.Lock()
			errs = append(errs, fmt.Errorf("start page %s: %w", r.Request.URL, err))
			mu.Unlock()
		}
	})
	col.OnHTML("a[href]", func(e *colly.HTMLElement) {
		link := e.Request.AbsoluteURL(e.Attr("href"))
		if link == "" {
			return
		}
		if i := strings.IndexByte(link, '#'); i >= 0 {
			link = link[:i]
		}
		if !c.allowedDomain(s, link) {
			return
		}
		if len(s.ArticlePatterns) > 0 && s.articleURL(link) {
			if a := newArticle(link, strings.Join(strings.Fields(e.Text), " "), time.Time{}, ""); a != nil {
				add(a)
			}
			return
		}
		_ = e.Request.Visit(link) // depth, domains and duplicates are colly's to check
	})
	for _, u := range s.URLs {
		var visited *colly.AlreadyVisitedError
		if err := col.Visit(u); err != nil && !errors.As(err, &visited) && !errors.Is(err, colly.ErrMaxDepth) {
			mu.Lock()
			if !alreadyRecorded(errs, u) {
				errs = append(errs, fmt.Errorf("start page %s: %w", u, err))
			}
			mu.Unlock()
		}
	}
	col.Wait()

	mu.Lock()
	defer mu.Unlock()
	out := make([]entry, 0, len(order))
	for _, id := range order {
		out = append(out, entry{art: found[id]})
	}
	// A site whose every start page and sitemap failed is in error; partial
	// failures are reported too, but what was found is still used.
	return out, errors.Join(errs...)
}

func alreadyRecorded(errs []error, u string) bool {
	for _, e := range errs {
		if strings.Contains(e.Error(), u) {
			return true
		}
	}
	return false
}

// expandDomains lists each allowed domain with and without "www." (colly
// matches host names exactly).
func expandDomains(ds []string) []string {
	var out []string
	for _, d := range ds {
		d = strings.ToLower(d)
		out = append(out, d)
		if strings.HasPrefix(d, "www.") {
			out = append(out, strings.TrimPrefix(d, "www."))
		} else {
			out = append(out, "www."+d)
		}
	}
	return out
}

// allowedDomain reports whether u is on one of the source's domains or their
// subdomains.
func (c *Crawler) allowedDomain(s Source, u string) bool {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") {
		return false
	}
	h := strings.ToLower(pu.Hostname())
	for _, d := range s.AllowedDomains {
		d = strings.TrimPrefix(strings.ToLower(d), "www.")
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// clientTransport lets colly fetch through the crawler's client; bodies come
// back decoded to UTF-8.
type clientTransport struct{ c *fetch.Client }

// RoundTrip implements http.RoundTripper.
func (t clientTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.c.Get(req.Context(), fetch.Request{URL: req.URL.String(), Robots: true, Accept: "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"})
	if err != nil {
		return nil, err
	}
	body, _, err := charset.Decode(resp.Body, resp.ContentType)
	if err != nil {
		return nil, err
	}
	h := resp.Header.Clone()
	h.Del("Content-Encoding")
	h.Del("Content-Length")
	h.Set("Content-Type", "text/html; charset=utf-8")
	r2 := req.Clone(req.Context())
	if final, err := url.Parse(resp.URL); err == nil {
		r2.URL = final
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r2,
	}, nil
}

// sitemapURL is one page listed in a sitemap.
type sitemapURL struct {
	Loc, Title, Lang string
	Published        time.Time
}

type sitemapDoc struct {
	XMLName  xml.Name
	Sitemaps []struct {
		Loc string `xml:"loc"`
	} `xml:"sitemap"`
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		News    struct {
			Title           string `xml:"title"`
			PublicationDate string `xml:"publication_date"`
			Publication     struct {
				Language string `xml:"language"`
			} `xml:"publication"`
		} `xml:"news"`
	} `xml:"url"`
}

// readSitemap reads a sitemap, a Google News sitemap or a sitemap index
// (one level deep), newest entries only.
func (c *Crawler) readSitemap(ctx context.Context, u string, depth int) ([]sitemapURL, error) {
	resp, err := c.client.Get(ctx, fetch.Request{URL: u, Robots: true, Accept: "application/xml, text/xml;q=0.9, */*;q=0.5"})
	if err != nil {
		return nil, err
	}
	var oldest time.Time
	if c.opts.MaxItemAge > 0 {
		oldest = time.Now().Add(-c.opts.MaxItemAge)
	}
	out, children, err := parseSitemap(resp.Body, resp.ContentType, oldest)
	if err != nil {
		return nil, err
	}
	if depth > 0 {
		return out, nil
	}
	for i, child := range children {
		if i >= maxSitemapFiles {
			break
		}
		more, err := c.readSitemap(ctx, child, 1)
		if err != nil {
			if ctx.Err() != nil {
				return out, err
			}
			continue
		}
		out = append(out, more...)
	}
	return out, nil
}

// parseSitemap reads a sitemap, a Google News sitemap (titles, languages and
// publication dates) or a sitemap index (its children), gzipped or not, in
// any encoding. Entries last modified or published before oldest are left
// out.
func parseSitemap(body []byte, contentType string, oldest time.Time) ([]sitemapURL, []string, error) {
	if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		body, err = io.ReadAll(io.LimitReader(zr, sitemapMaxInflat))
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
	}
	text, _, err := charset.Decode(body, contentType)
	if err != nil {
		return nil, nil, err
	}
	if loc := bytes.Index(text, []byte("?>")); loc >= 0 && bytes.HasPrefix(bytes.TrimSpace(text), []byte("<?xml")) {
		text = text[loc+2:] // the declaration's encoding no longer applies
	}
	var doc sitemapDoc
	if err := xml.Unmarshal(text, &doc); err != nil {
		return nil, nil, fmt.Errorf("malformed sitemap XML: %w", err)
	}
	var children []string
	for _, sm := range doc.Sitemaps {
		if l := strings.TrimSpace(sm.Loc); l != "" {
			children = append(children, l)
		}
	}
	var out []sitemapURL
	for i, x := range doc.URLs {
		if i >= maxSitemapURLs {
			break
		}
		su := sitemapURL{Loc: strings.TrimSpace(x.Loc), Title: strings.TrimSpace(x.News.Title), Lang: strings.TrimSpace(x.News.Publication.Language)}
		if t, ok := feed.ParseDate(x.News.PublicationDate, nil); ok {
			su.Published = t
		}
		if t, ok := feed.ParseDate(x.LastMod, nil); ok && t.Before(oldest) {
			continue // not changed for longer than we look back
		}
		if !su.Published.IsZero() && su.Published.Before(oldest) {
			continue
		}
		if su.Loc != "" {
			out = append(out, su)
		}
	}
	return out, children, nil
}

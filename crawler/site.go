package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/crawler/charset"
	"github.com/dongnai/presswatch/crawler/feed"
	"github.com/dongnai/presswatch/crawler/fetch"
	whatwg "github.com/nlnwa/whatwg-url/url"
	"golang.org/x/net/html"
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
// of the allowed domains up to the source's depth (siteWalk). Every request
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

	w := &siteWalk{
		ctx: ctx, c: c, src: s, allowed: expandDomains(s.AllowedDomains), visited: map[string]bool{},
		onLink: func(link, text string) bool {
			if !c.allowedDomain(s, link) {
				return false
			}
			if len(s.ArticlePatterns) > 0 && s.articleURL(link) {
				if a := newArticle(link, strings.Join(strings.Fields(text), " "), time.Time{}, ""); a != nil {
					add(a)
				}
				return false
			}
			return true
		},
	}
	for _, u := range s.URLs {
		if err := w.visit(u, 1); err != nil && !errors.Is(err, errAlreadyVisited) && !errors.Is(err, errMaxDepth) {
			mu.Lock()
			if !alreadyRecorded(errs, u) {
				errs = append(errs, fmt.Errorf("start page %s: %w", u, err))
			}
			mu.Unlock()
		}
	}

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

// expandDomains lists each allowed domain with and without "www." (the
// walk matches host names exactly).
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

// Errors of siteWalk.visit that are not failures of the site.
var (
	errAlreadyVisited = errors.New("already visited")
	errMaxDepth       = errors.New("max depth reached")
	errForbidden      = errors.New("domain not allowed")
)

// siteWalk follows links between the pages of a site, depth first, as
// gocolly/colly did here before (issue 15: it linked two more HTML
// parsers, an XPath engine and App Engine support for this): URLs are
// parsed and resolved by the WHATWG rules (nlnwa/whatwg-url, as colly
// did), each is visited once, only on the exact host names allowed, to the
// source's depth (0: no limit) and at most maxSitePages pages a poll; a
// page's <base href> is honoured. Pages are fetched through the crawler's
// client (robots.txt, SSRF guard, host limits) and decoded to UTF-8.
type siteWalk struct {
	ctx     context.Context
	c       *Crawler
	src     Source
	allowed []string
	visited map[string]bool
	pages   int
	// onLink is called for each a[href] of a page, in document order, with
	// the absolute URL (no fragment) and the link's text; true follows it.
	onLink func(link, text string) bool
}

var whatwgParser = whatwg.NewParser(whatwg.WithPercentEncodeSinglePercentSign())

func (w *siteWalk) visit(raw string, depth int) error {
	wu, err := whatwgParser.Parse(raw)
	if err != nil {
		return err
	}
	u, err := url.Parse(wu.Href(false))
	if err != nil {
		return err
	}
	if d := w.src.Depth; d > 0 && depth > d {
		return errMaxDepth
	}
	if len(w.allowed) > 0 && !slices.Contains(w.allowed, u.Hostname()) {
		return errForbidden
	}
	key := u.String()
	if w.visited[key] {
		return errAlreadyVisited
	}
	w.visited[key] = true
	if w.pages >= maxSitePages || w.ctx.Err() != nil {
		return nil
	}
	w.pages++
	resp, err := w.c.client.Get(w.ctx, fetch.Request{URL: key, Robots: true, Accept: "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"})
	if err != nil {
		return err
	}
	body, _, err := charset.Decode(resp.Body, resp.ContentType)
	if err != nil {
		return err
	}
	final := u
	if f, err := url.Parse(resp.URL); err == nil && resp.URL != "" {
		final = f
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return err
	}
	base := final.String()
	if b := findBaseHref(doc); b != "" {
		if bu, err := whatwgParser.ParseRef(base, b); err == nil {
			base = bu.Href(false)
		}
	}
	var links []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" && hasAttr(n, "href") {
			links = append(links, n)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	for _, a := range links {
		href := attr(a, "href")
		if strings.HasPrefix(href, "#") {
			continue
		}
		abs, err := whatwgParser.ParseRef(base, href)
		if err != nil {
			continue
		}
		link := abs.Href(false)
		if i := strings.IndexByte(link, '#'); i >= 0 {
			link = link[:i]
		}
		if link == "" || !w.onLink(link, nodeText(a)) {
			continue
		}
		_ = w.visit(link, depth+1) // depth, domains and duplicates are checked there
	}
	return nil
}

func findBaseHref(n *html.Node) string {
	if n.Type == html.ElementNode && n.Data == "base" && hasAttr(n, "href") {
		return attr(n, "href")
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if b := findBaseHref(ch); b != "" {
			return b
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// nodeText is the text of n's subtree, its text nodes joined.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
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

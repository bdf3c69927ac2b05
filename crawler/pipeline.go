package crawler

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/crawler/charset"
	"github.com/dongnai/presswatch/crawler/fetch"
	"golang.org/x/text/unicode/norm"
)

// articleJob is one new entry on its way to the bus.
type articleJob struct {
	sr  *sourceRun
	art *article.Article
}

// processArticle fetches and extracts the entry's page, fills in the
// article, recognises duplicates and publishes. A page that cannot be fetched
// or extracted still yields the article the feed described.
func (c *Crawler) processArticle(ctx context.Context, j articleJob) {
	a := j.art
	feedID := a.ID
	if ctx.Err() != nil {
		c.finishIDs(j.sr, []string{feedID}, false)
		return
	}
	c.enrich(ctx, j.sr, a)
	if ctx.Err() != nil {
		c.finishIDs(j.sr, []string{feedID}, false)
		return
	}
	if a.ID != feedID {
		// The page names another canonical URL: maybe a story already known.
		if exist, err := c.opts.Store.ArticlesExist(ctx, []string{a.ID}); err == nil && exist[a.ID] {
			err = c.mergeSource(ctx, []string{a.ID}, a.Source)
			c.finishIDs(j.sr, []string{feedID, a.ID}, err == nil)
			return
		}
		if !c.claim(a.ID, j.sr) {
			c.finishIDs(j.sr, []string{feedID}, false)
			return
		}
	}
	a.Collected = time.Now().UTC()
	sanitizeArticle(a, a.Collected)
	a.Lang = c.lang.Detect(a.Title+"\n"+firstN(a.Text, 2000), a.Lang)
	a.Fingerprint = SimHash(a.Text)

	// A syndicated copy under another URL: one record with every source.
	if orig, dup := c.fps.lookupOrAdd(a.Fingerprint, a.ID, a.CanonicalURL, a.Source); dup {
		c.mergeCopy(ctx, j.sr, a, orig, feedID)
		return
	}
	err := c.opts.Publisher.PublishCollected(ctx, []*article.Article{a})
	c.finishIDs(j.sr, []string{feedID, a.ID}, err == nil)
	if err != nil {
		if ctx.Err() == nil {
			c.m.articleErr.WithLabelValues("publish").Inc()
			c.log.Error("publishing article failed", "source", a.Source, "url", a.URL, "error", err)
		}
		return
	}
	c.m.published.WithLabelValues(j.sr.src.Kind).Inc()
}

// enrich fetches the page and merges what extraction finds into a.
func (c *Crawler) enrich(ctx context.Context, sr *sourceRun, a *article.Article) {
	resp, err := c.client.Get(ctx, fetch.Request{URL: a.URL, Robots: true, Accept: "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"})
	if err != nil {
		if ctx.Err() == nil {
			c.m.articleErr.WithLabelValues("fetch").Inc()
			c.log.Debug("article page not fetched; publishing the feed entry", "source", sr.src.Name, "url", a.URL, "error", err)
		}
		return
	}
	body, _, err := charset.Decode(resp.Body, resp.ContentType)
	if err != nil {
		c.m.articleErr.WithLabelValues("extract").Inc()
		return
	}
	p, err := c.extract(body, resp.URL)
	if err != nil {
		c.m.articleErr.WithLabelValues("extract").Inc()
		c.log.Debug("extraction failed; publishing the feed entry", "source", sr.src.Name, "url", a.URL, "error", err)
		return
	}
	if strings.TrimSpace(p.Text) != "" {
		a.Text = norm.NFC.String(strings.TrimSpace(p.Text))
	}
	if a.Title == "" {
		a.Title = norm.NFC.String(strings.TrimSpace(p.Title))
	}
	if a.Author == "" {
		a.Author = norm.NFC.String(strings.TrimSpace(p.Author))
	}
	if a.Summary == "" {
		a.Summary = truncate(norm.NFC.String(strings.TrimSpace(p.Description)), 2000)
	}
	if a.ImageURL == "" {
		a.ImageURL = p.ImageURL
	}
	if a.Published.IsZero() && !p.Published.IsZero() {
		a.Published = p.Published.UTC()
	}
	if p.Lang != "" {
		a.Lang = p.Lang
	}
	if canon, ok := usableCanonical(p.CanonicalURL, resp.URL); ok {
		if cc, id, err := article.IDFor(canon); err == nil && id != a.ID {
			a.CanonicalURL, a.ID = cc, id
		}
	}
}

// usableCanonical accepts a page's declared canonical URL unless it is
// obviously wrong: not absolute http(s), a site's home page (a common CMS
// mistake that would merge every article into one), or on another site than
// the page (outside its registrable domain): a page must not claim another
// outlet's article ID, which would also stop that article being fetched.
func usableCanonical(canon, pageURL string) (string, bool) {
	canon = strings.TrimSpace(canon)
	if canon == "" {
		return "", false
	}
	cu, err := url.Parse(canon)
	if err != nil {
		return "", false
	}
	if !cu.IsAbs() {
		pu, err := url.Parse(pageURL)
		if err != nil {
			return "", false
		}
		cu = pu.ResolveReference(cu)
	}
	if cu.Scheme != "http" && cu.Scheme != "https" || cu.Host == "" {
		return "", false
	}
	if pu, err := url.Parse(pageURL); err != nil || !sameSite(cu, pu) {
		return "", false
	}
	if strings.Trim(cu.Path, "/") == "" && cu.RawQuery == "" {
		return "", false
	}
	return cu.String(), true
}

// mergeCopy records a near-duplicate of an earlier article as one more source
// of that article's record instead of publishing a second story.
func (c *Crawler) mergeCopy(ctx context.Context, sr *sourceRun, a *article.Article, orig fpEntry, feedID string) {
	c.m.duplicates.WithLabelValues("simhash").Inc()
	// Only the copy's source is added to the original's record, whether the
	// original is stored already or still being classified: none of the
	// copy's fields (URL, title, text, dates) is written under the
	// original's ID, so a copy never overwrites another article's record.
	err := c.addSources(ctx, orig.id, orig.canon, orig.sources[0], append(append([]string{}, orig.sources...), a.Source), a.Collected)
	c.finishIDs(sr, []string{feedID, a.ID}, err == nil)
	if err != nil && ctx.Err() == nil {
		c.m.articleErr.WithLabelValues("store").Inc()
		c.log.Error("recording a syndicated copy failed", "source", a.Source, "url", a.URL, "error", err)
	}
}

func firstN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return truncate(s, n)
}

package crawler

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/crawler/charset"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/store"
	"golang.org/x/text/unicode/norm"
)

// articleJob is one new entry on its way to the bus.
type articleJob struct {
	sr  *sourceRun
	art *article.Article // the entry as the feed described it
	// Deferred fetches: failed attempts so far, when to try next, whether the
	// entry was published without its text already, and the last failure.
	attempts int
	next     time.Time
	textless bool
	lastErr  string
	// lease is the article queue's hold on the page's host while the page
	// is fetched (set by articleQueue.take).
	lease *pageLease
}

// processArticle fetches and extracts the entry's page, fills in the
// article, recognises duplicates and publishes. A page that cannot be
// fetched now (transient failure) is deferred and tried again later; a page
// that cannot be had at all (404, robots.txt, too large, not extractable)
// yields the article the feed described.
func (c *Crawler) processArticle(ctx context.Context, j articleJob) {
	entry := *j.art
	a := &entry
	feedID, feedCanon := a.ID, a.CanonicalURL
	if ctx.Err() != nil {
		c.abandon(j)
		return
	}
	if !c.opts.SkipArticles {
		err := c.enrich(ctx, j.sr, a, j.lease)
		if ctx.Err() != nil {
			c.abandon(j)
			return
		}
		if err != nil && !pageTransient(err) {
			// The entry is published as the feed described it (below), or
			// was already; the source shows why its page was not read.
			c.notePageProblem(j.sr, a.URL, err)
		}
		if err != nil && j.textless && !pageTransient(err) {
			c.markDone(j.sr, feedID) // published without text already; there is none to have
			return
		}
		if err != nil && pageTransient(err) {
			if c.deferJob(ctx, j, err) {
				return
			}
			c.notePageProblem(j.sr, a.URL, fmt.Errorf("given up after %d attempts: %w", j.attempts, err))
			if j.textless {
				c.markDone(j.sr, feedID) // published without text already
				return
			}
		}
	}
	if j.textless {
		// The entry went out without its text; this is the text, under the
		// same ID so that it updates that article.
		a.ID, a.CanonicalURL = feedID, feedCanon
		c.prepare(a, a.Text)
		if first := j.art.Collected; !first.IsZero() && first.Before(a.Collected) {
			a.Collected = first // found when the entry went out without its text
		}
		if c.publishIntent(ctx, j, a, false, true) {
			c.markDone(j.sr, feedID)
		} else if ctx.Err() == nil && !c.deferJob(ctx, j, errors.New("publish failed")) {
			c.markDone(j.sr, feedID)
		} else if ctx.Err() != nil {
			c.abandon(j)
		}
		return
	}
	if a.ID != feedID {
		// The page names another canonical URL: maybe a story already known.
		if exist, err := c.opts.Store.ArticlesExist(ctx, []string{a.ID}); err == nil && exist[a.ID] {
			if err := c.mergeSource(ctx, []string{a.ID}, a.Source); err != nil {
				c.retryLater(ctx, j, err)
				return
			}
			c.markDone(j.sr, feedID, a.ID)
			return
		}
		if !c.claim(a.ID, j.sr) {
			c.finishIDs(j.sr, []string{feedID}, false)
			return
		}
	}
	c.prepare(a, a.Text)

	// A syndicated copy under another URL: one record with every source.
	if orig, dup := c.fps.lookupOrAdd(a.Fingerprint, a.ID, a.CanonicalURL, a.Source); dup {
		srcs := appendUnique(append([]string{}, orig.sources...), a.Source)
		c.w.add(nil, nil, []store.Fingerprint{{ID: orig.id, FP: orig.fp, Canon: orig.canon, Sources: srcs, Added: time.Now()}})
		c.mergeCopy(ctx, j, a, orig, feedID)
		return
	} else if a.Fingerprint != 0 {
		c.w.add(nil, nil, []store.Fingerprint{{ID: a.ID, FP: a.Fingerprint, Canon: a.CanonicalURL, Sources: []string{a.Source}, Added: time.Now()}})
	}
	if c.publishIntent(ctx, j, a, false, false) {
		c.markDone(j.sr, feedID, a.ID)
		return
	}
	if ctx.Err() != nil {
		c.abandon(j)
		return
	}
	c.retryLater(ctx, j, errors.New("publish failed"))
}

// retryLater defers a job after a failure of the store or the bus; a job
// that has run out of attempts is dropped with its error recorded.
func (c *Crawler) retryLater(ctx context.Context, j articleJob, err error) {
	if ctx.Err() != nil {
		c.abandon(j)
		return
	}
	if !c.deferJob(ctx, j, err) {
		c.log.Error("article given up", "source", j.sr.src.Name, "url", j.art.URL, "error", err)
		rec := c.itemRecord(j, store.ItemDone)
		c.w.add(nil, []store.CrawlerItem{rec}, nil)
		c.finishIDs(j.sr, []string{j.art.ID}, true)
	}
}

// enrich fetches the page (with the rate-limit turn the article queue took
// for it, whose host slot it gives back once the page is fetched) and merges
// what extraction finds into a. It returns the fetch's error (or nil when
// the page was fetched, even if it could not be extracted: the entry is then
// published as it is).
func (c *Crawler) enrich(ctx context.Context, sr *sourceRun, a *article.Article, lease *pageLease) error {
	resp, err := c.client.Get(ctx, fetch.Request{URL: a.URL, Robots: true, Accept: "text/html, application/xhtml+xml;q=0.9, */*;q=0.5", Turn: lease.fetchTurn()})
	lease.end()
	if err != nil {
		if ctx.Err() == nil {
			c.m.articleErr.WithLabelValues("fetch").Inc()
			c.log.Debug("article page not fetched", "source", sr.src.Name, "url", a.URL, "transient", fetch.Transient(err), "error", err)
		}
		return err
	}
	if kind := notAPage(resp.ContentType, resp.Body); kind != "" {
		// A PDF or an image read as HTML is kilobytes of binary noise
		// stored, classified and alerted as the article's text.
		c.m.articleErr.WithLabelValues("extract").Inc()
		return fmt.Errorf("page %s is %s, not a web page: %w", a.URL, kind, errNotAPage)
	}
	body, _, err := charset.Decode(resp.Body, resp.ContentType)
	if err != nil {
		c.m.articleErr.WithLabelValues("extract").Inc()
		return fmt.Errorf("page %s: %w: %w", a.URL, err, errNotAPage)
	}
	p, err := c.extract(body, resp.URL)
	if err != nil {
		c.m.articleErr.WithLabelValues("extract").Inc()
		return fmt.Errorf("page %s: no article text extracted: %w: %w", a.URL, err, errNotAPage)
	}
	if isRefreshStub(body, p.Text) {
		// "Redirecting…" is not the article: the entry keeps what the feed
		// said. The refresh is not followed (it may point anywhere).
		c.m.articleErr.WithLabelValues("extract").Inc()
		return fmt.Errorf("page %s is a redirect page (meta refresh), not the article: %w", a.URL, errNotAPage)
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
	return nil
}

// errNotAPage marks a page that was fetched but has no article to read: not
// a web page, undecodable or not extractable. Retrying does not change it.
var errNotAPage = errors.New("no article in the page")

// isRefreshStub reports whether a page is only a meta-refresh redirect: it
// declares one and has next to no text of its own.
func isRefreshStub(body []byte, text string) bool {
	if utf8.RuneCountInString(strings.TrimSpace(text)) > 300 {
		return false
	}
	head := strings.ToLower(string(body[:min(len(body), 64<<10)]))
	i := strings.Index(head, "http-equiv")
	for i >= 0 {
		rest := strings.TrimLeft(head[i+len("http-equiv"):], " \t\r\n=\"'")
		if strings.HasPrefix(rest, "refresh") {
			return true
		}
		j := strings.Index(head[i+1:], "http-equiv")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// pageTransient reports whether a page's failure may pass if it is tried
// again later: a page with no article in it stays that way.
func pageTransient(err error) bool {
	return !errors.Is(err, errNotAPage) && fetch.Transient(err)
}

// notAPage names what a fetched body is when it is not a web page ("a PDF
// document", "binary data"), or returns "". The declared type decides when
// it is a known document or media type; otherwise the first bytes are
// sniffed (a PNG served as text/html is still a PNG).
func notAPage(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	mt = strings.ToLower(mt)
	sniffed := http.DetectContentType(body)
	switch {
	case mt == "application/pdf":
		return "a PDF document"
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"), strings.HasPrefix(mt, "font/"):
		return "a file of type " + mt
	case (mt == "application/zip" || mt == "application/octet-stream" || mt == "application/msword" ||
		strings.HasPrefix(mt, "application/vnd.")) && !strings.HasPrefix(sniffed, "text/"):
		return "a file of type " + mt
	case strings.HasPrefix(sniffed, "application/pdf"):
		return "a PDF document"
	case strings.HasPrefix(sniffed, "image/"), strings.HasPrefix(sniffed, "audio/"), strings.HasPrefix(sniffed, "video/"),
		strings.HasPrefix(sniffed, "font/"), sniffed == "application/zip", sniffed == "application/x-gzip",
		sniffed == "application/wasm", sniffed == "application/vnd.ms-fontobject":
		return "a file of type " + sniffed
	}
	return ""
}

// notePageProblem records on the source an article page that could not be
// read, and logs it.
func (c *Crawler) notePageProblem(sr *sourceRun, url string, err error) {
	c.log.Warn("article page not read; the entry is published as the feed gave it", "source", sr.src.Name, "url", url, "error", err)
	sr.mu.Lock()
	sr.pageProblem = truncate(err.Error(), maxErrorText)
	sr.pageProblems++
	sr.mu.Unlock()
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
func (c *Crawler) mergeCopy(ctx context.Context, j articleJob, a *article.Article, orig fpEntry, feedID string) {
	c.m.duplicates.WithLabelValues("simhash").Inc()
	// Only the copy's source is added to the original's record, whether the
	// original is stored already or still being classified: none of the
	// copy's fields (URL, title, text, dates) is written under the
	// original's ID, so a copy never overwrites another article's record.
	err := c.addSources(ctx, orig.id, orig.canon, orig.sources[0], append(append([]string{}, orig.sources...), a.Source), a.Collected)
	if err != nil {
		c.m.articleErr.WithLabelValues("store").Inc()
		c.retryLater(ctx, j, fmt.Errorf("record a syndicated copy: %w", err))
		return
	}
	c.markDone(j.sr, feedID, a.ID)
}

func firstN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return truncate(s, n)
}

package crawler

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/crawler/feed"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/store"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// entry is a candidate article found by a poll.
type entry struct {
	art  *article.Article
	guid string // the feed entry's GUID (RSS guid, Atom id, JSON Feed id), if any
}

// maxErrorText bounds the error text kept in the store.
const maxErrorText = 500

// pageProblemPrefix starts a source's warning about its article pages (the
// web UI's sources page names it by this).
const pageProblemPrefix = "article pages not read:"

// lightSaveEvery is how often the state of a source that keeps answering 304
// is written.
const lightSaveEvery = time.Minute

// poll polls one source, records its health and hands new entries on.
func (c *Crawler) poll(ctx context.Context, sr *sourceRun) {
	start := time.Now()
	var (
		entries     []entry
		notModified bool
		err         error
	)
	switch sr.src.Kind {
	case KindSite:
		entries, err = c.collectSite(ctx, sr)
	default:
		entries, notModified, err = c.collectFeeds(ctx, sr)
	}
	if ctx.Err() != nil {
		return // shutting down: the poll did not really happen
	}
	c.m.pollTime.WithLabelValues(sr.src.Kind).Observe(time.Since(start).Seconds())

	var fresh []entry
	if len(entries) > 0 {
		var ferr error
		fresh, ferr = c.filterNew(ctx, sr, entries)
		if ferr != nil && (err == nil || onlyPartial(err)) {
			err = ferr
		}
	}

	freshPub, knownPub := pubTimes(entries, fresh)
	fresh, deferred := c.capFresh(sr, fresh, start)

	sr.mu.Lock()
	st := &sr.state
	wasFailing := st.ConsecutiveErrors > 0
	st.LastAttempt = start
	if err != nil && onlyPaused(err) {
		// Not this source's failure: its host is paused by a Retry-After
		// (maybe answered to another source). Poll again when it ends.
		ra, _ := fetch.RetryAfter(err)
		st.NextAttempt = start.Add(ra + time.Second)
		c.m.polls.WithLabelValues(sr.src.Kind, statusPaused).Inc()
		saved := *st
		sr.mu.Unlock()
		c.w.add([]store.SourceState{saved}, nil, nil)
		return
	}
	warning := ""
	if onlyPartial(err) {
		// Read with repairs: a success that the source's page still shows.
		warning, err = truncate(err.Error(), maxErrorText), nil
	}
	if err == nil && warning == "" && deferred > 0 {
		warning = fmt.Sprintf("%s: took the newest %d of %d new entries; the other %d come with the next polls",
			deferredPrefix, len(fresh), len(fresh)+deferred, deferred)
	}
	if err == nil && warning == "" && sr.pageProblems > 0 {
		// Article pages that could not be read since the last poll: the
		// feed is fine, but what it links to is not.
		warning = truncate(fmt.Sprintf("%s %d since the last poll, the last: %s", pageProblemPrefix, sr.pageProblems, sr.pageProblem), maxErrorText)
	}
	if err == nil {
		sr.pageProblems, sr.pageProblem = 0, ""
	}
	if err != nil {
		st.ConsecutiveErrors++
		st.LastError = truncate(err.Error(), maxErrorText)
		ra, _ := fetch.RetryAfter(err)
		// Counted from when the poll failed, not from when it started: a
		// source that held its host until the 30 s timeout was otherwise
		// due again at once, before its backoff could keep it away.
		st.NextAttempt = time.Now().Add(backoff(st.ConsecutiveErrors, sr.src.IntervalMin, sr.src.IntervalMax, ra))
		c.m.polls.WithLabelValues(sr.src.Kind, statusError).Inc()
	} else {
		st.ConsecutiveErrors = 0
		st.LastError = warning
		st.LastSuccess = start
		status := statusOK
		if notModified {
			status = statusNotModified
		}
		c.m.polls.WithLabelValues(sr.src.Kind, status).Inc()
	}
	observe(st, freshPub, knownPub, err == nil, start, sr.src.IntervalMin, sr.src.IntervalMax,
		c.opts.SilentFactor, c.opts.SourceDefaults.SilentMin)
	if err == nil {
		st.NextAttempt = start.Add(jitter(st.Interval))
	}
	if deferred > 0 {
		// The entries left over are fetched again (the validators were
		// forgotten) and taken by the next poll, which comes soon.
		st.ETag, st.LastModified = "", ""
		clear(sr.validators)
		st.NextAttempt = start.Add(min(sr.src.IntervalMin, deferredPollGap))
	}
	for _, e := range fresh {
		sr.markPending(idKey(e.art.ID))
	}
	saved := *st
	if len(fresh) > 0 {
		sr.savedAt = start
	}
	// An unchanged feed changes only its times: write those at most once a
	// minute, so the 304 path costs no store write.
	light := err == nil && notModified && len(fresh) == 0 && !wasFailing
	persist := !light || start.Sub(sr.savedAt) >= lightSaveEvery
	if persist {
		sr.savedAt = start
	}
	sr.mu.Unlock()

	if err != nil {
		c.log.Warn("poll failed", "source", sr.src.Name, "kind", sr.src.Kind, "consecutive_errors", saved.ConsecutiveErrors, "next_attempt", saved.NextAttempt, "error", err)
	}
	if len(fresh) == 0 {
		if persist {
			c.w.add([]store.SourceState{saved}, nil, nil)
		}
		return
	}
	c.m.newItems.WithLabelValues(sr.src.Kind).Add(float64(len(fresh)))
	if c.opts.SkipArticles {
		// Published at once; the state (new validators) is written with the
		// entries' done records, never before them.
		c.publishEntries(ctx, sr, fresh, saved)
		return
	}
	// The new validators and the entries, queued, in one commit: a stop at
	// any point later loses no entry.
	queued := make([]store.CrawlerItem, 0, len(fresh))
	for _, e := range fresh {
		queued = append(queued, c.itemRecord(articleJob{sr: sr, art: e.art}, store.ItemQueued))
	}
	c.w.add([]store.SourceState{saved}, queued, nil)
	c.dispatch(ctx, sr, fresh)
}

// pubTimes returns the publication times (zero when undated) of the new
// entries and of the poll's other entries, each article once (filterNew
// compacts entries in place, which can leave an entry twice): the dates the
// publication rate is estimated from.
func pubTimes(entries, fresh []entry) (freshPub, knownPub []time.Time) {
	if len(fresh) == 0 {
		return nil, nil // no new item: the rate is not updated
	}
	seen := make(map[string]bool, len(entries))
	for _, e := range fresh {
		seen[e.art.ID] = true
		freshPub = append(freshPub, e.art.Published)
	}
	for _, e := range entries {
		if seen[e.art.ID] {
			continue
		}
		seen[e.art.ID] = true
		knownPub = append(knownPub, e.art.Published)
	}
	return freshPub, knownPub
}

// DefaultMaxNewPerPoll is how many new entries one poll of a source takes
// when crawler.max_new_per_poll is unset: more than an outlet publishes
// between two polls (feeds list 10–100 entries), far fewer than a feed that
// lists its whole archive, or a hostile one thousands of entries, would put
// in the article queue, the bus and the classifier's backlog at once.
const DefaultMaxNewPerPoll = 200

// deferredPollGap is the longest wait before the next poll of a source
// whose poll left new entries for later (the source's interval_min when
// shorter). Per-host politeness still applies to it.
const deferredPollGap = 30 * time.Second

// deferredPrefix starts a source's warning about entries left for later.
const deferredPrefix = "more new entries than one poll takes"

// capFresh keeps the newest Options.MaxNewPerPoll of a poll's new entries
// (an undated entry counts as published now) and releases the others, which
// the next polls find new again: the caller forgets the source's validators,
// so the next poll reads the feed whole instead of getting a 304. It returns
// the entries kept and how many were left.
func (c *Crawler) capFresh(sr *sourceRun, fresh []entry, now time.Time) ([]entry, int) {
	limit := c.opts.MaxNewPerPoll
	if limit == 0 {
		limit = DefaultMaxNewPerPoll
	}
	if limit < 0 || len(fresh) <= limit {
		return fresh, 0
	}
	when := func(e entry) time.Time {
		if e.art.Published.IsZero() {
			return now
		}
		return e.art.Published
	}
	sorted := slices.Clone(fresh) // fresh may share its array with the poll's entries
	slices.SortStableFunc(sorted, func(a, b entry) int { return when(b).Compare(when(a)) })
	for _, e := range sorted[limit:] {
		c.unclaim(e.art.ID, sr)
	}
	return sorted[:limit], len(sorted) - limit
}

// onlyPaused reports whether every error joined in err is a paused host.
func onlyPaused(err error) bool {
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range u.Unwrap() {
			if !onlyPaused(e) {
				return false
			}
		}
		return len(u.Unwrap()) > 0
	}
	return fetch.IsPaused(err)
}

// flushInterval is how often queued crawler state is committed.
const flushInterval = 250 * time.Millisecond

// flush commits the queued crawler state (benchmarks drive it directly).
func (c *Crawler) flush(ctx context.Context) {
	if err := c.w.flush(ctx); err != nil {
		c.log.Warn("saving crawler state failed", "error", err)
	}
}

// flushLoop commits queued crawler state until ctx is done (benchmarks).
func (c *Crawler) flushLoop(ctx context.Context) { c.w.run(ctx, flushInterval) }

// parseConcurrency is how many feeds are parsed at once. Parsing is CPU
// work: with hundreds of pollers on a few cores, unbounded parsing only
// interleaves them, each holding its body, its document tree and its new
// entries at the same time (the peak memory of a first fetch, issue 18).
func parseConcurrency() int { return 2 * runtime.GOMAXPROCS(0) }

// bodyBudget bounds the bytes of feed bodies held at once, read and waiting
// for a parse slot or being parsed: a poller whose answer has come waits for
// room before reading its body. Without it, 512 pollers on two cores held
// ~400 bodies (14 MB) waiting for the CPU in a first fetch (issue 18).
const bodyBudget = 4 << 20

// unknownBodySize is what a body without Content-Length reserves.
const unknownBodySize = 64 << 10

// collectFeeds fetches every URL of a feed or search feed source.
func (c *Crawler) collectFeeds(ctx context.Context, sr *sourceRun) ([]entry, bool, error) {
	var (
		out     []entry
		errs    []error
		allSame = true
	)
	for i, u := range sr.src.URLs {
		got, same, err := c.collectFeed(ctx, sr, i, u)
		out = append(out, got...)
		allSame = allSame && same
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, allSame && len(errs) == 0, errors.Join(errs...)
}

// collectFeed fetches URL u, the i-th of a source, and returns its entries;
// same is true when it answered 304.
func (c *Crawler) collectFeed(ctx context.Context, sr *sourceRun, i int, u string) (_ []entry, same bool, _ error) {
	sr.mu.Lock()
	var etag, lm string
	if i == 0 {
		etag, lm = sr.state.ETag, sr.state.LastModified
	} else {
		v := sr.validators[u]
		etag, lm = v[0], v[1]
	}
	sr.mu.Unlock()
	var held int64 // bytes of the body budget taken
	defer func() {
		if held > 0 {
			c.bodies.Release(held)
		}
	}()
	resp, err := c.client.Get(ctx, fetch.Request{URL: u, ETag: etag, LastModified: lm,
		Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
		BeforeBody: func(ctx context.Context, size int64) error {
			n := size
			if n < 0 {
				n = unknownBodySize
			}
			n = min(max(n, 1), bodyBudget)
			if err := c.bodies.Acquire(ctx, n); err != nil {
				return err
			}
			held = n
			return nil
		}})
	if err != nil {
		return nil, false, fmt.Errorf("poll %s: %w", u, err)
	}
	sr.mu.Lock()
	if i == 0 {
		sr.state.ETag, sr.state.LastModified = resp.ETag, resp.LastModified
	} else {
		sr.validators[u] = [2]string{resp.ETag, resp.LastModified}
	}
	sr.mu.Unlock()
	if resp.NotModified {
		return nil, true, nil
	}
	// A body that is not read to the end — broken, or left when the crawler
	// stops while it waits for a parse slot — must be fetched again, not
	// answered by a 304.
	forget := func() {
		sr.mu.Lock()
		if i == 0 {
			sr.state.ETag, sr.state.LastModified = "", ""
		} else {
			delete(sr.validators, u)
		}
		sr.mu.Unlock()
	}
	select {
	case c.parseSlots <- struct{}{}:
	case <-ctx.Done():
		forget()
		return nil, false, fmt.Errorf("poll %s: %w", u, ctx.Err())
	}
	defer func() { <-c.parseSlots }()
	f, err := feed.Parse(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		forget()
		return nil, false, fmt.Errorf("poll %s: %w", u, err)
	}
	var out []entry
	for _, it := range f.Items {
		if a := c.articleFromItem(sr, f, it); a != nil {
			out = append(out, entry{art: a, guid: it.GUID})
		}
	}
	return out, false, feedWarnings(u, f.Warnings)
}

// articleFromItem builds the article known from a feed entry.
func (c *Crawler) articleFromItem(sr *sourceRun, f *feed.Feed, it feed.Item) *article.Article {
	if it.Link == "" {
		return nil
	}
	canon, id, err := article.IDFor(it.Link)
	if err != nil {
		return nil
	}
	s := sr.src
	lang := it.Lang
	if lang == "" {
		lang = s.Lang
	}
	text := htmlText(it.Content)
	summary := text // an entry without a summary is summarised by its content
	if it.Summary != "" {
		summary = htmlText(it.Summary)
	}
	return &article.Article{
		ID: id, URL: it.Link, CanonicalURL: canon, Source: s.Name, Sources: []string{s.Name},
		Outlet: s.Outlet, Country: s.Country, Tier: s.Tier, Lang: lang,
		Title: norm.NFC.String(it.Title), Author: norm.NFC.String(it.Author),
		Summary:  truncate(summary, 2000),
		ImageURL: it.ImageURL, Published: it.Published,
		Text: text,
	}
}

// filterNew drops entries already known: seen by this source, in flight, too
// old, or already stored — in which case this source is added to the stored
// record's sources.
func (c *Crawler) filterNew(ctx context.Context, sr *sourceRun, entries []entry) ([]entry, error) {
	entries, gerr := c.applyGUIDs(ctx, sr, entries)
	if gerr != nil {
		return nil, gerr
	}
	var oldest time.Time
	if c.opts.MaxItemAge > 0 {
		oldest = time.Now().Add(-c.opts.MaxItemAge)
	}
	var cand []entry
	ids := map[string]bool{}
	sr.mu.Lock()
	for _, e := range entries {
		k := idKey(e.art.ID)
		if sr.seen.has(k) || sr.pending[k] || ids[e.art.ID] {
			continue
		}
		if !e.art.Published.IsZero() && e.art.Published.Before(oldest) {
			sr.seen.add(k)
			continue
		}
		ids[e.art.ID] = true
		cand = append(cand, e)
	}
	sr.mu.Unlock()
	if len(cand) == 0 {
		return nil, nil
	}
	// What this source published or has in hand before the last start.
	keys := make([]int64, 0, len(cand))
	for _, e := range cand {
		keys = append(keys, itemKey(e.art.ID))
	}
	recorded, err := c.opts.Store.CrawlerItemStates(ctx, sr.src.Name, keys)
	if err != nil {
		return nil, fmt.Errorf("check seen items: %w", err)
	}
	if len(recorded) > 0 {
		kept := cand[:0]
		sr.mu.Lock()
		for _, e := range cand {
			k := itemKey(e.art.ID)
			if st, ok := recorded[k]; ok {
				if st == store.ItemDone {
					sr.seen.add(uint64(k))
				}
				continue // done, or queued and taken up at start
			}
			kept = append(kept, e)
		}
		sr.mu.Unlock()
		cand = kept
		if len(cand) == 0 {
			return nil, nil
		}
	}
	list := make([]string, 0, len(cand))
	for _, e := range cand {
		list = append(list, e.art.ID)
	}
	exist, err := c.opts.Store.ArticlesExist(ctx, list)
	if err != nil {
		return nil, fmt.Errorf("check known articles: %w", err)
	}
	var fresh []entry
	var known []string
	for _, e := range cand {
		if exist[e.art.ID] {
			known = append(known, e.art.ID)
			continue
		}
		if !c.claim(e.art.ID, sr) {
			continue // another source has it in hand; merged on a later poll
		}
		fresh = append(fresh, e)
	}
	if len(known) > 0 {
		if err := c.mergeSource(ctx, known, sr.src.Name); err != nil {
			return fresh, err
		}
		c.markDone(sr, known...)
	}
	return fresh, nil
}

// mergeSource records source on stored articles that lack it: the same story
// found by another feed or crawl becomes one record with every source.
func (c *Crawler) mergeSource(ctx context.Context, ids []string, source string) error {
	arts, err := c.opts.Store.GetArticles(ctx, ids)
	if err != nil {
		return fmt.Errorf("load known articles: %w", err)
	}
	var changed []*article.Article
	for _, a := range arts {
		has := a.Source == source
		for _, s := range a.Sources {
			has = has || s == source
		}
		if !has {
			a.Sources = append(a.Sources, source)
			a.Classification = nil // leave the stored verdict as it is
			changed = append(changed, a)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if err := c.opts.Store.UpsertArticles(ctx, changed); err != nil {
		c.m.articleErr.WithLabelValues("store").Inc()
		return fmt.Errorf("record source on known articles: %w", err)
	}
	c.m.duplicates.WithLabelValues("url").Add(float64(len(changed)))
	return nil
}

// dispatch puts new entries in the article queue (artqueue.go), waiting
// while it is full. When the crawler stops meanwhile, the rest stay queued
// in the store for the next start.
func (c *Crawler) dispatch(ctx context.Context, sr *sourceRun, fresh []entry) {
	stop := c.stopping()
	for i, e := range fresh {
		if ctx.Err() != nil || !c.arts.add(ctx, stop, articleJob{sr: sr, art: e.art}, false) {
			c.finish(sr, articles(fresh[i:]), false)
			return
		}
	}
}

func articles(es []entry) []*article.Article {
	out := make([]*article.Article, 0, len(es))
	for _, e := range es {
		out = append(out, e.art)
	}
	return out
}

// finish ends the processing of articles of a source: published (or merged)
// ones are remembered as seen; failed ones will be tried again next poll.
func (c *Crawler) finish(sr *sourceRun, arts []*article.Article, done bool) {
	ids := make([]string, 0, len(arts))
	for _, a := range arts {
		ids = append(ids, a.ID)
	}
	c.finishIDs(sr, ids, done)
}

// finishIDs is finish by article ID (an article may carry two: the feed
// link's and its page's canonical URL's).
func (c *Crawler) finishIDs(sr *sourceRun, ids []string, done bool) {
	if !done {
		for _, id := range ids {
			c.unclaim(id, sr)
		}
	}
	sr.mu.Lock()
	defer sr.mu.Unlock()
	for _, id := range ids {
		k := idKey(id)
		delete(sr.pending, k)
		if done {
			sr.seen.add(k)
		}
	}
	if len(sr.pending) == 0 {
		// A map keeps the room of its largest size: 10,000 sources' maps
		// emptied after a first fetch of 20 entries each held ~7 MB.
		sr.pending = nil
	}
}

// markPending records that the entry with key k is being processed; the
// caller holds sr.mu.
func (sr *sourceRun) markPending(k uint64) {
	if sr.pending == nil {
		sr.pending = map[uint64]bool{}
	}
	sr.pending[k] = true
}

// htmlText returns the text of an HTML fragment (or of plain text with
// entities), whitespace collapsed, in NFC.
func htmlText(s string) string {
	if s == "" {
		return ""
	}
	if !strings.ContainsAny(s, "<&") {
		return norm.NFC.String(collapseSpace(s))
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return norm.NFC.String(collapseSpace(b.String()))
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
				b.WriteByte(' ')
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			if string(name) == "script" || string(name) == "style" {
				skip++
			}
			b.WriteByte(' ')
		case html.EndTagToken:
			name, _ := z.TagName()
			if (string(name) == "script" || string(name) == "style") && skip > 0 {
				skip--
			}
			b.WriteByte(' ')
		}
	}
}

// collapseSpace is strings.Join(strings.Fields(s), " ") without the slice of
// words (6 % of a first fetch's CPU, issue 18).
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			i += n
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(s[i : i+n]) // invalid bytes kept as they are, like Fields
		i += n
	}
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

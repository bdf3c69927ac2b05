package crawler

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/store"
)

// The life of a feed entry (issues 12 and 18). A new entry is recorded as
// queued (with the source state that found it, in one commit) before its page
// is fetched; just before it is published it is recorded as publishing under
// the ID it goes out with, and that record is committed first; after the
// PubAck it is done. A page that cannot be fetched now (429/503, Retry-After,
// a paused host, a network error) stays queued with its attempts and next
// attempt, and is tried again with backoff. At start the crawler takes up the
// queued entries and asks the bus which publishing ones arrived: so a stop at
// any point, even SIGKILL, neither loses an entry nor publishes one twice.

// itemKey is the store key of an article ID.
func itemKey(id string) int64 { return int64(idKey(id)) }

// itemRecord is the store record of a job in the given state.
func (c *Crawler) itemRecord(j articleJob, state int) store.CrawlerItem {
	it := store.CrawlerItem{Source: j.sr.src.Name, Key: itemKey(j.art.ID), State: state, Attempts: j.attempts,
		NextAttempt: j.next, Textless: j.textless, LastError: truncate(j.lastErr, maxErrorText)}
	if state != store.ItemDone {
		data, err := article.Marshal(j.art)
		if err == nil {
			it.Article = data
		}
	}
	return it
}

// doneRecords are the records of ids done for source.
func doneRecords(source string, ids ...string) []store.CrawlerItem {
	out := make([]store.CrawlerItem, 0, len(ids))
	seen := map[int64]bool{}
	for _, id := range ids {
		k := itemKey(id)
		if id == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, store.CrawlerItem{Source: source, Key: k, State: store.ItemDone})
	}
	return out
}

// markDone records ids of sr as published or merged, durably and in memory.
func (c *Crawler) markDone(sr *sourceRun, ids ...string) {
	c.w.add(nil, doneRecords(sr.src.Name, ids...), nil)
	c.finishIDs(sr, ids, true)
}

// abandon drops a job on stop: its record stays queued for the next start.
func (c *Crawler) abandon(j articleJob) {
	c.finishIDs(j.sr, []string{j.art.ID}, false)
}

// fetchBackoff is the wait before the n-th retry of an article page (n ≥ 1):
// base doubling up to 30 min, with equal jitter.
func fetchBackoff(base time.Duration, n int) time.Duration {
	d := base << min(n-1, 10)
	d = min(d, 30*time.Minute)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// deferJob puts a job whose page could not be fetched because of cause back
// in the queue, durably, with backoff (a server's Retry-After or a host's
// pause wins when longer). After TextlessAfter attempts the entry is
// published without the page's text (once); the page is still fetched later.
// It returns false when the job has had MaxFetchAttempts: the caller gives up.
func (c *Crawler) deferJob(ctx context.Context, j articleJob, cause error) bool {
	j.attempts++
	j.lastErr = cause.Error()
	if j.attempts > c.opts.MaxFetchAttempts {
		return false
	}
	wait := fetchBackoff(c.opts.FetchRetryBase, j.attempts)
	if ra, ok := fetch.RetryAfter(cause); ok && ra+time.Second > wait {
		// Spread the retries over a tenth of the window, so they do not all
		// hit the host the moment it opens.
		wait = ra + 500*time.Millisecond + time.Duration(rand.Int64N(int64(ra/10)+1))
	}
	j.next = time.Now().Add(wait)
	c.m.articleErr.WithLabelValues("deferred").Inc()
	if !j.textless && j.attempts >= c.opts.TextlessAfter {
		cp := *j.art
		c.prepare(&cp, cp.Title+" "+cp.Summary)
		// Remembered with the job, so the revision with the text keeps the
		// collection time of this first publish (reports and the search's
		// collected dates count an article on the day it was first found).
		j.art.Collected = cp.Collected
		if c.publishIntent(ctx, j, &cp, true, false) {
			j.textless = true
		}
		if ctx.Err() != nil {
			// Stopping: the record says what is known; the next start goes on.
			c.w.add(nil, []store.CrawlerItem{c.itemRecord(j, store.ItemQueued)}, nil)
			c.abandon(j)
			return true
		}
	}
	c.w.add(nil, []store.CrawlerItem{c.itemRecord(j, store.ItemQueued)}, nil)
	c.defq.push(j)
	return true
}

// prepare fills in what every published article carries.
func (c *Crawler) prepare(a *article.Article, fpText string) {
	a.Collected = time.Now().UTC()
	// Hostile or broken content is made safe before anything reads it:
	// bidi controls, future dates, over-long titles (integrity.go).
	sanitizeArticle(a, a.Collected)
	a.Lang = c.lang.Detect(a.Title+"\n"+firstN(a.Text, 2000), a.Lang)
	if a.Text == "" {
		a.Lang = c.lang.Detect(a.Title+"\n"+a.Summary, a.Lang)
	}
	a.Fingerprint = SimHash(fpText)
}

// publishIntent records that a (job j's entry, maybe under another ID) is
// being published, waits for that record to be durable, and publishes.
// textless marks the entry's first, textless publish; revision publishes a
// new version of an article already out. It reports whether the bus
// acknowledged the article; on failure the job's record is left for the
// caller to update.
func (c *Crawler) publishIntent(ctx context.Context, j articleJob, a *article.Article, textless, revision bool) bool {
	rec := c.itemRecord(j, store.ItemPublishing)
	rec.Textless = j.textless || textless
	if !revision {
		rec.PubID = a.ID
	}
	if err := c.w.commit(ctx, nil, []store.CrawlerItem{rec}, nil); err != nil {
		return false
	}
	var err error
	if rp, ok := c.opts.Publisher.(RevisionPublisher); ok && revision {
		err = rp.PublishCollectedRevision(ctx, []*article.Article{a})
	} else {
		err = c.opts.Publisher.PublishCollected(ctx, []*article.Article{a})
	}
	if err != nil {
		if ctx.Err() == nil {
			c.m.articleErr.WithLabelValues("publish").Inc()
			c.log.Warn("publishing article failed; it stays queued", "source", a.Source, "url", a.URL, "error", err)
		}
		return false
	}
	c.m.published.WithLabelValues(j.sr.src.Kind).Inc()
	return true
}

// publishEntries publishes a poll's new entries as they are (SkipArticles)
// in one batch: intents committed first, then done with the source's state.
// Entries that the bus did not acknowledge stay queued and are retried.
func (c *Crawler) publishEntries(ctx context.Context, sr *sourceRun, fresh []entry, st store.SourceState) {
	arts := make([]*article.Article, 0, len(fresh))
	intents := make([]store.CrawlerItem, 0, len(fresh))
	for _, e := range fresh {
		c.prepare(e.art, e.art.Title+" "+e.art.Summary)
		arts = append(arts, e.art)
		// No entry in the intent: if this publish never happens, neither does
		// the commit of the feed's new validators, so the feed is read again
		// and the entry found again (the record is forgotten at start).
		intents = append(intents, store.CrawlerItem{Source: sr.src.Name, Key: itemKey(e.art.ID), State: store.ItemPublishing, PubID: e.art.ID})
	}
	if err := c.w.commit(ctx, nil, intents, nil); err != nil {
		// Cut off by the stop deadline: nothing was published; the records
		// (if written at all) are resolved at the next start.
		c.finish(sr, arts, false)
		return
	}
	err := c.opts.Publisher.PublishCollected(ctx, arts)
	failed := map[string]bool{}
	if err != nil {
		var pe *bus.PublishError
		if errors.As(err, &pe) {
			for _, id := range pe.Failed {
				failed[id] = true
			}
		} else {
			for _, a := range arts {
				failed[a.ID] = true
			}
		}
		if ctx.Err() == nil {
			c.m.articleErr.WithLabelValues("publish").Inc()
			c.log.Warn("publishing entries failed; they stay queued", "source", sr.src.Name, "entries", len(failed), "error", err)
		}
	}
	recs := make([]store.CrawlerItem, 0, len(arts))
	var done []string
	for _, a := range arts {
		if failed[a.ID] {
			j := articleJob{sr: sr, art: a, attempts: 1, lastErr: fmt.Sprint(err), next: time.Now().Add(fetchBackoff(c.opts.FetchRetryBase, 1))}
			recs = append(recs, c.itemRecord(j, store.ItemQueued))
			if ctx.Err() == nil {
				c.defq.push(j)
			}
			continue
		}
		done = append(done, a.ID)
	}
	recs = append(recs, doneRecords(sr.src.Name, done...)...)
	c.w.add([]store.SourceState{st}, recs, nil)
	c.finishIDs(sr, done, true)
	c.m.published.WithLabelValues(sr.src.Kind).Add(float64(len(done)))
	if ctx.Err() != nil {
		for id := range failed {
			c.finishIDs(sr, []string{id}, false)
		}
	}
}

// loadOpenItems takes up the entries not done at the last stop: queued ones
// go to the deferred queue; publishing ones are checked against the bus.
func (c *Crawler) loadOpenItems(ctx context.Context) error {
	open, err := c.opts.Store.ListOpenCrawlerItems(ctx)
	if err != nil {
		return fmt.Errorf("crawler: %w", err)
	}
	if len(open) == 0 {
		return nil
	}
	var since time.Time
	for _, it := range open {
		if it.State == store.ItemPublishing && it.PubID != "" && (since.IsZero() || it.Updated.Before(since)) {
			since = it.Updated
		}
	}
	var published map[string]bool
	if !since.IsZero() {
		if pc, ok := c.opts.Publisher.(PublishedChecker); ok {
			// A minute of margin for clocks: the store's times are ours, the
			// stream's are the NATS server's.
			published, err = pc.CollectedIDsSince(ctx, since.Add(-time.Minute))
			if err != nil {
				return fmt.Errorf("crawler: check publishes in progress at the last stop: %w", err)
			}
		}
	}
	var fix []store.CrawlerItem
	queued, resolved := 0, 0
	for _, it := range open {
		if it.State == store.ItemPublishing {
			switch {
			case it.PubID != "" && published[it.PubID] && !it.Textless:
				fix = append(fix, store.CrawlerItem{Source: it.Source, Key: it.Key, State: store.ItemDone})
				resolved++
				continue
			case it.PubID != "" && published[it.PubID]:
				// The textless entry is out; its text is still to come.
			case it.PubID != "" && len(it.Article) == 0:
				// A feed-only publish that did not arrive: the feed's
				// validators were not saved either; the entry is new again.
				fix = append(fix, store.CrawlerItem{Source: it.Source, Key: it.Key, State: store.ItemForget})
				continue
			case it.PubID != "":
				it.Textless = false // that publish did not arrive
			}
			it.State = store.ItemQueued
			it.PubID = ""
			fix = append(fix, it)
		}
		sr := c.byName[it.Source]
		if sr == nil {
			continue // no longer configured: kept for when it is again
		}
		a, err := article.Unmarshal(it.Article)
		if err != nil || a.ID == "" {
			c.log.Warn("dropping an unreadable queued entry", "source", it.Source, "error", err)
			fix = append(fix, store.CrawlerItem{Source: it.Source, Key: it.Key, State: store.ItemDone, LastError: "unreadable queued entry"})
			continue
		}
		sr.markPending(uint64(it.Key))
		c.defq.push(articleJob{sr: sr, art: a, attempts: it.Attempts, textless: it.Textless, lastErr: it.LastError, next: it.NextAttempt})
		queued++
	}
	if len(fix) > 0 {
		if err := c.opts.Store.SaveCrawlerBatch(ctx, store.CrawlerBatch{Items: fix}); err != nil {
			return fmt.Errorf("crawler: record resolved items: %w", err)
		}
	}
	c.log.Info("crawler items taken up from the last run", "queued", queued, "published_before_stop", resolved)
	return nil
}

// deferQueue holds jobs until their next attempt.
type deferQueue struct {
	mu   sync.Mutex
	h    jobHeap
	wake chan struct{}
}

func (q *deferQueue) push(j articleJob) {
	q.mu.Lock()
	heap.Push(&q.h, j)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *deferQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.h)
}

// run hands due jobs to put (the article queue) until ctx is done.
func (q *deferQueue) run(ctx context.Context, put func(articleJob)) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		q.mu.Lock()
		wait := time.Hour
		var j articleJob
		due := false
		if len(q.h) > 0 {
			if d := time.Until(q.h[0].next); d <= 0 {
				j, due = heap.Pop(&q.h).(articleJob), true
			} else {
				wait = d
			}
		}
		q.mu.Unlock()
		if due {
			put(j)
			continue
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-q.wake:
		case <-ctx.Done():
			return
		}
	}
}

// jobHeap orders jobs by next attempt, then article ID.
type jobHeap []articleJob

func (h jobHeap) Len() int { return len(h) }
func (h jobHeap) Less(i, j int) bool {
	if !h[i].next.Equal(h[j].next) {
		return h[i].next.Before(h[j].next)
	}
	return h[i].art.ID < h[j].art.ID
}
func (h jobHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *jobHeap) Push(x any)   { *h = append(*h, x.(articleJob)) }
func (h *jobHeap) Pop() any {
	old := *h
	n := len(old)
	j := old[n-1]
	old[n-1] = articleJob{}
	*h = old[:n-1]
	return j
}

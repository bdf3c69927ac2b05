// Package crawler is presswatch's collection stage. It polls the configured
// sources — feeds, search feeds filled with the province's names, and sites
// crawled through their sections and sitemaps — on an adaptive schedule,
// fetches and extracts every new article, converts it to UTF-8 NFC, detects
// its language, recognises duplicates (same canonical URL, or a syndicated
// copy by SimHash) and publishes it to PW_COLLECTED. Source health is kept in
// the store and in /metrics. A source's failure never blocks another.
//
// Sub-packages: charset (bytes → UTF-8 NFC), fetch (the one HTTP client) and
// feed (RSS/Atom/JSON parsing with real-world fixes). Text extraction is
// plugged in as an ExtractFunc.
package crawler

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/internal/langdetect"
	"github.com/dongnai/presswatch/store"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"
)

// DefaultMemoryLimit is the Go soft memory limit a crawler-only process sets
// unless GOMEMLIMIT says otherwise. With 10,000 sources fetching articles the
// live heap is ~50 MiB; outside the limit are the mapped binary (~42 MiB
// resident) and SQLite's page caches. Over a whole first fetch at 10,000
// farm feeds the release binary peaked at 141.5 MiB (VmHWM). A 72 MiB limit
// tripled the CPU per 304 poll without lowering the peak (docs/crawler.md,
// "Peak memory at 10,000 sources").
const DefaultMemoryLimit = 90 << 20

// Publisher sends collected articles to the bus. It returns only when every
// article is acknowledged (*bus.Bus implements it).
type Publisher interface {
	PublishCollected(ctx context.Context, arts []*article.Article) error
}

// StateStore is the part of store.Store the crawler uses: source health and
// schedule, the crawler's identity state (items already published, items
// still to publish, near-duplicate fingerprints), and article existence for
// deduplication.
type StateStore interface {
	UpsertSources(ctx context.Context, srcs []store.Source) error
	ListSources(ctx context.Context) ([]store.Source, error)
	SourcesVersion(ctx context.Context) (store.SourcesVersion, error)
	ListSourceStates(ctx context.Context) ([]store.SourceState, error)
	SaveCrawlerBatch(ctx context.Context, b store.CrawlerBatch) error
	CrawlerItemStates(ctx context.Context, source string, keys []int64) (map[int64]int, error)
	ListOpenCrawlerItems(ctx context.Context) ([]store.CrawlerItem, error)
	ListFingerprints(ctx context.Context, limit int) ([]store.Fingerprint, error)
	PruneCrawlerState(ctx context.Context, doneBefore time.Time, keepFingerprints int) (int64, error)
	ArticlesExist(ctx context.Context, ids []string) (map[string]bool, error)
	GetArticles(ctx context.Context, ids []string) ([]*article.Article, error)
	UpsertArticles(ctx context.Context, arts []*article.Article) error
}

// PublishedChecker is implemented by a Publisher (*bus.Bus) that can tell
// which article IDs reached the stream since a time: after a crash, the
// crawler asks it about the publishes it had started, so that it publishes
// again only those that did not arrive.
type PublishedChecker interface {
	CollectedIDsSince(ctx context.Context, since time.Time) (map[string]bool, error)
}

// RevisionPublisher is implemented by a Publisher (*bus.Bus) that can publish
// a new version of an article already published (its page's text came after
// the entry was published without it) under a message ID of its own, so the
// bus does not drop it as a duplicate.
type RevisionPublisher interface {
	PublishCollectedRevision(ctx context.Context, arts []*article.Article) error
}

// Options configures a Crawler.
type Options struct {
	Sources   []Source   // from SourcesFromConfig
	Publisher Publisher  // required
	Store     StateStore // required
	// Extract extracts article pages; nil means TrafilaturaExtract.
	Extract ExtractFunc
	// Languages restricts language detection; empty means vi, en, zh, ko,
	// ja, fr, de, ru, es, th.
	Languages []string
	// Workers is how many sources are polled at once; default 64.
	Workers int
	// ArticleWorkers is how many article pages are processed at once;
	// default 16.
	ArticleWorkers int
	// SkipArticles publishes feed entries as they are (title, summary)
	// without fetching their pages.
	SkipArticles bool
	// HTTP configures the fetch client (its Logger and Registerer default to
	// the crawler's).
	HTTP fetch.Options
	// SilentFactor: a source is silent after SilentFactor × its usual gap
	// without anything new; default 4.
	SilentFactor float64
	// MaxItemAge ignores entries published longer ago; 0 means no limit.
	MaxItemAge time.Duration
	// MaxNewPerPoll bounds the new entries one poll of a feed takes, newest
	// first; the others wait for the next polls, which come sooner (see
	// capFresh). 0 means DefaultMaxNewPerPoll, negative no limit.
	MaxNewPerPoll int
	// StartSpread spreads the first polls over this duration instead of
	// polling every due source at once; 0 means no spreading.
	StartSpread time.Duration
	// ShutdownTimeout bounds a stop (shutdown.timeout): polls and articles in
	// progress get a third of it to finish, and the crawler's state is
	// written within 80 % of it. Default 30s.
	ShutdownTimeout time.Duration
	// TextlessAfter is the number of failed (transient) fetches of an
	// article page after which the feed entry is published without the
	// page's text; the page is still fetched later and the article published
	// again with it. Default 4 (about 7 minutes of backoff).
	TextlessAfter int
	// MaxFetchAttempts is the number of failed fetches after which a page is
	// given up (the entry is published without its text if it was not yet).
	// Default 20 (about 8 hours).
	MaxFetchAttempts int
	// FetchRetryBase is the first wait before an article page whose fetch
	// failed is tried again; it doubles per attempt up to 30 minutes.
	// Default 30s.
	FetchRetryBase time.Duration
	// Retention is how long the crawler remembers that an item was published;
	// default 180 days.
	Retention time.Duration
	// SourceDefaults are the crawler settings (intervals, search terms) with
	// which sources added in the admin UI are built (see reload.go).
	SourceDefaults configs.CrawlerConfig
	// ReloadInterval is how often the running crawler checks the store's
	// sources table for changes made in the admin UI; default
	// DefaultReloadInterval, negative never.
	ReloadInterval time.Duration
	Logger         *slog.Logger
	Registerer     prometheus.Registerer
}

// Crawler collects from its sources until its context ends.
type Crawler struct {
	opts    Options
	log     *slog.Logger
	client  *fetch.Client
	extract ExtractFunc
	lang    *langdetect.Detector
	fps     *fpIndex
	guids   *guidIndex // entry GUID → article, per source (integrity.go)
	m       *metrics

	runs       []*sourceRun          // every run ever made (guarded by mu after load)
	byName     map[string]*sourceRun // the current run of each name (guarded by mu after load)
	configured map[string]int32      // the configured definitions, by name: index in opts.Sources

	parseSlots chan struct{}       // bounds the feeds parsed at once (poll.go)
	bodies     *semaphore.Weighted // bounds the feed bodies in hand (poll.go)

	w    *stateWriter  // group commit of source states, items and fingerprints
	defq deferQueue    // article pages whose fetch was deferred
	arts *articleQueue // article pages to fetch, per host (artqueue.go)
	stop <-chan struct{}

	claimMu sync.Mutex
	claims  map[uint64]int32 // article ID key → index of the source processing or having published it

	mu    sync.Mutex
	queue runHeap
	wake  chan struct{}
	// reloading is set once the start-up load applied the sources table.
	reloading bool
}

// sourceRun is one source's live state.
type sourceRun struct {
	src   Source
	idx   int32     // position in Crawler.runs
	index int       // in the heap
	next  time.Time // next poll

	mu         sync.Mutex
	state      store.SourceState
	validators map[string][2]string // URL → ETag, Last-Modified (search feeds and sites)
	seen       seenRing
	pending    map[uint64]bool
	savedAt    time.Time // when the state was last queued for the store
	// pageProblem is the last article page of this source that could not
	// be read (not fetched for good, not a web page, not extractable) and
	// pageProblems how many since the last poll: the next successful poll
	// shows them on the source as a warning (poll.go).
	pageProblem  string
	pageProblems int

	// Guarded by Crawler.mu: whether the run is switched off (disabled or
	// deleted in the store), replaced by a newer definition, in the heap,
	// or being polled; and the last poll request it saw.
	off, retired, queued, busy bool
	pollAgain                  bool // a poll request arrived while busy
	pollSeen                   time.Time
}

// New validates opts and builds a Crawler.
func New(opts Options) (*Crawler, error) {
	if opts.Publisher == nil {
		return nil, errors.New("crawler: Options.Publisher is required")
	}
	if opts.Store == nil {
		return nil, errors.New("crawler: Options.Store is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Workers <= 0 {
		opts.Workers = 64
	}
	if opts.ArticleWorkers <= 0 {
		opts.ArticleWorkers = 16
	}
	if opts.SilentFactor <= 0 {
		opts.SilentFactor = 4
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 30 * time.Second
	}
	if opts.TextlessAfter <= 0 {
		opts.TextlessAfter = 4
	}
	if opts.MaxFetchAttempts <= 0 {
		opts.MaxFetchAttempts = 20
	}
	if opts.FetchRetryBase <= 0 {
		opts.FetchRetryBase = 30 * time.Second
	}
	if opts.Retention <= 0 {
		opts.Retention = 180 * 24 * time.Hour
	}
	if opts.ReloadInterval == 0 {
		opts.ReloadInterval = DefaultReloadInterval
	}
	if len(opts.Languages) == 0 {
		opts.Languages = []string{"vi", "en", "zh", "ko", "ja", "fr", "de", "ru", "es", "th"}
	}
	if opts.HTTP.Logger == nil {
		opts.HTTP.Logger = opts.Logger
	}
	if opts.HTTP.Registerer == nil {
		opts.HTTP.Registerer = opts.Registerer
	}
	names := map[string]bool{}
	for i, s := range opts.Sources {
		if s.Name == "" || len(s.URLs) == 0 {
			return nil, fmt.Errorf("crawler: source %d (%q) has no name or no URL", i, s.Name)
		}
		if names[s.Name] {
			return nil, fmt.Errorf("crawler: source %q is configured twice", s.Name)
		}
		names[s.Name] = true
		if s.IntervalMin <= 0 || s.IntervalMax < s.IntervalMin {
			return nil, fmt.Errorf("crawler: source %q: interval bounds %s..%s", s.Name, s.IntervalMin, s.IntervalMax)
		}
	}
	client, err := fetch.New(opts.HTTP)
	if err != nil {
		return nil, fmt.Errorf("crawler: %w", err)
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, fmt.Errorf("crawler: %w", err)
	}
	c := &Crawler{
		opts:    opts,
		log:     opts.Logger.With("component", "crawler"),
		client:  client,
		extract: opts.Extract,
		lang:    langdetect.New(opts.Languages),
		fps:     newFPIndex(fpCapacity),
		guids:   newGUIDIndex(),
		m:       m,
		wake:    make(chan struct{}, 1),
		claims:  map[uint64]int32{},

		parseSlots: make(chan struct{}, parseConcurrency()),
		bodies:     semaphore.NewWeighted(bodyBudget),
		byName:     make(map[string]*sourceRun, len(opts.Sources)),

		configured: make(map[string]int32, len(opts.Sources)),
	}
	c.w = newStateWriter(opts.Store, c.log)
	c.defq.wake = make(chan struct{}, 1)
	var turns turnTaker = client
	if opts.SkipArticles {
		turns = nil // entries waiting to be published again fetch nothing
	}
	c.arts = newArticleQueue(turns, articleHostCap, articleTotalCap)
	if c.extract == nil {
		c.extract = TrafilaturaExtract
	}
	for i, s := range opts.Sources {
		// pending stays nil until an entry waits (poll.go).
		sr := &sourceRun{src: s, idx: int32(i)}
		if len(s.URLs) > 1 {
			sr.validators = map[string][2]string{}
		}
		c.runs = append(c.runs, sr)
		c.byName[s.Name] = sr
		c.configured[s.Name] = int32(i)
	}
	return c, nil
}

// Client returns the crawler's HTTP client (for tools that fetch one page the
// same way, such as presswatch extract --fetch).
func (c *Crawler) Client() *fetch.Client { return c.client }

// Run polls the sources until ctx is done, then stops in two phases: no new
// poll or article is started, those in progress get a third of
// ShutdownTimeout to finish (and are recorded), and everything the crawler
// must remember is written within the rest of the deadline, with a context
// of its own. It returns an error only if it cannot start (the store is
// unreachable).
func (c *Crawler) Run(ctx context.Context) error {
	version, err := c.load(ctx)
	if err != nil {
		return err
	}
	stopAt := func() time.Time { return time.Now().Add(c.opts.ShutdownTimeout * 8 / 10) }
	c.stop = ctx.Done()
	// Work in progress outlives ctx until the drain deadline.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	wctx, stopWriter := context.WithCancel(context.WithoutCancel(ctx))
	var writer sync.WaitGroup
	writer.Go(func() { c.w.run(wctx, flushInterval) })

	srcs := make(chan *sourceRun)
	var pollers, articleWorkers, deferrer, health sync.WaitGroup
	for range c.opts.ArticleWorkers {
		articleWorkers.Go(func() {
			for {
				// Stops taking pages when ctx is done; what is left in the
				// queue stays queued in the store (see below).
				j, ok := c.arts.next(ctx)
				if !ok {
					return
				}
				c.processArticle(work, j)
				j.lease.end()
			}
		})
	}
	for range c.opts.Workers {
		pollers.Go(func() {
			for sr := range srcs {
				c.poll(work, sr)
				c.reschedule(sr)
			}
		})
	}
	deferrer.Go(func() { c.defq.run(ctx, c.requeue) })
	health.Go(func() { c.reloadLoop(ctx, version) })
	health.Go(func() {
		t := time.NewTicker(flushInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				c.updateHealth(time.Now())
			case <-ctx.Done():
				return
			}
		}
	})
	c.log.Info("crawler started", "sources", c.activeRuns(), "workers", c.opts.Workers, "article_workers", c.opts.ArticleWorkers,
		"deferred_articles", c.defq.len())
	c.schedule(ctx, srcs)

	deadline := stopAt()
	hard := time.AfterFunc(c.opts.ShutdownTimeout/3, cancelWork)
	close(srcs)
	pollers.Wait()
	deferrer.Wait()
	for _, j := range c.arts.close() {
		c.abandon(j) // still queued in the store: taken up at the next start
	}
	articleWorkers.Wait()
	health.Wait()
	hard.Stop()
	stopWriter()
	writer.Wait()
	dctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	if n, err := c.w.drain(dctx); err != nil {
		c.log.Error("crawler state not saved before the shutdown deadline", "records", n, "error", err)
	}
	c.updateHealth(time.Now())
	c.log.Info("crawler stopped", "state_commits", c.w.commits, "state_records", c.w.records)
	return nil
}

// requeue puts a deferred page whose time has come back in the article
// queue; after the queue closed it is abandoned (queued in the store).
func (c *Crawler) requeue(j articleJob) {
	if !c.arts.tryAdd(j, true) {
		c.abandon(j)
	}
}

// stopping is closed when Run was told to stop (never for a crawler driven
// without Run, as the benchmarks do).
func (c *Crawler) stopping() <-chan struct{} { return c.stop }

// load restores each source's state, records the configured sources in one
// batch, restores the near-duplicate fingerprints and the items not yet
// published (checking with the bus which publishes in progress at a crash
// arrived).
func (c *Crawler) load(ctx context.Context) (store.SourcesVersion, error) {
	states, err := c.opts.Store.ListSourceStates(ctx)
	if err != nil {
		return store.SourcesVersion{}, fmt.Errorf("crawler: load source states: %w", err)
	}
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Source] = st
	}
	known, err := c.opts.Store.ListSources(ctx)
	if err != nil {
		return store.SourcesVersion{}, fmt.Errorf("crawler: list sources: %w", err)
	}
	have := make(map[string]store.Source, len(known))
	for _, s := range known {
		have[s.Name] = s
	}
	now := time.Now()
	configured := make(map[string]bool, len(c.runs))
	var changed []store.Source
	for i, sr := range c.runs {
		s := sr.src
		configured[s.Name] = true
		want := store.Source{Name: s.Name, Kind: s.Kind, URL: s.URLs[0], Outlet: s.Outlet, Country: s.Country, Lang: s.Lang, Tier: s.Tier, Enabled: true, AddedAt: now}
		old, ok := have[s.Name]
		if ok {
			want.AddedAt = old.AddedAt
		}
		// A row edited or added in the admin UI is the source of truth: the
		// configuration does not overwrite it (apply below reads it).
		if !ok || old.EditedAt.IsZero() && old.Origin != store.OriginUI && !sameSource(old, want) {
			changed = append(changed, want)
		}
		st, ok := byName[s.Name]
		if !ok {
			st = store.SourceState{Source: s.Name, Interval: s.IntervalMin}
		}
		sr.state = st
		sr.next = now
		if c.opts.StartSpread > 0 && len(c.runs) > 1 {
			sr.next = now.Add(c.opts.StartSpread * time.Duration(i) / time.Duration(len(c.runs)))
		}
		if st.NextAttempt.After(now) && st.NextAttempt.Sub(now) <= s.IntervalMax {
			sr.next = st.NextAttempt
		}
		heap.Push(&c.queue, sr)
		sr.queued = true
	}
	// Sources no longer configured stay in the store (their articles refer to
	// them) but are shown as disabled, unless the admin UI owns them.
	for _, old := range known {
		if !configured[old.Name] && old.Enabled && old.EditedAt.IsZero() && old.Origin != store.OriginUI {
			old.Enabled = false
			changed = append(changed, old)
		}
	}
	if err := c.opts.Store.UpsertSources(ctx, changed); err != nil {
		return store.SourcesVersion{}, fmt.Errorf("crawler: record sources: %w", err)
	}
	// The sources table as it is now: UI sources join, UI edits of
	// configured sources apply. The version is read first, so a change made
	// meanwhile is seen by the reload loop.
	version, err := c.opts.Store.SourcesVersion(ctx)
	if err != nil {
		return store.SourcesVersion{}, fmt.Errorf("crawler: %w", err)
	}
	rows, err := c.opts.Store.ListSources(ctx)
	if err != nil {
		return store.SourcesVersion{}, fmt.Errorf("crawler: list sources: %w", err)
	}
	c.apply(rows, now, func() map[string]store.SourceState { return byName })
	c.mu.Lock()
	c.reloading = true
	c.mu.Unlock()
	if _, err := c.opts.Store.PruneCrawlerState(ctx, now.Add(-c.opts.Retention), fpCapacity); err != nil {
		return store.SourcesVersion{}, fmt.Errorf("crawler: %w", err)
	}
	fps, err := c.opts.Store.ListFingerprints(ctx, fpCapacity)
	if err != nil {
		return store.SourcesVersion{}, fmt.Errorf("crawler: %w", err)
	}
	for _, f := range fps {
		c.fps.restore(f)
	}
	if err := c.loadOpenItems(ctx); err != nil {
		return store.SourcesVersion{}, err
	}
	c.updateHealth(now)
	return version, nil
}

// sameSource compares the configured fields of two source records.
func sameSource(a, b store.Source) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.URL == b.URL && a.Outlet == b.Outlet &&
		a.Country == b.Country && a.Lang == b.Lang && a.Tier == b.Tier && a.Enabled == b.Enabled
}

// schedule hands due sources to the pollers until ctx is done.
func (c *Crawler) schedule(ctx context.Context, work chan<- *sourceRun) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		c.mu.Lock()
		var sr *sourceRun
		wait := time.Hour
		if len(c.queue) > 0 {
			if d := time.Until(c.queue[0].next); d <= 0 {
				sr = heap.Pop(&c.queue).(*sourceRun)
				sr.queued = false
				if sr.off { // switched off in the store: dropped until switched on
					c.mu.Unlock()
					continue
				}
				sr.busy = true
			} else {
				wait = d
			}
		}
		c.mu.Unlock()
		if sr != nil {
			select {
			case work <- sr:
				continue
			case <-ctx.Done():
				return
			}
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-c.wake:
		case <-ctx.Done():
			return
		}
	}
}

func (c *Crawler) reschedule(sr *sourceRun) {
	sr.mu.Lock()
	sr.next = sr.state.NextAttempt
	sr.mu.Unlock()
	c.mu.Lock()
	sr.busy = false
	if sr.off {
		sr.pollAgain = false
		c.mu.Unlock()
		return
	}
	if sr.pollAgain {
		sr.pollAgain = false
		sr.next = time.Now()
	}
	heap.Push(&c.queue, sr)
	sr.queued = true
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// activeRuns counts the sources being polled.
func (c *Crawler) activeRuns() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, sr := range c.runs {
		if !sr.off {
			n++
		}
	}
	return n
}

// updateHealth refreshes the sources-by-health gauge.
func (c *Crawler) updateHealth(now time.Time) {
	var ok, failing, quiet float64
	c.mu.Lock()
	runs := make([]*sourceRun, 0, len(c.runs))
	for _, sr := range c.runs {
		if !sr.off {
			runs = append(runs, sr)
		}
	}
	c.mu.Unlock()
	for _, sr := range runs {
		sr.mu.Lock()
		st := sr.state
		sr.mu.Unlock()
		switch {
		case st.ConsecutiveErrors > 0:
			failing++
		case st.Silent:
			quiet++
		default:
			ok++
		}
	}
	c.m.health.WithLabelValues("ok").Set(ok)
	c.m.health.WithLabelValues("failing").Set(failing)
	c.m.health.WithLabelValues("silent").Set(quiet)
}

// runHeap orders sources by next poll time.
type runHeap []*sourceRun

// Len implements heap.Interface.
func (h runHeap) Len() int { return len(h) }

// Less implements heap.Interface: the earliest next poll first.
func (h runHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }

// Swap implements heap.Interface.
func (h runHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

// Push implements heap.Interface.
func (h *runHeap) Push(x any) {
	sr := x.(*sourceRun)
	sr.index = len(*h)
	*h = append(*h, sr)
}

// Pop implements heap.Interface.
func (h *runHeap) Pop() any {
	old := *h
	n := len(old)
	sr := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	sr.index = -1
	return sr
}

// seenRing remembers the last IDs a source produced (8-byte prefixes of the
// article ID), so an unchanged feed costs no store lookup.
type seenRing struct {
	ids  []uint64
	next int
}

const seenCap = 512

func (r *seenRing) has(k uint64) bool {
	for _, x := range r.ids {
		if x == k {
			return true
		}
	}
	return false
}

func (r *seenRing) add(k uint64) {
	if r.has(k) {
		return
	}
	if len(r.ids) < seenCap {
		r.ids = append(r.ids, k)
		return
	}
	r.ids[r.next] = k
	r.next = (r.next + 1) % seenCap
}

// idKey is the first 8 bytes of a hex article ID.
func idKey(id string) uint64 {
	var k uint64
	for i := 0; i < 16 && i < len(id); i++ {
		c := id[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		}
		k = k<<4 | uint64(v)
	}
	return k
}

// maxClaims bounds the claims map; it is reset when full (the store then
// answers for older articles).
const maxClaims = 200000

// claim reserves article ID id for source; it reports false when another
// source is processing or has just published the same article. That source's
// record will be in the store by a later poll, which then merges this source
// into it.
func (c *Crawler) claim(id string, sr *sourceRun) bool {
	k := idKey(id)
	c.claimMu.Lock()
	defer c.claimMu.Unlock()
	if owner, ok := c.claims[k]; ok && owner != sr.idx {
		return false
	}
	if len(c.claims) >= maxClaims {
		clear(c.claims)
	}
	c.claims[k] = sr.idx
	return true
}

// unclaim releases id after a failure, so another source may take it.
func (c *Crawler) unclaim(id string, sr *sourceRun) {
	k := idKey(id)
	c.claimMu.Lock()
	defer c.claimMu.Unlock()
	if owner, ok := c.claims[k]; ok && owner == sr.idx {
		delete(c.claims, k)
	}
}

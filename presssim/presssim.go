// Package presssim is a simulated foreign press on 127.0.0.1 for tests,
// benchmarks and the demo. It serves, for a handful of fictional outlets in
// Vietnamese, English, Chinese, Korean and Japanese, RSS 2.0, Atom and JSON
// Feed documents, section pages, robots.txt, sitemaps and Google News
// sitemaps, and article pages that look like real news pages, from an embedded
// corpus of synthetic articles with their ground truth. New items appear on a
// schedule or on demand (Go API or the /_sim/ control endpoint), faults can be
// injected per source, and a deterministic feed farm serves thousands of
// synthetic feeds for benchmarks.
//
// presssim imports only the article package and the standard library.
package presssim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
)

// Options configure a Server.
type Options struct {
	// Addr is the loopback address to listen on; "" means "127.0.0.1:0"
	// (a random free port). Only loopback addresses are accepted.
	Addr string
	// Interval publishes one new item every Interval (held-back corpus items
	// first, then follow-ups of corpus items); 0 disables the schedule.
	Interval time.Duration
	// Latency is added to every response (feeds, pages and farm alike).
	Latency time.Duration
	// Farm is the number of synthetic benchmark feeds served at
	// /farm/{i}/feed.xml; 0 serves none.
	Farm int
	// NoCorpus starts with empty outlets (only Publish adds items).
	NoCorpus bool
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
}

// Server is a running simulated press. Create it with New, then Start.
type Server struct {
	opts Options
	log  *slog.Logger

	mu      sync.RWMutex
	sources map[string]*source
	order   []string // source names in outlets order
	held    []Item   // corpus items waiting for the schedule
	nextSeq int      // follow-up counter for the schedule
	corpus  []Item
	// firstPub is when each item ID was first published anywhere: a
	// follow-up is dated after its story's, so that the classifier's story
	// window (72 h of publication time) puts it in the same story.
	firstPub map[string]time.Time
	updates  map[string]int // follow-ups so far per corpus item

	hits     sync.Map // path → *atomic.Int64
	hitPaths atomic.Int64
	requests atomic.Int64 // every request received, see Requests
	farm     *farm

	ln      net.Listener
	srv     *http.Server
	url     string
	done    chan struct{} // closed by Close: unblocks hanging handlers
	closeMu sync.Once
	wg      sync.WaitGroup
	started atomic.Bool
}

// source is one outlet's live state.
type source struct {
	outlet
	entries  []*entry          // newest first
	byPath   map[string]*entry // by URL path
	byID     map[string]*entry
	modified time.Time // last change of the outlet's content
	fault    *faultState
}

// entry is one published article at one outlet.
type entry struct {
	Item
	path      string // /{source}/{section}/{yyyy}/{mm}/{dd}/{slug}.html
	published time.Time
}

// SourceInfo describes one simulated outlet and the URLs it serves.
type SourceInfo struct {
	Name        string   `json:"name"`    // source name, also the URL prefix
	Outlet      string   `json:"outlet"`  // display name
	Country     string   `json:"country"` // ISO 3166-1 alpha-2
	Lang        string   `json:"lang"`    // ISO 639-1
	Home        string   `json:"home"`
	Sections    []string `json:"sections"`
	RSS         string   `json:"rss"`
	Atom        string   `json:"atom"`
	JSONFeed    string   `json:"json_feed"`
	Sitemap     string   `json:"sitemap"`
	NewsSitemap string   `json:"news_sitemap"`
	Robots      string   `json:"robots"`
	Items       int      `json:"items"`
	Fault       *Fault   `json:"fault,omitempty"`
}

// New validates opts, loads the corpus and returns a Server that is not yet
// listening.
func New(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("presssim: address %q: %w", opts.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("presssim: address %q: only loopback addresses are allowed", opts.Addr)
	}
	if opts.Interval < 0 || opts.Latency < 0 || opts.Farm < 0 {
		return nil, errors.New("presssim: Interval, Latency and Farm must not be negative")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		opts:    opts,
		log:     opts.Logger.With("component", "presssim"),
		sources: map[string]*source{},
		done:    make(chan struct{}),
	}
	for _, o := range outlets {
		s.sources[o.Name] = &source{outlet: o, byPath: map[string]*entry{}, byID: map[string]*entry{}}
		s.order = append(s.order, o.Name)
	}
	corpus, err := Corpus()
	if err != nil {
		return nil, err
	}
	s.corpus = corpus
	if !opts.NoCorpus {
		for _, it := range corpus {
			if it.Hold {
				s.held = append(s.held, it)
				continue
			}
			for _, name := range it.Outlets {
				if _, err := s.publish(name, it, time.Time{}); err != nil {
					return nil, fmt.Errorf("presssim: corpus item %q: %w", it.ID, err)
				}
			}
		}
	}
	if opts.Farm > 0 {
		s.farm = newFarm(opts.Farm)
	}
	return s, nil
}

// Start listens on the configured address and serves until Close or until
// ctx is done. It returns once the listener is open.
func (s *Server) Start(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("presssim: already started")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("presssim: listen %q: %w", s.opts.Addr, err)
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case <-ctx.Done():
			s.stop()
		case <-s.done:
		}
	}()
	if s.opts.Interval > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			t := time.NewTicker(s.opts.Interval)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					if _, _, err := s.Tick(); err != nil {
						s.log.Warn("scheduled publish", "err", err)
					}
				case <-s.done:
					return
				}
			}
		}()
	}
	s.log.Info("listening", "url", s.url, "sources", len(s.order), "farm", s.opts.Farm)
	return nil
}

// Close stops the server: hanging responses are released, connections are
// closed and the schedule stops. It waits for the server's goroutines.
func (s *Server) Close() error {
	err := s.stop()
	s.wg.Wait()
	return err
}

// stop closes the listener and connections once; it does not wait.
func (s *Server) stop() error {
	var err error
	s.closeMu.Do(func() {
		close(s.done)
		if s.srv != nil {
			err = s.srv.Close()
		}
	})
	return err
}

// Wait blocks until the server has stopped (after Close or the end of the
// context given to Start).
func (s *Server) Wait() { <-s.done; s.wg.Wait() }

// URL returns the base URL ("http://127.0.0.1:PORT") once started.
func (s *Server) URL() string { return s.url }

// Sources describes every simulated outlet and the URLs it serves.
func (s *Server) Sources() []SourceInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]SourceInfo, 0, len(s.order))
	for _, name := range s.order {
		src := s.sources[name]
		base := s.url + "/" + name
		si := SourceInfo{
			Name: name, Outlet: src.Outlet, Country: src.Country, Lang: src.Lang,
			Home: base + "/", RSS: base + "/rss.xml", Atom: base + "/atom.xml", JSONFeed: base + "/feed.json",
			Sitemap: base + "/sitemap.xml", NewsSitemap: base + "/news-sitemap.xml", Robots: base + "/robots.txt",
			Items: len(src.entries),
		}
		for _, sec := range sectionOrder {
			si.Sections = append(si.Sections, base+"/"+sec+"/")
		}
		if src.fault != nil {
			f := src.fault.f
			si.Fault = &f
		}
		out = append(out, si)
	}
	return out
}

// Hits returns how many requests the server received for path (without the
// query string), whatever the response. Only the first 200,000 distinct paths
// are counted.
func (s *Server) Hits(path string) int64 {
	if v, ok := s.hits.Load(path); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// Requests returns how many requests the server has received, whatever the
// path and the response. Process benchmarks poll it to see when a crawler
// sent its first request.
func (s *Server) Requests() int64 { return s.requests.Load() }

// maxHitPaths bounds the hit counters, so that a crawler probing endless
// URLs cannot grow the simulator's memory without limit.
const maxHitPaths = 200_000

func (s *Server) countHit(path string) {
	s.requests.Add(1)
	v, ok := s.hits.Load(path)
	if !ok {
		if s.hitPaths.Load() >= maxHitPaths {
			return
		}
		var loaded bool
		v, loaded = s.hits.LoadOrStore(path, new(atomic.Int64))
		if !loaded {
			s.hitPaths.Add(1)
		}
	}
	v.(*atomic.Int64).Add(1)
}

// Published is what Publish returns: where the new item can be read.
type Published struct {
	Source string    `json:"source"`
	ID     string    `json:"id"`
	URL    string    `json:"url"` // the article page (canonical, without tracking parameters)
	At     time.Time `json:"published"`
}

// Publish adds it to source's feeds, sitemaps and section pages and serves
// its article page. An empty ID is generated; a zero Published time becomes
// now. Publishing an ID the source already has replaces that item.
func (s *Server) Publish(sourceName string, it Item) (Published, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it.ID == "" {
		s.nextSeq++
		it.ID = fmt.Sprintf("live-%d-%d", time.Now().Unix(), s.nextSeq)
	}
	applyForm(&it)
	e, err := s.publish(sourceName, it, time.Now().UTC())
	if err != nil {
		return Published{}, err
	}
	return Published{Source: sourceName, ID: e.ID, URL: s.url + e.path, At: e.published}, nil
}

// publish adds it to the named source. The caller holds s.mu (or owns s).
func (s *Server) publish(sourceName string, it Item, now time.Time) (*entry, error) {
	src, ok := s.sources[sourceName]
	if !ok {
		return nil, fmt.Errorf("publish: unknown source %q", sourceName)
	}
	if it.Title == "" {
		return nil, errors.New("publish: title is required")
	}
	if !validSlug(it.ID) {
		return nil, fmt.Errorf("publish: id %q: use letters, digits, '-' and '_' only", it.ID)
	}
	if it.Lang == "" {
		it.Lang = src.Lang
	}
	cleanItem(&it)
	if _, ok := src.Sections[it.Section]; !ok {
		it.Section = "news"
	}
	pub := it.Published.UTC()
	if pub.IsZero() {
		pub = now
		if pub.IsZero() {
			pub = time.Now().UTC()
		}
	}
	pub = pub.Truncate(time.Second)
	if _, ok := s.firstPub[it.ID]; !ok {
		if s.firstPub == nil {
			s.firstPub, s.updates = map[string]time.Time{}, map[string]int{}
		}
		s.firstPub[it.ID] = pub
	}
	e := &entry{Item: it, published: pub,
		path: fmt.Sprintf("/%s/%s/%s/%s.html", src.Name, it.Section, pub.Format("2006/01/02"), it.ID)}
	if old, ok := src.byID[it.ID]; ok {
		delete(src.byPath, old.path)
		for i, x := range src.entries {
			if x == old {
				src.entries = append(src.entries[:i], src.entries[i+1:]...)
				break
			}
		}
	}
	src.byID[it.ID] = e
	src.byPath[e.path] = e
	i := sort.Search(len(src.entries), func(i int) bool { return !src.entries[i].published.After(pub) })
	src.entries = append(src.entries, nil)
	copy(src.entries[i+1:], src.entries[i:])
	src.entries[i] = e
	mod := pub
	if !now.IsZero() && now.After(mod) {
		mod = now
	}
	// Last-Modified has a resolution of one second: every change moves it to
	// a later second, so that If-Modified-Since alone never hides a change.
	if next := src.modified.Truncate(time.Second).Add(time.Second); mod.Before(next) {
		mod = next
	}
	src.modified = mod
	return e, nil
}

// Tick publishes the next scheduled item now: a held-back corpus item, or once
// those are used up a follow-up of a corpus item. It returns what was
// published at every outlet carrying it.
func (s *Server) Tick() (Item, []Published, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var it Item
	if len(s.held) > 0 {
		it = s.held[0]
		s.held = s.held[1:]
		if it.Truth.Cluster == "" {
			it.Published = time.Time{} // published now
		}
		// A held telling of a story already out (the Chinese telling of the
		// Hanmi strike) keeps its date: a late report of that event, which
		// the classifier puts in the story. Dated now, it was a story of
		// its own, a year after the others, with its own critical alert.
	} else {
		var pool, recent []Item
		for _, c := range s.corpus {
			if c.Hostile {
				continue
			}
			pool = append(pool, c)
			if first, ok := s.firstPub[c.ID]; ok && time.Since(first) < followUpWithin {
				recent = append(recent, c)
			}
		}
		if len(pool) == 0 {
			return Item{}, nil, errors.New("tick: empty corpus")
		}
		if len(recent) > 0 {
			// Updates are of current stories: a story first published
			// years ago (the corpus keeps real dates) is out of the
			// classifier's story window, and its update would start a
			// story of its own.
			pool = recent
		}
		s.nextSeq++
		c := pool[(s.nextSeq-1)%len(pool)]
		it = followUp(c, s.nextSeq)
		it.Published = time.Time{}
		if first, ok := s.firstPub[c.ID]; ok {
			// An update comes hours after its story, not years: the
			// corpus items carry their real, older dates, and an update
			// dated today would start a story (and an alert) of its own.
			s.updates[c.ID]++
			if at := first.Add(time.Duration(s.updates[c.ID]) * time.Hour); at.Before(time.Now()) {
				it.Published = at
			}
		}
	}
	now := time.Now().UTC()
	var out []Published
	for _, name := range it.Outlets {
		e, err := s.publish(name, it, now)
		if err != nil {
			return it, out, err
		}
		out = append(out, Published{Source: name, ID: e.ID, URL: s.url + e.path, At: e.published})
	}
	s.log.Info("published", "id", it.ID, "outlets", len(out))
	return it, out, nil
}

// followUpWithin is how recently a story must have been first published
// for the schedule to publish updates of it, while any is: well inside the
// classifier's 72 h story window.
const followUpWithin = 48 * time.Hour

// followUp derives a new story from a corpus item so that the schedule never
// runs dry: new ID, a marked title and one extra paragraph.
func followUp(c Item, n int) Item {
	prefix := map[string]string{"vi": "Cập nhật: ", "en": "Update: ", "zh": "更新：", "ko": "업데이트: ", "ja": "続報："}[c.Lang]
	extra := map[string]string{
		"vi": "Bài viết được cập nhật lần thứ %d với thông tin mới từ phóng viên tại chỗ.",
		"en": "This story was updated (revision %d) with new information from our correspondent.",
		"zh": "本文第%d次更新，补充了记者在当地获得的最新信息。",
		"ko": "이 기사는 현지 특파원의 새로운 정보로 %d번째 업데이트되었습니다.",
		"ja": "この記事は現地特派員の新しい情報で%d回目の更新をしました。",
	}[c.Lang]
	if extra == "" {
		extra = "Revision %d."
	}
	it := c
	it.ID = fmt.Sprintf("%s-u%d", c.ID, n)
	it.Title = prefix + c.Title
	it.Body = append(append([]string(nil), c.Body...), fmt.Sprintf(extra, n))
	it.Hold = false
	return it
}

func validSlug(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ItemURL returns the canonical URL of corpus or published item id at
// source, or "" when that source does not carry it.
func (s *Server) ItemURL(sourceName, id string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	src, ok := s.sources[sourceName]
	if !ok {
		return ""
	}
	e, ok := src.byID[id]
	if !ok {
		return ""
	}
	return s.url + e.path
}

// TruthFor returns the ground truth of the item served at rawURL (tracking
// parameters and all), and whether the URL is one of the simulator's articles.
func (s *Server) TruthFor(rawURL string) (Item, bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Item{}, false
	}
	parts := strings.SplitN(strings.TrimPrefix(u.Path, "/"), "/", 2)
	s.mu.RLock()
	defer s.mu.RUnlock()
	src, ok := s.sources[parts[0]]
	if !ok {
		return Item{}, false
	}
	e, ok := src.byPath[u.Path]
	if !ok {
		return Item{}, false
	}
	return e.Item, true
}

// canonicalOf returns the article package's canonical form of u (it must
// agree with what the crawler computes, so the simulator uses the same code).
func canonicalOf(u string) string {
	c, err := article.Canonicalize(u)
	if err != nil {
		return u
	}
	return c
}

// cleanText drops what XML 1.0 cannot carry (control characters other than
// tab, newline and carriage return; invalid UTF-8), so that whatever is
// published the feeds stay well formed.
func cleanText(s string) string {
	ok := true
	for _, r := range s {
		if !xmlChar(r) {
			ok = false
			break
		}
	}
	if ok && utf8.ValidString(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !xmlChar(r) {
			return -1
		}
		return r
	}, s)
}

func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func cleanItem(it *Item) {
	it.Title, it.Summary, it.Author, it.HTML, it.Image = cleanText(it.Title), cleanText(it.Summary), cleanText(it.Author), cleanText(it.HTML), cleanText(it.Image)
	it.Lang = cleanText(it.Lang)
	for i := range it.Body {
		it.Body[i] = cleanText(it.Body[i])
	}
	for i := range it.Tags {
		it.Tags[i] = cleanText(it.Tags[i])
	}
}

package crawler

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/presssim"
	"github.com/dongnai/presswatch/store"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/text/unicode/norm"
)

// recorder publishes to the real bus and remembers what was acknowledged.
type recorder struct {
	b    *bus.Bus
	mu   sync.Mutex
	arts []*article.Article
}

func (r *recorder) PublishCollected(ctx context.Context, arts []*article.Article) error {
	if err := r.b.PublishCollected(ctx, arts); err != nil {
		return err
	}
	r.mu.Lock()
	r.arts = append(r.arts, arts...)
	r.mu.Unlock()
	return nil
}

// PublishCollectedRevision implements RevisionPublisher.
func (r *recorder) PublishCollectedRevision(ctx context.Context, arts []*article.Article) error {
	if err := r.b.PublishCollectedRevision(ctx, arts); err != nil {
		return err
	}
	r.mu.Lock()
	r.arts = append(r.arts, arts...)
	r.mu.Unlock()
	return nil
}

func (r *recorder) bySource() map[string][]*article.Article {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]*article.Article{}
	for _, a := range r.arts {
		out[a.Source] = append(out[a.Source], a)
	}
	return out
}

type env struct {
	sim   *presssim.Server
	store store.Store
	bus   *bus.Bus
	pub   *recorder
}

func newEnv(t testing.TB, simOpts presssim.Options) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sim, err := presssim.New(simOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	st, err := store.Open(ctx, store.Options{URL: "sqlite:" + t.TempDir() + "/pw.db", AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := bus.Open(ctx, bus.Options{DataDir: t.TempDir(), Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return &env{sim: sim, store: st, bus: b, pub: &recorder{b: b}}
}

func (e *env) info(t testing.TB, name string) presssim.SourceInfo {
	for _, s := range e.sim.Sources() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("presssim has no source %q", name)
	return presssim.SourceInfo{}
}

func feedSource(name, u, lang string) Source {
	return Source{Name: name, Kind: KindFeed, URLs: []string{u}, Lang: lang, Outlet: name, Country: "US", Tier: 2,
		IntervalMin: time.Minute, IntervalMax: time.Hour}
}

func (e *env) crawler(t testing.TB, sources []Source, mod func(*Options)) *Crawler {
	t.Helper()
	o := Options{
		Sources: sources, Publisher: e.pub, Store: e.store, Workers: 8, ArticleWorkers: 8,
		HTTP:       fetch.Options{AllowHosts: []string{"127.0.0.1"}, PerHost: fetch.HostLimit{Concurrency: 16, Rate: -1}, Timeout: 10 * time.Second, MaxBodyBytes: 4 << 20},
		Registerer: prometheus.NewRegistry(),
		Logger:     slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runUntil runs c until cond holds (checked every 50ms) or the deadline.
var dbg func()

func runUntil(t testing.TB, c *Crawler, d time.Duration, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			cancel()
			<-done
			if dbg != nil {
				dbg()
			}
			t.Fatalf("condition not met within %s", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func (e *env) state(t testing.TB, name string) store.SourceState {
	st, err := e.store.GetSourceState(context.Background(), name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return st
}

func TestCrawlPresssimEndToEnd(t *testing.T) {
	e := newEnv(t, presssim.Options{})
	var sources []Source
	for _, s := range e.sim.Sources() {
		if s.Name != "asialedger" { // crawled as a site below
			sources = append(sources, feedSource(s.Name, s.RSS, s.Lang))
		}
	}
	vd := e.info(t, "viendong")
	sources = append(sources,
		feedSource("viendong-atom", vd.Atom, "vi"),
		feedSource("viendong-json", vd.JSONFeed, "vi"),
		Source{Name: "asialedger-site", Kind: KindSite, URLs: []string{e.info(t, "asialedger").Home}, Lang: "en",
			AllowedDomains: []string{"127.0.0.1"}, Depth: 2, Sitemaps: []string{e.info(t, "asialedger").NewsSitemap},
			ArticlePatterns: mustPatterns(t, `/asialedger/[a-z]+/\d{4}/\d{2}/\d{2}/[^/]+\.html$`),
			IntervalMin:     time.Minute, IntervalMax: time.Hour},
	)
	c := e.crawler(t, sources, nil)
	t.Cleanup(func() { dbg = nil }) // later tests must not log through this test's t
	dbg = func() {
		for _, s := range sources {
			t.Logf("%s: %+v", s.Name, e.state(t, s.Name))
		}
		for k, v := range e.pub.bySource() {
			t.Logf("%s: %d", k, len(v))
		}
	}
	runUntil(t, c, 60*time.Second, func() bool {
		for _, s := range sources {
			if e.state(t, s.Name).LastSuccess.IsZero() {
				return false
			}
		}
		by := e.pub.bySource()
		return len(by["viendong"])+len(by["viendong-atom"])+len(by["viendong-json"]) > 5 &&
			len(by["meridian"]) > 0 && len(by["dongfang"]) > 0 && len(by["asialedger-site"]) > 5
	})
	by := e.pub.bySource()
	ids := map[string]string{}
	for src, arts := range by {
		for _, a := range arts {
			if prev, dup := ids[a.ID]; dup {
				t.Errorf("article %s published twice (%s and %s)", a.URL, prev, src)
			}
			ids[a.ID] = src
			for _, s := range []string{a.Title, a.Text, a.Summary} {
				if !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) || strings.ContainsRune(s, '\uFFFD') {
					t.Errorf("%s: text not clean UTF-8 NFC: %q", a.URL, firstN(s, 80))
				}
			}
			if a.Title == "" || a.Lang == "" || a.Collected.IsZero() {
				t.Errorf("%s: missing title, lang or collected: %+v", a.URL, a)
			}
			if truth, ok := e.sim.TruthFor(a.URL); ok {
				if truth.Lang != a.Lang {
					t.Errorf("%s: lang %q, truth %q", a.URL, a.Lang, truth.Lang)
				}
				if len(truth.Body) > 0 && !strings.Contains(a.Text, norm.NFC.String(firstWords(truth.Body[0], 6))) {
					t.Errorf("%s: text lacks the first paragraph's start %q: %q", a.URL, firstWords(truth.Body[0], 6), firstN(a.Text, 300))
				}
			}
		}
	}
	for _, s := range sources {
		st := e.state(t, s.Name)
		if st.ConsecutiveErrors != 0 || st.LastError != "" {
			t.Errorf("%s: errors %d %q", s.Name, st.ConsecutiveErrors, st.LastError)
		}
		if st.NextAttempt.Before(st.LastAttempt.Add(s.IntervalMin / 2)) {
			t.Errorf("%s: next attempt %s too soon after %s", s.Name, st.NextAttempt, st.LastAttempt)
		}
	}
	// The same stories from RSS, Atom and JSON of one outlet are one record
	// each: the Atom and JSON copies did not publish again.
	if n := len(by["viendong-atom"]) + len(by["viendong-json"]); n > 0 && len(by["viendong"]) > 0 {
		t.Logf("viendong atom/json published %d (the race between the three feeds decides which publishes)", n)
	}
	t.Logf("published %d articles from %d sources", len(ids), len(by))

	// A restart restores the schedule: nothing is due yet, so the feeds are
	// not fetched again; a source dropped from the config is disabled.
	rss := strings.TrimPrefix(e.info(t, "meridian").RSS, e.sim.URL())
	before := e.sim.Hits(rss)
	if before == 0 {
		t.Fatalf("presssim counted no hit on %s", rss)
	}
	c2 := e.crawler(t, sources[:len(sources)-1], nil)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := c2.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if after := e.sim.Hits(rss); after != before {
		t.Errorf("feed fetched %d more times right after a restart", after-before)
	}
	srcs, err := e.store.ListSources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if want := s.Name != "asialedger-site"; s.Enabled != want {
			t.Errorf("%s: enabled %v, want %v", s.Name, s.Enabled, want)
		}
	}
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

func mustPatterns(t testing.TB, ps ...string) []*regexp.Regexp {
	t.Helper()
	var out []*regexp.Regexp
	for _, p := range ps {
		out = append(out, regexp.MustCompile(p))
	}
	return out
}

type sourceStateView = store.SourceState

func nfc(s string) string { return norm.NFC.String(s) }

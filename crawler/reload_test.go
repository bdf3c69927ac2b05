package crawler

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/presssim"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

// TestSourcesFromStoreWithoutRestart is the admin page's promise: a source
// added in the store (as the admin UI does) while the crawler runs is
// polled without a restart, "poll now" polls it at once, and once disabled
// it is polled no more, even when asked to.
func TestSourcesFromStoreWithoutRestart(t *testing.T) {
	testSourcesFromStore(t, newEnv(t, presssim.Options{Farm: 2, NoCorpus: true}))
}

// TestSourcesFromStoreWithoutRestartPostgres is the same on PostgreSQL, the
// store of split deployments where the web and the crawler are separate
// processes (skipped without PRESSWATCH_TEST_POSTGRES).
func TestSourcesFromStoreWithoutRestartPostgres(t *testing.T) {
	e := newEnv(t, presssim.Options{Farm: 2, NoCorpus: true})
	e.store = storetest.OpenPostgres(t)
	testSourcesFromStore(t, e)
}

func testSourcesFromStore(t *testing.T, e *env) {
	ctx := context.Background()
	// One configured source so the crawler has something from the start.
	cfgSrc := feedSource("configured", e.sim.FarmFeedURL(1), "en")
	cfgSrc.IntervalMin, cfgSrc.IntervalMax = time.Hour, time.Hour
	c := e.crawler(t, []Source{cfgSrc}, func(o *Options) {
		o.SkipArticles = true
		o.ReloadInterval = 50 * time.Millisecond
		if testing.Verbose() {
			o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
		}
		o.SourceDefaults = configs.CrawlerConfig{IntervalMin: time.Hour, IntervalMax: time.Hour}
	})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 20s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("configured source polled", func() bool { return e.sim.FarmFullFetches(1) >= 1 })

	// The admin adds a feed.
	ui := store.Source{Name: "added-in-ui", Kind: KindFeed, URL: e.sim.FarmFeedURL(0), Outlet: "Farm Zero", Country: "US", Lang: "en",
		Enabled: true, Origin: store.OriginUI, EditedAt: time.Now()}
	if err := e.store.UpsertSource(ctx, ui); err != nil {
		t.Fatal(err)
	}
	waitFor("UI source polled and its entries published", func() bool {
		return e.sim.FarmFullFetches(0) >= 1 && len(e.pub.bySource()["added-in-ui"]) > 0
	})
	if got := e.pub.bySource()["added-in-ui"][0]; got.Outlet != "Farm Zero" || got.Country != "US" {
		t.Errorf("article of the UI source: outlet %q country %q", got.Outlet, got.Country)
	}

	// Poll now: the feed changed, a poll request fetches it again although
	// its interval is an hour.
	e.sim.ChangeFarm(1)
	if err := e.store.RequestSourcePoll(ctx, "added-in-ui", time.Now()); err != nil {
		t.Fatal(err)
	}
	waitFor("poll now", func() bool { return e.sim.FarmFullFetches(0) >= 2 })

	// Disabled: no more polls, even when asked to poll now, while the
	// configured source still answers a poll request.
	ui.Enabled, ui.EditedAt = false, time.Now()
	if err := e.store.UpsertSource(ctx, ui); err != nil {
		t.Fatal(err)
	}
	// A poll already running when the source was switched off finishes (and
	// publishes what it found); nothing starts after it.
	waitFor("UI source switched off and idle", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		sr := c.byName["added-in-ui"]
		return sr != nil && sr.off && !sr.busy
	})
	fetched := e.sim.FarmFullFetches(0)
	published := len(e.pub.bySource()["added-in-ui"])
	for round := range 2 {
		e.sim.ChangeFarm(1)
		before := e.sim.FarmFullFetches(1)
		now := time.Now()
		for _, n := range []string{"added-in-ui", "configured"} {
			if err := e.store.RequestSourcePoll(ctx, n, now); err != nil {
				t.Fatal(err)
			}
		}
		waitFor("configured source polled on request", func() bool { return e.sim.FarmFullFetches(1) > before })
		if got := e.sim.FarmFullFetches(0); got != fetched {
			t.Fatalf("round %d: the disabled source was fetched (%d → %d)", round, fetched, got)
		}
	}
	if got := len(e.pub.bySource()["added-in-ui"]); got != published {
		t.Errorf("the disabled source published %d more articles", got-published)
	}

	// Enabled again and then soft-deleted from the admin page.
	ui.Enabled, ui.EditedAt = true, time.Now()
	if err := e.store.UpsertSource(ctx, ui); err != nil {
		t.Fatal(err)
	}
	waitFor("UI source switched on again", func() bool { return c.SourceActive("added-in-ui") })
	ui.Enabled, ui.DeletedAt, ui.EditedAt = false, time.Now(), time.Now()
	if err := e.store.UpsertSource(ctx, ui); err != nil {
		t.Fatal(err)
	}
	waitFor("deleted source switched off", func() bool { return !c.SourceActive("added-in-ui") })
}

// TestConfigSeedKeepsUIEdits: a configured source disabled in the admin UI
// stays disabled across a restart, and is not polled.
func TestConfigSeedKeepsUIEdits(t *testing.T) {
	e := newEnv(t, presssim.Options{Farm: 2, NoCorpus: true})
	ctx := context.Background()
	a, b := feedSource("kept", e.sim.FarmFeedURL(0), "en"), feedSource("off-in-ui", e.sim.FarmFeedURL(1), "en")
	if err := e.store.UpsertSource(ctx, store.Source{Name: b.Name, Kind: b.Kind, URL: b.URLs[0], Outlet: "Renamed", Enabled: false, EditedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	c := e.crawler(t, []Source{a, b}, func(o *Options) { o.SkipArticles = true })
	runUntil(t, c, 20*time.Second, func() bool { return e.sim.FarmFullFetches(0) >= 1 })
	if n := e.sim.FarmFullFetches(1); n != 0 {
		t.Errorf("a source disabled in the UI was polled %d times", n)
	}
	got, err := e.store.GetSource(ctx, b.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got.Enabled || got.Outlet != "Renamed" {
		t.Errorf("the configuration overwrote the UI's edit: %+v", got)
	}
}

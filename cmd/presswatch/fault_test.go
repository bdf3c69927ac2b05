package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/internal/pgtest"
	"github.com/dongnai/presswatch/store"
)

// faultsEnabled reports whether the opt-in fault suite runs (.ci/run sets
// PRESSWATCH_FAULTS=1): its outages are long (a minute) on purpose.
func faultsEnabled() bool { return os.Getenv("PRESSWATCH_FAULTS") == "1" }

// faultArticles makes n articles about Đồng Nai (so that they are classified
// relevant) with IDs derived from prefix.
func faultArticles(t testing.TB, n int, prefix string) []*article.Article {
	t.Helper()
	places := []string{"Biên Hòa", "Long Thành", "Nhơn Trạch", "Trảng Bom", "Long Khánh"}
	arts := make([]*article.Article, n)
	for i := range arts {
		canon, id, err := article.IDFor(fmt.Sprintf("https://news.example.org/%s/%d", prefix, i))
		if err != nil {
			t.Fatal(err)
		}
		place := places[i%len(places)]
		arts[i] = &article.Article{
			ID: id, URL: canon, CanonicalURL: canon, Source: "example news", Lang: "en",
			Title: fmt.Sprintf("Dong Nai province: %s industrial park expands (%s %d)", place, prefix, i),
			Text: fmt.Sprintf("Dong Nai province, Vietnam. The People's Committee of Dong Nai said on Monday that the %s "+
				"industrial park in Dong Nai will expand by %d hectares. Report %s number %d.", place, 10+i%50, prefix, i),
			Collected: time.Date(2026, 11, 26, 8, i%60, i%60, 0, time.UTC),
		}
	}
	return arts
}

// readyz fetches /readyz: status and body.
func readyz(t *testing.T, addr string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitCond polls cond every 50ms until it holds or d passes.
func waitCond(t *testing.T, what string, d time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}

// TestStoreOutageUnderBacklog stops a test-owned PostgreSQL under the
// classifier and indexer while a backlog flows, for longer than the delivery
// budget (10s here; 60s in the fault suite), and proves that every article is
// stored exactly once and indexed, that /readyz names the store while it is
// down, and that PW_DEAD stays empty.
func TestStoreOutageUnderBacklog(t *testing.T) {
	if testing.Short() {
		t.Skip("stops and starts a PostgreSQL instance")
	}
	pg := pgtest.Start(t)
	outage := 10 * time.Second
	if faultsEnabled() {
		outage = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()

	cfg := &configs.Loaded{Config: configs.Defaults(), Path: "test", Dir: "."}
	cfg.DataDir = t.TempDir()
	cfg.Web.Listen = "127.0.0.1:0"
	cfg.Store.URL = configs.CredentialURL(pg.URL())
	cfg.Index.FlushInterval = 100 * time.Millisecond
	// A small delivery budget (1s+2s) makes the old behaviour lose messages
	// within seconds of the outage.
	cfg.NATS.MaxDeliver = 3
	cfg.NATS.AckWait = 2 * time.Second
	var logs syncBuffer
	if _, _, err := store.Migrate(ctx, storeOptions(cfg, newLogger(cfg.Log, &logs))); err != nil {
		t.Fatal(err)
	}
	g := &globals{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &logs}
	p, err := wire(ctx, g, cfg, roles{roleClassifier: true, roleIndexer: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.app.run(runCtx, 20*time.Second) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()

	before := faultArticles(t, 200, "before")
	if err := p.bus.PublishCollected(ctx, before); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the first articles stored", 2*time.Minute, func() bool {
		n, err := p.store.CountArticles(ctx)
		return err == nil && n == int64(len(before))
	})

	pg.Stop()
	downAt := time.Now()
	backlog := faultArticles(t, 600, "backlog")
	if err := p.bus.PublishCollected(ctx, backlog); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "/readyz to name the waiting consumer", time.Minute, func() bool {
		code, body := readyz(t, p.addr())
		return code == http.StatusServiceUnavailable && strings.Contains(body, "consumers: not ready") && strings.Contains(body, "store")
	})
	// The outage's length is the fault being simulated, not a synchronisation.
	time.Sleep(time.Until(downAt.Add(outage)))
	if n, _ := p.bus.StreamMsgs(ctx, bus.StreamDead); n != 0 {
		t.Fatalf("PW_DEAD holds %d messages during the outage", n)
	}
	pg.Start()
	upAt := time.Now()

	all := append(before, backlog...)
	waitCond(t, "every article stored after the outage", 3*time.Minute, func() bool {
		n, err := p.store.CountArticles(ctx)
		return err == nil && n == int64(len(all))
	})
	waitCond(t, "every article indexed", 2*time.Minute, func() bool {
		n, err := p.index.DocCount()
		return err == nil && n == uint64(len(all))
	})
	waitCond(t, "/readyz ok again", time.Minute, func() bool {
		code, _ := readyz(t, p.addr())
		return code == http.StatusOK
	})
	recovery := time.Since(upAt)
	for _, a := range all {
		if _, err := p.store.GetArticle(ctx, a.ID); err != nil {
			t.Fatalf("article %s: %v", a.ID, err)
		}
	}
	n, err := p.store.CountArticles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dead, err := p.bus.StreamMsgs(ctx, bus.StreamDead); err != nil || dead != 0 {
		t.Fatalf("PW_DEAD holds %d messages (%v) after a store outage, want 0", dead, err)
	}
	t.Logf("store outage %s: expected %d, stored %d, duplicated %d, dead 0, recovered in %s",
		outage, len(all), n, n-int64(len(all)), recovery.Round(100*time.Millisecond))
}

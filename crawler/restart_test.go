package crawler

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/presssim"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// The restart tests (issue 18) run the crawler as a separate process — this
// test binary re-executed as TestCrawlerRestartChild — against presssim's
// farm and a NATS server in the test process whose duplicate window is 1 s,
// so that JetStream cannot hide a second publish of an item. The crawler is
// stopped with SIGTERM or SIGKILL at a random point during the first fetch
// of every feed and again after every feed changed, and restarted each time.
// Checked: no item is published twice; every item is published or merged;
// after SIGTERM every source kept the validators of what it fetched (no feed
// version is fetched in full twice) and nothing is logged as an error; after
// SIGKILL a feed version is fetched in full at most once more per kill.

func TestCrawlerRestartSQLite(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		for _, skip := range []bool{false, true} {
			name := fmt.Sprintf("%s/articles=%v", sigName(sig), !skip)
			t.Run(name, func(t *testing.T) {
				restartScenario(t, storetest.SQLiteURL(t), sig, skip)
			})
		}
	}
}

func TestCrawlerRestartPostgres(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sigName(sig), func(t *testing.T) {
			u := storetest.PostgresURL(t) // skips without PRESSWATCH_TEST_POSTGRES
			restartScenario(t, u, sig, false)
		})
	}
}

func sigName(s syscall.Signal) string {
	if s == syscall.SIGKILL {
		return "SIGKILL"
	}
	return "SIGTERM"
}

const restartFeeds = 40 // 800 items on the first fetch

func restartScenario(t *testing.T, storeURL string, sig syscall.Signal, skipArticles bool) {
	if testing.Short() {
		t.Skip("starts crawler processes")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim, err := presssim.New(presssim.Options{Farm: restartFeeds, NoCorpus: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	bs, err := bus.Open(ctx, bus.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0", DuplicateWindow: time.Second,
		Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	// The parent migrates the store once, as `presswatch migrate` would.
	st, err := store.Open(ctx, store.Options{URL: storeURL, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	nc, err := nats.Connect(bs.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d", seed)

	p := &crawlerProc{t: t, env: []string{"PW_RESTART_CHILD=1", "PW_FARM_URL=" + sim.URL(), "PW_FARM_N=" + strconv.Itoa(restartFeeds),
		"PW_NATS_URL=" + bs.ClientURL(), "PW_STORE_URL=" + storeURL, "PW_SKIP_ARTICLES=" + strconv.FormatBool(skipArticles)}}
	kills := 0

	// Phase 1: stopped during the first fetch.
	total := restartFeeds * 20
	p.start()
	k := 1 + rng.IntN(total/2)
	waitUntil(t, 3*time.Minute, "first publishes", func() bool { return streamMsgs(t, js) >= uint64(k) })
	p.stop(sig)
	if sig == syscall.SIGKILL {
		kills++
	}
	checkAfterStop(t, st, sim, sig, 0)
	p.start()
	waitComplete(t, st, sim, 0)
	p.stop(syscall.SIGTERM)
	checkFetches(t, sim, 1, kills)

	// Phase 2: every feed gets one new item; stopped while they are polled.
	p.start()
	sim.ChangeFarm(1)
	before := streamMsgs(t, js)
	// At least one new item: the stop must come after the child has started
	// crawling (and so installed its SIGTERM handler); with 0 it could land
	// during the test binary's start-up, where SIGTERM's default action kills.
	r := 1 + rng.IntN(restartFeeds/2)
	waitUntil(t, 3*time.Minute, "new items", func() bool { return streamMsgs(t, js) >= before+uint64(r) })
	p.stop(sig)
	if sig == syscall.SIGKILL {
		kills++
	}
	checkAfterStop(t, st, sim, sig, 1)
	p.start()
	waitComplete(t, st, sim, 1)
	p.stop(syscall.SIGTERM)
	checkFetches(t, sim, 2, kills)

	ids := streamIDs(t, js)
	dups := 0
	for id, n := range ids {
		if n > 1 {
			dups++
			if dups <= 5 {
				t.Errorf("article %s published %d times", id, n)
			}
		}
	}
	if dups > 0 {
		t.Fatalf("%d articles published more than once (k=%d r=%d)", dups, k, r)
	}
	// Every item published or merged into an earlier copy: nothing open.
	open, err := st.ListOpenCrawlerItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 0 {
		t.Fatalf("%d items still open after a complete crawl", len(open))
	}
	if len(ids) < (total+restartFeeds)*9/10 {
		t.Fatalf("%d articles published, want about %d (near-duplicates merged)", len(ids), total+restartFeeds)
	}
	t.Logf("%d articles published once each; %d kills; stops at %d and %d+%d messages", len(ids), kills, k, before, r)
}

// crawlerProc is the crawler child process.
type crawlerProc struct {
	t      *testing.T
	env    []string
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	runs   int
	exited time.Time
}

func (p *crawlerProc) start() {
	p.t.Helper()
	// Past the 1 s duplicate window since the last stop: a second publish
	// of anything cannot be dropped by JetStream.
	if d := time.Until(p.exited.Add(1100 * time.Millisecond)); d > 0 {
		time.Sleep(d)
	}
	p.runs++
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrawlerRestartChild$", "-test.v")
	cmd.Env = append(os.Environ(), p.env...)
	p.stderr = &bytes.Buffer{}
	cmd.Stderr = p.stderr
	cmd.Stdout = p.stderr
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.cmd = cmd
	p.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
}

func (p *crawlerProc) stop(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if sig == syscall.SIGTERM && err != nil {
			p.t.Fatalf("crawler run %d after SIGTERM: %v\n%s", p.runs, err, p.stderr)
		}
	case <-time.After(2 * time.Minute):
		_ = p.cmd.Process.Kill()
		p.t.Fatalf("crawler run %d did not stop\n%s", p.runs, p.stderr)
	}
	p.exited = time.Now()
	if sig == syscall.SIGTERM {
		out := p.stderr.String()
		if strings.Contains(out, "level=ERROR") || strings.Contains(out, "context canceled") {
			p.t.Fatalf("crawler run %d logged an error on a clean stop:\n%s", p.runs, out)
		}
		if !strings.Contains(out, "crawler stopped") {
			p.t.Fatalf("crawler run %d did not stop cleanly:\n%s", p.runs, out)
		}
	}
}

// checkAfterStop: after SIGTERM every feed fetched in full has the validators
// of the version it got.
func checkAfterStop(t *testing.T, st store.Store, sim *presssim.Server, sig syscall.Signal, ver int) {
	t.Helper()
	if sig != syscall.SIGTERM {
		return
	}
	states := sourceStates(t, st)
	for i := range restartFeeds {
		want := fmt.Sprintf(`"f%d-%d"`, i, ver)
		fetched := sim.FarmFullFetches(i) > ver
		if got := states["farm-"+strconv.Itoa(i)].ETag; fetched && got != want {
			t.Errorf("after SIGTERM farm-%d has ETag %q, want %q", i, got, want)
		}
	}
}

// checkFetches: each of the versions so far fetched in full once, plus at
// most one more per SIGKILL.
func checkFetches(t *testing.T, sim *presssim.Server, versions, kills int) {
	t.Helper()
	for i := range restartFeeds {
		if n := sim.FarmFullFetches(i); n < versions || n > versions+kills {
			t.Errorf("farm-%d fetched in full %d times over %d versions and %d kills", i, n, versions, kills)
		}
	}
}

func sourceStates(t *testing.T, st store.Store) map[string]store.SourceState {
	t.Helper()
	list, err := st.ListSourceStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.SourceState{}
	for _, s := range list {
		out[s.Source] = s
	}
	return out
}

// waitComplete waits until every feed's state has the validators of version
// ver and no item is open.
func waitComplete(t *testing.T, st store.Store, sim *presssim.Server, ver int) {
	t.Helper()
	waitUntil(t, 4*time.Minute, "a complete crawl", func() bool {
		states := sourceStates(t, st)
		for i := range restartFeeds {
			if states["farm-"+strconv.Itoa(i)].ETag != fmt.Sprintf(`"f%d-%d"`, i, ver) {
				return false
			}
		}
		open, err := st.ListOpenCrawlerItems(context.Background())
		return err == nil && len(open) == 0
	})
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s not reached within %s", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func streamMsgs(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	s, err := js.Stream(context.Background(), bus.StreamCollected)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// streamIDs counts the messages of PW_COLLECTED by article ID.
func streamIDs(t *testing.T, js jetstream.JetStream) map[string]int {
	t.Helper()
	ctx := context.Background()
	s, err := js.Stream(ctx, bus.StreamCollected)
	if err != nil {
		t.Fatal(err)
	}
	n := streamMsgs(t, js)
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{HeadersOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for got := uint64(0); got < n; {
		batch, err := cons.Fetch(1000, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for m := range batch.Messages() {
			out[m.Headers().Get(jetstream.MsgIDHeader)]++
			k++
		}
		if k == 0 {
			t.Fatalf("read %d of %d messages", got, n)
		}
		got += uint64(k)
	}
	return out
}

// TestCrawlerRestartChild is the crawler process of the restart tests; it
// skips unless started by them. It runs until SIGTERM (or SIGKILL).
func TestCrawlerRestartChild(t *testing.T) {
	if os.Getenv("PW_RESTART_CHILD") != "1" {
		t.Skip("run by TestCrawlerRestart*")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	n, _ := strconv.Atoi(os.Getenv("PW_FARM_N"))
	st, err := store.Open(context.Background(), store.Options{URL: os.Getenv("PW_STORE_URL"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bs, err := bus.Open(context.Background(), bus.Options{URL: os.Getenv("PW_NATS_URL"), DuplicateWindow: time.Second,
		Registerer: prometheus.NewRegistry(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	sources := make([]Source, n)
	for i := range n {
		sources[i] = Source{Name: "farm-" + strconv.Itoa(i), Kind: KindFeed, Lang: "en",
			URLs:        []string{os.Getenv("PW_FARM_URL") + "/farm/" + strconv.Itoa(i) + "/feed.xml"},
			IntervalMin: 2 * time.Second, IntervalMax: 2 * time.Second}
	}
	c, err := New(Options{Sources: sources, Publisher: bs, Store: st, Workers: 8, ArticleWorkers: 8,
		SkipArticles: os.Getenv("PW_SKIP_ARTICLES") == "true", ShutdownTimeout: 20 * time.Second,
		HTTP:       fetch.Options{AllowHosts: []string{"127.0.0.1"}, PerHost: fetch.HostLimit{Concurrency: 32, Rate: -1}},
		Registerer: prometheus.NewRegistry(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

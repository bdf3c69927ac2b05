package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/internal/natstest"
	"github.com/dongnai/presswatch/internal/pgtest"
	"github.com/dongnai/presswatch/internal/testenv"
	"github.com/dongnai/presswatch/store"
)

// faultAlertsYAML routes every article about the province to one mailbox,
// at once, so that each due alert is one delivery to count.
const faultAlertsYAML = `durable: alerter
poll_interval: 100ms
max_attempts: 10
backoff_initial: 1s
backoff_max: 5s
receivers:
  - name: ops
    email: [ops@example.org]
route:
  receiver: ops
  group_by: [cluster]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 12h
  severity: immediate
`

// mountTmpfs mounts a small tmpfs at dir (root only); false when mounting is
// not permitted here.
func mountTmpfs(t *testing.T, dir string, size string) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return false
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Logf("mount tmpfs at %s: %v: %s", dir, err, out)
		return false
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return true
}

// fillDisk writes zeros into path until the file system is full.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", path, err)
			}
			break
		}
	}
	// What is left below a full block too.
	for _, n := range []int{64 << 10, 4 << 10, 512} {
		for {
			if _, err := f.Write(buf[:n]); err != nil {
				break
			}
		}
	}
}

type faultFigure struct {
	fault    string
	recovery time.Duration
	dead     uint64
}

// TestFaultSuite is the opt-in fault suite (PRESSWATCH_FAULTS=1, set by
// .ci/run): the classifier, indexer and alerter run in one process over a
// 3-node NATS cluster (R3 streams), a test-owned PostgreSQL, an index on a
// small tmpfs and an in-process SMTP sink, while articles flow and these
// faults happen one after the other: PostgreSQL stopped for 60s under a
// backlog; the index folder deleted; the index's disk filled; two of three
// NATS nodes killed. Then every article must be stored exactly once and
// searchable, every due alert delivered exactly once, and PW_DEAD empty.
func TestFaultSuite(t *testing.T) {
	if !faultsEnabled() {
		t.Skip("fault suite: set PRESSWATCH_FAULTS=1 (as .ci/run does) to run it")
	}
	pg := pgtest.Start(t)
	cluster := natstest.NewCluster(t, 3)
	cluster.StartAll()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	dir := t.TempDir()
	idxMount := filepath.Join(dir, "indexfs")
	if err := os.MkdirAll(idxMount, 0o755); err != nil {
		t.Fatal(err)
	}
	tmpfs := mountTmpfs(t, idxMount, "48m")
	if !tmpfs {
		t.Log("mount -t tmpfs not permitted: the disk-full fault is skipped")
	}
	cfg := &configs.Loaded{Config: configs.Defaults(), Path: "test", Dir: dir}
	if err := os.WriteFile(filepath.Join(dir, alertsFile), []byte(faultAlertsYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Web.Listen = "127.0.0.1:0"
	cfg.Web.SessionSecret = "0123456789abcdef0123456789abcdef"
	cfg.Store.URL = configs.CredentialURL(pg.URL())
	cfg.NATS.URL = configs.CredentialURL(cluster.URL())
	cfg.NATS.Replicas = 3
	// The shipped delivery budget (5 deliveries, 30 s ack wait): what must
	// hold is that transient faults spend none of it.
	cfg.Index.Dir = filepath.Join(idxMount, "index")
	cfg.Index.FlushInterval = 100 * time.Millisecond
	cfg.Log.Level = "warn"
	var logs syncBuffer
	if _, _, err := store.Migrate(ctx, storeOptions(cfg, newLogger(cfg.Log, &logs))); err != nil {
		t.Fatal(err)
	}
	ex := &extras{}
	mb, err := addDemoMailbox(ex, cfg, newLogger(cfg.Log, &logs))
	if err != nil {
		t.Fatal(err)
	}
	g := &globals{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &logs}
	p, err := wire(ctx, g, cfg, roles{roleClassifier: true, roleIndexer: true, roleAlerter: true}, ex)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.app.run(runCtx, 30*time.Second) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if t.Failed() {
			t.Logf("logs:\n%s", tail(logs.String(), 8000))
		}
	}()

	var expected []*article.Article
	publish := func(arts []*article.Article) {
		t.Helper()
		// As the crawler does: retry until every PubAck arrived.
		for {
			err := p.bus.PublishCollected(ctx, arts)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("publish: %v", err)
			}
			time.Sleep(500 * time.Millisecond)
		}
		expected = append(expected, arts...)
	}
	settled := func(what string) {
		t.Helper()
		waitCond(t, what+": every article stored", 4*time.Minute, func() bool {
			n, err := p.store.CountArticles(ctx)
			return err == nil && n == int64(len(expected))
		})
		waitCond(t, what+": every article indexed", 4*time.Minute, func() bool {
			n, err := p.index.DocCount()
			return err == nil && n == uint64(len(expected))
		})
		waitCond(t, what+": /readyz ok", 2*time.Minute, func() bool {
			code, _ := readyz(t, p.addr())
			return code == http.StatusOK
		})
	}
	deadNow := func() uint64 {
		n, err := p.bus.StreamMsgs(ctx, bus.StreamDead)
		if err != nil {
			return 0
		}
		return n
	}
	var figures []faultFigure

	publish(faultArticles(t, 200, "warmup"))
	settled("warm-up")

	// 1. PostgreSQL stopped for 60 s under a backlog.
	pg.Stop()
	downAt := time.Now()
	publish(faultArticles(t, 300, "pgdown"))
	waitCond(t, "/readyz to name the store wait", time.Minute, func() bool {
		code, body := readyz(t, p.addr())
		return code == http.StatusServiceUnavailable && strings.Contains(body, "consumers: not ready")
	})
	time.Sleep(time.Until(downAt.Add(60 * time.Second))) // the outage itself
	pg.Start()
	upAt := time.Now()
	settled("after the PostgreSQL outage")
	figures = append(figures, faultFigure{"PostgreSQL stopped 60 s under a backlog of 300", time.Since(upAt), deadNow()})

	// 2. The index folder deleted under the running indexer.
	testenv.RemoveAllUnderWriter(t, cfg.Index.Dir) // the indexer may still be persisting or merging
	delAt := time.Now()
	publish(faultArticles(t, 100, "idxdel"))
	settled("after the index folder was deleted")
	figures = append(figures, faultFigure{"index folder deleted (rebuilt from the store)", time.Since(delAt), deadNow()})

	// 3. The index's disk filled.
	if tmpfs {
		filler := filepath.Join(idxMount, "filler")
		fillDisk(t, filler)
		publish(faultArticles(t, 100, "diskfull"))
		waitCond(t, "/readyz to name the index", time.Minute, func() bool {
			code, body := readyz(t, p.addr())
			return code == http.StatusServiceUnavailable && strings.Contains(body, "index")
		})
		if n := deadNow(); n != 0 {
			t.Fatalf("PW_DEAD holds %d with the disk full", n)
		}
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
		freeAt := time.Now()
		settled("after the disk was freed")
		figures = append(figures, faultFigure{"index tmpfs filled (ENOSPC), then freed", time.Since(freeAt), deadNow()})
	}

	// 4. Two of three NATS nodes killed while articles are published.
	cluster.Stop(1)
	cluster.Stop(2)
	killAt := time.Now()
	pubDone := make(chan struct{})
	natsArts := faultArticles(t, 100, "natsdown")
	go func() {
		defer close(pubDone)
		for ctx.Err() == nil {
			if err := p.bus.PublishCollected(ctx, natsArts); err == nil {
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
	}()
	time.Sleep(time.Until(killAt.Add(20 * time.Second))) // the outage itself
	cluster.Start(1)
	cluster.Start(2)
	backAt := time.Now()
	select {
	case <-pubDone:
	case <-ctx.Done():
		t.Fatal("publishing never succeeded after the NATS nodes came back")
	}
	expected = append(expected, natsArts...)
	settled("after two NATS nodes were killed")
	figures = append(figures, faultFigure{"two of three NATS nodes killed for 20 s", time.Since(backAt), deadNow()})

	// Every article stored exactly once and searchable.
	n, err := p.store.CountArticles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range expected {
		if _, err := p.store.GetArticle(ctx, a.ID); err != nil {
			t.Fatalf("article %s: %v", a.ID, err)
		}
	}
	for _, a := range []*article.Article{expected[0], expected[250], expected[len(expected)-1]} {
		res, err := p.index.Search(ctx, index.Request{Query: fmt.Sprintf("%q", a.Title), Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != a.ID {
			t.Errorf("search for %q did not find %s first", a.Title, a.ID)
		}
	}
	// Every due alert delivered exactly once.
	var due, delivered, dupDelivered int
	waitCond(t, "every due alert delivered", 3*time.Minute, func() bool {
		counts, err := p.store.CountDeliveries(ctx)
		return err == nil && counts[store.DeliveryPending] == 0 && counts[store.DeliverySending] == 0
	})
	alertsDue, err := p.store.ListAlerts(ctx, store.AlertFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	due = len(alertsDue)
	sent, err := p.store.ListDeliveries(ctx, store.DeliveryFilter{State: store.DeliverySent, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	inDelivery := map[string]int{}
	for _, d := range sent {
		as, err := p.store.DeliveryAlerts(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			inDelivery[a.ID]++
		}
	}
	for _, a := range alertsDue {
		switch inDelivery[a.ID] {
		case 0:
		case 1:
			delivered++
		default:
			delivered++
			dupDelivered++
		}
	}
	mails := mb.Messages()
	mailIDs := map[string]int{}
	for _, m := range mails {
		mailIDs[m.MessageID]++
	}
	if due == 0 || delivered != due || dupDelivered != 0 {
		t.Errorf("alerts: %d due, %d delivered, %d delivered more than once", due, delivered, dupDelivered)
	}
	if len(mails) != len(sent) || len(mailIDs) != len(sent) {
		t.Errorf("mailbox got %d emails (%d distinct), the store sent %d deliveries", len(mails), len(mailIDs), len(sent))
	}
	dead := deadNow()
	if dead != 0 {
		byCause := map[string]int{}
		if dls, err := p.bus.ListDead(ctx, bus.DeadFilter{}); err == nil {
			for _, d := range dls {
				byCause[d.Durable+": "+shorten(d.Error, 60)]++
			}
		}
		t.Errorf("PW_DEAD holds %d messages after transient faults, want 0; by consumer and cause: %v", dead, byCause)
	}
	t.Logf("fault suite: articles expected %d, stored %d, duplicated %d; alerts due %d, delivered %d (emails %d, duplicated %d); PW_DEAD %d",
		len(expected), n, n-int64(len(expected)), due, delivered, len(mails), dupDelivered, dead)
	for _, f := range figures {
		t.Logf("fault: %-55s recovered in %6.1fs, PW_DEAD %d", f.fault, f.recovery.Seconds(), f.dead)
	}
}

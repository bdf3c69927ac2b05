package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/internal/testenv"
	"github.com/dongnai/presswatch/store"
)

// healArticles makes n classified articles with IDs derived from prefix.
func healArticles(t *testing.T, n int, prefix string) []*article.Article {
	t.Helper()
	arts := make([]*article.Article, n)
	for i := range arts {
		canon, id, err := article.IDFor(fmt.Sprintf("https://news.example.org/%s/%d", prefix, i))
		if err != nil {
			t.Fatal(err)
		}
		arts[i] = &article.Article{
			ID: id, URL: canon, CanonicalURL: canon, Source: "example news", Lang: "en",
			Title:          fmt.Sprintf("Dong Nai %s report %d", prefix, i),
			Text:           fmt.Sprintf("Bien Hoa, Dong Nai province. Report %s number %d.", prefix, i),
			Collected:      time.Date(2026, 11, 26, 8, i%60, 0, 0, time.UTC),
			Classification: &article.Classification{About: true, At: time.Now()},
		}
	}
	return arts
}

// healRig is a store (SQLite), a bus, an on-disk index with its indexer and
// healer running: the index stage of one node.
type healRig struct {
	st  store.Store
	b   *bus.Bus
	ix  *Index
	dir string
}

func newHealRig(t *testing.T) *healRig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir(), AutoMigrate: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	r := &healRig{st: st, b: openBus(t), dir: filepath.Join(t.TempDir(), "index")}
	r.ix = openTest(t, r.dir)
	runIndexer(t, r.b, r.ix, "heal-node")
	hctx, hcancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		err := r.ix.Heal(hctx, HealerOptions{
			Source: ScanFunc(func(ctx context.Context, fn func(*article.Article) error) error {
				return st.ScanArticles(ctx, store.ArticleQuery{}, fn)
			}),
			Count: st.CountArticles, Interval: 300 * time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Errorf("Heal: %v", err)
		}
	})
	t.Cleanup(func() { hcancel(); wg.Wait() })
	return r
}

// flow stores arts and publishes them to PW_CLASSIFIED, as the classifier does.
func (r *healRig) flow(t *testing.T, arts []*article.Article) {
	t.Helper()
	ctx := context.Background()
	if err := r.st.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	if err := r.b.PublishClassified(ctx, arts); err != nil {
		t.Fatal(err)
	}
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestIndexFolderDeletedUnderIndexer deletes the index folder under a
// running indexer: readiness must say so, and the index must be recreated
// and rebuilt from the store, losing nothing and dead-lettering nothing.
func TestIndexFolderDeletedUnderIndexer(t *testing.T) {
	ctx := context.Background()
	r := newHealRig(t)
	first := healArticles(t, 300, "first")
	r.flow(t, first)
	waitUntil(t, "the first articles indexed", 60*time.Second, func() bool {
		n, err := r.ix.DocCount()
		return err == nil && n == 300
	})
	testenv.RemoveAllUnderWriter(t, r.dir) // Bleve may still be persisting or merging
	if err := r.ix.Ping(ctx); err == nil {
		t.Fatal("Ping = nil right after the index folder was deleted")
	}
	second := healArticles(t, 100, "second")
	r.flow(t, second)
	waitUntil(t, "the index rebuilt with every article", 2*time.Minute, func() bool {
		n, err := r.ix.DocCount()
		return err == nil && n == 400 && r.ix.Ping(ctx) == nil
	})
	if _, err := os.Stat(filepath.Join(r.dir, "index_meta.json")); err != nil {
		t.Fatalf("index folder not recreated: %v", err)
	}
	for _, a := range []*article.Article{first[0], first[299], second[99]} {
		res, err := r.ix.Search(ctx, Request{Query: fmt.Sprintf("%q", a.Title), Size: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != a.ID {
			t.Errorf("search for %q: %v, want %s first", a.Title, ids(res), a.ID)
		}
	}
	if n, err := r.b.StreamMsgs(ctx, bus.StreamDead); err != nil || n != 0 {
		t.Errorf("PW_DEAD holds %d (%v), want 0", n, err)
	}
}

// TestIndexEmptiedIsRebuilt: an index that is empty while the store is not
// is rebuilt by the healer.
func TestIndexEmptiedIsRebuilt(t *testing.T) {
	ctx := context.Background()
	r := newHealRig(t)
	arts := healArticles(t, 50, "only-in-store")
	if err := r.st.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the healer to fill the index", time.Minute, func() bool {
		n, err := r.ix.DocCount()
		return err == nil && n == 50 && r.ix.Ping(ctx) == nil
	})
}

func TestWriteFaultIsTransient(t *testing.T) {
	ix := openTest(t, filepath.Join(t.TempDir(), "i"))
	err := ix.damaged(fmt.Errorf("index batch: %w", syscall.ENOSPC))
	var tr interface{ Transient() bool }
	if !errors.As(err, &tr) || !tr.Transient() || !bus.IsTransient(err) {
		t.Fatalf("damaged() = %v, want a transient error", err)
	}
	if err := ix.Ping(context.Background()); err == nil {
		t.Fatal("Ping = nil on a damaged index")
	}
	// The next write reopens the index and succeeds; Ping is fine again.
	if err := ix.IndexArticles(context.Background(), healArticles(t, 3, "after")); err != nil {
		t.Fatal(err)
	}
	if err := ix.Ping(context.Background()); err != nil {
		t.Fatalf("Ping after a good write: %v", err)
	}
	if n, _ := ix.DocCount(); n != 3 {
		t.Fatalf("DocCount = %d, want 3", n)
	}
}

// TestFailedPersistKeepsLiveSegment deletes the folder under an open index
// and writes a batch past IndexArticles' folder check, with readers running:
// the write must come back with a write fault (not hang, not succeed), the
// segment already live must stay whole for the readers (scorch's own wait
// closed it under them: a race, and a search panicked on its nil cache map),
// and a probe must recreate the index and ask for a rebuild.
func TestFailedPersistKeepsLiveSegment(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "i")
	ix := openTest(t, dir)
	if err := ix.IndexArticles(ctx, healArticles(t, 20, "before")); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = ix.DocCount()
				_, _ = ix.Search(ctx, Request{Query: "Dong Nai report", Size: 5})
			}
		})
	}
	testenv.RemoveAllUnderWriter(t, dir)
	b := ix.bi.NewBatch()
	for _, a := range healArticles(t, 20, "folder-gone") {
		doc, err := ix.docs.build(a)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.IndexAdvanced(doc); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- ix.bi.Batch(b) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("a batch whose persisting fails did not return")
	}
	close(stop)
	readers.Wait()
	if err == nil || !writeFault(err) {
		t.Fatalf("batch into a deleted folder: %v, want a write fault", err)
	}
	if n, cerr := ix.DocCount(); cerr != nil || n != 40 {
		t.Errorf("DocCount after the failed persist = %d (%v), want 40 (the segment stays live until reopened)", n, cerr)
	}
	_ = ix.damaged(err)
	if err := ix.Probe(); err != nil {
		t.Fatalf("Probe after the folder was deleted: %v", err)
	}
	if !ix.NeedsRebuild() {
		t.Error("NeedsRebuild = false after the index was recreated empty")
	}
	if n, err := ix.DocCount(); err != nil || n != 0 {
		t.Errorf("DocCount of the recreated index = %d (%v), want 0", n, err)
	}
}

// TestPersisterPanicFailsWritesUntilReopened: a panic ends scorch's persister
// (reported through the async error callback), after which no batch would
// ever be persisted. Writes must fail as transient write faults instead of
// waiting for ever, and the next write after the fault reopens the index and
// succeeds. A merger's error is not a batch's concern.
func TestPersisterPanicFailsWritesUntilReopened(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "i")
	ix := openTest(t, dir)
	arts := healArticles(t, 3, "persister")
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	persistFault(scorch.NewScorchError("merger", "got err persisting merged segment", scorch.ErrPersist), storePath(dir))
	if err := ix.IndexArticles(ctx, arts); err != nil {
		t.Fatalf("a merger's error failed a batch: %v", err)
	}
	persistFault(scorch.NewScorchError("persister", "panic: test", scorch.ErrAsyncPanic), storePath(dir))
	err := ix.IndexArticles(ctx, arts)
	if err == nil || !bus.IsTransient(err) {
		t.Fatalf("batch after the persister died: %v, want a transient error", err)
	}
	if err := ix.Ping(ctx); err == nil {
		t.Fatal("Ping = nil after the persister died")
	}
	more := healArticles(t, 2, "after-reopen")
	if err := ix.IndexArticles(ctx, more); err != nil {
		t.Fatalf("batch after the fault (the index is reopened first): %v", err)
	}
	if n, err := ix.DocCount(); err != nil || n != 5 {
		t.Errorf("DocCount = %d (%v), want 5", n, err)
	}
	if err := ix.Ping(ctx); err != nil {
		t.Errorf("Ping after a good write: %v", err)
	}
}

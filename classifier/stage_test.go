package classifier_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/internal/testenv"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// Environment of the child process in TestStageCrashKilledChild: when
// childEnv is set, TestStageChildProcess runs the stage against the parent's
// bus and store and hangs mid-batch until it is killed.
const (
	childEnv      = "PRESSWATCH_STAGE_CHILD"
	childBusURL   = "PRESSWATCH_STAGE_CHILD_BUS_URL"
	childBusNS    = "PRESSWATCH_STAGE_CHILD_BUS_NS"
	childStoreURL = "PRESSWATCH_STAGE_CHILD_STORE_URL"
	childMarker   = "STAGE-CHILD-COMMITTED-UNACKED"
)

const (
	crashArticles  = 1000
	crashBatchSize = 50
	crashAckWait   = 2 * time.Second
)

// busKind is a NATS server the crash tests run against.
type busKind struct {
	name string
	opts func(t *testing.T) bus.Options // a fresh, isolated bus (embedded listens on loopback)
}

func busKinds() []busKind {
	return []busKind{
		{"embedded", func(t *testing.T) bus.Options {
			return bus.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0", AckWait: crashAckWait, SyncInterval: 100 * time.Millisecond}
		}},
		{"external", func(t *testing.T) bus.Options {
			u := testenv.NATSURL(t)
			ns := "T" + randHex(t, 6)
			t.Cleanup(func() { deleteNamespace(t, u, ns) })
			return bus.Options{URL: u, Namespace: ns, AckWait: crashAckWait}
		}},
	}
}

// storeKind is a store backend the crash tests run against.
type storeKind struct {
	name string
	url  func(t testing.TB) string // a fresh, empty store
}

func storeKinds() []storeKind {
	return []storeKind{
		{"sqlite", func(t testing.TB) string { return "sqlite:" + filepath.Join(t.TempDir(), "pw.db") }},
		{"postgres", freshPostgres},
	}
}

func randHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// deleteNamespace removes a test namespace's streams from an external server.
func deleteNamespace(t testing.TB, u, ns string) {
	nc, err := nats.Connect(u)
	if err != nil {
		t.Errorf("cleanup: connect %s: %v", u, err)
		return
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range []string{bus.StreamCollected, bus.StreamClassified, bus.StreamDead} {
		if err := js.DeleteStream(ctx, ns+"_"+s); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			t.Errorf("cleanup: delete stream %s_%s: %v", ns, s, err)
		}
	}
}

// freshPostgres returns a store URL for a schema of its own on the test
// PostgreSQL server, dropped when t ends (storetest.PostgresURL).
func freshPostgres(t testing.TB) string {
	t.Helper()
	return storetest.PostgresURL(t)
}

func openBus(t testing.TB, opts bus.Options) *bus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, opts)
	if err != nil {
		t.Fatalf("bus.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("bus Close: %v", err)
		}
	})
	return b
}

func openStore(t testing.TB, u string) store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Options{URL: u, AutoMigrate: true})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("store Close: %v", err)
		}
	})
	return st
}

// makeArticles returns n distinct articles with text of about textLen bytes.
func makeArticles(t testing.TB, n, textLen int, prefix string) []*article.Article {
	t.Helper()
	para := "Tỉnh Đồng Nai thu hút vốn đầu tư nước ngoài vào các khu công nghiệp Biên Hòa, Nhơn Trạch và Long Thành. "
	text := strings.Repeat(para, max(1, textLen/len(para)))
	arts := make([]*article.Article, n)
	for i := range arts {
		canon, id, err := article.IDFor(fmt.Sprintf("https://press.example.org/%s/story-%d?utm_source=x", prefix, i))
		if err != nil {
			t.Fatal(err)
		}
		arts[i] = &article.Article{
			ID: id, URL: canon, CanonicalURL: canon,
			Source: fmt.Sprintf("source-%d", i%7), Outlet: "Example Press", Country: "JP", Tier: 2, Lang: "vi",
			Title:     fmt.Sprintf("Đồng Nai: câu chuyện %d", i),
			Summary:   "Long Thành airport progress",
			Text:      text,
			Published: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
			Collected: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		}
	}
	return arts
}

func publish(t testing.TB, b *bus.Bus, arts []*article.Article) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := b.PublishCollected(ctx, arts); err != nil {
		t.Fatalf("PublishCollected: %v", err)
	}
}

// runStage runs a stage until the returned stop is called.
func runStage(t *testing.T, opts classifier.StageOptions) (stop func()) {
	t.Helper()
	st, err := classifier.NewStage(opts)
	if err != nil {
		t.Fatalf("NewStage: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Stage.Run = %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Errorf("Stage.Run did not return within 20s of cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitDrained waits until the stage's consumer has nothing pending and the
// store holds want articles.
func waitDrained(t *testing.T, b *bus.Bus, st store.Store, durable string, want int64, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(d)
	for {
		n, err := st.CountArticles(ctx)
		if err != nil {
			t.Fatalf("CountArticles: %v", err)
		}
		p, ap, lerr := b.Lag(ctx, bus.StreamCollected, durable)
		if n == want && lerr == nil && p == 0 && ap == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: store holds %d (want %d), consumer pending %d ack pending %d (err %v)", d, n, want, p, ap, lerr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkExactlyOnce verifies that the store holds exactly arts, each once, with
// its sources not duplicated, and that PW_CLASSIFIED got one message each.
func checkExactlyOnce(t *testing.T, b *bus.Bus, st store.Store, arts []*article.Article) {
	t.Helper()
	ctx := context.Background()
	n, err := st.CountArticles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(arts)) {
		t.Fatalf("store holds %d articles, want exactly %d", n, len(arts))
	}
	ids := make([]string, len(arts))
	for i, a := range arts {
		ids[i] = a.ID
	}
	exist, err := st.ArticlesExist(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, id := range ids {
		if !exist[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d published articles are not in the store", missing, len(ids))
	}
	got, err := st.GetArticles(ctx, ids[:100])
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		if len(a.Sources) != 1 {
			t.Errorf("article %s sources %v, want exactly one", a.ID, a.Sources)
		}
	}
	// PW_CLASSIFIED deduplicates the re-published verdicts of redelivered messages.
	classified := countClassified(t, b)
	if classified != len(arts) {
		t.Errorf("PW_CLASSIFIED got %d distinct messages, want %d", classified, len(arts))
	}
}

// countClassified reads PW_CLASSIFIED through a durable consumer and returns
// the number of distinct message IDs, failing on a repeated one.
func countClassified(t *testing.T, b *bus.Bus) int {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]int{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamClassified, Durable: "count_" + randHex(t, 4), BatchSize: 500}, func(_ context.Context, msgs []*bus.Message) error {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range msgs {
				seen[m.MsgID]++
			}
			return nil
		})
	}()
	// Read every message the stream holds (the stage has drained, so the
	// count is final) rather than until the count looks stable, which a
	// pause on a busy machine would cut short.
	total, err := b.StreamMsgs(context.Background(), bus.StreamClassified)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		mu.Lock()
		got := 0
		for _, c := range seen {
			got += c
		}
		mu.Unlock()
		if uint64(got) >= total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("read %d of the %d messages in PW_CLASSIFIED within 2 minutes", got, total)
		}
		select {
		case err := <-done:
			t.Fatalf("consume PW_CLASSIFIED stopped early: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for id, c := range seen {
		if c > 1 {
			t.Errorf("PW_CLASSIFIED message %s delivered %d times", id, c)
		}
	}
	return len(seen)
}

// cancelAfterStore commits the first `after` batches to the real store, then
// commits batch after+1, cancels the stage's context and reports failure, as
// if the process stopped between the commit and the ack. Later calls fail.
type cancelAfterStore struct {
	inner  classifier.ArticleStore
	after  int32
	calls  atomic.Int32
	cancel context.CancelFunc
	// committed counts the articles written; last is the size of the batch
	// committed just before the stop (a fetch on a busy machine may return
	// fewer than BatchSize messages, so batch sizes vary).
	committed, last atomic.Int64
}

func (s *cancelAfterStore) UpsertArticles(ctx context.Context, arts []*article.Article) error {
	n := s.calls.Add(1)
	switch {
	case n <= s.after:
		if err := s.inner.UpsertArticles(ctx, arts); err != nil {
			return err
		}
		s.committed.Add(int64(len(arts)))
		return nil
	case n == s.after+1:
		if err := s.inner.UpsertArticles(context.WithoutCancel(ctx), arts); err != nil {
			return err
		}
		s.committed.Add(int64(len(arts)))
		s.last.Store(int64(len(arts)))
		s.cancel()
		return errors.New("stage stopped after the commit, before the ack")
	default:
		return errors.New("stage stopped")
	}
}

// TestStageCrashInProcess publishes 1,000 articles, stops the stage while a
// committed batch is not yet acked, restarts it, and checks every article is
// in the store exactly once.
func TestStageCrashInProcess(t *testing.T) {
	for _, bk := range busKinds() {
		for _, sk := range storeKinds() {
			t.Run(bk.name+"/"+sk.name, func(t *testing.T) {
				b := openBus(t, bk.opts(t))
				st := openStore(t, sk.url(t))
				arts := makeArticles(t, crashArticles, 600, "inproc")
				publish(t, b, arts)

				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				wrapped := &cancelAfterStore{inner: st, after: 5, cancel: cancel}
				first, err := classifier.NewStage(classifier.StageOptions{Bus: b, Store: wrapped, BatchSize: crashBatchSize})
				if err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- first.Run(ctx) }()
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("first Run = %v", err)
					}
				case <-time.After(60 * time.Second):
					t.Fatal("first stage did not stop")
				}
				n, err := st.CountArticles(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				// Five batches committed, then the 6th; with two workers a batch
				// beside the 6th may be cut short by the stop and not committed.
				if n != wrapped.committed.Load() || wrapped.last.Load() == 0 || n > 6*crashBatchSize {
					t.Fatalf("after the stop the store holds %d, want the %d committed (6th batch %d)", n, wrapped.committed.Load(), wrapped.last.Load())
				}
				p, ap, err := b.Lag(context.Background(), bus.StreamCollected, classifier.DefaultStageDurable)
				if err != nil {
					t.Fatal(err)
				}
				// The 6th batch is committed but must not be acked; with two workers
				// a batch committed beside it may also be left unacked (its publish
				// is cut short by the stop).
				sixth := int(wrapped.last.Load())
				if unacked := int(p) + ap; unacked < crashArticles-int(n)+sixth || unacked >= crashArticles {
					t.Fatalf("after the stop: pending %d + ack pending %d unacked, want at least %d (the committed 6th batch included) and fewer than %d",
						p, ap, crashArticles-int(n)+sixth, crashArticles)
				}

				runStage(t, classifier.StageOptions{Bus: b, Store: st, BatchSize: crashBatchSize})
				waitDrained(t, b, st, classifier.DefaultStageDurable, crashArticles, 90*time.Second)
				checkExactlyOnce(t, b, st, arts)
			})
		}
	}
}

// TestStageCrashKilledChild runs the stage in a child process (this test
// binary re-executed), SIGKILLs it after it committed a batch it did not ack,
// restarts the stage in-process and checks every article is stored once.
func TestStageCrashKilledChild(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	for _, bk := range busKinds() {
		for _, sk := range storeKinds() {
			t.Run(bk.name+"/"+sk.name, func(t *testing.T) {
				bopts := bk.opts(t)
				b := openBus(t, bopts)
				storeURL := sk.url(t)
				st := openStore(t, storeURL) // migrates before the child opens it
				arts := makeArticles(t, crashArticles, 600, "child")
				publish(t, b, arts)

				ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestStageChildProcess$", "-test.count=1", "-test.v")
				cmd.Env = append(os.Environ(),
					childEnv+"=1",
					childBusURL+"="+b.ClientURL(),
					childBusNS+"="+bopts.Namespace,
					childStoreURL+"="+storeURL,
				)
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				var stderr strings.Builder
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				sc := bufio.NewScanner(out)
				var lines []string
				marked := false
				for sc.Scan() {
					lines = append(lines, sc.Text())
					if strings.Contains(sc.Text(), childMarker) {
						marked = true
						break
					}
				}
				if !marked {
					_ = cmd.Wait()
					t.Fatalf("child never reached the crash point; output:\n%s\n%s", strings.Join(lines, "\n"), stderr.String())
				}
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				werr := cmd.Wait()
				var ee *exec.ExitError
				if !errors.As(werr, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("child exit = %v, want killed by SIGKILL", werr)
				}

				n, err := st.CountArticles(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 || n >= crashArticles {
					t.Fatalf("when the child was killed the store held %d articles, want some but not all", n)
				}
				t.Logf("child killed with %d of %d articles stored", n, crashArticles)

				runStage(t, classifier.StageOptions{Bus: b, Store: st, BatchSize: crashBatchSize})
				waitDrained(t, b, st, classifier.DefaultStageDurable, crashArticles, 90*time.Second)
				checkExactlyOnce(t, b, st, arts)
			})
		}
	}
}

// hangAfterStore commits batches to the real store; after `after` batches it
// commits one more, prints childMarker and blocks until the process is killed.
// Batches after that (other workers') block without being committed.
type hangAfterStore struct {
	inner classifier.ArticleStore
	after int32
	calls atomic.Int32
}

func (s *hangAfterStore) UpsertArticles(ctx context.Context, arts []*article.Article) error {
	n := s.calls.Add(1)
	if n > s.after+1 {
		// Another worker's batch: hold it, uncommitted, until the kill.
		<-ctx.Done()
		return ctx.Err()
	}
	if err := s.inner.UpsertArticles(ctx, arts); err != nil {
		return err
	}
	if n == s.after+1 {
		fmt.Println(childMarker)
		select {
		case <-ctx.Done():
		case <-time.After(60 * time.Second):
		}
		return errors.New("child was not killed")
	}
	return nil
}

// TestStageChildProcess is the child of TestStageCrashKilledChild; it is
// skipped unless that test started it.
func TestStageChildProcess(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("runs only as the child process of TestStageCrashKilledChild")
	}
	b := openBus(t, bus.Options{URL: os.Getenv(childBusURL), Namespace: os.Getenv(childBusNS), AckWait: crashAckWait})
	st := openStore(t, os.Getenv(childStoreURL))
	hang := &hangAfterStore{inner: st, after: 4}
	stop := runStage(t, classifier.StageOptions{Bus: b, Store: hang, BatchSize: crashBatchSize})
	time.Sleep(90 * time.Second)
	stop()
	t.Fatal("child was not killed")
}

// keywordClassifier is a stand-in for the classifier engine: an article is
// about the province when its title names it.
type keywordClassifier struct{}

func (keywordClassifier) Classify(_ context.Context, a *article.Article) (*article.Classification, error) {
	if strings.Contains(a.Title, "fail") {
		return nil, errors.New("cannot classify")
	}
	about := strings.Contains(a.Title, "Đồng Nai")
	return &article.Classification{About: about, Relevance: map[bool]float64{true: 0.9, false: 0.1}[about], Tone: "neutral", At: time.Now().UTC()}, nil
}

// TestStageClassifiesStoresAndPublishes checks the stage with a classifier:
// verdicts are stored, published on their relevance subject, undecodable
// messages and articles the classifier fails on are dead-lettered.
func TestStageClassifiesStoresAndPublishes(t *testing.T) {
	b := openBus(t, bus.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0", MaxDeliver: 2})
	st := openStore(t, "sqlite:"+filepath.Join(t.TempDir(), "pw.db"))
	arts := makeArticles(t, 20, 100, "classify")
	arts[3].Title = "Weather in Hanoi"
	arts[4].Title = "this one will fail"
	publish(t, b, arts)

	// An undecodable message on the same stream, published by hand.
	nc, err := nats.Connect(b.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(context.Background(), "pw.collected.junk", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	runStage(t, classifier.StageOptions{Bus: b, Store: st, Classifier: keywordClassifier{}, BatchSize: 8, Registerer: reg, Durable: "clf"})
	waitDrained(t, b, st, "clf", 19, 30*time.Second)

	ctx := context.Background()
	got, err := st.GetArticle(ctx, arts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Classification == nil || !got.Classification.About {
		t.Fatalf("stored classification = %+v, want about", got.Classification)
	}
	other, err := st.GetArticle(ctx, arts[3].ID)
	if err != nil {
		t.Fatal(err)
	}
	if other.Classification == nil || other.Classification.About {
		t.Fatalf("Hanoi article classification = %+v, want not about", other.Classification)
	}
	if _, err := st.GetArticle(ctx, arts[4].ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("article the classifier failed on: %v, want not stored", err)
	}

	subjects := map[string]int{}
	var mu sync.Mutex
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(cctx, bus.ConsumerSpec{Stream: bus.StreamClassified, Durable: "check"}, func(_ context.Context, msgs []*bus.Message) error {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range msgs {
				subjects[m.Subject]++
			}
			return nil
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		total := subjects["pw.classified.about"] + subjects["pw.classified.none"]
		mu.Unlock()
		if total >= 19 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if subjects["pw.classified.about"] != 18 || subjects["pw.classified.none"] != 1 {
		t.Fatalf("PW_CLASSIFIED subjects = %v, want 18 about and 1 none", subjects)
	}

	// The junk message (at once) and the failing article (after MaxDeliver
	// deliveries) went to PW_DEAD.
	dead := 0
	dctx, dcancel := context.WithCancel(ctx)
	ddone := make(chan error, 1)
	go func() {
		ddone <- b.Consume(dctx, bus.ConsumerSpec{Stream: bus.StreamDead, Durable: "dead"}, func(_ context.Context, msgs []*bus.Message) error {
			mu.Lock()
			defer mu.Unlock()
			dead += len(msgs)
			return nil
		})
	}()
	deadline = time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		d := dead
		mu.Unlock()
		if d >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	dcancel()
	<-ddone
	if dead != 2 {
		t.Fatalf("PW_DEAD got %d messages, want 2 (the junk and the article the classifier failed on)", dead)
	}
	if v := counterValue(t, reg, "presswatch_classifier_articles_stored_total"); v != 19 {
		t.Errorf("articles_stored_total = %v, want 19", v)
	}
}

func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func TestNewStageValidates(t *testing.T) {
	b := openBus(t, bus.Options{DataDir: t.TempDir()})
	if _, err := classifier.NewStage(classifier.StageOptions{Store: nil, Bus: b}); err == nil {
		t.Error("NewStage without a store succeeded")
	}
	if _, err := classifier.NewStage(classifier.StageOptions{Store: &hangAfterStore{}}); err == nil {
		t.Error("NewStage without a bus succeeded")
	}
}

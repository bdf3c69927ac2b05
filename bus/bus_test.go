package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/testenv"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// server is one kind of NATS server the tests run against.
type testServer struct {
	name string
	// open returns Options for a fresh, isolated bus; calling open again with
	// the same Options reopens the same streams.
	opts func(t *testing.T) Options
}

// servers returns the embedded server and, when PRESSWATCH_TEST_NATS_URL is
// set, the external one (each test in its own namespace there).
func servers() []testServer {
	return []testServer{
		{name: "embedded", opts: func(t *testing.T) Options {
			return Options{DataDir: t.TempDir(), SyncInterval: 100 * time.Millisecond}
		}},
		{name: "external", opts: func(t *testing.T) Options {
			url := testenv.NATSURL(t)
			return Options{URL: url, Namespace: uniqueNS(t), Logger: nil}
		}},
	}
}

func uniqueNS(t *testing.T) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "T" + hex.EncodeToString(b[:])
}

// openBus opens a bus and registers its cleanup; for a namespaced bus on an
// external server the cleanup also deletes the test's streams.
func openBus(t *testing.T, opts Options) *Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := Open(ctx, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if opts.Namespace != "" && opts.URL != "" {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := b.DeleteStreams(ctx); err != nil {
				t.Errorf("DeleteStreams: %v", err)
			}
			if _, err := b.js.Stream(ctx, b.streamName(StreamCollected)); !errors.Is(err, jetstream.ErrStreamNotFound) {
				t.Errorf("after DeleteStreams the stream lookup = %v, want not found", err)
			}
		}
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

func testArticles(t testing.TB, n int, prefix string) []*article.Article {
	t.Helper()
	arts := make([]*article.Article, n)
	for i := range arts {
		canon, id, err := article.IDFor(fmt.Sprintf("https://news.example.org/%s/%d", prefix, i))
		if err != nil {
			t.Fatal(err)
		}
		arts[i] = &article.Article{
			ID: id, URL: canon, CanonicalURL: canon, Source: "example news",
			Title: fmt.Sprintf("Đồng Nai story %d", i), Lang: "vi",
			Collected: time.Date(2026, 11, 26, 8, 0, i%60, 0, time.UTC),
		}
	}
	return arts
}

func streamMsgs(t *testing.T, b *Bus, stream string) uint64 {
	t.Helper()
	s, err := b.js.Stream(context.Background(), b.streamName(stream))
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatalf("stream %s info: %v", stream, err)
	}
	return info.State.Msgs
}

// consumeAsync runs Consume in a goroutine; stop cancels it and waits for it
// to return, failing the test if it returned an error or did not stop.
func consumeAsync(t *testing.T, b *Bus, spec ConsumerSpec, h Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Consume(ctx, spec, h) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Consume returned %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Errorf("Consume did not stop within 15s of ctx cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no data dir", Options{}, "data dir is required"},
		{"public listen", Options{DataDir: "x", Listen: "0.0.0.0:4222"}, "only on loopback"},
		{"bad listen", Options{DataDir: "x", Listen: "127.0.0.1"}, "listen"},
		{"replicas", Options{URL: "nats://127.0.0.1:1", Replicas: 7}, "replicas 7"},
		{"embedded replicas", Options{DataDir: "x", Replicas: 3}, "need an external cluster"},
		{"dup window", Options{URL: "nats://127.0.0.1:1", DuplicateWindow: 48 * time.Hour, MaxAge: time.Hour}, "duplicate window"},
		{"namespace", Options{URL: "nats://127.0.0.1:1", Namespace: "a.b"}, "namespace"},
		{"tls pair", Options{URL: "nats://127.0.0.1:1", TLSCert: "c.pem"}, "tls cert and tls key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestDeleteStreamsNeedsNamespace(t *testing.T) {
	b := openBus(t, Options{DataDir: t.TempDir()})
	if err := b.DeleteStreams(context.Background()); err == nil {
		t.Fatal("DeleteStreams without a namespace succeeded")
	}
	if n := streamMsgs(t, b, StreamCollected); n != 0 {
		t.Fatalf("unexpected messages: %d", n)
	}
}

func TestRedactURL(t *testing.T) {
	got := redactURL("nats://u:secret@h1:4222,nats://h2:4222")
	if strings.Contains(got, "secret") || !strings.Contains(got, "h1:4222") {
		t.Fatalf("redactURL = %q", got)
	}
}

func TestStreamsIdempotent(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			opts := srv.opts(t)
			b := openBus(t, opts)
			// Creating the streams again with the same settings is a no-op, and a
			// changed setting is applied.
			if err := b.ensureStreams(context.Background()); err != nil {
				t.Fatalf("second ensureStreams: %v", err)
			}
			b.opts.MaxAge = 7 * 24 * time.Hour
			if err := b.ensureStreams(context.Background()); err != nil {
				t.Fatalf("ensureStreams with new max age: %v", err)
			}
			for _, name := range []string{StreamCollected, StreamClassified, StreamDead} {
				s, err := b.js.Stream(context.Background(), b.streamName(name))
				if err != nil {
					t.Fatalf("stream %s: %v", name, err)
				}
				cfg := s.CachedInfo().Config
				if cfg.Storage != jetstream.FileStorage {
					t.Errorf("%s storage = %v, want file", name, cfg.Storage)
				}
				if cfg.Duplicates != DefaultDuplicateWindow {
					t.Errorf("%s duplicates = %s", name, cfg.Duplicates)
				}
				if cfg.MaxAge != 7*24*time.Hour {
					t.Errorf("%s max age = %s, want the updated 168h", name, cfg.MaxAge)
				}
				wantSubj := b.subject(streamRoots[name] + ".>")
				if len(cfg.Subjects) != 1 || cfg.Subjects[0] != wantSubj {
					t.Errorf("%s subjects = %v, want [%s]", name, cfg.Subjects, wantSubj)
				}
			}
		})
	}
}

func TestPublishDedupByMsgID(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			b := openBus(t, srv.opts(t))
			ctx := context.Background()
			arts := testArticles(t, 50, "dedup")
			if err := b.PublishCollected(ctx, arts); err != nil {
				t.Fatalf("PublishCollected: %v", err)
			}
			if err := b.PublishCollected(ctx, arts[:20]); err != nil {
				t.Fatalf("PublishCollected again: %v", err)
			}
			if n := streamMsgs(t, b, StreamCollected); n != 50 {
				t.Fatalf("PW_COLLECTED holds %d messages, want 50 (duplicates not removed)", n)
			}

			// Classified: the same verdict at another time is a duplicate; a new
			// verdict is a new message.
			a := arts[0]
			a.Classification = &article.Classification{About: true, Topics: []string{"investment"}, At: time.Now()}
			if err := b.PublishClassified(ctx, []*article.Article{a}); err != nil {
				t.Fatal(err)
			}
			a.Classification.At = a.Classification.At.Add(time.Hour)
			if err := b.PublishClassified(ctx, []*article.Article{a}); err != nil {
				t.Fatal(err)
			}
			if n := streamMsgs(t, b, StreamClassified); n != 1 {
				t.Fatalf("PW_CLASSIFIED holds %d, want 1 after a redelivered verdict", n)
			}
			a.Classification.Topics = []string{"investment", "environment"}
			if err := b.PublishClassified(ctx, []*article.Article{a}); err != nil {
				t.Fatal(err)
			}
			if n := streamMsgs(t, b, StreamClassified); n != 2 {
				t.Fatalf("PW_CLASSIFIED holds %d, want 2 after a reclassification", n)
			}
		})
	}
}

func TestPublishErrorNamesIDs(t *testing.T) {
	b := openBus(t, Options{DataDir: t.TempDir()})
	arts := testArticles(t, 3, "cancelled")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := b.PublishCollected(ctx, arts)
	var pe *PublishError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *PublishError", err)
	}
	if len(pe.Failed) != 3 || pe.Total != 3 || !errors.Is(err, context.Canceled) {
		t.Fatalf("PublishError = %+v", pe)
	}
	for _, a := range arts {
		if !strings.Contains(err.Error(), a.ID) {
			t.Errorf("error %q does not name %s", err, a.ID)
		}
	}
	if err := b.PublishCollected(context.Background(), []*article.Article{{Title: "no id"}}); err == nil {
		t.Fatal("publishing an article without an id succeeded")
	}
}

func TestConsumeAcksAfterHandler(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			b := openBus(t, srv.opts(t))
			ctx := context.Background()
			arts := testArticles(t, 20, "ack")
			if err := b.PublishCollected(ctx, arts); err != nil {
				t.Fatal(err)
			}
			spec := ConsumerSpec{Stream: StreamCollected, Durable: "acktest", BatchSize: 20, AckWait: 30 * time.Second, DrainTimeout: -1}

			// First run: the handler blocks until Consume is stopped, then fails
			// with the ctx error. Nothing may be acked.
			entered := make(chan int, 1)
			stop := consumeAsync(t, b, spec, func(ctx context.Context, msgs []*Message) error {
				select {
				case entered <- len(msgs):
				default:
				}
				<-ctx.Done()
				return ctx.Err()
			})
			select {
			case <-entered:
			case <-time.After(10 * time.Second):
				t.Fatal("handler never called")
			}
			pending, ackPending, err := b.Lag(ctx, StreamCollected, "acktest")
			if err != nil {
				t.Fatal(err)
			}
			if pending+uint64(ackPending) != 20 {
				t.Fatalf("while the handler runs: pending %d + ack pending %d, want 20 unacked", pending, ackPending)
			}
			stop()

			// Second run: every message comes back (delivered twice) and is acked.
			var mu sync.Mutex
			seen := map[string]uint64{}
			stop2 := consumeAsync(t, b, spec, func(ctx context.Context, msgs []*Message) error {
				mu.Lock()
				defer mu.Unlock()
				for _, m := range msgs {
					if _, err := article.Unmarshal(m.Data); err != nil {
						return Permanent(err)
					}
					if !strings.HasPrefix(m.Subject, "pw.collected.example_news") {
						return fmt.Errorf("subject %q", m.Subject)
					}
					seen[m.MsgID] = m.Delivered
				}
				return nil
			})
			waitFor(t, "all 20 redelivered", 20*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(seen) == 20
			})
			stop2()
			for id, d := range seen {
				if d < 2 {
					t.Errorf("message %s delivered %d times, want ≥ 2 (it was acked before its handler succeeded)", id, d)
				}
			}
			pending, ackPending, err = b.Lag(ctx, StreamCollected, "acktest")
			if err != nil || pending != 0 || ackPending != 0 {
				t.Fatalf("after success: pending %d, ack pending %d, err %v; want all acked", pending, ackPending, err)
			}
		})
	}
}

func TestRedeliveryAfterAckWait(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			b := openBus(t, srv.opts(t))
			ctx := context.Background()
			if err := b.PublishCollected(ctx, testArticles(t, 1, "ackwait")); err != nil {
				t.Fatal(err)
			}
			const ackWait = time.Second
			// The same settings Consume will use, so that its CreateOrUpdate is a
			// no-op (a 2.9 server resets delivery counts on some updates).
			spec := ConsumerSpec{Stream: StreamCollected, Durable: "ackwait", AckWait: ackWait,
				MaxDeliver: DefaultMaxDeliver, BatchSize: DefaultBatchSize, Concurrency: 1}
			cs := &consumerState{b: b, spec: spec}
			if err := cs.setup(ctx); err != nil {
				t.Fatal(err)
			}
			// A consumer that takes the message and dies without acking.
			batch, err := cs.cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for range batch.Messages() {
				got++
			}
			if got != 1 {
				t.Fatalf("fetched %d messages, want 1", got)
			}
			taken := time.Now()

			delivered := make(chan uint64, 4)
			consumeAsync(t, b, spec, func(ctx context.Context, msgs []*Message) error {
				for _, m := range msgs {
					delivered <- m.Delivered
				}
				return nil
			})
			select {
			case d := <-delivered:
				if d != 2 {
					t.Errorf("redelivered with Delivered = %d, want 2", d)
				}
				if since := time.Since(taken); since < ackWait*9/10 {
					t.Errorf("redelivered after %s, before AckWait %s", since, ackWait)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("message not redelivered after AckWait")
			}
		})
	}
}

// deadMessages reads everything in PW_DEAD with a fresh consumer.
func deadMessages(t *testing.T, b *Bus, want int) []jetstream.Msg {
	t.Helper()
	ctx := context.Background()
	cons, err := b.js.OrderedConsumer(ctx, b.streamName(StreamDead), jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	deadline := time.Now().Add(90 * time.Second)
	for len(out) < want && time.Now().Before(deadline) {
		batch, err := cons.Fetch(want-len(out), jetstream.FetchMaxWait(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			out = append(out, m)
		}
	}
	return out
}

func TestDeadLetterAfterMaxDeliver(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			b := openBus(t, srv.opts(t))
			ctx := context.Background()
			arts := testArticles(t, 5, "poison")
			poison := arts[2].ID
			if err := b.PublishCollected(ctx, arts); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			okCount := map[string]int{}
			poisonCalls := 0
			spec := ConsumerSpec{Stream: StreamCollected, Durable: "deadtest", MaxDeliver: 3, Backoff: 50 * time.Millisecond, BatchSize: 10}
			consumeAsync(t, b, spec, func(ctx context.Context, msgs []*Message) error {
				mu.Lock()
				defer mu.Unlock()
				for _, m := range msgs {
					if m.MsgID == poison {
						poisonCalls++
						return fmt.Errorf("store rejected %s:\nconstraint failed", m.MsgID)
					}
				}
				for _, m := range msgs {
					okCount[m.MsgID]++
				}
				return nil
			})
			dead := deadMessages(t, b, 1)
			if len(dead) != 1 {
				t.Fatalf("PW_DEAD holds %d messages, want 1", len(dead))
			}
			h := dead[0].Headers()
			if got := h.Get(HeaderError); got != "store rejected "+poison+": constraint failed" {
				t.Errorf("%s = %q", HeaderError, got)
			}
			if got := h.Get(HeaderDelivered); got != "3" {
				t.Errorf("%s = %q, want 3", HeaderDelivered, got)
			}
			if got := h.Get(HeaderOriginalSubject); got != "pw.collected.example_news" {
				t.Errorf("%s = %q", HeaderOriginalSubject, got)
			}
			if h.Get(HeaderStream) != StreamCollected || h.Get(HeaderOriginalMsgID) != poison || h.Get(HeaderDurable) != "deadtest" {
				t.Errorf("headers = %v", h)
			}
			if a, err := article.Unmarshal(dead[0].Data()); err != nil || a.ID != poison {
				t.Errorf("dead body: %v, %v", a, err)
			}
			if s := dead[0].Subject(); s != b.subject("pw.dead."+StreamCollected) {
				t.Errorf("dead subject %q", s)
			}
			waitFor(t, "consumer settled", 10*time.Second, func() bool {
				p, ap, err := b.Lag(ctx, StreamCollected, "deadtest")
				return err == nil && p == 0 && ap == 0
			})
			mu.Lock()
			defer mu.Unlock()
			// The batch call plus one retry alone per delivery: 3 deliveries.
			if poisonCalls < 3 || poisonCalls > 6 {
				t.Errorf("handler saw the poison message %d times, want between 3 and 6", poisonCalls)
			}
			for _, a := range arts {
				if a.ID != poison && okCount[a.ID] != 1 {
					t.Errorf("good message %s handled %d times, want 1", a.ID, okCount[a.ID])
				}
			}
		})
	}
}

func TestPermanentDeadLettersAtOnce(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			b := openBus(t, srv.opts(t))
			ctx := context.Background()
			if err := b.PublishCollected(ctx, testArticles(t, 1, "perm")); err != nil {
				t.Fatal(err)
			}
			var calls sync.Map
			spec := ConsumerSpec{Stream: StreamCollected, Durable: "permtest", MaxDeliver: 5, Backoff: 50 * time.Millisecond}
			consumeAsync(t, b, spec, func(ctx context.Context, msgs []*Message) error {
				n, _ := calls.LoadOrStore("n", new(int))
				*n.(*int)++
				return Permanent(errors.New("undecodable"))
			})
			dead := deadMessages(t, b, 1)
			if len(dead) != 1 {
				t.Fatalf("PW_DEAD holds %d, want 1", len(dead))
			}
			if got := dead[0].Headers().Get(HeaderDelivered); got != "1" {
				t.Errorf("dead-lettered after %s deliveries, want 1", got)
			}
			if got := dead[0].Headers().Get(HeaderError); got != "undecodable" {
				t.Errorf("error header %q", got)
			}
		})
	}
}

func TestPermanent(t *testing.T) {
	if Permanent(nil) != nil {
		t.Fatal("Permanent(nil) != nil")
	}
	base := errors.New("bad bytes")
	err := fmt.Errorf("handle: %w", Permanent(base))
	if !IsPermanent(err) || !errors.Is(err, base) || err.Error() != "handle: bad bytes" {
		t.Fatalf("Permanent wrapping broken: %v", err)
	}
	if IsPermanent(base) {
		t.Fatal("plain error reported permanent")
	}
}

func TestEmbeddedRestartKeepsMessages(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b, err := Open(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	arts := testArticles(t, 100, "restart")
	if err := b.PublishCollected(ctx, arts); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	b2 := openBus(t, Options{DataDir: dir})
	if n := streamMsgs(t, b2, StreamCollected); n != 100 {
		t.Fatalf("after restart PW_COLLECTED holds %d, want 100", n)
	}
	// Dedup state survives too.
	if err := b2.PublishCollected(ctx, arts[:10]); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	consumeAsync(t, b2, ConsumerSpec{Stream: StreamCollected, Durable: "restart"}, func(ctx context.Context, msgs []*Message) error {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			seen[m.MsgID] = true
		}
		return nil
	})
	waitFor(t, "100 messages consumed", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == 100
	})
	if n := streamMsgs(t, b2, StreamCollected); n != 100 {
		t.Fatalf("after republish PW_COLLECTED holds %d, want 100", n)
	}
}

func TestEmbeddedListenLoopback(t *testing.T) {
	a := openBus(t, Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	url := a.ClientURL()
	if !strings.HasPrefix(url, "nats://127.0.0.1:") {
		t.Fatalf("ClientURL = %q", url)
	}
	// A second process would connect like this.
	b := openBus(t, Options{URL: url})
	if err := b.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.PublishCollected(context.Background(), testArticles(t, 3, "listen")); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, a, StreamCollected); n != 3 {
		t.Fatalf("embedded stream holds %d, want 3", n)
	}
	inproc := openBus(t, Options{DataDir: t.TempDir()})
	if inproc.ClientURL() != "" {
		t.Fatalf("in-process bus ClientURL = %q, want empty", inproc.ClientURL())
	}
}

func TestConsumeStopsOnCancel(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			b := openBus(t, srv.opts(t))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- b.Consume(ctx, ConsumerSpec{Stream: StreamCollected, Durable: "cancel", MaxWait: time.Second}, func(context.Context, []*Message) error { return nil })
			}()
			time.Sleep(300 * time.Millisecond)
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Consume = %v, want nil after cancel", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Consume still running 5s after ctx cancel")
			}
		})
	}
}

func TestConsumeBadSpec(t *testing.T) {
	b := openBus(t, Options{DataDir: t.TempDir()})
	h := func(context.Context, []*Message) error { return nil }
	for _, spec := range []ConsumerSpec{
		{Stream: "NOPE", Durable: "x"},
		{Stream: StreamCollected, Durable: "a.b"},
		{Stream: StreamCollected},
	} {
		if err := b.Consume(context.Background(), spec, h); err == nil {
			t.Errorf("Consume(%+v) succeeded", spec)
		}
	}
	if err := b.Consume(context.Background(), ConsumerSpec{Stream: StreamCollected, Durable: "x"}, nil); err == nil {
		t.Error("Consume with nil handler succeeded")
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	b := openBus(t, Options{DataDir: t.TempDir(), Registerer: reg})
	// A second bus on the same registry shares the collectors.
	openBus(t, Options{DataDir: t.TempDir(), Registerer: reg})
	ctx := context.Background()
	if err := b.PublishCollected(ctx, testArticles(t, 7, "metrics")); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var once sync.Once
	consumeAsync(t, b, ConsumerSpec{Stream: StreamCollected, Durable: "metrics"}, func(ctx context.Context, msgs []*Message) error {
		once.Do(func() { close(done) })
		return nil
	})
	<-done
	waitFor(t, "acks counted", 5*time.Second, func() bool {
		v, _ := gathered(t, reg, "presswatch_bus_consumer_acked_total", "metrics")
		return v == 7
	})
	for _, c := range []struct{ name, label string }{
		{"presswatch_bus_published_total", StreamCollected},
		{"presswatch_bus_publish_acked_total", StreamCollected},
		{"presswatch_bus_consumed_total", "metrics"},
	} {
		if v, ok := gathered(t, reg, c.name, c.label); !ok || v != 7 {
			t.Errorf("%s{%s} = %v (present %v), want 7", c.name, c.label, v, ok)
		}
	}
	if _, ok := gathered(t, reg, "presswatch_bus_consumer_lag", "metrics"); !ok {
		t.Error("presswatch_bus_consumer_lag{durable=metrics} not exported")
	}
}

// gathered returns the value of the series of name whose only label has the
// given value.
func gathered(t *testing.T, reg *prometheus.Registry, name, label string) (float64, bool) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label {
				if c := m.GetCounter(); c != nil {
					return c.GetValue(), true
				}
				return m.GetGauge().GetValue(), true
			}
		}
	}
	return 0, false
}

func TestSubjectToken(t *testing.T) {
	for in, want := range map[string]string{
		"":              "unknown",
		"reuters":       "reuters",
		"nikkei-asia":   "nikkei-asia",
		"vn.express >*": "vn_express___",
		"Tuổi Trẻ":      "Tu_i_Tr_",
	} {
		if got := subjectToken(in); got != want {
			t.Errorf("subjectToken(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSubjectToken(f *testing.F) {
	f.Add("vn.express")
	f.Add("")
	f.Add("a b\x00>")
	f.Fuzz(func(t *testing.T, s string) {
		if tok := subjectToken(s); !validToken(tok) {
			t.Fatalf("subjectToken(%q) = %q is not a valid token", s, tok)
		}
	})
}

func TestDeadLetterWhenLastDeliveryTimesOut(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			b := openBus(t, srv.opts(t))
			ctx := context.Background()
			arts := testArticles(t, 1, "stuck")
			if err := b.PublishCollected(ctx, arts); err != nil {
				t.Fatal(err)
			}
			// Every delivery hangs past AckWait, as if the process had died.
			// A hung handler keeps its worker, so a requeued copy could not
			// be handled in this process: requeues are off here (see
			// TestNoResultIsRequeuedNotDeadLettered).
			was := maxNoResultRequeues
			maxNoResultRequeues = 0
			t.Cleanup(func() { maxNoResultRequeues = was })
			spec := ConsumerSpec{Stream: StreamCollected, Durable: "stuck", AckWait: time.Second, MaxDeliver: 2, Concurrency: 2, DrainTimeout: -1}
			consumeAsync(t, b, spec, func(ctx context.Context, msgs []*Message) error {
				<-ctx.Done()
				return ctx.Err()
			})
			dead := deadMessages(t, b, 1)
			if len(dead) != 1 {
				t.Fatalf("PW_DEAD holds %d, want the message whose deliveries ran out", len(dead))
			}
			h := dead[0].Headers()
			if h.Get(HeaderOriginalMsgID) != arts[0].ID || h.Get(HeaderDelivered) != "2" ||
				!strings.Contains(h.Get(HeaderError), "no result after 2 deliveries") {
				t.Fatalf("dead headers = %v", h)
			}
		})
	}
}

// TestNoResultIsRequeuedNotDeadLettered: a message whose first round of
// deliveries ends with no result (the handler holds it past AckWait, as when
// deliveries are lost in transit while NATS nodes come back) is published
// again, with its first message ID, and handled — not dead-lettered.
func TestNoResultIsRequeuedNotDeadLettered(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			b := openBus(t, srv.opts(t))
			ctx := context.Background()
			arts := testArticles(t, 1, "lost")
			if err := b.PublishCollected(ctx, arts); err != nil {
				t.Fatal(err)
			}
			spec := ConsumerSpec{Stream: StreamCollected, Durable: "lost", AckWait: time.Second, MaxDeliver: 2, Concurrency: 2, DrainTimeout: -1}
			release := make(chan struct{})
			var mu sync.Mutex
			calls := 0
			done := make(chan string, 1)
			consumeAsync(t, b, spec, func(ctx context.Context, msgs []*Message) error {
				mu.Lock()
				calls++
				n := calls
				mu.Unlock()
				if n <= spec.MaxDeliver {
					// The first round gives no result until the copy exists.
					select {
					case <-release:
						// Cut short, as a lost delivery is: no result.
						return context.Canceled
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				select {
				case done <- msgs[0].MsgID:
				default:
				}
				return nil
			})
			// Wait (polling a condition, not a fixed sleep) for the copy.
			deadline := time.Now().Add(90 * time.Second)
			for {
				n, err := b.StreamMsgs(ctx, StreamCollected)
				if err != nil {
					t.Fatal(err)
				}
				if n == 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("PW_COLLECTED holds %d messages; the no-result message was not published again", n)
				}
				time.Sleep(50 * time.Millisecond)
			}
			close(release)
			select {
			case id := <-done:
				if id != arts[0].ID {
					t.Fatalf("requeued copy has message ID %q, want the original %q", id, arts[0].ID)
				}
			case <-time.After(90 * time.Second):
				t.Fatal("the requeued copy was never handled")
			}
			if n, err := b.StreamMsgs(ctx, StreamDead); err != nil || n != 0 {
				var why []string
				for _, d := range deadMessages(t, b, int(n)) {
					why = append(why, d.Headers().Get(HeaderError))
				}
				t.Fatalf("PW_DEAD holds %d (%v), want 0: %q", n, err, why)
			}
			// The counter moves once the copy's PubAck is back, which may
			// be after the copy was handled: wait for it, then check it
			// moved once.
			requeued := func() float64 { return testutil.ToFloat64(b.m.requeued.WithLabelValues("lost")) }
			waitFor(t, "the requeue counter", 30*time.Second, func() bool { return requeued() >= 1 })
			if got := requeued(); got != 1 {
				t.Fatalf("requeued counter = %v, want 1", got)
			}
		})
	}
}

// TestConcurrentPublishers checks that callers sharing the connection's
// limit of pending async publishes (4,096) all get every PubAck.
func TestConcurrentPublishers(t *testing.T) {
	b := openBus(t, Options{DataDir: t.TempDir()})
	const callers, each = 8, 1500
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		arts := testArticles(t, each, fmt.Sprintf("conc%d", i))
		wg.Go(func() {
			if err := b.PublishCollected(context.Background(), arts); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := streamMsgs(t, b, StreamCollected); n != callers*each {
		t.Fatalf("PW_COLLECTED holds %d, want %d", n, callers*each)
	}
}

func TestConsumeReturnsWhenBusClosed(t *testing.T) {
	b, err := Open(context.Background(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- b.Consume(context.Background(), ConsumerSpec{Stream: StreamCollected, Durable: "closed"}, func(context.Context, []*Message) error { return nil })
	}()
	time.Sleep(300 * time.Millisecond)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "closed") {
			t.Fatalf("Consume = %v, want a closed-connection error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Consume still running 10s after the bus was closed")
	}
}

func TestEmbeddedStoreLocked(t *testing.T) {
	dir := t.TempDir()
	openBus(t, Options{DataDir: dir})
	_, err := Open(context.Background(), Options{DataDir: dir})
	if !errors.Is(err, ErrStoreInUse) {
		t.Fatalf("second Open on the same data dir = %v, want ErrStoreInUse", err)
	}
}

// TestConsumeDrain checks shutdown: a batch in its handler when ctx ends
// finishes and is acked within DrainTimeout, and is left unacked when the
// handler is cut short.
func TestConsumeDrain(t *testing.T) {
	for _, tc := range []struct {
		name      string
		drain     time.Duration
		wantAcked bool
	}{
		{"default drain finishes the batch", 0, true},
		{"no drain abandons it", -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := openBus(t, Options{DataDir: t.TempDir()})
			ctx := context.Background()
			if err := b.PublishCollected(ctx, testArticles(t, 10, "drain")); err != nil {
				t.Fatal(err)
			}
			entered := make(chan struct{})
			var once sync.Once
			stop := consumeAsync(t, b, ConsumerSpec{Stream: StreamCollected, Durable: "drain", DrainTimeout: tc.drain},
				func(ctx context.Context, msgs []*Message) error {
					once.Do(func() { close(entered) })
					select {
					case <-time.After(500 * time.Millisecond):
						return nil
					case <-ctx.Done():
						return ctx.Err()
					}
				})
			<-entered
			stop()
			p, ap, err := b.Lag(ctx, StreamCollected, "drain")
			if err != nil {
				t.Fatal(err)
			}
			if acked := p == 0 && ap == 0; acked != tc.wantAcked {
				t.Fatalf("after stop: pending %d, ack pending %d; want acked = %v", p, ap, tc.wantAcked)
			}
		})
	}
}

// TestPublishOversizedArticle: a page larger than one message carries (the
// server's max_payload, 1 MiB by default) is published with its text cut
// to fit and flagged, and the classified copy of it still fits. Before, it
// failed with "maximum payload exceeded" on every retry and never arrived.
func TestPublishOversizedArticle(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			b := openBus(t, srv.opts(t))
			ctx := context.Background()
			a := testArticles(t, 1, "huge")[0]
			// 3 MB of text, a third of it characters JSON writes as six bytes.
			full := strings.Repeat("Đồng Nai <b>tin</b> & ", 120000)
			a.Text = full
			if err := b.PublishCollected(ctx, []*article.Article{a}); err != nil {
				t.Fatalf("PublishCollected: %v", err)
			}
			got := make(chan *article.Article, 1)
			consumeAsync(t, b, ConsumerSpec{Stream: StreamCollected, Durable: "huge", BatchSize: 1, AckWait: 30 * time.Second, DrainTimeout: -1},
				func(ctx context.Context, msgs []*Message) error {
					for _, m := range msgs {
						if max := int(b.nc.MaxPayload() / 2); len(m.Data) > max {
							t.Errorf("message of %d bytes, over %d", len(m.Data), max)
						}
						x, err := article.Unmarshal(m.Data)
						if err != nil {
							return Permanent(err)
						}
						select {
						case got <- x:
						default:
						}
					}
					return nil
				})
			var x *article.Article
			select {
			case x = <-got:
			case <-time.After(30 * time.Second):
				t.Fatal("the oversized article never arrived")
			}
			if !x.HasFlag(article.FlagTextCut) || len(x.Text) < 100<<10 || !strings.HasPrefix(full, x.Text) || x.Title != a.Title {
				t.Errorf("arrived: flags %v, %d bytes of text, a prefix of the page's %v", x.Flags, len(x.Text), strings.HasPrefix(full, x.Text))
			}
			x.Classification = &article.Classification{About: true, Topics: []string{"society"}, At: time.Now()}
			if err := b.PublishClassified(ctx, []*article.Article{x}); err != nil {
				t.Errorf("the classified copy does not fit: %v", err)
			}
		})
	}
}

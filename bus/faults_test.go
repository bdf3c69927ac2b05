package bus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dongnai/presswatch/internal/natstest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want ErrorClass
	}{
		{"nil", nil, ClassUnknown},
		{"plain", errors.New("boom"), ClassUnknown},
		{"permanent", Permanent(errors.New("bad json")), ClassPermanent},
		{"permanent wins", Permanent(Transient(errors.New("x"))), ClassPermanent},
		{"marked", fmt.Errorf("store: %w", Transient(errors.New("down"))), ClassTransient},
		{"deadline", fmt.Errorf("upsert: %w", context.DeadlineExceeded), ClassTransient},
		{"canceled", context.Canceled, ClassUnknown},
		{"refused", fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), ClassTransient},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), ClassTransient},
		{"enospc", fmt.Errorf("write segment: %w", syscall.ENOSPC), ClassTransient},
		{"eof", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), ClassTransient},
		{"nats timeout", fmt.Errorf("publish: %w", nats.ErrTimeout), ClassTransient},
		{"no responders", &PublishError{Stream: StreamClassified, Err: nats.ErrNoResponders}, ClassTransient},
		{"js unavailable", &jetstream.APIError{Code: 503, ErrorCode: 10008}, ClassTransient},
		{"js bad request", &jetstream.APIError{Code: 400, ErrorCode: 10052}, ClassUnknown},
	} {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("%s: Classify(%v) = %s, want %s", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestTransientErrorSpendsNoDeliveries keeps a handler's dependency down
// for far longer than AckWait × MaxDeliver and checks that nothing is
// redelivered or dead-lettered meanwhile, that the consumer reports why it
// is not ready, and that every message is handled once it is back.
func TestTransientErrorSpendsNoDeliveries(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			b := openBus(t, srv.opts(t))
			ctx := context.Background()
			const n = 40
			arts := testArticles(t, n, "transient")
			if err := b.PublishCollected(ctx, arts); err != nil {
				t.Fatal(err)
			}
			var (
				down     atomic.Bool
				calls    atomic.Int64
				mu       sync.Mutex
				handled  = map[string]int{}
				maxDeliv uint64
			)
			down.Store(true)
			spec := ConsumerSpec{Stream: StreamCollected, Durable: "transient", AckWait: 600 * time.Millisecond,
				MaxDeliver: 2, BatchSize: 8, Backoff: 40 * time.Millisecond, MaxTransientBackoff: 100 * time.Millisecond, Concurrency: 2}
			consumeAsync(t, b, spec, func(ctx context.Context, msgs []*Message) error {
				calls.Add(1)
				if down.Load() {
					// As the store's driver reports it.
					return fmt.Errorf("store %d articles: %w", len(msgs), &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
				}
				mu.Lock()
				defer mu.Unlock()
				for _, m := range msgs {
					handled[m.MsgID]++
					maxDeliv = max(maxDeliv, m.Delivered)
				}
				return nil
			})
			waitFor(t, "the consumer to report it waits", 30*time.Second, func() bool {
				err := b.ConsumersReady(ctx)
				return err != nil && strings.Contains(err.Error(), "connection refused")
			})
			// 40 retries at ≤100ms apart are well over AckWait × MaxDeliver (1.2s):
			// without keep-alive the messages would have run out of deliveries.
			waitFor(t, "retries while the dependency is down", 60*time.Second, func() bool { return calls.Load() >= 40 })
			if err := b.ConsumersReady(ctx); err == nil {
				t.Fatal("ConsumersReady = nil while the dependency is down")
			}
			down.Store(false)
			waitFor(t, "every message handled", 60*time.Second, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(handled) == n
			})
			waitFor(t, "the consumer to be ready again", 30*time.Second, func() bool { return b.ConsumersReady(ctx) == nil })
			waitFor(t, "every ack", 30*time.Second, func() bool {
				pending, ackPending, err := b.Lag(ctx, StreamCollected, "transient")
				return err == nil && pending == 0 && ackPending == 0
			})
			mu.Lock()
			defer mu.Unlock()
			for id, c := range handled {
				if c != 1 {
					t.Errorf("message %s handled %d times, want once", id, c)
				}
			}
			if maxDeliv != 1 {
				t.Errorf("highest delivery count = %d, want 1 (the wait must spend no deliveries)", maxDeliv)
			}
			if got := streamMsgs(t, b, StreamDead); got != 0 {
				t.Errorf("PW_DEAD holds %d messages after a transient outage, want 0", got)
			}
		})
	}
}

// TestDeadLetterIDIncludesConsumer: two consumers giving up on the same
// message both land in PW_DEAD.
func TestDeadLetterIDIncludesConsumer(t *testing.T) {
	b := openBus(t, Options{DataDir: t.TempDir()})
	ctx := context.Background()
	arts := testArticles(t, 1, "twice")
	if err := b.PublishCollected(ctx, arts); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"first", "second"} {
		consumeAsync(t, b, ConsumerSpec{Stream: StreamCollected, Durable: d}, func(ctx context.Context, msgs []*Message) error {
			return Permanent(errors.New("invalid"))
		})
	}
	dead := deadMessages(t, b, 2)
	if len(dead) != 2 {
		t.Fatalf("PW_DEAD holds %d, want one per consumer", len(dead))
	}
	ids := map[string]bool{}
	for _, m := range dead {
		ids[m.Headers().Get(jetstream.MsgIDHeader)] = true
	}
	for _, want := range []string{DeadMsgID(StreamCollected, "first", 1), DeadMsgID(StreamCollected, "second", 1)} {
		if !ids[want] {
			t.Errorf("dead IDs %v lack %s", ids, want)
		}
	}
}

// logWatch is a slog handler that signals when a record's message contains a
// substring.
type logWatch struct {
	sub  string
	once sync.Once
	seen chan struct{}
}

func newLogWatch(sub string) *logWatch { return &logWatch{sub: sub, seen: make(chan struct{})} }

func (l *logWatch) Enabled(context.Context, slog.Level) bool { return true }
func (l *logWatch) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, l.sub) {
		l.once.Do(func() { close(l.seen) })
	}
	return nil
}
func (l *logWatch) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logWatch) WithGroup(string) slog.Handler      { return l }

// TestOpenBeforeServer starts the bus before its server: Open keeps trying
// and succeeds once the server is up.
func TestOpenBeforeServer(t *testing.T) {
	c := natstest.NewCluster(t, 1)
	lw := newLogWatch("not ready yet")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	type res struct {
		b   *Bus
		err error
	}
	done := make(chan res, 1)
	go func() {
		b, err := Open(ctx, Options{URL: c.URL(), Logger: slog.New(lw)})
		done <- res{b, err}
	}()
	select {
	case <-lw.seen:
	case r := <-done:
		t.Fatalf("Open returned before the server ran: %v", r.err)
	case <-ctx.Done():
		t.Fatal("Open never retried")
	}
	c.Start(0)
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Open after the server started: %v", r.err)
		}
		defer r.b.Close()
		if err := r.b.PublishCollected(ctx, testArticles(t, 1, "late")); err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("Open did not return after the server started")
	}
}

// TestOpenBeforeClusterFormed asks for R3 streams while one node of three
// runs: Open waits until the other two join.
func TestOpenBeforeClusterFormed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	c := natstest.NewCluster(t, 3)
	c.Start(0)
	lw := newLogWatch("not ready yet")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	type res struct {
		b   *Bus
		err error
	}
	done := make(chan res, 1)
	go func() {
		b, err := Open(ctx, Options{URL: c.URL(), Replicas: 3, Logger: slog.New(lw)})
		done <- res{b, err}
	}()
	select {
	case <-lw.seen:
	case r := <-done:
		if r.err == nil {
			r.b.Close()
		}
		t.Fatalf("Open returned with one node of three: %v", r.err)
	case <-ctx.Done():
		t.Fatal("Open never retried")
	}
	c.Start(1)
	c.Start(2)
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Open after the cluster formed: %v", r.err)
		}
		defer r.b.Close()
		if err := r.b.PublishCollected(ctx, testArticles(t, 1, "r3")); err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("Open did not return after the cluster formed")
	}
}

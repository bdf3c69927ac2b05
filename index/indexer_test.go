package index

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
)

func openBus(t *testing.T) *bus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, bus.Options{
		DataDir: t.TempDir(), Listen: "127.0.0.1:0", SyncInterval: 100 * time.Millisecond,
		AckWait: 2 * time.Second, MaxDeliver: 2,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// runIndexer starts an indexer and returns a function that stops it and
// waits for it to return.
func runIndexer(t *testing.T, b *bus.Bus, ix *Index, durable string) (stop func()) {
	t.Helper()
	x, err := NewIndexer(IndexerOptions{Bus: b, Index: ix, Durable: durable, BatchSize: 64,
		FlushInterval: 50 * time.Millisecond, Registerer: prometheus.NewRegistry(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := x.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return stop
}

func waitCount(t *testing.T, ix *Index, want uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := ix.DocCount()
		if err != nil {
			t.Fatal(err)
		}
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("index holds %d articles, want %d", n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIndexerConsumesClassified(t *testing.T) {
	ctx := context.Background()
	b := openBus(t)
	ixA := openTest(t, t.TempDir()+"/a")
	ixB := openTest(t, t.TempDir()+"/b")
	stopA := runIndexer(t, b, ixA, "indexer-node-a")
	runIndexer(t, b, ixB, "indexer-node-b")

	arts := corpus()
	for _, a := range arts {
		if a.Classification == nil {
			a.Classification = &article.Classification{}
		}
		a.Classification.At = time.Now()
	}
	if err := b.PublishClassified(ctx, arts); err != nil {
		t.Fatal(err)
	}
	// Every node keeps its own replica: both see every article.
	waitCount(t, ixA, uint64(len(arts)))
	waitCount(t, ixB, uint64(len(arts)))
	res, err := ixA.Search(ctx, Request{Query: "dong nai"})
	if err != nil || !slices.Equal(ids(res), []string{"en1", "en2", "fr1", "vi1"}) {
		t.Fatalf("search after indexing: %v %v", res, err)
	}

	// Acknowledged only after indexing: nothing pending once the count is reached.
	deadline := time.Now().Add(10 * time.Second)
	for {
		pending, ackPending, err := b.Lag(ctx, bus.StreamClassified, "indexer-node-a")
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 && ackPending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lag after indexing: pending %d, ack pending %d", pending, ackPending)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A node that was down catches up from its durable consumer; a
	// reclassification replaces the document.
	stopA()
	re := corpus()[0]
	re.Classification.Risk = 95
	re.Classification.At = time.Now()
	more := &article.Article{ID: "late", Lang: "en", Title: "Late news from Dong Nai", Published: time.Now()}
	if err := b.PublishClassified(ctx, []*article.Article{re, more}); err != nil {
		t.Fatal(err)
	}
	runIndexer(t, b, ixA, "indexer-node-a")
	waitCount(t, ixA, uint64(len(arts)+1))
	deadline = time.Now().Add(10 * time.Second)
	for {
		res, err := ixA.Search(ctx, Request{Query: "risk>=90"})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(ids(res), []string{"vi1"}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reclassified article not updated: %v", ids(res))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestIndexerDeadLettersUndecodable(t *testing.T) {
	ctx := context.Background()
	b := openBus(t)
	ix := openTest(t, "")
	runIndexer(t, b, ix, "indexer-bad")

	nc, err := nats.Connect(b.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	good := corpus()[:3]
	for i, a := range good {
		data, err := article.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish("pw.classified.about", data, nats.MsgId(fmt.Sprintf("good-%d", i))); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if _, err := js.Publish("pw.classified.about", []byte("{not json"), nats.MsgId("bad")); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitCount(t, ix, 3)
	deadline := time.Now().Add(15 * time.Second)
	for {
		pending, ackPending, err := b.Lag(ctx, bus.StreamClassified, "indexer-bad")
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 && ackPending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the undecodable message was not settled: pending %d, ack pending %d", pending, ackPending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	info, err := js.StreamInfo(bus.StreamDead)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("PW_DEAD holds %d messages, want 1", info.State.Msgs)
	}
}

func TestNewIndexerValidates(t *testing.T) {
	if _, err := NewIndexer(IndexerOptions{}); err == nil {
		t.Error("NewIndexer without a bus succeeded")
	}
	b := openBus(t)
	if _, err := NewIndexer(IndexerOptions{Bus: b}); err == nil {
		t.Error("NewIndexer without an index succeeded")
	}
	ix := openTest(t, "")
	if _, err := NewIndexer(IndexerOptions{Bus: b, Index: ix}); err == nil {
		t.Error("NewIndexer without a durable name succeeded")
	}
}

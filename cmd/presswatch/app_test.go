package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAppStopsCollectorsFirstThenProcessorsThenServers(t *testing.T) {
	a := newApp(slog.New(slog.NewTextHandler(io.Discard, nil)))
	var mu sync.Mutex
	var order []string
	record := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	for _, c := range []struct {
		name string
		p    phase
	}{{"web", phaseServer}, {"classifier", phaseProcessor}, {"crawler", phaseCollector}} {
		a.add(c.name, c.p, func(ctx context.Context) error {
			record("start " + c.name)
			<-ctx.Done()
			time.Sleep(10 * time.Millisecond) // drain
			record("stop " + c.name)
			return nil
		})
	}
	a.onStop("bus", func() error { record("close bus"); return nil })
	a.onStop("store", func() error { record("close store"); return nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.run(ctx, 5*time.Second) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := strings.Join(order[3:], ", ")
	want := "stop crawler, stop classifier, stop web, close store, close bus"
	if got != want {
		t.Errorf("stop order:\n got %s\nwant %s", got, want)
	}
}

func TestAppDeadline(t *testing.T) {
	a := newApp(slog.New(slog.NewTextHandler(io.Discard, nil)))
	release := make(chan struct{})
	defer close(release)
	a.add("stuck", phaseProcessor, func(ctx context.Context) error { <-release; return nil })
	closed := false
	a.onStop("store", func() error { closed = true; return nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	err := a.run(ctx, 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "still running: stuck") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("stop took %s", time.Since(start))
	}
	if !closed {
		t.Error("cleanups did not run after the deadline")
	}
}

func TestAppStopsWhenAComponentFails(t *testing.T) {
	a := newApp(slog.New(slog.NewTextHandler(io.Discard, nil)))
	boom := errors.New("boom")
	a.add("bad", phaseProcessor, func(ctx context.Context) error { return boom })
	stopped := make(chan struct{})
	a.add("good", phaseServer, func(ctx context.Context) error { <-ctx.Done(); close(stopped); return nil })
	err := a.run(context.Background(), time.Second)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "bad stopped unexpectedly") {
		t.Fatalf("err = %v", err)
	}
	select {
	case <-stopped:
	default:
		t.Error("the healthy component was not stopped")
	}
}

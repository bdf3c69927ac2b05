package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
)

// TestDeadListShowReplay dead-letters messages from two consumers, lists and
// shows them, replays them (dry run first), and checks that the replay is
// idempotent and that the consumer then handles them.
func TestDeadListShowReplay(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reg := prometheus.NewRegistry()
	b, err := bus.Open(ctx, bus.Options{DataDir: t.TempDir(), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	arts := faultArticles(t, 5, "dead")
	if err := b.PublishCollected(ctx, arts); err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		broken  = true
		handled = map[string]int{}
	)
	cctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, durable := range []string{"stage-a", "stage-b"} {
		wg.Go(func() {
			err := b.Consume(cctx, bus.ConsumerSpec{Stream: bus.StreamCollected, Durable: durable}, func(ctx context.Context, msgs []*bus.Message) error {
				mu.Lock()
				defer mu.Unlock()
				if broken {
					return bus.Permanent(errors.New("rules rejected the article"))
				}
				for _, m := range msgs {
					a, err := article.Unmarshal(m.Data)
					if err != nil {
						return bus.Permanent(err)
					}
					handled[durable+"/"+a.ID]++
				}
				return nil
			})
			if err != nil {
				t.Errorf("Consume %s: %v", durable, err)
			}
		})
	}
	defer func() { stop(); wg.Wait() }()
	waitCond(t, "ten dead letters (five per consumer)", time.Minute, func() bool {
		n, err := b.StreamMsgs(ctx, bus.StreamDead)
		return err == nil && n == 10
	})

	var out bytes.Buffer
	if err := runDead(ctx, &out, b, reg, "list", bus.DeadFilter{}, 0, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "10 dead letters") || !strings.Contains(out.String(), "stage-a") ||
		!strings.Contains(out.String(), "stage-b") || !strings.Contains(out.String(), "rules rejected") {
		t.Fatalf("dead list:\n%s", out.String())
	}
	out.Reset()
	if err := runDead(ctx, &out, b, reg, "list", bus.DeadFilter{Stream: bus.StreamClassified}, 0, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 dead letters") {
		t.Fatalf("dead list --stream PW_CLASSIFIED:\n%s", out.String())
	}
	out.Reset()
	if err := runDead(ctx, &out, b, reg, "list", bus.DeadFilter{Since: time.Now().Add(time.Hour)}, 0, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 dead letters") {
		t.Fatalf("dead list --since (future):\n%s", out.String())
	}
	out.Reset()
	if err := runDead(ctx, &out, b, reg, "show", bus.DeadFilter{}, 1, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "PW_COLLECTED:stage-") || !strings.Contains(out.String(), "Dong Nai") {
		t.Fatalf("dead show 1:\n%s", out.String())
	}
	// A sequence with no dead letter says so, not "nats: API error … 10037".
	if err := runDead(ctx, &out, b, reg, "show", bus.DeadFilter{}, 99, false); err == nil || !strings.Contains(err.Error(), "no dead letter with sequence 99") {
		t.Errorf("dead show 99: %v", err)
	}

	out.Reset()
	if err := runDead(ctx, &out, b, reg, "replay", bus.DeadFilter{Stream: bus.StreamCollected}, 0, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "10 dead letters would be replayed") {
		t.Fatalf("dry run:\n%s", out.String())
	}
	if n, _ := b.StreamMsgs(ctx, bus.StreamDead); n != 10 {
		t.Fatalf("a dry run changed PW_DEAD: %d left", n)
	}
	mu.Lock()
	broken = false
	mu.Unlock()
	out.Reset()
	if err := runDead(ctx, &out, b, reg, "replay", bus.DeadFilter{}, 0, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "replayed 10 of 10") || !strings.Contains(out.String(), `presswatch_bus_dead_replayed_total{stream="PW_COLLECTED"} 10`) {
		t.Fatalf("replay:\n%s", out.String())
	}
	// Both consumers see every replayed message (ten republished, each
	// consumer handling each): handlers are idempotent.
	waitCond(t, "every article handled by both consumers", time.Minute, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(handled) == 10
	})
	out.Reset()
	if err := runDead(ctx, &out, b, reg, "replay", bus.DeadFilter{}, 0, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "replayed 0 of 0") {
		t.Fatalf("second replay:\n%s", out.String())
	}
	if n, _ := b.StreamMsgs(ctx, bus.StreamDead); n != 0 {
		t.Fatalf("PW_DEAD holds %d after the replay", n)
	}
}

func TestDeadUsage(t *testing.T) {
	g := &globals{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	for _, args := range [][]string{nil, {"frob"}, {"show"}, {"show", "x"}, {"list", "extra"}, {"list", "--since", "yesterday"}} {
		if err := cmdDead(context.Background(), g, args); !errors.Is(err, errUsage) {
			t.Errorf("dead %q = %v, want a usage error", args, err)
		}
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if got, err := parseSince("2h", now); err != nil || !got.Equal(now.Add(-2*time.Hour)) {
		t.Errorf("parseSince(2h) = %v, %v", got, err)
	}
	if got, err := parseSince("2026-11-30T00:00:00Z", now); err != nil || got.Day() != 30 {
		t.Errorf("parseSince(time) = %v, %v", got, err)
	}
}

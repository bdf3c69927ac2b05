package digest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dongnai/presswatch/internal/testenv"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

func TestNewOutboxMailer(t *testing.T) {
	st := storetest.OpenSQLite(t)
	for name, opts := range map[string]OutboxMailerOptions{
		"no store": {From: "a@b.c"},
		"no from":  {Store: st},
	} {
		if _, err := NewOutboxMailer(opts); err == nil {
			t.Errorf("%s: NewOutboxMailer accepted %+v", name, opts)
		}
	}
}

// TestSchedulersRaceOutbox: schedulers on separate store handles (as
// separate processes) race for a period with the real outbox mailer; the
// outbox holds exactly one email per recipient, each the report's MIME.
func TestSchedulersRaceOutbox(t *testing.T) {
	backends := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return storetest.SQLiteURL(t) }},
		{"postgres", func(t *testing.T) string { testenv.PostgresURL(t); return storetest.PostgresURL(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			url := be.url(t)
			first := storetest.Open(t, url)
			seed(t, first)
			clock := &fakeClock{t: time.Date(2026, 11, 23, 7, 30, 0, 0, hcm)}
			var wakes atomic.Int64
			const n = 3
			scheds := make([]*Scheduler, n)
			for i := range n {
				h := first
				if i > 0 {
					h = storetest.Open(t, url)
				}
				om, err := NewOutboxMailer(OutboxMailerOptions{Store: h, From: "baocao@example.org", Wake: func() { wakes.Add(1) }})
				if err != nil {
					t.Fatal(err)
				}
				scheds[i] = newTestScheduler(t, h, om, clock, fmt.Sprintf("sched-%d", i))
			}
			var wg sync.WaitGroup
			errs := make(chan error, 2*n)
			for range 2 { // and every scheduler runs twice
				for _, s := range scheds {
					wg.Go(func() { errs <- s.RunOnce(context.Background()) })
				}
				wg.Wait()
			}
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			ctx := context.Background()
			ds, err := first.ListDeliveries(ctx, store.DeliveryFilter{})
			if err != nil || len(ds) != 2 || wakes.Load() != 2 {
				t.Fatalf("outbox = %d deliveries (%v), %d wakes; want 2 and 2", len(ds), err, wakes.Load())
			}
			for _, d := range ds {
				raw, err := first.DeliveryMessage(ctx, d.ID)
				if err != nil || d.DigestID != "weekly-2026-W47" || !d.Prebuilt || d.State != store.DeliveryPending ||
					!bytes.Contains(raw, []byte(d.MessageID)) || !bytes.Contains(raw, []byte("application/pdf")) && !bytes.Contains(raw, []byte("image/png")) {
					t.Errorf("delivery %+v: message of %d bytes, %v", d, len(raw), err)
				}
			}
			dg, err := first.(ArchiveStore).GetDigest(ctx, "weekly-2026-W47")
			if err != nil || dg.State != store.DigestSent {
				t.Errorf("digest state %q, %v; want sent", dg.State, err)
			}
		})
	}
}

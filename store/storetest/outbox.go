package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// RunOutbox runs the conformance suite of the outbox's prebuilt messages
// (store.AlertStore.EnqueueMessage and DeliveryMessage) against a fresh
// store from open for every subtest.
func RunOutbox(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.AlertStore, st store.Store)
	}{
		{"EnqueueIdempotent", testOutboxIdempotent},
		{"ClaimRetrySent", testOutboxLifecycle},
		{"NotBeforeAndDigest", testOutboxNotBefore},
		{"Invalid", testOutboxInvalid},
		{"ConcurrentEnqueue", testOutboxConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			as, ok := st.(store.AlertStore)
			if !ok {
				t.Fatalf("%T does not implement store.AlertStore", st)
			}
			tc.fn(t, as, st)
		})
	}
}

// rawMessage is a message with bytes a text column would mangle.
func rawMessage(n int) []byte {
	return fmt.Appendf(nil, "Message-ID: <digest.%d@test>\r\nSubject: =?UTF-8?q?=C4=90i=E1=BB=83m_tin?=\r\n\r\nbody %d \x00\xff\xfe Đồng Nai\r\n", n, n)
}

func outboxMsg(n int, to string) store.OutboxMessage {
	return store.OutboxMessage{
		ID: fmt.Sprintf("weekly-2026-W47/%s", to), To: to, Subject: "Điểm tin tuần 2026-W47",
		MessageID: fmt.Sprintf("<digest.%d@test>", n), MIME: rawMessage(n), Now: base,
	}
}

func testOutboxIdempotent(t *testing.T, s store.AlertStore, _ store.Store) {
	m := outboxMsg(1, "snv@dongnai.gov.vn")
	ok, err := s.EnqueueMessage(ctx(t), m)
	if err != nil || !ok {
		t.Fatalf("EnqueueMessage = %v, %v; want true", ok, err)
	}
	again := m
	again.MIME, again.Subject, again.Now = rawMessage(2), "changed", base.Add(time.Hour)
	if ok, err := s.EnqueueMessage(ctx(t), again); err != nil || ok {
		t.Fatalf("second EnqueueMessage of the same ID = %v, %v; want false, nil", ok, err)
	}
	ds, err := s.ListDeliveries(ctx(t), store.DeliveryFilter{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries = %+v, %v; want exactly one", ds, err)
	}
	d := ds[0]
	if d.ID != store.MessageDeliveryID(m.ID) || !d.Prebuilt || d.AlertID != "" || d.Receiver != store.ReportsReceiver ||
		d.Recipient != m.To || d.Subject != m.Subject || d.MessageID != m.MessageID || d.State != store.DeliveryPending ||
		d.Attempts != 0 || !d.NextAttempt.Equal(base) {
		t.Errorf("delivery = %+v", d)
	}
	raw, err := s.DeliveryMessage(ctx(t), d.ID)
	if err != nil || !bytes.Equal(raw, m.MIME) {
		t.Errorf("DeliveryMessage = %q, %v; want the first message byte for byte", raw, err)
	}
	if _, err := s.DeliveryMessage(ctx(t), "no-such-delivery"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeliveryMessage(unknown) = %v, want ErrNotFound", err)
	}
	// Another recipient is another delivery.
	if ok, err := s.EnqueueMessage(ctx(t), outboxMsg(3, "ca@dongnai.gov.vn")); err != nil || !ok {
		t.Fatalf("EnqueueMessage(other recipient) = %v, %v", ok, err)
	}
	if counts, err := s.CountDeliveries(ctx(t)); err != nil || counts[store.DeliveryPending] != 2 {
		t.Errorf("CountDeliveries = %v, %v; want 2 pending", counts, err)
	}
}

func testOutboxLifecycle(t *testing.T, s store.AlertStore, st store.Store) {
	// An alert delivery beside the message: both are claimed, only the
	// message is prebuilt, and the alert delivery has no stored message.
	a := alertFor(t, st, 1, "r")
	if err := s.RecordAlerts(ctx(t), []store.NewAlert{{Alert: a, Notify: []store.Notification{mailPolice}, Now: base}}); err != nil {
		t.Fatal(err)
	}
	m := outboxMsg(1, "snv@dongnai.gov.vn")
	if _, err := s.EnqueueMessage(ctx(t), m); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ClaimDeliveries(ctx(t), base, 10, time.Minute)
	if err != nil || len(ds) != 2 {
		t.Fatalf("claim = %+v, %v; want two deliveries", ds, err)
	}
	var msg store.Delivery
	for _, d := range ds {
		raw, err := s.DeliveryMessage(ctx(t), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Prebuilt {
			msg = d
			if !bytes.Equal(raw, m.MIME) {
				t.Errorf("claimed message payload = %q", raw)
			}
			if als, err := s.DeliveryAlerts(ctx(t), d.ID); err != nil || len(als) != 0 {
				t.Errorf("DeliveryAlerts(message) = %v, %v; want none", als, err)
			}
		} else if raw != nil {
			t.Errorf("alert delivery has a stored message %q", raw)
		}
	}
	if msg.ID == "" || msg.State != store.DeliverySending || msg.Attempts != 1 {
		t.Fatalf("claimed message = %+v", msg)
	}
	// The lease keeps it from a second claim.
	if again, _ := s.ClaimDeliveries(ctx(t), base.Add(30*time.Second), 10, time.Minute); len(again) != 0 {
		t.Fatalf("claimed again within the lease: %+v", again)
	}
	if err := s.MarkDeliveryRetry(ctx(t), msg.ID, base.Add(2*time.Minute), "421 busy"); err != nil {
		t.Fatal(err)
	}
	ds, err = s.ClaimDeliveries(ctx(t), base.Add(2*time.Minute), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var retried bool
	for _, d := range ds {
		if d.ID == msg.ID {
			retried = true
			if d.Attempts != 2 || d.LastError != "421 busy" || d.MessageID != m.MessageID {
				t.Errorf("retried message = %+v", d)
			}
		}
	}
	if !retried {
		t.Fatal("retried message not claimed again")
	}
	sentAt := base.Add(2*time.Minute + time.Second)
	if err := s.MarkDeliverySent(ctx(t), msg.ID, m.Subject, sentAt); err != nil {
		t.Fatal(err)
	}
	// Enqueueing it again (a scheduler retrying its period) sends nothing more.
	if ok, err := s.EnqueueMessage(ctx(t), m); err != nil || ok {
		t.Fatalf("EnqueueMessage after sent = %v, %v; want false", ok, err)
	}
	if again, _ := s.ClaimDeliveries(ctx(t), base.Add(time.Hour), 10, time.Minute); len(again) != 1 || again[0].ID == msg.ID {
		t.Fatalf("claim after sent = %+v; want only the alert delivery whose lease ran out", again)
	}
	sent, err := s.ListDeliveries(ctx(t), store.DeliveryFilter{State: store.DeliverySent})
	if err != nil || len(sent) != 1 || sent[0].ID != msg.ID || !sent[0].SentAt.Equal(sentAt) || sent[0].LastError != "" {
		t.Errorf("sent deliveries = %+v, %v", sent, err)
	}
}

func testOutboxNotBefore(t *testing.T, s store.AlertStore, st store.Store) {
	ds := digestStore(t, st)
	if ok, err := ds.ClaimDigest(ctx(t), dgClaim("a", dgWeek.Now)); err != nil || !ok {
		t.Fatalf("ClaimDigest = %v, %v", ok, err)
	}
	if err := ds.SaveDigest(ctx(t), store.Digest{ID: "weekly-2026-W47", Kind: "weekly", State: store.DigestBuilt}); err != nil {
		t.Fatal(err)
	}
	m := outboxMsg(1, "snv@dongnai.gov.vn")
	m.DigestID, m.NotBefore, m.Priority = "weekly-2026-W47", base.Add(time.Hour), 0
	if _, err := s.EnqueueMessage(ctx(t), m); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimDeliveries(ctx(t), base.Add(59*time.Minute), 10, time.Minute); len(got) != 0 {
		t.Fatalf("claimed before NotBefore: %+v", got)
	}
	got, err := s.ClaimDeliveries(ctx(t), base.Add(time.Hour), 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].DigestID != "weekly-2026-W47" || !got[0].ScheduledAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("claim at NotBefore = %+v, %v", got, err)
	}
	// Without a Message-ID the delivery's own is recorded.
	m2 := outboxMsg(2, "ca@dongnai.gov.vn")
	m2.MessageID = ""
	if _, err := s.EnqueueMessage(ctx(t), m2); err != nil {
		t.Fatal(err)
	}
	all, _ := s.ListDeliveries(ctx(t), store.DeliveryFilter{State: store.DeliveryPending})
	if len(all) != 1 || all[0].MessageID != store.DeliveryMessageID(store.MessageDeliveryID(m2.ID)) {
		t.Errorf("pending = %+v; want the second message with a derived Message-ID", all)
	}
}

func testOutboxInvalid(t *testing.T, s store.AlertStore, _ store.Store) {
	good := outboxMsg(1, "snv@dongnai.gov.vn")
	for name, mut := range map[string]func(m *store.OutboxMessage){
		"no ID":          func(m *store.OutboxMessage) { m.ID = " " },
		"no recipient":   func(m *store.OutboxMessage) { m.To = "" },
		"no message":     func(m *store.OutboxMessage) { m.MIME = nil },
		"CRLF in to":     func(m *store.OutboxMessage) { m.To = "a@b.c\r\nRCPT TO:<x@y.z>" },
		"CRLF in msg-id": func(m *store.OutboxMessage) { m.MessageID = "<a@b>\nBcc: x@y.z" },
	} {
		m := good
		mut(&m)
		if ok, err := s.EnqueueMessage(ctx(t), m); err == nil || ok {
			t.Errorf("%s: EnqueueMessage = %v, %v; want an error", name, ok, err)
		}
	}
	if ds, _ := s.ListDeliveries(ctx(t), store.DeliveryFilter{}); len(ds) != 0 {
		t.Errorf("invalid messages were stored: %+v", ds)
	}
}

func testOutboxConcurrent(t *testing.T, s store.AlertStore, _ store.Store) {
	m := outboxMsg(1, "snv@dongnai.gov.vn")
	var wg sync.WaitGroup
	var mu sync.Mutex
	inserted, errs := 0, []error{}
	for range 8 {
		wg.Go(func() {
			ok, err := s.EnqueueMessage(ctx(t), m)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				inserted++
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 || inserted != 1 {
		t.Fatalf("8 concurrent enqueues: %d inserted, errors %v; want exactly one insert", inserted, errs)
	}
	if ds, _ := s.ListDeliveries(ctx(t), store.DeliveryFilter{}); len(ds) != 1 {
		t.Errorf("deliveries = %d, want 1", len(ds))
	}
}

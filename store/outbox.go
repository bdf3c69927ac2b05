package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ReportsReceiver is the receiver name of the deliveries that carry reports.
const ReportsReceiver = "reports"

// OutboxMessage is a prebuilt email to put in the outbox (EnqueueMessage):
// the sender hands MIME to the SMTP server as it is.
type OutboxMessage struct {
	// ID is the idempotency key (for a report: its digest ID and the
	// recipient); the delivery's ID is derived from it (MessageDeliveryID).
	ID string
	// DigestID names the archived report the message carries; "" for none.
	DigestID string
	// Receiver names who it is for in the outbox; "" means ReportsReceiver.
	Receiver string
	// To is the envelope recipient (one address).
	To string
	// Subject is recorded for the outbox pages (the header is in MIME).
	Subject string
	// MessageID is the Message-ID header MIME carries, recorded with the
	// delivery; "" means DeliveryMessageID of the delivery.
	MessageID string
	// MIME is the whole RFC 5322 message.
	MIME []byte
	// Priority orders claims (higher first, 1 = critical); reports use 0.
	Priority int
	// NotBefore delays the first attempt; zero means at once.
	NotBefore time.Time
	// Now is the enqueue time; zero means time.Now.
	Now time.Time
}

// MessageDeliveryID returns the ID of the delivery that carries the outbox
// message with idempotency key key.
func MessageDeliveryID(key string) string {
	return hashID("outbox-message", key)
}

func (b alertBackend) EnqueueMessage(ctx context.Context, m OutboxMessage) (bool, error) {
	if strings.TrimSpace(m.ID) == "" || strings.TrimSpace(m.To) == "" || len(m.MIME) == 0 {
		return false, errors.New("enqueue message: empty ID, recipient or message")
	}
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.MessageID, "\r\n") {
		return false, fmt.Errorf("enqueue message %q: line break in recipient or Message-ID", m.ID)
	}
	now := utc(m.Now)
	if now.IsZero() {
		now = utc(time.Now())
	}
	due := now
	if nb := utc(m.NotBefore); due.Before(nb) {
		due = nb
	}
	id := MessageDeliveryID(m.ID)
	receiver := m.Receiver
	if receiver == "" {
		receiver = ReportsReceiver
	}
	msgID := m.MessageID
	if msgID == "" {
		msgID = DeliveryMessageID(id)
	}
	var digestID any
	if m.DigestID != "" {
		digestID = m.DigestID
	}
	var n int64
	err := b.tx(ctx, func(db alertDB) error {
		var err error
		n, err = db.exec(ctx, `INSERT INTO deliveries (id, alert_id, digest_id, payload, receiver, channel, recipient,
    subject, message_id, state, attempts, next_attempt, created_at, updated_at, group_key, priority, scheduled_at)
VALUES (?, NULL, ?, ?, ?, 'email', ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			id, digestID, m.MIME, cleanText(receiver), strings.TrimSpace(m.To), cleanText(m.Subject), msgID,
			b.ts(due), b.ts(now), b.ts(now), "message:"+id, m.Priority, b.ts(due))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("enqueue message %q: %w", m.ID, err)
	}
	return n > 0, nil
}

func (b alertBackend) DeliveryMessage(ctx context.Context, deliveryID string) ([]byte, error) {
	var payload []byte
	ok, err := queryOne(ctx, b.read, []any{&payload}, `SELECT payload FROM deliveries WHERE id = ?`, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("message of delivery %q: %w", deliveryID, err)
	}
	if !ok {
		return nil, fmt.Errorf("message of delivery %q: %w", deliveryID, ErrNotFound)
	}
	return payload, nil
}

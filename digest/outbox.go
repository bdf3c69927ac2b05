package digest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dongnai/presswatch/store"
)

// MessageStore is the part of the store the outbox mailer writes to.
type MessageStore interface {
	EnqueueMessage(ctx context.Context, m store.OutboxMessage) (bool, error)
}

// OutboxMailerOptions configure an OutboxMailer.
type OutboxMailerOptions struct {
	// Store holds the outbox (the alerts' deliveries table).
	Store MessageStore
	// From is the sender address written into each message.
	From string
	// Wake, when set, is called after a message was enqueued (the alerts
	// sender's Wake in the same process), so it need not wait for its poll.
	Wake func()
	// Now is the clock for the Date header and the enqueue time; nil means time.Now.
	Now func() time.Time
}

// OutboxMailer is the Mailer that puts each report email in the alerts
// outbox, where the alerts sender delivers it with the alerts' guarantees:
// retries with backoff, marked sent only when the SMTP server accepted it,
// failed after the last attempt, and the same Message-ID on every attempt.
// Enqueue is idempotent per Message.ID, so a scheduler that retries a period
// after a failure part-way through its recipients sends nobody a second copy.
type OutboxMailer struct {
	opts OutboxMailerOptions
}

// NewOutboxMailer validates opts.
func NewOutboxMailer(opts OutboxMailerOptions) (*OutboxMailer, error) {
	if opts.Store == nil {
		return nil, errors.New("digest outbox: no store")
	}
	if opts.From == "" {
		return nil, errors.New("digest outbox: no from address")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &OutboxMailer{opts: opts}, nil
}

// Enqueue encodes m and stores it in the outbox; it does nothing when a
// message with m.ID is there already (sent or not).
func (o *OutboxMailer) Enqueue(ctx context.Context, m *Message) error {
	now := o.opts.Now()
	raw, err := m.MIME(o.opts.From, now)
	if err != nil {
		return err
	}
	added, err := o.opts.Store.EnqueueMessage(ctx, store.OutboxMessage{
		ID: m.ID, DigestID: m.DigestID, Receiver: store.ReportsReceiver, To: m.To, Subject: m.Subject,
		MessageID: m.MessageID, MIME: raw, Now: now,
	})
	if err != nil {
		return fmt.Errorf("enqueue report %s for %s: %w", m.DigestID, m.To, err)
	}
	if added && o.opts.Wake != nil {
		o.opts.Wake()
	}
	return nil
}

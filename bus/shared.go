package bus

import (
	"fmt"

	"github.com/nats-io/nats.go"
)

// SubjectStories carries the classifier replicas' story-cluster items
// (pw.stories): plain NATS, not a stream. An item lost while a replica is
// down costs nothing lasting, because a classifier that starts restores its
// clusters from the store.
const SubjectStories = "pw.stories"

// PublishShared sends data on subject (within the bus's namespace) to the
// processes subscribed now, without JetStream: no acknowledgement, no
// retention. It does not wait for the server.
func (b *Bus) PublishShared(subject string, data []byte) error {
	if err := b.nc.Publish(b.subject(subject), data); err != nil {
		return fmt.Errorf("publish %s: %w", subject, err)
	}
	return nil
}

// SubscribeShared calls fn with every message published on subject from now
// on, including this process's own, one at a time on a goroutine of the
// NATS client. The returned function ends the subscription.
func (b *Bus) SubscribeShared(subject string, fn func(data []byte)) (stop func() error, err error) {
	sub, err := b.nc.Subscribe(b.subject(subject), func(m *nats.Msg) { fn(m.Data) })
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", subject, err)
	}
	// The subscription exists on the server once it has the round trip,
	// so that a message published right after this returns is not missed.
	if err := b.nc.Flush(); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("subscribe %s: %w", subject, err)
	}
	return sub.Unsubscribe, nil
}

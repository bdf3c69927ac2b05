package bus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// What the crawler needs besides PublishCollected (issues 12 and 18): a way
// to publish a new version of an article already collected, and a way to
// learn after a crash which of its publishes reached the stream.

// PublishCollectedRevision publishes articles that were collected before (for
// example without their page's text, which has come since) with Nats-Msg-Id
// = a.ID + ":" + a short hash of the text, so the new version is not dropped
// as a duplicate of the first while a redelivery of the same version still
// is. Consumers upsert by article ID. It returns only when every PubAck arrived.
func (b *Bus) PublishCollectedRevision(ctx context.Context, arts []*article.Article) error {
	msgs := make([]outMsg, 0, len(arts))
	for i, a := range arts {
		if a == nil || a.ID == "" {
			return fmt.Errorf("publish to %s: article %d has no id", StreamCollected, i)
		}
		data, err := article.MarshalWithin(a, b.collectedMax())
		if err != nil {
			return fmt.Errorf("publish to %s: article %s: %w", StreamCollected, a.ID, err)
		}
		sum := sha256.Sum256([]byte(a.Title + "\x00" + a.Text))
		msgs = append(msgs, outMsg{subject: SubjectCollected + "." + subjectToken(a.Source), id: a.ID + ":" + hex.EncodeToString(sum[:6]), data: data})
	}
	return b.publish(ctx, StreamCollected, msgs)
}

// CollectedIDsSince returns the message IDs (Nats-Msg-Id: article IDs, or
// article ID ":" revision) of every message stored in PW_COLLECTED since
// since, reading headers only. It answers "did this publish reach the
// stream?" after a crash between a publish and its acknowledgement.
func (b *Bus) CollectedIDsSince(ctx context.Context, since time.Time) (map[string]bool, error) {
	stream, err := b.js.Stream(ctx, b.streamName(StreamCollected))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", StreamCollected, err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", StreamCollected, err)
	}
	out := map[string]bool{}
	if info.State.Msgs == 0 {
		return out, nil
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &since, HeadersOnly: true,
	})
	if err != nil {
		return nil, fmt.Errorf("read %s since %s: %w", StreamCollected, since.Format(time.RFC3339), err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", StreamCollected, err)
		}
		batch, err := cons.Fetch(1024, jetstream.FetchMaxWait(500*time.Millisecond))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", StreamCollected, err)
		}
		n, done := 0, false
		for m := range batch.Messages() {
			n++
			out[m.Headers().Get(jetstream.MsgIDHeader)] = true
			if md, err := m.Metadata(); err == nil && md.NumPending == 0 {
				done = true
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, fmt.Errorf("read %s: %w", StreamCollected, err)
		}
		if done {
			return out, nil
		}
		if n == 0 {
			ci, err := cons.Info(ctx)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", StreamCollected, err)
			}
			if ci.NumPending == 0 {
				return out, nil
			}
		}
	}
}

package bus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// publishWindow is how many async publishes one call keeps in flight.
const publishWindow = 1024

// PublishError reports the messages of one publish call that were not
// confirmed by a PubAck. Every message not listed was published.
type PublishError struct {
	Stream string
	Failed []string // message IDs not acknowledged (article IDs for PW_COLLECTED)
	Total  int      // messages in the call
	Err    error    // the first error
}

// Error names the stream, the count and the first failed IDs.
func (e *PublishError) Error() string {
	ids := e.Failed
	more := ""
	if len(ids) > 10 {
		more = fmt.Sprintf(" and %d more", len(ids)-10)
		ids = ids[:10]
	}
	return fmt.Sprintf("publish to %s: %d of %d messages not acknowledged (%s%s): %v",
		e.Stream, len(e.Failed), e.Total, strings.Join(ids, ", "), more, e.Err)
}

// Unwrap returns the first error.
func (e *PublishError) Unwrap() error { return e.Err }

type outMsg struct {
	subject, id string
	data        []byte
}

// PublishCollected publishes each article on pw.collected.<source token> with
// Nats-Msg-Id = a.ID and returns only when every PubAck arrived. An article
// counts as published only then; on failure the error is a *PublishError
// naming the IDs that were not acknowledged.
func (b *Bus) PublishCollected(ctx context.Context, arts []*article.Article) error {
	msgs := make([]outMsg, 0, len(arts))
	for i, a := range arts {
		if a == nil || a.ID == "" {
			return fmt.Errorf("publish to %s: article %d has no id", StreamCollected, i)
		}
		data, err := article.MarshalWithin(a, b.collectedMax())
		if err != nil {
			return fmt.Errorf("publish to %s: article %s: %w", StreamCollected, a.ID, err)
		}
		msgs = append(msgs, outMsg{subject: SubjectCollected + "." + subjectToken(a.Source), id: a.ID, data: data})
	}
	return b.publish(ctx, StreamCollected, msgs)
}

// collectedMax is the most a PW_COLLECTED message may carry: half of what
// the server accepts in one message (1 MiB by default), so that the
// article with its classification still fits in PW_CLASSIFIED. A larger
// article has its text cut (article.MarshalWithin); the classifier reads
// only its first 256 KiB. Before, a 2 MB page failed to publish with
// "maximum payload exceeded" on every retry and was never stored.
func (b *Bus) collectedMax() int {
	if n := b.nc.MaxPayload(); n > 0 {
		return int(n / 2)
	}
	return 512 << 10
}

// PublishClassified publishes each article on pw.classified.<about|mentions|none>
// with Nats-Msg-Id = a.ID + ":" + a short hash of its classification (its time
// left out), so that a redelivery is deduplicated but a reclassification
// flows. It returns only when every PubAck arrived.
func (b *Bus) PublishClassified(ctx context.Context, arts []*article.Article) error {
	msgs := make([]outMsg, 0, len(arts))
	for i, a := range arts {
		if a == nil || a.ID == "" {
			return fmt.Errorf("publish to %s: article %d has no id", StreamClassified, i)
		}
		data, err := article.Marshal(a)
		if err != nil {
			return fmt.Errorf("publish to %s: article %s: %w", StreamClassified, a.ID, err)
		}
		id, err := ClassifiedMsgID(a)
		if err != nil {
			return fmt.Errorf("publish to %s: %w", StreamClassified, err)
		}
		msgs = append(msgs, outMsg{subject: SubjectClassified + "." + a.Classification.RelevanceClass(), id: id, data: data})
	}
	return b.publish(ctx, StreamClassified, msgs)
}

// ClassifiedMsgID returns the Nats-Msg-Id PublishClassified uses for a:
// a.ID + ":" + 16 hex digits of the SHA-256 of the classification without its
// time ("unclassified" when there is none).
func ClassifiedMsgID(a *article.Article) (string, error) {
	if a.Classification == nil {
		return a.ID + ":unclassified", nil
	}
	c := *a.Classification
	c.At = time.Time{}
	data, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("hash classification of %s: %w", a.ID, err)
	}
	sum := sha256.Sum256(data)
	return a.ID + ":" + hex.EncodeToString(sum[:8]), nil
}

// subjectToken turns a source name into one subject token: letters, digits,
// '-' and '_' kept (ASCII), anything else '_'; "unknown" when empty.
func subjectToken(s string) string {
	if s == "" {
		return "unknown"
	}
	var sb strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	return sb.String()
}

// publish sends msgs to stream asynchronously, keeping at most publishWindow in
// flight, and waits for every PubAck.
func (b *Bus) publish(ctx context.Context, stream string, msgs []outMsg) error {
	if len(msgs) == 0 {
		return nil
	}
	real := b.streamName(stream)
	var (
		failed   []string
		firstErr error
		acked    int
	)
	fail := func(id string, err error) {
		failed = append(failed, id)
		if firstErr == nil {
			firstErr = err
		}
	}
	type inflight struct {
		id string
		f  jetstream.PubAckFuture
	}
	window := make([]inflight, 0, len(msgs))
	head := 0 // window[head:] are in flight
	wait := func(in inflight) {
		select {
		case <-in.f.Ok():
			acked++
		case err := <-in.f.Err():
			fail(in.id, err)
		case <-ctx.Done():
			fail(in.id, ctx.Err())
		}
	}
	for i, m := range msgs {
		if err := ctx.Err(); err != nil {
			for _, rest := range msgs[i:] {
				fail(rest.id, err)
			}
			break
		}
		if len(window)-head >= publishWindow {
			wait(window[head])
			head++
		}
		nm := nats.NewMsg(b.subject(m.subject))
		nm.Data = m.data
		nm.Header.Set(jetstream.MsgIDHeader, m.id)
		f, err := b.js.PublishMsgAsync(nm, jetstream.WithExpectStream(real))
		// Other callers share the connection's limit of pending publishes:
		// when it is full, drain some of ours and try again.
		for tries := 0; errors.Is(err, jetstream.ErrTooManyStalledMsgs) && tries < 100 && ctx.Err() == nil; tries++ {
			if head < len(window) {
				wait(window[head])
				head++
			} else {
				time.Sleep(10 * time.Millisecond)
			}
			f, err = b.js.PublishMsgAsync(nm, jetstream.WithExpectStream(real))
		}
		if err != nil {
			fail(m.id, err)
			continue
		}
		window = append(window, inflight{m.id, f})
	}
	for _, in := range window[head:] {
		wait(in)
	}
	b.m.published.WithLabelValues(stream).Add(float64(len(msgs)))
	b.m.acked.WithLabelValues(stream).Add(float64(acked))
	if len(failed) > 0 {
		b.m.failed.WithLabelValues(stream).Add(float64(len(failed)))
		return &PublishError{Stream: stream, Failed: failed, Total: len(msgs), Err: firstErr}
	}
	return nil
}

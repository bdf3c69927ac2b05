package bus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// HeaderReplayOf is set on a message republished from PW_DEAD: the sequence
// of the dead letter it came from.
const HeaderReplayOf = "Pw-Replay-Of"

// DeadLetter is one message in PW_DEAD.
type DeadLetter struct {
	Seq             uint64    // sequence in PW_DEAD
	Time            time.Time // when it was dead-lettered
	MsgID           string    // its ID in PW_DEAD: <stream>:<consumer>:<seq>
	Stream          string    // stream it came from
	Durable         string    // consumer that gave up on it
	OriginalSubject string    // logical subject it was published on
	OriginalMsgID   string
	StreamSeq       uint64 // its sequence in Stream
	Delivered       uint64 // deliveries made
	Error           string // why
	Data            []byte
}

// DeadFilter selects dead letters: by original stream ("" = every stream)
// and by time of dead-lettering (zero = any).
type DeadFilter struct {
	Stream string
	Since  time.Time
}

func (f DeadFilter) match(d *DeadLetter) bool {
	return (f.Stream == "" || d.Stream == f.Stream) && (f.Since.IsZero() || !d.Time.Before(f.Since))
}

// ListDead returns the dead letters f selects, oldest first.
func (b *Bus) ListDead(ctx context.Context, f DeadFilter) ([]DeadLetter, error) {
	if f.Stream != "" {
		if _, ok := streamRoots[f.Stream]; !ok || f.Stream == StreamDead {
			return nil, fmt.Errorf("list dead letters: unknown stream %q", f.Stream)
		}
	}
	cfg := jetstream.OrderedConsumerConfig{}
	if !f.Since.IsZero() {
		since := f.Since
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &since
	}
	if f.Stream != "" {
		cfg.FilterSubjects = []string{b.subject(SubjectDead + "." + f.Stream)}
	}
	s, err := b.js.Stream(ctx, b.streamName(StreamDead))
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	if info.State.Msgs == 0 {
		return nil, nil
	}
	cons, err := s.OrderedConsumer(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	var out []DeadLetter
	for ctx.Err() == nil {
		batch, err := cons.Fetch(256, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		n := 0
		last := false
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return nil, fmt.Errorf("list dead letters: %w", err)
			}
			d := deadLetterOf(m.Headers(), m.Data(), md.Sequence.Stream, md.Timestamp)
			if f.match(&d) {
				out = append(out, d)
			}
			last = md.NumPending == 0
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		if n == 0 || last {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	return out, nil
}

// GetDead returns the dead letter with sequence seq in PW_DEAD.
func (b *Bus) GetDead(ctx context.Context, seq uint64) (*DeadLetter, error) {
	s, err := b.js.Stream(ctx, b.streamName(StreamDead))
	if err != nil {
		return nil, fmt.Errorf("get dead letter %d: %w", seq, err)
	}
	raw, err := s.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, fmt.Errorf("no dead letter with sequence %d (presswatch dead list shows them): %w", seq, err)
	}
	if err != nil {
		return nil, fmt.Errorf("get dead letter %d: %w", seq, err)
	}
	d := deadLetterOf(raw.Header, raw.Data, raw.Sequence, raw.Time)
	return &d, nil
}

func deadLetterOf(h nats.Header, data []byte, seq uint64, at time.Time) DeadLetter {
	d := DeadLetter{Seq: seq, Time: at, Data: data}
	if h == nil {
		return d
	}
	d.MsgID = h.Get(jetstream.MsgIDHeader)
	d.Stream = h.Get(HeaderStream)
	d.Durable = h.Get(HeaderDurable)
	d.OriginalSubject = h.Get(HeaderOriginalSubject)
	d.OriginalMsgID = h.Get(HeaderOriginalMsgID)
	d.StreamSeq, _ = strconv.ParseUint(h.Get(HeaderStreamSeq), 10, 64)
	d.Delivered, _ = strconv.ParseUint(h.Get(HeaderDelivered), 10, 64)
	d.Error = h.Get(HeaderError)
	return d
}

// ReplayResult counts what ReplayDead did.
type ReplayResult struct {
	Selected int // dead letters f selected
	Replayed int // republished to their stream and removed from PW_DEAD
}

// ReplayDead republishes every dead letter f selects to its original subject
// and then removes it from PW_DEAD. It is idempotent: the republished message
// carries the ID "replay:<dead seq>", so a replay interrupted between the
// publish and the removal, and run again, is deduplicated by the stream; a
// removed dead letter is not selected again. With dryRun it only counts.
// Every consumer of the original stream sees the message again (handlers
// are idempotent).
func (b *Bus) ReplayDead(ctx context.Context, f DeadFilter, dryRun bool) (ReplayResult, error) {
	var res ReplayResult
	dead, err := b.ListDead(ctx, f)
	if err != nil {
		return res, err
	}
	res.Selected = len(dead)
	if dryRun || len(dead) == 0 {
		return res, nil
	}
	s, err := b.js.Stream(ctx, b.streamName(StreamDead))
	if err != nil {
		return res, fmt.Errorf("replay dead letters: %w", err)
	}
	for _, d := range dead {
		root, ok := streamRoots[d.Stream]
		if !ok || d.Stream == StreamDead || d.OriginalSubject == "" {
			return res, fmt.Errorf("replay dead letter %d: unknown origin stream %q subject %q", d.Seq, d.Stream, d.OriginalSubject)
		}
		if !strings.HasPrefix(d.OriginalSubject, root+".") {
			return res, fmt.Errorf("replay dead letter %d: subject %q is not in %s", d.Seq, d.OriginalSubject, d.Stream)
		}
		nm := nats.NewMsg(b.subject(d.OriginalSubject))
		nm.Data = d.Data
		nm.Header.Set(jetstream.MsgIDHeader, "replay:"+strconv.FormatUint(d.Seq, 10))
		nm.Header.Set(HeaderReplayOf, strconv.FormatUint(d.Seq, 10))
		if _, err := b.js.PublishMsg(ctx, nm, jetstream.WithExpectStream(b.streamName(d.Stream))); err != nil {
			b.m.failed.WithLabelValues(d.Stream).Inc()
			return res, fmt.Errorf("replay dead letter %d to %s: %w", d.Seq, d.Stream, err)
		}
		b.m.published.WithLabelValues(d.Stream).Inc()
		b.m.acked.WithLabelValues(d.Stream).Inc()
		if err := s.DeleteMsg(ctx, d.Seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return res, fmt.Errorf("replay dead letter %d: republished, but not removed from %s: %w", d.Seq, StreamDead, err)
		}
		b.m.replayed.WithLabelValues(d.Stream).Inc()
		res.Replayed++
		b.log.Info("dead letter replayed", "dead_seq", d.Seq, "stream", d.Stream, "subject", d.OriginalSubject, "msg_id", d.OriginalMsgID)
	}
	return res, nil
}

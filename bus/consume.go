package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers set on a dead-lettered message in PW_DEAD. The body is the
// original message's body.
const (
	HeaderError           = "Pw-Error"            // the handler's error, one line, at most 1 KiB
	HeaderOriginalSubject = "Pw-Original-Subject" // subject the message was published on
	HeaderOriginalMsgID   = "Pw-Original-Msg-Id"  // its Nats-Msg-Id
	HeaderStream          = "Pw-Stream"           // stream it came from (PW_COLLECTED, …)
	HeaderDurable         = "Pw-Durable"          // consumer that gave up on it
	HeaderDelivered       = "Pw-Delivered"        // deliveries made, decimal
	HeaderStreamSeq       = "Pw-Stream-Seq"       // its sequence in the stream, decimal
	HeaderRequeues        = "Pw-Requeues"         // times a no-result message was published again, decimal
)

// Consumer defaults applied to zero ConsumerSpec fields.
const (
	DefaultBatchSize = 256
	DefaultMaxWait   = 250 * time.Millisecond
	DefaultBackoff   = time.Second
	DefaultDrain     = 5 * time.Second
	// DefaultMaxTransientBackoff caps the retry pause after a transient error.
	DefaultMaxTransientBackoff = 15 * time.Second
	maxBackoff                 = time.Minute
	ackTimeout                 = 10 * time.Second
	ackConcurrency             = 32
	lagInterval                = 5 * time.Second
	// handlerKeepAlive is how many ack waits a running handler's messages
	// are kept alive before they are left to expire.
	handlerKeepAlive = 3
)

// ConsumerSpec describes a durable pull consumer.
type ConsumerSpec struct {
	Stream         string   // StreamCollected, StreamClassified or StreamDead
	Durable        string   // consumer name, shared by every process that splits the work
	FilterSubjects []string // optional, logical subjects such as "pw.classified.about"

	AckWait    time.Duration // default Options.AckWait
	MaxDeliver int           // default Options.MaxDeliver
	BatchSize  int           // messages per Fetch, default 256
	MaxWait    time.Duration // how long a Fetch waits to fill a batch, default 250ms
	// Backoff is the Nak delay after a failed first delivery, doubled with each
	// further delivery up to one minute; default 1s.
	Backoff time.Duration
	// MaxTransientBackoff caps the pause between retries of a batch whose
	// handler failed with a transient error (default 15s). Such retries
	// happen in-process and spend no deliveries.
	MaxTransientBackoff time.Duration
	// Concurrency is how many batches are handled at once (default 1): the
	// handler must then be safe for concurrent use. Batches are fetched ahead
	// and acks confirmed in the background either way.
	Concurrency int
	// DrainTimeout is how long a batch already in its handler when ctx ends
	// may still run (its context stays alive) before the handler's context is
	// cancelled too; default 5s, negative = cancel at once. No new batch is
	// started once ctx is done.
	DrainTimeout time.Duration
}

// Message is one message handed to a Handler.
type Message struct {
	Subject   string // logical subject, e.g. pw.collected.reuters
	MsgID     string // Nats-Msg-Id
	Data      []byte
	Delivered uint64 // 1 on the first delivery
}

// Handler processes a batch. nil → every message is acked (only after the
// handler returned). A transient error (see Classify: store or bus
// unreachable, timeout, disk full) → the batch is kept and retried in-process
// with capped backoff until the dependency is back, without spending
// deliveries, while the consumer fetches nothing more and reports not-ready.
// Any other error → each message is retried alone; one that still fails is
// Nak'd with backoff, and after MaxDeliver deliveries is published to PW_DEAD
// (pw.dead.<stream>) with the error in a header, then terminated. Wrap an
// error with Permanent to dead-letter at once (e.g. undecodable data).
// The handler must be idempotent: a message may be delivered more than once.
type Handler func(ctx context.Context, msgs []*Message) error

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that no retry can fix: a message whose handler
// returns it alone is dead-lettered at once. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// consumerState is one running Consume.
type consumerState struct {
	b    *Bus
	spec ConsumerSpec
	h    Handler
	acks chan []jetstream.Msg // handled batches whose acks the acker confirms

	mu     sync.Mutex
	cons   jetstream.Consumer // replaced when the consumer is recreated
	closed bool               // the connection was closed under Consume
	// held are the fetched messages not yet settled, with when they were
	// fetched; the keep-alive marks them in progress so that a long wait for
	// a dependency never expires their ack wait (and never spends a delivery).
	held map[jetstream.Msg]heldMsg
	// waiting counts workers waiting out a transient error; the fetch loop
	// pauses while it is not zero and resumes when resume is closed.
	waiting  int
	resume   chan struct{}
	waitInfo waitInfo
	// requeued holds the stream sequences this consumer published again
	// after their deliveries ran out (uint64 → struct{}): a late handler
	// error for one of them must not dead-letter it, its copy carries on.
	requeued sync.Map
}

// heldMsg is when a held message was fetched and when its handler started
// on it (zero while it waits in the queue).
type heldMsg struct{ fetched, started time.Time }

// waitInfo describes the current wait for a dependency, for readiness.
type waitInfo struct {
	since    time.Time
	attempts int
	err      error
}

func (cs *consumerState) consumer() jetstream.Consumer {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.cons
}

// Consume runs a durable pull consumer on spec.Stream, creating or updating it
// idempotently, and calls h with each fetched batch until ctx is done. It
// returns nil once ctx is done, and an error when the consumer cannot be set
// up or the bus is closed under it. Once ctx is done no new batch is
// started; a batch in its handler may finish within spec.DrainTimeout and is
// then acknowledged; one that fails or is cut short is left unacknowledged
// (Nak'd for prompt redelivery): work not done is never acked.
func (b *Bus) Consume(ctx context.Context, spec ConsumerSpec, h Handler) error {
	if h == nil {
		return errors.New("consume: nil handler")
	}
	if _, ok := streamRoots[spec.Stream]; !ok {
		return fmt.Errorf("consume: unknown stream %q", spec.Stream)
	}
	if !validToken(spec.Durable) {
		return fmt.Errorf("consume %s: durable name %q must be letters, digits, - or _", spec.Stream, spec.Durable)
	}
	if spec.AckWait <= 0 {
		spec.AckWait = b.opts.AckWait
	}
	if spec.MaxDeliver <= 0 {
		spec.MaxDeliver = b.opts.MaxDeliver
	}
	if spec.BatchSize <= 0 {
		spec.BatchSize = DefaultBatchSize
	}
	if spec.MaxWait <= 0 {
		spec.MaxWait = DefaultMaxWait
	}
	if spec.Backoff <= 0 {
		spec.Backoff = DefaultBackoff
	}
	if spec.Concurrency <= 0 {
		spec.Concurrency = 1
	}
	if spec.DrainTimeout == 0 {
		spec.DrainTimeout = DefaultDrain
	}
	if spec.MaxTransientBackoff <= 0 {
		spec.MaxTransientBackoff = DefaultMaxTransientBackoff
	}
	cs := &consumerState{b: b, spec: spec, h: h, held: map[jetstream.Msg]heldMsg{}}
	log := b.log.With("stream", spec.Stream, "durable", spec.Durable)
	b.register(cs)
	defer b.unregister(cs)
	// A cluster still forming (or a server not up yet) answers with
	// transient errors: wait for it rather than give up.
	if err := retry(ctx, log, "create consumer "+spec.Durable, func(ctx context.Context) error { return cs.setup(ctx) }); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	log.Info("consumer started", "batch_size", spec.BatchSize, "ack_wait", spec.AckWait, "max_deliver", spec.MaxDeliver)

	lagCtx, stopLag := context.WithCancel(ctx)
	defer stopLag()
	go cs.watchLag(lagCtx)
	go cs.keepAlive(lagCtx)

	// A message whose last delivery ends without a result (the process died,
	// or AckWait passed) is never redelivered; the server announces it with a
	// max-deliveries advisory, and it is dead-lettered from there.
	advSubj := "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + b.streamName(spec.Stream) + "." + spec.Durable
	adv, err := b.nc.Subscribe(advSubj, func(m *nats.Msg) { cs.onMaxDeliveries(ctx, m.Data) })
	if err != nil {
		log.Warn("subscribe to max-deliveries advisories failed; such messages stay in the stream", "err", err)
	} else {
		defer func() { _ = adv.Unsubscribe() }()
	}

	// One goroutine fetches the next batch while the workers handle the
	// current ones; another confirms the acks of handled batches meanwhile.
	batches := make(chan []jetstream.Msg, spec.Concurrency)
	go cs.fetchLoop(ctx, log, batches)
	cs.acks = make(chan []jetstream.Msg, 4*spec.Concurrency)
	ackerDone := make(chan struct{})
	go func() {
		defer close(ackerDone)
		for msgs := range cs.acks {
			cs.ackAll(ctx, msgs)
		}
	}()
	// Handlers run under hctx, which outlives ctx by DrainTimeout so that a
	// batch in progress at shutdown can finish and be acked.
	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	stopDrain := context.AfterFunc(ctx, func() {
		if spec.DrainTimeout < 0 {
			hcancel()
			return
		}
		t := time.NewTimer(spec.DrainTimeout)
		defer t.Stop()
		select {
		case <-t.C:
			hcancel()
		case <-hctx.Done():
		}
	})
	defer stopDrain()
	var workers sync.WaitGroup
	for range spec.Concurrency {
		workers.Go(func() {
			for raw := range batches {
				cs.process(ctx, hctx, raw)
			}
		})
	}
	workers.Wait()
	close(cs.acks)
	<-ackerDone
	if cs.closed && ctx.Err() == nil {
		return fmt.Errorf("consume %s as %q: bus connection closed", spec.Stream, spec.Durable)
	}
	log.Info("consumer stopped")
	return nil
}

// fetchLoop fetches batches into out until ctx is done, then closes out. A
// batch fetched as ctx ends is abandoned (not acked).
func (cs *consumerState) fetchLoop(ctx context.Context, log *slog.Logger, out chan<- []jetstream.Msg) {
	defer close(out)
	spec := cs.spec
	retry := 0
	for ctx.Err() == nil {
		// While a worker waits for a dependency, fetch nothing more: the
		// messages would only wait too.
		if resume := cs.paused(); resume != nil {
			select {
			case <-resume:
			case <-ctx.Done():
				return
			}
			continue
		}
		batch, err := cs.consumer().Fetch(spec.BatchSize, jetstream.FetchMaxWait(spec.MaxWait))
		if err == nil {
			var msgs []jetstream.Msg
			for m := range batch.Messages() {
				msgs = append(msgs, m)
			}
			err = batch.Error()
			if len(msgs) > 0 {
				cs.hold(msgs)
				select {
				case out <- msgs:
				case <-ctx.Done():
					cs.abandon(msgs)
					return
				}
			}
			if err == nil || errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
				retry = 0
				continue
			}
		}
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, nats.ErrConnectionClosed) {
			cs.mu.Lock()
			cs.closed = true
			cs.mu.Unlock()
			return
		}
		retry++
		delay := min(time.Duration(retry)*200*time.Millisecond, 5*time.Second)
		log.Warn("fetch failed, retrying", "err", err, "retry_in", delay)
		if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrNoHeartbeat) {
			if serr := cs.setup(ctx); serr != nil {
				log.Warn("recreate consumer failed", "err", serr)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
	}
}

func (cs *consumerState) setup(ctx context.Context) error {
	b, spec := cs.b, cs.spec
	filters := make([]string, len(spec.FilterSubjects))
	for i, f := range spec.FilterSubjects {
		filters[i] = b.subject(f)
	}
	cfg := jetstream.ConsumerConfig{
		Durable:        spec.Durable,
		Description:    "presswatch consumer",
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        spec.AckWait,
		MaxDeliver:     spec.MaxDeliver,
		MaxAckPending:  max(1000, 4*spec.BatchSize*spec.Concurrency),
		MaxWaiting:     512,
		FilterSubjects: filters,
	}
	if len(filters) == 1 {
		cfg.FilterSubject, cfg.FilterSubjects = filters[0], nil
	}
	cons, err := b.js.CreateOrUpdateConsumer(ctx, b.streamName(spec.Stream), cfg)
	if err != nil {
		return fmt.Errorf("create or update consumer %q on %s: %w", spec.Durable, spec.Stream, err)
	}
	cs.mu.Lock()
	cs.cons = cons
	cs.mu.Unlock()
	return nil
}

// watchLag updates the lag gauge until ctx is done.
func (cs *consumerState) watchLag(ctx context.Context) {
	t := time.NewTicker(lagInterval)
	defer t.Stop()
	for {
		info, err := cs.consumer().Info(ctx)
		if err == nil {
			cs.b.m.lagPending.WithLabelValues(cs.spec.Durable).Set(float64(info.NumPending) + float64(info.NumAckPending))
		}
		if n, err := cs.b.StreamMsgs(ctx, StreamDead); err == nil {
			cs.b.m.deadMsgs.Set(float64(n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// process hands one fetched batch to the handler and settles every message.
func (cs *consumerState) process(ctx, hctx context.Context, raw []jetstream.Msg) {
	durable := cs.spec.Durable
	cs.b.m.consumed.WithLabelValues(durable).Add(float64(len(raw)))
	msgs := make([]*Message, len(raw))
	for i, r := range raw {
		msgs[i] = cs.message(r)
	}
	// No new work once ctx is done; work in progress runs under hctx.
	if ctx.Err() != nil {
		cs.abandon(raw)
		return
	}
	cs.started(raw)
	err := cs.call(hctx, msgs)
	if err != nil && ctx.Err() == nil && Classify(err) == ClassTransient {
		err = cs.waitOut(ctx, hctx, msgs, err)
	}
	if err == nil {
		cs.ack(raw)
		return
	}
	if ctx.Err() != nil {
		cs.abandon(raw)
		return
	}
	if len(raw) > 1 {
		cs.b.log.Debug("batch failed, retrying messages one by one", "durable", durable, "size", len(raw), "err", err)
		for i, r := range raw {
			if ctx.Err() != nil {
				cs.abandon(raw[i:])
				return
			}
			one := cs.call(hctx, msgs[i:i+1])
			if one != nil && ctx.Err() == nil && Classify(one) == ClassTransient {
				one = cs.waitOut(ctx, hctx, msgs[i:i+1], one)
			}
			if one == nil {
				cs.ack(raw[i : i+1])
				continue
			}
			if ctx.Err() != nil {
				cs.abandon(raw[i:])
				return
			}
			cs.fail(ctx, r, msgs[i], one)
		}
		return
	}
	cs.fail(ctx, raw[0], msgs[0], err)
}

// call runs the handler, turning a panic into an error so that one bad
// message cannot stop the consumer.
func (cs *consumerState) call(ctx context.Context, msgs []*Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v", r)
		}
	}()
	return cs.h(ctx, msgs)
}

func (cs *consumerState) message(r jetstream.Msg) *Message {
	m := &Message{Subject: cs.b.logicalSubject(r.Subject()), Data: r.Data(), Delivered: 1}
	if h := r.Headers(); h != nil {
		m.MsgID = h.Get(jetstream.MsgIDHeader)
		if orig := h.Get(HeaderOriginalMsgID); orig != "" {
			m.MsgID = orig // a requeued copy keeps its first ID
		}
	}
	if md, err := r.Metadata(); err == nil {
		m.Delivered = md.NumDelivered
	}
	return m
}

// ackAll acknowledges msgs with confirmed (double) acks, concurrently. The
// acks use their own deadline so that work finished just as ctx ends is still
// acknowledged.
func (cs *consumerState) ackAll(ctx context.Context, msgs []jetstream.Msg) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		nerrs int
		first error
	)
	sem := make(chan struct{}, ackConcurrency)
	for _, m := range msgs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := m.DoubleAck(actx); err != nil {
				mu.Lock()
				nerrs++
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	durable := cs.spec.Durable
	cs.b.m.consAcked.WithLabelValues(durable).Add(float64(len(msgs) - nerrs))
	if nerrs > 0 {
		cs.b.m.ackErrors.WithLabelValues(durable).Add(float64(nerrs))
		cs.b.log.Warn("acks not confirmed; those messages will be redelivered", "durable", durable, "count", nerrs, "err", first)
	}
}

// abandon leaves msgs unacknowledged, asking for prompt redelivery.
func (cs *consumerState) abandon(msgs []jetstream.Msg) {
	cs.release(msgs)
	for _, m := range msgs {
		_ = m.Nak() // best effort: without it the message returns after AckWait
	}
}

// ack hands handled messages to the acker.
func (cs *consumerState) ack(msgs []jetstream.Msg) {
	cs.release(msgs)
	cs.acks <- msgs
}

// hold records fetched messages as not yet settled.
func (cs *consumerState) hold(msgs []jetstream.Msg) {
	now := time.Now()
	cs.mu.Lock()
	for _, m := range msgs {
		cs.held[m] = heldMsg{fetched: now}
	}
	cs.mu.Unlock()
}

// started records that the handler started on msgs.
func (cs *consumerState) started(msgs []jetstream.Msg) {
	now := time.Now()
	cs.mu.Lock()
	for _, m := range msgs {
		if h, ok := cs.held[m]; ok && h.started.IsZero() {
			h.started = now
			cs.held[m] = h
		}
	}
	cs.mu.Unlock()
}

// release forgets settled messages.
func (cs *consumerState) release(msgs []jetstream.Msg) {
	cs.mu.Lock()
	for _, m := range msgs {
		delete(cs.held, m)
	}
	cs.mu.Unlock()
}

// keepAlive marks held messages as in progress every third of the ack wait,
// so that they are not redelivered (spending a delivery, and handled twice)
// merely because they wait: messages queued behind a running batch, every
// held message while a worker waits for a dependency, and a batch whose
// handler is slow — the last only for handlerKeepAlive ack waits, so that a
// handler that hangs is still redelivered and, in the end, dead-lettered.
func (cs *consumerState) keepAlive(ctx context.Context) {
	every := max(cs.spec.AckWait/3, 10*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		cutoff := now.Add(-every)
		handlerLimit := now.Add(-handlerKeepAlive * cs.spec.AckWait)
		cs.mu.Lock()
		waiting := cs.waiting > 0
		var due []jetstream.Msg
		for m, h := range cs.held {
			if !h.fetched.Before(cutoff) {
				continue
			}
			if waiting || h.started.IsZero() || h.started.After(handlerLimit) {
				due = append(due, m)
			}
		}
		cs.mu.Unlock()
		for _, m := range due {
			_ = m.InProgress() // best effort; a lost one costs one redelivery
		}
	}
}

// paused returns a channel closed when the fetch loop may fetch again, or
// nil when no worker is waiting for a dependency.
func (cs *consumerState) paused() <-chan struct{} {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.waiting == 0 {
		return nil
	}
	return cs.resume
}

// waitOut retries the handler on msgs after a transient error, with capped
// exponential backoff, until it succeeds, fails otherwise, or ctx ends. The
// messages stay held (kept alive) meanwhile, the fetch loop pauses, and the
// consumer reports not-ready with the error. It returns the last error (nil
// on success).
func (cs *consumerState) waitOut(ctx, hctx context.Context, msgs []*Message, err error) error {
	durable := cs.spec.Durable
	log := cs.b.log.With("stream", cs.spec.Stream, "durable", durable)
	start := time.Now()
	cs.mu.Lock()
	if cs.waiting == 0 {
		cs.resume = make(chan struct{})
		cs.waitInfo = waitInfo{since: start}
	}
	cs.waiting++
	cs.mu.Unlock()
	cs.b.m.waiting.WithLabelValues(durable).Set(1)
	defer func() {
		cs.mu.Lock()
		cs.waiting--
		if cs.waiting == 0 {
			close(cs.resume)
			cs.waitInfo = waitInfo{}
			cs.b.m.waiting.WithLabelValues(durable).Set(0)
		}
		cs.mu.Unlock()
	}()
	log.Warn("dependency unavailable: holding the batch and retrying without spending deliveries",
		"err", err, "messages", len(msgs))
	delay := cs.spec.Backoff / 4
	if delay <= 0 {
		delay = 10 * time.Millisecond
	}
	for attempt := 1; ; attempt++ {
		cs.mu.Lock()
		cs.waitInfo.attempts++
		cs.waitInfo.err = err
		cs.mu.Unlock()
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(delay*2, cs.spec.MaxTransientBackoff)
		cs.b.m.transientRetries.WithLabelValues(durable).Inc()
		err = cs.call(hctx, msgs)
		if err == nil {
			log.Info("dependency back: batch handled", "attempts", attempt, "waited", time.Since(start).Round(time.Millisecond))
			return nil
		}
		if ctx.Err() != nil || Classify(err) != ClassTransient {
			return err
		}
		if attempt%10 == 0 {
			log.Warn("still waiting for a dependency", "err", err, "attempts", attempt, "waited", time.Since(start).Round(time.Second))
		}
	}
}

// waitErr returns why the consumer is waiting, or nil when it is not.
func (cs *consumerState) waitErr() error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.waiting == 0 {
		return nil
	}
	w := cs.waitInfo
	return fmt.Errorf("consumer %s on %s waiting for a dependency for %s (%d retries): %w",
		cs.spec.Durable, cs.spec.Stream, time.Since(w.since).Round(time.Second), w.attempts, w.err)
}

// fail settles a message whose handler failed alone: Nak with backoff, or
// dead-letter when the error is permanent or the deliveries are exhausted.
func (cs *consumerState) fail(ctx context.Context, r jetstream.Msg, m *Message, err error) {
	cs.release([]jetstream.Msg{r})
	durable := cs.spec.Durable
	log := cs.b.log.With("stream", cs.spec.Stream, "durable", durable, "msg_id", m.MsgID, "delivered", m.Delivered)
	if md, merr := r.Metadata(); merr == nil && !IsPermanent(err) {
		if _, ok := cs.requeued.Load(md.Sequence.Stream); ok {
			_ = r.Term()
			log.Info("late failure of a message already published again; its copy carries on", "err", err)
			return
		}
	}
	if IsPermanent(err) || m.Delivered >= uint64(cs.spec.MaxDeliver) {
		if derr := cs.deadLetter(ctx, r, m, err); derr != nil {
			log.Error("dead-letter failed; message will be redelivered", "err", derr, "handler_err", err)
			_ = r.NakWithDelay(cs.backoff(m.Delivered))
			cs.b.m.nakd.WithLabelValues(durable).Inc()
			return
		}
		// Plain Term: "+TERM reason" is not understood by servers before 2.10.
		if terr := r.Term(); terr != nil {
			log.Warn("term after dead-letter failed", "err", terr)
		}
		cs.b.m.dead.WithLabelValues(durable).Inc()
		log.Warn("message dead-lettered", "err", err, "permanent", IsPermanent(err))
		return
	}
	delay := cs.backoff(m.Delivered)
	if nerr := r.NakWithDelay(delay); nerr != nil {
		log.Warn("nak failed; message returns after ack wait", "err", nerr)
	}
	cs.b.m.nakd.WithLabelValues(durable).Inc()
	log.Info("message failed, retrying later", "err", err, "retry_in", delay, "class", Classify(err).String())
}

func (cs *consumerState) backoff(delivered uint64) time.Duration {
	d := cs.spec.Backoff
	for i := uint64(1); i < delivered && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// deadLetter publishes m to pw.dead.<stream> and waits for the PubAck.
func (cs *consumerState) deadLetter(ctx context.Context, r jetstream.Msg, m *Message, cause error) error {
	seq := uint64(0)
	if md, err := r.Metadata(); err == nil {
		seq = md.Sequence.Stream
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	return cs.publishDead(pctx, m, seq, cause)
}

// publishDead publishes m, sequence seq of the consumer's stream, to
// pw.dead.<stream> with the headers that say why. The message ID is
// <stream>:<consumer>:<seq> (DeadMsgID), so a repeated dead-lettering of the
// same message by the same consumer is deduplicated, while another consumer
// giving up on the same message is recorded too.
func (cs *consumerState) publishDead(ctx context.Context, m *Message, seq uint64, cause error) error {
	b := cs.b
	nm := nats.NewMsg(b.subject(SubjectDead + "." + cs.spec.Stream))
	nm.Data = m.Data
	nm.Header.Set(HeaderError, oneLine(cause.Error(), 1024))
	nm.Header.Set(HeaderOriginalSubject, m.Subject)
	nm.Header.Set(HeaderOriginalMsgID, m.MsgID)
	nm.Header.Set(HeaderStream, cs.spec.Stream)
	nm.Header.Set(HeaderDurable, cs.spec.Durable)
	nm.Header.Set(HeaderDelivered, strconv.FormatUint(m.Delivered, 10))
	nm.Header.Set(HeaderStreamSeq, strconv.FormatUint(seq, 10))
	nm.Header.Set(jetstream.MsgIDHeader, DeadMsgID(cs.spec.Stream, cs.spec.Durable, seq))
	if _, err := b.js.PublishMsg(ctx, nm, jetstream.WithExpectStream(b.streamName(StreamDead))); err != nil {
		b.m.failed.WithLabelValues(StreamDead).Inc()
		return fmt.Errorf("publish %q to %s: %w", m.MsgID, StreamDead, err)
	}
	b.m.published.WithLabelValues(StreamDead).Inc()
	b.m.acked.WithLabelValues(StreamDead).Inc()
	return nil
}

// maxDeliveriesAdvisory is the part of the server's
// io.nats.jetstream.advisory.v1.max_deliver event the bus reads.
type maxDeliveriesAdvisory struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
}

// maxNoResultRequeues is how many times a message whose deliveries ran out
// with no result (no handler returned for its last delivery: the process
// died, the handler hung, or the delivery was lost in transit while a
// consumer's leader moved after NATS node loss) is published again before
// it is dead-lettered. A transient loss must not dead-letter data; a message
// that hangs every handler still reaches PW_DEAD, after 1+2 rounds of
// MaxDeliver deliveries. (A variable so that a test can dead-letter at once.)
var maxNoResultRequeues = 2

// onMaxDeliveries handles a message whose deliveries ran out with no result
// (the server's advisory names it): it is published again on its subject
// (RequeueMsgID deduplicates processes that all see the advisory) up to
// maxNoResultRequeues times, then dead-lettered, unless it is already in
// PW_DEAD (the ID <stream>:<consumer>:<seq> deduplicates the two paths).
func (cs *consumerState) onMaxDeliveries(ctx context.Context, data []byte) {
	b := cs.b
	log := b.log.With("stream", cs.spec.Stream, "durable", cs.spec.Durable)
	var adv maxDeliveriesAdvisory
	if err := json.Unmarshal(data, &adv); err != nil || adv.StreamSeq == 0 {
		log.Warn("unreadable max-deliveries advisory", "err", err)
		return
	}
	gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	s, err := b.js.Stream(gctx, b.streamName(cs.spec.Stream))
	if err == nil {
		var raw *jetstream.RawStreamMsg
		raw, err = s.GetMsg(gctx, adv.StreamSeq)
		if err == nil {
			m := &Message{Subject: b.logicalSubject(raw.Subject), Data: raw.Data, Delivered: adv.Deliveries}
			requeues := 0
			if raw.Header != nil {
				m.MsgID = raw.Header.Get(jetstream.MsgIDHeader)
				if orig := raw.Header.Get(HeaderOriginalMsgID); orig != "" {
					m.MsgID = orig
				}
				requeues, _ = strconv.Atoi(raw.Header.Get(HeaderRequeues))
			}
			if requeues < maxNoResultRequeues {
				// Marked before the copy is published: the last delivery's
				// handler may still return (a late failure, see fail) while
				// the copy is on its way, and it must find the mark, or it
				// would dead-letter a message whose copy carries on.
				cs.requeued.Store(adv.StreamSeq, struct{}{})
				if err = cs.requeue(gctx, raw, m, adv.StreamSeq, requeues+1); err == nil {
					b.m.requeued.WithLabelValues(cs.spec.Durable).Inc()
					log.Warn("message published again: its deliveries ran out with no result", "stream_seq", adv.StreamSeq, "msg_id", m.MsgID, "requeues", requeues+1)
					return
				}
				cs.requeued.Delete(adv.StreamSeq)
				log.Error("publishing a no-result message again failed; dead-lettering it", "stream_seq", adv.StreamSeq, "err", err)
			}
			cause := fmt.Errorf("no result after %d deliveries (ack wait %s expired on the last one), %d times", adv.Deliveries, cs.spec.AckWait, requeues+1)
			if err = cs.publishDead(gctx, m, adv.StreamSeq, cause); err == nil {
				b.m.dead.WithLabelValues(cs.spec.Durable).Inc()
				log.Warn("message dead-lettered after its deliveries ran out", "stream_seq", adv.StreamSeq, "msg_id", m.MsgID)
				return
			}
		}
	}
	log.Error("dead-letter after max deliveries failed; the message stays in its stream", "stream_seq", adv.StreamSeq, "err", err)
}

// RequeueMsgID is the message ID of the copy of sequence seq of stream that
// consumer durable published again: the same for every process that acts on
// the same advisory, so JetStream keeps one copy.
func RequeueMsgID(stream, durable string, seq uint64) string {
	return "requeue:" + stream + ":" + durable + ":" + strconv.FormatUint(seq, 10)
}

// requeue publishes raw (sequence seq, read back as m) again on its subject
// with its headers, its first message ID in Pw-Original-Msg-Id and the
// count n in Pw-Requeues. Every consumer of the stream sees the copy;
// handlers are idempotent.
func (cs *consumerState) requeue(ctx context.Context, raw *jetstream.RawStreamMsg, m *Message, seq uint64, n int) error {
	b := cs.b
	nm := nats.NewMsg(raw.Subject)
	nm.Data = raw.Data
	for k, vs := range raw.Header {
		for _, v := range vs {
			nm.Header.Add(k, v)
		}
	}
	nm.Header.Set(HeaderOriginalMsgID, m.MsgID)
	nm.Header.Set(HeaderRequeues, strconv.Itoa(n))
	nm.Header.Set(jetstream.MsgIDHeader, RequeueMsgID(cs.spec.Stream, cs.spec.Durable, seq))
	if _, err := b.js.PublishMsg(ctx, nm, jetstream.WithExpectStream(b.streamName(cs.spec.Stream))); err != nil {
		b.m.failed.WithLabelValues(cs.spec.Stream).Inc()
		return fmt.Errorf("publish %q again to %s: %w", m.MsgID, cs.spec.Stream, err)
	}
	b.m.published.WithLabelValues(cs.spec.Stream).Inc()
	b.m.acked.WithLabelValues(cs.spec.Stream).Inc()
	return nil
}

// oneLine makes s fit in a header: no line breaks, at most n bytes (cut on a
// rune boundary).
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func utf8RuneStart(c byte) bool { return c&0xC0 != 0x80 }

// Package bus carries articles between presswatch stages over NATS JetStream.
//
// By default it starts an embedded nats-server with JetStream file storage under
// the data directory (in-process connection only, or also listening on
// loopback); with Options.URL it connects to an external server or cluster.
// Open creates or updates the streams PW_COLLECTED, PW_CLASSIFIED and PW_DEAD
// idempotently. Publishing waits for every PubAck; consuming uses durable pull
// consumers with explicit, confirmed acks that are sent only after the handler
// returned nil, so an acknowledged message's effect is durable.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// Stream names. Consumers name a stream by one of these constants.
const (
	StreamCollected  = "PW_COLLECTED"
	StreamClassified = "PW_CLASSIFIED"
	StreamDead       = "PW_DEAD"
)

// Subject roots of the streams: pw.collected.<source>, pw.classified.<relevance>
// and pw.dead.<stream>.
const (
	SubjectCollected  = "pw.collected"
	SubjectClassified = "pw.classified"
	SubjectDead       = "pw.dead"
)

// Defaults applied by Open to zero Options fields.
const (
	DefaultSyncInterval    = time.Second
	DefaultReplicas        = 1
	DefaultMaxDeliver      = 5
	DefaultAckWait         = 30 * time.Second
	DefaultDuplicateWindow = 24 * time.Hour
	DefaultMaxAge          = 30 * 24 * time.Hour
)

// ErrStoreInUse is returned by Open when another process already runs an
// embedded server on the same data directory.
var ErrStoreInUse = errors.New("embedded nats store is in use by another process")

// publishTimeout bounds how long an async publish waits for its PubAck before
// the future fails (so a lost ack never leaks).
const publishTimeout = 30 * time.Second

// Options configures Open.
type Options struct {
	// URL of an external NATS server or cluster (comma-separated). Empty starts
	// an embedded nats-server with JetStream file storage under DataDir.
	URL string
	// DataDir holds the embedded server's JetStream store (DataDir/nats).
	DataDir string
	// Listen is the embedded server's client address: "" = in-process
	// connection only; "127.0.0.1:0" = also listen on loopback (random port).
	// Only loopback addresses are accepted.
	Listen string
	// SyncInterval is the embedded JetStream fsync interval (default 1s).
	// JetStream's own default is two minutes, which has lost acknowledged
	// messages on power failure; shorter is safer and slower.
	SyncInterval time.Duration

	// Credentials and TLS for an external server.
	CredsFile, User, Password, Token, TLSCA, TLSCert, TLSKey string

	// Replicas of each stream (default 1); MaxDeliver deliveries before a
	// message is dead-lettered (default 5).
	Replicas, MaxDeliver int
	// AckWait before an unacknowledged message is redelivered (default 30s);
	// DuplicateWindow of Nats-Msg-Id deduplication (default 24h); MaxAge of
	// messages in the streams (default 30 days).
	AckWait, DuplicateWindow, MaxAge time.Duration

	// Namespace, when not empty, prefixes stream names (NS_PW_COLLECTED) and
	// subjects (NS.pw.collected.>) so that tests can share one external server
	// without touching each other's streams. Production leaves it empty.
	Namespace string

	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Bus is a connection to JetStream with presswatch's streams set up.
type Bus struct {
	opts      Options
	log       *slog.Logger
	srv       *server.Server // embedded server, nil with an external URL
	unlock    func()         // releases the embedded store's lock
	nc        *nats.Conn
	js        jetstream.JetStream
	clientURL string
	m         *metrics

	consMu    sync.Mutex
	consumers map[*consumerState]struct{} // running Consume calls, for readiness
}

// Open connects to the bus, starting the embedded server when opts.URL is
// empty, and creates or updates the streams.
func Open(ctx context.Context, opts Options) (*Bus, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	b := &Bus{opts: opts, log: opts.Logger.With("component", "bus"), consumers: map[*consumerState]struct{}{}}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	b.m = m
	if opts.URL == "" {
		if err := b.startEmbedded(); err != nil {
			return nil, err
		}
	} else {
		b.clientURL = opts.URL
	}
	if err := b.connect(); err != nil {
		b.shutdownServer()
		return nil, err
	}
	js, err := jetstream.New(b.nc,
		jetstream.WithPublishAsyncMaxPending(4096),
		jetstream.WithPublishAsyncTimeout(publishTimeout),
	)
	if err != nil {
		b.nc.Close()
		b.shutdownServer()
		return nil, fmt.Errorf("open jetstream: %w", err)
	}
	b.js = js
	// A server not up yet or a cluster not formed yet answers with transient
	// errors: retry until it is ready (or ctx ends).
	if err := retry(ctx, b.log, "create streams", b.ensureStreamsExplained); err != nil {
		b.nc.Close()
		b.shutdownServer()
		return nil, err
	}
	return b, nil
}

// ensureStreamsExplained is ensureStreams with the reason an external
// server is not ready named in the error the start-up retries log: which
// server, and why ("connection refused", or JetStream switched off). An
// outside install saw only "context deadline exceeded" after 10 s, or "no
// responders available" for ever. While the client is not connected it
// fails at once instead of waiting out the attempt.
func (b *Bus) ensureStreamsExplained(ctx context.Context) error {
	if b.srv != nil {
		return b.ensureStreams(ctx)
	}
	where := redactURL(b.opts.URL)
	if !b.nc.IsConnected() {
		return Transient(fmt.Errorf("nats %s not reachable (%s)", where, b.whyNotConnected()))
	}
	err := b.ensureStreams(ctx)
	if errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
		return fmt.Errorf("nats %s answers but JetStream is not enabled there (start nats-server with -js, or a jetstream block in its configuration): %w", where, err)
	}
	return err
}

func (o *Options) defaults() error {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.SyncInterval == 0 {
		o.SyncInterval = DefaultSyncInterval
	}
	if o.Replicas == 0 {
		o.Replicas = DefaultReplicas
	}
	if o.MaxDeliver == 0 {
		o.MaxDeliver = DefaultMaxDeliver
	}
	if o.AckWait == 0 {
		o.AckWait = DefaultAckWait
	}
	if o.DuplicateWindow == 0 {
		o.DuplicateWindow = DefaultDuplicateWindow
	}
	if o.MaxAge == 0 {
		o.MaxAge = DefaultMaxAge
	}
	var errs []error
	if o.URL == "" && o.DataDir == "" {
		errs = append(errs, errors.New("bus: data dir is required for the embedded server"))
	}
	if o.URL == "" && o.Listen != "" {
		if err := checkLoopback(o.Listen); err != nil {
			errs = append(errs, err)
		}
	}
	if o.SyncInterval < 0 {
		errs = append(errs, errors.New("bus: sync interval must not be negative"))
	}
	if o.Replicas < 1 || o.Replicas > 5 {
		errs = append(errs, fmt.Errorf("bus: replicas %d not between 1 and 5", o.Replicas))
	}
	if o.URL == "" && o.Replicas > 1 {
		errs = append(errs, fmt.Errorf("bus: replicas %d need an external cluster (nats url); the embedded server is a single node", o.Replicas))
	}
	if o.MaxDeliver < 1 {
		errs = append(errs, fmt.Errorf("bus: max deliver %d must be at least 1", o.MaxDeliver))
	}
	if o.AckWait < 0 || o.DuplicateWindow < 0 || o.MaxAge < 0 {
		errs = append(errs, errors.New("bus: ack wait, duplicate window and max age must not be negative"))
	}
	if o.DuplicateWindow > o.MaxAge {
		errs = append(errs, fmt.Errorf("bus: duplicate window %s is longer than max age %s", o.DuplicateWindow, o.MaxAge))
	}
	if o.Namespace != "" && !validToken(o.Namespace) {
		errs = append(errs, fmt.Errorf("bus: namespace %q must be letters, digits, - or _", o.Namespace))
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		errs = append(errs, errors.New("bus: tls cert and tls key must be given together"))
	}
	return errors.Join(errs...)
}

// checkLoopback accepts host:port whose host is a loopback address or localhost.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("bus: listen %q: %w", addr, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("bus: listen %q: bad port", addr)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("bus: listen %q: the embedded server listens only on loopback (127.0.0.1 or ::1)", addr)
	}
	return nil
}

func (b *Bus) startEmbedded() error {
	sopts := &server.Options{
		ServerName:   "presswatch",
		JetStream:    true,
		StoreDir:     filepath.Join(b.opts.DataDir, "nats"),
		SyncInterval: b.opts.SyncInterval,
		NoSigs:       true,
		DontListen:   true,
	}
	if b.opts.Listen != "" {
		host, portStr, _ := net.SplitHostPort(b.opts.Listen) // checked in defaults
		port, _ := strconv.Atoi(portStr)
		if port == 0 {
			port = server.RANDOM_PORT
		}
		sopts.DontListen = false
		sopts.Host = host
		sopts.Port = port
	}
	unlock, err := lockDir(sopts.StoreDir)
	if err != nil {
		return fmt.Errorf("start embedded nats server: %w", err)
	}
	srv, err := server.NewServer(sopts)
	if err != nil {
		unlock()
		return fmt.Errorf("start embedded nats server in %q: %w", sopts.StoreDir, err)
	}
	srv.SetLoggerV2(&serverLogger{log: b.log.With("server", "embedded")}, false, false, false)
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		srv.WaitForShutdown()
		unlock()
		return fmt.Errorf("start embedded nats server in %q: not ready after 30s", sopts.StoreDir)
	}
	b.srv, b.unlock = srv, unlock
	if b.opts.Listen != "" {
		b.clientURL = srv.ClientURL()
	}
	b.log.Info("embedded nats server started", "store_dir", sopts.StoreDir, "listen", b.clientURL, "sync_interval", b.opts.SyncInterval)
	return nil
}

func (b *Bus) connect() error {
	nopts := []nats.Option{
		nats.Name("presswatch"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				b.log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subj := ""
			if sub != nil {
				subj = sub.Subject
			}
			b.log.Warn("nats async error", "subject", subj, "err", err)
		}),
	}
	url := b.opts.URL
	if b.srv != nil {
		nopts = append(nopts, nats.InProcessServer(b.srv))
		url = ""
	} else {
		if b.opts.CredsFile != "" {
			nopts = append(nopts, nats.UserCredentials(b.opts.CredsFile))
		}
		if b.opts.User != "" {
			nopts = append(nopts, nats.UserInfo(b.opts.User, b.opts.Password))
		}
		if b.opts.Token != "" {
			nopts = append(nopts, nats.Token(b.opts.Token))
		}
		if b.opts.TLSCA != "" {
			nopts = append(nopts, nats.RootCAs(b.opts.TLSCA))
		}
		if b.opts.TLSCert != "" {
			nopts = append(nopts, nats.ClientCert(b.opts.TLSCert, b.opts.TLSKey))
		}
		// A role may start before the cluster: keep trying to connect in the
		// background; stream creation waits for the connection.
		nopts = append(nopts, nats.RetryOnFailedConnect(true))
	}
	nc, err := nats.Connect(url, nopts...)
	if err != nil {
		if b.srv != nil {
			return fmt.Errorf("connect to embedded nats server: %w", err)
		}
		return fmt.Errorf("connect to nats %q: %w", redactURL(b.opts.URL), err)
	}
	b.nc = nc
	return nil
}

// whyNotConnected names why the client is not connected: the client's last
// error, else what dialling the first server says ("connection refused",
// "no such host"), else the client's state.
func (b *Bus) whyNotConnected() string {
	if le := b.nc.LastError(); le != nil {
		return le.Error()
	}
	first, _, _ := strings.Cut(b.opts.URL, ",")
	if u, err := url.Parse(strings.TrimSpace(first)); err == nil && u.Host != "" {
		host := u.Host
		if u.Port() == "" {
			host = net.JoinHostPort(u.Hostname(), "4222")
		}
		c, err := net.DialTimeout("tcp", host, 2*time.Second)
		if err != nil {
			var oe *net.OpError
			if errors.As(err, &oe) && oe.Err != nil {
				return oe.Err.Error()
			}
			return err.Error()
		}
		c.Close()
	}
	return strings.ToLower(b.nc.Status().String())
}

// redactURL hides a password or token written into a NATS URL.
func redactURL(u string) string {
	parts := strings.Split(u, ",")
	for i, p := range parts {
		if at := strings.LastIndex(p, "@"); at >= 0 {
			if s := strings.Index(p, "://"); s >= 0 && s < at {
				parts[i] = p[:s+3] + "<redacted>" + p[at:]
			}
		}
	}
	return strings.Join(parts, ",")
}

// streamName returns the real name of a logical stream.
func (b *Bus) streamName(stream string) string {
	if b.opts.Namespace == "" {
		return stream
	}
	return b.opts.Namespace + "_" + stream
}

// subject returns the real subject of a logical one.
func (b *Bus) subject(s string) string {
	if b.opts.Namespace == "" {
		return s
	}
	return b.opts.Namespace + "." + s
}

// logicalSubject strips the namespace from a real subject.
func (b *Bus) logicalSubject(s string) string {
	if b.opts.Namespace == "" {
		return s
	}
	return strings.TrimPrefix(s, b.opts.Namespace+".")
}

// streamSubjects maps each logical stream to its subject root.
var streamRoots = map[string]string{
	StreamCollected:  SubjectCollected,
	StreamClassified: SubjectClassified,
	StreamDead:       SubjectDead,
}

// ensureStreams creates or updates the three streams (once; Open retries it).
func (b *Bus) ensureStreams(ctx context.Context) error {
	for _, name := range []string{StreamCollected, StreamClassified, StreamDead} {
		cfg := jetstream.StreamConfig{
			Name:        b.streamName(name),
			Description: "presswatch " + streamRoots[name] + " messages",
			Subjects:    []string{b.subject(streamRoots[name] + ".>")},
			Retention:   jetstream.LimitsPolicy,
			Discard:     jetstream.DiscardOld,
			Storage:     jetstream.FileStorage,
			Replicas:    b.opts.Replicas,
			MaxAge:      b.opts.MaxAge,
			Duplicates:  b.opts.DuplicateWindow,
		}
		if _, err := b.js.CreateOrUpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("create or update stream %q: %w", cfg.Name, err)
		}
	}
	return nil
}

// Close closes the connection and shuts the embedded server down.
func (b *Bus) Close() error {
	var err error
	if b.nc != nil && !b.nc.IsClosed() {
		b.js.CleanupPublisher()
		if derr := b.nc.Drain(); derr != nil && !errors.Is(derr, nats.ErrConnectionClosed) {
			err = fmt.Errorf("drain nats connection: %w", derr)
		}
		// Drain is asynchronous: wait for it to close the connection.
		deadline := time.Now().Add(10 * time.Second)
		for !b.nc.IsClosed() && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		b.nc.Close()
	}
	b.shutdownServer()
	return err
}

func (b *Bus) shutdownServer() {
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
		b.srv = nil
		b.unlock()
	}
}

// ClientURL returns the URL other processes can use to reach this bus: the
// embedded server's loopback address when Listen is set, the external URL
// otherwise, and "" for an in-process-only embedded server.
func (b *Bus) ClientURL() string { return b.clientURL }

// Ready reports whether the connection is up and JetStream answers.
func (b *Bus) Ready(ctx context.Context) error {
	if st := b.nc.Status(); st != nats.CONNECTED {
		return fmt.Errorf("bus not ready: connection %s", st)
	}
	if _, err := b.js.AccountInfo(ctx); err != nil {
		return fmt.Errorf("bus not ready: jetstream: %w", err)
	}
	return nil
}

// ConsumersReady reports an error naming every consumer of this bus that is
// waiting out a transient error (its store, index or disk unavailable), with
// how long and why; nil when none is. For readiness checks.
func (b *Bus) ConsumersReady(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.consMu.Lock()
	var errs []error
	for cs := range b.consumers {
		if err := cs.waitErr(); err != nil {
			errs = append(errs, err)
		}
	}
	b.consMu.Unlock()
	if len(errs) > 1 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	}
	return errors.Join(errs...)
}

func (b *Bus) register(cs *consumerState) {
	b.consMu.Lock()
	b.consumers[cs] = struct{}{}
	b.consMu.Unlock()
}

func (b *Bus) unregister(cs *consumerState) {
	b.consMu.Lock()
	delete(b.consumers, cs)
	b.consMu.Unlock()
}

// retryAttemptTimeout bounds one attempt of a retried set-up call.
const retryAttemptTimeout = 10 * time.Second

// retry calls fn until it succeeds, fails with an error that is not
// transient (Classify), or ctx ends; between attempts it waits with capped
// exponential backoff (200ms doubling up to 5s) and logs each failure.
func retry(ctx context.Context, log *slog.Logger, what string, fn func(ctx context.Context) error) error {
	delay := 200 * time.Millisecond
	start := time.Now()
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, retryAttemptTimeout)
		err := fn(actx)
		cancel()
		if err == nil {
			if attempt > 1 {
				log.Info(what+": done after retries", "attempts", attempt, "waited", time.Since(start).Round(time.Millisecond))
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w (gave up after %d attempts: %w)", what, err, attempt, ctx.Err())
		}
		if Classify(err) != ClassTransient {
			return err
		}
		log.Warn(what+": not ready yet, retrying", "err", err, "attempt", attempt, "retry_in", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w (gave up after %d attempts: %w)", what, err, attempt, ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// DeadMsgID is the Nats-Msg-Id of a message dead-lettered by consumer
// durable from sequence seq of stream: "<stream>:<durable>:<seq>".
func DeadMsgID(stream, durable string, seq uint64) string {
	return stream + ":" + durable + ":" + strconv.FormatUint(seq, 10)
}

// Lag returns a durable consumer's backlog: messages not yet delivered
// (pending) and delivered but not yet acknowledged (ackPending).
func (b *Bus) Lag(ctx context.Context, stream, durable string) (pending uint64, ackPending int, err error) {
	c, err := b.js.Consumer(ctx, b.streamName(stream), durable)
	if err != nil {
		return 0, 0, fmt.Errorf("consumer %q on %q: %w", durable, stream, err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("consumer %q on %q info: %w", durable, stream, err)
	}
	return info.NumPending, info.NumAckPending, nil
}

// validToken reports whether s is a safe subject token or name part.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// serverLogger sends the embedded server's log to slog.
type serverLogger struct{ log *slog.Logger }

func (l *serverLogger) Noticef(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l *serverLogger) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l *serverLogger) Fatalf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l *serverLogger) Errorf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l *serverLogger) Debugf(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l *serverLogger) Tracef(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }

// DeleteStreams deletes this bus's three streams. It is meant for tests that
// use a Namespace on a shared server, and refuses to run without one.
func (b *Bus) DeleteStreams(ctx context.Context) error {
	if b.opts.Namespace == "" {
		return errors.New("delete streams: refused without a namespace")
	}
	var errs []error
	for _, s := range []string{StreamCollected, StreamClassified, StreamDead} {
		if err := b.js.DeleteStream(ctx, b.streamName(s)); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			errs = append(errs, fmt.Errorf("delete stream %q: %w", b.streamName(s), err))
		}
	}
	return errors.Join(errs...)
}

// StreamMsgs returns how many messages a stream (StreamCollected, …) holds.
func (b *Bus) StreamMsgs(ctx context.Context, stream string) (uint64, error) {
	s, err := b.js.Stream(ctx, b.streamName(stream))
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream %s info: %w", stream, err)
	}
	return info.State.Msgs, nil
}

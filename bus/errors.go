package bus

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrorClass is how the consumer treats a handler's error.
type ErrorClass int

const (
	// ClassUnknown errors are retried with a Nak and backoff; each retry is a
	// delivery, and after MaxDeliver deliveries the message is dead-lettered.
	ClassUnknown ErrorClass = iota
	// ClassTransient errors mean a dependency (store, bus, disk) is not
	// available now. The batch is kept and retried in-process with capped
	// backoff for as long as it takes, without spending deliveries; the
	// consumer stops fetching and reports not-ready meanwhile.
	ClassTransient
	// ClassPermanent errors cannot be fixed by retrying (undecodable or
	// invalid data): the message is dead-lettered at once.
	ClassPermanent
)

// String names the class for logs.
func (c ErrorClass) String() string {
	switch c {
	case ClassTransient:
		return "transient"
	case ClassPermanent:
		return "permanent"
	}
	return "unknown"
}

// transientError marks an error that retrying will fix once a dependency is back.
type transientError struct{ err error }

func (e *transientError) Error() string   { return e.err.Error() }
func (e *transientError) Unwrap() error   { return e.err }
func (e *transientError) Transient() bool { return true }

// Transient marks err as caused by a dependency that is down (store or bus
// unreachable, timeout, disk full). The consumer retries the batch in-process
// without spending its delivery budget. Transient(nil) is nil.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return &transientError{err: err}
}

// transienter is implemented by errors that know whether they are transient
// (the store's classified errors, pgconn errors and others).
type transienter interface{ Transient() bool }

// IsTransient reports whether Classify(err) is ClassTransient.
func IsTransient(err error) bool { return Classify(err) == ClassTransient }

// Classify sorts err: marked with Permanent → permanent; marked with
// Transient (or any error in its chain with a Transient() bool method that
// says true) → transient; otherwise the generic signs of an unavailable
// dependency are transient: a deadline, a network error (connection refused
// or reset, timeouts), a full disk or quota (ENOSPC, EDQUOT), an I/O error,
// and NATS being disconnected or timing out. Everything else is unknown.
func Classify(err error) ErrorClass {
	if err == nil {
		return ClassUnknown
	}
	if IsPermanent(err) {
		return ClassPermanent
	}
	var tr transienter
	if errors.As(err, &tr) && tr.Transient() {
		return ClassTransient
	}
	if genericTransient(err) {
		return ClassTransient
	}
	return ClassUnknown
}

// transientErrnos are system errors that mean "not now" rather than "never".
var transientErrnos = []syscall.Errno{
	syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
	syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN,
	syscall.ENOSPC, syscall.EDQUOT, syscall.EIO, syscall.EAGAIN, syscall.EMFILE, syscall.ENFILE,
	syscall.ENOMEM,
}

func genericTransient(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	for _, e := range transientErrnos {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	for _, e := range []error{
		nats.ErrTimeout, nats.ErrNoResponders, nats.ErrDisconnected, nats.ErrConnectionReconnecting,
		nats.ErrNoServers, nats.ErrConnectionDraining, nats.ErrStaleConnection,
		jetstream.ErrNoStreamResponse, jetstream.ErrJetStreamNotEnabled, jetstream.ErrJetStreamNotEnabledForAccount,
		jetstream.ErrAsyncPublishTimeout, jetstream.ErrTooManyStalledMsgs,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		// 503 and 408: JetStream unavailable or timing out (a cluster not
		// formed yet answers "insufficient resources"); 10005 "no suitable
		// peers for placement"; 10009 "cluster can not handle request";
		// 10047 no storage left; 10118/10119/10194/10195 stream or consumer
		// offline; 10202 cluster member change in progress.
		if apiErr.Code == 503 || apiErr.Code == 408 {
			return true
		}
		switch apiErr.ErrorCode {
		case 10005, 10009, 10047, 10118, 10119, 10194, 10195, 10202:
			return true
		}
	}
	return false
}

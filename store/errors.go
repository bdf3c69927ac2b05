package store

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// TransientError wraps a store error that means the database is unavailable
// for now (unreachable, restarting, busy, out of disk), not that the request
// is wrong: retrying the same request later will succeed. Its Transient
// method lets the bus (and anyone else) recognise it without importing store.
type TransientError struct{ Err error }

// Error returns the wrapped error's text.
func (e *TransientError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *TransientError) Unwrap() error { return e.Err }

// Transient reports true.
func (e *TransientError) Transient() bool { return true }

// Classify returns err wrapped in a *TransientError when IsTransient(err),
// and err unchanged otherwise (nil stays nil).
func Classify(err error) error {
	if err == nil || !IsTransient(err) {
		return err
	}
	var te *TransientError
	if errors.As(err, &te) {
		return err
	}
	return &TransientError{Err: err}
}

// SQLite primary result codes that mean "not now".
const (
	sqliteBusy     = 5  // SQLITE_BUSY
	sqliteLocked   = 6  // SQLITE_LOCKED
	sqliteNoMem    = 7  // SQLITE_NOMEM
	sqliteIOErr    = 10 // SQLITE_IOERR
	sqliteFull     = 13 // SQLITE_FULL
	sqliteCantOpen = 14 // SQLITE_CANTOPEN
	sqliteProtocol = 15 // SQLITE_PROTOCOL
)

// IsTransient reports whether err, returned by a store method, means the
// database is unavailable now rather than that the request is invalid:
//   - a deadline, a network error (connection refused or reset, timeouts), an
//     unexpected EOF, a full disk (ENOSPC, EDQUOT) or an I/O error;
//   - PostgreSQL: a connection that failed or was lost (pgconn.ConnectError,
//     pgconn.SafeToRetry, pgconn.Timeout), SQLSTATE class 08 (connection
//     exception), 53 (insufficient resources: disk full, out of memory, too
//     many connections), 57P01–57P03 (admin shutdown, crash shutdown, cannot
//     connect now), 58 (system/I/O error), 40001 and 40P01 (serialization
//     failure, deadlock: the whole transaction may be retried);
//   - SQLite: BUSY, LOCKED, NOMEM, IOERR, FULL, CANTOPEN, PROTOCOL.
//
// Errors of a closed store (after Close) and everything else are not
// transient.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var te *TransientError
	if errors.As(err, &te) {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	for _, e := range []syscall.Errno{
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, syscall.ETIMEDOUT,
		syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENOSPC, syscall.EDQUOT, syscall.EIO,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "53"), strings.HasPrefix(pe.Code, "58"):
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", pe.Code == "40001", pe.Code == "40P01":
			return true
		}
		return false
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqliteBusy, sqliteLocked, sqliteNoMem, sqliteIOErr, sqliteFull, sqliteCantOpen, sqliteProtocol:
			return true
		}
		return false
	}
	// pgx reports a connection lost mid-query as "conn closed" without a
	// typed error; the pool reports one it could not reach as such too.
	msg := err.Error()
	for _, s := range []string{"conn closed", "connection reset", "broken pipe", "server closed the connection", "the database system is shutting down", "the database system is starting up"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

package store

import (
	"context"
	"time"
)

// Reports (weekly digest, quarterly bulletin, annual report): their archive,
// the claim that makes sending idempotent, and the light article rows the
// report builder aggregates.

// Digest states.
const (
	// DigestClaimed means a scheduler holds the period and is building or sending it.
	DigestClaimed = "claimed"
	// DigestBuilt means the report is rendered and archived but not (yet) sent.
	DigestBuilt = "built"
	// DigestSent means the report was handed to the outbox for every recipient.
	DigestSent = "sent"
	// DigestArchived means the report was built and archived on purpose
	// without sending (no recipients, or no outbox). Like sent, it is final.
	DigestArchived = "archived"
	// DigestFailed means the last attempt failed; LastError says why. The claim
	// lapses after its lease and another attempt may take it.
	DigestFailed = "failed"
)

// DigestStore is the part of the store the reports use. Both backends
// implement it; until Store embeds it, callers type-assert a Store to it.
type DigestStore interface {
	// ClaimDigest takes the period (c.Kind, c.Period) for c.Owner: it inserts
	// the digest row if there is none, or takes over one that is not final
	// (sent or archived) and whose claim is older than c.Lease. It reports whether the claim was
	// taken; the decision is one atomic statement, so of several schedulers
	// racing for the same period exactly one wins.
	ClaimDigest(ctx context.Context, c DigestClaim) (bool, error)
	// SaveDigest stores a rendered report's content (title, bodies, data, PDF),
	// state and last error, keyed by ID. The row must exist (ClaimDigest
	// creates it); a sent digest keeps its state "sent".
	SaveDigest(ctx context.Context, d Digest) error
	// MarkDigestSent records that the report was handed to the outbox.
	MarkDigestSent(ctx context.Context, id string, at time.Time) error
	// GetDigest returns one digest with its bodies and PDF, or ErrNotFound.
	GetDigest(ctx context.Context, id string) (Digest, error)
	// ListDigests returns digests newest period first, without bodies or PDF
	// (HasPDF tells whether there is one); kind "" lists every kind and
	// limit <= 0 means 100.
	ListDigests(ctx context.Context, kind string, limit int) ([]Digest, error)
	// ScanDigestRows calls fn, in collection order, for every classified article
	// collected in [since, until) that is about or mentions the province,
	// reading only the columns reports aggregate (no text).
	ScanDigestRows(ctx context.Context, since, until time.Time, fn func(DigestRow) error) error
	// DigestAlerts counts the alerts created in [since, until) by route,
	// severity and state. The table is empty until the alerter writes to it.
	DigestAlerts(ctx context.Context, since, until time.Time) ([]DigestAlertCount, error)
}

// DigestID returns the ID of the digest of a kind and period, e.g.
// "weekly-2026-W47": readable, and stable so every scheduler derives the same.
func DigestID(kind, period string) string { return kind + "-" + period }

// DigestClaim asks for a report period.
type DigestClaim struct {
	Kind, Period           string // "weekly", "2026-W47"
	PeriodStart, PeriodEnd time.Time
	Owner                  string        // who claims: host and process, for the operator
	Now                    time.Time     // the claimant's clock
	Lease                  time.Duration // a claim older than this (and not sent) may be taken over
}

// Digest is one archived report.
type Digest struct {
	ID, Kind, Period       string
	PeriodStart, PeriodEnd time.Time
	Lang, Title            string
	BodyHTML, BodyText     string
	Data                   []byte // JSON: the figures behind the report and its charts
	PDF                    []byte
	HasPDF                 bool // set by ListDigests and GetDigest
	State                  string
	ClaimedBy              string
	ClaimedAt              time.Time
	LastError              string
	CreatedAt, UpdatedAt   time.Time
	SentAt                 time.Time
}

// DigestRow is the light view of a classified article that reports aggregate.
type DigestRow struct {
	ID, URL, Title, Source string
	Outlet, Country, Lang  string
	Published, Collected   time.Time
	About, Mentions        bool
	Topics                 []string
	Tone                   string
	Risk                   int
	NeedsReview            bool
	Cluster                string
	Relevance              float64
}

// DigestAlertCount is the number of alerts of one route, severity and state.
type DigestAlertCount struct {
	Route, Severity, State string
	Count                  int
}

// Both backends implement DigestStore.
var (
	_ DigestStore = (*sqliteStore)(nil)
	_ DigestStore = (*pgStore)(nil)
)

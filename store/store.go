// Package store is presswatch's system of record: articles and their
// classifications, sources and their health, accounts, sessions, API tokens and
// the audit log.
//
// One interface, Store, has two implementations: SQLite (modernc.org/sqlite, the
// embedded default, one file under the data directory) and PostgreSQL
// (github.com/jackc/pgx/v5, for production and scale-out). Both pass the same
// conformance suite in store/storetest. The schema is created and upgraded by
// numbered migrations embedded in the binary (store/migrations/<dialect>/NNNN_name.sql);
// Open refuses a database whose schema is out of date unless Options.AutoMigrate
// is set, and Migrate applies what is pending.
//
// Every write is an idempotent upsert keyed by a deterministic ID, so a message
// redelivered by the bus is harmless. Times are stored in UTC with microsecond
// precision. Text is stored as valid UTF-8 in Unicode NFC without NUL bytes.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
)

// ErrNotFound is returned (possibly wrapped) when a looked-up row does not exist,
// and for sessions and API tokens that have expired.
var ErrNotFound = errors.New("not found")

// ErrSchemaOutOfDate is returned (wrapped, with the current and wanted versions)
// by Open when the database lacks migrations that this binary needs and
// Options.AutoMigrate is false. The operator runs `presswatch migrate`.
var ErrSchemaOutOfDate = errors.New("database schema is out of date: run presswatch migrate")

// ErrSchemaTooNew is returned (wrapped) by Open and Migrate when the database has
// migrations this binary does not know, i.e. it was migrated by a newer presswatch.
var ErrSchemaTooNew = errors.New("database schema is newer than this presswatch binary")

// Backend names returned by Store.Backend.
const (
	BackendSQLite   = "sqlite"
	BackendPostgres = "postgres"
)

// Options selects and configures the store.
type Options struct {
	// URL is "" or "sqlite:PATH" or a plain file path for SQLite, and
	// "postgres://…" or "postgresql://…" for PostgreSQL (pgxpool; connection
	// parameters such as search_path may be given in the URL's query).
	URL string
	// DataDir holds the SQLite database when URL is "": DataDir/presswatch.db.
	DataDir string
	// MaxConns bounds the read pool (SQLite) or the whole pool (PostgreSQL).
	// Zero means 4 for SQLite and 8 for PostgreSQL.
	MaxConns int
	// AutoMigrate applies pending migrations at Open instead of refusing to start.
	AutoMigrate bool
	// Logger receives migration and open/close events; nil discards them.
	Logger *slog.Logger
}

// Store is the system of record. All methods are safe for concurrent use.
type Store interface {
	// AlertStore is the alerts outbox, silences and triage (store/alerts.go).
	AlertStore
	// DigestStore is the reports' claims, archive and aggregates (store/digests.go).
	DigestStore
	// SavedSearchStore is users' saved searches and their alert routes (store/saved.go).
	SavedSearchStore

	// Backend returns "sqlite" or "postgres".
	Backend() string
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the connections.
	Close() error
	// SchemaVersion returns the highest applied migration number (0 for an empty database).
	SchemaVersion(ctx context.Context) (int, error)

	// UpsertArticles stores arts atomically (all or nothing; the SQLite
	// backend may group concurrent calls into one transaction). Upserts are idempotent,
	// keyed by Article.ID: Sources are merged (union, Source included),
	// Collected keeps the earliest, fields the new copy leaves empty keep the
	// stored value, other fields take the new value; a non-nil Classification is
	// upserted too (see UpsertClassification).
	UpsertArticles(ctx context.Context, arts []*article.Article) error
	// GetArticle returns one article with its classification, if any, or ErrNotFound.
	GetArticle(ctx context.Context, id string) (*article.Article, error)
	// GetArticles returns the articles found among ids, in the order of ids,
	// skipping ids that do not exist.
	GetArticles(ctx context.Context, ids []string) ([]*article.Article, error)
	// ArticlesExist reports for every id whether it is stored.
	ArticlesExist(ctx context.Context, ids []string) (map[string]bool, error)
	// CountArticles returns the number of stored articles.
	CountArticles(ctx context.Context) (int64, error)
	// CountClassified returns the number of stored articles with a
	// classification: what a whole search index holds.
	CountClassified(ctx context.Context) (int64, error)
	// ScanArticles calls fn for each article (with classification) collected in
	// [Since, Until), ordered by (collected, id), reading in pages; a zero Since
	// or Until leaves that end open and Limit > 0 stops after Limit articles.
	// An error from fn stops the scan and is returned wrapped.
	ScanArticles(ctx context.Context, q ArticleQuery, fn func(*article.Article) error) error
	// UpsertClassification stores c for article id (ErrNotFound if the article
	// does not exist). A classification older (by At) than the stored one is ignored,
	// so a late redelivery never undoes a reclassification.
	UpsertClassification(ctx context.Context, id string, c *article.Classification) error

	// UpsertSource stores a configured source, keyed by Name; AddedAt keeps the earliest.
	UpsertSource(ctx context.Context, s Source) error
	// ListSources returns every source ordered by name.
	ListSources(ctx context.Context) ([]Source, error)
	// GetSourceState returns a source's crawl state or ErrNotFound.
	GetSourceState(ctx context.Context, name string) (SourceState, error)
	// UpsertSourceState stores a source's crawl state, keyed by Source.
	UpsertSourceState(ctx context.Context, st SourceState) error
	// ListSourceStates returns every source state ordered by source name.
	ListSourceStates(ctx context.Context) ([]SourceState, error)
	// UpsertSources stores several sources (as UpsertSource) in one transaction.
	UpsertSources(ctx context.Context, srcs []Source) error
	// GetSource returns one source (deleted ones included) or ErrNotFound.
	GetSource(ctx context.Context, name string) (Source, error)
	// RequestSourcePoll records that an operator asked for the source to be
	// polled now (PollRequestedAt = at); ErrNotFound if there is no such source.
	RequestSourcePoll(ctx context.Context, name string, at time.Time) error
	// SourcesVersion is a cheap fingerprint of the sources table: it changes
	// whenever a source is written, so a running crawler reloads only then.
	SourcesVersion(ctx context.Context) (SourcesVersion, error)

	// SaveCrawlerBatch writes a batch of crawler state — source states, item
	// records and fingerprints, each an upsert applied in the batch's order —
	// in one transaction: all or nothing.
	SaveCrawlerBatch(ctx context.Context, b CrawlerBatch) error
	// CrawlerItemStates returns the recorded state of the given item keys of
	// source; keys never recorded are absent from the map.
	CrawlerItemStates(ctx context.Context, source string, keys []int64) (map[int64]int, error)
	// ListOpenCrawlerItems returns every item not yet done (queued or being
	// published), ordered by source and key.
	ListOpenCrawlerItems(ctx context.Context) ([]CrawlerItem, error)
	// ListFingerprints returns the newest limit near-duplicate fingerprints,
	// oldest first.
	ListFingerprints(ctx context.Context, limit int) ([]Fingerprint, error)
	// PruneCrawlerState deletes done items last updated before doneBefore and
	// all but the newest keepFingerprints fingerprints; it returns how many
	// rows it deleted.
	PruneCrawlerState(ctx context.Context, doneBefore time.Time, keepFingerprints int) (int64, error)

	// UpsertUser stores an account keyed by Name; CreatedAt keeps the earliest.
	UpsertUser(ctx context.Context, u User) error
	// GetUser returns an account or ErrNotFound.
	GetUser(ctx context.Context, name string) (User, error)
	// ListUsers returns every account ordered by name.
	ListUsers(ctx context.Context) ([]User, error)
	// CreateSession stores a session keyed by ID (an upsert: a retry is harmless).
	// The user must exist.
	CreateSession(ctx context.Context, s Session) error
	// GetSession returns a session, or ErrNotFound when it does not exist or has expired.
	GetSession(ctx context.Context, id string) (Session, error)
	// DeleteSession removes a session; deleting a missing one is not an error.
	DeleteSession(ctx context.Context, id string) error
	// DeleteExpiredSessions removes sessions whose ExpiresAt is at or before now
	// and returns how many were removed.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	// CreateAPIToken stores a token keyed by its hash, which must be the
	// lower-case hex SHA-256 of the token (see HashToken): the token itself is
	// never stored. The user must exist.
	CreateAPIToken(ctx context.Context, t APIToken) error
	// GetAPIToken returns the token with this hash, or ErrNotFound when it does
	// not exist or has expired (a zero ExpiresAt never expires).
	GetAPIToken(ctx context.Context, hash string) (APIToken, error)
	// ListAPITokens returns the API tokens of user ("" for every user),
	// expired ones included, ordered by user and creation time.
	ListAPITokens(ctx context.Context, user string) ([]APIToken, error)
	// DeleteAPIToken revokes the token with this hash; ErrNotFound when there is none.
	DeleteAPIToken(ctx context.Context, hash string) error
	// RevokeUserCredentials ends every session and API token of user name in
	// one transaction and raises the user's Epoch, so a session or token made
	// under an older epoch (even one created concurrently with the call) is
	// refused by the web's authentication. It returns the new epoch, or
	// ErrNotFound for an unknown user. Call it on password change, disable and
	// enable.
	RevokeUserCredentials(ctx context.Context, name string) (epoch int64, err error)
	// AppendAudit records an audit entry. The entry's ID is a hash of its
	// contents, so appending the same entry twice (a retry) stores it once.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// ListAudit returns the newest limit entries, newest first (limit <= 0 means 100).
	ListAudit(ctx context.Context, limit int) ([]AuditEntry, error)
	// ListAuditFor returns the newest limit entries about object (such as
	// "alert/<id>"), oldest first: the object's history (limit <= 0 means 100).
	ListAuditFor(ctx context.Context, object string, limit int) ([]AuditEntry, error)
}

// ArticleQuery selects articles by collection time for ScanArticles.
type ArticleQuery struct {
	Since, Until time.Time // [Since, Until); zero = open end
	Limit        int       // 0 = no limit
	// Classified keeps only articles with a classification: what the
	// search index holds (the indexer reads PW_CLASSIFIED), without the
	// records the crawler writes for copies before their original is
	// classified.
	Classified bool
}

// Source is a source of coverage (a feed or a crawled site), configured in
// YAML or added in the admin page.
//
// Source of truth: a row with EditedAt zero follows the configuration (the
// crawler rewrites it at every start); once an administrator edits, disables
// or deletes it in the UI (EditedAt set), the row is authoritative and an
// upsert without EditedAt leaves it unchanged. Rows added in the UI have
// Origin OriginUI and are never touched by the configuration.
type Source struct {
	Name, Kind, URL, Outlet, Country, Lang string
	Tier                                   int
	Enabled                                bool
	AddedAt                                time.Time
	// Origin is OriginConfig (the default when empty) or OriginUI.
	Origin string
	// EditedAt is when an administrator last changed the source in the UI.
	EditedAt time.Time
	// DeletedAt marks a soft-deleted source: kept because articles refer to
	// its name, never polled, hidden from the source list.
	DeletedAt time.Time
	// PollRequestedAt is the last "poll now" request (RequestSourcePoll);
	// upserts keep the stored value when this is zero.
	PollRequestedAt time.Time
	// UpdatedAt is set by the store on every write (read only).
	UpdatedAt time.Time
}

// Source origins.
const (
	OriginConfig = "config"
	OriginUI     = "ui"
)

// SourcesVersion fingerprints the sources table (see Store.SourcesVersion).
type SourcesVersion struct {
	Count   int
	Updated time.Time // the latest UpdatedAt
}

// SourceState is the crawler's view of a source's health and schedule.
type SourceState struct {
	Source                                             string
	LastAttempt, LastSuccess, LastNewItem, NextAttempt time.Time
	ConsecutiveErrors                                  int
	LastError                                          string
	ETag, LastModified                                 string
	ItemsTotal                                         int64
	ItemsPerDay                                        float64
	Interval, MeanGap                                  time.Duration
	Silent                                             bool
}

// User is an account of the web interface.
type User struct {
	Name, DisplayName, Email, Role, PasswordHash string
	Disabled                                     bool
	CreatedAt                                    time.Time
	// Epoch is the user's credential generation, raised only by
	// RevokeUserCredentials (UpsertUser leaves it as it is). A session or
	// token is valid only while its Epoch equals the user's.
	Epoch int64
}

// Session is a logged-in browser session.
type Session struct {
	ID, User, CSRFToken  string
	CreatedAt, ExpiresAt time.Time
	Epoch                int64 // the user's Epoch when the session was made
}

// APIToken is an API token, stored only as its SHA-256 hash.
type APIToken struct {
	Hash, User, Label    string
	CreatedAt, ExpiresAt time.Time
	Epoch                int64 // the user's Epoch when the token was made
}

// validKey reports whether s can be a stored key (user name, session ID):
// valid UTF-8 without NUL bytes. PostgreSQL refuses such text with an error,
// so lookups answer ErrNotFound for them instead, on both backends.
func validKey(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// AuditEntry is one line of the audit log: who did what to what.
type AuditEntry struct {
	At                            time.Time
	Actor, Action, Object, Detail string
}

// HashToken returns the lower-case hex SHA-256 of an API token, the form in
// which CreateAPIToken and GetAPIToken take it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Open opens the store selected by opts.URL. It refuses (ErrSchemaOutOfDate) a
// database that lacks migrations unless opts.AutoMigrate, and refuses
// (ErrSchemaTooNew) one migrated by a newer binary.
func Open(ctx context.Context, opts Options) (Store, error) {
	opts = opts.withDefaults()
	kind, target, err := parseURL(opts)
	if err != nil {
		return nil, err
	}
	switch kind {
	case BackendSQLite:
		return openSQLite(ctx, target, opts, true)
	default:
		return openPostgres(ctx, target, opts, true)
	}
}

// Migrate applies every pending migration of the store selected by opts (each in
// its own transaction) and returns the schema version before and after.
func Migrate(ctx context.Context, opts Options) (from, to int, err error) {
	opts = opts.withDefaults()
	kind, target, err := parseURL(opts)
	if err != nil {
		return 0, 0, err
	}
	var m migrator
	switch kind {
	case BackendSQLite:
		s, err := openSQLite(ctx, target, opts, false)
		if err != nil {
			return 0, 0, err
		}
		defer s.Close()
		m = s
	default:
		s, err := openPostgres(ctx, target, opts, false)
		if err != nil {
			return 0, 0, err
		}
		defer s.Close()
		m = s
	}
	return runMigrations(ctx, m, opts.Logger)
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Logger = o.Logger.With("component", "store")
	return o
}

// parseURL returns the backend and its target: a file path for SQLite, the
// connection string for PostgreSQL. The URL is never echoed in errors: it may
// hold a password.
func parseURL(opts Options) (kind, target string, err error) {
	u := strings.TrimSpace(opts.URL)
	switch {
	case u == "":
		dir := opts.DataDir
		if dir == "" {
			dir = "."
		}
		return BackendSQLite, filepath.Join(dir, "presswatch.db"), nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return BackendPostgres, u, nil
	case strings.HasPrefix(u, "sqlite://"):
		u = strings.TrimPrefix(u, "sqlite://")
	case strings.HasPrefix(u, "sqlite:"):
		u = strings.TrimPrefix(u, "sqlite:")
	case strings.Contains(u, "://"):
		scheme, _, _ := strings.Cut(u, "://")
		return "", "", fmt.Errorf("open store: unsupported URL scheme %q (want sqlite: or postgres://)", scheme)
	}
	if u == "" {
		return "", "", errors.New("open store: sqlite URL without a file path")
	}
	if strings.Contains(u, "?") || u == ":memory:" {
		return "", "", errors.New("open store: the sqlite URL must be a plain file path (no query, no :memory:)")
	}
	return BackendSQLite, u, nil
}

// SQLiteFile returns the database file Open would use for o, or "" when o
// names PostgreSQL (or is not a valid store URL, which Open reports).
func SQLiteFile(o Options) string {
	kind, target, err := parseURL(o)
	if err != nil || kind != BackendSQLite {
		return ""
	}
	return target
}

// Both backends implement Store.
var (
	_ Store = (*sqliteStore)(nil)
	_ Store = (*pgStore)(nil)
)

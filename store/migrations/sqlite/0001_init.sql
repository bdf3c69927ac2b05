-- presswatch foundation schema, SQLite dialect.
-- Times are INTEGER microseconds since the Unix epoch, UTC (NULL = unknown/never);
-- read them with datetime(col / 1000000, 'unixepoch').
-- JSON arrays are TEXT holding JSON. Booleans are INTEGER 0/1.
-- Durations are INTEGER nanoseconds.

CREATE TABLE sources (
    name     TEXT PRIMARY KEY,
    kind     TEXT NOT NULL DEFAULT '',
    url      TEXT NOT NULL DEFAULT '',
    outlet   TEXT NOT NULL DEFAULT '',
    country  TEXT NOT NULL DEFAULT '',
    lang     TEXT NOT NULL DEFAULT '',
    tier     INTEGER NOT NULL DEFAULT 0,
    enabled  INTEGER NOT NULL DEFAULT 1,
    added_at INTEGER
) STRICT;

-- source_state has no foreign key to sources: the crawler may record the
-- state of a source before (or after) it is in the sources table.
CREATE TABLE source_state (
    source             TEXT PRIMARY KEY,
    last_attempt       INTEGER,
    last_success       INTEGER,
    last_new_item      INTEGER,
    next_attempt       INTEGER,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT NOT NULL DEFAULT '',
    etag               TEXT NOT NULL DEFAULT '',
    last_modified      TEXT NOT NULL DEFAULT '',
    items_total        INTEGER NOT NULL DEFAULT 0,
    items_per_day      REAL NOT NULL DEFAULT 0,
    interval_ns        INTEGER NOT NULL DEFAULT 0,
    mean_gap_ns        INTEGER NOT NULL DEFAULT 0,
    silent             INTEGER NOT NULL DEFAULT 0,
    updated_at         INTEGER NOT NULL
) STRICT;

CREATE TABLE articles (
    id            TEXT PRIMARY KEY,  -- hex SHA-256 of canonical_url
    url           TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    source        TEXT NOT NULL,     -- the source that found it first
    sources       TEXT NOT NULL DEFAULT '[]', -- JSON array, every source that found it
    outlet        TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT '',
    tier          INTEGER NOT NULL DEFAULT 0,
    lang          TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    author        TEXT NOT NULL DEFAULT '',
    summary       TEXT NOT NULL DEFAULT '',
    text          TEXT NOT NULL DEFAULT '',
    image_url     TEXT NOT NULL DEFAULT '',
    published     INTEGER,
    collected     INTEGER NOT NULL,
    fingerprint   INTEGER NOT NULL DEFAULT 0, -- uint64 SimHash stored bit-for-bit as int64
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX articles_collected ON articles (collected, id);
CREATE INDEX articles_published ON articles (published);

CREATE TABLE classifications (
    article_id    TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    about         INTEGER NOT NULL DEFAULT 0,
    mentions      INTEGER NOT NULL DEFAULT 0,
    relevance     REAL NOT NULL DEFAULT 0,
    topics        TEXT NOT NULL DEFAULT '[]',
    entities      TEXT NOT NULL DEFAULT '[]',
    tone          TEXT NOT NULL DEFAULT '',
    risk          INTEGER NOT NULL DEFAULT 0,
    needs_review  INTEGER NOT NULL DEFAULT 0,
    reasons       TEXT NOT NULL DEFAULT '[]',
    cluster       TEXT NOT NULL DEFAULT '',
    rules_version TEXT NOT NULL DEFAULT '',
    classified_at INTEGER,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX classifications_cluster ON classifications (cluster) WHERE cluster <> '';
CREATE INDEX classifications_review ON classifications (needs_review) WHERE needs_review = 1;

CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_name);

CREATE TABLE api_tokens (
    hash       TEXT PRIMARY KEY, -- hex SHA-256 of the token; the token itself is never stored
    user_name  TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    label      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER          -- NULL = never
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_name);

CREATE TABLE audit_log (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    id     TEXT NOT NULL UNIQUE, -- hex SHA-256 of the entry, so a retried append is stored once
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL DEFAULT '',
    object TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at, seq);

-- Alerts: one per (route, article or cluster); the ID is derived from them.
CREATE TABLE alerts (
    id         TEXT PRIMARY KEY,
    route      TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    cluster    TEXT NOT NULL DEFAULT '',
    group_key  TEXT NOT NULL DEFAULT '',
    severity   TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL DEFAULT 'new', -- new, acknowledged, escalated, resolved, silenced
    reasons    TEXT NOT NULL DEFAULT '[]',  -- JSON: why it fired
    assignee   TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    acked_by   TEXT NOT NULL DEFAULT '',
    acked_at   INTEGER
) STRICT;
CREATE INDEX alerts_state ON alerts (state, created_at);
CREATE INDEX alerts_article ON alerts (article_id);
CREATE INDEX alerts_group ON alerts (group_key);

-- Digests: one per (kind, period); the ID is derived from them.
CREATE TABLE digests (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,   -- weekly, quarterly, annual
    period_start INTEGER NOT NULL,
    period_end   INTEGER NOT NULL,
    lang         TEXT NOT NULL DEFAULT 'vi',
    title        TEXT NOT NULL DEFAULT '',
    body_html    TEXT NOT NULL DEFAULT '',
    body_text    TEXT NOT NULL DEFAULT '',
    data         TEXT NOT NULL DEFAULT '{}', -- JSON: figures behind the charts
    state        TEXT NOT NULL DEFAULT 'draft', -- draft, final, sent
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    UNIQUE (kind, period_start)
) STRICT;

-- Deliveries: the outbox. A row is written before the bus message is acked and
-- marked sent only after the receiver (SMTP server) accepted it.
CREATE TABLE deliveries (
    id           TEXT PRIMARY KEY, -- derived from (alert or digest, receiver, recipient)
    alert_id     TEXT REFERENCES alerts (id) ON DELETE CASCADE,
    digest_id    TEXT REFERENCES digests (id) ON DELETE CASCADE,
    receiver     TEXT NOT NULL,
    channel      TEXT NOT NULL DEFAULT 'email',
    recipient    TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    message_id   TEXT NOT NULL DEFAULT '', -- RFC 5322 Message-ID, makes resends detectable
    state        TEXT NOT NULL DEFAULT 'pending', -- pending, sending, sent, failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    sent_at      INTEGER
) STRICT;
CREATE INDEX deliveries_due ON deliveries (state, next_attempt);
CREATE INDEX deliveries_alert ON deliveries (alert_id);

-- presswatch foundation schema, PostgreSQL dialect.
-- Times are timestamptz (UTC, microseconds; NULL = unknown/never).
-- JSON arrays are jsonb. Durations are bigint nanoseconds.
-- Tables are created in the first schema of search_path.

CREATE TABLE sources (
    name     text PRIMARY KEY,
    kind     text NOT NULL DEFAULT '',
    url      text NOT NULL DEFAULT '',
    outlet   text NOT NULL DEFAULT '',
    country  text NOT NULL DEFAULT '',
    lang     text NOT NULL DEFAULT '',
    tier     integer NOT NULL DEFAULT 0,
    enabled  boolean NOT NULL DEFAULT true,
    added_at timestamptz
);

-- source_state has no foreign key to sources: the crawler may record the
-- state of a source before (or after) it is in the sources table.
CREATE TABLE source_state (
    source             text PRIMARY KEY,
    last_attempt       timestamptz,
    last_success       timestamptz,
    last_new_item      timestamptz,
    next_attempt       timestamptz,
    consecutive_errors integer NOT NULL DEFAULT 0,
    last_error         text NOT NULL DEFAULT '',
    etag               text NOT NULL DEFAULT '',
    last_modified      text NOT NULL DEFAULT '',
    items_total        bigint NOT NULL DEFAULT 0,
    items_per_day      double precision NOT NULL DEFAULT 0,
    interval_ns        bigint NOT NULL DEFAULT 0,
    mean_gap_ns        bigint NOT NULL DEFAULT 0,
    silent             boolean NOT NULL DEFAULT false,
    updated_at         timestamptz NOT NULL
);

CREATE TABLE articles (
    id            text PRIMARY KEY,  -- hex SHA-256 of canonical_url
    url           text NOT NULL,
    canonical_url text NOT NULL,
    source        text NOT NULL,     -- the source that found it first
    sources       jsonb NOT NULL DEFAULT '[]', -- JSON array, every source that found it
    outlet        text NOT NULL DEFAULT '',
    country       text NOT NULL DEFAULT '',
    tier          integer NOT NULL DEFAULT 0,
    lang          text NOT NULL DEFAULT '',
    title         text NOT NULL DEFAULT '',
    author        text NOT NULL DEFAULT '',
    summary       text NOT NULL DEFAULT '',
    text          text NOT NULL DEFAULT '',
    image_url     text NOT NULL DEFAULT '',
    published     timestamptz,
    collected     timestamptz NOT NULL,
    fingerprint   bigint NOT NULL DEFAULT 0, -- uint64 SimHash stored bit-for-bit as int64
    updated_at    timestamptz NOT NULL
);
CREATE INDEX articles_collected ON articles (collected, id);
CREATE INDEX articles_published ON articles (published);

CREATE TABLE classifications (
    article_id    text PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    about         boolean NOT NULL DEFAULT false,
    mentions      boolean NOT NULL DEFAULT false,
    relevance     double precision NOT NULL DEFAULT 0,
    topics        jsonb NOT NULL DEFAULT '[]',
    entities      jsonb NOT NULL DEFAULT '[]',
    tone          text NOT NULL DEFAULT '',
    risk          integer NOT NULL DEFAULT 0,
    needs_review  boolean NOT NULL DEFAULT false,
    reasons       jsonb NOT NULL DEFAULT '[]',
    cluster       text NOT NULL DEFAULT '',
    rules_version text NOT NULL DEFAULT '',
    classified_at timestamptz,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX classifications_cluster ON classifications (cluster) WHERE cluster <> '';
CREATE INDEX classifications_review ON classifications (needs_review) WHERE needs_review;

CREATE TABLE users (
    name          text PRIMARY KEY,
    display_name  text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    role          text NOT NULL DEFAULT '',
    password_hash text NOT NULL DEFAULT '',
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE sessions (
    id         text PRIMARY KEY,
    user_name  text NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    csrf_token text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_name);

CREATE TABLE api_tokens (
    hash       text PRIMARY KEY, -- hex SHA-256 of the token; the token itself is never stored
    user_name  text NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    label      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz          -- NULL = never
);
CREATE INDEX api_tokens_user ON api_tokens (user_name);

CREATE TABLE audit_log (
    seq    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id     text NOT NULL UNIQUE, -- hex SHA-256 of the entry, so a retried append is stored once
    at     timestamptz NOT NULL,
    actor  text NOT NULL DEFAULT '',
    action text NOT NULL DEFAULT '',
    object text NOT NULL DEFAULT '',
    detail text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at, seq);

-- Alerts: one per (route, article or cluster); the ID is derived from them.
CREATE TABLE alerts (
    id         text PRIMARY KEY,
    route      text NOT NULL,
    article_id text NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    cluster    text NOT NULL DEFAULT '',
    group_key  text NOT NULL DEFAULT '',
    severity   text NOT NULL DEFAULT '',
    state      text NOT NULL DEFAULT 'new', -- new, acknowledged, escalated, resolved, silenced
    reasons    jsonb NOT NULL DEFAULT '[]',  -- JSON: why it fired
    assignee   text NOT NULL DEFAULT '',
    note       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    acked_by   text NOT NULL DEFAULT '',
    acked_at   timestamptz
);
CREATE INDEX alerts_state ON alerts (state, created_at);
CREATE INDEX alerts_article ON alerts (article_id);
CREATE INDEX alerts_group ON alerts (group_key);

-- Digests: one per (kind, period); the ID is derived from them.
CREATE TABLE digests (
    id           text PRIMARY KEY,
    kind         text NOT NULL,   -- weekly, quarterly, annual
    period_start timestamptz NOT NULL,
    period_end   timestamptz NOT NULL,
    lang         text NOT NULL DEFAULT 'vi',
    title        text NOT NULL DEFAULT '',
    body_html    text NOT NULL DEFAULT '',
    body_text    text NOT NULL DEFAULT '',
    data         jsonb NOT NULL DEFAULT '{}', -- JSON: figures behind the charts
    state        text NOT NULL DEFAULT 'draft', -- draft, final, sent
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    sent_at      timestamptz,
    UNIQUE (kind, period_start)
);

-- Deliveries: the outbox. A row is written before the bus message is acked and
-- marked sent only after the receiver (SMTP server) accepted it.
CREATE TABLE deliveries (
    id           text PRIMARY KEY, -- derived from (alert or digest, receiver, recipient)
    alert_id     text REFERENCES alerts (id) ON DELETE CASCADE,
    digest_id    text REFERENCES digests (id) ON DELETE CASCADE,
    receiver     text NOT NULL,
    channel      text NOT NULL DEFAULT 'email',
    recipient    text NOT NULL DEFAULT '',
    subject      text NOT NULL DEFAULT '',
    message_id   text NOT NULL DEFAULT '', -- RFC 5322 Message-ID, makes resends detectable
    state        text NOT NULL DEFAULT 'pending', -- pending, sending, sent, failed
    attempts     integer NOT NULL DEFAULT 0,
    next_attempt timestamptz,
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    sent_at      timestamptz
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt);
CREATE INDEX deliveries_alert ON deliveries (alert_id);

-- Article text is usually 2–20 KB and TOASTed: lz4 compresses several times
-- faster than the default pglz. Servers built without lz4 keep pglz.
DO $$
BEGIN
    ALTER TABLE articles ALTER COLUMN text SET COMPRESSION lz4;
    ALTER TABLE articles ALTER COLUMN summary SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR undefined_object OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 compression not available, keeping the default';
END
$$;

-- Evidence and response (issue 16): what is re-fetched and when, every
-- capture of an alerted or opened article, and the office's responses.
CREATE TABLE evidence_checks (
    article_id TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    reason     TEXT NOT NULL,            -- alert or opened
    step       INTEGER NOT NULL DEFAULT 0, -- captures made so far
    next_at    INTEGER,                  -- NULL once the schedule is over
    created_at INTEGER NOT NULL
);
CREATE INDEX evidence_checks_due ON evidence_checks (next_at);
CREATE TABLE snapshots (
    id            TEXT PRIMARY KEY,
    article_id    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    url           TEXT NOT NULL,
    final_url     TEXT NOT NULL,
    status        INTEGER NOT NULL,
    captured_at   INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,
    headers       TEXT NOT NULL,         -- JSON object of the response headers
    warc_path     TEXT NOT NULL,
    change        TEXT NOT NULL,         -- first, unchanged, edited, corrected, retracted, deleted, unreachable
    change_detail TEXT NOT NULL,
    UNIQUE (article_id, seq)
);
CREATE TABLE responses (
    id           TEXT PRIMARY KEY,
    cluster      TEXT NOT NULL,
    article_id   TEXT NOT NULL,
    text         TEXT NOT NULL,
    responded_on INTEGER NOT NULL,
    channel      TEXT NOT NULL,          -- press_release, letter, statement, other
    approved_by  TEXT NOT NULL,
    narratives   TEXT NOT NULL,          -- comma-separated narrative IDs it answers
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    outcome      TEXT NOT NULL,          -- pending, corrected, retracted, unchanged, repeated
    outcome_note TEXT NOT NULL,
    outcome_at   INTEGER
);
CREATE INDEX responses_on ON responses (responded_on);
CREATE INDEX responses_cluster ON responses (cluster);

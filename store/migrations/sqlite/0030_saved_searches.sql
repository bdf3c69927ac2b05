-- Saved searches (issue 5): per user, shared by every web node, and the
-- ones turned into alert routes (alert_receiver set and alert_enabled = 1)
-- are read by the alerter.
CREATE TABLE saved_searches (
    id             TEXT PRIMARY KEY,
    owner          TEXT NOT NULL,             -- users.name (no foreign key: a deleted account's searches stay auditable)
    name           TEXT NOT NULL,
    query          TEXT NOT NULL,             -- the project's query language
    params         TEXT NOT NULL DEFAULT '',  -- the rest of the search as a URL query
    created_at     INTEGER NOT NULL,          -- unix microseconds, UTC
    updated_at     INTEGER NOT NULL,
    alert_receiver TEXT,                      -- NULL: not an alert route
    alert_enabled  INTEGER NOT NULL DEFAULT 0,
    alert_min_risk INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX saved_searches_owner ON saved_searches (owner, created_at);
CREATE INDEX saved_searches_routes ON saved_searches (id) WHERE alert_enabled = 1 AND alert_receiver IS NOT NULL;

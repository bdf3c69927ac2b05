-- Saved searches (issue 5): per user, shared by every web node, and the
-- ones turned into alert routes (alert_receiver set and alert_enabled) are
-- read by the alerter.
CREATE TABLE saved_searches (
    id             text PRIMARY KEY,
    owner          text NOT NULL,             -- users.name (no foreign key: a deleted account's searches stay auditable)
    name           text NOT NULL,
    query          text NOT NULL,             -- the project's query language
    params         text NOT NULL DEFAULT '',  -- the rest of the search as a URL query
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    alert_receiver text,                      -- NULL: not an alert route
    alert_enabled  boolean NOT NULL DEFAULT false,
    alert_min_risk integer NOT NULL DEFAULT 0
);
CREATE INDEX saved_searches_owner ON saved_searches (owner, created_at);
CREATE INDEX saved_searches_routes ON saved_searches (id) WHERE alert_enabled AND alert_receiver IS NOT NULL;

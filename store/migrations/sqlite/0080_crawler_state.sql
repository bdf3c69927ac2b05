-- Crawler identity state (issues 12 and 18): which items of each source were
-- already published or merged, the items still to publish (their page fetch
-- deferred or in progress), and the near-duplicate fingerprints, so that a
-- restart publishes only what is new.
CREATE TABLE crawler_items (
    source       TEXT    NOT NULL,
    item_key     INTEGER NOT NULL,             -- first 8 bytes of the feed entry's article ID
    state        INTEGER NOT NULL,             -- 0 queued, 1 publishing, 2 done
    pub_id       TEXT    NOT NULL DEFAULT '',  -- article ID being published (state 1)
    article      BLOB,                         -- the entry (wire JSON) while not done
    attempts     INTEGER NOT NULL DEFAULT 0,   -- page fetches that failed
    next_attempt INTEGER,                      -- when the page is fetched again
    textless     INTEGER NOT NULL DEFAULT 0,   -- published without the page's text
    last_error   TEXT    NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (source, item_key)
) WITHOUT ROWID;
CREATE INDEX crawler_items_open ON crawler_items (state) WHERE state < 2;
CREATE INDEX crawler_items_updated ON crawler_items (updated_at);

CREATE TABLE crawler_fingerprints (
    id       TEXT PRIMARY KEY,   -- article ID of the first copy
    fp       INTEGER NOT NULL,   -- 64-bit SimHash (as signed)
    canon    TEXT NOT NULL,
    sources  TEXT NOT NULL,      -- JSON list
    added_at INTEGER NOT NULL
);
CREATE INDEX crawler_fingerprints_added ON crawler_fingerprints (added_at);

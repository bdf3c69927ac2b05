-- Crawler identity state (issues 12 and 18): which items of each source were
-- already published or merged, the items still to publish (their page fetch
-- deferred or in progress), and the near-duplicate fingerprints, so that a
-- restart publishes only what is new.
CREATE TABLE crawler_items (
    source       text     NOT NULL,
    item_key     bigint   NOT NULL,             -- first 8 bytes of the feed entry's article ID
    state        smallint NOT NULL,             -- 0 queued, 1 publishing, 2 done
    pub_id       text     NOT NULL DEFAULT '',  -- article ID being published (state 1)
    article      bytea,                         -- the entry (wire JSON) while not done
    attempts     integer  NOT NULL DEFAULT 0,   -- page fetches that failed
    next_attempt timestamptz,                   -- when the page is fetched again
    textless     boolean  NOT NULL DEFAULT false, -- published without the page's text
    last_error   text     NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (source, item_key)
);
CREATE INDEX crawler_items_open ON crawler_items (state) WHERE state < 2;
CREATE INDEX crawler_items_updated ON crawler_items (updated_at);

CREATE TABLE crawler_fingerprints (
    id       text PRIMARY KEY,   -- article ID of the first copy
    fp       bigint NOT NULL,    -- 64-bit SimHash (as signed)
    canon    text NOT NULL,
    sources  text NOT NULL,      -- JSON list
    added_at timestamptz NOT NULL
);
CREATE INDEX crawler_fingerprints_added ON crawler_fingerprints (added_at);

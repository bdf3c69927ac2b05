-- Evidence files in object storage and screenshots (issue 16): the SHA-256
-- of each stored file, checked when it is read back, and narratives the
-- office creates from a response so that later repeats are flagged.
ALTER TABLE snapshots ADD COLUMN warc_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshots ADD COLUMN screenshot_path TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshots ADD COLUMN screenshot_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshots ADD COLUMN screenshot_note TEXT NOT NULL DEFAULT '';
CREATE TABLE narratives (
    seq         BIGSERIAL PRIMARY KEY,    -- the classifier reloads when max(seq) moves
    id          TEXT NOT NULL UNIQUE,
    claim       TEXT NOT NULL,            -- the false claim, as the officer states it
    phrases     TEXT NOT NULL,            -- phrases of the claim, one a line, any language
    context     TEXT NOT NULL,            -- names that must be near a phrase, one a line (may be empty)
    correction  TEXT NOT NULL,            -- the fact that refutes it
    response_id TEXT NOT NULL,
    article_id  TEXT NOT NULL,
    weight      DOUBLE PRECISION NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX narratives_response ON narratives (response_id);

-- Reports (issue 7): the period label, the claim that makes sending
-- idempotent across schedulers, the PDF and the last error.
ALTER TABLE digests
    ADD COLUMN period     text NOT NULL DEFAULT '',  -- "2026-W47", "2026-Q4", "2026"
    ADD COLUMN claimed_by text NOT NULL DEFAULT '',  -- scheduler instance holding the claim
    ADD COLUMN claimed_at timestamptz,               -- when the claim was taken or renewed
    ADD COLUMN pdf        bytea,                     -- printable PDF, NULL when not rendered
    ADD COLUMN last_error text NOT NULL DEFAULT '';
CREATE INDEX digests_created ON digests (created_at);

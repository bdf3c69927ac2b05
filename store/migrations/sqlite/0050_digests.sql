-- Reports (issue 7): the period label, the claim that makes sending
-- idempotent across schedulers, the PDF and the last error.
ALTER TABLE digests ADD COLUMN period TEXT NOT NULL DEFAULT '';      -- "2026-W47", "2026-Q4", "2026"
ALTER TABLE digests ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';  -- scheduler instance holding the claim
ALTER TABLE digests ADD COLUMN claimed_at INTEGER;                   -- when the claim was taken or renewed
ALTER TABLE digests ADD COLUMN pdf BLOB;                             -- printable PDF, NULL when not rendered
ALTER TABLE digests ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
CREATE INDEX digests_created ON digests (created_at);

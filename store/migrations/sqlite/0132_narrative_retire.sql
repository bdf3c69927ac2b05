-- Retiring a narrative created from a response (issue 16's follow-up): a
-- retired narrative no longer flags articles but stays listed, with who
-- retired it, when and why. The classifier's version is max(seq) plus the
-- number of retired narratives, so a retirement moves it too.
ALTER TABLE narratives ADD COLUMN retired_at INTEGER;
ALTER TABLE narratives ADD COLUMN retired_by TEXT NOT NULL DEFAULT '';
ALTER TABLE narratives ADD COLUMN retire_note TEXT NOT NULL DEFAULT '';

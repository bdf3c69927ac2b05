-- Sources managed in the admin UI (issue 14). A source row now says where it
-- was defined (origin: config = YAML, seeded by the crawler at start; ui =
-- added in the admin page) and whether an administrator changed it
-- (edited_at): an edited row is authoritative and the configuration no
-- longer overwrites it. deleted_at is a soft delete (articles keep referring
-- to the name); poll_requested_at is "poll now"; updated_at changes on every
-- write so that a running crawler notices changes cheaply.
ALTER TABLE sources ADD COLUMN origin text NOT NULL DEFAULT 'config';
ALTER TABLE sources ADD COLUMN edited_at timestamptz;
ALTER TABLE sources ADD COLUMN deleted_at timestamptz;
ALTER TABLE sources ADD COLUMN poll_requested_at timestamptz;
ALTER TABLE sources ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

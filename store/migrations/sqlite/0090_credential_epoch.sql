-- Issue 13: a per-user credential epoch. Every session and API token records
-- the epoch it was made under; a password change, disable or enable raises
-- the user's epoch, so nothing made before it is ever accepted again (not
-- even after the account is enabled once more).
ALTER TABLE users ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;

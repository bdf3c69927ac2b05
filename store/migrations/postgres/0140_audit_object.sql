-- An alert's page lists its handling history: the audit entries about
-- one object, read by object and time.
CREATE INDEX audit_log_object ON audit_log (object, at, seq);

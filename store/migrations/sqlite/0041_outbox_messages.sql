-- Reports through the alerts outbox (issue 7): a delivery may carry a
-- prebuilt RFC 5322 message (the whole MIME, sent as-is) instead of alerts.
-- digest_id (0001) names the report it carries.
ALTER TABLE deliveries ADD COLUMN payload BLOB; -- NULL: the delivery renders its alerts
CREATE INDEX deliveries_digest ON deliveries (digest_id);

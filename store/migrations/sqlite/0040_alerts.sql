-- Alerts issue: triage columns, the article's facts needed by the inbox and
-- by inhibition, grouping of deliveries, silences.
ALTER TABLE alerts ADD COLUMN risk INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN priority INTEGER NOT NULL DEFAULT 0; -- 1 = critical
ALTER TABLE alerts ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN outlet TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN receivers TEXT NOT NULL DEFAULT '[]'; -- JSON array of receiver names
ALTER TABLE alerts ADD COLUMN response_link TEXT NOT NULL DEFAULT '';
CREATE INDEX alerts_route_cluster ON alerts (route, cluster);

ALTER TABLE deliveries ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN scheduled_at INTEGER; -- first due time, for group_interval
CREATE INDEX deliveries_group ON deliveries (group_key, receiver, recipient, state);
CREATE INDEX deliveries_claim ON deliveries (state, priority, next_attempt);

-- Every alert a grouped notification carries.
CREATE TABLE delivery_alerts (
    delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    alert_id    TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    PRIMARY KEY (delivery_id, alert_id)
) STRICT;
CREATE INDEX delivery_alerts_alert ON delivery_alerts (alert_id);

CREATE TABLE silences (
    id         TEXT PRIMARY KEY,
    query      TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    author     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX silences_expires ON silences (expires_at);

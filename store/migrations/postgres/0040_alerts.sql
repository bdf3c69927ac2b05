-- Alerts issue: triage columns, the article's facts needed by the inbox and
-- by inhibition, grouping of deliveries, silences.
ALTER TABLE alerts ADD COLUMN risk integer NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN priority integer NOT NULL DEFAULT 0; -- 1 = critical
ALTER TABLE alerts ADD COLUMN title text NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN outlet text NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN country text NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN lang text NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN source text NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN receivers jsonb NOT NULL DEFAULT '[]'; -- receiver names
ALTER TABLE alerts ADD COLUMN response_link text NOT NULL DEFAULT '';
CREATE INDEX alerts_route_cluster ON alerts (route, cluster);

ALTER TABLE deliveries ADD COLUMN group_key text NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN priority integer NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN scheduled_at timestamptz; -- first due time, for group_interval
CREATE INDEX deliveries_group ON deliveries (group_key, receiver, recipient, state);
CREATE INDEX deliveries_claim ON deliveries (state, priority, next_attempt);

-- Every alert a grouped notification carries.
CREATE TABLE delivery_alerts (
    delivery_id text NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    alert_id    text NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    PRIMARY KEY (delivery_id, alert_id)
);
CREATE INDEX delivery_alerts_alert ON delivery_alerts (alert_id);

CREATE TABLE silences (
    id         text PRIMARY KEY,
    query      text NOT NULL,
    reason     text NOT NULL DEFAULT '',
    author     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX silences_expires ON silences (expires_at);

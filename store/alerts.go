package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
)

// Alert states. An alert starts new (or silenced / inhibited, when it was
// recorded but not notified); triage moves it to acknowledged and then to one
// of the outcomes.
const (
	AlertNew           = "new"
	AlertAcknowledged  = "acknowledged"
	AlertFalsePositive = "false_positive"
	AlertConfirmed     = "confirmed"
	AlertResponded     = "responded"
	AlertSilenced      = "silenced"
	AlertInhibited     = "inhibited"
)

// Delivery states of the outbox.
const (
	DeliveryPending = "pending" // waiting for its due time (or a retry)
	DeliverySending = "sending" // claimed by a sender until its lease (next_attempt) runs out
	DeliverySent    = "sent"    // the receiver accepted it
	DeliveryFailed  = "failed"  // gave up after the last attempt
	// DeliverySkipped: not sent, because every alert it carried had been
	// handled (acknowledged or triaged) before it was due.
	DeliverySkipped = "skipped"
)

// AlertStore is the alerts' part of the system of record: alerts, the outbox
// of deliveries, silences and triage. Both backends implement it.
type AlertStore interface {
	// RecordAlerts writes alerts and their notifications in one transaction
	// (see NewAlert for the grouping rules). It is idempotent: recording the
	// same alert again within its repeat interval changes nothing.
	RecordAlerts(ctx context.Context, alerts []NewAlert) error
	// HasAlert reports whether an alert of route that is not silenced,
	// inhibited or a false positive exists whose columns equal eq (keys among
	// cluster, outlet, country, lang, source, article).
	HasAlert(ctx context.Context, route string, eq map[string]string) (bool, error)
	// GetAlert returns one alert or ErrNotFound.
	GetAlert(ctx context.Context, id string) (Alert, error)
	// ListAlerts returns alerts newest first.
	ListAlerts(ctx context.Context, f AlertFilter) ([]Alert, error)
	// UpdateAlert applies a triage change and appends its audit entry in one
	// transaction, and returns the alert as changed. ErrNotFound when missing.
	UpdateAlert(ctx context.Context, c AlertChange) (Alert, error)
	// RulePrecision counts triage outcomes per route.
	RulePrecision(ctx context.Context) ([]RulePrecision, error)

	// ClaimDeliveries takes up to limit due deliveries (pending or sending with
	// an expired lease, next_attempt <= now), most urgent first (priority, then
	// due time), marks them sending with one more attempt and a lease until
	// now+lease, and returns them.
	ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Delivery, error)
	// DeliveryAlerts returns the alerts a delivery carries, oldest first.
	DeliveryAlerts(ctx context.Context, deliveryID string) ([]Alert, error)
	// MarkDeliverySent records that the receiver accepted the delivery.
	MarkDeliverySent(ctx context.Context, id, subject string, at time.Time) error
	// MarkDeliveryRetry puts a delivery back to pending until next, with the error.
	MarkDeliveryRetry(ctx context.Context, id string, next time.Time, lastErr string) error
	// MarkDeliveryFailed gives a delivery up, with the error.
	MarkDeliveryFailed(ctx context.Context, id string, at time.Time, lastErr string) error
	// MarkDeliverySkipped ends a delivery that was not sent because
	// nothing it carried still needed it, with why.
	MarkDeliverySkipped(ctx context.Context, id string, at time.Time, why string) error
	// ListDeliveries returns deliveries newest first.
	ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)
	// CountDeliveries counts deliveries by state.
	CountDeliveries(ctx context.Context) (map[string]int64, error)
	// EnqueueMessage puts a prebuilt email (a report) in the outbox as one
	// delivery, sent like an alert's (claim, retry with backoff, failed after
	// the last attempt). It is idempotent: it reports false and changes
	// nothing when a message with the same ID was enqueued before.
	EnqueueMessage(ctx context.Context, m OutboxMessage) (bool, error)
	// DeliveryMessage returns the prebuilt message a delivery carries, nil
	// when the delivery renders alerts; ErrNotFound when it does not exist.
	DeliveryMessage(ctx context.Context, deliveryID string) ([]byte, error)

	// CreateSilence stores a silence keyed by ID (an upsert).
	CreateSilence(ctx context.Context, s Silence) error
	// ListSilences returns the silences active at now (all of them with
	// expired), newest first.
	ListSilences(ctx context.Context, now time.Time, expired bool) ([]Silence, error)
	// ExpireSilence ends a silence at at; ErrNotFound when it does not exist.
	ExpireSilence(ctx context.Context, id string, at time.Time) error
}

// Alert is one route's alert about one article.
type Alert struct {
	ID, Route, ArticleID, Cluster, GroupKey string
	Severity                                string // immediate or digest
	State                                   string
	Priority                                int // 1 = critical
	Risk                                    int
	Title, Outlet, Country, Lang, Source    string
	Receivers                               []string
	Reasons                                 []article.Reason
	Assignee, Note, ResponseLink, AckedBy   string
	CreatedAt, UpdatedAt, AckedAt           time.Time
}

// Notification is one recipient an alert is sent to.
type Notification struct {
	Receiver  string
	Channel   string // email or webhook
	Recipient string // an address or URL
}

// NewAlert is an alert to record with the notifications it causes.
//
// For each notification, the alert joins the group's delivery that has not
// been tried yet (same GroupKey, receiver, channel and recipient), raising its
// priority and bringing its due time forward to what this alert needs;
// otherwise a new delivery is created, due GroupWait from now for a new group,
// or GroupInterval after the group's previous delivery, and not before
// NotBefore (quiet hours). An alert already recorded and already notified to a
// recipient less than RepeatInterval ago is not notified again.
//
// GroupIntervalMax (when above GroupInterval) spaces the messages of a story
// that keeps producing alerts: each pause after the group's previous
// delivery is twice the one before it, from GroupInterval up to
// GroupIntervalMax (see groupGap).
type NewAlert struct {
	Alert                                    Alert
	Notify                                   []Notification
	GroupWait, GroupInterval, RepeatInterval time.Duration
	GroupIntervalMax                         time.Duration
	NotBefore                                time.Time
	Now                                      time.Time
}

// Delivery is one message of the outbox. It carries either alerts
// (DeliveryAlerts) or, when Prebuilt, a message built before it was
// enqueued (DeliveryMessage; DigestID names the report it holds).
type Delivery struct {
	ID, AlertID, DigestID, GroupKey, Receiver, Channel, Recipient string
	Prebuilt                                                      bool
	Subject, MessageID, State, LastError                          string
	Priority, Attempts                                            int
	NextAttempt, ScheduledAt, CreatedAt, UpdatedAt                time.Time
	SentAt                                                        time.Time
}

// AlertFilter selects alerts for ListAlerts. Empty fields select everything.
type AlertFilter struct {
	States    []string
	Routes    []string
	Receivers []string // alerts sent to any of these receivers
	Cluster   string
	ArticleID string
	Since     time.Time
	Limit     int // 0 means 100
}

// DeliveryFilter selects deliveries for ListDeliveries.
type DeliveryFilter struct {
	State   string
	AlertID string
	Limit   int // 0 means 100
}

// AlertChange is a triage change; nil fields are left alone.
type AlertChange struct {
	ID, Actor                           string
	State, Assignee, Note, ResponseLink *string
	At                                  time.Time
}

// RulePrecision is the triage outcome of one route's alerts.
type RulePrecision struct {
	Route                                      string
	Total, Confirmed, Responded, FalsePositive int
}

// Precision returns (confirmed+responded) / (those + false positives), and
// false when no alert of the route has an outcome yet.
func (p RulePrecision) Precision() (float64, bool) {
	good := p.Confirmed + p.Responded
	if good+p.FalsePositive == 0 {
		return 0, false
	}
	return float64(good) / float64(good+p.FalsePositive), true
}

// Silence suppresses the alerts of articles matching Query until ExpiresAt.
type Silence struct {
	ID, Query, Reason, Author string
	CreatedAt, ExpiresAt      time.Time
}

// DeliveryMessageID returns the RFC 5322 Message-ID of a delivery: derived
// from its ID alone, so a resend after a crash carries the same one.
func DeliveryMessageID(deliveryID string) string {
	return "<" + deliveryID + "@presswatch>"
}

// alertDB is what the shared alert SQL needs from a backend: statements with
// "?" placeholders (rewritten to $n for PostgreSQL) and times converted by ts.
type alertDB interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (alertRows, error)
}

type alertRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// alertBackend runs the shared alert SQL on one backend.
type alertBackend struct {
	pg   bool
	read alertDB
	tx   func(ctx context.Context, fn func(alertDB) error) error
}

// ts converts a time for the backend: microseconds for SQLite, a time for PostgreSQL.
func (b alertBackend) ts(t time.Time) any {
	t = utc(t)
	if t.IsZero() {
		return nil
	}
	if b.pg {
		return t
	}
	return t.UnixMicro()
}

// nullTime scans a time column of either backend.
type nullTime struct{ t time.Time }

func (n *nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.t = time.Time{}
	case int64:
		n.t = time.UnixMicro(x).UTC()
	case time.Time:
		n.t = x.UTC()
	default:
		return fmt.Errorf("scan time: unexpected %T", v)
	}
	return nil
}

// jsonText scans a JSON column of either backend (TEXT or jsonb) as a string.
type jsonText struct{ s string }

func (j *jsonText) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		j.s = ""
	case string:
		j.s = x
	case []byte:
		j.s = string(x)
	default:
		return fmt.Errorf("scan json: unexpected %T", v)
	}
	return nil
}

func hashID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func queryOne(ctx context.Context, db alertDB, dest []any, q string, args ...any) (bool, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(dest...); err != nil {
		return false, err
	}
	return true, rows.Err()
}

func (b alertBackend) RecordAlerts(ctx context.Context, alerts []NewAlert) error {
	if len(alerts) == 0 {
		return nil
	}
	for i := range alerts {
		a := &alerts[i].Alert
		if a.ID == "" || a.Route == "" || a.ArticleID == "" {
			return fmt.Errorf("record alert %d: empty ID, route or article", i)
		}
	}
	err := b.tx(ctx, func(db alertDB) error {
		for _, na := range alerts {
			if err := b.recordOne(ctx, db, na); err != nil {
				return fmt.Errorf("alert %q: %w", na.Alert.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record alerts: %w", err)
	}
	return nil
}

func (b alertBackend) recordOne(ctx context.Context, db alertDB, na NewAlert) error {
	a := na.Alert
	now := utc(na.Now)
	if now.IsZero() {
		now = utc(time.Now())
	}
	if a.State == "" {
		a.State = AlertNew
	}
	reasons, err := jsonList(cleanReasons(a.Reasons))
	if err != nil {
		return err
	}
	receivers, err := jsonList(cleanStrings(a.Receivers))
	if err != nil {
		return err
	}
	n, err := db.exec(ctx, `INSERT INTO alerts (id, route, article_id, cluster, group_key, severity, state, reasons,
    created_at, updated_at, risk, priority, title, outlet, country, lang, source, receivers, note)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING`,
		a.ID, cleanText(a.Route), a.ArticleID, cleanText(a.Cluster), cleanText(a.GroupKey), a.Severity, a.State, reasons,
		b.ts(now), b.ts(now), a.Risk, a.Priority, cleanText(a.Title), cleanText(a.Outlet), cleanText(a.Country),
		cleanText(a.Lang), cleanText(a.Source), receivers, cleanText(a.Note))
	if err != nil {
		return fmt.Errorf("insert alert: %w", err)
	}
	isNew := n > 0
	if !isNew {
		// A reclassification: keep triage, refresh what the classifier said.
		if _, err := db.exec(ctx, `UPDATE alerts SET risk = ?, reasons = ?, title = ?,
    priority = CASE WHEN priority < ? THEN ? ELSE priority END, updated_at = ? WHERE id = ?`,
			a.Risk, reasons, cleanText(a.Title), a.Priority, a.Priority, b.ts(now), a.ID); err != nil {
			return fmt.Errorf("update alert: %w", err)
		}
	}
	for _, nt := range na.Notify {
		if err := b.notifyOne(ctx, db, na, a, nt, isNew, now); err != nil {
			return fmt.Errorf("notify %s %s: %w", nt.Receiver, nt.Channel, err)
		}
	}
	return nil
}

func (b alertBackend) notifyOne(ctx context.Context, db alertDB, na NewAlert, a Alert, nt Notification, isNew bool, now time.Time) error {
	if nt.Channel == "" {
		nt.Channel = "email"
	}
	if !isNew {
		var last nullTime
		ok, err := queryOne(ctx, db, []any{&last}, `SELECT MAX(d.created_at) FROM deliveries d
JOIN delivery_alerts da ON da.delivery_id = d.id
WHERE da.alert_id = ? AND d.receiver = ? AND d.channel = ? AND d.recipient = ?`,
			a.ID, nt.Receiver, nt.Channel, nt.Recipient)
		if err != nil {
			return fmt.Errorf("last notification: %w", err)
		}
		if ok && !last.t.IsZero() && now.Sub(last.t) < na.RepeatInterval {
			return nil
		}
	}
	due := now.Add(na.GroupWait)
	// The group's previous delivery is one that was sent or tried: the open
	// one this alert may join does not count. Counted, a delivery held for
	// quiet hours (due 06:00) pushed a critical alert joining it to 06:00
	// plus group_interval, so it was never brought forward (an outside
	// reading of the police inbox).
	var prev nullTime
	if _, err := queryOne(ctx, db, []any{&prev}, `SELECT MAX(scheduled_at) FROM deliveries
WHERE group_key = ? AND receiver = ? AND channel = ? AND recipient = ? AND NOT (state = 'pending' AND attempts = 0)`,
		a.GroupKey, nt.Receiver, nt.Channel, nt.Recipient); err != nil {
		return fmt.Errorf("previous delivery: %w", err)
	}
	if !prev.t.IsZero() {
		gap, err := b.groupGap(ctx, db, na, a, nt, prev.t)
		if err != nil {
			return err
		}
		due = prev.t.Add(gap)
		if due.Before(now) {
			due = now
		}
	}
	if nb := utc(na.NotBefore); due.Before(nb) {
		due = nb
	}
	var openID string
	ok, err := queryOne(ctx, db, []any{&openID}, `SELECT id FROM deliveries
WHERE group_key = ? AND receiver = ? AND channel = ? AND recipient = ? AND state = 'pending' AND attempts = 0
ORDER BY created_at LIMIT 1`, a.GroupKey, nt.Receiver, nt.Channel, nt.Recipient)
	if err != nil {
		return fmt.Errorf("open delivery: %w", err)
	}
	if ok {
		if _, err := db.exec(ctx, `UPDATE deliveries SET
    priority = CASE WHEN priority < ? THEN ? ELSE priority END,
    next_attempt = CASE WHEN next_attempt > ? THEN ? ELSE next_attempt END,
    updated_at = ? WHERE id = ?`, a.Priority, a.Priority, b.ts(due), b.ts(due), b.ts(now), openID); err != nil {
			return fmt.Errorf("join delivery: %w", err)
		}
		if _, err := db.exec(ctx, `INSERT INTO delivery_alerts (delivery_id, alert_id) VALUES (?, ?)
ON CONFLICT DO NOTHING`, openID, a.ID); err != nil {
			return fmt.Errorf("join delivery: %w", err)
		}
		return nil
	}
	id := hashID(a.GroupKey, nt.Receiver, nt.Channel, nt.Recipient, a.ID, strconv.FormatInt(now.UnixMicro(), 10))
	if _, err := db.exec(ctx, `INSERT INTO deliveries (id, alert_id, receiver, channel, recipient, message_id, state,
    attempts, next_attempt, created_at, updated_at, group_key, priority, scheduled_at)
VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		id, a.ID, cleanText(nt.Receiver), nt.Channel, cleanText(nt.Recipient), DeliveryMessageID(id),
		b.ts(due), b.ts(now), b.ts(now), cleanText(a.GroupKey), a.Priority, b.ts(due)); err != nil {
		return fmt.Errorf("insert delivery: %w", err)
	}
	if _, err := db.exec(ctx, `INSERT INTO delivery_alerts (delivery_id, alert_id) VALUES (?, ?)
ON CONFLICT DO NOTHING`, id, a.ID); err != nil {
		return fmt.Errorf("link delivery: %w", err)
	}
	return nil
}

// groupGap is how long after its previous delivery (scheduled at prev) a
// group's next delivery to nt waits: GroupInterval, as in Alertmanager,
// unless GroupIntervalMax is longer. Then a story that keeps producing
// alerts is mailed at growing intervals: twice the pause between the
// group's two latest deliveries, at least GroupInterval and at most
// GroupIntervalMax (5, 10, 20, 40, 60, 60 … minutes with the shipped 5m and
// 1h), rather than every GroupInterval for as long as the story runs. The
// ladder starts again at GroupInterval when the story had gone quiet (its
// two latest deliveries more than GroupIntervalMax apart) and when the alert
// escalates it (a priority above every delivery of the group so far: the
// story turned critical).
func (b alertBackend) groupGap(ctx context.Context, db alertDB, na NewAlert, a Alert, nt Notification, prev time.Time) (time.Duration, error) {
	gap := na.GroupInterval
	if na.GroupIntervalMax <= gap {
		return gap, nil
	}
	var before nullTime
	var top int
	if _, err := queryOne(ctx, db, []any{&before, &top}, `SELECT MAX(CASE WHEN scheduled_at < ? THEN scheduled_at END),
    COALESCE(MAX(priority), 0) FROM deliveries
WHERE group_key = ? AND receiver = ? AND channel = ? AND recipient = ? AND NOT (state = 'pending' AND attempts = 0)`,
		b.ts(prev), a.GroupKey, nt.Receiver, nt.Channel, nt.Recipient); err != nil {
		return 0, fmt.Errorf("group's earlier deliveries: %w", err)
	}
	if before.t.IsZero() || a.Priority > top {
		return gap, nil
	}
	last := prev.Sub(before.t)
	if last > na.GroupIntervalMax {
		return gap, nil
	}
	return min(max(2*last, gap), na.GroupIntervalMax), nil
}

func cleanReasons(in []article.Reason) []article.Reason {
	if in == nil {
		return nil
	}
	out := make([]article.Reason, len(in))
	for i, r := range in {
		r.Signal, r.Detail = cleanText(r.Signal), cleanText(r.Detail)
		out[i] = r
	}
	return out
}

var alertEqCols = map[string]string{
	"cluster": "cluster", "outlet": "outlet", "country": "country", "lang": "lang", "source": "source", "article": "article_id",
}

func (b alertBackend) HasAlert(ctx context.Context, route string, eq map[string]string) (bool, error) {
	q := `SELECT 1 FROM alerts WHERE route = ? AND state NOT IN ('silenced', 'inhibited', 'false_positive')`
	args := []any{route}
	for k, v := range eq {
		col, ok := alertEqCols[k]
		if !ok {
			return false, fmt.Errorf("has alert: unknown field %q", k)
		}
		q += " AND " + col + " = ?"
		args = append(args, v)
	}
	var one int
	ok, err := queryOne(ctx, b.read, []any{&one}, q+" LIMIT 1", args...)
	if err != nil {
		return false, fmt.Errorf("has alert of %q: %w", route, err)
	}
	return ok, nil
}

const alertCols = `id, route, article_id, cluster, group_key, severity, state, priority, risk, title, outlet, country,
    lang, source, receivers, reasons, assignee, note, response_link, acked_by, created_at, updated_at, acked_at`

func scanAlert(rows alertRows) (Alert, error) {
	var (
		a                         Alert
		recv, reasons             jsonText
		created, updated, ackedAt nullTime
	)
	if err := rows.Scan(&a.ID, &a.Route, &a.ArticleID, &a.Cluster, &a.GroupKey, &a.Severity, &a.State, &a.Priority,
		&a.Risk, &a.Title, &a.Outlet, &a.Country, &a.Lang, &a.Source, &recv, &reasons, &a.Assignee, &a.Note,
		&a.ResponseLink, &a.AckedBy, &created, &updated, &ackedAt); err != nil {
		return Alert{}, err
	}
	var err error
	if a.Receivers, err = parseList[string](recv.s); err != nil {
		return Alert{}, fmt.Errorf("decode receivers: %w", err)
	}
	if a.Reasons, err = parseList[article.Reason](reasons.s); err != nil {
		return Alert{}, fmt.Errorf("decode reasons: %w", err)
	}
	a.CreatedAt, a.UpdatedAt, a.AckedAt = created.t, updated.t, ackedAt.t
	return a, nil
}

func collectAlerts(rows alertRows, err error) ([]Alert, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (b alertBackend) GetAlert(ctx context.Context, id string) (Alert, error) {
	as, err := collectAlerts(b.read.query(ctx, `SELECT `+alertCols+` FROM alerts WHERE id = ?`, id))
	if err != nil {
		return Alert{}, fmt.Errorf("get alert %q: %w", id, err)
	}
	if len(as) == 0 {
		return Alert{}, fmt.Errorf("get alert %q: %w", id, ErrNotFound)
	}
	return as[0], nil
}

func inList(col string, vals []string, args []any) (string, []any) {
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = "?"
		args = append(args, v)
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")", args
}

func (b alertBackend) ListAlerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	var where []string
	var args []any
	if len(f.States) > 0 {
		var w string
		w, args = inList("state", f.States, args)
		where = append(where, w)
	}
	if len(f.Routes) > 0 {
		var w string
		w, args = inList("route", f.Routes, args)
		where = append(where, w)
	}
	if f.Cluster != "" {
		where = append(where, "cluster = ?")
		args = append(args, f.Cluster)
	}
	if f.ArticleID != "" {
		where = append(where, "article_id = ?")
		args = append(args, f.ArticleID)
	}
	if !f.Since.IsZero() {
		where = append(where, "created_at >= ?")
		args = append(args, b.ts(f.Since))
	}
	if len(f.Receivers) > 0 {
		var ors []string
		for _, r := range f.Receivers {
			// receivers is a JSON array of names without quotes inside them
			// (validated names), so a substring test on the quoted name is exact.
			if b.pg {
				ors = append(ors, "strpos(receivers::text, ?) > 0")
			} else {
				ors = append(ors, "instr(receivers, ?) > 0")
			}
			args = append(args, `"`+r+`"`)
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT ` + alertCols + ` FROM alerts`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, id LIMIT ?"
	args = append(args, limit)
	out, err := collectAlerts(b.read.query(ctx, q, args...))
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

func (b alertBackend) UpdateAlert(ctx context.Context, c AlertChange) (Alert, error) {
	at := utc(c.At)
	if at.IsZero() {
		at = utc(time.Now())
	}
	var out Alert
	err := b.tx(ctx, func(db alertDB) error {
		as, err := collectAlerts(db.query(ctx, `SELECT `+alertCols+` FROM alerts WHERE id = ?`, c.ID))
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return ErrNotFound
		}
		a := as[0]
		var detail []string
		if c.State != nil && *c.State != a.State {
			detail = append(detail, fmt.Sprintf("state %s → %s", a.State, *c.State))
			if *c.State == AlertAcknowledged && a.AckedAt.IsZero() {
				a.AckedBy, a.AckedAt = c.Actor, at
			}
			a.State = *c.State
		}
		if c.Assignee != nil && *c.Assignee != a.Assignee {
			detail = append(detail, fmt.Sprintf("assignee %q", *c.Assignee))
			a.Assignee = cleanText(*c.Assignee)
		}
		if c.Note != nil && *c.Note != a.Note {
			detail = append(detail, "note changed")
			a.Note = cleanText(*c.Note)
		}
		if c.ResponseLink != nil && *c.ResponseLink != a.ResponseLink {
			detail = append(detail, fmt.Sprintf("response link %q", *c.ResponseLink))
			a.ResponseLink = cleanText(*c.ResponseLink)
		}
		a.UpdatedAt = at
		out = a
		if len(detail) == 0 {
			return nil
		}
		if _, err := db.exec(ctx, `UPDATE alerts SET state = ?, assignee = ?, note = ?, response_link = ?,
    acked_by = ?, acked_at = ?, updated_at = ? WHERE id = ?`,
			a.State, a.Assignee, a.Note, a.ResponseLink, a.AckedBy, b.ts(a.AckedAt), b.ts(at), a.ID); err != nil {
			return err
		}
		e := cleanAudit(AuditEntry{At: at, Actor: c.Actor, Action: "alert.update", Object: "alert/" + a.ID,
			Detail: strings.Join(detail, "; ")})
		_, err = db.exec(ctx, `INSERT INTO audit_log (id, at, actor, action, object, detail)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, auditID(e), b.ts(e.At), e.Actor, e.Action, e.Object, e.Detail)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return Alert{}, fmt.Errorf("update alert %q: %w", c.ID, ErrNotFound)
	}
	if err != nil {
		return Alert{}, fmt.Errorf("update alert %q: %w", c.ID, err)
	}
	return out, nil
}

func (b alertBackend) RulePrecision(ctx context.Context) ([]RulePrecision, error) {
	rows, err := b.read.query(ctx, `SELECT route, COUNT(*),
    SUM(CASE WHEN state = 'confirmed' THEN 1 ELSE 0 END),
    SUM(CASE WHEN state = 'responded' THEN 1 ELSE 0 END),
    SUM(CASE WHEN state = 'false_positive' THEN 1 ELSE 0 END)
FROM alerts GROUP BY route ORDER BY route`)
	if err != nil {
		return nil, fmt.Errorf("rule precision: %w", err)
	}
	defer rows.Close()
	var out []RulePrecision
	for rows.Next() {
		var p RulePrecision
		var total, c, r, fp int64
		if err := rows.Scan(&p.Route, &total, &c, &r, &fp); err != nil {
			return nil, fmt.Errorf("rule precision: %w", err)
		}
		p.Total, p.Confirmed, p.Responded, p.FalsePositive = int(total), int(c), int(r), int(fp)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rule precision: %w", err)
	}
	return out, nil
}

const deliveryCols = `id, COALESCE(alert_id, ''), COALESCE(digest_id, ''), payload IS NOT NULL, group_key, receiver, channel, recipient, subject, message_id, state,
    last_error, priority, attempts, next_attempt, scheduled_at, created_at, updated_at, sent_at`

func collectDeliveries(rows alertRows, err error) ([]Delivery, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var next, sched, created, updated, sent nullTime
		if err := rows.Scan(&d.ID, &d.AlertID, &d.DigestID, &d.Prebuilt, &d.GroupKey, &d.Receiver, &d.Channel, &d.Recipient, &d.Subject,
			&d.MessageID, &d.State, &d.LastError, &d.Priority, &d.Attempts, &next, &sched, &created, &updated, &sent); err != nil {
			return nil, err
		}
		d.NextAttempt, d.ScheduledAt, d.CreatedAt, d.UpdatedAt, d.SentAt = next.t, sched.t, created.t, updated.t, sent.t
		out = append(out, d)
	}
	return out, rows.Err()
}

func (b alertBackend) ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	now = utc(now)
	var out []Delivery
	err := b.tx(ctx, func(db alertDB) error {
		q := `SELECT ` + deliveryCols + ` FROM deliveries
WHERE state IN ('pending', 'sending') AND next_attempt <= ?
ORDER BY priority DESC, next_attempt, id LIMIT ?`
		if b.pg {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		ds, err := collectDeliveries(db.query(ctx, q, b.ts(now), limit))
		if err != nil {
			return err
		}
		until := now.Add(lease)
		for i := range ds {
			if _, err := db.exec(ctx, `UPDATE deliveries SET state = 'sending', attempts = attempts + 1,
    next_attempt = ?, updated_at = ? WHERE id = ?`, b.ts(until), b.ts(now), ds[i].ID); err != nil {
				return err
			}
			ds[i].State, ds[i].Attempts, ds[i].NextAttempt = DeliverySending, ds[i].Attempts+1, until
		}
		out = ds
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return out, nil
}

func (b alertBackend) DeliveryAlerts(ctx context.Context, deliveryID string) ([]Alert, error) {
	cols := "a." + strings.ReplaceAll(alertCols, ", ", ", a.")
	cols = strings.ReplaceAll(cols, ",\n    ", ",\n    a.")
	out, err := collectAlerts(b.read.query(ctx, `SELECT `+cols+` FROM alerts a
JOIN delivery_alerts da ON da.alert_id = a.id WHERE da.delivery_id = ? ORDER BY a.created_at, a.id`, deliveryID))
	if err != nil {
		return nil, fmt.Errorf("alerts of delivery %q: %w", deliveryID, err)
	}
	return out, nil
}

func (b alertBackend) MarkDeliverySent(ctx context.Context, id, subject string, at time.Time) error {
	return b.markDelivery(ctx, "mark sent", id, `UPDATE deliveries SET state = 'sent', subject = ?, sent_at = ?,
    updated_at = ?, last_error = '' WHERE id = ?`, cleanText(subject), b.ts(at), b.ts(at), id)
}

func (b alertBackend) MarkDeliveryRetry(ctx context.Context, id string, next time.Time, lastErr string) error {
	return b.markDelivery(ctx, "mark retry", id, `UPDATE deliveries SET state = 'pending', next_attempt = ?, last_error = ?,
    updated_at = ? WHERE id = ? AND state <> 'sent'`, b.ts(next), cleanText(lastErr), b.ts(time.Now()), id)
}

func (b alertBackend) MarkDeliveryFailed(ctx context.Context, id string, at time.Time, lastErr string) error {
	return b.markDelivery(ctx, "mark failed", id, `UPDATE deliveries SET state = 'failed', last_error = ?,
    updated_at = ? WHERE id = ? AND state <> 'sent'`, cleanText(lastErr), b.ts(at), id)
}

func (b alertBackend) MarkDeliverySkipped(ctx context.Context, id string, at time.Time, why string) error {
	return b.markDelivery(ctx, "mark skipped", id, `UPDATE deliveries SET state = 'skipped', last_error = ?,
    updated_at = ? WHERE id = ? AND state <> 'sent'`, cleanText(why), b.ts(at), id)
}

func (b alertBackend) markDelivery(ctx context.Context, what, id, q string, args ...any) error {
	err := b.tx(ctx, func(db alertDB) error {
		_, err := db.exec(ctx, q, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s %q: %w", what, id, err)
	}
	return nil
}

func (b alertBackend) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	var where []string
	var args []any
	if f.State != "" {
		where = append(where, "state = ?")
		args = append(args, f.State)
	}
	if f.AlertID != "" {
		where = append(where, "id IN (SELECT delivery_id FROM delivery_alerts WHERE alert_id = ?)")
		args = append(args, f.AlertID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT ` + deliveryCols + ` FROM deliveries`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, id LIMIT ?"
	args = append(args, limit)
	out, err := collectDeliveries(b.read.query(ctx, q, args...))
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return out, nil
}

func (b alertBackend) CountDeliveries(ctx context.Context) (map[string]int64, error) {
	rows, err := b.read.query(ctx, `SELECT state, COUNT(*) FROM deliveries GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("count deliveries: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count deliveries: %w", err)
		}
		out[s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count deliveries: %w", err)
	}
	return out, nil
}

func (b alertBackend) CreateSilence(ctx context.Context, s Silence) error {
	if s.ID == "" || strings.TrimSpace(s.Query) == "" || s.ExpiresAt.IsZero() {
		return errors.New("create silence: empty ID, query or expiry")
	}
	created := utc(s.CreatedAt)
	if created.IsZero() {
		created = utc(time.Now())
	}
	err := b.tx(ctx, func(db alertDB) error {
		_, err := db.exec(ctx, `INSERT INTO silences (id, query, reason, author, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET query = excluded.query, reason = excluded.reason,
    author = excluded.author, expires_at = excluded.expires_at`,
			s.ID, cleanText(s.Query), cleanText(s.Reason), cleanText(s.Author), b.ts(created), b.ts(s.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("create silence %q: %w", s.ID, err)
	}
	return nil
}

func (b alertBackend) ListSilences(ctx context.Context, now time.Time, expired bool) ([]Silence, error) {
	q := `SELECT id, query, reason, author, created_at, expires_at FROM silences`
	var args []any
	if !expired {
		q += ` WHERE expires_at > ?`
		args = append(args, b.ts(now))
	}
	q += ` ORDER BY created_at DESC, id`
	rows, err := b.read.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list silences: %w", err)
	}
	defer rows.Close()
	var out []Silence
	for rows.Next() {
		var s Silence
		var c, e nullTime
		if err := rows.Scan(&s.ID, &s.Query, &s.Reason, &s.Author, &c, &e); err != nil {
			return nil, fmt.Errorf("list silences: %w", err)
		}
		s.CreatedAt, s.ExpiresAt = c.t, e.t
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list silences: %w", err)
	}
	return out, nil
}

func (b alertBackend) ExpireSilence(ctx context.Context, id string, at time.Time) error {
	var n int64
	err := b.tx(ctx, func(db alertDB) error {
		var err error
		n, err = db.exec(ctx, `UPDATE silences SET expires_at = CASE WHEN expires_at > ? THEN ? ELSE expires_at END
WHERE id = ?`, b.ts(at), b.ts(at), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("expire silence %q: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("expire silence %q: %w", id, ErrNotFound)
	}
	return nil
}

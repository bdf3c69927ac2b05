package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Alerts, deliveries and silences, PostgreSQL: the shared SQL of alerts.go
// with $n placeholders on the pool.

type pgAlertDB struct {
	q interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	}
}

// pgPlaceholders rewrites the shared SQL's "?" placeholders to $1, $2, …
// (the alert SQL has no "?" inside literals).
func pgPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (d pgAlertDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := d.q.Exec(ctx, pgPlaceholders(q), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (d pgAlertDB) query(ctx context.Context, q string, args ...any) (alertRows, error) {
	rows, err := d.q.Query(ctx, pgPlaceholders(q), args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (s *pgStore) alerts() alertBackend {
	return alertBackend{
		pg:   true,
		read: pgAlertDB{s.pool},
		tx: func(ctx context.Context, fn func(alertDB) error) error {
			return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(pgAlertDB{tx}) })
		},
	}
}
func (s *pgStore) RecordAlerts(ctx context.Context, alerts []NewAlert) error {
	return s.alerts().RecordAlerts(ctx, alerts)
}

func (s *pgStore) HasAlert(ctx context.Context, route string, eq map[string]string) (bool, error) {
	return s.alerts().HasAlert(ctx, route, eq)
}

func (s *pgStore) GetAlert(ctx context.Context, id string) (Alert, error) {
	return s.alerts().GetAlert(ctx, id)
}

func (s *pgStore) ListAlerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	return s.alerts().ListAlerts(ctx, f)
}

func (s *pgStore) UpdateAlert(ctx context.Context, c AlertChange) (Alert, error) {
	return s.alerts().UpdateAlert(ctx, c)
}

func (s *pgStore) RulePrecision(ctx context.Context) ([]RulePrecision, error) {
	return s.alerts().RulePrecision(ctx)
}

func (s *pgStore) ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Delivery, error) {
	return s.alerts().ClaimDeliveries(ctx, now, limit, lease)
}

func (s *pgStore) DeliveryAlerts(ctx context.Context, deliveryID string) ([]Alert, error) {
	return s.alerts().DeliveryAlerts(ctx, deliveryID)
}

func (s *pgStore) MarkDeliverySent(ctx context.Context, id, subject string, at time.Time) error {
	return s.alerts().MarkDeliverySent(ctx, id, subject, at)
}

func (s *pgStore) MarkDeliveryRetry(ctx context.Context, id string, next time.Time, lastErr string) error {
	return s.alerts().MarkDeliveryRetry(ctx, id, next, lastErr)
}

func (s *pgStore) MarkDeliveryFailed(ctx context.Context, id string, at time.Time, lastErr string) error {
	return s.alerts().MarkDeliveryFailed(ctx, id, at, lastErr)
}

func (s *pgStore) MarkDeliverySkipped(ctx context.Context, id string, at time.Time, why string) error {
	return s.alerts().MarkDeliverySkipped(ctx, id, at, why)
}

func (s *pgStore) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	return s.alerts().ListDeliveries(ctx, f)
}

func (s *pgStore) CountDeliveries(ctx context.Context) (map[string]int64, error) {
	return s.alerts().CountDeliveries(ctx)
}

func (s *pgStore) EnqueueMessage(ctx context.Context, m OutboxMessage) (bool, error) {
	return s.alerts().EnqueueMessage(ctx, m)
}

func (s *pgStore) DeliveryMessage(ctx context.Context, deliveryID string) ([]byte, error) {
	return s.alerts().DeliveryMessage(ctx, deliveryID)
}

func (s *pgStore) CreateSilence(ctx context.Context, sl Silence) error {
	return s.alerts().CreateSilence(ctx, sl)
}

func (s *pgStore) ListSilences(ctx context.Context, now time.Time, expired bool) ([]Silence, error) {
	return s.alerts().ListSilences(ctx, now, expired)
}

func (s *pgStore) ExpireSilence(ctx context.Context, id string, at time.Time) error {
	return s.alerts().ExpireSilence(ctx, id, at)
}

var _ AlertStore = (*pgStore)(nil)

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Alerts, deliveries and silences, SQLite: the shared SQL of alerts.go on the
// writer connection (transactions) and the read pool.

type sqliteAlertDB struct {
	q interface {
		ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	}
}

func (d sqliteAlertDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := d.q.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

type sqliteAlertRows struct{ *sql.Rows }

func (r sqliteAlertRows) Close() { _ = r.Rows.Close() }

func (d sqliteAlertDB) query(ctx context.Context, q string, args ...any) (alertRows, error) {
	rows, err := d.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqliteAlertRows{rows}, nil
}

func (s *sqliteStore) alerts() alertBackend {
	return alertBackend{
		read: sqliteAlertDB{s.r},
		tx: func(ctx context.Context, fn func(alertDB) error) error {
			tx, err := s.w.BeginTx(ctx, nil)
			if err != nil {
				return fmt.Errorf("begin: %w", err)
			}
			if err := fn(sqliteAlertDB{tx}); err != nil {
				_ = tx.Rollback()
				return err
			}
			if err := tx.Commit(); err != nil {
				return fmt.Errorf("commit: %w", err)
			}
			s.wrote()
			return nil
		},
	}
}

func (s *sqliteStore) RecordAlerts(ctx context.Context, alerts []NewAlert) error {
	return s.alerts().RecordAlerts(ctx, alerts)
}

func (s *sqliteStore) HasAlert(ctx context.Context, route string, eq map[string]string) (bool, error) {
	return s.alerts().HasAlert(ctx, route, eq)
}

func (s *sqliteStore) GetAlert(ctx context.Context, id string) (Alert, error) {
	return s.alerts().GetAlert(ctx, id)
}

func (s *sqliteStore) ListAlerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	return s.alerts().ListAlerts(ctx, f)
}

func (s *sqliteStore) UpdateAlert(ctx context.Context, c AlertChange) (Alert, error) {
	return s.alerts().UpdateAlert(ctx, c)
}

func (s *sqliteStore) RulePrecision(ctx context.Context) ([]RulePrecision, error) {
	return s.alerts().RulePrecision(ctx)
}

func (s *sqliteStore) ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Delivery, error) {
	return s.alerts().ClaimDeliveries(ctx, now, limit, lease)
}

func (s *sqliteStore) DeliveryAlerts(ctx context.Context, deliveryID string) ([]Alert, error) {
	return s.alerts().DeliveryAlerts(ctx, deliveryID)
}

func (s *sqliteStore) MarkDeliverySent(ctx context.Context, id, subject string, at time.Time) error {
	return s.alerts().MarkDeliverySent(ctx, id, subject, at)
}

func (s *sqliteStore) MarkDeliveryRetry(ctx context.Context, id string, next time.Time, lastErr string) error {
	return s.alerts().MarkDeliveryRetry(ctx, id, next, lastErr)
}

func (s *sqliteStore) MarkDeliveryFailed(ctx context.Context, id string, at time.Time, lastErr string) error {
	return s.alerts().MarkDeliveryFailed(ctx, id, at, lastErr)
}

func (s *sqliteStore) MarkDeliverySkipped(ctx context.Context, id string, at time.Time, why string) error {
	return s.alerts().MarkDeliverySkipped(ctx, id, at, why)
}

func (s *sqliteStore) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	return s.alerts().ListDeliveries(ctx, f)
}

func (s *sqliteStore) CountDeliveries(ctx context.Context) (map[string]int64, error) {
	return s.alerts().CountDeliveries(ctx)
}

func (s *sqliteStore) CreateSilence(ctx context.Context, sl Silence) error {
	return s.alerts().CreateSilence(ctx, sl)
}

func (s *sqliteStore) ListSilences(ctx context.Context, now time.Time, expired bool) ([]Silence, error) {
	return s.alerts().ListSilences(ctx, now, expired)
}

func (s *sqliteStore) ExpireSilence(ctx context.Context, id string, at time.Time) error {
	return s.alerts().ExpireSilence(ctx, id, at)
}

var _ AlertStore = (*sqliteStore)(nil)

func (s *sqliteStore) EnqueueMessage(ctx context.Context, m OutboxMessage) (bool, error) {
	return s.alerts().EnqueueMessage(ctx, m)
}

func (s *sqliteStore) DeliveryMessage(ctx context.Context, deliveryID string) ([]byte, error) {
	return s.alerts().DeliveryMessage(ctx, deliveryID)
}

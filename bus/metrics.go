package bus

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the bus's prometheus collectors. Labels are bounded: the stream
// (three values) and the durable consumer name (configured, a handful).
type metrics struct {
	published *prometheus.CounterVec // stream
	acked     *prometheus.CounterVec // stream
	failed    *prometheus.CounterVec // stream

	consumed   *prometheus.CounterVec // durable
	consAcked  *prometheus.CounterVec // durable
	nakd       *prometheus.CounterVec // durable
	dead       *prometheus.CounterVec // durable
	requeued   *prometheus.CounterVec // durable
	ackErrors  *prometheus.CounterVec // durable
	lagPending *prometheus.GaugeVec   // durable

	waiting          *prometheus.GaugeVec   // durable
	transientRetries *prometheus.CounterVec // durable
	replayed         *prometheus.CounterVec // stream
	deadMsgs         prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "published_total",
			Help: "Messages sent to a stream (before their PubAck).",
		}, []string{"stream"}),
		acked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "publish_acked_total",
			Help: "Published messages whose PubAck arrived (duplicates included).",
		}, []string{"stream"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "publish_failed_total",
			Help: "Published messages that got no PubAck or an error.",
		}, []string{"stream"}),
		consumed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "consumed_total",
			Help: "Messages fetched by a durable consumer.",
		}, []string{"durable"}),
		consAcked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "consumer_acked_total",
			Help: "Messages acknowledged (confirmed) after their handler succeeded.",
		}, []string{"durable"}),
		nakd: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "consumer_nakd_total",
			Help: "Messages negatively acknowledged for a later retry.",
		}, []string{"durable"}),
		dead: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "consumer_dead_total",
			Help: "Messages published to PW_DEAD and terminated.",
		}, []string{"durable"}),
		requeued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "consumer_requeued_total",
			Help: "Messages whose deliveries ran out with no handler result, published again instead of dead-lettered.",
		}, []string{"durable"}),
		ackErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "consumer_ack_errors_total",
			Help: "Acks that were not confirmed (the message will be redelivered).",
		}, []string{"durable"}),
		lagPending: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "consumer_lag",
			Help: "Messages not yet processed by a durable consumer: pending plus awaiting ack.",
		}, []string{"durable"}),
		waiting: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "consumer_waiting",
			Help: "1 while a consumer holds a batch waiting for an unavailable dependency (store, index, disk), else 0.",
		}, []string{"durable"}),
		transientRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "consumer_transient_retries_total",
			Help: "In-process retries of a batch after a transient error (no delivery spent).",
		}, []string{"durable"}),
		replayed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "dead_replayed_total",
			Help: "Dead-lettered messages republished to their original stream, by that stream.",
		}, []string{"stream"}),
		deadMsgs: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "presswatch", Subsystem: "bus", Name: "dead_messages",
			Help: "Messages in PW_DEAD (see presswatch dead list), sampled by running consumers.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	m.published, err = register(reg, m.published)
	if err == nil {
		m.acked, err = register(reg, m.acked)
	}
	if err == nil {
		m.failed, err = register(reg, m.failed)
	}
	if err == nil {
		m.consumed, err = register(reg, m.consumed)
	}
	if err == nil {
		m.consAcked, err = register(reg, m.consAcked)
	}
	if err == nil {
		m.nakd, err = register(reg, m.nakd)
	}
	if err == nil {
		m.dead, err = register(reg, m.dead)
	}
	if err == nil {
		m.ackErrors, err = register(reg, m.ackErrors)
	}
	if err == nil {
		m.lagPending, err = register(reg, m.lagPending)
	}
	if err == nil {
		m.waiting, err = register(reg, m.waiting)
	}
	if err == nil {
		m.transientRetries, err = register(reg, m.transientRetries)
	}
	if err == nil {
		m.replayed, err = register(reg, m.replayed)
	}
	if err == nil {
		m.requeued, err = register(reg, m.requeued)
	}
	if err == nil {
		m.deadMsgs, err = register(reg, m.deadMsgs)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector already registered under the
// same description (two Bus values sharing one registry share the counters).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, fmt.Errorf("register bus metrics: %w", err)
	}
	return c, nil
}

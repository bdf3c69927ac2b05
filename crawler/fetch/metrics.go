package fetch

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the client's collectors; the only label is a bounded outcome.
type metrics struct {
	requests *prometheus.CounterVec // outcome
	duration prometheus.Histogram
	bytes    prometheus.Counter
}

// Outcome label values.
const (
	outcomeOK          = "ok"
	outcomeNotModified = "not_modified"
	outcome4xx         = "http_4xx"
	outcome429         = "http_429"
	outcome5xx         = "http_5xx"
	outcomeTooLarge    = "too_large"
	outcomeRedirects   = "redirects"
	outcomeBlocked     = "blocked"
	outcomeRobots      = "robots"
	outcomeError       = "error"
	outcomePaused      = "paused"
)

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "fetch", Name: "requests_total",
			Help: "HTTP fetches by outcome (ok, not_modified, http_4xx, http_429, http_5xx, too_large, redirects, blocked, robots, paused: not sent during a Retry-After pause, error).",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "presswatch", Subsystem: "fetch", Name: "duration_seconds",
			Help:    "Time to fetch and read one response.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "fetch", Name: "body_bytes_total",
			Help: "Decoded body bytes read.",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.duration, m.bytes} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("register fetch metrics: %w", err)
			}
		}
	}
	return m, nil
}

func (m *metrics) observe(r *Response, err error, d time.Duration) {
	m.duration.Observe(d.Seconds())
	m.requests.WithLabelValues(outcome(r, err)).Inc()
	if r != nil {
		m.bytes.Add(float64(len(r.Body)))
	}
}

func outcome(r *Response, err error) string {
	var se *StatusError
	switch {
	case err == nil && r != nil && r.NotModified:
		return outcomeNotModified
	case err == nil:
		return outcomeOK
	case IsPaused(err):
		return outcomePaused
	case errors.As(err, &se) && se.Code == 429:
		return outcome429
	case errors.As(err, &se) && se.Code >= 500:
		return outcome5xx
	case errors.As(err, &se):
		return outcome4xx
	case errors.Is(err, ErrTooLarge):
		return outcomeTooLarge
	case errors.Is(err, ErrTooManyRedirects):
		return outcomeRedirects
	case errors.Is(err, ErrBlockedAddress):
		return outcomeBlocked
	case errors.Is(err, ErrRobotsDisallowed):
		return outcomeRobots
	default:
		return outcomeError
	}
}

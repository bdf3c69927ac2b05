package crawler

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the crawler's collectors. Labels are bounded: source kind
// (feed, search_feed, site), poll status, pipeline stage, duplicate kind and
// health state — never a URL or a source name.
type metrics struct {
	polls      *prometheus.CounterVec   // kind, status
	pollTime   *prometheus.HistogramVec // kind
	newItems   *prometheus.CounterVec   // kind
	published  *prometheus.CounterVec   // kind
	articleErr *prometheus.CounterVec   // stage
	duplicates *prometheus.CounterVec   // by
	health     *prometheus.GaugeVec     // state
	reloads    prometheus.Counter       // sources table changes applied
}

// Poll status label values.
const (
	statusOK          = "ok"
	statusNotModified = "not_modified"
	statusError       = "error"
	statusPaused      = "paused" // the host is paused by a Retry-After: not polled, not an error
)

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "crawler", Name: "polls_total",
			Help: "Source polls by source kind and status (ok, not_modified, error, paused: host paused by a Retry-After).",
		}, []string{"kind", "status"}),
		pollTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "presswatch", Subsystem: "crawler", Name: "poll_duration_seconds",
			Help:    "Time to poll one source (fetch and parse, not article fetching).",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"kind"}),
		newItems: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "crawler", Name: "new_items_total",
			Help: "Entries not seen before, by source kind.",
		}, []string{"kind"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "crawler", Name: "articles_published_total",
			Help: "Articles published to PW_COLLECTED (PubAck received), by source kind.",
		}, []string{"kind"}),
		articleErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "crawler", Name: "article_errors_total",
			Help: "Article pipeline failures by stage (fetch, extract, publish, store).",
		}, []string{"stage"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "crawler", Name: "duplicates_total",
			Help: "Entries merged into an existing record, by how they were recognised (url, simhash).",
		}, []string{"by"}),
		health: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "presswatch", Subsystem: "crawler", Name: "sources",
			Help: "Configured sources by health (ok, failing, silent).",
		}, []string{"state"}),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "crawler", Name: "source_reloads_total",
			Help: "Times the running crawler applied a change of the sources table (admin UI).",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.polls, m.pollTime, m.newItems, m.published, m.articleErr, m.duplicates, m.health, m.reloads} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("register crawler metrics: %w", err)
			}
		}
	}
	return m, nil
}

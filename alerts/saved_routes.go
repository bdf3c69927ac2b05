package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/query"
	"github.com/dongnai/presswatch/store"
)

// SavedRoutePrefix starts the name of every route made from a saved search:
// "saved/<saved search ID>".
const SavedRoutePrefix = "saved/"

// DefaultSavedReload is how often SavedRoutes rereads the store by default.
const DefaultSavedReload = 30 * time.Second

// SavedRouteStore is what SavedRoutes reads from the store.
type SavedRouteStore interface {
	ListSavedSearchRoutes(ctx context.Context) ([]store.SavedSearch, error)
}

// SavedRoutesOptions configure SavedRoutes.
type SavedRoutesOptions struct {
	Store SavedRouteStore
	// Receivers are the configured receivers' names; a saved search routed
	// to another name is skipped (and logged).
	Receivers []string
	// Parent holds the settings a saved-search route inherits (grouping and
	// timings), normally Router.Root() of the configured tree. Zero: the
	// package defaults, grouped by story cluster. The severity is always
	// immediate: a user asked to be notified (the shipped root is digest-only).
	Parent Match
	// Interval is how often Run rereads the store; 0 means 30 s.
	Interval   time.Duration
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// SavedRoutes are the alert routes users made from their saved searches
// (store.SavedSearch.IsRoute). Each behaves as a child of the root route:
// it matches an article when the saved query matches and the article's risk
// is at least the chosen minimum, and then notifies the chosen receiver at
// once (severity immediate) with the root's grouping and timings. They are matched beside the configured
// tree, so they never change what alerts.yaml routes. Safe for concurrent use.
type SavedRoutes struct {
	opts   SavedRoutesOptions
	log    *slog.Logger
	cur    atomic.Pointer[[]savedRoute]
	routes prometheus.Gauge
	errs   prometheus.Counter
}

type savedRoute struct {
	m       Match
	match   *query.Prepared
	minRisk int
}

// NewSavedRoutes validates opts. It reads nothing yet: call Reload or Run.
func NewSavedRoutes(opts SavedRoutesOptions) (*SavedRoutes, error) {
	if opts.Store == nil {
		return nil, errors.New("saved routes: Store is required")
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultSavedReload
	}
	if opts.Parent.GroupWait == 0 && opts.Parent.GroupInterval == 0 && opts.Parent.RepeatInterval == 0 {
		opts.Parent = Match{GroupBy: []string{"cluster"}, GroupWait: DefaultGroupWait, GroupInterval: DefaultGroupInterval,
			RepeatInterval: DefaultRepeatInterval, Severity: SeverityImmediate}
	}
	opts.Parent.Severity = SeverityImmediate
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	s := &SavedRoutes{opts: opts, log: opts.Logger.With("component", "alerter")}
	s.cur.Store(&[]savedRoute{})
	s.routes = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "presswatch_alert_saved_routes", Help: "Alert routes made from saved searches in force.",
	})
	s.errs = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "presswatch_alert_saved_routes_reload_errors_total", Help: "Failed rereads of the saved-search alert routes.",
	})
	for _, c := range []prometheus.Collector{s.routes, s.errs} {
		if err := opts.Registerer.Register(c); err != nil {
			return nil, fmt.Errorf("saved routes metrics: %w", err)
		}
	}
	return s, nil
}

// Reload rereads the enabled saved-search routes from the store and puts
// them in force. A saved search whose query does not parse or whose receiver
// is not configured is skipped with a warning. On error the routes in force
// are kept.
func (s *SavedRoutes) Reload(ctx context.Context) error {
	list, err := s.opts.Store.ListSavedSearchRoutes(ctx)
	if err != nil {
		s.errs.Inc()
		return fmt.Errorf("reload saved-search routes: %w", err)
	}
	next := make([]savedRoute, 0, len(list))
	for _, ss := range list {
		if !ss.IsRoute() {
			continue
		}
		name := SavedRoutePrefix + ss.ID
		if !slices.Contains(s.opts.Receivers, ss.AlertReceiver) {
			s.log.WarnContext(ctx, "saved-search route skipped: unknown receiver", "route", name, "receiver", ss.AlertReceiver)
			continue
		}
		q, err := query.Parse(ss.Query)
		if err != nil {
			s.log.WarnContext(ctx, "saved-search route skipped: bad query", "route", name, "err", err)
			continue
		}
		m := s.opts.Parent
		m.Route, m.Receiver, m.GroupBy = name, ss.AlertReceiver, slices.Clone(m.GroupBy)
		next = append(next, savedRoute{m: m, match: query.Prepare(q), minRisk: ss.AlertMinRisk})
	}
	s.cur.Store(&next)
	s.routes.Set(float64(len(next)))
	return nil
}

// Run reloads the routes now and then every Interval until ctx is done. A
// failed reload is logged and the previous routes stay in force.
func (s *SavedRoutes) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "saved-search routes", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Routes returns the names of the saved-search routes in force, in ID order.
func (s *SavedRoutes) Routes() []string {
	rs := *s.cur.Load()
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.m.Route)
	}
	return out
}

// Match returns the saved-search routes a matches, in ID order.
func (s *SavedRoutes) Match(a *article.Article) []Match {
	risk := 0
	if a.Classification != nil {
		risk = a.Classification.Risk
	}
	return s.matchDoc(articleDoc(a), risk)
}

func (s *SavedRoutes) matchDoc(d query.Doc, risk int) []Match {
	var out []Match
	for _, r := range *s.cur.Load() {
		if risk >= r.minRisk && r.match.Match(d) {
			out = append(out, r.m)
		}
	}
	return out
}

// Package web is presswatch's HTTP face: the analyst UI (server-rendered
// html/template pages), the JSON API under /api/v1, accounts, sessions and
// roles, and the operational endpoints /healthz, /readyz and /metrics.
//
// Authorisation is decided in one place: the route table in routes.go lists,
// for every page and API route, the roles allowed to use it; the same
// middleware enforces it for the UI and the API.
package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configures a Server. Store is required; everything else has a
// usable default.
type Options struct {
	// Listen is the host:port Run listens on; default 127.0.0.1:8080.
	Listen string
	// BaseURL is the public address of the UI. When its scheme is https the
	// session cookies are marked Secure.
	BaseURL string
	// SessionSecret keys the HMAC that turns a session cookie into the
	// session ID kept in the store, so a copy of the database cannot be used
	// to hijack sessions. Empty: a random secret is made at start-up, which
	// logs everyone out on restart and does not work across web nodes.
	SessionSecret []byte
	// Store is the subset of store.Store the web needs.
	Store Store
	// Search is the subset of *index.Index the web needs; nil in role
	// processes without an index (search pages then answer 503).
	Search Searcher
	// Saved keeps users' saved searches; nil: the search pages work but
	// saving is unavailable (the pages say so).
	Saved SavedSearches
	// AlertReceivers are the names of the alert receivers (alerts.yaml) an
	// officer may route a saved search to; none: saved searches cannot be
	// turned into alert routes on this server.
	AlertReceivers []string
	// Gatherer is served at /metrics; nil: prometheus.DefaultGatherer is NOT
	// used, /metrics answers 404.
	Gatherer prometheus.Gatherer
	// Checks are run by /readyz; a failing one makes it answer 503 with the
	// check's name.
	Checks map[string]func(ctx context.Context) error
	// Translator shows foreign articles' titles and leads in Vietnamese
	// beside the original; nil or unconfigured: the page says no machine
	// translation service is configured.
	Translator Translator
	// Evidence captures alerted and opened articles and serves the captures
	// (/articles/{id}/evidence); nil: the evidence pages answer 503.
	Evidence EvidenceArchive
	// Reports makes a report of any period on demand, as HTML, PDF or DOCX
	// (/reports/make); nil: only the archive is shown.
	Reports ReportMaker
	// SourceAllowHosts are the host names, addresses or CIDR prefixes that a
	// source added in the admin UI may use although they are not public
	// (the crawler's crawler.allow_hosts); empty: public hosts only.
	SourceAllowHosts []string
	// Demo enables demo-only pages.
	Demo bool
	// Mailbox is the demo's SMTP sink, listed at /demo/mailbox when Demo is set.
	Mailbox MailboxLister
	// Login bounds the cost of POST /login (rate limits, concurrent hashes).
	Login LoginLimits
	// Places expands place names in searches made on the search page to
	// every spelling the gazetteer knows (LoadPlaces); nil: no expansion.
	Places *Places
	// SessionTTL is how long a session lives after login; default 12h.
	SessionTTL time.Duration
	// ShutdownTimeout bounds the graceful stop in Run; default 10s.
	ShutdownTimeout time.Duration
	// Now returns the current time; default time.Now. Tests move it.
	Now func() time.Time
	// Logger receives the server's logs; default slog.Default().
	Logger *slog.Logger
	// Registerer receives the server's metrics; nil: not registered.
	Registerer prometheus.Registerer
}

// Server is the HTTP server. Create it with New.
type Server struct {
	opts    Options
	log     *slog.Logger
	now     func() time.Time
	secure  bool
	secret  []byte
	pages   *pages
	handler http.Handler
	logins  *loginGuard
	loc     *time.Location
	metrics *metrics

	mu   sync.Mutex
	addr net.Addr
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	logins   *prometheus.CounterVec
}

// New validates opts, parses the templates and builds the routes. It fails
// fast on a template error.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("web: Options.Store is required")
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:8080"
	}
	if opts.BaseURL == "" {
		opts.BaseURL = "http://" + opts.Listen
	}
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("web: base URL %q is not an http(s) URL", opts.BaseURL)
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{
		opts:   opts,
		log:    opts.Logger.With("component", "web"),
		now:    opts.Now,
		secure: u.Scheme == "https",
		secret: opts.SessionSecret,
	}
	if len(s.secret) == 0 {
		s.secret = make([]byte, 32)
		_, _ = rand.Read(s.secret)
		s.log.Warn("no session secret configured: using a random one; sessions end at restart and are not shared between web nodes")
	}
	s.loc, _ = timeLoc()
	s.logins = newLoginGuard(opts.Login, s.now)
	if s.pages, err = parsePages(s); err != nil {
		return nil, err
	}
	if err := s.initMetrics(opts.Registerer); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

func (s *Server) initMetrics(reg prometheus.Registerer) error {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "web", Name: "requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "presswatch", Subsystem: "web", Name: "request_duration_seconds",
			Help:    "HTTP request duration by route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "presswatch", Subsystem: "web", Name: "logins_total",
			Help: "Login attempts by result (ok, bad_password (a wrong password, an unknown user or a disabled account), rate_limited, busy, bad_csrf, bad_input).",
		}, []string{"result"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.duration, m.logins} {
			if err := reg.Register(c); err != nil {
				return fmt.Errorf("web: register metrics: %w", err)
			}
		}
	}
	s.metrics = m
	return nil
}

// Handler returns the server's whole HTTP handler: UI, API and operational
// endpoints, wrapped in the security headers and request metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Addr returns the address Run is listening on, or nil before it listens.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Run listens on Options.Listen and serves until ctx is done, then shuts down
// gracefully within Options.ShutdownTimeout.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return fmt.Errorf("web: listen %q: %w", s.opts.Listen, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done, then shuts down gracefully within
// Options.ShutdownTimeout. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	s.addr = ln.Addr()
	s.mu.Unlock()
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		// No WriteTimeout: exports stream whole result sets. Handlers bound
		// their own work with the request context.
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext: func(net.Listener) context.Context {
			return context.WithoutCancel(ctx)
		},
	}
	s.log.Info("web listening", "addr", ln.Addr().String(), "base_url", s.opts.BaseURL)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	sweepDone := make(chan struct{})
	sweepCtx, stopSweep := context.WithCancel(ctx)
	go func() {
		defer close(sweepDone)
		s.sweepSessions(sweepCtx, time.Hour)
	}()
	defer func() {
		stopSweep()
		<-sweepDone
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("web: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: serve: %w", err)
	}
	return nil
}

// sweepSessions deletes expired sessions every interval until ctx is done.
func (s *Server) sweepSessions(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := s.opts.Store.DeleteExpiredSessions(ctx, s.now().UTC())
			if err != nil {
				if ctx.Err() == nil {
					s.log.Warn("delete expired sessions", "err", err)
				}
				continue
			}
			if n > 0 {
				s.log.Debug("deleted expired sessions", "count", n)
			}
		}
	}
}

// contentSecurityPolicy allows nothing inline and nothing from elsewhere:
// scripts, styles, images and fonts come from this server only.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streamed exports reach the client as they are written.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts requests by route pattern (bounded: the mux's patterns,
// never the URL) and status code.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

func (s *Server) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// handleReadyz runs every check with a shared deadline and answers 503 naming
// the failing checks, 200 otherwise.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	names := make([]string, 0, len(s.opts.Checks))
	for n := range s.opts.Checks {
		names = append(names, n)
	}
	sort.Strings(names)
	type result struct {
		name string
		err  error
	}
	results := make([]result, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = result{n, s.opts.Checks[n](ctx)}
		}()
	}
	wg.Wait()
	var b strings.Builder
	failed := false
	for _, res := range results {
		if res.err != nil {
			failed = true
			s.log.Warn("readiness check failed", "check", res.name, "err", res.err)
			fmt.Fprintf(&b, "%s: failed\n", res.name)
		} else {
			fmt.Fprintf(&b, "%s: ok\n", res.name)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if failed {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_, _ = w.Write([]byte(b.String()))
}

func (s *Server) metricsHandler() http.Handler {
	if s.opts.Gatherer == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(s.opts.Gatherer, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)})
}

// timeLoc returns Asia/Ho_Chi_Minh, or a fixed UTC+7 zone where the time
// zone database is missing (Vietnam has no daylight saving time).
func timeLoc() (*time.Location, error) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600), err
	}
	return loc, nil
}

package web

import (
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Role groups used in the route table.
var (
	everyone  = AllRoles
	officers  = []string{RoleAdmin, RoleAnalyst, RoleForeignAffairs, RolePolice}
	exporters = []string{RoleAdmin, RoleAnalyst, RoleForeignAffairs}
	operators = []string{RoleAdmin, RoleAnalyst}
	admins    = []string{RoleAdmin}
)

// maxBody bounds every request body: forms and API calls here are small.
const maxBody = 64 << 10

// route is one line of the authorisation table: a Go 1.22 method pattern, who
// may use it (nil: public, no login needed) and whether it is an API route
// (JSON errors, Bearer tokens accepted).
type route struct {
	pattern string
	roles   []string
	api     bool
	handler http.HandlerFunc
}

// table is the single place where authorisation is decided, for the UI and
// the API alike.
func (s *Server) table() []route {
	rs := []route{
		// Operational and public.
		{"GET /healthz", nil, false, s.handleHealthz},
		{"GET /readyz", nil, false, s.handleReadyz},
		{"GET /metrics", nil, false, s.metricsHandler().ServeHTTP},
		{"GET /static/", nil, false, s.staticHandler().ServeHTTP},
		{"GET /login", nil, false, s.handleLoginForm},
		{"POST /login", nil, false, s.handleLogin},
		{"GET /lang/{lang}", nil, false, s.handleLang},

		// UI pages.
		{"GET /{$}", everyone, false, s.handleHome},
		{"POST /logout", everyone, false, s.handleLogout},
		{"GET /dashboard", everyone, false, s.handleDashboard},
		{"GET /search", everyone, false, s.handleSearch},
		{"GET /search/export", exporters, false, s.handleExport},
		{"GET /articles/{id}", everyone, false, s.handleArticle},
		{"GET /stories/{id}", everyone, false, s.handleStory},
		{"GET /articles/{id}/evidence", officers, false, s.handleEvidence},
		{"POST /articles/{id}/evidence", officers, false, s.handleEvidenceCapture},
		{"POST /articles/{id}/responses", responders, false, s.handleResponseCreate},
		{"POST /articles/{id}/responses/{rid}", responders, false, s.handleResponseEdit},
		{"POST /articles/{id}/responses/{rid}/narrative", responders, false, s.handleNarrativeCreate},
		{"POST /articles/{id}/narratives/{nid}/retire", responders, false, s.handleNarrativeRetire},
		{"GET /evidence/{sid}/{format}", officers, false, s.handleEvidenceFile},
		{"GET /sources", operators, false, s.handleSources},
		{"GET /sources/new", admins, false, s.handleSourceNew},
		{"POST /sources", admins, false, s.handleSourceCreate},
		{"GET /sources/{name}/edit", admins, false, s.handleSourceEdit},
		{"POST /sources/{name}/edit", admins, false, s.handleSourceSave},
		{"POST /sources/{name}/{action}", admins, false, s.handleSourceAction},
		{"GET /alerts", officers, false, s.handleAlertInbox},
		{"GET /alerts/ack", nil, false, s.handleAlertAck},
		{"POST /alerts/ack", nil, false, s.handleAlertAck},
		{"GET /alerts/rules", operators, false, s.handleAlertRules},
		{"GET /alerts/silences", operators, false, s.handleSilences},
		{"POST /alerts/silences", operators, false, s.handleSilenceCreate},
		{"POST /alerts/silences/{id}/expire", operators, false, s.handleSilenceExpire},
		{"POST /alerts/story/{story}/ack", officers, false, s.handleStoryAck},
		{"GET /alerts/{id}", officers, false, s.handleAlertDetail},
		{"POST /alerts/{id}", officers, false, s.handleAlertUpdate},
		{"GET /reports", everyone, false, s.handleReports},
		{"GET /reports/make", everyone, false, s.handleReportMake},
		{"GET /saved", officers, false, s.handleSavedList},
		{"POST /saved", officers, false, s.handleSavedCreate},
		{"POST /saved/{id}/delete", officers, false, s.handleSavedDelete},
		{"POST /saved/{id}/alert", officers, false, s.handleSavedAlert},
		{"GET /admin/users", admins, false, s.handleAdminUsers},
		{"POST /admin/users", admins, false, s.handleAdminUserCreate},
		{"POST /admin/users/{id}/{action}", admins, false, s.handleAdminUserAction},
		{"POST /admin/tokens", admins, false, s.handleAdminTokenCreate},
		{"POST /admin/tokens/{id}/revoke", admins, false, s.handleAdminTokenRevoke},

		// JSON API.
		{"GET /api/v1/me", everyone, true, s.apiMe},
		{"GET /api/v1/search", everyone, true, s.apiSearch},
		{"GET /api/v1/export", exporters, true, s.apiExport},
		{"GET /api/v1/articles/{id}", everyone, true, s.apiArticle},
		{"GET /api/v1/stories/{id}", everyone, true, s.apiStory},
		{"GET /api/v1/sources", operators, true, s.apiSources},
		{"GET /api/v1/saved-searches", officers, true, s.apiSavedList},
		{"POST /api/v1/saved-searches", officers, true, s.apiSavedCreate},
		{"DELETE /api/v1/saved-searches/{id}", officers, true, s.apiSavedDelete},
		{"POST /api/v1/saved-searches/{id}/alert", officers, true, s.apiSavedAlert},
	}
	if s.opts.Demo && s.opts.Mailbox != nil {
		// The demo's mail sink, so a newcomer sees alerts arrive; never in production.
		rs = append(rs,
			// Admins only: the messages hold signed one-click acknowledge links.
			route{"GET /demo/mailbox", admins, false, s.mailboxList(s.opts.Mailbox)},
			route{"GET /demo/mailbox/{name}", admins, false, s.mailboxMessage(s.opts.Mailbox)},
		)
	}
	return rs
}

// routes builds the mux from the table and wraps it in the middleware every
// response goes through.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// probe holds the same patterns with no handler behind them: the
	// fallbacks below ask it which methods a path has.
	probe := http.NewServeMux()
	for _, rt := range s.table() {
		mux.Handle(rt.pattern, s.guard(rt))
		probe.Handle(rt.pattern, http.NotFoundHandler())
	}
	// Any other page is the UI's own "not found" page, in the reader's
	// language, not net/http's bare English text; a page that exists for
	// other methods is 405 with the methods it has (the catch-all below
	// would otherwise take every method and answer 404).
	mux.Handle("/", s.guard(route{handler: func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(probe, r); allow != "" {
			w.Header().Set("Allow", allow)
			s.fail(w, r, false, http.StatusMethodNotAllowed)
			return
		}
		s.fail(w, r, false, http.StatusNotFound)
	}}))
	// Anything else under /api/ answers JSON, not an HTML page.
	mux.Handle("/api/", s.guard(route{api: true, handler: func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(probe, r); allow != "" {
			w.Header().Set("Allow", allow)
			writeJSONError(w, http.StatusMethodNotAllowed, "method_not_allowed", "this API route does not take "+r.Method+"; it takes "+allow)
			return
		}
		writeJSONError(w, http.StatusNotFound, "not_found", "no such API route")
	}}))
	return s.instrument(s.securityHeaders(mux))
}

// allowedMethods lists the methods the route table has for r's path, or ""
// when it has none.
func allowedMethods(probe *http.ServeMux, r *http.Request) string {
	var have []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		c := r.Clone(r.Context())
		c.Method = m
		if _, pat := probe.Handler(c); pat != "" {
			have = append(have, m)
			if m == http.MethodGet {
				have = append(have, http.MethodHead)
			}
		}
	}
	return strings.Join(have, ", ")
}

// allowed reports whether role may use a route with these roles.
func allowed(roles []string, role string) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// guard authenticates the request, enforces the route's roles and, for
// unsafe methods made with a session cookie, the CSRF token.
func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		if !validInput(r) { // NUL bytes or invalid UTF-8 never reach a handler or the store
			s.fail(w, r, rt.api, http.StatusBadRequest)
			return
		}
		p, err := s.authenticate(r, rt.api)
		if err != nil {
			s.log.Error("authenticate", "err", err)
			s.fail(w, r, rt.api, http.StatusInternalServerError)
			return
		}
		if p != nil {
			r = r.WithContext(contextWith(r.Context(), p))
		}
		if rt.roles != nil {
			if p == nil {
				if rt.api {
					w.Header().Set("WWW-Authenticate", `Bearer realm="presswatch"`)
					writeJSONError(w, http.StatusUnauthorized, "unauthenticated", "log in or send an API token")
					return
				}
				if r.Method == http.MethodGet {
					http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				s.fail(w, r, false, http.StatusUnauthorized)
				return
			}
			if !allowed(rt.roles, p.User.Role) {
				s.fail(w, r, rt.api, http.StatusForbidden)
				return
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead && !checkCSRF(r, p) {
				s.log.Warn("csrf token missing or wrong", "user", p.User.Name, "route", rt.pattern)
				s.fail(w, r, rt.api, http.StatusForbidden)
				return
			}
		}
		if r.Method != http.MethodGet || strings.HasPrefix(r.URL.Path, "/api/") || rt.roles != nil {
			w.Header().Set("Cache-Control", "no-store")
		}
		rt.handler(w, r)
	})
}

func (s *Server) staticHandler() http.Handler {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		return http.NotFoundHandler()
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if strings.HasSuffix(r.URL.Path, "/") || !fs.ValidPath(name) {
			s.fail(w, r, false, http.StatusNotFound) // no directory listings
			return
		}
		if st, err := fs.Stat(sub, name); err != nil || st.IsDir() {
			// The UI's own page, as for any other missing page.
			s.fail(w, r, false, http.StatusNotFound)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// safeNext returns next if it is a local path, "/" otherwise, so the login
// redirect cannot send anyone to another site.
func safeNext(next string) string {
	// Browsers read a backslash as a slash, so "/\evil" is "//evil", another
	// site; http.Redirect cleans "..", so "/a/../\evil" became that too. A
	// backslash or control character anywhere, raw or percent-encoded, is
	// refused, and the path is checked as it will be sent: cleaned.
	if next == "" || !strings.HasPrefix(next, "/") || strings.ContainsAny(next, "\\\x00\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" || u.Opaque != "" || u.User != nil || strings.ContainsAny(u.Path, "\\\x00\r\n\t") {
		return "/"
	}
	clean := path.Clean(u.Path)
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return "/"
	}
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	out := (&url.URL{Path: clean, RawQuery: u.RawQuery}).String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return "/"
	}
	return out
}

package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/query"
	"github.com/dongnai/presswatch/store"
)

type ruleRow struct {
	store.RulePrecision
	Label     string // the route's name in the page's language
	Precision float64
	Known     bool
}

// savedRouteRow is an alert route made from a saved search, with the
// outcomes of the alerts it raised.
type savedRouteRow struct {
	store.SavedSearch
	Outcome *ruleRow // nil: it has raised no alert yet
}

type rulesData struct {
	Rows  []ruleRow
	Saved []savedRouteRow
	// SavedKnown is false when this server cannot list saved-search routes.
	SavedKnown bool
}

// savedRouteLister is implemented by stores that keep saved searches.
type savedRouteLister interface {
	ListSavedSearchRoutes(ctx context.Context) ([]store.SavedSearch, error)
}

// handleAlertRules shows each route's triage outcomes and precision
// (confirmed and responded vs false positives), and the alert routes
// officers made from saved searches: who owns each, what it matches and
// whom it notifies.
func (s *Server) handleAlertRules(w http.ResponseWriter, r *http.Request) {
	as, ok := s.alertStore(w, r)
	if !ok {
		return
	}
	ps, err := as.RulePrecision(r.Context())
	if err != nil {
		s.log.Error("rule precision", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	var data rulesData
	m := messages{requestLang(r)}
	byRoute := make(map[string]*ruleRow, len(ps))
	data.Rows = make([]ruleRow, len(ps))
	routes := make([]string, len(ps))
	for i, p := range ps {
		routes[i] = p.Route
	}
	labels := s.routeLabels(r.Context(), m, routes)
	for i, p := range ps {
		v, ok := p.Precision()
		data.Rows[i] = ruleRow{RulePrecision: p, Label: labels[p.Route], Precision: math.Round(v * 100), Known: ok}
		byRoute[p.Route] = &data.Rows[i]
	}
	if l, ok := s.opts.Store.(savedRouteLister); ok {
		routes, err := l.ListSavedSearchRoutes(r.Context())
		if err != nil {
			s.log.Error("list saved-search routes", "err", err)
			s.fail(w, r, false, http.StatusInternalServerError)
			return
		}
		data.SavedKnown = true
		for _, ss := range routes {
			data.Saved = append(data.Saved, savedRouteRow{SavedSearch: ss, Outcome: byRoute[alerts.SavedRoutePrefix+ss.ID]})
		}
	}
	s.render(w, r, http.StatusOK, "alert_rules", "alerts", m.T("rules_title"), data)
}

type silencesData struct {
	Active, All []store.Silence
	Error       string
}

// handleSilences lists silences with a form to add one.
func (s *Server) handleSilences(w http.ResponseWriter, r *http.Request) {
	s.silences(w, r, http.StatusOK, "")
}

func (s *Server) silences(w http.ResponseWriter, r *http.Request, code int, msg string) {
	as, ok := s.alertStore(w, r)
	if !ok {
		return
	}
	now := s.opts.Now()
	active, err := as.ListSilences(r.Context(), now, false)
	if err != nil {
		s.log.Error("list silences", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.render(w, r, code, "alert_silences", "alerts", messages{requestLang(r)}.T("silences_title"), silencesData{Active: active, Error: msg})
}

// handleSilenceCreate adds a silence from the form (query, hours, reason).
func (s *Server) handleSilenceCreate(w http.ResponseWriter, r *http.Request) {
	as, ok := s.alertStore(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	q, reason := strings.TrimSpace(r.PostForm.Get("query")), strings.TrimSpace(r.PostForm.Get("reason"))
	d, err := time.ParseDuration(strings.TrimSpace(r.PostForm.Get("duration")))
	if _, qerr := query.Parse(q); q == "" || reason == "" || err != nil || d <= 0 || d > 90*24*time.Hour || qerr != nil {
		s.silences(w, r, http.StatusUnprocessableEntity, messages{requestLang(r)}.T("silence_invalid"))
		return
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	p := principalFrom(r.Context())
	now := s.opts.Now().UTC()
	sl := store.Silence{ID: "s-" + hex.EncodeToString(b[:]), Query: q, Reason: reason, Author: p.User.Name, CreatedAt: now, ExpiresAt: now.Add(d)}
	if err := as.CreateSilence(r.Context(), sl); err != nil {
		s.log.Error("create silence", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	if err := s.opts.Store.AppendAudit(r.Context(), store.AuditEntry{At: now, Actor: p.User.Name, Action: "silence.add",
		Object: "silence/" + sl.ID, Detail: q + " — " + reason}); err != nil {
		s.log.Error("audit silence", "err", err)
	}
	http.Redirect(w, r, "/alerts/silences", http.StatusSeeOther)
}

// handleSilenceExpire ends a silence now.
func (s *Server) handleSilenceExpire(w http.ResponseWriter, r *http.Request) {
	as, ok := s.alertStore(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	now := s.opts.Now().UTC()
	if err := as.ExpireSilence(r.Context(), id, now); err != nil {
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	p := principalFrom(r.Context())
	if err := s.opts.Store.AppendAudit(r.Context(), store.AuditEntry{At: now, Actor: p.User.Name, Action: "silence.expire", Object: "silence/" + id}); err != nil {
		s.log.Error("audit silence", "err", err)
	}
	http.Redirect(w, r, "/alerts/silences", http.StatusSeeOther)
}

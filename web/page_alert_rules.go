package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/internal/l10n"
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
	Rows []ruleRow
	// Trend is precision per month, per rule (alert route) and per
	// classifier model, over the last year of triaged alerts.
	Trend []trendRow
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
	triaged, err := as.ListAlerts(r.Context(), store.AlertFilter{
		States: []string{store.AlertConfirmed, store.AlertResponded, store.AlertFalsePositive},
		Since:  time.Now().AddDate(-1, 0, 0), Limit: 20000,
	})
	if err != nil {
		s.log.Error("list triaged alerts", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	data.Trend = precisionTrend(triaged)
	var trendRoutes []string
	for _, t := range data.Trend {
		if t.Kind == "rule" {
			trendRoutes = append(trendRoutes, t.Subject)
		}
	}
	trendLabels := s.routeLabels(r.Context(), m, trendRoutes)
	for i := range data.Trend {
		if data.Trend[i].Kind == "rule" {
			data.Trend[i].Label = trendLabels[data.Trend[i].Subject]
		}
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

// trendRow is one month's triage outcome of one rule or one model.
type trendRow struct {
	Month, Kind, Subject string // Kind: "rule" or "model"
	Label                string // a rule's route in the page's language
	Good, False          int    // confirmed or responded; false positives
	Precision            float64
}

// precisionTrend groups triaged alerts by month (of the alert) and by the
// rule that raised them and the classifier model that judged the article
// (the model named in the "model:needs_review" reason), newest month first.
func precisionTrend(alerts []store.Alert) []trendRow {
	type key struct{ month, kind, subject string }
	counts := map[key]*trendRow{}
	var keys []key
	add := func(k key, good bool) {
		row := counts[k]
		if row == nil {
			row = &trendRow{Month: k.month, Kind: k.kind, Subject: k.subject}
			counts[k] = row
			keys = append(keys, k)
		}
		if good {
			row.Good++
		} else {
			row.False++
		}
	}
	for _, a := range alerts {
		good := a.State == store.AlertConfirmed || a.State == store.AlertResponded
		month := a.CreatedAt.UTC().Format("2006-01")
		add(key{month, "rule", a.Route}, good)
		for _, rs := range a.Reasons {
			if rs.Signal != "model:needs_review" {
				continue
			}
			if id, _, ok := strings.Cut(strings.TrimPrefix(rs.Detail, "model "), ":"); ok && strings.HasPrefix(rs.Detail, "model ") {
				add(key{month, "model", id}, good)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].month != keys[j].month {
			return keys[i].month > keys[j].month
		}
		if keys[i].kind != keys[j].kind {
			return keys[i].kind > keys[j].kind // rules, then models
		}
		return keys[i].subject < keys[j].subject
	})
	out := make([]trendRow, len(keys))
	for i, k := range keys {
		row := counts[k]
		row.Precision = 100 * float64(row.Good) / float64(row.Good+row.False)
		out[i] = *row
	}
	return out
}

type silencesData struct {
	Active, All []store.Silence
	Error       string
	// What the form was sent with, shown again after a refusal so that
	// one mistake does not cost the other two fields.
	Query, Duration, Reason string
}

// handleSilences lists silences with a form to add one.
func (s *Server) handleSilences(w http.ResponseWriter, r *http.Request) {
	// The alert page's "silence this story" link fills the query in.
	q := strings.TrimSpace(r.URL.Query().Get("query"))
	if utf8.RuneCountInString(q) > maxQueryRunes {
		q = ""
	}
	s.silences(w, r, http.StatusOK, silencesData{Duration: "24h", Query: q})
}

func (s *Server) silences(w http.ResponseWriter, r *http.Request, code int, d silencesData) {
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
	d.Active = active
	s.render(w, r, code, "alert_silences", "alerts", messages{requestLang(r)}.T("silences_title"), d)
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
	ds := strings.TrimSpace(r.PostForm.Get("duration"))
	d, msg := silenceDuration(ds)
	m := messages{requestLang(r)}
	if msg != "" {
		msg = m.T(msg)
	}
	switch _, qerr := query.Parse(q); {
	case q == "":
		msg = m.T("silence_need_query")
	case qerr != nil:
		msg = m.T("query_error") + ": " + l10n.QueryError(m.lang, qerr.Error())
	case reason == "":
		msg = m.T("silence_need_reason")
	}
	if msg != "" {
		s.silences(w, r, http.StatusUnprocessableEntity, silencesData{Error: msg, Query: q, Duration: ds, Reason: reason})
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

// maxSilence is the longest a silence may last: a longer one is a rule
// change, made in alerts.yaml where it is reviewed.
const maxSilence = 90 * 24 * time.Hour

// silenceDuration reads the form's duration: Go's form (90m, 24h, 1h30m)
// or whole days ("7d", as officers write it). It returns the label key of
// what is wrong, or "".
func silenceDuration(s string) (time.Duration, string) {
	if s == "" {
		return 0, "silence_bad_duration"
	}
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || days <= 0 {
			return 0, "silence_bad_duration"
		}
		if days > 90 {
			return 0, "silence_too_long"
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil || d <= 0 {
			return 0, "silence_bad_duration"
		}
	}
	if d > maxSilence {
		return 0, "silence_too_long"
	}
	return d, ""
}

package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/store"
)

// AlertStore is the part of the store the alert pages use. The SQLite and
// PostgreSQL stores implement it; until Store embeds it, the pages find it by
// a type assertion on Options.Store and answer 503 without it.
type AlertStore interface {
	ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
	GetAlert(ctx context.Context, id string) (store.Alert, error)
	UpdateAlert(ctx context.Context, c store.AlertChange) (store.Alert, error)
	DeliveryAlerts(ctx context.Context, deliveryID string) ([]store.Alert, error)
	ListDeliveries(ctx context.Context, f store.DeliveryFilter) ([]store.Delivery, error)
	RulePrecision(ctx context.Context) ([]store.RulePrecision, error)
	CreateSilence(ctx context.Context, s store.Silence) error
	ListSilences(ctx context.Context, now time.Time, expired bool) ([]store.Silence, error)
	ExpireSilence(ctx context.Context, id string, at time.Time) error
}

func (s *Server) alertStore(w http.ResponseWriter, r *http.Request) (AlertStore, bool) {
	as, ok := s.opts.Store.(AlertStore)
	if !ok {
		s.fail(w, r, false, http.StatusServiceUnavailable)
	}
	return as, ok
}

// alertReceivers returns the receivers whose alerts a role sees: police and
// foreign affairs officers only what their routes send them; nil means all.
func alertReceivers(role string) []string {
	switch role {
	case RolePolice:
		return []string{"police"}
	case RoleForeignAffairs:
		return []string{"foreign_affairs"}
	}
	return nil
}

func visible(a store.Alert, role string) bool {
	rs := alertReceivers(role)
	if rs == nil {
		return true
	}
	for _, r := range rs {
		if slices.Contains(a.Receivers, r) {
			return true
		}
	}
	return false
}

var alertStates = []string{store.AlertNew, store.AlertAcknowledged, store.AlertConfirmed, store.AlertResponded,
	store.AlertFalsePositive, store.AlertSilenced, store.AlertInhibited}

type alertInboxData struct {
	Alerts []store.Alert
	State  string
	States []string
	Scoped bool // the list is limited to the user's receivers
	// Digest includes digest-only alerts (kept for the weekly report, never
	// mailed); by default the inbox shows what was sent to an officer.
	Digest bool
}

// inboxMax is how many alerts the inbox lists.
const inboxMax = 200

// handleAlertInbox lists alerts, newest first, filtered by state.
func (s *Server) handleAlertInbox(w http.ResponseWriter, r *http.Request) {
	as, ok := s.opts.Store.(AlertStore)
	if !ok {
		s.handleAlerts(w, r) // a store without alerts: the placeholder page
		return
	}
	p := principalFrom(r.Context())
	state := r.URL.Query().Get("state")
	f := store.AlertFilter{Receivers: alertReceivers(p.User.Role), Limit: inboxMax}
	switch {
	case state == "":
		f.States = []string{store.AlertNew, store.AlertAcknowledged, store.AlertConfirmed}
	case state == "all":
	case slices.Contains(alertStates, state):
		f.States = []string{state}
	default:
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	digest := r.URL.Query().Get("digest") == "1"
	if !digest {
		f.Limit = 5 * inboxMax // digest-only alerts are dropped below
	}
	list, err := as.ListAlerts(r.Context(), f)
	if err != nil {
		s.log.Error("list alerts", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	if !digest {
		list = slices.DeleteFunc(list, func(a store.Alert) bool { return a.Severity == "digest" })
	}
	if len(list) > inboxMax {
		list = list[:inboxMax]
	}
	s.render(w, r, http.StatusOK, "alert_inbox", "alerts", "Cảnh báo / Alerts",
		alertInboxData{Alerts: list, State: state, States: alertStates, Scoped: f.Receivers != nil, Digest: digest})
}

type alertDetailData struct {
	Alert      store.Alert
	Deliveries []store.Delivery
	Next       []string // states it may move to
	Error      string
}

// handleAlertDetail shows one alert, its deliveries and the triage form.
func (s *Server) handleAlertDetail(w http.ResponseWriter, r *http.Request) {
	s.alertDetail(w, r, http.StatusOK, "")
}

func (s *Server) alertDetail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	as, ok := s.alertStore(w, r)
	if !ok {
		return
	}
	a, err := as.GetAlert(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !visible(a, principalFrom(r.Context()).User.Role) {
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	if err != nil {
		s.log.Error("get alert", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	ds, err := as.ListDeliveries(r.Context(), store.DeliveryFilter{AlertID: a.ID})
	if err != nil {
		s.log.Error("list deliveries", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	var next []string
	for _, st := range alertStates {
		if st != a.State && alerts.CanTransition(a.State, st) {
			next = append(next, st)
		}
	}
	s.render(w, r, code, "alert_detail", "alerts", a.Title, alertDetailData{Alert: a, Deliveries: ds, Next: next, Error: msg})
}

// handleAlertUpdate applies a triage change from the detail page's form.
func (s *Server) handleAlertUpdate(w http.ResponseWriter, r *http.Request) {
	as, ok := s.alertStore(w, r)
	if !ok {
		return
	}
	p := principalFrom(r.Context())
	id := r.PathValue("id")
	a, err := as.GetAlert(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !visible(a, p.User.Role) {
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	if err != nil {
		s.log.Error("get alert", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	c := store.AlertChange{ID: id, Actor: p.User.Name}
	field := func(name string) *string {
		if _, ok := r.PostForm[name]; !ok {
			return nil
		}
		v := strings.TrimSpace(r.PostForm.Get(name))
		return &v
	}
	if st := field("state"); st != nil && *st != "" {
		c.State = st
	}
	c.Assignee, c.Note, c.ResponseLink = field("assignee"), field("note"), field("response_link")
	tr := alerts.Triage{Store: as, Now: s.opts.Now}
	if _, err := tr.Update(r.Context(), c); err != nil {
		if errors.Is(err, alerts.ErrBadTransition) || errors.Is(err, alerts.ErrFieldTooLong) || strings.Contains(err.Error(), "response link") {
			s.alertDetail(w, r, http.StatusUnprocessableEntity, "Thay đổi không hợp lệ / change not allowed")
			return
		}
		s.log.Error("update alert", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/alerts/"+id, http.StatusSeeOther)
}

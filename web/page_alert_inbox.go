package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/article"
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
	Rows   []alertRow
	State  string
	States []string
	Scoped bool // the list is limited to the user's receivers
	// Digest includes digest-only alerts (kept for the weekly report, never
	// mailed); by default the inbox shows what was sent to an officer.
	Digest bool
	// Mailbox links the demo mailbox.
	Mailbox bool
	// Alerts is how many alerts the rows hold; Cut says the list stopped at
	// inboxMax and older ones are not shown.
	Alerts int
	Cut    bool
	// Story is the story whose alerts alone are listed (?story=), one row
	// per article; Flat lists every article on its own row (?flat=1).
	// Otherwise a story's articles for one office share a row.
	Story string
	Flat  bool
	// StoryNew says the story's list has an alert still new (the page
	// offers to acknowledge them all); Acked, when not negative, is how
	// many a story-wide acknowledgement just moved.
	StoryNew bool
	Acked    int
}

// alertRow is one alert of the inbox with its rule named and, while its
// mail waits, when it will be sent.
type alertRow struct {
	store.Alert
	RouteLabel string
	Held       string
	// Also names the other routes whose alerts about the same article, for
	// the same office and in the same state, this row stands for.
	Also []string
	// More is how many other articles of the same story, for the same
	// office, the row stands for (the row shows the newest); MaxRisk is the
	// highest risk among them all when above the row's own; StoryLink lists
	// them.
	More      int
	MaxRisk   int
	StoryLink string
	// MoreNew is how many of those others are still new (not yet
	// acknowledged or triaged): the row shows the newest article's state,
	// which hid older ones nobody had handled (an outside reading).
	MoreNew int
	// Published is when the article was published (zero: unknown);
	// OldDays, when above zero, says it was published that many days
	// before it was collected: old coverage found now, not news (the
	// emails said so, the inbox did not: an outside reading).
	Published time.Time
	OldDays   int
}

// articleDates fills the rows' publication dates and old-coverage flags
// from their articles (a row whose article cannot be read keeps none).
func (s *Server) articleDates(ctx context.Context, rows []alertRow) {
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ArticleID)
	}
	arts, err := s.opts.Store.GetArticles(ctx, ids)
	if err != nil {
		s.log.Warn("articles of alerts", "err", err)
		return
	}
	byID := make(map[string]*article.Article, len(arts))
	for _, a := range arts {
		byID[a.ID] = a
	}
	for i := range rows {
		if a := byID[rows[i].ArticleID]; a != nil {
			rows[i].Published, rows[i].OldDays = a.Published, alerts.OldCoverageDays(a)
		}
	}
}

// deliveryRow is one delivery of an alert with, while it waits, when it
// will be sent.
type deliveryRow struct {
	store.Delivery
	Held string
	// LeftOut says that this alert was, or will be, left out of the
	// message: it was handled before the message went (alerts.Sender
	// mails only alerts still new).
	LeftOut string
}

// heldText says when a waiting delivery goes out: after quiet hours (a
// first attempt due more than heldAfter after the delivery was made), at
// its retry, or at its due time; "" for one not waiting.
func (s *Server) heldText(m messages, d store.Delivery) string {
	if d.State != store.DeliveryPending || d.NextAttempt.IsZero() {
		return ""
	}
	at := d.NextAttempt.In(s.loc).Format("02/01/2006 15:04")
	switch {
	case d.Attempts > 0:
		return m.F("alert_retry_at", at)
	case d.NextAttempt.Sub(d.CreatedAt) > heldAfter:
		return m.F("alert_held_until", at)
	}
	return m.F("alert_due_at", at)
}

// heldAfter is how long after it was made a delivery must wait to read as
// held for quiet hours: longer than a story's longest pause between two
// messages (the shipped group_interval_max, 1h). At 15 minutes a story's
// next message, 20 or 40 minutes on, read "held for quiet hours" even for
// an office without them (an outside reading of the inbox).
const heldAfter = 65 * time.Minute

// routeLabels names the routes of alerts: config routes from the
// catalogue, saved-search routes by the saved search's name.
func (s *Server) routeLabels(ctx context.Context, m messages, routes []string) map[string]string {
	out := make(map[string]string, len(routes))
	var saved map[string]string
	for _, rt := range routes {
		if _, ok := out[rt]; ok {
			continue
		}
		id, isSaved := strings.CutPrefix(rt, alerts.SavedRoutePrefix)
		if !isSaved {
			out[rt] = m.Route(rt)
			continue
		}
		if saved == nil {
			saved = map[string]string{}
			if l, ok := s.opts.Store.(savedRouteLister); ok {
				if ss, err := l.ListSavedSearchRoutes(ctx); err == nil {
					for _, x := range ss {
						saved[x.ID] = x.Name
					}
				} else {
					s.log.Warn("list saved-search routes", "err", err)
				}
			}
		}
		if n := saved[id]; n != "" {
			out[rt] = m.T("route_saved") + ": " + n
		} else {
			out[rt] = m.T("route_saved")
		}
	}
	return out
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
	story := strings.TrimSpace(r.URL.Query().Get("story"))
	f := store.AlertFilter{Receivers: alertReceivers(p.User.Role), Limit: inboxMax, Cluster: story}
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
	cut := len(list) > inboxMax || (digest && len(list) == f.Limit)
	if len(list) > inboxMax {
		list = list[:inboxMax]
	}
	m := messages{requestLang(r)}
	routes := make([]string, len(list))
	for i, a := range list {
		routes[i] = a.Route
	}
	labels := s.routeLabels(r.Context(), m, routes)
	// Waiting mails: when each alert's mail will go out.
	held := map[string]string{}
	if ds, err := as.ListDeliveries(r.Context(), store.DeliveryFilter{State: store.DeliveryPending, Limit: inboxMax}); err == nil {
		for _, d := range ds {
			txt := s.heldText(m, d)
			if txt == "" {
				continue
			}
			if d.AlertID != "" {
				held[d.AlertID] = txt
			}
			if as2, err := as.DeliveryAlerts(r.Context(), d.ID); err == nil {
				for _, a := range as2 {
					held[a.ID] = txt
				}
			}
		}
	} else {
		s.log.Warn("list pending deliveries", "err", err)
	}
	data := alertInboxData{State: state, States: alertStates, Scoped: f.Receivers != nil, Digest: digest, Mailbox: s.opts.Demo,
		Alerts: len(list), Cut: cut, Story: story, Flat: r.URL.Query().Get("flat") == "1", Acked: -1}
	if story != "" {
		if n, err := strconv.Atoi(r.URL.Query().Get("acked")); err == nil && n >= 0 {
			data.Acked = n
		}
		for _, a := range list {
			data.StoryNew = data.StoryNew || a.State == store.AlertNew
		}
	}
	for _, g := range sameArticle(list) {
		a := g[0]
		row := alertRow{Alert: a, RouteLabel: labels[a.Route]}
		if a.State == store.AlertNew {
			// A handled alert is left out of its waiting message (as its
			// page says): no send time for it (an outside reading).
			row.Held = held[a.ID]
		}
		for _, x := range g[1:] {
			row.Also = append(row.Also, labels[x.Route])
		}
		data.Rows = append(data.Rows, row)
	}
	if story == "" && !data.Flat {
		data.Rows = sameStory(data.Rows, state, digest)
	}
	s.articleDates(r.Context(), data.Rows)
	s.render(w, r, http.StatusOK, "alert_inbox", "alerts", m.T("inbox_title"), data)
}

// sameArticle groups alerts, keeping list order, into one group per
// article, office and state: the routes that matched one article for one
// office were mailed in one message and are triaged together
// (alerts.Triage.Siblings). A group leads with the alert whose message went
// out, not one merged into it.
func sameArticle(list []store.Alert) [][]store.Alert {
	var out [][]store.Alert
	at := map[string]int{}
	for _, a := range list {
		k := a.ArticleID + "\x00" + strings.Join(a.Receivers, ",") + "\x00" + a.State
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, []store.Alert{a})
			continue
		}
		g := append(out[i], a)
		if alerts.IsMerged(g[0]) && !alerts.IsMerged(a) {
			g[0], g[len(g)-1] = a, g[0]
		}
		out[i] = g
	}
	return out
}

// sameStory folds the rows of one story for the same offices into its
// newest row (rows come newest first), which counts the others and links
// them: a story that runs for hours sends an alert per article, and listed
// one per row it buried every other story (an outside reading of the police
// inbox). Rows without a story stay as they are.
func sameStory(rows []alertRow, state string, digest bool) []alertRow {
	var out []alertRow
	at := map[string]int{}
	for _, row := range rows {
		if row.Cluster == "" {
			out = append(out, row)
			continue
		}
		k := row.Cluster + "\x00" + strings.Join(row.Receivers, ",")
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, row)
			continue
		}
		lead := &out[i]
		lead.More++
		if row.State == store.AlertNew {
			lead.MoreNew++
		}
		lead.MaxRisk = max(lead.MaxRisk, lead.Risk, row.Risk)
		q := url.Values{"story": {row.Cluster}}
		if state != "" {
			q.Set("state", state)
		}
		if digest {
			q.Set("digest", "1")
		}
		lead.StoryLink = "/alerts?" + q.Encode()
	}
	for i := range out {
		if out[i].MaxRisk <= out[i].Risk {
			out[i].MaxRisk = 0
		}
	}
	return out
}

type alertDetailData struct {
	Alert store.Alert
	// Published and OldDays as on the inbox's rows.
	Published  time.Time
	OldDays    int
	RouteLabel string
	// Siblings are the same office's alerts about the same article from
	// other routes; a change of state here moves those in the same state.
	Siblings   []alertRow
	Reasons    []reasonView
	Deliveries []deliveryRow
	Next       []string // states it may move to
	Error      string
	Saved      bool // the page follows a change that was saved
	// Form fills the triage form: the alert's values, or what was typed
	// when a change was refused.
	Form triageForm
	// AckedBy names who acknowledged the alert: an account's display name
	// with its login, or the address an email acknowledgement came from.
	AckedBy string
	// History is the alert's handling history, oldest first; HistoryCut
	// says the oldest changes were left out.
	History    []historyRow
	HistoryCut bool
	// Changed says the outlet corrected, retracted or deleted the page
	// since it was collected.
	Changed *pageChange
	// StateBy says who put the alert in its state past acknowledged, and
	// when ("" when the history does not say, or it is new or acknowledged).
	StateBy string
}

// personName names the account login as people know it, "Nguyễn Văn Minh
// (minh)"; a login without a display name, or that is not an account (an
// email acknowledgement's "email:…"), is given as it is.
func (s *Server) personName(ctx context.Context, login string) string {
	if addr, ok := strings.CutPrefix(login, "email:"); ok {
		return addr + " (email)" // the one-click acknowledgement's address
	}
	if login == "" || strings.Contains(login, ":") {
		return login
	}
	u, err := s.opts.Store.GetUser(ctx, login)
	if err != nil || u.DisplayName == "" || u.DisplayName == login {
		return login
	}
	return u.DisplayName + " (" + login + ")"
}

// handleAlertDetail shows one alert, its deliveries and the triage form.
func (s *Server) handleAlertDetail(w http.ResponseWriter, r *http.Request) {
	s.alertDetail(w, r, http.StatusOK, "")
}

// triageForm is what an officer typed in the triage form, shown again
// when the change is refused.
type triageForm struct{ Assignee, Note, ResponseLink string }

func (s *Server) alertDetail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.alertDetailForm(w, r, code, msg, nil)
}

func (s *Server) alertDetailForm(w http.ResponseWriter, r *http.Request, code int, msg string, typed *triageForm) {
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
	m := messages{requestLang(r)}
	data := alertDetailData{Alert: a, Next: next, Error: msg, Reasons: reasonViews(m, a.Reasons), Saved: msg == "" && r.URL.Query().Get("saved") == "1"}
	data.Form = triageForm{Assignee: a.Assignee, Note: a.Note, ResponseLink: a.ResponseLink}
	data.AckedBy = s.personName(r.Context(), a.AckedBy)
	if typed != nil {
		data.Form = *typed
	}
	sib, err := alerts.Triage{Store: as}.Siblings(r.Context(), a)
	if err != nil {
		s.log.Warn("alerts about the same article", "alert", a.ID, "err", err)
	}
	routes := []string{a.Route}
	for _, x := range sib {
		routes = append(routes, x.Route)
	}
	labels := s.routeLabels(r.Context(), m, routes)
	data.RouteLabel = labels[a.Route]
	for _, x := range sib {
		data.Siblings = append(data.Siblings, alertRow{Alert: x, RouteLabel: labels[x.Route]})
	}
	history, handled, last, err := s.alertHistory(r.Context(), m, a.ID)
	if err != nil {
		s.log.Warn("alert history", "alert", a.ID, "err", err)
	}
	data.History = history
	if last != nil && a.State != store.AlertNew && a.State != store.AlertAcknowledged {
		// "Acknowledged by" under a confirmed alert read as if it were only
		// acknowledged (an outside reading): name who set the state it has.
		data.StateBy = m.F("alert_state_by", m.State(a.State), last.Who, last.At.In(s.loc).Format("02/01/2006 15:04"))
	}
	if handled.IsZero() && a.State != store.AlertNew {
		handled = a.AckedAt // the history's first change is older than it keeps
	}
	for _, d := range ds {
		row := deliveryRow{Delivery: d, Held: s.heldText(m, d)}
		switch {
		case handled.IsZero() || d.State == store.DeliverySkipped:
		case d.State == store.DeliverySent && d.SentAt.After(handled):
			row.LeftOut = m.F("alert_left_out", handled.In(s.loc).Format("02/01/2006 15:04"))
		case d.State == store.DeliveryPending || d.State == store.DeliveryFailed:
			row.LeftOut = m.T("alert_will_leave_out")
		}
		data.Deliveries = append(data.Deliveries, row)
	}
	dates := []alertRow{{Alert: a}}
	s.articleDates(r.Context(), dates)
	data.Published, data.OldDays = dates[0].Published, dates[0].OldDays
	data.Changed = s.articleChanged(r.Context(), a.ArticleID)
	data.HistoryCut = len(data.History) >= historyLimit
	s.render(w, r, code, "alert_detail", "alerts", a.Title, data)
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
	// What was typed is shown again with the errors, not thrown away.
	typed := &triageForm{}
	for _, f := range []struct {
		v   *string
		dst *string
	}{{c.Assignee, &typed.Assignee}, {c.Note, &typed.Note}, {c.ResponseLink, &typed.ResponseLink}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	m := messages{requestLang(r)}
	if c.State != nil && !slices.Contains(alertStates, *c.State) {
		s.alertDetailForm(w, r, http.StatusUnprocessableEntity, m.T("alert_unknown_state"), typed)
		return
	}
	tr := alerts.Triage{Store: as, Now: s.opts.Now}
	if _, err := tr.Update(r.Context(), c); err != nil {
		if msg := badChangeText(m, a, c, err); msg != "" {
			s.alertDetailForm(w, r, http.StatusUnprocessableEntity, msg, typed)
			return
		}
		s.log.Error("update alert", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	// The page says the change was saved (an officer saw it reload with
	// no word of it).
	http.Redirect(w, r, "/alerts/"+id+"?saved=1", http.StatusSeeOther)
}

// storyAckMax bounds the alerts one story-wide acknowledgement moves.
const storyAckMax = 1000

// handleStoryAck acknowledges every new alert of one story that the user's
// office received: a story that runs for hours sends an alert per article,
// and officers acknowledged them one page at a time (an outside reading).
// Alerts in any other state are left as they are; each alert moved takes
// its siblings (other routes, same article, same office) with it, as on
// the alert's own page.
func (s *Server) handleStoryAck(w http.ResponseWriter, r *http.Request) {
	as, ok := s.alertStore(w, r)
	if !ok {
		return
	}
	p := principalFrom(r.Context())
	story := strings.TrimSpace(r.PathValue("story"))
	if story == "" {
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	list, err := as.ListAlerts(r.Context(), store.AlertFilter{Cluster: story, States: []string{store.AlertNew},
		Receivers: alertReceivers(p.User.Role), Limit: storyAckMax})
	if err != nil {
		s.log.Error("list a story's alerts", "story", story, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	tr := alerts.Triage{Store: as, Now: s.opts.Now}
	acked := store.AlertAcknowledged
	n := 0
	for _, a := range list {
		cur, err := as.GetAlert(r.Context(), a.ID)
		if err != nil || cur.State != store.AlertNew {
			continue // moved meanwhile, or with a sibling acknowledged just before
		}
		if _, err := tr.Update(r.Context(), store.AlertChange{ID: a.ID, Actor: p.User.Name, State: &acked}); err != nil {
			if errors.Is(err, alerts.ErrBadTransition) {
				continue
			}
			s.log.Error("acknowledge a story's alert", "alert", a.ID, "err", err)
			s.fail(w, r, false, http.StatusInternalServerError)
			return
		}
		n++
	}
	s.log.Info("story acknowledged", "story", story, "user", p.User.Name, "alerts", n)
	q := url.Values{"story": {story}, "acked": {strconv.Itoa(n)}}
	http.Redirect(w, r, "/alerts?"+q.Encode(), http.StatusSeeOther)
}

// badChangeText says what is wrong with a refused triage change, naming the
// field ("Thay đổi không hợp lệ" alone left officers guessing: an outside
// reading); "" for an error that is not the user's.
func badChangeText(m messages, a store.Alert, c store.AlertChange, err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		// Every problem, each in its own words.
		var out []string
		for _, e := range j.Unwrap() {
			t := badChangeText(m, a, c, e)
			if t == "" {
				return ""
			}
			out = append(out, t)
		}
		return strings.Join(out, " ")
	}
	switch {
	case errors.Is(err, alerts.ErrBadTransition) && c.State != nil:
		return m.F("alert_bad_state", m.State(a.State), m.State(*c.State))
	case errors.Is(err, alerts.ErrFieldTooLong):
		for _, f := range []struct {
			name, label string
			max         int
		}{{"assignee", "col_assignee", alerts.MaxAssigneeLen}, {"note", "alert_note", alerts.MaxNoteLen}, {"response link", "alert_response_link", alerts.MaxResponseLinkLen}} {
			if strings.Contains(err.Error(), ": "+f.name+" longer") {
				return m.F("alert_too_long", m.T(f.label), m.Num(f.max))
			}
		}
		return m.T("alert_bad_change")
	case errors.Is(err, alerts.ErrBadLink):
		return m.T("alert_bad_link")
	case errors.Is(err, alerts.ErrBadTransition):
		return m.T("alert_bad_change")
	}
	return ""
}

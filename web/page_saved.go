package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dongnai/presswatch/query"
)

type savedPage struct {
	Unavail   bool
	Items     []savedView
	Receivers []string // alert receivers a saved search can be routed to; none: no route form
}

type savedView struct {
	SavedSearch
	URL string
}

// ParamsText is the saved search's settings as a reader writes them
// ("f=lang:en · since=2026-12-01"), not URL-encoded.
func (v savedView) ParamsText() string {
	vals, err := url.ParseQuery(v.Params)
	if err != nil {
		return v.Params
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, x := range vals[k] {
			parts = append(parts, k+"="+x)
		}
	}
	return strings.Join(parts, " · ")
}

func savedURL(s SavedSearch) string {
	v, _ := url.ParseQuery(s.Params)
	if v == nil {
		v = url.Values{}
	}
	if s.Query != "" {
		v.Set("q", s.Query)
	}
	return "/search?" + v.Encode()
}

func (s *Server) handleSavedList(w http.ResponseWriter, r *http.Request) {
	m := messages{requestLang(r)}
	p := &savedPage{Unavail: s.opts.Saved == nil, Receivers: s.routableReceivers(principalFrom(r.Context()).User.Role)}
	if s.opts.Saved != nil {
		items, err := s.opts.Saved.ListSaved(r.Context(), principalFrom(r.Context()).User.Name)
		if err != nil {
			s.log.Error("list saved searches", "err", err)
			s.fail(w, r, false, http.StatusInternalServerError)
			return
		}
		for _, it := range items {
			p.Items = append(p.Items, savedView{it, savedURL(it)})
		}
	}
	s.render(w, r, http.StatusOK, "saved", "saved", m.T("nav_saved"), p)
}

// newSaved validates and builds a saved search from a name and a search URL query.
func (s *Server) newSaved(user, name, q, params string) (SavedSearch, error) {
	name, q = strings.TrimSpace(name), strings.TrimSpace(q)
	if name == "" {
		name = q
	}
	if name == "" || utf8.RuneCountInString(name) > 200 || utf8.RuneCountInString(q) > maxQueryRunes || len(params) > 4000 {
		return SavedSearch{}, formError(fmt.Sprintf("name: 1 to 200 characters; query up to %d characters", maxQueryRunes))
	}
	v, err := url.ParseQuery(params)
	if err != nil {
		return SavedSearch{}, formError("params: not a URL query")
	}
	keep := url.Values{}
	// What the search page shows depends on all of these: a search saved
	// without its scope (rel) or date basis ran as another search (an
	// outside review: 24 hits on screen, 12 when the saved search ran).
	for _, k := range []string{"f", "since", "until", "sort", "rel", "basis"} {
		if vals, ok := v[k]; ok {
			keep[k] = vals
		}
	}
	// A search that cannot run is refused when it is saved, not when it is
	// later turned into an alert route or opened.
	check := cloneValues(keep)
	check.Set("q", q)
	if _, _, err := s.parseSearchForm(check); err != nil {
		return SavedSearch{}, err
	}
	if q != "" {
		if _, err := query.Parse(q); err != nil {
			return SavedSearch{}, formError("query: " + err.Error())
		}
	}
	return SavedSearch{ID: randomToken(9), User: user, Name: name, Query: q, Params: keep.Encode(), Created: s.now().UTC()}, nil
}

func (s *Server) handleSavedCreate(w http.ResponseWriter, r *http.Request) {
	if s.opts.Saved == nil {
		s.fail(w, r, false, http.StatusServiceUnavailable)
		return
	}
	p := principalFrom(r.Context())
	ss, err := s.newSaved(p.User.Name, r.PostFormValue("name"), r.PostFormValue("q"), r.PostFormValue("params"))
	if err != nil {
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	if err := s.opts.Saved.SaveSearch(r.Context(), ss); err != nil {
		s.log.Error("save search", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.audit(r, "saved_search.create", ss.ID, ss.Query)
	http.Redirect(w, r, "/saved", http.StatusSeeOther)
}

func (s *Server) handleSavedDelete(w http.ResponseWriter, r *http.Request) {
	if s.opts.Saved == nil {
		s.fail(w, r, false, http.StatusServiceUnavailable)
		return
	}
	p := principalFrom(r.Context())
	err := s.opts.Saved.DeleteSaved(r.Context(), p.User.Name, r.PathValue("id"))
	if errors.Is(err, ErrSavedNotFound) {
		s.fail(w, r, false, http.StatusNotFound)
		return
	} else if err != nil {
		s.log.Error("delete saved search", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.audit(r, "saved_search.delete", r.PathValue("id"), "")
	http.Redirect(w, r, "/saved", http.StatusSeeOther)
}

// routableReceivers are the receivers a role may route its saved searches
// to: an office (police, foreign affairs) only to itself, analysts and
// administrators to any. Without this a police officer could route a
// match-all search ("risk>=0") to Sở Ngoại vụ and mail it every article
// (an outside attack test).
func (s *Server) routableReceivers(role string) []string {
	own := alertReceivers(role)
	if own == nil {
		return s.opts.AlertReceivers
	}
	var out []string
	for _, r := range s.opts.AlertReceivers {
		if slices.Contains(own, r) {
			out = append(out, r)
		}
	}
	return out
}

// savedAlert validates a request to turn the user's saved search id into an
// alert route (receiver "" removes the route) and returns what to set. The
// error is a formError for the user's mistakes, ErrSavedNotFound, or a store error.
func (s *Server) savedAlert(r *http.Request, id, receiver, minRisk string, enabled bool) (SavedAlert, error) {
	receiver, minRisk = strings.TrimSpace(receiver), strings.TrimSpace(minRisk)
	a := SavedAlert{Receiver: receiver, Enabled: enabled && receiver != ""}
	if receiver != "" && !slices.Contains(s.opts.AlertReceivers, receiver) {
		return a, formError("receiver: not one of the configured alert receivers")
	}
	if own := s.routableReceivers(principalFrom(r.Context()).User.Role); receiver != "" && !slices.Contains(own, receiver) {
		return a, formError("receiver: your role routes saved searches only to its own office (" + strings.Join(own, ", ") + ")")
	}
	if minRisk != "" {
		n, err := strconv.Atoi(minRisk)
		if err != nil || n < 0 || n > 100 {
			return a, formError("min_risk: a whole number from 0 to 100")
		}
		a.MinRisk = n
	}
	items, err := s.opts.Saved.ListSaved(r.Context(), principalFrom(r.Context()).User.Name)
	if err != nil {
		return a, err
	}
	i := slices.IndexFunc(items, func(x SavedSearch) bool { return x.ID == id })
	if i < 0 {
		return a, ErrSavedNotFound
	}
	if receiver != "" {
		if _, err := query.Parse(items[i].Query); err != nil {
			return a, formError("query: cannot be an alert route: " + err.Error())
		}
	}
	return a, nil
}

// setSavedAlert applies a validated route change and audits it; it returns
// the HTTP status for an error (0 when it worked).
func (s *Server) setSavedAlert(r *http.Request, id, receiver, minRisk string, enabled bool) (int, string) {
	if s.opts.Saved == nil || len(s.opts.AlertReceivers) == 0 {
		return http.StatusServiceUnavailable, "alert routes from saved searches are not configured on this server"
	}
	a, err := s.savedAlert(r, id, receiver, minRisk, enabled)
	if err == nil {
		err = s.opts.Saved.SetSavedAlert(r.Context(), principalFrom(r.Context()).User.Name, id, a)
	}
	var fe formError
	switch {
	case errors.As(err, &fe):
		return http.StatusBadRequest, fe.Error()
	case errors.Is(err, ErrSavedNotFound):
		return http.StatusNotFound, "no saved search with this id"
	case err != nil:
		s.log.Error("saved search alert route", "err", err)
		return http.StatusInternalServerError, ""
	}
	s.audit(r, "saved_search.alert", id, "receiver="+a.Receiver+" min_risk="+strconv.Itoa(a.MinRisk)+" enabled="+strconv.FormatBool(a.Enabled))
	return 0, ""
}

func (s *Server) handleSavedAlert(w http.ResponseWriter, r *http.Request) {
	if code, _ := s.setSavedAlert(r, r.PathValue("id"), r.PostFormValue("receiver"), r.PostFormValue("min_risk"),
		r.PostFormValue("enabled") != ""); code != 0 {
		s.fail(w, r, false, code)
		return
	}
	http.Redirect(w, r, "/saved", http.StatusSeeOther)
}

// audit records what the requesting user did; a failure is logged, not fatal.
func (s *Server) audit(r *http.Request, action, object, detail string) {
	actor := "anonymous"
	if p := principalFrom(r.Context()); p != nil {
		actor = p.User.Name
	}
	if err := s.opts.Store.AppendAudit(r.Context(), auditEntry(s.now(), actor, action, object, detail)); err != nil {
		s.log.Warn("audit", "action", action, "err", err)
	}
}

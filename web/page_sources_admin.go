package web

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/internal/netguard"
	"github.com/dongnai/presswatch/store"
)

// Sources managed in the admin UI (issue 14). The list is GET /sources
// (page_sources.go); administrators add, edit, switch on and off, delete
// (soft) and poll sources here. Every change is a store write that sets
// EditedAt, which makes the row authoritative over the YAML configuration;
// the running crawler picks it up within crawler.source_reload_interval
// (see crawler/reload.go and docs/web.md).

var (
	sourceNameRe    = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)
	sourceCountryRe = regexp.MustCompile(`^[A-Z]{2}$`)
	sourceLangRe    = regexp.MustCompile(`^[a-z]{2}$`)
)

// sourceKinds are the kinds the admin form offers.
var sourceKinds = []string{"feed", "site", "search_feed"}

// sourceLangs are the languages the form offers first (the crawler's
// default detection set); any ISO 639-1 code is accepted.
var sourceLangs = []string{"vi", "en", "zh", "ko", "ja", "fr", "de", "ru", "es", "th"}

// sourceCountries are suggested in the form's country field; any ISO
// 3166-1 alpha-2 code is accepted.
var sourceCountries = []string{"US", "GB", "JP", "KR", "CN", "TW", "HK", "SG", "TH", "AU", "FR", "DE", "RU", "VN"}

// sourceForm is the add/edit form with its values and, after a failed
// submit, the message key of what is wrong and the field it concerns.
type sourceForm struct {
	Edit                                   bool
	Origin                                 string
	Name, Kind, URL, Outlet, Country, Lang string
	Tier                                   int
	Enabled                                bool
	Err, ErrField                          string
	Kinds, Langs, Countries                []string
	Tiers                                  []int
}

// Locked reports whether the kind and URL are fixed by the configuration:
// a configured source's documents are defined in YAML (search terms,
// start URLs, article patterns), so the UI changes only its metadata and
// state.
func (f *sourceForm) Locked() bool { return f.Edit && f.Origin != store.OriginUI }

func (s *Server) renderSourceForm(w http.ResponseWriter, r *http.Request, code int, f *sourceForm) {
	f.Kinds, f.Langs, f.Countries, f.Tiers = sourceKinds, sourceLangs, sourceCountries, []int{0, 1, 2, 3}
	title := "src_add_title"
	if f.Edit {
		title = "src_edit_title"
	}
	s.render(w, r, code, "source_form", "sources", messages{requestLang(r)}.T(title), f)
}

// handleSourceNew is GET /sources/new: the empty add form.
func (s *Server) handleSourceNew(w http.ResponseWriter, r *http.Request) {
	s.renderSourceForm(w, r, http.StatusOK, &sourceForm{Kind: "feed", Enabled: true, Tier: 2})
}

// handleSourceEdit is GET /sources/{name}/edit.
func (s *Server) handleSourceEdit(w http.ResponseWriter, r *http.Request) {
	src, ok := s.sourceOfPath(w, r)
	if !ok {
		return
	}
	s.renderSourceForm(w, r, http.StatusOK, &sourceForm{Edit: true, Origin: originOf(src), Name: src.Name, Kind: src.Kind, URL: shownURL(src.URL),
		Outlet: src.Outlet, Country: src.Country, Lang: src.Lang, Tier: src.Tier, Enabled: src.Enabled})
}

// sourceOfPath loads the (not deleted) source named in the path, or answers
// 404 and reports false.
func (s *Server) sourceOfPath(w http.ResponseWriter, r *http.Request) (store.Source, bool) {
	src, err := s.opts.Store.GetSource(r.Context(), r.PathValue("name"))
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, false, http.StatusNotFound)
		return src, false
	}
	if err != nil {
		s.log.Error("get source", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return src, false
	}
	return src, true
}

func originOf(src store.Source) string {
	if src.Origin == "" {
		return store.OriginConfig
	}
	return src.Origin
}

// readSourceForm reads and normalises the posted fields.
func readSourceForm(r *http.Request) *sourceForm {
	f := &sourceForm{
		Name:    strings.TrimSpace(r.PostFormValue("name")),
		Kind:    strings.TrimSpace(r.PostFormValue("kind")),
		URL:     strings.TrimSpace(r.PostFormValue("url")),
		Outlet:  limitText(r.PostFormValue("outlet"), 200),
		Country: strings.ToUpper(strings.TrimSpace(r.PostFormValue("country"))),
		Lang:    strings.ToLower(strings.TrimSpace(r.PostFormValue("lang"))),
		Enabled: r.PostFormValue("enabled") != "",
	}
	f.Tier = -1
	if t, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("tier"))); err == nil {
		f.Tier = t
	} else if r.PostFormValue("tier") == "" {
		f.Tier = 0
	}
	return f
}

// validate checks the form; it sets Err and ErrField and reports false on
// the first problem. others are the existing sources (for duplicates).
func (s *Server) validateSource(f *sourceForm, others []store.Source) bool {
	bad := func(field, key string) bool { f.ErrField, f.Err = field, key; return false }
	if !sourceNameRe.MatchString(f.Name) {
		return bad("name", "src_err_name")
	}
	if !f.Locked() {
		if !contains(sourceKinds, f.Kind) {
			return bad("kind", "src_err_kind")
		}
		if key := s.checkSourceURL(f.Kind, f.URL); key != "" {
			return bad("url", key)
		}
		for _, o := range others {
			if o.Name != f.Name && o.DeletedAt.IsZero() && sameURL(o.URL, f.URL) {
				return bad("url", "src_err_dup_url")
			}
		}
	}
	if f.Country != "" && !sourceCountryRe.MatchString(f.Country) {
		return bad("country", "src_err_country")
	}
	if f.Lang != "" && !sourceLangRe.MatchString(f.Lang) {
		return bad("lang", "src_err_lang")
	}
	if f.Tier < 0 || f.Tier > 3 {
		return bad("tier", "src_err_tier")
	}
	return true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func sameURL(a, b string) bool {
	return strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(b, "/"))
}

// checkSourceURL returns the message key of what is wrong with a source
// URL, or "". Only http and https are fetched, with no user name or
// password in the URL, and not from a private, loopback or otherwise
// non-public address unless crawler.allow_hosts lets it through. Host
// names are not resolved here: the crawler's dial-time guard checks the
// address it actually connects to.
func (s *Server) checkSourceURL(kind, raw string) string {
	if raw == "" {
		return "src_err_url"
	}
	probe := raw
	if kind == "search_feed" {
		if !strings.Contains(raw, "{query}") {
			return "src_err_query"
		}
		probe = strings.NewReplacer("{query}", "q", "{lang}", "en").Replace(raw)
	}
	u, err := url.Parse(probe)
	if err != nil || u.Host == "" || u.Opaque != "" {
		if err == nil && u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
			return "src_err_scheme"
		}
		return "src_err_url"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "src_err_scheme"
	}
	if u.User != nil {
		return "src_err_userinfo"
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" {
		return "src_err_url"
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if s.sourceHostAllowed(host, port) {
		return ""
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !netguard.Public(ip) {
			return "src_err_private"
		}
		return ""
	}
	if numericHost(host) {
		// "10.1", "0x0a.0.0.1", "0251.0376.0251.0376", "127.1": forms of
		// an IPv4 address that Go's resolver does not read but a system
		// resolver would (10.0.0.1, 169.254.169.254, 127.0.0.1).
		return "src_err_private"
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") ||
		strings.HasSuffix(host, ".internal") || strings.HasSuffix(host, ".lan") || !strings.Contains(host, ".") {
		return "src_err_private"
	}
	return ""
}

// numericHost reports whether host is written only with digits, dots and
// the "x" of hexadecimal numbers, with a digit in its last label: an IPv4
// address in a form other than four decimal numbers (no top-level domain
// is numeric).
func numericHost(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" || last[0] < '0' || last[0] > '9' {
		return false
	}
	for _, c := range host {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'x' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// sourceHostAllowed reports whether host (and port, "" for the scheme's)
// is in Options.SourceAllowHosts (names, addresses, CIDR prefixes or
// address:port pairs, as crawler.allow_hosts).
func (s *Server) sourceHostAllowed(host, port string) bool {
	ip, ipErr := netip.ParseAddr(host)
	for _, a := range s.opts.SourceAllowHosts {
		a = strings.ToLower(strings.TrimSpace(a))
		if ap, err := netip.ParseAddrPort(a); err == nil {
			if ipErr == nil && ap.Addr().Unmap() == ip.Unmap() && strconv.Itoa(int(ap.Port())) == port {
				return true
			}
			continue
		}
		if p, err := netip.ParsePrefix(a); err == nil {
			if ipErr == nil && p.Masked().Contains(ip.Unmap()) {
				return true
			}
			continue
		}
		if ai, err := netip.ParseAddr(a); err == nil {
			if ipErr == nil && ai.Unmap() == ip.Unmap() {
				return true
			}
			continue
		}
		if h, _, err := net.SplitHostPort(a); err == nil {
			a = h
		}
		if a == host {
			return true
		}
	}
	return false
}

// handleSourceCreate is POST /sources: add a source from the form.
func (s *Server) handleSourceCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := readSourceForm(r)
	all, err := s.opts.Store.ListSources(ctx)
	if err != nil {
		s.log.Error("list sources", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	if !s.validateSource(f, all) {
		s.renderSourceForm(w, r, http.StatusBadRequest, f)
		return
	}
	for _, o := range all {
		if o.Name == f.Name {
			f.ErrField, f.Err = "name", "src_err_exists"
			s.renderSourceForm(w, r, http.StatusBadRequest, f)
			return
		}
	}
	now := s.now().UTC()
	src := store.Source{Name: f.Name, Kind: f.Kind, URL: f.URL, Outlet: f.Outlet, Country: f.Country, Lang: f.Lang, Tier: f.Tier,
		Enabled: f.Enabled, AddedAt: now, Origin: store.OriginUI, EditedAt: now}
	if src.Outlet == "" {
		src.Outlet = src.Name
	}
	if err := s.opts.Store.UpsertSource(ctx, src); err != nil {
		s.log.Error("add source", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.audit(r, "source.add", src.Name, src.Kind+" "+shownURL(src.URL))
	sourcesBack(w, r, "done", "src_added")
}

// handleSourceSave is POST /sources/{name}/edit.
func (s *Server) handleSourceSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	src, ok := s.sourceOfPath(w, r)
	if !ok {
		return
	}
	f := readSourceForm(r)
	f.Edit, f.Origin, f.Name = true, originOf(src), src.Name
	if f.Locked() || f.URL == shownURL(src.URL) {
		// The form shows the URL with its secrets hidden: sent back
		// unchanged, it keeps the stored one.
		f.URL = src.URL
	}
	if f.Locked() {
		f.Kind = src.Kind
	}
	all, err := s.opts.Store.ListSources(ctx)
	if err != nil {
		s.log.Error("list sources", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	if !s.validateSource(f, all) {
		if f.URL == src.URL {
			f.URL = shownURL(src.URL)
		}
		s.renderSourceForm(w, r, http.StatusBadRequest, f)
		return
	}
	var changes []string
	note := func(field, old, new string) {
		if old != new {
			changes = append(changes, field+": "+old+" → "+new)
		}
	}
	note("kind", src.Kind, f.Kind)
	note("url", shownURL(src.URL), shownURL(f.URL))
	note("outlet", src.Outlet, f.Outlet)
	note("country", src.Country, f.Country)
	note("lang", src.Lang, f.Lang)
	note("tier", strconv.Itoa(src.Tier), strconv.Itoa(f.Tier))
	note("enabled", strconv.FormatBool(src.Enabled), strconv.FormatBool(f.Enabled))
	src.Kind, src.URL, src.Outlet, src.Country, src.Lang, src.Tier, src.Enabled = f.Kind, f.URL, f.Outlet, f.Country, f.Lang, f.Tier, f.Enabled
	src.EditedAt, src.PollRequestedAt = s.now().UTC(), time.Time{}
	if err := s.opts.Store.UpsertSource(ctx, src); err != nil {
		s.log.Error("save source", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.audit(r, "source.edit", src.Name, strings.Join(changes, "; "))
	sourcesBack(w, r, "done", "src_saved")
}

// handleSourceAction is POST /sources/{name}/{action}: enable, disable,
// delete (soft), restore (undelete, switched off) or poll (poll now).
func (s *Server) handleSourceAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	action := r.PathValue("action")
	src, ok := s.sourceOfPath(w, r)
	if !ok {
		return
	}
	now := s.now().UTC()
	var done string
	switch action {
	case "poll":
		if !src.Enabled || !src.DeletedAt.IsZero() {
			sourcesBack(w, r, "err", "src_err_poll_off")
			return
		}
		if err := s.opts.Store.RequestSourcePoll(ctx, src.Name, now); err != nil {
			s.log.Error("request poll", "err", err)
			s.fail(w, r, false, http.StatusInternalServerError)
			return
		}
		s.audit(r, "source.poll", src.Name, "")
		sourcesBack(w, r, "done", "src_poll_requested")
		return
	case "enable":
		if !src.DeletedAt.IsZero() {
			s.fail(w, r, false, http.StatusNotFound)
			return
		}
		src.Enabled, done = true, "src_enabled"
	case "disable":
		if !src.DeletedAt.IsZero() {
			s.fail(w, r, false, http.StatusNotFound)
			return
		}
		src.Enabled, done = false, "src_disabled"
	case "delete":
		src.Enabled, src.DeletedAt, done = false, now, "src_deleted"
	case "restore":
		src.DeletedAt, done = time.Time{}, "src_restored"
	default:
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	src.EditedAt, src.PollRequestedAt = now, time.Time{}
	if err := s.opts.Store.UpsertSource(ctx, src); err != nil {
		s.log.Error("change source", "action", action, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.audit(r, "source."+action, src.Name, "")
	sourcesBack(w, r, "done", done)
}

// sourcesBack redirects to the sources page with a message key (post,
// redirect, get).
func sourcesBack(w http.ResponseWriter, r *http.Request, param, key string) {
	http.Redirect(w, r, "/sources?"+param+"="+url.QueryEscape(key), http.StatusSeeOther)
}

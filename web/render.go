package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/evidence"
	"github.com/microcosm-cc/bluemonday"
)

//go:embed templates/*.html static/*
var assets embed.FS

// pages holds every page template, each parsed together with the layout,
// once at start-up.
type pages struct {
	byName  map[string]*template.Template
	snippet *bluemonday.Policy // for index snippets: <mark> only
	summary *bluemonday.Policy // for feed summaries and article HTML
}

// view is what every page template gets.
type view struct {
	L     messages
	User  *principal
	CSRF  string
	Path  string
	Nav   string
	Title string
	Data  any
}

func parsePages(s *Server) (*pages, error) {
	funcs := template.FuncMap{
		// note is a stored evidence note (written in Vietnamese) for the
		// reader's language.
		"note": evidence.NoteIn,
		"vntime": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(s.loc).Format("02/01/2006 15:04")
		},
		"vnlastday": func(t time.Time) string {
			// A period's end is exclusive; people read the last day it covers.
			if t.IsZero() {
				return ""
			}
			return t.Add(-time.Nanosecond).In(s.loc).Format("02/01/2006")
		},
		"vndate": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(s.loc).Format("02/01/2006")
		},
		"ddmm": func(t time.Time) string { return t.In(s.loc).Format("02/01") },
		"isodate": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(s.loc).Format("2006-01-02")
		},
		// reportsearch is the search that reproduces a report's figures.
		"reportsearch": func(start, end time.Time) string { return digest.SearchPath(start, end, s.loc) },
		"join":         strings.Join,
		"add":          func(a, b int) int { return a + b },
		"pct": func(n, max int) int {
			if max <= 0 {
				return 0
			}
			return n * 100 / max
		},
		"upper": strings.ToUpper,
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	p := &pages{byName: make(map[string]*template.Template)}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(assets, n)
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", base, err)
		}
		p.byName[strings.TrimSuffix(base, ".html")] = t
	}
	p.snippet = bluemonday.NewPolicy()
	p.snippet.AllowElements("mark")
	// Article text and feed summaries: structure and links only. No images
	// (the CSP would block remote ones anyway), no styles, no scripts.
	p.summary = bluemonday.NewPolicy()
	p.summary.AllowStandardURLs()
	p.summary.AllowURLSchemes("http", "https")
	p.summary.RequireParseableURLs(true)
	p.summary.AllowElements("p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "ul", "ol", "li",
		"blockquote", "q", "cite", "code", "pre", "h2", "h3", "h4", "h5", "h6", "span", "small", "abbr", "time", "figure", "figcaption")
	p.summary.AllowAttrs("href").OnElements("a")
	p.summary.RequireNoFollowOnLinks(true)
	p.summary.RequireNoReferrerOnLinks(true)
	p.summary.AddTargetBlankToFullyQualifiedLinks(true)
	p.summary.AllowAttrs("class").Matching(regexp.MustCompile(`^ent ent-[a-z]+$`)).OnElements("mark")
	return p, nil
}

// render executes page into a buffer first, so a template error never sends
// half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, page, nav, title string, data any) {
	t, ok := s.pages.byName[page]
	if !ok {
		s.log.Error("no such template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := view{L: messages{requestLang(r)}, User: principalFrom(r.Context()), Path: r.URL.RequestURI(), Nav: nav, Title: title, Data: data}
	if v.User != nil && v.User.Session != nil {
		v.CSRF = v.User.Session.CSRFToken
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// fail answers an error status: a JSON body on the API, an error page in the
// UI. It never echoes an error's text.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, api bool, code int) {
	if api {
		writeJSONError(w, code, strings.ToLower(strings.ReplaceAll(http.StatusText(code), " ", "_")), http.StatusText(code))
		return
	}
	m := messages{requestLang(r)}
	s.render(w, r, code, "error", "", m.T(fmt.Sprintf("err_%d", code)), code)
}

// writeJSON writes v as JSON with status code.
// The body is encoded before the status line is sent: a value JSON cannot
// hold (a NaN) is a 500 with a JSON error, never an empty 200.
func writeJSON(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		code = http.StatusInternalServerError
		var e apiError
		e.Error.Code, e.Error.Message = "internal_error", "the answer could not be encoded: "+err.Error()
		_ = enc.Encode(e)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// apiError is the body of every API error.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Pos     *int   `json:"pos,omitempty"`
	} `json:"error"`
}

func writeJSONError(w http.ResponseWriter, code int, errCode, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = errCode, msg
	writeJSON(w, code, e)
}

// Can reports whether the viewer may use a group of pages, so the layout
// shows only links that will work. The route table still decides.
func (v view) Can(group string) bool {
	if v.User == nil {
		return false
	}
	switch group {
	case "officers":
		return allowed(officers, v.User.User.Role)
	case "exporters":
		return allowed(exporters, v.User.User.Role)
	case "operators":
		return allowed(operators, v.User.User.Role)
	case "admins":
		return allowed(admins, v.User.User.Role)
	}
	return true
}

package web

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/query"
)

// exportRow is one exported article, the JSON shape of an export line.
type exportRow struct {
	ID          string    `json:"id"`
	Published   time.Time `json:"published,omitzero"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	Outlet      string    `json:"outlet"`
	Country     string    `json:"country"`
	Lang        string    `json:"lang"`
	Tone        string    `json:"tone"`
	Risk        int       `json:"risk"`
	NeedsReview bool      `json:"needs_review"`
	Topics      []string  `json:"topics"`
	Cluster     string    `json:"cluster"`
}

func rowOf(h index.Hit) exportRow {
	return exportRow{ID: h.ID, Published: h.Published.UTC(), Title: h.Title, URL: h.URL, Outlet: h.Outlet, Country: h.Country,
		Lang: h.Lang, Tone: h.Tone, Risk: h.Risk, NeedsReview: h.NeedsReview, Topics: h.Topics, Cluster: h.Cluster}
}

// csvCell defuses spreadsheet formulas: a cell starting with = + - @ or a
// control character is prefixed with a quote.
func csvCell(s string) string {
	// A cell a spreadsheet would read as a formula, or as a DDE call
	// ("|cmd"), is kept as text.
	if s != "" && strings.ContainsRune("=+-@|\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) { s.export(w, r, false) }

func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) { s.export(w, r, true) }

// export streams the whole result set of a search as CSV (format=csv) or as
// a JSON array (default); rows are written as the index yields them.
func (s *Server) export(w http.ResponseWriter, r *http.Request, api bool) {
	if s.opts.Search == nil {
		s.fail(w, r, api, http.StatusServiceUnavailable)
		return
	}
	parse := s.parseSearchForm
	if !api {
		parse = s.parseUISearch // the page's export link: the page's scope and expansion
	}
	_, req, err := parse(r.URL.Query())
	if err != nil {
		s.badQuery(w, r, api, err)
		return
	}
	req.Facets, req.Highlight, req.From, req.Size = false, false, 0, 0
	if req.Sort == "relevance" && req.Query == "" {
		req.Sort = "newest"
	}
	format := r.URL.Query().Get("format")
	if format != "csv" {
		format = "json"
	}
	stamp := s.now().In(s.loc).Format("20060102-1504")
	var (
		started bool
		n       int
		cw      *csv.Writer
	)
	rc := http.NewResponseController(w)
	begin := func() {
		started = true
		h := w.Header()
		if format == "csv" {
			h.Set("Content-Type", "text/csv; charset=utf-8")
			h.Set("Content-Disposition", `attachment; filename="presswatch-`+stamp+`.csv"`)
			_, _ = w.Write([]byte("\xEF\xBB\xBF")) // BOM: spreadsheet programs then read UTF-8 Vietnamese correctly
			cw = csv.NewWriter(w)
			_ = cw.Write([]string{"id", "published", "title", "url", "outlet", "country", "lang", "tone", "risk", "needs_review", "topics", "cluster"})
		} else {
			h.Set("Content-Type", "application/json; charset=utf-8")
			h.Set("Content-Disposition", `attachment; filename="presswatch-`+stamp+`.json"`)
			_, _ = w.Write([]byte("[\n"))
		}
	}
	err = s.opts.Search.Export(r.Context(), req, func(h index.Hit) error {
		if !started {
			begin()
		}
		row := rowOf(h)
		if format == "csv" {
			pub := ""
			if !row.Published.IsZero() {
				pub = row.Published.Format(time.RFC3339)
			}
			if err := cw.Write([]string{row.ID, pub, csvCell(row.Title), csvCell(row.URL), csvCell(row.Outlet), row.Country, row.Lang,
				row.Tone, strconv.Itoa(row.Risk), strconv.FormatBool(row.NeedsReview), csvCell(strings.Join(row.Topics, ";")), row.Cluster}); err != nil {
				return err
			}
		} else {
			b, err := json.Marshal(row)
			if err != nil {
				return err
			}
			if n > 0 {
				_, _ = w.Write([]byte(",\n"))
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		n++
		if n%200 == 0 {
			if cw != nil {
				cw.Flush()
			}
			_ = rc.Flush()
		}
		return nil
	})
	if err != nil && !started {
		s.badQuery(w, r, api, err)
		return
	}
	if err != nil {
		// Headers are gone: the only honest signal left is a truncated body.
		s.log.Warn("export interrupted", "rows", n, "err", err)
		return
	}
	if !started {
		begin()
	}
	if cw != nil {
		cw.Flush()
	} else {
		_, _ = w.Write([]byte("\n]\n"))
	}
	if p := principalFrom(r.Context()); p != nil {
		if aerr := s.opts.Store.AppendAudit(r.Context(), auditEntry(s.now(), p.User.Name, "search.export", format, req.Query+" ("+strconv.Itoa(n)+" rows)")); aerr != nil {
			s.log.Warn("audit export", "err", aerr)
		}
	}
}

// badRequest reports whether err is the caller's fault (a query syntax
// error, a bad filter, sort or date) and, if so, a message safe to show and
// the query position for syntax errors.
func badRequest(err error) (msg string, pos *int, ok bool) {
	var se *query.SyntaxError
	var fe formError
	switch {
	case errors.As(err, &se):
		p := se.Pos
		return se.Msg, &p, true
	case errors.As(err, &fe):
		return fe.Error(), nil, true
	case errors.Is(err, index.ErrBadRequest):
		return strings.TrimPrefix(err.Error(), index.ErrBadRequest.Error()+": "), nil, true
	case errors.Is(err, index.ErrSearchTimeout):
		// Too much work for one search: the caller narrows the query.
		return index.ErrSearchTimeout.Error(), nil, true
	}
	return "", nil, false
}

// badQuery answers a search error: 400 with the message (and position) for
// the caller's mistakes, 500 (logged) for anything else.
func (s *Server) badQuery(w http.ResponseWriter, r *http.Request, api bool, err error) {
	msg, pos, ok := badRequest(err)
	if !ok {
		s.log.Error("search", "err", err)
		s.fail(w, r, api, http.StatusInternalServerError)
		return
	}
	if api {
		var e apiError
		code, status := "bad_query", http.StatusBadRequest
		if errors.Is(err, index.ErrSearchTimeout) {
			// Not a malformed query: one that asks more than a search may
			// do in its time; the caller narrows it.
			code, status = "search_timeout", http.StatusServiceUnavailable
		}
		e.Error.Code, e.Error.Message, e.Error.Pos = code, msg, pos
		writeJSON(w, status, e)
		return
	}
	// An export link of the UI: back to the search page, which says what
	// is wrong in the reader's language, where the query can be mended.
	v := r.URL.Query()
	v.Del("format")
	v.Set("q", cutRunes(v.Get("q"), maxQueryRunes))
	http.Redirect(w, r, "/search?"+v.Encode(), http.StatusSeeOther)
}

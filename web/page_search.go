package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/internal/l10n"
)

// pageSize is the number of hits per search page; the API accepts size up to maxPageSize.
const (
	pageSize    = 20
	maxPageSize = 100
	maxFrom     = 10_000
)

// facetOrder is the order facets are shown in; others follow by name.
var facetOrder = []string{"topics", "topic", "lang", "country", "outlet", "tone", "needs_review"}

// searchForm is a search as written in the URL: q, f=field:value (repeated),
// since, until (YYYY-MM-DD, Vietnam time), sort, page.
type searchForm struct {
	Q       string
	Filters []filter
	Since   string
	Until   string
	Sort    string
	Page    int
	Size    int
	// Rel is the relevance scope: about, mentions, none or any ("" in the
	// API: any; on the search page: about).
	Rel string
	// Basis is the time the dates bound: "published" ("" = default) or
	// "collected" (the reports' basis).
	Basis string
	// Literal turns off place-name expansion.
	Literal bool
	// Expansions are the place names the query was widened with.
	Expansions []Expansion
}

// relScopes are the relevance scopes the search page offers, in order.
// "province" is the reports' scope: about or mentioning the province
// (digest counts exactly these).
var relScopes = []string{"about", "province", "mentions", "none", "any"}

// relFilter is the relevance filter of a scope ("any": none).
func relFilter(rel string) []string {
	switch rel {
	case "province":
		return []string{"about", "mentions"}
	case "about", "mentions", "none":
		return []string{rel}
	}
	return nil
}

type filter struct{ Field, Value string }

// queryScriptLang is the language a query's letters are written for when
// its script says: Hangul Korean, kana Japanese, Han alone Chinese (a
// Japanese query about the province writes ドンナイ); "" for Latin or
// mixed scripts, which many languages share. The operators AND, OR, NOT
// and NEAR/n are not letters of the query.
func queryScriptLang(q string) string {
	var han, kana, hangul, other bool
	for _, w := range strings.Fields(q) {
		if w == "AND" || w == "OR" || w == "NOT" || strings.HasPrefix(w, "NEAR") {
			continue // the query language's operators
		}
		for _, r := range w {
			switch {
			case unicode.Is(unicode.Hangul, r):
				hangul = true
			case unicode.In(r, unicode.Hiragana, unicode.Katakana):
				kana = true
			case unicode.Is(unicode.Han, r):
				han = true
			case unicode.IsLetter(r):
				other = true
			}
		}
	}
	switch {
	case other:
		return ""
	case hangul && !kana:
		return "ko"
	case kana && !hangul:
		return "ja"
	case han && !kana && !hangul:
		return "zh"
	}
	return ""
}

// maxQueryRunes bounds a query, searched or saved, in characters (what
// the reader counts; at most 8 KB): far above what people write (the
// shipped alert routes are under 200), far below what would make one
// search a denial of service.
const maxQueryRunes = 2000

// cutRunes cuts s to at most n characters.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// parseSearchForm reads a search from URL values; bad values fall back to
// defaults rather than failing, except dates, which are reported.
func (s *Server) parseSearchForm(v url.Values) (searchForm, index.Request, error) {
	f := searchForm{Q: strings.TrimSpace(v.Get("q")), Sort: v.Get("sort"), Since: v.Get("since"), Until: v.Get("until"), Size: pageSize}
	if n := utf8.RuneCountInString(f.Q); n > maxQueryRunes {
		// Refused before it is parsed or searched: a 900 KB query of one
		// word repeated took 27 s and 800 MB, and every link of the page
		// would repeat it. The form keeps the part that fits.
		f.Q = cutRunes(f.Q, maxQueryRunes)
		return f, index.Request{}, formError(fmt.Sprintf("q: the query is %d characters; at most %d", n, maxQueryRunes))
	}
	switch f.Sort {
	case "relevance", "newest", "oldest", "risk":
	default:
		f.Sort = ""
	}
	switch rel := v.Get("rel"); rel {
	case "about", "province", "mentions", "none", "any":
		f.Rel = rel
	}
	if v.Get("basis") == index.DateCollected {
		f.Basis = index.DateCollected
	}
	f.Literal = v.Get("literal") == "1"
	f.Page, _ = strconv.Atoi(v.Get("page"))
	if f.Page < 1 {
		f.Page = 1
	}
	if n, err := strconv.Atoi(v.Get("size")); err == nil && n > 0 {
		f.Size = min(n, maxPageSize)
	}
	// Past the last page anyone can open, before multiplying: a huge page
	// number wrapped (page−1)·size round to a negative offset.
	f.Page = min(f.Page, maxFrom/max(f.Size, 1)+1)
	req := index.Request{Query: f.Q, Sort: f.Sort, Size: f.Size, From: min((f.Page-1)*f.Size, maxFrom), Facets: true, Highlight: true, DateBasis: f.Basis}
	if req.Sort == "" {
		req.Sort = "relevance"
		if f.Q == "" {
			req.Sort = "newest"
		}
	}
	var filterErr error
	for _, raw := range v["f"] {
		field, value, ok := strings.Cut(raw, ":")
		if !ok || field == "" || value == "" {
			// "f=lang" was dropped in silence: the answer was unfiltered.
			filterErr = formError(fmt.Sprintf("f: cannot filter on %q: want field:value", raw))
			continue
		}
		if !validFacetField(field) {
			continue
		}
		f.Filters = append(f.Filters, filter{field, value})
		if req.Filters == nil {
			req.Filters = make(map[string][]string)
		}
		req.Filters[field] = append(req.Filters[field], value)
	}
	if f.Rel != "" && f.Rel != "any" {
		if req.Filters == nil {
			req.Filters = make(map[string][]string)
		}
		req.Filters["relevance"] = relFilter(f.Rel)
	}
	err := filterErr
	if f.Since != "" {
		t, perr := time.ParseInLocation("2006-01-02", f.Since, s.loc)
		if perr != nil {
			err = formError("since: want a date YYYY-MM-DD")
		} else {
			req.Since = t.UTC()
		}
	}
	if f.Until != "" {
		t, perr := time.ParseInLocation("2006-01-02", f.Until, s.loc)
		if perr != nil {
			err = formError("until: want a date YYYY-MM-DD")
		} else {
			req.Until = t.AddDate(0, 0, 1).UTC() // inclusive of the whole day
		}
	}
	return f, req, err
}

// parseUISearch reads a search made on the search page (or its export
// link): as parseSearchForm, but the scope defaults to articles about the
// province, and place names are expanded to every spelling the gazetteer
// knows unless literal=1.
func (s *Server) parseUISearch(v url.Values) (searchForm, index.Request, error) {
	if v.Get("rel") == "" {
		v = cloneValues(v)
		v.Set("rel", "about")
	}
	f, req, err := s.parseSearchForm(v)
	if !f.Literal && s.opts.Places != nil && req.Query != "" {
		req.Query, f.Expansions = s.opts.Places.Expand(req.Query)
		req.SameWord = SameWord(f.Expansions)
	}
	return f, req, err
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+1)
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}

// formError is a bad search parameter other than the query itself.
type formError string

func (e formError) Error() string { return string(e) }

// validFacetField limits filter fields to plain names, so a URL cannot smuggle
// anything odd into the index request.
func validFacetField(f string) bool {
	if len(f) > 32 {
		return false
	}
	for _, c := range f {
		if !(c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}

// URL returns the search page URL of f with the changes applied.
func (f searchForm) URL(base string, change func(*searchForm)) string {
	g := f
	g.Filters = append([]filter(nil), f.Filters...)
	if change != nil {
		change(&g)
	}
	v := url.Values{}
	if g.Q != "" {
		v.Set("q", g.Q)
	}
	for _, fl := range g.Filters {
		v.Add("f", fl.Field+":"+fl.Value)
	}
	if g.Since != "" {
		v.Set("since", g.Since)
	}
	if g.Until != "" {
		v.Set("until", g.Until)
	}
	if g.Basis != "" {
		v.Set("basis", g.Basis)
	}
	if g.Sort != "" {
		v.Set("sort", g.Sort)
	}
	if g.Rel != "" && g.Rel != "about" {
		v.Set("rel", g.Rel)
	}
	if g.Literal {
		v.Set("literal", "1")
	}
	if g.Page > 1 {
		v.Set("page", strconv.Itoa(g.Page))
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

func (f searchForm) has(field, value string) bool {
	for _, fl := range f.Filters {
		if fl.Field == field && fl.Value == value {
			return true
		}
	}
	return false
}

// facetView is one facet group as shown.
type facetView struct {
	Field  string
	Label  string
	Values []facetValue
}

type facetValue struct {
	Term, Label, URL string
	Count            int
	Active           bool
}

type hitView struct {
	index.Hit
	Snippets []template.HTML
}

// scopeView is one relevance scope link of the search page.
type scopeView struct {
	Rel, Label, URL string
	Count           int
	Known           bool // Count is known
	Active          bool
}

type searchPage struct {
	Form        searchForm
	Ran         bool
	Result      *index.Result
	Hits        []hitView
	Facets      []facetView
	Active      []facetValue // active filters with their removal links
	QueryError  string
	QueryPos    int    // 1-based character position of a syntax error, 0 if none
	QueryBefore string // the query split at the error, to point at it
	QueryAfter  string
	Unavail     bool
	PrevURL     string
	NextURL     string
	ExportCSV   string
	ExportJSON  string
	CanExport   bool
	CanSave     bool
	Pages       int
	Scopes      []scopeView
	LiteralURL  string // the same search without place-name expansion
	// ScriptLang and ScriptURL offer the same search in the language the
	// query was typed in, when its script names one (同奈 → Chinese) and no
	// language filter is on: the expansion finds every script, and the
	// reader's own was not on the first page (an outside reading).
	ScriptLang, ScriptURL string
	ExpandURL             string // the same search with it, when literal
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	m := messages{requestLang(r)}
	form, req, ferr := s.parseUISearch(r.URL.Query())
	p := &searchPage{Form: form}
	pr := principalFrom(r.Context())
	p.CanExport = pr != nil && allowed(exporters, pr.User.Role)
	p.CanSave = pr != nil && allowed(officers, pr.User.Role) && s.opts.Saved != nil
	if s.opts.Search == nil {
		p.Unavail = true
		s.render(w, r, http.StatusServiceUnavailable, "search", "search", m.T("nav_search"), p)
		return
	}
	if ferr != nil {
		p.QueryError = l10n.QueryError(m.lang, ferr.Error())
		s.render(w, r, http.StatusBadRequest, "search", "search", m.T("nav_search"), p)
		return
	}
	res, err := s.opts.Search.Search(r.Context(), req)
	if msg, pos, ok := badRequest(err); err != nil && ok {
		p.QueryError = l10n.QueryError(m.lang, msg)
		// A position in an expanded query does not point into what was typed.
		if pos != nil && *pos >= 0 && *pos <= len(form.Q) && len(form.Expansions) == 0 {
			// Counted in characters as the reader counts them, not in
			// the parser's bytes ("Đồng Nai AND NOT" errs at the 14th).
			p.QueryPos = utf8.RuneCountInString(form.Q[:*pos]) + 1
			p.QueryBefore, p.QueryAfter = form.Q[:*pos], form.Q[*pos:]
		}
		s.render(w, r, http.StatusBadRequest, "search", "search", m.T("nav_search"), p)
		return
	} else if err != nil {
		s.log.Error("search", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	p.Ran, p.Result = true, res
	p.Scopes = s.scopes(r, m, form, req, res)
	if len(form.Expansions) > 0 {
		p.LiteralURL = form.URL("/search", func(g *searchForm) { g.Literal, g.Page = true, 1 })
		if lang := queryScriptLang(form.Q); lang != "" && !slices.ContainsFunc(form.Filters, func(f filter) bool { return f.Field == "lang" }) {
			p.ScriptLang = lang
			p.ScriptURL = form.URL("/search", func(g *searchForm) { g.Filters, g.Page = append(g.Filters, filter{"lang", lang}), 1 })
		}
	}
	if form.Literal {
		p.ExpandURL = form.URL("/search", func(g *searchForm) { g.Literal, g.Page = false, 1 })
	}
	for _, h := range res.Hits {
		hv := hitView{Hit: h}
		for _, sn := range h.Snippets {
			// The index escapes and marks; sanitise anyway so only <mark> survives.
			hv.Snippets = append(hv.Snippets, template.HTML(s.pages.snippet.Sanitize(string(sn)))) //nolint:gosec // sanitised above
		}
		p.Hits = append(p.Hits, hv)
	}
	p.Facets = facetViews(m, form, res.Facets)
	for _, fl := range form.Filters {
		fl := fl
		p.Active = append(p.Active, facetValue{Term: fl.Value, Label: facetLabel(m, fl.Field, fl.Value), URL: form.URL("/search", func(g *searchForm) {
			g.Page = 1
			g.Filters = removeFilter(g.Filters, fl)
		})})
	}
	p.Pages = int((res.Total + uint64(form.Size) - 1) / uint64(form.Size))
	if form.Page > 1 {
		p.PrevURL = form.URL("/search", func(g *searchForm) { g.Page-- })
	}
	if uint64(form.Page*form.Size) < res.Total && form.Page*form.Size < maxFrom {
		p.NextURL = form.URL("/search", func(g *searchForm) { g.Page++ })
	}
	exp := form
	exp.Page = 0
	p.ExportCSV = exp.URL("/search/export", nil)
	p.ExportCSV += sepFor(p.ExportCSV) + "format=csv"
	p.ExportJSON = exp.URL("/search/export", nil)
	p.ExportJSON += sepFor(p.ExportJSON) + "format=json"
	s.render(w, r, http.StatusOK, "search", "search", m.T("nav_search"), p)
}

// scopes builds the relevance scope links with their counts, which come
// from one more search without the scope (first hit only, facets on).
func (s *Server) scopes(r *http.Request, m messages, form searchForm, req index.Request, res *index.Result) []scopeView {
	counts := map[string]int{}
	known := false
	creq := req
	creq.Filters = make(map[string][]string, len(req.Filters))
	for k, v := range req.Filters {
		if k != "relevance" {
			creq.Filters[k] = v
		}
	}
	creq.From, creq.Size, creq.Highlight, creq.Facets = 0, 1, false, true
	if cres, err := s.opts.Search.Search(r.Context(), creq); err == nil {
		known = true
		for _, fc := range cres.Facets["relevance"] {
			counts[fc.Term] = fc.Count
		}
		counts["any"] = int(cres.Total)
		counts["province"] = counts["about"] + counts["mentions"]
	} else {
		s.log.Warn("search scope counts", "err", err)
	}
	out := make([]scopeView, 0, len(relScopes))
	for _, rel := range relScopes {
		out = append(out, scopeView{Rel: rel, Label: l10n.Relevance(m.lang, rel), Count: counts[rel], Known: known, Active: form.Rel == rel,
			URL: form.URL("/search", func(g *searchForm) { g.Rel, g.Page = rel, 1 })})
	}
	return out
}

func sepFor(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

func removeFilter(fs []filter, x filter) []filter {
	out := fs[:0]
	for _, f := range fs {
		if f != x {
			out = append(out, f)
		}
	}
	return out
}

// facetLabel shows codes in words: topics, tones, countries, languages,
// booleans; other terms (outlets) as they are.
func facetLabel(m messages, field, term string) string {
	switch field {
	case "tone":
		return m.Tone(term)
	case "topic", "topics":
		return m.Topic(term)
	case "relevance":
		return l10n.Relevance(m.lang, term)
	case "needs_review":
		switch term {
		case "true", "T", "1":
			return m.T("needs_review")
		case "false", "F", "0":
			return m.T("no")
		}
	case "country":
		return m.Country(term)
	case "lang":
		return m.LangName(term)
	}
	return term
}

func facetViews(m messages, form searchForm, facets map[string][]index.FacetCount) []facetView {
	fields := make([]string, 0, len(facets))
	for f := range facets {
		fields = append(fields, f)
	}
	rank := func(f string) int {
		for i, x := range facetOrder {
			if x == f {
				return i
			}
		}
		return len(facetOrder)
	}
	sort.Slice(fields, func(i, j int) bool {
		ri, rj := rank(fields[i]), rank(fields[j])
		if ri != rj {
			return ri < rj
		}
		return fields[i] < fields[j]
	})
	var out []facetView
	for _, f := range fields {
		if f == "cluster" || f == "relevance" || len(facets[f]) == 0 {
			continue
		}
		label := m.T("facet_" + f)
		if label == "facet_"+f {
			label = f
		}
		fv := facetView{Field: f, Label: label}
		for _, c := range facets[f] {
			fl := filter{f, c.Term}
			active := form.has(f, c.Term)
			fv.Values = append(fv.Values, facetValue{
				Term: c.Term, Label: facetLabel(m, f, c.Term), Count: c.Count, Active: active,
				URL: form.URL("/search", func(g *searchForm) {
					g.Page = 1
					if active {
						g.Filters = removeFilter(g.Filters, fl)
					} else {
						g.Filters = append(g.Filters, fl)
					}
				}),
			})
		}
		out = append(out, fv)
	}
	return out
}

// Params returns the search's filters, dates and sort as a URL query, without
// the query text and page: what a saved search keeps besides its query.
func (f searchForm) Params() string {
	g := f
	g.Q, g.Page = "", 1
	u := g.URL("", nil)
	return strings.TrimPrefix(u, "?")
}

package web

import (
	"errors"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/store"
)

// reasonView is one reason as the page shows it.
type reasonView struct {
	Signal, Text, Points string
}

// reasonViews writes reasons as sentences in m's language, the largest
// contribution to the risk first; the ceiling that takes off what the
// reasons add up to past 100 comes last, after the reasons it caps.
func reasonViews(m messages, rs []article.Reason) []reasonView {
	rs = append([]article.Reason(nil), rs...)
	sort.SliceStable(rs, func(i, j int) bool {
		if ci, cj := rs[i].Signal == "risk_cap", rs[j].Signal == "risk_cap"; ci != cj {
			return cj
		}
		wi, wj := rs[i].Weight, rs[j].Weight
		if wi < 0 {
			wi = -wi
		}
		if wj < 0 {
			wj = -wj
		}
		return wi > wj
	})
	out := make([]reasonView, 0, len(rs))
	for _, r := range rs {
		out = append(out, reasonView{Signal: m.Signal(r.Signal), Text: m.Reason(r), Points: m.Weight(r.Weight)})
	}
	return out
}

type articlePage struct {
	A         *article.Article
	C         *article.Classification
	TitleHTML template.HTML
	TextHTML  template.HTML
	Summary   template.HTML
	Related   []index.Hit
	Relevance string
	Entities  []article.Entity
	// Reasons are the classification's reasons as sentences, strongest
	// first; the relevance reason (weight 0) last.
	Reasons []reasonView
	// OriginalURL is the article's link when it is http(s), else "".
	OriginalURL string
	// Translation is the Vietnamese machine translation of a foreign
	// article's title and lead (nil for Vietnamese articles).
	Translation *machineTranslation
	// Evidence links the article's captures and responses (officers).
	Evidence bool
	// Alerts are the alerts raised about the article that the reader may
	// see (officers): an email links the article, and from here the alert
	// and its triage are one click away (an outside reading).
	Alerts []alertRow
	// Changed says the outlet corrected, retracted or deleted the page
	// since it was collected (officers).
	Changed *pageChange
}

// articleAlerts returns the alerts about article id that the request's
// user may see, with their rules named; nil for readers who see no alerts.
func (s *Server) articleAlerts(r *http.Request, m messages, id string) []alertRow {
	role := principalFrom(r.Context()).User.Role
	as, ok := s.opts.Store.(AlertStore)
	if !ok || !slices.Contains(officers, role) {
		return nil
	}
	list, err := as.ListAlerts(r.Context(), store.AlertFilter{ArticleID: id, Receivers: alertReceivers(role), Limit: 20})
	if err != nil {
		s.log.Warn("alerts of an article", "article", id, "err", err)
		return nil
	}
	routes := make([]string, len(list))
	for i, a := range list {
		routes[i] = a.Route
	}
	labels := s.routeLabels(r.Context(), m, routes)
	out := make([]alertRow, 0, len(list))
	for _, a := range list {
		out = append(out, alertRow{Alert: a, RouteLabel: labels[a.Route]})
	}
	return out
}

// htmlTag matches the start of a common HTML element, to tell extracted text
// that still carries markup from plain text.
var htmlTag = regexp.MustCompile(`(?i)<(p|br|div|span|a|b|i|em|strong|ul|ol|li|h[1-6]|blockquote|script|img|iframe|table|section|article)[\s>/]`)

func looksLikeHTML(s string) bool { return htmlTag.MatchString(s) }

func (s *Server) handleArticle(w http.ResponseWriter, r *http.Request) {
	a, err := s.opts.Store.GetArticle(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, false, http.StatusNotFound)
		return
	} else if err != nil {
		s.log.Error("get article", "id", r.PathValue("id"), "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	m := messages{requestLang(r)}
	p := &articlePage{A: a, C: a.Classification}
	var ents []article.Entity
	if p.C != nil {
		ents = p.C.Entities
		p.Entities = uniqueEntities(ents)
		p.Reasons = reasonViews(m, p.C.Reasons)
		switch p.C.RelevanceClass() {
		case article.RelevanceAbout:
			p.Relevance = m.T("about")
		case article.RelevanceMentions:
			p.Relevance = m.T("mentions")
		default:
			p.Relevance = m.T("not_relevant")
		}
	}
	// Entity offsets are into "title\n\ntext".
	p.TitleHTML = template.HTML(s.pages.summary.Sanitize(highlight(a.Title, 0, ents))) //nolint:gosec // built escaped, then sanitised
	if looksLikeHTML(a.Text) {
		// An extractor left markup in the text: keep its safe structure
		// (paragraphs, lists, links), drop everything active. Entity offsets
		// do not map onto markup, so entities are listed but not marked.
		p.TextHTML = template.HTML(s.pages.summary.Sanitize(a.Text))
	} else {
		p.TextHTML = template.HTML(s.pages.summary.Sanitize(paragraphs(highlight(a.Text, len(a.Title)+2, ents))))
	}
	if u, err := url.Parse(a.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		p.OriginalURL = a.URL
	}
	if a.Summary != "" {
		// Feed summaries are often HTML: keep safe markup, drop the rest.
		p.Summary = template.HTML(s.pages.summary.Sanitize(a.Summary))
	}
	if p.C != nil && p.C.Cluster != "" {
		p.Related = s.storyHits(r, p.C.Cluster, a.ID, 20)
	}
	p.Translation = s.translateArticle(r.Context(), a)
	s.requestOpenedCapture(r, a)
	p.Evidence = s.opts.Evidence != nil && officerRoles[principalFrom(r.Context()).User.Role]
	p.Changed = s.articleChanged(r.Context(), a.ID)
	p.Alerts = s.articleAlerts(r, m, a.ID)
	s.render(w, r, http.StatusOK, "article", "search", a.Title, p)
}

// storyHits returns the other articles of a story cluster, oldest first, or
// nil when there is no index or it fails (the page still shows the article).
func (s *Server) storyHits(r *http.Request, cluster, except string, n int) []index.Hit {
	if s.opts.Search == nil {
		return nil
	}
	res, err := s.opts.Search.Search(r.Context(), index.Request{Filters: map[string][]string{"cluster": {cluster}}, Sort: "oldest", Size: n + 1})
	if err != nil {
		s.log.Warn("story search", "cluster", cluster, "err", err)
		return nil
	}
	var out []index.Hit
	for _, h := range res.Hits {
		if h.ID != except && len(out) < n {
			out = append(out, h)
		}
	}
	return out
}

func uniqueEntities(ents []article.Entity) []article.Entity {
	seen := map[string]bool{}
	var out []article.Entity
	for _, e := range ents {
		k := e.Kind + "\x00" + e.Canonical
		if e.Canonical == "" {
			k = e.Kind + "\x00" + e.Text
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// highlight returns s HTML-escaped with every entity that lies wholly inside
// it (offsets relative to base) wrapped in <mark class="ent ent-KIND">.
// Overlapping, out-of-range or mid-character offsets are skipped.
func highlight(s string, base int, ents []article.Entity) string {
	type span struct {
		start, end int
		kind       string
	}
	var spans []span
	for _, e := range ents {
		st, en := e.Start-base, e.End-base
		if st < 0 || en > len(s) || st >= en || !utf8.RuneStart(s[st]) || (en < len(s) && !utf8.RuneStart(s[en])) {
			continue
		}
		if strings.Contains(s[st:en], "\n") {
			continue
		}
		spans = append(spans, span{st, en, e.Kind})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	pos := 0
	for _, sp := range spans {
		if sp.start < pos {
			continue
		}
		b.WriteString(html.EscapeString(s[pos:sp.start]))
		b.WriteString(`<mark class="ent ent-` + kindClass(sp.kind) + `">`)
		b.WriteString(html.EscapeString(s[sp.start:sp.end]))
		b.WriteString("</mark>")
		pos = sp.end
	}
	b.WriteString(html.EscapeString(s[pos:]))
	return b.String()
}

func kindClass(k string) string {
	switch k {
	case "place", "org", "person", "landmark":
		return k
	}
	return "other"
}

// paragraphs turns escaped text with blank lines into <p> elements and single
// newlines into <br>.
func paragraphs(escaped string) string {
	escaped = strings.ReplaceAll(escaped, "\r\n", "\n")
	var b strings.Builder
	for _, para := range strings.Split(escaped, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(para, "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

package web

import (
	"net/http"
	"time"

	"github.com/dongnai/presswatch/index"
)

// dashDays is the span of the dashboard.
const dashDays = 30

type dashPage struct {
	Unavail   bool
	Total     uint64 // articles about the province
	All       uint64 // every article collected in the span
	AllKnown  bool
	Review    int
	Days      []dayBar
	MaxDay    int
	Countries []countRow
	Langs     []countRow
	Tones     []countRow
	Topics    []countRow
	SearchURL string
	// Since is the first day of the span (YYYY-MM-DD, the search form's
	// format): every link to a search carries it, so that the search shows
	// the articles the figure counted.
	Since string
}

// dayBar is one column of the volume chart, positioned for the SVG.
type dayBar struct {
	Day    time.Time
	Count  int
	X, H   int
	Y      int
	Label  bool // whether to print the date under it
	Search string
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	m := messages{requestLang(r)}
	p := &dashPage{}
	if s.opts.Search == nil {
		p.Unavail = true
		s.render(w, r, http.StatusOK, "dashboard", "dashboard", m.T("nav_dashboard"), p)
		return
	}
	now := s.now().In(s.loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.loc)
	since := today.AddDate(0, 0, -(dashDays - 1))
	p.Since = since.Format("2006-01-02")
	// Every figure counts articles about the province (the classifier's
	// relevance class), by publication date, as the search page does by
	// default; the number of all articles collected is shown beside it.
	res, err := s.opts.Search.Search(r.Context(), index.Request{Since: since.UTC(), Facets: true, Size: 1, Sort: "newest",
		Filters: map[string][]string{"relevance": {"about"}}})
	if err != nil {
		s.log.Error("dashboard search", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	p.Total = res.Total
	if all, err := s.opts.Search.Search(r.Context(), index.Request{Since: since.UTC(), Size: 1, Sort: "newest"}); err == nil {
		p.All, p.AllKnown = all.Total, true
	} else {
		s.log.Warn("dashboard count", "err", err)
	}
	counts := map[string]int{}
	for _, d := range res.Histogram {
		counts[d.Day.In(s.loc).Format("2006-01-02")] += d.Count
	}
	const chartH, barW, chartLeft = 160, 21, 20
	for i := 0; i < dashDays; i++ {
		d := since.AddDate(0, 0, i)
		c := counts[d.Format("2006-01-02")]
		p.Days = append(p.Days, dayBar{Day: d, Count: c, X: chartLeft + i*barW, Label: (dashDays-1-i)%7 == 0,
			Search: "/search?sort=newest&since=" + d.Format("2006-01-02") + "&until=" + d.Format("2006-01-02")})
		p.MaxDay = max(p.MaxDay, c)
	}
	for i := range p.Days {
		if p.MaxDay > 0 {
			p.Days[i].H = p.Days[i].Count * chartH / p.MaxDay
			if p.Days[i].Count > 0 && p.Days[i].H < 2 {
				p.Days[i].H = 2
			}
		}
		p.Days[i].Y = chartH - p.Days[i].H
	}
	p.Countries = facetRows(res.Facets["country"], 10, m.Country)
	p.Langs = facetRows(res.Facets["lang"], 10, m.LangName)
	p.Topics = facetRows(res.Facets["topic"], 8, m.Topic)
	p.Tones = facetRows(res.Facets["tone"], 3, func(t string) string { return facetLabel(m, "tone", t) })
	for _, f := range res.Facets["needs_review"] {
		if f.Term == "true" || f.Term == "T" || f.Term == "1" {
			p.Review += f.Count
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", "dashboard", m.T("nav_dashboard"), p)
}

func facetRows(fc []index.FacetCount, n int, label func(string) string) []countRow {
	max := 0
	for _, f := range fc {
		max = maxInt(max, f.Count)
	}
	var out []countRow
	for i, f := range fc {
		if i >= n {
			break
		}
		l := f.Term
		if label != nil {
			l = label(f.Term)
		}
		row := countRow{Label: l, Term: f.Term, Count: f.Count}
		if max > 0 {
			row.Pct = f.Count * 100 / max
		}
		out = append(out, row)
	}
	return out
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

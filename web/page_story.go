package web

import (
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/dongnai/presswatch/index"
)

// maxStoryArticles bounds how many articles a story page reads.
const maxStoryArticles = 500

type storyPage struct {
	ID        string
	Title     string
	Hits      []index.Hit
	Outlets   []countRow
	Countries []countRow
	First     time.Time
	Last      time.Time
	Total     uint64
}

// countRow is one bar of a breakdown.
type countRow struct {
	Label string
	Term  string // the facet term behind Label, for search links
	Count int
	Pct   int // of the largest row, for bar widths
	First time.Time
}

// story gathers a cluster's articles and breakdowns, or nil if it has none.
func (s *Server) story(r *http.Request, id string) (*storyPage, error) {
	// A story ID is one word; a blank or spaced one names no story (it was
	// a 500 and an error in the log: an outside attack test).
	if id == "" || strings.ContainsFunc(id, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) {
		return nil, nil
	}
	res, err := s.opts.Search.Search(r.Context(), index.Request{Filters: map[string][]string{"cluster": {id}}, Sort: "oldest", Size: maxStoryArticles})
	if err != nil {
		return nil, err
	}
	if len(res.Hits) == 0 {
		return nil, nil
	}
	p := &storyPage{ID: id, Hits: res.Hits, Total: res.Total, Title: res.Hits[0].Title}
	outlets := map[string]*countRow{}
	countries := map[string]*countRow{}
	for _, h := range res.Hits {
		if !h.Published.IsZero() {
			if p.First.IsZero() || h.Published.Before(p.First) {
				p.First = h.Published
			}
			if h.Published.After(p.Last) {
				p.Last = h.Published
			}
		}
		for _, x := range []struct {
			m   map[string]*countRow
			key string
		}{{outlets, h.Outlet}, {countries, h.Country}} {
			k := x.key
			if k == "" {
				k = "?"
			}
			c := x.m[k]
			if c == nil {
				c = &countRow{Label: k, First: h.Published}
				x.m[k] = c
			}
			c.Count++
			if !h.Published.IsZero() && (c.First.IsZero() || h.Published.Before(c.First)) {
				c.First = h.Published
			}
		}
	}
	p.Outlets, p.Countries = sortedCounts(outlets), sortedCounts(countries)
	return p, nil
}

func sortedCounts(m map[string]*countRow) []countRow {
	out := make([]countRow, 0, len(m))
	max := 0
	for _, c := range m {
		out = append(out, *c)
		if c.Count > max {
			max = c.Count
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Label < out[j].Label
	})
	for i := range out {
		out[i].Pct = out[i].Count * 100 / max
	}
	return out
}

func (s *Server) handleStory(w http.ResponseWriter, r *http.Request) {
	if s.opts.Search == nil {
		s.fail(w, r, false, http.StatusServiceUnavailable)
		return
	}
	p, err := s.story(r, r.PathValue("id"))
	if err != nil {
		s.log.Error("story", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	if p == nil {
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	s.render(w, r, http.StatusOK, "story", "search", p.Title, p)
}

package web

import (
	"net/http"
	"sort"
	"time"

	"github.com/dongnai/presswatch/store"
)

// sourceRow is a source with its health, as the sources page and API show it.
type sourceRow struct {
	Name              string    `json:"name"`
	Kind              string    `json:"kind"`
	URL               string    `json:"url"`
	Outlet            string    `json:"outlet"`
	Country           string    `json:"country"`
	Lang              string    `json:"lang"`
	Tier              int       `json:"tier"`
	Enabled           bool      `json:"enabled"`
	Status            string    `json:"status"` // ok, error, silent, disabled, never
	LastAttempt       time.Time `json:"last_attempt,omitzero"`
	LastSuccess       time.Time `json:"last_success,omitzero"`
	LastNewItem       time.Time `json:"last_new_item,omitzero"`
	ConsecutiveErrors int       `json:"consecutive_errors"`
	LastError         string    `json:"last_error,omitempty"`
	ItemsTotal        int64     `json:"items_total"`
	ItemsPerDay       float64   `json:"items_per_day"`
	Silent            bool      `json:"silent"`
}

// sourceRows joins sources with their states; failing and silent sources
// come first so the operator sees them.
func (s *Server) sourceRows(r *http.Request) ([]sourceRow, error) {
	srcs, err := s.opts.Store.ListSources(r.Context())
	if err != nil {
		return nil, err
	}
	states, err := s.opts.Store.ListSourceStates(r.Context())
	if err != nil {
		return nil, err
	}
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Source] = st
	}
	rows := make([]sourceRow, 0, len(srcs))
	for _, src := range srcs {
		st, ok := byName[src.Name]
		row := sourceRow{Name: src.Name, Kind: src.Kind, URL: src.URL, Outlet: src.Outlet, Country: src.Country, Lang: src.Lang,
			Tier: src.Tier, Enabled: src.Enabled, LastAttempt: st.LastAttempt, LastSuccess: st.LastSuccess, LastNewItem: st.LastNewItem,
			ConsecutiveErrors: st.ConsecutiveErrors, LastError: st.LastError, ItemsTotal: st.ItemsTotal, ItemsPerDay: st.ItemsPerDay, Silent: st.Silent}
		switch {
		case !src.Enabled:
			row.Status = "disabled"
		case !ok || st.LastAttempt.IsZero():
			row.Status = "never"
		case st.ConsecutiveErrors > 0:
			row.Status = "error"
		case st.Silent:
			row.Status = "silent"
		default:
			row.Status = "ok"
		}
		rows = append(rows, row)
	}
	rank := map[string]int{"error": 0, "silent": 1, "never": 2, "ok": 3, "disabled": 4}
	sort.SliceStable(rows, func(i, j int) bool { return rank[rows[i].Status] < rank[rows[j].Status] })
	return rows, nil
}

type sourcesPage struct {
	Rows                     []sourceRow
	OK, Failing, Silent, Off int
}

func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) {
	rows, err := s.sourceRows(r)
	if err != nil {
		s.log.Error("list sources", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	p := &sourcesPage{Rows: rows}
	for _, row := range rows {
		switch row.Status {
		case "ok":
			p.OK++
		case "error":
			p.Failing++
		case "silent":
			p.Silent++
		default:
			p.Off++
		}
	}
	s.render(w, r, http.StatusOK, "sources", "sources", messages{requestLang(r)}.T("sources_title"), p)
}

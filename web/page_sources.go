package web

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/dongnai/presswatch/configs"
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
	// Managed in the admin UI (issue 14).
	Origin        string        `json:"origin"` // config or ui
	Edited        bool          `json:"edited"` // changed in the admin UI: the configuration no longer applies
	NextAttempt   time.Time     `json:"next_attempt,omitzero"`
	ETag          string        `json:"etag,omitempty"`
	LastModified  string        `json:"last_modified,omitempty"`
	Interval      string        `json:"interval,omitempty"`
	IntervalDur   time.Duration `json:"-"`
	PollRequested time.Time     `json:"poll_requested,omitzero"`
	DeletedAt     time.Time     `json:"deleted_at,omitzero"`
}

// sourceRows joins sources with their states; failing and silent sources
// come first so the operator sees them.
// shownURL is a source URL as pages and the API show it: a password or a
// key in it (a paid wire feed's "user:pass@" or "api_key=") as <secret>, as
// `config dump` shows it. Analysts saw them in full (an outside attack
// test); only the store and the crawler hold the real URL.
func shownURL(u string) string { return configs.RedactURLCredentials(u) }

func (s *Server) sourceRows(r *http.Request) ([]sourceRow, error) {
	rows, _, err := s.sourceRowsAll(r)
	return rows, err
}

// sourceRowsAll returns the live sources (as sourceRows) and, apart, the
// soft-deleted ones.
func (s *Server) sourceRowsAll(r *http.Request) (rows, deleted []sourceRow, err error) {
	srcs, err := s.opts.Store.ListSources(r.Context())
	if err != nil {
		return nil, nil, err
	}
	states, err := s.opts.Store.ListSourceStates(r.Context())
	if err != nil {
		return nil, nil, err
	}
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Source] = st
	}
	rows = make([]sourceRow, 0, len(srcs))
	for _, src := range srcs {
		st, ok := byName[src.Name]
		row := sourceRow{Name: src.Name, Kind: src.Kind, URL: shownURL(src.URL), Outlet: src.Outlet, Country: src.Country, Lang: src.Lang,
			Tier: src.Tier, Enabled: src.Enabled, LastAttempt: st.LastAttempt, LastSuccess: st.LastSuccess, LastNewItem: st.LastNewItem,
			ConsecutiveErrors: st.ConsecutiveErrors, LastError: st.LastError, ItemsTotal: st.ItemsTotal, ItemsPerDay: st.ItemsPerDay, Silent: st.Silent,
			Origin: originOf(src), Edited: !src.EditedAt.IsZero(), ETag: st.ETag, LastModified: st.LastModified,
			PollRequested: src.PollRequestedAt, DeletedAt: src.DeletedAt}
		if src.Enabled {
			row.NextAttempt = st.NextAttempt
		}
		if st.Interval > 0 {
			row.Interval, row.IntervalDur = st.Interval.Round(time.Second).String(), st.Interval
		}
		if !src.DeletedAt.IsZero() {
			row.Status = "deleted"
			deleted = append(deleted, row)
			continue
		}
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
	return rows, deleted, nil
}

type sourcesPage struct {
	Rows                     []sourceRow
	OK, Failing, Silent, Off int
	// Offline is set when every source that was tried failed: the page
	// then says so once instead of leaving it to the error of each row.
	Offline bool
	// Deleted are the soft-deleted sources (shown to administrators, who
	// may restore them).
	Deleted []sourceRow
	// Flash is a message key after an admin action; Error marks a refusal.
	Flash string
	Error bool
}

func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) {
	rows, deleted, err := s.sourceRowsAll(r)
	if err != nil {
		s.log.Error("list sources", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	p := &sourcesPage{Rows: rows, Deleted: deleted}
	q := r.URL.Query()
	if k := q.Get("done"); strings.HasPrefix(k, "src_") {
		p.Flash = k
	} else if k := q.Get("err"); strings.HasPrefix(k, "src_err_") {
		p.Flash, p.Error = k, true
	}
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
	p.Offline = p.Failing > 0 && p.OK == 0 && p.Silent == 0
	s.render(w, r, http.StatusOK, "sources", "sources", messages{requestLang(r)}.T("sources_title"), p)
}

// ErrorKind names the kind of a source's last error for people ("network
// unreachable", "server error"); the raw text stays in the row's title.
func (r sourceRow) ErrorKind() string {
	e := strings.ToLower(r.LastError)
	switch {
	case e == "":
		return ""
	case strings.HasPrefix(e, "article pages not read:"):
		return "srcerr_pages"
	case strings.HasPrefix(e, "more new entries than one poll takes:"):
		return "srcerr_portion"
	case strings.Contains(e, "exceeds the size limit"):
		return "srcerr_size"
	case strings.Contains(e, "not an rss, atom or json feed") || strings.Contains(e, "with repairs") || strings.Contains(e, "parse"):
		return "srcerr_format"
	case strings.Contains(e, "no such host") || strings.Contains(e, "server misbehaving") || strings.Contains(e, "lookup "):
		return "srcerr_dns"
	case strings.Contains(e, "connection refused") || strings.Contains(e, "network is unreachable") || strings.Contains(e, "dial tcp") || strings.Contains(e, "no route"):
		return "srcerr_network"
	case strings.Contains(e, "timeout") || strings.Contains(e, "deadline exceeded"):
		return "srcerr_timeout"
	case strings.Contains(e, "certificate") || strings.Contains(e, "tls"):
		return "srcerr_tls"
	case strings.Contains(e, " 429") || strings.Contains(e, "too many"):
		return "srcerr_rate"
	case strings.Contains(e, " 5") && strings.Contains(e, "status") || strings.Contains(e, ": 5"):
		return "srcerr_server"
	case strings.Contains(e, " 4") && strings.Contains(e, "status") || strings.Contains(e, ": 4"):
		return "srcerr_client"
	}
	return "srcerr_other"
}

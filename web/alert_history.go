package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/store"
)

// historyLimit bounds the handling history an alert's page lists (its
// newest entries).
const historyLimit = 50

// historyRow is one step of an alert's handling history: when, who (as
// personName names them) and what changed, in the page's language.
type historyRow struct {
	At      time.Time
	Who     string
	Changes []string
}

// auditLister is the part of the store that gives one object's audit
// entries.
type auditLister interface {
	ListAuditFor(ctx context.Context, object string, limit int) ([]store.AuditEntry, error)
}

// alertHistory is the alert's handling history from the audit log, oldest
// first: every triage change with who made it (an officer, an email
// acknowledgement, a story-wide acknowledgement, a change made on another
// route's alert about the same article). A store that keeps no audit log
// gives none.
//
// handled is when the alert first left the state new (zero if it has not,
// or the entry is older than the history kept): from then on the sender
// leaves it out of its office's messages.
//
// last is the newest change of state, nil when the history holds none.
func (s *Server) alertHistory(ctx context.Context, m messages, id string) (rows []historyRow, handled time.Time, last *historyRow, err error) {
	al, ok := s.opts.Store.(auditLister)
	if !ok {
		return nil, time.Time{}, nil, nil
	}
	entries, err := al.ListAuditFor(ctx, "alert/"+id, historyLimit)
	if err != nil {
		return nil, time.Time{}, nil, err
	}
	names := map[string]string{}
	out := make([]historyRow, 0, len(entries))
	for _, e := range entries {
		who, ok := names[e.Actor]
		if !ok {
			who = s.personName(ctx, e.Actor)
			names[e.Actor] = who
		}
		out = append(out, historyRow{At: e.At, Who: who, Changes: describeAlertChange(m, e.Detail)})
		if handled.IsZero() && strings.Contains(e.Detail, "state "+store.AlertNew+" → ") {
			handled = e.At
		}
		if strings.HasPrefix(e.Detail, "state ") {
			last = &out[len(out)-1]
		}
	}
	if last != nil {
		row := *last // out may still grow: a copy, not a pointer into it
		last = &row
	}
	return out, handled, last, nil
}

// describeAlertChange puts the store's record of a triage change
// ("state new → acknowledged; assignee \"minh\"; note changed") in words;
// a part it does not know is shown as written.
func describeAlertChange(m messages, detail string) []string {
	var out []string
	for part := range strings.SplitSeq(detail, "; ") {
		switch {
		case part == "":
		case strings.HasPrefix(part, "state ") && strings.Contains(part, " → "):
			from, to, _ := strings.Cut(strings.TrimPrefix(part, "state "), " → ")
			out = append(out, m.F("hist_state", m.State(from), m.State(to)))
		case strings.HasPrefix(part, "assignee "):
			if v, err := strconv.Unquote(strings.TrimPrefix(part, "assignee ")); err == nil {
				if v == "" {
					out = append(out, m.T("hist_unassigned"))
				} else {
					out = append(out, m.F("hist_assignee", v))
				}
				continue
			}
			out = append(out, part)
		case part == "note changed":
			out = append(out, m.T("hist_note"))
		case strings.HasPrefix(part, "response link "):
			if v, err := strconv.Unquote(strings.TrimPrefix(part, "response link ")); err == nil {
				if v == "" {
					out = append(out, m.T("hist_link_removed"))
				} else {
					out = append(out, m.F("hist_link", v))
				}
				continue
			}
			out = append(out, part)
		default:
			out = append(out, part)
		}
	}
	return out
}

package alerts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dongnai/presswatch/store"
)

// ErrBadTransition is returned for a triage change the state machine does
// not allow.
var ErrBadTransition = errors.New("alert state change not allowed")

// ErrFieldTooLong is returned (wrapped) by Triage.Update for an assignee,
// note or response link longer than its limit (MaxAssigneeLen, MaxNoteLen,
// MaxResponseLinkLen, in characters).
var ErrFieldTooLong = errors.New("triage field too long")

// ErrBadLink is returned (wrapped) for a response link that is not an
// http(s) URL with a host or a mailto address.
var ErrBadLink = errors.New("bad response link")

// stripControls drops control characters from s, keeping line breaks and
// tabs when multiline (a note) and turning them into spaces otherwise.
func stripControls(s string, multiline bool) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			if multiline {
				return r
			}
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// Limits of the free-text triage fields, in characters.
const (
	MaxAssigneeLen     = 64
	MaxNoteLen         = 4000
	MaxResponseLinkLen = 2048
)

// transitions is the triage state machine: new → acknowledged →
// false_positive | confirmed | responded; confirmed → responded. A silenced
// or inhibited alert can be taken up (acknowledged) by an analyst, and a
// false positive reopened (acknowledged) or confirmed: "Báo nhầm" clicked by
// mistake could not be undone but by confirming (an outside reading).
var transitions = map[string][]string{
	store.AlertNew:           {store.AlertAcknowledged, store.AlertFalsePositive, store.AlertConfirmed},
	store.AlertSilenced:      {store.AlertAcknowledged},
	store.AlertInhibited:     {store.AlertAcknowledged},
	store.AlertAcknowledged:  {store.AlertFalsePositive, store.AlertConfirmed, store.AlertResponded},
	store.AlertConfirmed:     {store.AlertResponded, store.AlertFalsePositive},
	store.AlertFalsePositive: {store.AlertAcknowledged, store.AlertConfirmed},
	store.AlertResponded:     {},
}

// CanTransition reports whether an alert may go from one state to another.
func CanTransition(from, to string) bool {
	return from == to || slices.Contains(transitions[from], to)
}

// TriageStore is what triage needs from the store.
type TriageStore interface {
	GetAlert(ctx context.Context, id string) (store.Alert, error)
	UpdateAlert(ctx context.Context, c store.AlertChange) (store.Alert, error)
	DeliveryAlerts(ctx context.Context, deliveryID string) ([]store.Alert, error)
	ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
}

// Triage applies triage changes after checking them.
type Triage struct {
	Store TriageStore
	Now   func() time.Time
}

func (t Triage) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Update checks c against the state machine (and a response link is an
// http(s) URL) and applies it with its audit entry. A state change also
// moves the alert's siblings (Siblings) that were in the same state, each
// with its own audit entry; their notes are left alone.
func (t Triage) Update(ctx context.Context, c store.AlertChange) (store.Alert, error) {
	cur, err := t.Store.GetAlert(ctx, c.ID)
	if err != nil {
		return store.Alert{}, err
	}
	// Control characters have no place in a name, and in a note only line
	// breaks and tabs do (a bell and a newline were saved in an assignee and
	// shown back: an outside reading).
	if c.Assignee != nil {
		v := stripControls(*c.Assignee, false)
		c.Assignee = &v
	}
	if c.Note != nil {
		v := stripControls(*c.Note, true)
		c.Note = &v
	}
	// Every problem of the change is reported at once, joined.
	var problems []error
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"assignee", c.Assignee, MaxAssigneeLen}, {"note", c.Note, MaxNoteLen}, {"response link", c.ResponseLink, MaxResponseLinkLen}} {
		if f.v != nil && utf8.RuneCountInString(*f.v) > f.max {
			problems = append(problems, fmt.Errorf("alert %s: %s longer than %d characters: %w", c.ID, f.name, f.max, ErrFieldTooLong))
		}
	}
	if c.State != nil && !CanTransition(cur.State, *c.State) {
		problems = append(problems, fmt.Errorf("alert %s: %s → %s: %w", c.ID, cur.State, *c.State, ErrBadTransition))
	}
	if c.ResponseLink != nil && *c.ResponseLink != "" {
		u, err := url.Parse(*c.ResponseLink)
		web := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != ""
		mail := err == nil && u.Scheme == "mailto" && u.Opaque != ""
		if !web && !mail {
			problems = append(problems, fmt.Errorf("alert %s: response link must be an http(s) URL with a host or a mailto address: %w", c.ID, ErrBadLink))
		}
	}
	if len(problems) > 0 {
		return store.Alert{}, errors.Join(problems...)
	}
	if c.At.IsZero() {
		c.At = t.now()
	}
	out, err := t.Store.UpdateAlert(ctx, c)
	if err != nil || c.State == nil || *c.State == cur.State {
		return out, err
	}
	// The officer's judgment is about the article: the same office's other
	// alerts about it (other routes that matched it, mailed in one message)
	// that stood where this one stood move with it.
	sib, err := t.Siblings(ctx, cur)
	if err != nil {
		return out, err
	}
	for _, a := range sib {
		if a.State != cur.State || !CanTransition(a.State, *c.State) {
			continue
		}
		sc := store.AlertChange{ID: a.ID, Actor: c.Actor, State: c.State, Assignee: c.Assignee, ResponseLink: c.ResponseLink, At: c.At}
		if _, err := t.Store.UpdateAlert(ctx, sc); err != nil {
			return out, fmt.Errorf("alert %s, same article as %s: %w", a.ID, c.ID, err)
		}
	}
	return out, nil
}

// siblingsMax bounds how many alerts about one article Siblings reads: one
// per route that matched it, so far more than any route tree has.
const siblingsMax = 500

// Siblings returns the other alerts about a's article for a's receivers:
// the routes that matched the same article for the same office. Their
// recipients got one message between them (see onePerRecipient), and the
// inbox shows them as one row.
func (t Triage) Siblings(ctx context.Context, a store.Alert) ([]store.Alert, error) {
	return siblings(ctx, t.Store, a)
}

func siblings(ctx context.Context, l interface {
	ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
}, a store.Alert) ([]store.Alert, error) {
	all, err := l.ListAlerts(ctx, store.AlertFilter{ArticleID: a.ArticleID, Limit: siblingsMax})
	if err != nil {
		return nil, fmt.Errorf("alerts about article %s: %w", a.ArticleID, err)
	}
	return slices.DeleteFunc(all, func(x store.Alert) bool {
		return x.ID == a.ID || !slices.Equal(x.Receivers, a.Receivers)
	}), nil
}

// AckDelivery acknowledges the new alerts a delivery carried, and their new
// siblings, on behalf of actor (the recipient of a one-click link). It
// returns how many changed.
func (t Triage) AckDelivery(ctx context.Context, deliveryID, actor string) (int, error) {
	als, err := t.Store.DeliveryAlerts(ctx, deliveryID)
	if err != nil {
		return 0, err
	}
	n := 0
	ack := store.AlertAcknowledged
	seen := map[string]bool{}
	for _, a := range als {
		// The message also carried the article for the office's other
		// routes that matched it (merged alerts have no delivery of their own).
		sib, err := t.Siblings(ctx, a)
		if err != nil {
			return n, err
		}
		for _, x := range append([]store.Alert{a}, sib...) {
			if x.State != store.AlertNew || seen[x.ID] {
				continue
			}
			seen[x.ID] = true
			if _, err := t.Store.UpdateAlert(ctx, store.AlertChange{ID: x.ID, Actor: actor, State: &ack, At: t.now()}); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

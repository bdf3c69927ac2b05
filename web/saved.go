package web

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dongnai/presswatch/store"
)

// SavedSearch is a search a user kept, to run again or to turn into an alert
// route (its Query is in the project's one query language).
type SavedSearch struct {
	ID      string    `json:"id"`
	User    string    `json:"user"`
	Name    string    `json:"name"`
	Query   string    `json:"query"`
	Params  string    `json:"params"` // the rest of the search as URL query (filters, dates, sort)
	Created time.Time `json:"created"`
	// Alert route made from this search: the alerter notifies AlertReceiver
	// of every article matching Query with risk >= AlertMinRisk while
	// AlertEnabled. An empty AlertReceiver means it is no route.
	AlertReceiver string `json:"alert_receiver,omitempty"`
	AlertEnabled  bool   `json:"alert_enabled"`
	AlertMinRisk  int    `json:"alert_min_risk"`
}

// SavedAlert is what turning a saved search into an alert route sets.
// An empty Receiver stops it being a route.
type SavedAlert struct {
	Receiver string
	MinRisk  int // 0..100
	Enabled  bool
}

// ErrSavedNotFound is returned when a saved search does not exist or belongs
// to someone else.
var ErrSavedNotFound = errors.New("saved search not found")

// SavedSearches keeps users' saved searches. Every method is scoped to one user.
type SavedSearches interface {
	ListSaved(ctx context.Context, user string) ([]SavedSearch, error)
	SaveSearch(ctx context.Context, s SavedSearch) error
	DeleteSaved(ctx context.Context, user, id string) error
	// SetSavedAlert turns the user's saved search id into an alert route, or
	// changes or removes that route; ErrSavedNotFound when it is not theirs.
	SetSavedAlert(ctx context.Context, user, id string, a SavedAlert) error
}

// SavedStore is the part of store.Store that StoreSaved uses.
type SavedStore interface {
	UpsertSavedSearch(ctx context.Context, s store.SavedSearch) error
	GetSavedSearch(ctx context.Context, id string) (store.SavedSearch, error)
	ListSavedSearches(ctx context.Context, owner string) ([]store.SavedSearch, error)
	DeleteSavedSearch(ctx context.Context, owner, id string) error
}

// StoreSaved is a SavedSearches kept in the store's saved_searches table,
// shared by every web node and read by the alerter.
type StoreSaved struct {
	st SavedStore
}

// maxSavedPerUser bounds what one user can store.
const maxSavedPerUser = 200

// NewStoreSaved returns saved searches kept in st.
func NewStoreSaved(st SavedStore) *StoreSaved { return &StoreSaved{st: st} }

func fromStoreSaved(x store.SavedSearch) SavedSearch {
	return SavedSearch{ID: x.ID, User: x.Owner, Name: x.Name, Query: x.Query, Params: x.Params, Created: x.CreatedAt,
		AlertReceiver: x.AlertReceiver, AlertEnabled: x.AlertEnabled, AlertMinRisk: x.AlertMinRisk}
}

// ListSaved returns user's saved searches, newest first.
func (f *StoreSaved) ListSaved(ctx context.Context, user string) ([]SavedSearch, error) {
	xs, err := f.st.ListSavedSearches(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make([]SavedSearch, 0, len(xs))
	for _, x := range xs {
		out = append(out, fromStoreSaved(x))
	}
	return out, nil
}

// SaveSearch adds s, or replaces the user's saved search with the same ID.
// A user may keep up to 200.
func (f *StoreSaved) SaveSearch(ctx context.Context, s SavedSearch) error {
	xs, err := f.st.ListSavedSearches(ctx, s.User)
	if err != nil {
		return err
	}
	n := 0
	for _, x := range xs {
		if x.ID != s.ID {
			n++
		}
	}
	if n >= maxSavedPerUser {
		return fmt.Errorf("save search: user %q already has %d saved searches", s.User, n)
	}
	err = f.st.UpsertSavedSearch(ctx, store.SavedSearch{ID: s.ID, Owner: s.User, Name: s.Name, Query: s.Query, Params: s.Params,
		CreatedAt: s.Created, AlertReceiver: s.AlertReceiver, AlertEnabled: s.AlertEnabled, AlertMinRisk: s.AlertMinRisk})
	if errors.Is(err, store.ErrNotFound) {
		return ErrSavedNotFound
	}
	return err
}

// DeleteSaved removes the user's saved search id, or returns ErrSavedNotFound.
func (f *StoreSaved) DeleteSaved(ctx context.Context, user, id string) error {
	err := f.st.DeleteSavedSearch(ctx, user, id)
	if errors.Is(err, store.ErrNotFound) {
		return ErrSavedNotFound
	}
	return err
}

// SetSavedAlert sets or clears the alert route of the user's saved search id.
func (f *StoreSaved) SetSavedAlert(ctx context.Context, user, id string, a SavedAlert) error {
	x, err := f.st.GetSavedSearch(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && x.Owner != user) {
		return ErrSavedNotFound
	}
	if err != nil {
		return err
	}
	x.AlertReceiver, x.AlertMinRisk, x.AlertEnabled = a.Receiver, a.MinRisk, a.Enabled && a.Receiver != ""
	err = f.st.UpsertSavedSearch(ctx, x)
	if errors.Is(err, store.ErrNotFound) {
		return ErrSavedNotFound
	}
	return err
}

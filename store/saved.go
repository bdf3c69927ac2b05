package store

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// SavedSearch is a search a user kept, shared by every web node. When
// AlertReceiver is set and AlertEnabled is true it is also an alert route:
// the alerter notifies AlertReceiver of every classified article that
// matches Query with a risk of at least AlertMinRisk.
type SavedSearch struct {
	ID, Owner, Name string
	Query           string // the project's query language
	Params          string // the rest of the search as a URL query (filters, dates, sort)
	CreatedAt       time.Time
	UpdatedAt       time.Time // set by the store on every upsert
	AlertReceiver   string    // "" = not an alert route
	AlertEnabled    bool
	AlertMinRisk    int // 0..100
}

// IsRoute reports whether s is an enabled alert route.
func (s SavedSearch) IsRoute() bool { return s.AlertEnabled && s.AlertReceiver != "" }

// SavedSearchStore keeps users' saved searches and the alert routes made
// from them.
type SavedSearchStore interface {
	// UpsertSavedSearch stores s keyed by ID (idempotent: a retry is
	// harmless); CreatedAt keeps the earliest. A saved search belongs to its
	// owner for good: an upsert of an existing ID with another Owner changes
	// nothing and returns ErrNotFound (wrapped).
	UpsertSavedSearch(ctx context.Context, s SavedSearch) error
	// GetSavedSearch returns one saved search or ErrNotFound.
	GetSavedSearch(ctx context.Context, id string) (SavedSearch, error)
	// ListSavedSearches returns owner's saved searches, newest first (ties by ID).
	ListSavedSearches(ctx context.Context, owner string) ([]SavedSearch, error)
	// DeleteSavedSearch removes owner's saved search id, or returns
	// ErrNotFound when there is none (or it belongs to someone else).
	DeleteSavedSearch(ctx context.Context, owner, id string) error
	// ListSavedSearchRoutes returns every saved search that is an enabled
	// alert route (see SavedSearch.IsRoute), ordered by ID.
	ListSavedSearchRoutes(ctx context.Context) ([]SavedSearch, error)
}

// checkSaved validates a saved search before it is written.
func checkSaved(s SavedSearch) error {
	switch {
	case s.ID == "" || s.Owner == "":
		return errors.New("upsert saved search: empty ID or owner")
	case utf8.RuneCountInString(s.ID) > 100:
		return fmt.Errorf("upsert saved search %q: ID longer than 100 characters", s.ID)
	case s.AlertMinRisk < 0 || s.AlertMinRisk > 100:
		return fmt.Errorf("upsert saved search %q: alert minimum risk %d not in 0..100", s.ID, s.AlertMinRisk)
	}
	return nil
}

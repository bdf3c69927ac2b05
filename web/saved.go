package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
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
}

// ErrSavedNotFound is returned when a saved search does not exist or belongs
// to someone else.
var ErrSavedNotFound = errors.New("saved search not found")

// SavedSearches keeps users' saved searches. Every method is scoped to one user.
type SavedSearches interface {
	ListSaved(ctx context.Context, user string) ([]SavedSearch, error)
	SaveSearch(ctx context.Context, s SavedSearch) error
	DeleteSaved(ctx context.Context, user, id string) error
}

// FileSaved is a SavedSearches kept in one JSON file, rewritten atomically on
// every change. It suits the single-process `presswatch run`; several web
// nodes need a shared store table instead (see docs/web.md).
type FileSaved struct {
	path string
	mu   sync.Mutex
	all  []SavedSearch
}

// maxSavedPerUser bounds what one user can store.
const maxSavedPerUser = 200

// OpenFileSaved loads (or starts) the saved-search file at path.
func OpenFileSaved(path string) (*FileSaved, error) {
	f := &FileSaved{path: path}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return f, nil
	case err != nil:
		return nil, fmt.Errorf("open saved searches %q: %w", path, err)
	}
	if err := json.Unmarshal(b, &f.all); err != nil {
		return nil, fmt.Errorf("read saved searches %q: %w", path, err)
	}
	return f, nil
}

// ListSaved returns user's saved searches, newest first.
func (f *FileSaved) ListSaved(_ context.Context, user string) ([]SavedSearch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []SavedSearch
	for _, s := range f.all {
		if s.User == user {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// SaveSearch adds s, or replaces the user's saved search with the same ID.
func (f *FileSaved) SaveSearch(_ context.Context, s SavedSearch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	next := make([]SavedSearch, 0, len(f.all)+1)
	n := 0
	for _, x := range f.all {
		if x.User == s.User && x.ID == s.ID {
			continue
		}
		if x.User == s.User {
			n++
		}
		next = append(next, x)
	}
	if n >= maxSavedPerUser {
		return fmt.Errorf("save search: user %q already has %d saved searches", s.User, n)
	}
	next = append(next, s)
	if err := f.write(next); err != nil {
		return err
	}
	f.all = next
	return nil
}

// DeleteSaved removes the user's saved search id, or returns ErrSavedNotFound.
func (f *FileSaved) DeleteSaved(_ context.Context, user, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	next := make([]SavedSearch, 0, len(f.all))
	found := false
	for _, x := range f.all {
		if x.User == user && x.ID == id {
			found = true
			continue
		}
		next = append(next, x)
	}
	if !found {
		return ErrSavedNotFound
	}
	if err := f.write(next); err != nil {
		return err
	}
	f.all = next
	return nil
}

func (f *FileSaved) write(all []SavedSearch) error {
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return fmt.Errorf("write saved searches: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".saved-*.json")
	if err != nil {
		return fmt.Errorf("write saved searches: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write saved searches: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write saved searches: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write saved searches: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("write saved searches: %w", err)
	}
	return nil
}

package classifier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// fakeMemory records what the stage asks it to remember.
type fakeMemory struct {
	limit int
	got   []string
}

func (m *fakeMemory) Remember(a *article.Article) bool { m.got = append(m.got, a.ID); return true }
func (m *fakeMemory) ClusterWindow() time.Duration     { return 72 * time.Hour }
func (m *fakeMemory) ClusterLimit() int                { return m.limit }
func (m *fakeMemory) Classify(context.Context, *article.Article) (*article.Classification, error) {
	return nil, errors.New("not used")
}

// fakeScanner serves articles oldest first, as the store does, or fails
// (its first fails calls, or always when err is set).
type fakeScanner struct {
	arts  []*article.Article
	err   error
	fails int
	since time.Time
}

func (s *fakeScanner) UpsertArticles(context.Context, []*article.Article) error { return nil }
func (s *fakeScanner) ScanArticles(ctx context.Context, q store.ArticleQuery, fn func(*article.Article) error) error {
	s.since = q.Since
	if s.err != nil {
		return s.err
	}
	if s.fails > 0 {
		s.fails--
		return errors.New("connection refused")
	}
	for _, a := range s.arts {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// TestRememberStoriesKeepsTheNewest: of the window's stored articles the
// stage restores the newest ClusterLimit that are about or mention the
// province and carry a cluster, oldest first; a store that fails for a
// while is retried, one that keeps failing leaves the stage running with
// empty clusters.
func TestRememberStoriesKeepsTheNewest(t *testing.T) {
	var arts []*article.Article
	for i := range 8 {
		c := &article.Classification{Cluster: fmt.Sprintf("c-%d", i), About: i%2 == 0, Mentions: i%4 == 0}
		switch i {
		case 3:
			c.Mentions = true // mentions only
		case 5:
			c = nil // never classified
		case 6:
			c.Cluster = "" // classified before clusters existed
		}
		arts = append(arts, &article.Article{ID: fmt.Sprintf("a%d", i), Classification: c})
	}
	// Worth remembering: a0, a2, a3, a4 (a6 has no cluster; a1, a5, a7 are
	// not about the province). With room for three, the newest three.
	mem := &fakeMemory{limit: 3}
	sc := &fakeScanner{arts: arts}
	s := &Stage{classifier: mem, store: sc, log: slog.New(slog.DiscardHandler)}
	before := time.Now()
	s.rememberStories(context.Background())
	if want := []string{"a2", "a3", "a4"}; !slices.Equal(mem.got, want) {
		t.Errorf("remembered %v, want %v", mem.got, want)
	}
	if w := before.Add(-72 * time.Hour); sc.since.Before(w.Add(-time.Second)) || sc.since.After(time.Now().Add(-72*time.Hour)) {
		t.Errorf("scanned from %v, want the cluster window before now", sc.since)
	}

	mem = &fakeMemory{limit: 100}
	s = &Stage{classifier: mem, store: sc, log: slog.New(slog.DiscardHandler)}
	s.rememberStories(context.Background())
	if want := []string{"a0", "a2", "a3", "a4"}; !slices.Equal(mem.got, want) {
		t.Errorf("with room for all: remembered %v, want %v", mem.got, want)
	}

	// A store that fails for a while (a restart during a database blip):
	// the stage retries and restores.
	mem = &fakeMemory{limit: 100}
	flaky := &fakeScanner{arts: arts, fails: 2}
	s = &Stage{classifier: mem, store: flaky, restoreFor: time.Minute, log: slog.New(slog.DiscardHandler)}
	s.rememberStories(context.Background())
	if want := []string{"a0", "a2", "a3", "a4"}; !slices.Equal(mem.got, want) || flaky.fails != 0 {
		t.Errorf("after two failures: remembered %v, want %v", mem.got, want)
	}

	// A store that keeps failing: the stage gives up after restoreFor and
	// goes on with empty clusters.
	mem = &fakeMemory{limit: 100}
	s = &Stage{classifier: mem, store: &fakeScanner{arts: arts, err: errors.New("database is locked")}, log: slog.New(slog.DiscardHandler)}
	s.rememberStories(context.Background())
	if len(mem.got) != 0 {
		t.Errorf("remembered %v from a store that failed", mem.got)
	}
	// Stopping the stage ends the retries.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s = &Stage{classifier: mem, store: &fakeScanner{arts: arts, err: errors.New("database is locked")}, restoreFor: time.Hour, log: slog.New(slog.DiscardHandler)}
	done := make(chan struct{})
	go func() { s.rememberStories(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the restore kept retrying after the stage was stopped")
	}
}

// Package storetest is the conformance suite every store.Store implementation
// passes. store's own tests run it against SQLite and PostgreSQL; a new backend
// runs it too.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// Run runs the conformance suite. open must return a new, empty, migrated store
// for each call (the suite calls it once per subtest) and arrange for it to be
// closed when t ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Alerts", func(t *testing.T) { RunAlerts(t, open) })
	t.Run("Digests", func(t *testing.T) { RunDigests(t, open) })
	t.Run("Outbox", func(t *testing.T) { RunOutbox(t, open) })
	t.Run("SavedSearches", func(t *testing.T) { RunSavedSearches(t, open) })
	t.Run("Translations", func(t *testing.T) { RunTranslations(t, open) })
	t.Run("Evidence", func(t *testing.T) { RunEvidence(t, open) })
	t.Run("Narratives", func(t *testing.T) { RunNarratives(t, open) })
	t.Run("Credentials", func(t *testing.T) { RunCredentials(t, open) })
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Basics", testBasics},
		{"UpsertIdempotent", testUpsertIdempotent},
		{"SourcesMerge", testSourcesMerge},
		{"EarliestCollected", testEarliestCollected},
		{"EmptyFieldsKeepStored", testEmptyFieldsKeep},
		{"DuplicateIDsInOneBatch", testDuplicatesInBatch},
		{"LargeBatch", testLargeBatch},
		{"InvalidBatchWritesNothing", testInvalidBatch},
		{"ClassificationRoundTrip", testClassificationRoundTrip},
		{"ClassificationOlderIgnored", testClassificationOlder},
		{"NotFound", testNotFound},
		{"GetArticlesAndExist", testGetArticlesExist},
		{"ScanOrderingAndPaging", testScan},
		{"ScanCallbackError", testScanCallbackError},
		{"Sources", testSources},
		{"SourcesManaged", testSourcesManaged},
		{"SourceState", testSourceState},
		{"CrawlerState", testCrawlerState},
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"APITokens", testTokens},
		{"Audit", testAudit},
		{"ConcurrentUpsertsSameIDs", testConcurrent},
		{"ReadsDuringWrites", testReadsDuringWrites},
		{"Unicode", testUnicode},
		{"TimesUTC", testTimes},
		{"CanceledContext", testCanceled},
		{"UseAfterClose", testUseAfterClose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

// base is a fixed instant the fixtures are built around.
var base = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// newArticle returns a complete article whose ID is derived from i.
func newArticle(i int) *article.Article {
	canon := fmt.Sprintf("https://news.example.com/world/asia/dong-nai-%05d", i)
	return &article.Article{
		ID:           article.ID(canon),
		URL:          canon + "?utm_source=rss",
		CanonicalURL: canon,
		Source:       "example-rss",
		Sources:      []string{"example-rss"},
		Outlet:       "Example News",
		Country:      "GB",
		Tier:         2,
		Lang:         "en",
		Title:        fmt.Sprintf("Story %d from Đồng Nai", i),
		Author:       "A. Writer",
		Summary:      "A summary.",
		Text:         strings.Repeat("Long Thành airport construction continues. ", 20),
		ImageURL:     "https://news.example.com/img.jpg",
		Published:    base.Add(-time.Hour),
		Collected:    base.Add(time.Duration(i) * time.Second),
		Fingerprint:  0xdeadbeefcafebabe,
	}
}

func newClassification(at time.Time) *article.Classification {
	return &article.Classification{
		About:     true,
		Mentions:  true,
		Relevance: 0.875,
		Topics:    []string{"infrastructure", "airport"},
		Entities: []article.Entity{
			{Text: "Đồng Nai", Kind: "place", Canonical: "dong-nai", Start: 0, End: 10},
			{Text: "Long Thành", Kind: "landmark", Canonical: "long-thanh", Start: 20, End: 32},
		},
		Tone:        "neutral",
		Risk:        42,
		NeedsReview: true,
		Reasons:     []article.Reason{{Signal: "gazetteer", Detail: "matched \"Đồng Nai\"", Weight: 0.5}},
		Cluster:     "c-123",
		Rules:       "rules-7",
		At:          at,
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func mustUpsert(t *testing.T, s store.Store, arts ...*article.Article) {
	t.Helper()
	if err := s.UpsertArticles(ctx(t), arts); err != nil {
		t.Fatalf("UpsertArticles: %v", err)
	}
}

func mustGet(t *testing.T, s store.Store, id string) *article.Article {
	t.Helper()
	a, err := s.GetArticle(ctx(t), id)
	if err != nil {
		t.Fatalf("GetArticle(%q): %v", id, err)
	}
	return a
}

func count(t *testing.T, s store.Store) int64 {
	t.Helper()
	n, err := s.CountArticles(ctx(t))
	if err != nil {
		t.Fatalf("CountArticles: %v", err)
	}
	return n
}

// normalized returns a copy of a as the store returns it: times truncated to
// microseconds in UTC, Sources sorted and including Source, nil JSON lists empty.
func normalized(a *article.Article) *article.Article {
	c := *a
	c.Published = trunc(a.Published)
	c.Collected = trunc(a.Collected)
	src := slices.Clone(a.Sources)
	if a.Source != "" {
		src = append(src, a.Source)
	}
	slices.Sort(src)
	c.Sources = slices.Compact(src)
	if a.Classification != nil {
		cl := *a.Classification
		cl.At = trunc(cl.At)
		if cl.Topics == nil {
			cl.Topics = []string{}
		}
		if cl.Entities == nil {
			cl.Entities = []article.Entity{}
		}
		if cl.Reasons == nil {
			cl.Reasons = []article.Reason{}
		}
		c.Classification = &cl
	}
	return &c
}

func trunc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func assertArticle(t *testing.T, got, want *article.Article) {
	t.Helper()
	w := normalized(want)
	if !reflect.DeepEqual(got, w) {
		gj, _ := article.Marshal(got)
		wj, _ := article.Marshal(w)
		t.Fatalf("article mismatch\n got: %s\nwant: %s", gj, wj)
	}
}

func testBasics(t *testing.T, s store.Store) {
	c := ctx(t)
	if b := s.Backend(); b != store.BackendSQLite && b != store.BackendPostgres {
		t.Errorf("Backend() = %q", b)
	}
	if err := s.Ping(c); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	v, err := s.SchemaVersion(c)
	if err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v; want >= 1", v, err)
	}
	if n := count(t, s); n != 0 {
		t.Fatalf("fresh store has %d articles", n)
	}
	if err := s.UpsertArticles(c, nil); err != nil {
		t.Fatalf("UpsertArticles(nil): %v", err)
	}
}

func testUpsertIdempotent(t *testing.T, s store.Store) {
	var batch []*article.Article
	for i := range 10 {
		batch = append(batch, newArticle(i))
	}
	batch[3].Classification = newClassification(base)
	for range 3 {
		mustUpsert(t, s, batch...)
	}
	if n := count(t, s); n != 10 {
		t.Fatalf("after 3 identical upserts: %d articles, want 10", n)
	}
	for _, a := range batch {
		assertArticle(t, mustGet(t, s, a.ID), a)
	}
	// The caller's articles are not modified.
	if len(batch[0].Sources) != 1 || batch[0].Collected != base {
		t.Fatalf("UpsertArticles modified its input: %+v", batch[0])
	}
}

func testSourcesMerge(t *testing.T, s store.Store) {
	a := newArticle(1)
	a.Source, a.Sources = "s1", nil
	b := newArticle(1)
	b.Source, b.Sources = "s2", []string{"s3", "s2"}
	b.Collected = a.Collected.Add(time.Minute)
	mustUpsert(t, s, a)
	mustUpsert(t, s, b)
	got := mustGet(t, s, a.ID)
	if want := []string{"s1", "s2", "s3"}; !slices.Equal(got.Sources, want) {
		t.Errorf("Sources = %q, want %q", got.Sources, want)
	}
	if got.Source != "s1" {
		t.Errorf("Source = %q, want the first finder s1", got.Source)
	}
	// A source seen again adds nothing.
	mustUpsert(t, s, a)
	if got := mustGet(t, s, a.ID); len(got.Sources) != 3 {
		t.Errorf("Sources after re-upsert = %q", got.Sources)
	}
}

func testEarliestCollected(t *testing.T, s store.Store) {
	tests := []struct {
		name       string
		collected  []time.Duration // offsets from base, upserted in order
		sources    []string        // Source of each copy; nil = src0, src1, …
		wantOffset time.Duration
		wantSource string
	}{
		{"later copy keeps first", []time.Duration{0, time.Hour}, nil, 0, "src0"},
		{"earlier copy wins", []time.Duration{time.Hour, 0}, nil, 0, "src1"},
		{"earliest of three", []time.Duration{2 * time.Hour, time.Hour, 3 * time.Hour}, nil, time.Hour, "src1"},
		{"earlier copy without source", []time.Duration{time.Hour, 0}, []string{"src0", ""}, 0, "src0"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var id string
			for j, off := range tt.collected {
				a := newArticle(100 + i)
				a.Collected = base.Add(off)
				a.Source, a.Sources = fmt.Sprintf("src%d", j), nil
				if tt.sources != nil {
					a.Source = tt.sources[j]
				}
				id = a.ID
				mustUpsert(t, s, a)
			}
			got := mustGet(t, s, id)
			if want := trunc(base.Add(tt.wantOffset)); !got.Collected.Equal(want) {
				t.Errorf("Collected = %v, want %v", got.Collected, want)
			}
			if got.Source != tt.wantSource {
				t.Errorf("Source = %q, want %q", got.Source, tt.wantSource)
			}
		})
	}
}

func testEmptyFieldsKeep(t *testing.T, s store.Store) {
	full := newArticle(7)
	mustUpsert(t, s, full)
	partial := &article.Article{
		ID:        full.ID,
		Source:    "other",
		Title:     "Updated title",
		Collected: full.Collected.Add(time.Hour),
	}
	mustUpsert(t, s, partial)
	got := mustGet(t, s, full.ID)
	want := *full
	want.Title = "Updated title"
	want.Sources = []string{"example-rss", "other"}
	assertArticle(t, got, &want)
}

func testDuplicatesInBatch(t *testing.T, s store.Store) {
	a := newArticle(5)
	b := newArticle(5)
	b.Source, b.Sources = "second", nil
	b.Collected = a.Collected.Add(-time.Minute)
	b.Classification = newClassification(base)
	mustUpsert(t, s, a, b, a)
	if n := count(t, s); n != 1 {
		t.Fatalf("%d articles, want 1", n)
	}
	got := mustGet(t, s, a.ID)
	if got.Source != "second" || !slices.Equal(got.Sources, []string{"example-rss", "second"}) {
		t.Errorf("Source %q Sources %q", got.Source, got.Sources)
	}
	if !got.Collected.Equal(trunc(b.Collected)) {
		t.Errorf("Collected = %v, want %v", got.Collected, b.Collected)
	}
	if got.Classification == nil || got.Classification.Cluster != "c-123" {
		t.Errorf("classification lost: %+v", got.Classification)
	}
}

func testInvalidBatch(t *testing.T, s store.Store) {
	empty := newArticle(2)
	empty.ID = ""
	for name, batch := range map[string][]*article.Article{
		"nil article": {newArticle(1), nil},
		"empty ID":    {newArticle(1), empty},
	} {
		t.Run(name, func(t *testing.T) {
			if err := s.UpsertArticles(ctx(t), batch); err == nil {
				t.Fatal("UpsertArticles accepted an invalid batch")
			}
			if n := count(t, s); n != 0 {
				t.Fatalf("invalid batch wrote %d articles", n)
			}
		})
	}
}

func testClassificationRoundTrip(t *testing.T, s store.Store) {
	c := ctx(t)
	a := newArticle(1)
	a.Classification = newClassification(base)
	b := newArticle(2) // classified later through UpsertClassification
	u := newArticle(3) // never classified
	mustUpsert(t, s, a, b, u)
	assertArticle(t, mustGet(t, s, a.ID), a)
	if got := mustGet(t, s, u.ID); got.Classification != nil {
		t.Fatalf("unclassified article has %+v", got.Classification)
	}
	empty := &article.Classification{Tone: "positive"} // nil lists, zero At
	if err := s.UpsertClassification(c, b.ID, empty); err != nil {
		t.Fatalf("UpsertClassification: %v", err)
	}
	b.Classification = empty
	assertArticle(t, mustGet(t, s, b.ID), b)
	// Reclassification replaces.
	newer := newClassification(base.Add(time.Hour))
	newer.About, newer.Topics, newer.Risk = false, []string{"economy"}, 3
	if err := s.UpsertClassification(c, a.ID, newer); err != nil {
		t.Fatalf("UpsertClassification: %v", err)
	}
	a.Classification = newer
	assertArticle(t, mustGet(t, s, a.ID), a)
	if err := s.UpsertClassification(c, a.ID, nil); err == nil {
		t.Error("UpsertClassification(nil) succeeded")
	}
}

func testClassificationOlder(t *testing.T, s store.Store) {
	c := ctx(t)
	a := newArticle(1)
	a.Classification = newClassification(base.Add(time.Hour))
	mustUpsert(t, s, a)
	older := newClassification(base)
	older.Cluster = "stale"
	if err := s.UpsertClassification(c, a.ID, older); err != nil {
		t.Fatalf("UpsertClassification: %v", err)
	}
	re := newArticle(1)
	re.Classification = older
	mustUpsert(t, s, re) // a late redelivery
	if got := mustGet(t, s, a.ID); got.Classification.Cluster != "c-123" {
		t.Fatalf("an older classification replaced a newer one: cluster %q", got.Classification.Cluster)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	c := ctx(t)
	missing := newArticle(999).ID
	checks := []struct {
		name string
		err  error
	}{
		{"GetArticle", func() error { _, err := s.GetArticle(c, missing); return err }()},
		{"UpsertClassification", s.UpsertClassification(c, missing, newClassification(base))},
		{"GetSourceState", func() error { _, err := s.GetSourceState(c, "nope"); return err }()},
		{"GetUser", func() error { _, err := s.GetUser(c, "nope"); return err }()},
		{"GetSession", func() error { _, err := s.GetSession(c, "nope"); return err }()},
		{"GetAPIToken", func() error { _, err := s.GetAPIToken(c, store.HashToken("nope")); return err }()},
		{"CreateSession for unknown user", s.CreateSession(c, store.Session{ID: "x", User: "ghost", ExpiresAt: time.Now().Add(time.Hour)})},
		{"CreateAPIToken for unknown user", s.CreateAPIToken(c, store.APIToken{Hash: store.HashToken("t"), User: "ghost"})},
	}
	for _, ch := range checks {
		if !errors.Is(ch.err, store.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", ch.name, ch.err)
		}
	}
	if n := count(t, s); n != 0 {
		t.Errorf("UpsertClassification of a missing article created %d articles", n)
	}
}

func testGetArticlesExist(t *testing.T, s store.Store) {
	c := ctx(t)
	var ids []string
	for i := range 1200 { // more than one IN-list chunk
		a := newArticle(i)
		ids = append(ids, a.ID)
		if i%2 == 0 {
			mustUpsert(t, s, a)
		}
	}
	ex, err := s.ArticlesExist(c, ids)
	if err != nil {
		t.Fatalf("ArticlesExist: %v", err)
	}
	if len(ex) != len(ids) {
		t.Fatalf("ArticlesExist returned %d entries, want %d", len(ex), len(ids))
	}
	for i, id := range ids {
		if ex[id] != (i%2 == 0) {
			t.Fatalf("ArticlesExist[%d] = %v", i, ex[id])
		}
	}
	want := []string{ids[10], ids[4], ids[1], ids[1000], ids[4]}
	got, err := s.GetArticles(c, want)
	if err != nil {
		t.Fatalf("GetArticles: %v", err)
	}
	var gotIDs []string
	for _, a := range got {
		gotIDs = append(gotIDs, a.ID)
	}
	if exp := []string{ids[10], ids[4], ids[1000], ids[4]}; !slices.Equal(gotIDs, exp) {
		t.Fatalf("GetArticles order = %v, want %v", gotIDs, exp)
	}
	assertArticle(t, got[0], newArticle(10))
	if got, err := s.GetArticles(c, nil); err != nil || len(got) != 0 {
		t.Fatalf("GetArticles(nil) = %v, %v", got, err)
	}
	if got, err := s.ArticlesExist(c, nil); err != nil || len(got) != 0 {
		t.Fatalf("ArticlesExist(nil) = %v, %v", got, err)
	}
}

func testScan(t *testing.T, s store.Store) {
	const n = 1234 // more than two pages
	var batch []*article.Article
	for i := range n {
		a := newArticle(i)
		a.Collected = base.Add(time.Duration(i/3) * time.Second) // three articles per instant
		if i%5 == 0 {
			a.Classification = newClassification(base)
		}
		batch = append(batch, a)
	}
	// Insert in an order unrelated to the scan order, in several batches.
	slices.SortFunc(batch, func(a, b *article.Article) int { return strings.Compare(a.ID, b.ID) })
	for part := range slices.Chunk(batch, 256) {
		mustUpsert(t, s, part...)
	}
	scan := func(q store.ArticleQuery) []*article.Article {
		t.Helper()
		var out []*article.Article
		if err := s.ScanArticles(ctx(t), q, func(a *article.Article) error {
			out = append(out, a)
			return nil
		}); err != nil {
			t.Fatalf("ScanArticles(%+v): %v", q, err)
		}
		return out
	}
	ordered := func(list []*article.Article) bool {
		return slices.IsSortedFunc(list, func(a, b *article.Article) int {
			if c := a.Collected.Compare(b.Collected); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	since, until := base.Add(100*time.Second), base.Add(200*time.Second)
	tests := []struct {
		name string
		q    store.ArticleQuery
		want int
	}{
		{"all", store.ArticleQuery{}, n},
		{"since", store.ArticleQuery{Since: since}, n - 300},
		{"until", store.ArticleQuery{Until: until}, 600},
		{"window", store.ArticleQuery{Since: since, Until: until}, 300},
		{"limit across pages", store.ArticleQuery{Limit: 700}, 700},
		{"limit in window", store.ArticleQuery{Since: since, Until: until, Limit: 10}, 10},
		{"empty window", store.ArticleQuery{Since: until, Until: since}, 0},
		{"classified", store.ArticleQuery{Classified: true}, (n + 4) / 5},
		{"classified in window", store.ArticleQuery{Since: since, Until: until, Classified: true}, 60},
		{"classified, limit", store.ArticleQuery{Classified: true, Limit: 7}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scan(tt.q)
			if len(got) != tt.want {
				t.Fatalf("got %d articles, want %d", len(got), tt.want)
			}
			if !ordered(got) {
				t.Fatal("not ordered by (collected, id)")
			}
			seen := map[string]bool{}
			for _, a := range got {
				if seen[a.ID] {
					t.Fatalf("article %s returned twice", a.ID)
				}
				seen[a.ID] = true
				if !tt.q.Since.IsZero() && a.Collected.Before(tt.q.Since) ||
					!tt.q.Until.IsZero() && !a.Collected.Before(tt.q.Until) {
					t.Fatalf("article collected %v outside %+v", a.Collected, tt.q)
				}
				if tt.q.Classified && a.Classification == nil {
					t.Fatalf("article %s has no classification, scanned with Classified", a.ID)
				}
			}
		})
	}
	classified := 0
	for _, a := range scan(store.ArticleQuery{}) {
		if a.Classification != nil {
			classified++
		}
	}
	if want := (n + 4) / 5; classified != want {
		t.Errorf("scan returned %d classified articles, want %d", classified, want)
	}
	if got, err := s.CountClassified(ctx(t)); err != nil || got != int64(classified) {
		t.Errorf("CountClassified = %d, %v; want %d", got, err, classified)
	}
	if got := count(t, s); got != n {
		t.Errorf("CountArticles = %d, want %d", got, n)
	}
}

func testScanCallbackError(t *testing.T, s store.Store) {
	for i := range 20 {
		mustUpsert(t, s, newArticle(i))
	}
	stop := errors.New("stop here")
	calls := 0
	err := s.ScanArticles(ctx(t), store.ArticleQuery{}, func(*article.Article) error {
		calls++
		if calls == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 5 {
		t.Fatalf("err = %v after %d calls; want the callback's error after 5", err, calls)
	}
	// The callback may use the store.
	err = s.ScanArticles(ctx(t), store.ArticleQuery{}, func(a *article.Article) error {
		_, err := s.GetArticle(ctx(t), a.ID)
		return err
	})
	if err != nil {
		t.Fatalf("store call inside the scan callback: %v", err)
	}
}

func testSources(t *testing.T, s store.Store) {
	c := ctx(t)
	srcs := []store.Source{
		{Name: "vnexpress-intl", Kind: "rss", URL: "https://e.vnexpress.net/rss", Outlet: "VnExpress International", Country: "VN", Lang: "en", Tier: 1, Enabled: true, AddedAt: base},
		{Name: "Asahi", Kind: "sitemap", URL: "https://www.asahi.com/sitemap.xml", Outlet: "朝日新聞", Country: "JP", Lang: "ja", Tier: 1, AddedAt: base},
		{Name: "yonhap", Kind: "rss", URL: "https://en.yna.co.kr/rss", Outlet: "연합뉴스", Country: "KR", Lang: "ko", Tier: 2, Enabled: true, AddedAt: base},
	}
	for _, src := range srcs {
		if err := s.UpsertSource(c, src); err != nil {
			t.Fatalf("UpsertSource: %v", err)
		}
	}
	upd := srcs[2]
	upd.Enabled, upd.Tier, upd.AddedAt = false, 3, base.Add(time.Hour)
	if err := s.UpsertSource(c, upd); err != nil {
		t.Fatalf("UpsertSource: %v", err)
	}
	if err := s.UpsertSource(c, store.Source{}); err == nil {
		t.Error("UpsertSource accepted an empty name")
	}
	got, err := s.ListSources(c)
	if err != nil {
		t.Fatalf("ListSources: %v", err)
	}
	upd.AddedAt = base // the earliest is kept
	want := []store.Source{srcs[1], srcs[0], upd}
	slices.SortFunc(want, func(a, b store.Source) int { return strings.Compare(a.Name, b.Name) })
	for i := range want {
		want[i].AddedAt = trunc(want[i].AddedAt)
		want[i].Origin = store.OriginConfig // the default
		if got[i].UpdatedAt.IsZero() {
			t.Errorf("ListSources: %s has no UpdatedAt", got[i].Name)
		}
		got[i].UpdatedAt = time.Time{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ListSources =\n%+v\nwant\n%+v", got, want)
	}
}

func testSourceState(t *testing.T, s store.Store) {
	c := ctx(t)
	st := store.SourceState{
		Source:            "yonhap",
		LastAttempt:       base,
		LastSuccess:       base.Add(-time.Minute),
		LastNewItem:       base.Add(-time.Hour),
		NextAttempt:       base.Add(15 * time.Minute),
		ConsecutiveErrors: 2,
		LastError:         "fetch feed: 503 Service Unavailable",
		ETag:              `W/"abc"`,
		LastModified:      "Sat, 14 Mar 2026 09:00:00 GMT",
		ItemsTotal:        12345,
		ItemsPerDay:       17.25,
		Interval:          15 * time.Minute,
		MeanGap:           83*time.Minute + 7*time.Nanosecond,
		Silent:            true,
	}
	if err := s.UpsertSourceState(c, st); err != nil {
		t.Fatalf("UpsertSourceState: %v", err)
	}
	got, err := s.GetSourceState(c, "yonhap")
	if err != nil {
		t.Fatalf("GetSourceState: %v", err)
	}
	want := st
	want.LastAttempt, want.LastSuccess = trunc(st.LastAttempt), trunc(st.LastSuccess)
	want.LastNewItem, want.NextAttempt = trunc(st.LastNewItem), trunc(st.NextAttempt)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetSourceState =\n%+v\nwant\n%+v", got, want)
	}
	// An update may clear fields (zero times become zero again).
	cleared := store.SourceState{Source: "yonhap", LastAttempt: base.Add(time.Hour), ItemsTotal: 1}
	if err := s.UpsertSourceState(c, cleared); err != nil {
		t.Fatalf("UpsertSourceState: %v", err)
	}
	if err := s.UpsertSourceState(c, store.SourceState{Source: "asahi"}); err != nil {
		t.Fatalf("UpsertSourceState: %v", err)
	}
	if err := s.UpsertSourceState(c, store.SourceState{}); err == nil {
		t.Error("UpsertSourceState accepted an empty source")
	}
	list, err := s.ListSourceStates(c)
	if err != nil {
		t.Fatalf("ListSourceStates: %v", err)
	}
	cleared.LastAttempt = trunc(cleared.LastAttempt)
	if want := []store.SourceState{{Source: "asahi"}, cleared}; !reflect.DeepEqual(list, want) {
		t.Fatalf("ListSourceStates =\n%+v\nwant\n%+v", list, want)
	}
}

func testUsers(t *testing.T, s store.Store) {
	c := ctx(t)
	u := store.User{Name: "lan", DisplayName: "Nguyễn Thị Lan", Email: "lan@dongnai.gov.vn", Role: "analyst",
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", CreatedAt: base}
	if err := s.UpsertUser(c, u); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	got, err := s.GetUser(c, "lan")
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	want := u
	want.CreatedAt = trunc(base)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetUser = %+v, want %+v", got, want)
	}
	u.Role, u.Disabled, u.CreatedAt = "admin", true, base.Add(time.Hour)
	if err := s.UpsertUser(c, u); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	if err := s.UpsertUser(c, store.User{Name: "an", Role: "officer"}); err != nil { // zero CreatedAt → now
		t.Fatalf("UpsertUser: %v", err)
	}
	if err := s.UpsertUser(c, store.User{}); err == nil {
		t.Error("UpsertUser accepted an empty name")
	}
	list, err := s.ListUsers(c)
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if len(list) != 2 || list[0].Name != "an" || list[1].Name != "lan" {
		t.Fatalf("ListUsers = %+v", list)
	}
	if list[0].CreatedAt.IsZero() || time.Since(list[0].CreatedAt) > time.Minute {
		t.Errorf("zero CreatedAt not set to now: %v", list[0].CreatedAt)
	}
	if l := list[1]; l.Role != "admin" || !l.Disabled || !l.CreatedAt.Equal(trunc(base)) {
		t.Errorf("after update: %+v (CreatedAt must keep the earliest)", l)
	}
}

func testSessions(t *testing.T, s store.Store) {
	c := ctx(t)
	if err := s.UpsertUser(c, store.User{Name: "lan", Role: "analyst"}); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	now := time.Now().UTC()
	live := store.Session{ID: "sess-live", User: "lan", CSRFToken: "csrf1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	dead := store.Session{ID: "sess-dead", User: "lan", CSRFToken: "csrf2", CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	for _, ss := range []store.Session{live, dead, live} { // creating twice is harmless
		if err := s.CreateSession(c, ss); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
	}
	got, err := s.GetSession(c, live.ID)
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	live.CreatedAt, live.ExpiresAt = trunc(live.CreatedAt), trunc(live.ExpiresAt)
	if !reflect.DeepEqual(got, live) {
		t.Fatalf("GetSession = %+v, want %+v", got, live)
	}
	if _, err := s.GetSession(c, dead.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session: err = %v, want ErrNotFound", err)
	}
	if err := s.CreateSession(c, store.Session{ID: "no-expiry", User: "lan"}); err == nil {
		t.Error("CreateSession accepted a zero expiry")
	}
	n, err := s.DeleteExpiredSessions(c, now)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	n, err = s.DeleteExpiredSessions(c, now.Add(2*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions(later) = %d, %v; want 1", n, err)
	}
	if err := s.CreateSession(c, store.Session{ID: "s2", User: "lan", ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if err := s.DeleteSession(c, "s2"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if err := s.DeleteSession(c, "s2"); err != nil {
		t.Fatalf("DeleteSession of a missing session: %v", err)
	}
	if _, err := s.GetSession(c, "s2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted session: err = %v", err)
	}
}

func testTokens(t *testing.T, s store.Store) {
	c := ctx(t)
	if err := s.UpsertUser(c, store.User{Name: "bot", Role: "api"}); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	raw := "pw_live_3f9a0c"
	if err := s.CreateAPIToken(c, store.APIToken{Hash: raw, User: "bot"}); err == nil {
		t.Fatal("CreateAPIToken stored a raw token instead of its hash")
	}
	if err := s.CreateAPIToken(c, store.APIToken{Hash: strings.ToUpper(store.HashToken(raw)), User: "bot"}); err == nil {
		t.Fatal("CreateAPIToken accepted an upper-case hash")
	}
	tok := store.APIToken{Hash: store.HashToken(raw), User: "bot", Label: "export script", CreatedAt: base}
	if err := s.CreateAPIToken(c, tok); err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	got, err := s.GetAPIToken(c, store.HashToken(raw))
	if err != nil {
		t.Fatalf("GetAPIToken: %v", err)
	}
	tok.CreatedAt = trunc(base)
	if !reflect.DeepEqual(got, tok) {
		t.Fatalf("GetAPIToken = %+v, want %+v", got, tok)
	}
	old := store.APIToken{Hash: store.HashToken("old"), User: "bot", ExpiresAt: time.Now().Add(-time.Second)}
	if err := s.CreateAPIToken(c, old); err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	if _, err := s.GetAPIToken(c, old.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired token: err = %v, want ErrNotFound", err)
	}
}

func testAudit(t *testing.T, s store.Store) {
	c := ctx(t)
	entries := []store.AuditEntry{
		{At: base, Actor: "lan", Action: "login", Object: "session"},
		{At: base.Add(time.Second), Actor: "lan", Action: "alert.ack", Object: "alert/42", Detail: "đã xử lý"},
		{At: base.Add(2 * time.Second), Actor: "admin", Action: "user.disable", Object: "user/an"},
	}
	for _, e := range entries {
		if err := s.AppendAudit(c, e); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
	}
	if err := s.AppendAudit(c, entries[1]); err != nil { // a retry
		t.Fatalf("AppendAudit: %v", err)
	}
	got, err := s.ListAudit(c, 0)
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	want := []store.AuditEntry{entries[2], entries[1], entries[0]}
	for i := range want {
		want[i].At = trunc(want[i].At)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ListAudit =\n%+v\nwant newest first, retry stored once\n%+v", got, want)
	}
	got, err = s.ListAudit(c, 2)
	if err != nil || len(got) != 2 || got[0].Action != "user.disable" {
		t.Fatalf("ListAudit(2) = %+v, %v", got, err)
	}
	// One object's history: its entries only, oldest first; with a limit,
	// the newest of them. Two entries at the same instant keep the order
	// they were appended in.
	alertEntries := []store.AuditEntry{
		{At: base.Add(3 * time.Second), Actor: "lan", Action: "alert.update", Object: "alert/a1", Detail: "state new → acknowledged"},
		{At: base.Add(4 * time.Second), Actor: "minh", Action: "alert.update", Object: "alert/a2", Detail: "state new → confirmed"},
		{At: base.Add(5 * time.Second), Actor: "lan", Action: "alert.update", Object: "alert/a1", Detail: "assignee \"minh\""},
		{At: base.Add(5 * time.Second), Actor: "minh", Action: "alert.update", Object: "alert/a1", Detail: "state acknowledged → confirmed"},
	}
	for _, e := range alertEntries {
		if err := s.AppendAudit(c, e); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
	}
	got, err = s.ListAuditFor(c, "alert/a1", 0)
	want = []store.AuditEntry{alertEntries[0], alertEntries[2], alertEntries[3]}
	for i := range want {
		want[i].At = trunc(want[i].At)
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ListAuditFor(alert/a1) =\n%+v, %v\nwant its three entries, oldest first\n%+v", got, err, want)
	}
	got, err = s.ListAuditFor(c, "alert/a1", 2)
	if err != nil || len(got) != 2 || got[0].Detail != alertEntries[2].Detail || got[1].Detail != alertEntries[3].Detail {
		t.Fatalf("ListAuditFor(alert/a1, 2) = %+v, %v: want the two newest, oldest first", got, err)
	}
	if got, err := s.ListAuditFor(c, "alert/none", 0); err != nil || len(got) != 0 {
		t.Fatalf("ListAuditFor(alert/none) = %+v, %v", got, err)
	}
}

func testConcurrent(t *testing.T, s store.Store) {
	const (
		workers = 8
		n       = 100
	)
	var wg sync.WaitGroup
	errs := make(chan error, workers*3)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 3 {
				var batch []*article.Article
				for i := range n {
					// Each worker walks the IDs in a different order.
					a := newArticle((i + w*13) % n)
					a.Source, a.Sources = fmt.Sprintf("worker-%d", w), nil
					a.Collected = base.Add(time.Duration(w*10+round) * time.Second)
					if round == 2 {
						a.Classification = newClassification(base.Add(time.Duration(w) * time.Second))
					}
					batch = append(batch, a)
				}
				if err := s.UpsertArticles(context.Background(), batch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent UpsertArticles: %v", err)
	}
	if got := count(t, s); got != n {
		t.Fatalf("%d articles, want %d", got, n)
	}
	var want []string
	for w := range workers {
		want = append(want, fmt.Sprintf("worker-%d", w))
	}
	for i := range n {
		a := mustGet(t, s, newArticle(i).ID)
		if !slices.Equal(a.Sources, want) {
			t.Fatalf("article %d Sources = %q, want every worker (a merge was lost)", i, a.Sources)
		}
		if a.Source != "worker-0" || !a.Collected.Equal(base) {
			t.Fatalf("article %d Source %q Collected %v, want worker-0 at %v", i, a.Source, a.Collected, base)
		}
		if a.Classification == nil || !a.Classification.At.Equal(base.Add((workers-1)*time.Second)) {
			t.Fatalf("article %d classification %+v, want the newest", i, a.Classification)
		}
	}
}

func testUnicode(t *testing.T, s store.Store) {
	tests := []struct {
		name, in, want string
	}{
		{"Vietnamese NFC", "Đồng Nai: sân bay Long Thành được đẩy nhanh tiến độ", "Đồng Nai: sân bay Long Thành được đẩy nhanh tiến độ"},
		{"Vietnamese NFD becomes NFC", "Đo\u0302\u0300ng Nai", "Đồng Nai"},
		{"Chinese", "同奈省隆城国际机场建设加快", "同奈省隆城国际机场建设加快"},
		{"Japanese", "ドンナイ省のロンタイン国際空港", "ドンナイ省のロンタイン国際空港"},
		{"Korean", "동나이성 롱탄 국제공항", "동나이성 롱탄 국제공항"},
		{"emoji and RTL", "✈️ 🇻🇳 مطار", "✈️ 🇻🇳 مطار"},
		{"invalid UTF-8 replaced", "bad \xff\xfe bytes", "bad \uFFFD bytes"},
		{"NUL removed", "nul\x00byte", "nulbyte"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newArticle(500 + i)
			a.Title, a.Text, a.Outlet = tt.in, tt.in+"\n\n"+tt.in, tt.in
			a.Classification = newClassification(base)
			a.Classification.Entities[0].Text = tt.in
			a.Classification.Reasons[0].Detail = tt.in
			mustUpsert(t, s, a)
			got := mustGet(t, s, a.ID)
			if got.Title != tt.want || got.Text != tt.want+"\n\n"+tt.want || got.Outlet != tt.want {
				t.Errorf("title %q text %q outlet %q, want %q", got.Title, got.Text, got.Outlet, tt.want)
			}
			if e := got.Classification.Entities[0].Text; e != tt.want {
				t.Errorf("entity text %q, want %q", e, tt.want)
			}
			if d := got.Classification.Reasons[0].Detail; d != tt.want {
				t.Errorf("reason detail %q, want %q", d, tt.want)
			}
		})
	}
	c := ctx(t)
	u := store.User{Name: "thảo", DisplayName: "Trần Thị Thảo"}
	if err := s.UpsertUser(c, u); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	if got, err := s.GetUser(c, "thảo"); err != nil || got.DisplayName != u.DisplayName {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
}

func testTimes(t *testing.T, s store.Store) {
	hcm := time.FixedZone("ICT", 7*3600)
	a := newArticle(1)
	a.Published = time.Date(2026, 11, 5, 7, 30, 0, 123456789, hcm)
	a.Collected = time.Date(2026, 11, 5, 8, 0, 0, 999, hcm)
	z := newArticle(2)
	z.Published = time.Time{} // unknown
	z.Fingerprint = ^uint64(0)
	mustUpsert(t, s, a, z)
	got := mustGet(t, s, a.ID)
	if got.Published.Location() != time.UTC || got.Collected.Location() != time.UTC {
		t.Errorf("times not in UTC: %v %v", got.Published, got.Collected)
	}
	if want := time.Date(2026, 11, 5, 0, 30, 0, 123456000, time.UTC); !got.Published.Equal(want) {
		t.Errorf("Published = %v, want %v", got.Published, want)
	}
	gz := mustGet(t, s, z.ID)
	if !gz.Published.IsZero() {
		t.Errorf("unknown Published came back as %v", gz.Published)
	}
	if gz.Fingerprint != ^uint64(0) {
		t.Errorf("Fingerprint = %x", gz.Fingerprint)
	}
	// A zero Collected is set to the time of the write.
	nc := newArticle(3)
	nc.Collected = time.Time{}
	mustUpsert(t, s, nc)
	if got := mustGet(t, s, nc.ID); time.Since(got.Collected) > time.Minute || got.Collected.After(time.Now()) {
		t.Errorf("zero Collected stored as %v", got.Collected)
	}
}

// testReadsDuringWrites reads (get, count, scan, exist) while batches are
// written: no reader or writer may fail (e.g. with SQLITE_BUSY), and the count
// only grows.
func testReadsDuringWrites(t *testing.T, s store.Store) {
	const batches, size = 20, 64
	done := make(chan struct{})
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for b := range batches {
			var batch []*article.Article
			for i := range size {
				a := newArticle(b*size + i)
				a.Classification = newClassification(base)
				batch = append(batch, a)
			}
			if err := s.UpsertArticles(context.Background(), batch); err != nil {
				errs <- fmt.Errorf("write batch %d: %w", b, err)
				return
			}
		}
	}()
	for r := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			var last int64
			for {
				select {
				case <-done:
					return
				default:
				}
				n, err := s.CountArticles(ctx)
				if err != nil {
					errs <- fmt.Errorf("reader %d: count: %w", r, err)
					return
				}
				if n < last {
					errs <- fmt.Errorf("reader %d: count went from %d to %d", r, last, n)
					return
				}
				last = n
				if _, err := s.GetArticle(ctx, newArticle(0).ID); err != nil && !errors.Is(err, store.ErrNotFound) {
					errs <- fmt.Errorf("reader %d: get: %w", r, err)
					return
				}
				if _, err := s.ArticlesExist(ctx, []string{newArticle(1).ID, newArticle(2).ID}); err != nil {
					errs <- fmt.Errorf("reader %d: exist: %w", r, err)
					return
				}
				if err := s.ScanArticles(ctx, store.ArticleQuery{Limit: 50}, func(*article.Article) error { return nil }); err != nil {
					errs <- fmt.Errorf("reader %d: scan: %w", r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := count(t, s); n != batches*size {
		t.Fatalf("%d articles, want %d", n, batches*size)
	}
}

// testLargeBatch writes 2,500 classified articles in one call (more than one
// statement's worth on backends that split a call) and reads them all back.
func testLargeBatch(t *testing.T, s store.Store) {
	const n = 2500
	batch := make([]*article.Article, n)
	ids := make([]string, n)
	for i := range batch {
		a := newArticle(i)
		a.Classification = newClassification(base)
		a.Classification.Risk = i % 101
		batch[i], ids[i] = a, a.ID
	}
	mustUpsert(t, s, batch...)
	if got := count(t, s); got != n {
		t.Fatalf("%d articles, want %d", got, n)
	}
	got, err := s.GetArticles(ctx(t), ids)
	if err != nil {
		t.Fatalf("GetArticles: %v", err)
	}
	if len(got) != n {
		t.Fatalf("GetArticles returned %d, want %d", len(got), n)
	}
	for i, a := range got {
		assertArticle(t, a, batch[i])
	}
}

func testCanceled(t *testing.T, s store.Store) {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.UpsertArticles(c, []*article.Article{newArticle(1)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("UpsertArticles with a canceled context: err = %v, want context.Canceled", err)
	}
	if _, err := s.GetArticle(c, newArticle(1).ID); err == nil {
		t.Fatal("GetArticle with a canceled context succeeded")
	}
	if n := count(t, s); n != 0 {
		t.Fatalf("a canceled UpsertArticles wrote %d articles", n)
	}
}

// testUseAfterClose checks that a closed store fails fast instead of hanging,
// and that Close may be called again (the suite's cleanup closes it too).
func testUseAfterClose(t *testing.T, s store.Store) {
	mustUpsert(t, s, newArticle(1))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.UpsertArticles(context.Background(), []*article.Article{newArticle(2)}) }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("UpsertArticles on a closed store succeeded")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("UpsertArticles on a closed store hangs")
	}
	if _, err := s.GetArticle(context.Background(), newArticle(1).ID); err == nil {
		t.Error("GetArticle on a closed store succeeded")
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping on a closed store succeeded")
	}
}

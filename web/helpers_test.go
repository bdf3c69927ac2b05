package web

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/dongnai/presswatch/configs"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/evidence"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/presssim"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

// testPassword is every seeded user's password.
const testPassword = "correct horse battery"

// fixture is a running server over a real SQLite store and a real Bleve
// index, seeded with testdata/articles.json and one user per role.
type fixture struct {
	t      testing.TB
	srv    *Server
	http   *httptest.Server
	store  store.Store
	index  *index.Index
	arts   []*article.Article
	byURL  map[string]*article.Article
	clock  *testClock
	saved  *StoreSaved
	reg    *prometheus.Registry
	tokens map[string]string // role → API token
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hashCache keeps one argon2id hash for all seeded users across tests, so
// the suite does not spend its time hashing.
var hashCache = sync.OnceValues(func() (string, error) { return HashPassword(testPassword) })

type fixtureOpt func(*Options)

func newFixture(t testing.TB, opts ...fixtureOpt) *fixture {
	t.Helper()
	return newFixtureOn(t, "", opts...)
}

// newFixtureOn is newFixture on the store at storeURL ("" = SQLite in a temp dir).
func newFixtureOn(t testing.TB, storeURL string, opts ...fixtureOpt) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, store.Options{URL: storeURL, DataDir: dir, AutoMigrate: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	ix, err := index.Open(ctx, index.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open index: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	saved := NewStoreSaved(st)
	f := &fixture{t: t, store: st, index: ix, clock: &testClock{t: time.Now().UTC()}, saved: saved, reg: prometheus.NewRegistry(), tokens: map[string]string{}}
	f.seed(ctx)
	places, err := LoadPlaces(configs.ClassifierRules())
	if err != nil {
		t.Fatal(err)
	}
	o := Options{
		Places: places,
		Listen: "127.0.0.1:0", SessionSecret: []byte("test-secret-test-secret-test-sec"),
		Store: st, Search: ix, Saved: saved, AlertReceivers: []string{"police", "foreign_affairs", "analysts"},
		Gatherer: f.reg, Registerer: f.reg,
		Checks: map[string]func(context.Context) error{"store": st.Ping},
		Now:    f.clock.Now, Logger: slog.New(slog.DiscardHandler),
	}
	// Reports on demand and evidence are wired as `presswatch run` wires
	// them. The evidence archive's client reaches nothing: tests that capture
	// pages give it their own loopback server.
	gen, err := digest.New(digest.Options{Store: st.(digest.ReportStore), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	arch, err := evidence.New(evidence.Options{Store: st.(evidence.Store), Dir: filepath.Join(dir, "evidence"),
		Client: &http.Client{Transport: noNetwork{}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	o.Reports, o.Evidence = gen, arch
	for _, fn := range opts {
		fn(&o)
	}
	f.srv, err = New(o)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	f.http = httptest.NewServer(f.srv.Handler())
	t.Cleanup(f.http.Close)
	return f
}

// noNetwork is a transport that reaches nothing.
type noNetwork struct{}

func (noNetwork) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in this test")
}

// freshPostgresURL returns a store URL for an empty schema of its own on the
// test PostgreSQL server, dropped when t ends (storetest.PostgresURL).
func freshPostgresURL(t testing.TB) string {
	t.Helper()
	return storetest.PostgresURL(t)
}

// seed loads the fixture articles (dates moved so the newest is a few hours
// old), one user per role (user name = role) plus a disabled one, sources
// with health, and an API token per role.
func (f *fixture) seed(ctx context.Context) {
	t := f.t
	b, err := os.ReadFile("testdata/articles.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &f.arts); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	ref := time.Date(2026, 1, 1, 6, 0, 0, 0, time.UTC)
	shift := f.clock.Now().Truncate(time.Hour).Sub(ref)
	f.byURL = map[string]*article.Article{}
	for _, a := range f.arts {
		canon, id, err := article.IDFor(a.URL)
		if err != nil {
			t.Fatalf("id for %s: %v", a.URL, err)
		}
		a.CanonicalURL, a.ID = canon, id
		a.Published, a.Collected = a.Published.Add(shift), a.Collected.Add(shift)
		if c := a.Classification; c != nil {
			c.At = c.At.Add(shift)
			combined := a.Title + "\n\n" + a.Text
			for i := range c.Entities {
				e := &c.Entities[i]
				if at := strings.Index(combined, e.Text); at >= 0 {
					e.Start, e.End = at, at+len(e.Text)
				}
			}
		}
		f.byURL[a.URL] = a
	}
	if err := f.store.UpsertArticles(ctx, f.arts); err != nil {
		t.Fatalf("store articles: %v", err)
	}
	if err := f.index.IndexArticles(ctx, f.arts); err != nil {
		t.Fatalf("index articles: %v", err)
	}
	hash, err := hashCache()
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range AllRoles {
		u := store.User{Name: role, DisplayName: "Test " + role, Role: role, PasswordHash: hash, CreatedAt: f.clock.Now()}
		if err := f.store.UpsertUser(ctx, u); err != nil {
			t.Fatalf("store user: %v", err)
		}
		tok := randomToken(32)
		if err := f.store.CreateAPIToken(ctx, store.APIToken{Hash: store.HashToken(tok), User: role, Label: "test", CreatedAt: f.clock.Now()}); err != nil {
			t.Fatalf("store token: %v", err)
		}
		f.tokens[role] = tok
	}
	if err := f.store.UpsertUser(ctx, store.User{Name: "gone", Role: RoleAnalyst, PasswordHash: hash, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	now := f.clock.Now()
	for _, s := range []struct {
		src store.Source
		st  *store.SourceState
	}{
		{store.Source{Name: "nikkei-asia", Kind: "feed", URL: "https://asia.nikkei.example/rss", Outlet: "Nikkei Asia", Country: "JP", Lang: "en", Tier: 1, Enabled: true},
			&store.SourceState{Source: "nikkei-asia", LastAttempt: now.Add(-10 * time.Minute), LastSuccess: now.Add(-10 * time.Minute), LastNewItem: now.Add(-2 * time.Hour), ItemsTotal: 120, ItemsPerDay: 4.5}},
		{store.Source{Name: "yonhap", Kind: "feed", URL: "https://www.yna.example/rss", Outlet: "Yonhap", Country: "KR", Lang: "ko", Tier: 1, Enabled: true},
			&store.SourceState{Source: "yonhap", LastAttempt: now.Add(-5 * time.Minute), LastSuccess: now.Add(-26 * time.Hour), ConsecutiveErrors: 7, LastError: "fetch feed: 503 Service Unavailable"}},
		{store.Source{Name: "bbc-vietnamese", Kind: "site", URL: "https://www.bbc.example/vietnamese", Outlet: "BBC News Tiếng Việt", Country: "GB", Lang: "vi", Tier: 1, Enabled: true},
			&store.SourceState{Source: "bbc-vietnamese", LastAttempt: now.Add(-time.Hour), LastSuccess: now.Add(-time.Hour), LastNewItem: now.Add(-9 * 24 * time.Hour), ItemsPerDay: 1.2, Silent: true}},
		{store.Source{Name: "old-blog", Kind: "feed", URL: "https://blog.example/feed", Outlet: "Old blog", Country: "US", Lang: "en", Tier: 3, Enabled: false}, nil},
	} {
		if err := f.store.UpsertSource(ctx, s.src); err != nil {
			t.Fatal(err)
		}
		if s.st != nil {
			if err := f.store.UpsertSourceState(ctx, *s.st); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// session makes a logged-in session for user directly in the store and
// returns the cookie value and the CSRF token.
func (f *fixture) session(user string) (cookie, csrf string) {
	f.t.Helper()
	tok := randomToken(32)
	csrf = randomToken(32)
	now := f.clock.Now()
	if err := f.store.CreateSession(context.Background(), store.Session{ID: f.srv.sessionID(tok), User: user, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		f.t.Fatalf("create session: %v", err)
	}
	return tok, csrf
}

// client returns an HTTP client with a cookie jar that does not follow redirects.
func (f *fixture) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login logs c in through the form and returns the final response's status
// and body.
func (f *fixture) login(c *http.Client, user, pw string) (int, string) {
	f.t.Helper()
	resp, err := c.Get(f.http.URL + "/login")
	if err != nil {
		f.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		f.t.Fatalf("login form has no csrf token:\n%s", body)
	}
	resp, err = c.PostForm(f.http.URL+"/login", url.Values{"csrf": {string(m[1])}, "username": {user}, "password": {pw}, "next": {"/search"}})
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// get fetches path with an optional session cookie.
func (f *fixture) get(path, cookie string) (*http.Response, string) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.http.URL+path, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	return f.do(req)
}

func (f *fixture) do(req *http.Request) (*http.Response, string) {
	f.t.Helper()
	resp, err := f.client().Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// addPresssimHostile stores and indexes presssim's hostile corpus items the
// way a careless extractor might leave them: the raw HTML body as the text,
// the hostile title, summary and author as they are. It returns their IDs.
func (f *fixture) addPresssimHostile() []string {
	f.t.Helper()
	items, err := presssim.Corpus()
	if err != nil {
		f.t.Fatalf("presssim corpus: %v", err)
	}
	var arts []*article.Article
	for _, it := range items {
		if !it.Hostile {
			continue
		}
		canon, id, err := article.IDFor("https://presssim.example/" + it.ID)
		if err != nil {
			f.t.Fatal(err)
		}
		now := f.clock.Now().UTC()
		arts = append(arts, &article.Article{
			ID: id, URL: "javascript:alert('url')", CanonicalURL: canon, Source: "presssim", Outlet: "Asia Ledger <script>alert(1)</script>",
			Country: "SG", Lang: it.Lang, Title: it.Title, Author: it.Author, Summary: it.Summary, Text: it.HTML,
			Published: now.Add(-time.Hour), Collected: now,
			Classification: &article.Classification{About: it.Truth.About, Mentions: it.Truth.Mentions, Topics: it.Truth.Topics, Tone: it.Truth.Tone,
				Cluster: "presssim-hostile", Reasons: []article.Reason{{Signal: "gazetteer", Detail: it.Title, Weight: 1}}, At: now},
		})
	}
	if len(arts) == 0 {
		f.t.Fatal("presssim has no hostile item")
	}
	ctx := context.Background()
	if err := f.store.UpsertArticles(ctx, arts); err != nil {
		f.t.Fatal(err)
	}
	if err := f.index.IndexArticles(ctx, arts); err != nil {
		f.t.Fatal(err)
	}
	ids := make([]string, len(arts))
	for i, a := range arts {
		ids[i] = a.ID
	}
	return ids
}

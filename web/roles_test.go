package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// wantRoles is the designed access of every non-public route, written out
// independently of the route table so that a change to either shows here.
var wantRoles = map[string]string{
	"GET /{$}":                            "admin analyst foreign_affairs police viewer",
	"POST /logout":                        "admin analyst foreign_affairs police viewer",
	"GET /dashboard":                      "admin analyst foreign_affairs police viewer",
	"GET /search":                         "admin analyst foreign_affairs police viewer",
	"GET /search/export":                  "admin analyst foreign_affairs",
	"GET /articles/{id}":                  "admin analyst foreign_affairs police viewer",
	"GET /stories/{id}":                   "admin analyst foreign_affairs police viewer",
	"GET /sources":                        "admin analyst",
	"GET /alerts":                         "admin analyst foreign_affairs police",
	"GET /alerts/{id}":                    "admin analyst foreign_affairs police",
	"POST /alerts/{id}":                   "admin analyst foreign_affairs police",
	"POST /alerts/story/{story}/ack":      "admin analyst foreign_affairs police",
	"GET /alerts/rules":                   "admin analyst",
	"GET /alerts/silences":                "admin analyst",
	"POST /alerts/silences":               "admin analyst",
	"POST /alerts/silences/{id}/expire":   "admin analyst",
	"GET /reports":                        "admin analyst foreign_affairs police viewer",
	"GET /reports/make":                   "admin analyst foreign_affairs police viewer",
	"GET /articles/{id}/evidence":         "admin analyst foreign_affairs police",
	"POST /articles/{id}/evidence":        "admin analyst foreign_affairs police",
	"POST /articles/{id}/responses":       "admin foreign_affairs",
	"POST /articles/{id}/responses/{rid}": "admin foreign_affairs",
	"GET /evidence/{sid}/{format}":        "admin analyst foreign_affairs police",
	"GET /saved":                          "admin analyst foreign_affairs police",
	"POST /saved":                         "admin analyst foreign_affairs police",
	"POST /saved/{id}/delete":             "admin analyst foreign_affairs police",
	"GET /admin/users":                    "admin",
	"POST /admin/users":                   "admin",
	"POST /admin/users/{id}/{action}":     "admin",
	"POST /admin/tokens":                  "admin",
	"POST /admin/tokens/{id}/revoke":      "admin",

	// Sources managed in the admin UI: analysts see them, only admins change them.
	"GET /sources/new":                   "admin",
	"POST /sources":                      "admin",
	"GET /sources/{name}/edit":           "admin",
	"POST /sources/{name}/edit":          "admin",
	"POST /sources/{name}/{action}":      "admin",
	"GET /api/v1/me":                     "admin analyst foreign_affairs police viewer",
	"GET /api/v1/search":                 "admin analyst foreign_affairs police viewer",
	"GET /api/v1/export":                 "admin analyst foreign_affairs",
	"GET /api/v1/articles/{id}":          "admin analyst foreign_affairs police viewer",
	"GET /api/v1/stories/{id}":           "admin analyst foreign_affairs police viewer",
	"GET /api/v1/sources":                "admin analyst",
	"GET /api/v1/saved-searches":         "admin analyst foreign_affairs police",
	"POST /api/v1/saved-searches":        "admin analyst foreign_affairs police",
	"DELETE /api/v1/saved-searches/{id}": "admin analyst foreign_affairs police",

	// Saved searches turned into alert routes.
	"POST /saved/{id}/alert":                 "admin analyst foreign_affairs police",
	"POST /api/v1/saved-searches/{id}/alert": "admin analyst foreign_affairs police",

	// Narratives created from a response.
	"POST /articles/{id}/responses/{rid}/narrative": "admin foreign_affairs",
	"POST /articles/{id}/narratives/{nid}/retire":   "admin foreign_affairs",
}

// wantPublic lists the routes anyone may use without logging in.
var wantPublic = []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /static/", "GET /login", "POST /login", "GET /lang/{lang}",
	"GET /alerts/ack", "POST /alerts/ack"} // the signed link is the capability

func TestRouteTableMatchesDesign(t *testing.T) {
	f := newFixture(t)
	var public []string
	seen := map[string]bool{}
	for _, rt := range f.srv.table() {
		seen[rt.pattern] = true
		if rt.roles == nil {
			public = append(public, rt.pattern)
			continue
		}
		want, ok := wantRoles[rt.pattern]
		if !ok {
			t.Errorf("route %q is not in the role matrix test: add it to wantRoles", rt.pattern)
			continue
		}
		if got := strings.Join(rt.roles, " "); got != want {
			t.Errorf("route %q allows %q, designed %q", rt.pattern, got, want)
		}
	}
	for p := range wantRoles {
		if !seen[p] {
			t.Errorf("designed route %q is missing from the table", p)
		}
	}
	sort.Strings(public)
	w := append([]string(nil), wantPublic...)
	sort.Strings(w)
	if strings.Join(public, ",") != strings.Join(w, ",") {
		t.Errorf("public routes %v, designed %v", public, w)
	}
}

// TestRoleMatrix sends every role (and nobody) to every route, as a browser
// session for pages and with an API token for the API, and checks the answer
// is allowed or denied as designed.
func TestRoleMatrix(t *testing.T) { roleMatrix(t, newFixture(t)) }

// TestPostgres runs the role matrix and the login flow on PostgreSQL.
func TestPostgres(t *testing.T) {
	pg := freshPostgresURL(t)
	f := newFixtureOn(t, pg)
	if code, _ := f.login(f.client(), RoleAnalyst, testPassword); code != http.StatusSeeOther {
		t.Fatalf("login on PostgreSQL: %d", code)
	}
	roleMatrix(t, f)
}

func roleMatrix(t *testing.T, f *fixture) {
	ctx := context.Background()
	artID := f.arts[0].ID
	alertID, silenceID := matrixAlert(t, f)
	snapID := store.SnapshotID(artID, 1)
	if err := f.store.(store.EvidenceStore).SaveSnapshot(ctx, store.Snapshot{ID: snapID, ArticleID: artID, Seq: 1, URL: f.arts[0].URL,
		Status: 200, CapturedAt: time.Now().UTC(), SHA256: "00", Title: "t", Text: "x", Headers: "{}", WARCPath: "x/1.warc",
		Change: store.ChangeFirst}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.(store.EvidenceStore).UpsertResponse(ctx, store.Response{ID: "resp-matrix", ArticleID: artID, Cluster: "c-matrix",
		Text: "Phản hồi", RespondedOn: time.Now().UTC(), Channel: store.ChannelStatement}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.(store.NarrativeStore).CreateNarrative(ctx, store.Narrative{ID: "n-matrix", Claim: "Luận điểm", Phrases: []string{"still pending"},
		Correction: "Sự thật", ResponseID: "resp-matrix", ArticleID: artID, Weight: 40}); err != nil {
		t.Fatal(err)
	}
	for pattern, want := range wantRoles {
		method, path, _ := strings.Cut(pattern, " ")
		api := strings.HasPrefix(path, "/api/")
		for _, role := range append([]string{""}, AllRoles...) {
			name := role
			if name == "" {
				name = "anonymous"
			}
			t.Run(pattern+"/"+name, func(t *testing.T) {
				// Something for delete routes to find, owned by this role.
				ss, _ := f.srv.newSaved(role, "x", "Dong Nai", "")
				if role != "" {
					if err := f.saved.SaveSearch(ctx, ss); err != nil {
						t.Fatal(err)
					}
				}
				p := strings.NewReplacer("{$}", "", "{id}", artID, "{sid}", snapID, "{format}", "pdf", "{rid}", "resp-matrix", "{nid}", "n-matrix").Replace(path)
				if strings.HasPrefix(path, "/sources/") {
					p = strings.NewReplacer("{name}", "nikkei-asia", "{action}", "poll").Replace(path)
				}
				if path == "/reports/make" {
					p += "?kind=weekly&format=html"
				}
				switch {
				case strings.Contains(path, "/stories/"):
					p = strings.Replace(path, "{id}", "c-airport", 1)
				case strings.Contains(path, "saved"):
					p = strings.Replace(path, "{id}", ss.ID, 1)
				case strings.Contains(path, "/alerts/silences/"):
					p = strings.Replace(path, "{id}", silenceID, 1)
				case strings.HasPrefix(path, "/alerts/"):
					p = strings.Replace(path, "{id}", alertID, 1)
				}
				if path == "/search/export" || path == "/api/v1/export" {
					p += "?q=" + url.QueryEscape("Dong Nai")
				}
				var body string
				// An office routes saved searches only to itself.
				receiver := "police"
				if role == RoleForeignAffairs {
					receiver = "foreign_affairs"
				}
				if method == http.MethodPost {
					body = url.Values{"q": {"Dong Nai"}, "name": {"matrix"}, "query": {"Dong Nai"}, "reason": {"matrix"}, "duration": {"1h"},
						"receiver": {receiver}, "min_risk": {"50"}, "enabled": {"1"},
						"text": {"Phản hồi"}, "responded_on": {"2026-11-20"}, "channel": {"letter"},
						"claim": {"Luận điểm"}, "phrases": {"still pending"}, "correction": {"Sự thật"}, "note": {"matrix"},
						"kind": {"feed"}, "url": {"https://matrix.example/feed.xml"}, "country": {"JP"}, "lang": {"en"}, "tier": {"2"}}.Encode()
					if api {
						body = `{"name":"matrix","query":"Dong Nai"}`
						if strings.HasSuffix(path, "/alert") {
							body = `{"receiver":"` + receiver + `","min_risk":50,"enabled":true}`
						}
					}
				}
				req, _ := http.NewRequest(method, f.http.URL+p, strings.NewReader(body))
				if method == http.MethodPost && !api {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				if role != "" {
					if api {
						req.Header.Set("Authorization", "Bearer "+f.tokens[role])
					} else {
						cookie, csrf := f.session(role)
						req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
						req.Header.Set("X-CSRF-Token", csrf)
					}
				}
				resp, respBody := f.do(req)
				allowedRole := role != "" && strings.Contains(" "+want+" ", " "+role+" ")
				switch {
				case role == "" && api:
					if resp.StatusCode != http.StatusUnauthorized {
						t.Errorf("anonymous: %d, want 401", resp.StatusCode)
					}
				case role == "" && method == http.MethodGet:
					if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
						t.Errorf("anonymous: %d %q, want a redirect to the login page", resp.StatusCode, resp.Header.Get("Location"))
					}
				case role == "":
					if resp.StatusCode != http.StatusUnauthorized {
						t.Errorf("anonymous POST: %d, want 401", resp.StatusCode)
					}
				case allowedRole:
					if resp.StatusCode >= 400 {
						t.Errorf("%s allowed by design, got %d: %.300s", role, resp.StatusCode, respBody)
					}
				default:
					if resp.StatusCode != http.StatusForbidden {
						t.Errorf("%s denied by design, got %d", role, resp.StatusCode)
					}
				}
			})
		}
	}
}

// TestNavShowsOnlyAllowedLinks checks the layout offers a role only the pages
// it may open.
func TestNavShowsOnlyAllowedLinks(t *testing.T) {
	f := newFixture(t)
	for _, role := range AllRoles {
		cookie, _ := f.session(role)
		_, body := f.get("/dashboard", cookie)
		for link, pattern := range map[string]string{`href="/sources"`: "GET /sources", `href="/alerts"`: "GET /alerts", `href="/admin/users"`: "GET /admin/users", `href="/saved"`: "GET /saved"} {
			want := strings.Contains(" "+wantRoles[pattern]+" ", " "+role+" ")
			if got := strings.Contains(body, link); got != want {
				t.Errorf("%s: nav link %s shown=%v, want %v", role, link, got, want)
			}
		}
	}
}

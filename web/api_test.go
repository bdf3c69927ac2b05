package web

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func (f *fixture) api(method, path, role, body string) (*http.Response, string) {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.http.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	return f.do(req)
}

func TestAPI(t *testing.T) {
	f := newFixture(t)
	var sr apiSearchResult
	resp, body := f.api("GET", "/api/v1/search?q="+url.QueryEscape("Dong Nai")+"&f=lang:en&sort=newest", RoleViewer, "")
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &sr) != nil {
		t.Fatalf("search: %d %s", resp.StatusCode, body)
	}
	if sr.Total != 3 || len(sr.Hits) != 3 {
		t.Errorf("search result: total %d, %d hits", sr.Total, len(sr.Hits))
	}
	for i := 1; i < len(sr.Hits); i++ {
		if sr.Hits[i].Published.After(sr.Hits[i-1].Published) {
			t.Errorf("sort=newest: hit %d is newer than hit %d", i, i-1)
		}
	}
	if len(sr.Facets["lang"]) == 0 || !strings.Contains(strings.Join(sr.Hits[0].Snippets, " "), "<mark>") {
		t.Errorf("facets %v, snippets %v", sr.Facets, sr.Hits[0].Snippets)
	}

	var e apiError
	resp, body = f.api("GET", "/api/v1/search?q="+url.QueryEscape("Dong AND (Nai"), RoleViewer, "")
	if resp.StatusCode != 400 || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != "bad_query" || e.Error.Pos == nil {
		t.Errorf("bad query: %d %s", resp.StatusCode, body)
	}
	resp, _ = f.api("GET", "/api/v1/search?f=bogus:x", RoleViewer, "")
	if resp.StatusCode != 400 {
		t.Errorf("bad filter field: %d, want 400", resp.StatusCode)
	}
	// A page number so large that (page−1)·size wrapped to a negative
	// offset (a reviewer's): an empty page past the end, not an error that
	// echoes the index's limits.
	resp, body = f.api("GET", "/api/v1/search?q=dong&size=100&page=92233720368547760", RoleViewer, "")
	if resp.StatusCode != 200 || strings.Contains(body, "-9223") {
		t.Errorf("huge page: %d %s", resp.StatusCode, body)
	}

	id := f.arts[2].ID
	resp, body = f.api("GET", "/api/v1/articles/"+id, RoleViewer, "")
	var a struct {
		ID             string `json:"id"`
		Title          string `json:"title"`
		Classification *struct {
			Risk    int `json:"risk"`
			Reasons []struct {
				Signal string `json:"signal"`
			} `json:"reasons"`
		} `json:"classification"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &a) != nil || a.ID != id || a.Classification == nil || a.Classification.Risk != 70 || len(a.Classification.Reasons) != 2 {
		t.Errorf("article: %d %s", resp.StatusCode, body)
	}
	if resp, _ = f.api("GET", "/api/v1/articles/missing", RoleViewer, ""); resp.StatusCode != 404 {
		t.Errorf("missing article: %d", resp.StatusCode)
	}

	var st apiStory
	resp, body = f.api("GET", "/api/v1/stories/c-airport", RoleViewer, "")
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &st) != nil || st.Total != 3 || len(st.Outlets) != 3 || len(st.Countries) != 3 {
		t.Errorf("story: %d %s", resp.StatusCode, body)
	}
	if resp, _ = f.api("GET", "/api/v1/stories/none", RoleViewer, ""); resp.StatusCode != 404 {
		t.Errorf("missing story: %d", resp.StatusCode)
	}

	var srcs struct {
		Sources []sourceRow `json:"sources"`
	}
	resp, body = f.api("GET", "/api/v1/sources", RoleAnalyst, "")
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &srcs) != nil || len(srcs.Sources) != 4 || srcs.Sources[0].Status != "error" {
		t.Errorf("sources: %d %s", resp.StatusCode, body)
	}

	// Saved searches: create, list, delete, and they are per user.
	resp, body = f.api("POST", "/api/v1/saved-searches", RolePolice, `{"name":"Sông","query":"Dong Nai AND song","params":"f=lang:vi"}`)
	var ss SavedSearch
	if resp.StatusCode != 201 || json.Unmarshal([]byte(body), &ss) != nil || ss.ID == "" || ss.User != RolePolice {
		t.Fatalf("create saved: %d %s", resp.StatusCode, body)
	}
	// A search that cannot run is refused when saved.
	for _, bad := range []string{`{"name":"bad","query":"(dong"}`, `{"name":"bad","query":"dong","params":"since=notadate"}`} {
		if resp, body := f.api("POST", "/api/v1/saved-searches", RolePolice, bad); resp.StatusCode != 400 {
			t.Errorf("saving %s: %d %s", bad, resp.StatusCode, body)
		}
	}
	if resp, _ = f.api("POST", "/api/v1/saved-searches", RolePolice, `{"nam":"typo"}`); resp.StatusCode != 400 {
		t.Errorf("unknown JSON field: %d, want 400", resp.StatusCode)
	}
	_, body = f.api("GET", "/api/v1/saved-searches", RoleAnalyst, "")
	if strings.Contains(body, ss.ID) {
		t.Error("another user sees the saved search")
	}
	_, body = f.api("GET", "/api/v1/saved-searches", RolePolice, "")
	if !strings.Contains(body, ss.ID) {
		t.Errorf("own saved search missing: %s", body)
	}
	if resp, _ = f.api("DELETE", "/api/v1/saved-searches/"+ss.ID, RoleAnalyst, ""); resp.StatusCode != 404 {
		t.Errorf("other user's delete: %d, want 404", resp.StatusCode)
	}
	if resp, _ = f.api("DELETE", "/api/v1/saved-searches/"+ss.ID, RolePolice, ""); resp.StatusCode != 204 {
		t.Errorf("delete: %d, want 204", resp.StatusCode)
	}
	if resp, body = f.api("GET", "/api/v1/nope", RoleAdmin, ""); resp.StatusCode != 404 || !strings.Contains(body, `"not_found"`) {
		t.Errorf("unknown API route: %d %s", resp.StatusCode, body)
	}
}

func TestNoSearchIndex(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Search = nil; o.Saved = nil })
	cookie, _ := f.session(RoleAnalyst)
	for path, want := range map[string]int{"/search": 503, "/dashboard": 200, "/stories/x": 503, "/saved": 200, "/sources": 200} {
		if resp, body := f.get(path, cookie); resp.StatusCode != want {
			t.Errorf("%s without index: %d, want %d\n%.300s", path, resp.StatusCode, want, body)
		}
	}
	// Articles come from the store and still open.
	if resp, _ := f.get("/articles/"+f.arts[0].ID, cookie); resp.StatusCode != 200 {
		t.Errorf("article without index: %d", resp.StatusCode)
	}
	if resp, _ := f.api("GET", "/api/v1/search?q=x", RoleAnalyst, ""); resp.StatusCode != 503 {
		t.Errorf("api search without index: %d", resp.StatusCode)
	}
}

// A route that exists for other methods answers 405 with Allow, on the API
// (JSON) and on the UI (the UI's page); a path that exists for none is 404.
func TestWrongMethod(t *testing.T) {
	f := newFixture(t)
	resp, body := f.api("PUT", "/api/v1/search?q=x", RoleViewer, "")
	var e apiError
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" ||
		json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != "method_not_allowed" {
		t.Errorf("PUT /api/v1/search: %d, Allow %q, %s", resp.StatusCode, resp.Header.Get("Allow"), body)
	}
	if resp, body := f.api("PUT", "/api/v1/nothing", RoleViewer, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("PUT /api/v1/nothing: %d %s", resp.StatusCode, body)
	}
	cookie, _ := f.session(RoleAnalyst)
	req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/logout", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	resp, body = f.do(req)
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "POST") ||
		!strings.Contains(body, messages{"vi"}.T("err_405")) {
		t.Errorf("GET /logout: %d, Allow %q, %.200s", resp.StatusCode, resp.Header.Get("Allow"), body)
	}
}

// TestAPISearchWithFilterClauses: a prefix, a comparison or a keyword prefix
// beside a filter or a scope answers JSON with finite scores. Keyword
// clauses scored NaN and the encoder failed after the status line: an
// empty 200 (an outside search review).
func TestAPISearchWithFilterClauses(t *testing.T) {
	f := newFixture(t)
	for _, q := range []string{"q=dong*&rel=about", "q=dong*&f=lang:en", "q=" + url.QueryEscape("dong* lang:en"), "q=topic:env*",
		"q=" + url.QueryEscape("risk>=0") + "&f=lang:en", "q=" + url.QueryEscape("published>2020-01-01") + "&f=lang:en",
		"q=Dong&basis=collected&since=2020-01-01&f=lang:en", "q=dong*&rel=mentions"} {
		resp, body := f.api("GET", "/api/v1/search?"+q, RoleViewer, "")
		var sr apiSearchResult
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &sr) != nil {
			t.Errorf("%s: %d %.200q", q, resp.StatusCode, body)
			continue
		}
		if q != "q=dong*&rel=mentions" && sr.Total == 0 {
			t.Errorf("%s: no hits", q)
		}
		for _, h := range sr.Hits {
			if math.IsNaN(h.Score) || math.IsInf(h.Score, 0) {
				t.Errorf("%s: score %v", q, h.Score)
			}
		}
	}
}

// TestSavedKeepsScopeAndBasis: a saved search runs as the search it was
// saved from, scope and date basis included, and lists its settings
// readably.
func TestSavedKeepsScopeAndBasis(t *testing.T) {
	f := newFixture(t)
	ss, err := f.srv.newSaved(RoleAnalyst, "x", "Dong Nai", "rel=any&basis=collected&since=2026-12-07&sort=newest&f=lang%3Aen&page=3")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(savedURL(ss))
	v := u.Query()
	if v.Get("rel") != "any" || v.Get("basis") != "collected" || v.Get("f") != "lang:en" || v.Get("page") != "" || v.Get("q") != "Dong Nai" {
		t.Errorf("saved search runs as %s", savedURL(ss))
	}
	if got := (savedView{SavedSearch: ss}).ParamsText(); got != "basis=collected · f=lang:en · rel=any · since=2026-12-07 · sort=newest" {
		t.Errorf("settings shown as %q", got)
	}
}

// TestAPIExpandPlaces: expand=places widens place names as the search page
// does and says with what; without it the API searches what it was sent.
func TestAPIExpandPlaces(t *testing.T) {
	f := newFixture(t)
	var plain, wide apiSearchResult
	if resp, body := f.api("GET", "/api/v1/search?rel=any&q="+url.QueryEscape("同奈"), RoleViewer, ""); resp.StatusCode != 200 || json.Unmarshal([]byte(body), &plain) != nil {
		t.Fatalf("plain: %d %s", resp.StatusCode, body)
	}
	if resp, body := f.api("GET", "/api/v1/search?rel=any&expand=places&q="+url.QueryEscape("同奈"), RoleViewer, ""); resp.StatusCode != 200 || json.Unmarshal([]byte(body), &wide) != nil {
		t.Fatalf("expanded: %d %s", resp.StatusCode, body)
	}
	if wide.Total <= plain.Total || len(wide.Expanded) == 0 || wide.Expanded[0].Place != "Đồng Nai" || len(plain.Expanded) != 0 {
		t.Errorf("plain %d hits, expanded %d hits with %+v", plain.Total, wide.Total, wide.Expanded)
	}
	if resp, _ := f.api("GET", "/api/v1/search?expand=everything&q=x", RoleViewer, ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown expand: %d", resp.StatusCode)
	}
}

// A filter without its value is refused, not dropped.
func TestAPIMalformedFilter(t *testing.T) {
	f := newFixture(t)
	for _, bad := range []string{"f=lang", "f=lang:", "f=:en"} {
		if resp, body := f.api("GET", "/api/v1/search?q=Dong&"+bad, RoleViewer, ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %.100s", bad, resp.StatusCode, body)
		}
	}
}

// TestBlankStoryIsNotFound: a story ID that is blank, spaced or holds
// control characters names no story: 404 on the page and the API, not a
// 500 with an error in the log (an outside attack test).
func TestBlankStoryIsNotFound(t *testing.T) {
	f := newFixture(t)
	cookie, _ := f.session(RoleViewer)
	for _, id := range []string{"%20", "%09", "%0A", "%E2%80%A8", "a%20b", "%0D%0A"} {
		if resp, body := f.api("GET", "/api/v1/stories/"+id, RoleViewer, ""); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "not_found") {
			t.Errorf("API story %q: %d %.200s", id, resp.StatusCode, body)
		}
		if resp, _ := f.get("/stories/"+id, cookie); resp.StatusCode != http.StatusNotFound {
			t.Errorf("story page %q: %d", id, resp.StatusCode)
		}
	}
}

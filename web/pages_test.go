package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/internal/l10n"
)

func TestSearchPage(t *testing.T) {
	f := newFixture(t)
	cookie, _ := f.session(RoleAnalyst)
	for _, tc := range []struct {
		name    string
		path    string
		code    int
		want    []string
		notWant []string
	}{
		{"without diacritics", "/search?q=" + url.QueryEscape("Dong Nai"), 200,
			[]string{"Người dân Đồng Nai lo ngại", "Japanese investors eye Dong Nai", "<mark>", `data-field="lang"`, "Xuất CSV"},
			[]string{"Coffee prices"}},
		{"with diacritics", "/search?q=" + url.QueryEscape("Đồng Nai"), 200, []string{"Người dân Đồng Nai lo ngại", "Japanese investors"}, nil},
		{"facet filter", "/search?q=" + url.QueryEscape("Dong Nai") + "&f=lang:vi", 200, []string{"Người dân Đồng Nai lo ngại", `class="chip on"`}, []string{"Japanese investors"}},
		{"cjk literal", "/search?literal=1&q=" + url.QueryEscape("同奈"), 200, []string{"越南同奈省隆城国际机场"}, []string{"Japanese investors"}},
		{"cjk expands to the province", "/search?q=" + url.QueryEscape("同奈"), 200, []string{"越南同奈省隆城国际机场", "Japanese investors", `id="expansion"`}, nil},
		{"empty query lists newest, all articles", "/search?rel=any", 200, []string{"Coffee prices", "越南同奈省"}, nil},
		{"about the province by default", "/search", 200, []string{"越南同奈省", `id="rel-definition"`, `data-rel="about" class="on"`}, []string{"Coffee prices"}},
		{"sort by risk", "/search?sort=risk", 200, []string{`<option value="risk" selected>`}, nil},
		{"syntax error points at it", "/search?q=" + url.QueryEscape("Dong AND (Nai"), 400, []string{`id="query-error"`, `class="caret"`}, nil},
		{"bad date", "/search?since=yesterday", 400, []string{`id="query-error"`}, nil},
		{"star inside quotes", "/search?literal=1&q=" + url.QueryEscape(`"Long Th*"`), 400, []string{`id="query-error"`, "trong ngoặc kép không phải tiền tố"}, nil},
		{"error position in characters", "/search?literal=1&q=" + url.QueryEscape("Đồng Nai AND NOT"), 400, []string{`id="query-error"`, "(vị trí 14)"}, nil},
		{"english", "/search?lang=en&q=Dong", 200, []string{`<html lang="en">`, "Export CSV", "results"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.get(tc.path, cookie)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d:\n%.2000s", resp.StatusCode, tc.code, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("page has %q", w)
				}
			}
			if _, err := html.Parse(strings.NewReader(body)); err != nil {
				t.Errorf("page does not parse: %v", err)
			}
		})
	}
}

func TestSearchPaging(t *testing.T) {
	f := newFixture(t)
	cookie, _ := f.session(RoleViewer)
	_, body := f.get("/search?size=3", cookie)
	if !strings.Contains(body, `rel="next"`) || strings.Contains(body, `rel="prev"`) {
		t.Errorf("page 1 of 3-hit pages: want a next link only")
	}
	if strings.Contains(body, "Xuất CSV") {
		t.Error("viewer is offered an export it may not use")
	}
	_, body2 := f.get("/search?size=3&page=2", cookie)
	if !strings.Contains(body2, `rel="prev"`) || body2 == body {
		t.Errorf("page 2: want a prev link and other hits")
	}
}

// findScriptish walks parsed HTML and reports any script element, event
// handler attribute or javascript: URL inside the page's main element.
func findScriptish(t *testing.T, body string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	var walk func(n *html.Node, inMain bool)
	walk = func(n *html.Node, inMain bool) {
		if n.Type == html.ElementNode {
			if n.Data == "main" {
				inMain = true
			}
			if inMain {
				if n.Data == "script" || n.Data == "iframe" || n.Data == "style" || n.Data == "object" {
					bad = append(bad, "<"+n.Data+">")
				}
				for _, a := range n.Attr {
					v := strings.ToLower(strings.TrimSpace(a.Val))
					if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(v, "javascript:") || a.Key == "style" {
						bad = append(bad, n.Data+" "+a.Key+"="+a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inMain)
		}
	}
	walk(doc, false)
	return bad
}

func TestArticlePage(t *testing.T) {
	f := newFixture(t)
	cookie, _ := f.session(RoleViewer)
	a := f.byURL["https://asia.nikkei.example/Business/Dong-Nai-industrial-parks"]
	resp, body := f.get("/articles/"+a.ID, cookie)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, w := range []string{
		`<mark class="ent ent-place">Đồng Nai</mark> province`,
		`<mark class="ent ent-landmark">Long Thanh International Airport</mark>`,
		`<mark class="ent ent-place">Biên Hòa</mark>`,
		"Đồng Nai (province) in text", `id="reasons"`, // reasons, as sentences
		"Cùng câu chuyện", "Vietnam&#39;s Long Thanh airport", "越南同奈省", // same story
		`href="/stories/c-airport"`,
		"<b>Đồng Nai</b>",                                    // summary markup kept
		a.Published.In(f.srv.loc).Format("02/01/2006 15:04"), // shown in Vietnam time
	} {
		if !strings.Contains(body, w) {
			t.Errorf("article page lacks %q", w)
		}
	}
	if resp, _ := f.get("/articles/nope", cookie); resp.StatusCode != 404 {
		t.Errorf("missing article: %d", resp.StatusCode)
	}
	// A page that does not exist gets the UI's own page in the reader's
	// language, not net/http's bare "404 page not found".
	if resp, page := f.get("/static/nothing.css", cookie); resp.StatusCode != 404 || strings.Contains(page, "404 page not found") {
		t.Errorf("missing static file: %d %.100s", resp.StatusCode, page)
	}
	if resp, _ := f.get("/static/style.css", ""); resp.StatusCode != 200 {
		t.Errorf("the stylesheet: %d", resp.StatusCode)
	}
	resp, body = f.get("/nothing-here", cookie)
	if resp.StatusCode != 404 || strings.Contains(body, "404 page not found") || !strings.Contains(body, "<html") ||
		!strings.Contains(body, messages{"vi"}.T("err_404")) {
		t.Errorf("unknown page: %d %.300s", resp.StatusCode, body)
	}
}

func TestHostileArticleIsInert(t *testing.T) {
	f := newFixture(t)
	cookie, _ := f.session(RoleAnalyst)
	a := f.byURL["https://hostile.example/dong-nai-festival"]
	ps := f.addPresssimHostile()
	for _, path := range []string{"/articles/" + a.ID, "/search?q=festival", "/stories/c-festival", "/articles/" + ps[0], "/search?q=rumours", "/stories/presssim-hostile"} {
		resp, body := f.get(path, cookie)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if bad := findScriptish(t, body); len(bad) > 0 {
			t.Errorf("%s: active content in the page: %q", path, bad)
		}
		if path == "/articles/"+a.ID && !strings.Contains(body, "Thousands visited the Dong Nai river festival") {
			t.Errorf("%s: the harmless text is gone", path)
		}
		if path == "/articles/"+ps[0] && (!strings.Contains(body, "<p>The provincial information department said phase one") || strings.Contains(body, "Xem bài gốc")) {
			t.Errorf("%s: HTML text not rendered as sanitised paragraphs, or a javascript: original link offered", path)
		}
	}
}

func TestStorySourcesDashboardPages(t *testing.T) {
	f := newFixture(t)
	cookie, _ := f.session(RoleAdmin)
	for _, tc := range []struct {
		path string
		code int
		want []string
	}{
		{"/stories/c-airport", 200, []string{"Nikkei Asia", "Reuters", "Xinhua", "<strong>3</strong>", "JP", "CN", "GB"}},
		{"/stories/none", 404, nil},
		{"/sources", 200, []string{"yonhap", "fetch feed: 503 Service Unavailable", "b-error", "b-silent", "b-ok", "b-disabled", "Im lặng bất thường"}},
		{"/dashboard", 200, []string{`id="dash-total" data-n="6">6<`, `id="dash-all">8<`, `id="dash-scope"`, "<svg class=\"chart\"", `href="/search?f=country:JP&amp;sort=newest&amp;since=`, "Tiêu cực"}},
		{"/alerts", 200, []string{"Cảnh báo", "Không có cảnh báo"}},
		{"/admin/users", 200, []string{"foreign_affairs", "Sở Ngoại vụ", "Đã khóa"}},
		{"/", 303, nil},
	} {
		resp, body := f.get(tc.path, cookie)
		if resp.StatusCode != tc.code {
			t.Errorf("%s: %d, want %d", tc.path, resp.StatusCode, tc.code)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", tc.path, w)
			}
		}
		if strings.Contains(body, "$argon2id$") {
			t.Errorf("%s shows a password hash", tc.path)
		}
	}
	// Sources sort failing first.
	_, body := f.get("/sources", cookie)
	if strings.Index(body, "yonhap") > strings.Index(body, "nikkei-asia") {
		t.Error("failing source is not listed before healthy ones")
	}
}

func TestExport(t *testing.T) {
	f := newFixture(t)
	cookie, _ := f.session(RoleForeignAffairs)
	resp, body := f.get("/search/export?format=csv&q="+url.QueryEscape("Dong Nai")+"&f=lang:en", cookie)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", resp.StatusCode, resp.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "id" { // header + 3 English Dong Nai articles
		t.Fatalf("csv rows = %d:\n%s", len(rows), body)
	}
	for _, r := range rows[1:] {
		if r[6] != "en" {
			t.Errorf("row lang %q, the filter was en", r[6])
		}
	}
	resp, body = f.get("/search/export?format=json&rel=any", cookie)
	var all []exportRow
	if err := json.Unmarshal([]byte(body), &all); err != nil || resp.StatusCode != 200 {
		t.Fatalf("json export: %d %v\n%s", resp.StatusCode, err, body)
	}
	if len(all) != len(f.arts) {
		t.Errorf("json export of everything: %d rows, want %d", len(all), len(f.arts))
	}
	// A bad query on the export link goes back to the search page, which
	// says what is wrong in the reader's language.
	resp, _ = f.get("/search/export?format=csv&q="+url.QueryEscape("(dong"), cookie)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/search?") || strings.Contains(loc, "format=") {
		t.Errorf("bad query export: %d to %q, want 303 to the search page", resp.StatusCode, loc)
	} else if resp, page := f.get(loc, cookie); resp.StatusCode != 400 || !strings.Contains(page, l10n.QueryError("vi", `unbalanced "("`)) {
		t.Errorf("search page after a bad export: %d", resp.StatusCode)
	}
	// A query longer than maxQueryRunes is refused before it is searched,
	// counted in characters as the reader counts them.
	long := strings.Repeat("đồng ", maxQueryRunes/5+10)
	if resp, page := f.get("/search?q="+url.QueryEscape(long), cookie); resp.StatusCode != 400 || !strings.Contains(page, "dài 2049 ký tự, tối đa 2000 ký tự") {
		t.Errorf("long query: %d", resp.StatusCode)
	}
	if resp, body := f.get("/api/v1/search?q="+url.QueryEscape(long), cookie); resp.StatusCode != 400 || !strings.Contains(body, "at most 2000") {
		t.Errorf("long API query: %d %.200s", resp.StatusCode, body)
	}
	if got := csvCell("|cmd"); got != "'|cmd" {
		t.Errorf("csvCell did not defuse a DDE call: %q", got)
	}
	if got := csvCell("=HYPERLINK(\"x\")"); got != "'=HYPERLINK(\"x\")" {
		t.Errorf("csvCell did not defuse a formula: %q", got)
	}
	audit, _ := f.store.ListAudit(context.Background(), 5)
	if len(audit) == 0 || audit[0].Action != "search.export" {
		t.Errorf("export not audited: %+v", audit)
	}
}

func TestSavedSearchesUI(t *testing.T) {
	f := newFixture(t)
	cookie, csrf := f.session(RolePolice)
	post := func(path string, form url.Values) *http.Response {
		form.Set("csrf", csrf)
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		resp, _ := f.do(req)
		return resp
	}
	if resp := post("/saved", url.Values{"name": {"Sông Đồng Nai"}, "q": {"Dong Nai AND song"}, "params": {"f=lang%3Avi&sort=newest&evil=1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, body := f.get("/saved", cookie)
	if !strings.Contains(body, "Sông Đồng Nai") || !strings.Contains(body, "/search?f=lang%3Avi&amp;q=Dong&#43;Nai&#43;AND&#43;song&amp;sort=newest") || strings.Contains(body, "evil") {
		t.Fatalf("saved list:\n%s", body)
	}
	items, _ := f.saved.ListSaved(context.Background(), RolePolice)
	// Another user cannot delete it.
	other, otherCSRF := f.session(RoleAnalyst)
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/saved/"+items[0].ID+"/delete", strings.NewReader("csrf="+otherCSRF))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: other})
	if resp, _ := f.do(req); resp.StatusCode != 404 {
		t.Errorf("other user's delete: %d, want 404", resp.StatusCode)
	}
	if resp := post("/saved/"+items[0].ID+"/delete", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if items, _ := f.saved.ListSaved(context.Background(), RolePolice); len(items) != 0 {
		t.Errorf("after delete: %v", items)
	}
	// Saved searches live in the store: another web node on it sees them.
	post("/saved", url.Values{"q": {"Biên Hòa"}})
	other2 := NewStoreSaved(f.store)
	if items, _ := other2.ListSaved(context.Background(), RolePolice); len(items) != 1 || items[0].Name != "Biên Hòa" {
		t.Errorf("from another node: %+v", items)
	}
}

func TestSavedSearchAlertRoute(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cookie, csrf := f.session(RoleForeignAffairs)
	post := func(cookie, csrf, path string, form url.Values) int {
		form.Set("csrf", csrf)
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		resp, _ := f.do(req)
		return resp.StatusCode
	}
	if code := post(cookie, csrf, "/saved", url.Values{"name": {"Sân bay"}, "q": {`"Long Thành" AND airport`}}); code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	items, _ := f.saved.ListSaved(ctx, RoleForeignAffairs)
	if len(items) != 1 {
		t.Fatalf("saved = %+v", items)
	}
	id := items[0].ID
	_, body := f.get("/saved", cookie)
	if !strings.Contains(body, `action="/saved/`+id+`/alert"`) || !strings.Contains(body, `<option value="foreign_affairs">`) {
		t.Fatalf("no route form on the saved page:\n%s", body)
	}
	// An office routes only to itself: the form offers no other receiver.
	if strings.Contains(body, `<option value="police">`) || strings.Contains(body, `<option value="analysts">`) {
		t.Errorf("the foreign affairs officer's form offers other offices' receivers")
	}
	tests := []struct {
		name string
		form url.Values
		code int
		want SavedAlert // what is stored afterwards
	}{
		{"turn on", url.Values{"receiver": {"foreign_affairs"}, "min_risk": {"40"}, "enabled": {"1"}}, 303, SavedAlert{"foreign_affairs", 40, true}},
		{"unknown receiver", url.Values{"receiver": {"mallory"}, "min_risk": {"40"}, "enabled": {"1"}}, 400, SavedAlert{"foreign_affairs", 40, true}},
		{"another office", url.Values{"receiver": {"police"}, "min_risk": {"0"}, "enabled": {"1"}}, 400, SavedAlert{"foreign_affairs", 40, true}},
		{"risk out of range", url.Values{"receiver": {"foreign_affairs"}, "min_risk": {"101"}, "enabled": {"1"}}, 400, SavedAlert{"foreign_affairs", 40, true}},
		{"risk not a number", url.Values{"receiver": {"foreign_affairs"}, "min_risk": {"x"}}, 400, SavedAlert{"foreign_affairs", 40, true}},
		{"disable", url.Values{"receiver": {"foreign_affairs"}, "min_risk": {"10"}}, 303, SavedAlert{"foreign_affairs", 10, false}},
		{"remove route", url.Values{"receiver": {""}, "enabled": {"1"}}, 303, SavedAlert{"", 0, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code := post(cookie, csrf, "/saved/"+id+"/alert", tc.form); code != tc.code {
				t.Errorf("status %d, want %d", code, tc.code)
			}
			got, err := f.store.GetSavedSearch(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if (SavedAlert{got.AlertReceiver, got.AlertMinRisk, got.AlertEnabled}) != tc.want {
				t.Errorf("stored route = %q/%d/%v, want %+v", got.AlertReceiver, got.AlertMinRisk, got.AlertEnabled, tc.want)
			}
		})
	}
	// Nobody else can route it.
	oc, ocsrf := f.session(RolePolice)
	if code := post(oc, ocsrf, "/saved/"+id+"/alert", url.Values{"receiver": {"police"}, "enabled": {"1"}}); code != 404 {
		t.Errorf("another user's route change: %d, want 404", code)
	}
	// The API does the same, and a query that cannot parse cannot be a route.
	if resp, rb := f.api("POST", "/api/v1/saved-searches/"+id+"/alert", RoleForeignAffairs, `{"receiver":"analysts","min_risk":0,"enabled":true}`); resp.StatusCode != 400 {
		t.Errorf("api route to another receiver: %d %s", resp.StatusCode, rb)
	}
	resp, rb := f.api("POST", "/api/v1/saved-searches/"+id+"/alert", RoleForeignAffairs, `{"receiver":"foreign_affairs","min_risk":70,"enabled":true}`)
	var ss SavedSearch
	if resp.StatusCode != 200 || json.Unmarshal([]byte(rb), &ss) != nil || ss.AlertReceiver != "foreign_affairs" || ss.AlertMinRisk != 70 || !ss.AlertEnabled {
		t.Errorf("api route: %d %s", resp.StatusCode, rb)
	}
	bad := SavedSearch{ID: "bad-query", User: RoleForeignAffairs, Name: "bad", Query: `"unterminated`, Created: time.Now()}
	if err := f.saved.SaveSearch(ctx, bad); err != nil {
		t.Fatal(err)
	}
	if resp, rb := f.api("POST", "/api/v1/saved-searches/bad-query/alert", RoleForeignAffairs, `{"receiver":"police","enabled":true}`); resp.StatusCode != 400 {
		t.Errorf("route from an unparsable query: %d %s", resp.StatusCode, rb)
	}
	audit, _ := f.store.ListAudit(ctx, 20)
	n := 0
	for _, e := range audit {
		if e.Action == "saved_search.alert" {
			n++
		}
	}
	if n != 4 {
		t.Errorf("audited route changes = %d, want 4 (3 UI + 1 API)", n)
	}
}

func TestLanguageSwitch(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.get("/lang/en?next="+url.QueryEscape("/search?q=x"), "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/search?q=x" {
		t.Fatalf("lang switch: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var c *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == langCookie {
			c = ck
		}
	}
	if c == nil || c.Value != "en" {
		t.Fatal("no language cookie")
	}
	req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/login", nil)
	req.AddCookie(c)
	_, body := f.do(req)
	if !strings.Contains(body, "Sign in") || !strings.Contains(body, "Tiếng Việt") {
		t.Error("login page not in English with the cookie")
	}
	if resp, _ := f.get("/lang/fr", ""); resp.StatusCode != 404 {
		t.Errorf("unknown language: %d", resp.StatusCode)
	}
	if resp, _ := f.get("/lang/en?next=//evil.example", ""); resp.Header.Get("Location") != "/" {
		t.Errorf("open redirect: %q", resp.Header.Get("Location"))
	}
}

func TestHighlight(t *testing.T) {
	s := "Tỉnh Đồng Nai và Biên Hòa <b>"
	ents := []article.Entity{
		{Kind: "place", Start: 100 + strings.Index(s, "Đồng Nai"), End: 100 + strings.Index(s, "Đồng Nai") + len("Đồng Nai")},
		{Kind: "evil\"><script>", Start: 100 + strings.Index(s, "Biên"), End: 100 + strings.Index(s, "Biên") + len("Biên Hòa")},
		{Kind: "place", Start: 100 + 1, End: 100 + 2},                                                 // mid-character: skipped
		{Kind: "place", Start: 100 + 20, End: 100 + 999},                                              // out of range: skipped
		{Kind: "place", Start: 100 + strings.Index(s, "Nai"), End: 100 + strings.Index(s, "Nai") + 3}, // overlaps: skipped
	}
	got := highlight(s, 100, ents)
	want := `Tỉnh <mark class="ent ent-place">Đồng Nai</mark> và <mark class="ent ent-other">Biên Hòa</mark> &lt;b&gt;`
	if got != want {
		t.Errorf("highlight =\n%s\nwant\n%s", got, want)
	}
}

func FuzzHighlight(f *testing.F) {
	f.Add("Đồng Nai", 0, 3, 5, 11)
	f.Add("<script>", 2, 0, 1, 2)
	f.Fuzz(func(t *testing.T, s string, base, a, b, c int) {
		out := highlight(s, base, []article.Entity{{Kind: "place", Start: a, End: b}, {Kind: "org", Start: b, End: c}})
		if strings.Count(out, "<mark") != strings.Count(out, "</mark>") {
			t.Fatalf("unbalanced marks: %q", out)
		}
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(out, "<mark class=\"ent ent-place\">", ""), "<mark class=\"ent ent-org\">", ""), "<m") {
			t.Fatalf("unescaped markup: %q", out)
		}
	})
}

func FuzzParseSearchForm(f *testing.F) {
	f.Add("q=Dong+Nai&f=lang:vi&since=2025-01-01&until=2025-02-01&sort=newest&page=3&size=50")
	f.Add("f=:&f=LANG:x&page=-1&size=999999999999")
	fx := &Server{}
	fx.loc, _ = timeLoc()
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		form, req, _ := fx.parseSearchForm(v)
		if req.Size < 1 || req.Size > maxPageSize || req.From < 0 || req.From > maxFrom || form.Page < 1 {
			t.Fatalf("out of bounds: %+v", req)
		}
		for k := range req.Filters {
			if !validFacetField(k) {
				t.Fatalf("filter field %q passed", k)
			}
		}
		_ = form.URL("/search", nil)
	})
}

// TestSearchTimeoutIsNotABadQuery: a search stopped at its time limit is
// answered 503 search_timeout on the API, not 400 bad_query: the query is
// well formed, it asks too much.
func TestSearchTimeoutIsNotABadQuery(t *testing.T) {
	f := newFixture(t)
	rec := httptest.NewRecorder()
	f.srv.badQuery(rec, httptest.NewRequest(http.MethodGet, "/api/v1/search?q=x", nil), true, fmt.Errorf("search: %w", index.ErrSearchTimeout))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"search_timeout"`) {
		t.Errorf("timeout: %d %s", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	f.srv.badQuery(rec, httptest.NewRequest(http.MethodGet, "/api/v1/search?q=x", nil), true, formError("since: want a date YYYY-MM-DD"))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"bad_query"`) {
		t.Errorf("bad date: %d %s", rec.Code, rec.Body.String())
	}
}

// TestReasonViewsCapLast: the ceiling row comes after the reasons it caps,
// however large its weight.
func TestReasonViewsCapLast(t *testing.T) {
	m := messages{"vi"}
	rows := reasonViews(m, []article.Reason{{Signal: "risk_cap", Weight: -50}, {Signal: "narrative:merger_pending", Weight: 45}, {Signal: "alarm_terms", Detail: "mất việc", Weight: 30}})
	if len(rows) != 3 || rows[2].Signal != m.Signal("risk_cap") || rows[0].Signal != m.Signal("narrative:merger_pending") {
		t.Errorf("rows %+v: want the narrative first and the ceiling last", rows)
	}
}

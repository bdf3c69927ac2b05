package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// TestSourcesAdmin walks the sources page the way an administrator would:
// add a feed, see it listed, edit it, poll it, disable, delete and restore
// it, and find every change in the audit log.
func TestSourcesAdmin(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cookie, csrf := f.session(RoleAdmin)

	resp, _ := f.adminPost(cookie, csrf, "/sources", url.Values{"name": {"nhk-world"}, "kind": {"feed"}, "url": {"https://www3.nhk.example/rss/news.xml"},
		"outlet": {"NHK World"}, "country": {"jp"}, "lang": {"ja"}, "tier": {"1"}, "enabled": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "src_added") {
		t.Fatalf("add source: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	got, err := f.store.GetSource(ctx, "nhk-world")
	if err != nil {
		t.Fatal(err)
	}
	if got.Origin != store.OriginUI || got.EditedAt.IsZero() || !got.Enabled || got.Country != "JP" || got.Lang != "ja" || got.Tier != 1 || got.Outlet != "NHK World" {
		t.Fatalf("stored source = %+v", got)
	}
	_, page := f.get("/sources?done=src_added", cookie)
	for _, want := range []string{"NHK World", "nhk-world", "Đã thêm nguồn tin", "Thêm nguồn tin", "Thu thập ngay", "thêm trên giao diện", "Kênh tin RSS/Atom/JSON"} {
		if !strings.Contains(page, want) {
			t.Errorf("sources page lacks %q", want)
		}
	}

	// Edit: a UI source's URL and metadata change.
	resp, _ = f.adminPost(cookie, csrf, "/sources/nhk-world/edit", url.Values{"kind": {"feed"}, "url": {"https://www3.nhk.example/rss/asia.xml"},
		"outlet": {"NHK World-Japan"}, "country": {"JP"}, "lang": {"en"}, "tier": {"2"}, "enabled": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	if got, _ = f.store.GetSource(ctx, "nhk-world"); got.URL != "https://www3.nhk.example/rss/asia.xml" || got.Outlet != "NHK World-Japan" || got.Lang != "en" {
		t.Fatalf("after edit: %+v", got)
	}
	// A configured source keeps its kind and URL: only metadata and state change.
	resp, _ = f.adminPost(cookie, csrf, "/sources/yonhap/edit", url.Values{"kind": {"site"}, "url": {"https://evil.example/"},
		"outlet": {"Yonhap News Agency"}, "country": {"KR"}, "lang": {"ko"}, "tier": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit configured source: %d", resp.StatusCode)
	}
	if y, _ := f.store.GetSource(ctx, "yonhap"); y.URL != "https://www.yna.example/rss" || y.Kind != "feed" || y.Outlet != "Yonhap News Agency" || y.Enabled || y.EditedAt.IsZero() {
		t.Fatalf("configured source after edit: %+v", y)
	}
	if _, form := f.get("/sources/yonhap/edit", cookie); !strings.Contains(form, "readonly") || !strings.Contains(form, "khai báo trong tệp cấu hình") {
		t.Error("the edit form of a configured source does not lock its URL or say why")
	}

	// Poll now, disable, poll refused, delete, restore.
	for _, step := range []struct{ action, key string }{
		{"poll", "src_poll_requested"}, {"disable", "src_disabled"}, {"poll", "src_err_poll_off"},
		{"enable", "src_enabled"}, {"delete", "src_deleted"}, {"restore", "src_restored"},
	} {
		resp, _ := f.adminPost(cookie, csrf, "/sources/nhk-world/"+step.action, url.Values{})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), step.key) {
			t.Fatalf("%s: %d %q, want %s", step.action, resp.StatusCode, resp.Header.Get("Location"), step.key)
		}
		got, _ = f.store.GetSource(ctx, "nhk-world")
		switch step.action {
		case "poll":
			if step.key == "src_poll_requested" && got.PollRequestedAt.IsZero() {
				t.Error("poll now not recorded")
			}
		case "disable":
			if got.Enabled {
				t.Error("still enabled after disable")
			}
		case "delete":
			if got.DeletedAt.IsZero() || got.Enabled {
				t.Errorf("after delete: %+v", got)
			}
			if _, page := f.get("/sources", cookie); !strings.Contains(page, "Nguồn tin đã xóa") || strings.Contains(page, `id="src-nhk-world"`) {
				t.Error("a deleted source is still listed as live, or the deleted list is missing")
			}
			req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/api/v1/sources", nil)
			req.Header.Set("Authorization", "Bearer "+f.tokens[RoleAdmin])
			if resp, body := f.do(req); resp.StatusCode != http.StatusOK || strings.Contains(body, `"nhk-world"`) || !strings.Contains(body, `"nikkei-asia"`) {
				t.Errorf("API sources after a delete: %d %.300s", resp.StatusCode, body)
			}
		case "restore":
			if !got.DeletedAt.IsZero() || got.Enabled {
				t.Errorf("after restore: %+v (want live and off)", got)
			}
		}
	}
	if resp, _ := f.adminPost(cookie, csrf, "/sources/nhk-world/explode", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown action: %d", resp.StatusCode)
	}
	if resp, _ := f.adminPost(cookie, csrf, "/sources/nope/poll", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown source: %d", resp.StatusCode)
	}

	audit, err := f.store.ListAudit(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range audit {
		if strings.HasPrefix(e.Action, "source.") && e.Actor == RoleAdmin {
			seen[e.Action+" "+e.Object] = true
		}
	}
	for _, want := range []string{"source.add nhk-world", "source.edit nhk-world", "source.edit yonhap", "source.poll nhk-world",
		"source.disable nhk-world", "source.enable nhk-world", "source.delete nhk-world", "source.restore nhk-world"} {
		if !seen[want] {
			t.Errorf("audit log lacks %q", want)
		}
	}
}

// TestSourcesAdminBadInput: every refusal re-shows the form with the
// values entered and one clear Vietnamese message, and stores nothing.
func TestSourcesAdminBadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cookie, csrf := f.session(RoleAdmin)
	ok := url.Values{"name": {"new-src"}, "kind": {"feed"}, "url": {"https://news.example/rss"}, "country": {"US"}, "lang": {"en"}, "tier": {"2"}}
	with := func(k, v string) url.Values {
		u := url.Values{}
		for kk, vv := range ok {
			u[kk] = vv
		}
		u.Set(k, v)
		return u
	}
	for _, tc := range []struct {
		form url.Values
		vi   string
	}{
		{with("name", "Bad Name"), "Mã nguồn tin chỉ gồm"},
		{with("name", "nikkei-asia"), "Đã có nguồn tin mang mã này"},
		{with("kind", "gopher"), "Hãy chọn loại nguồn"},
		{with("url", "ftp://news.example/rss"), "http:// hoặc https://"},
		{with("url", "file:///etc/passwd"), "http:// hoặc https://"},
		{with("url", "javascript:alert(1)"), "http:// hoặc https://"},
		{with("url", "news.example/rss"), "Địa chỉ không hợp lệ"},
		{with("url", "http://127.0.0.1:8080/feed"), "mạng nội bộ"},
		{with("url", "http://10.1.2.3/feed"), "mạng nội bộ"},
		{with("url", "http://[::1]/feed"), "mạng nội bộ"},
		{with("url", "http://169.254.169.254/latest/meta-data"), "mạng nội bộ"},
		{with("url", "http://localhost/feed"), "mạng nội bộ"},
		// IPv4 written as other than four decimal numbers: a system resolver reads
		// these as 10.0.0.1, 169.254.169.254 and 127.0.0.1.
		{with("url", "http://0x0a.0.0.1/feed"), "mạng nội bộ"},
		{with("url", "http://169.254.43518/feed"), "mạng nội bộ"},
		{with("url", "http://127.1:5432/"), "mạng nội bộ"},
		{with("url", "http://255.255.255.255/"), "mạng nội bộ"},
		{with("url", "http://intranet/feed"), "mạng nội bộ"},
		{with("url", "https://user:pw@news.example/rss"), "tên đăng nhập hoặc mật khẩu"},
		{with("url", "https://www.yna.example/rss"), "Đã có nguồn tin khác dùng địa chỉ này"},
		{url.Values{"name": {"s1"}, "kind": {"search_feed"}, "url": {"https://news.example/search"}}, "{query}"},
		{with("country", "Japan"), "Quốc gia phải là mã 2 chữ cái"},
		{with("lang", "english"), "Ngôn ngữ phải là mã 2 chữ cái"},
		{with("tier", "9"), "Mức tin cậy phải từ 0 đến 3"},
	} {
		resp, body := f.adminPost(cookie, csrf, "/sources", tc.form)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.vi) || !strings.Contains(body, `id="source-error"`) {
			t.Errorf("%v: %d, message %q shown: %v", tc.form, resp.StatusCode, tc.vi, strings.Contains(body, tc.vi))
		}
		if tc.form.Get("name") != "nikkei-asia" {
			if _, err := f.store.GetSource(ctx, tc.form.Get("name")); err == nil {
				t.Errorf("%v: stored although refused", tc.form)
			}
		}
		if !strings.Contains(body, `value="`+tc.form.Get("outlet")+`"`) {
			t.Errorf("%v: the form lost the values entered", tc.form)
		}
	}
	// English when chosen.
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/sources", strings.NewReader(with("url", "http://127.0.0.1/").Encode()+"&csrf="+csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	req.AddCookie(&http.Cookie{Name: langCookie, Value: "en"})
	if _, body := f.do(req); !strings.Contains(body, "private network") {
		t.Error("the English message is not shown when English is chosen")
	}
}

// TestSourcesAdminAllowHosts: crawler.allow_hosts lets an administrator add
// a source on an allowed private host (presssim, an intranet mirror).
func TestSourcesAdminAllowHosts(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.SourceAllowHosts = []string{"127.0.0.1", "mirror.lan", "10.9.0.0/16"} })
	cookie, csrf := f.session(RoleAdmin)
	for i, u := range []string{"http://127.0.0.1:8080/feed.xml", "http://mirror.lan/rss", "http://10.9.1.1/rss"} {
		resp, body := f.adminPost(cookie, csrf, "/sources", url.Values{"name": {"allowed-" + string(rune('a'+i))}, "kind": {"feed"}, "url": {u}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s on an allowed host: %d %.200s", u, resp.StatusCode, body)
		}
	}
	if resp, _ := f.adminPost(cookie, csrf, "/sources", url.Values{"name": {"still-private"}, "kind": {"feed"}, "url": {"http://10.8.0.1/rss"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a private host outside the allowed prefix: %d", resp.StatusCode)
	}
	// An address:port entry (the demo's presssim) allows that port only:
	// not the database or the UI on the same address.
	g := newFixture(t, func(o *Options) { o.SourceAllowHosts = []string{"127.0.0.1:8090"} })
	cookie, csrf = g.session(RoleAdmin)
	if resp, body := g.adminPost(cookie, csrf, "/sources", url.Values{"name": {"sim"}, "kind": {"feed"}, "url": {"http://127.0.0.1:8090/feed.xml"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the allowed port: %d %.200s", resp.StatusCode, body)
	}
	for i, u := range []string{"http://127.0.0.1:5432/", "http://127.0.0.1/feed"} {
		if resp, _ := g.adminPost(cookie, csrf, "/sources", url.Values{"name": {"port-" + string(rune('a'+i))}, "kind": {"feed"}, "url": {u}}); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s beside an allowed port: %d", u, resp.StatusCode)
		}
	}
}

// TestSourcesAdminCSRFAndRoles: without the CSRF token nothing changes, and
// an analyst sees the list without any of the admin controls.
func TestSourcesAdminCSRFAndRoles(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cookie, _ := f.session(RoleAdmin)
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/sources/nikkei-asia/disable", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	if resp, _ := f.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without CSRF token: %d, want 403", resp.StatusCode)
	}
	resp, _ := f.adminPost(cookie, "wrong-token", "/sources/nikkei-asia/delete", url.Values{})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST with a wrong CSRF token: %d, want 403", resp.StatusCode)
	}
	if src, _ := f.store.GetSource(ctx, "nikkei-asia"); !src.Enabled || !src.DeletedAt.IsZero() {
		t.Errorf("a forged request changed the source: %+v", src)
	}
	for _, role := range []string{RoleAnalyst, RolePolice} {
		c, csrf := f.session(role)
		resp, _ := f.adminPost(c, csrf, "/sources/nikkei-asia/disable", url.Values{})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s disabling a source: %d, want 403", role, resp.StatusCode)
		}
	}
	c, _ := f.session(RoleAnalyst)
	_, page := f.get("/sources", c)
	if !strings.Contains(page, "Nikkei Asia") || strings.Contains(page, "/sources/new") || strings.Contains(page, "/poll") {
		t.Error("an analyst sees admin controls on the sources page (or no sources)")
	}
}

// TestSourceURLSecretsHidden: a password or key in a source URL (a paid
// wire feed) is shown as <secret> on the sources page, the edit form, the
// API and the audit log, to analysts and administrators alike; saving the
// form unchanged keeps the real URL, and the crawler's copy is untouched.
func TestSourceURLSecretsHidden(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const (
		// From the configuration file (its URL is not editable in the UI).
		wire = "https://wire:hunter2pass@feeds.wire.example/vn.xml?api_key=TOPSECRET123&region=vn"
		// Added in the UI, which refuses user:password but not a key.
		paid = "https://paid.example/rss?access_token=SECRETTOKEN42&lang=en"
	)
	for _, src := range []store.Source{
		{Name: "wire", Kind: "feed", URL: wire, Outlet: "Wire", Country: "US", Lang: "en", Tier: 1, Enabled: true, Origin: store.OriginConfig},
		{Name: "paid", Kind: "feed", URL: paid, Outlet: "Paid", Country: "US", Lang: "en", Tier: 2, Enabled: true, Origin: store.OriginUI},
	} {
		src.AddedAt = time.Now().UTC()
		if err := f.store.UpsertSource(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	leaks := func(where, body string) {
		t.Helper()
		for _, secret := range []string{"hunter2pass", "TOPSECRET123", "SECRETTOKEN42"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q", where, secret)
			}
		}
	}
	for _, role := range []string{RoleAnalyst, RoleAdmin} {
		cookie, _ := f.session(role)
		_, page := f.get("/sources", cookie)
		leaks(role+" /sources", page)
		if !strings.Contains(page, "feeds.wire.example/vn.xml") || !strings.Contains(page, "paid.example/rss") {
			t.Errorf("%s /sources does not show the sources' addresses", role)
		}
		for _, name := range []string{"wire", "paid"} {
			_, form := f.get("/sources/"+name+"/edit", cookie)
			leaks(role+" edit form of "+name, form)
		}
		_, body := f.api("GET", "/api/v1/sources", role, "")
		leaks(role+" API", body)
	}
	// Saving the forms as shown keeps the real URLs.
	cookie, csrf := f.session(RoleAdmin)
	for name, want := range map[string]string{"wire": wire, "paid": paid} {
		_, form := f.get("/sources/"+name+"/edit", cookie)
		_, fields := formOf(t, form, "source-form")
		fields.Set("outlet", "Renamed "+name)
		resp, body := f.adminPost(cookie, csrf, "/sources/"+name+"/edit", fields)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save %s: %d\n%.2000s", name, resp.StatusCode, body)
		}
		got, err := f.store.GetSource(ctx, name)
		if err != nil || got.URL != want || got.Outlet != "Renamed "+name {
			t.Errorf("%s after saving the form as shown: %+v, %v; want its real URL kept", name, got, err)
		}
	}
}

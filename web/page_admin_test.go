package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// adminPost posts form to path with an admin session and returns the
// response and its body.
func (f *fixture) adminPost(cookie, csrf, path string, form url.Values) (*http.Response, string) {
	f.t.Helper()
	form.Set("csrf", csrf)
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	return f.do(req)
}

var shownSecret = regexp.MustCompile(`<div class="card secret" id="admin-secret">.*?<code>([^<]+)</code>`)

// TestAdminAccountsAndTokens walks the admin page the way an administrator
// would: add an account, reset its password, disable and enable it, make
// and revoke an API token, and read who did what in the audit log.
func TestAdminAccountsAndTokens(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cookie, csrf := f.session(RoleAdmin)

	// Add an account: its random password is shown once and logs in.
	resp, body := f.adminPost(cookie, csrf, "/admin/users", url.Values{"name": {"lan.nguyen"}, "display_name": {"Nguyễn Thị Lan"}, "role": {RolePolice}})
	m := shownSecret.FindStringSubmatch(strings.ReplaceAll(body, "\n", " "))
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("add user: %d, no password shown", resp.StatusCode)
	}
	pw := m[1]
	if u, err := f.store.GetUser(ctx, "lan.nguyen"); err != nil || u.Role != RolePolice || u.DisplayName != "Nguyễn Thị Lan" {
		t.Fatalf("added user = %+v, %v", u, err)
	}
	c := f.client()
	if code, _ := f.login(c, "lan.nguyen", pw); code != http.StatusSeeOther {
		t.Fatalf("login with the shown password: %d", code)
	}
	if _, page := f.get("/admin/users", cookie); strings.Contains(page, pw) {
		t.Error("the password is shown again on a later visit")
	}
	// Bad input is refused with a message, not stored.
	for _, tc := range []struct {
		form url.Values
		key  string
	}{
		{url.Values{"name": {"bad name"}}, "admin_err_name"},
		{url.Values{"name": {"lan.nguyen"}}, "admin_err_exists"},
		// Names may not differ only in letter case: two accounts would read as one.
		{url.Values{"name": {"Lan.Nguyen"}}, "admin_err_exists"},
		{url.Values{"name": {"x1"}, "role": {"king"}}, "admin_err_role"},
	} {
		resp, _ := f.adminPost(cookie, csrf, "/admin/users", tc.form)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, tc.key) {
			t.Errorf("add %v: %d %q, want a redirect with %s", tc.form, resp.StatusCode, loc, tc.key)
		}
	}
	if _, page := f.get("/admin/users?err=admin_err_name", cookie); !strings.Contains(page, "Tên đăng nhập chỉ gồm") {
		t.Error("the error message is not shown in Vietnamese")
	}

	// A token made on the page works on the API until revoked.
	resp, body = f.adminPost(cookie, csrf, "/admin/tokens", url.Values{"user": {"lan.nguyen"}, "label": {"báo cáo tuần"}, "days": {"30"}})
	m = shownSecret.FindStringSubmatch(strings.ReplaceAll(body, "\n", " "))
	if resp.StatusCode != http.StatusOK || m == nil || !strings.HasPrefix(m[1], "pw_") {
		t.Fatalf("create token: %d", resp.StatusCode)
	}
	tok := m[1]
	api := func() int {
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, _ := f.do(req)
		return resp.StatusCode
	}
	if code := api(); code != http.StatusOK {
		t.Fatalf("new token: %d", code)
	}
	for _, days := range []string{"0", "400", "x"} {
		resp, _ := f.adminPost(cookie, csrf, "/admin/tokens", url.Values{"user": {"lan.nguyen"}, "days": {days}})
		if !strings.Contains(resp.Header.Get("Location"), "admin_err_ttl") {
			t.Errorf("token for %s days: %d %q", days, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, page := f.get("/admin/users", cookie)
	id := regexp.MustCompile(`<td><code>([0-9a-f]{12})</code></td><td><bdi>lan.nguyen</bdi></td>`).FindStringSubmatch(page)
	if id == nil || !strings.Contains(page, "báo cáo tuần") || strings.Contains(page, tok) {
		t.Fatal("token list: no revoke form, no label, or the token itself is shown")
	}
	if resp, _ := f.adminPost(cookie, csrf, "/admin/tokens/"+id[1]+"/revoke", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if code := api(); code != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", code)
	}

	// Reset password ends the user's session; disable, enable too.
	resp, body = f.adminPost(cookie, csrf, "/admin/users/lan.nguyen/password", url.Values{})
	if m = shownSecret.FindStringSubmatch(strings.ReplaceAll(body, "\n", " ")); resp.StatusCode != http.StatusOK || m == nil || m[1] == pw {
		t.Fatalf("reset password: %d", resp.StatusCode)
	}
	if resp, err := c.Get(f.http.URL + "/dashboard"); err != nil || resp.StatusCode == http.StatusOK {
		t.Errorf("the session survived a password reset")
	}
	c = f.client()
	if code, _ := f.login(c, "lan.nguyen", m[1]); code != http.StatusSeeOther {
		t.Fatalf("login with the reset password: %d", code)
	}
	for _, a := range []string{"disable", "enable"} {
		if resp, _ := f.adminPost(cookie, csrf, "/admin/users/lan.nguyen/"+a, url.Values{}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", a, resp.StatusCode)
		}
	}
	if resp, err := c.Get(f.http.URL + "/dashboard"); err != nil || resp.StatusCode == http.StatusOK {
		t.Errorf("the session came back after disable and enable")
	}
	if resp, _ := f.adminPost(cookie, csrf, "/admin/users/lan.nguyen/role", url.Values{"role": {RoleAnalyst}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("role: %d", resp.StatusCode)
	}
	if u, _ := f.store.GetUser(ctx, "lan.nguyen"); u.Role != RoleAnalyst || u.Disabled {
		t.Errorf("after role change and enable: %+v", u)
	}
	// The admin cannot lock themselves out.
	for _, tc := range []struct{ path, role string }{{"/admin/users/admin/disable", ""}, {"/admin/users/admin/role", RoleViewer}} {
		resp, _ := f.adminPost(cookie, csrf, tc.path, url.Values{"role": {tc.role}})
		if !strings.Contains(resp.Header.Get("Location"), "admin_err_self") {
			t.Errorf("%s: %q, want admin_err_self", tc.path, resp.Header.Get("Location"))
		}
	}
	// Who did what, when.
	_, page = f.get("/admin/users", cookie)
	for _, action := range []string{"user.add", "token.create", "token.revoke", "user.passwd", "user.disable", "user.enable", "user.role"} {
		if !strings.Contains(page, `title="`+action+`">`+auditActions[action][0]+"<") {
			t.Errorf("audit table lacks %s", action)
		}
	}
}

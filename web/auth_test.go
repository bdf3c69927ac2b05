package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("a long enough pass")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string with its parameters", h)
	}
	h2, _ := HashPassword("a long enough pass")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	parts := strings.Split(h, "$")
	for _, tc := range []struct {
		name    string
		encoded string
		pw      string
		ok      bool
		wantErr bool
	}{
		{"right", h, "a long enough pass", true, false},
		{"wrong", h, "a long enough pasS", false, false},
		{"empty", h, "", false, false},
		{"dummy hash reads", dummyHash, "anything", false, false},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv", "x", false, true},
		{"empty hash", "", "x", false, true},
		{"huge memory", strings.Replace(h, "m=19456", "m=99999999", 1), "a long enough pass", false, true},
		{"bad salt", strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"), "x", false, true},
		{"short key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"), "x", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := VerifyPassword(tc.encoded, tc.pw)
			if ok != tc.ok || (err != nil) != tc.wantErr {
				t.Errorf("VerifyPassword = %v, %v; want %v, err %v", ok, err, tc.ok, tc.wantErr)
			}
		})
	}
	if _, err := HashPassword("short"); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("short password: err %v, want ErrWeakPassword", err)
	}
}

func FuzzVerifyPassword(f *testing.F) {
	h, _ := HashPassword("fuzzing password")
	f.Add(h, "fuzzing password")
	f.Add(dummyHash, "")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "x")
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		ok, err := VerifyPassword(encoded, pw)
		if ok && err != nil {
			t.Fatal("ok with an error")
		}
	})
}

func TestLoginFlow(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	code, body := f.login(c, RoleAnalyst, "wrong password!")
	if code != http.StatusUnauthorized || !strings.Contains(body, "không đúng") {
		t.Fatalf("wrong password: %d\n%s", code, body)
	}
	code, _ = f.login(c, RoleAnalyst, testPassword)
	if code != http.StatusSeeOther {
		t.Fatalf("login: status %d, want 303", code)
	}
	u, _ := url.Parse(f.http.URL)
	var sess *http.Cookie
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			sess = ck
		}
	}
	if sess == nil {
		t.Fatal("no session cookie after login")
	}
	// The store keeps the HMAC of the cookie, never the cookie itself.
	if _, err := f.store.GetSession(context.Background(), sess.Value); err == nil {
		t.Error("the raw cookie value is a session ID in the store")
	}
	resp, err := c.Get(f.http.URL + "/search?q=dong+nai")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("search after login: %d", resp.StatusCode)
	}
	audit, _ := f.store.ListAudit(context.Background(), 10)
	if len(audit) == 0 || audit[0].Action != "login" || audit[0].Actor != RoleAnalyst {
		t.Errorf("audit after login = %+v", audit)
	}
	// The wrong password before it is in the audit log too.
	if len(audit) < 2 || audit[1].Action != "login.failed" || audit[1].Object != RoleAnalyst {
		t.Errorf("the failed login is not audited: %+v", audit)
	}

	// Disabled accounts cannot log in, and say nothing more than a wrong password.
	code, body = f.login(f.client(), "gone", testPassword)
	if code != http.StatusUnauthorized || !strings.Contains(body, "không đúng") {
		t.Errorf("disabled user: %d", code)
	}
	// Unknown users get the same answer.
	if code, _ = f.login(f.client(), "nobody", testPassword); code != http.StatusUnauthorized {
		t.Errorf("unknown user: %d", code)
	}
	// Nor does /metrics, which is not behind a login: the disabled
	// account's right password counts as a wrong one there.
	mfs, err := f.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "presswatch_web_logins_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == "disabled" {
					t.Errorf("logins_total has a result=\"disabled\" series (%v)", m.GetCounter().GetValue())
				}
			}
		}
	}
}

func TestLoginCookieFlags(t *testing.T) {
	f := newFixture(t)
	resp, page := f.get("/login", "")
	var pre *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == preLoginCookie {
			pre = c
		}
	}
	if pre == nil || !pre.HttpOnly || pre.SameSite != http.SameSiteStrictMode {
		t.Fatalf("login form cookie = %+v, want HttpOnly SameSite=Strict", pre)
	}
	m := csrfField.FindStringSubmatch(page)
	if m == nil || m[1] == pre.Value {
		t.Fatalf("login form token %q must be server-signed, not the cookie's value", m)
	}
	form := url.Values{"csrf": {m[1]}, "username": {RoleViewer}, "password": {testPassword}}
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(pre)
	resp, _ = f.do(req)
	var sess *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			sess = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || sess == nil {
		t.Fatalf("login: %d, cookie %+v", resp.StatusCode, sess)
	}
	if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure on http", sess)
	}
	if loc := resp.Header.Get("Location"); loc != "/" {
		t.Errorf("redirect to %q", loc)
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	// Login form: token missing, wrong, or cookie missing.
	for name, mk := range map[string]func() *http.Request{
		"no token": func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, f.http.URL+"/login", strings.NewReader("username=admin&password="+url.QueryEscape(testPassword)))
			r.AddCookie(&http.Cookie{Name: preLoginCookie, Value: "abc"})
			return r
		},
		"wrong token": func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, f.http.URL+"/login", strings.NewReader("csrf=abd&username=admin&password="+url.QueryEscape(testPassword)))
			r.AddCookie(&http.Cookie{Name: preLoginCookie, Value: "abc"})
			return r
		},
		"forged pair (double submit)": func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, f.http.URL+"/login", strings.NewReader("csrf=abcdefghijklmnopqrstuvwxyz&username=admin&password="+url.QueryEscape(testPassword)))
			r.AddCookie(&http.Cookie{Name: preLoginCookie, Value: "abcdefghijklmnopqrstuvwxyz"})
			return r
		},
		"another browser's token": func() *http.Request {
			_, page := f.get("/login", "")
			tok := csrfField.FindStringSubmatch(page)[1]
			r, _ := http.NewRequest(http.MethodPost, f.http.URL+"/login", strings.NewReader("csrf="+url.QueryEscape(tok)+"&username=admin&password="+url.QueryEscape(testPassword)))
			r.AddCookie(&http.Cookie{Name: preLoginCookie, Value: "a-nonce-of-my-own-choosing-123"})
			return r
		},
		"no cookie": func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, f.http.URL+"/login", strings.NewReader("csrf=abc&username=admin&password="+url.QueryEscape(testPassword)))
			return r
		},
	} {
		req := mk()
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, _ := f.do(req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("login %s: %d, want 403", name, resp.StatusCode)
		}
	}
	// Session forms: every POST needs the session's token.
	cookie, csrf := f.session(RoleAnalyst)
	_, other := f.session(RolePolice) // a real token, but another session's
	for _, tc := range []struct {
		name, token string
		header      bool
		want        int
	}{
		{"missing", "", false, http.StatusForbidden},
		{"wrong", "nope", false, http.StatusForbidden},
		{"other session's", other, false, http.StatusForbidden},
		{"right, form", csrf, false, http.StatusSeeOther},
		{"right, header", csrf, true, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"q": {"Dong Nai"}, "name": {"x " + tc.name}}
			if !tc.header && tc.token != "" {
				form.Set("csrf", tc.token)
			}
			req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/saved", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.header {
				req.Header.Set("X-CSRF-Token", tc.token)
			}
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
			if resp, _ := f.do(req); resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	items, _ := f.saved.ListSaved(context.Background(), RoleAnalyst)
	if len(items) != 2 {
		t.Errorf("saved searches stored = %d, want only the 2 with the right token", len(items))
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	for i := 0; i < 5; i++ {
		if code, _ := f.login(c, RoleAdmin, "wrong password "+string(rune('a'+i))); code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, code)
		}
	}
	// Locked out now, even with the right password.
	code, body := f.login(c, RoleAdmin, testPassword)
	if code != http.StatusTooManyRequests || !strings.Contains(body, "Quá nhiều") {
		t.Fatalf("6th attempt: %d, want 429", code)
	}
	// The key is IP + user: another user from the same address is not locked.
	if code, _ := f.login(f.client(), RoleViewer, testPassword); code != http.StatusSeeOther {
		t.Errorf("other user: %d, want 303", code)
	}
	// After the window the user may try again.
	f.clock.Add(16 * time.Minute)
	if code, _ := f.login(f.client(), RoleAdmin, testPassword); code != http.StatusSeeOther {
		t.Errorf("after the window: %d, want 303", code)
	}
}

func TestSessionExpiryAndLogout(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.SessionTTL = 2 * time.Hour })
	c := f.client()
	if code, _ := f.login(c, RolePolice, testPassword); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	get := func() *http.Response {
		resp, err := c.Get(f.http.URL + "/dashboard")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get(); resp.StatusCode != 200 {
		t.Fatalf("fresh session: %d", resp.StatusCode)
	}
	f.clock.Add(2*time.Hour + time.Second)
	if resp := get(); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("expired session: %d %s, want a redirect to login", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Logout removes the session from the store.
	cookie, csrf := f.session(RoleViewer)
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/logout", strings.NewReader("csrf="+csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	if resp, _ := f.do(req); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := f.get("/dashboard", cookie); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout: %d, want redirect to login", resp.StatusCode)
	}

	// Disabling a user ends their sessions at once.
	cookie, _ = f.session(RoleAnalyst)
	u, _ := f.store.GetUser(context.Background(), RoleAnalyst)
	u.Disabled = true
	if err := f.store.UpsertUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.get("/dashboard", cookie); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled user's session: %d, want redirect to login", resp.StatusCode)
	}
}

func TestAPITokens(t *testing.T) {
	f := newFixture(t)
	call := func(auth string) int {
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/api/v1/me", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, _ := f.do(req)
		return resp.StatusCode
	}
	if got := call("Bearer " + f.tokens[RoleViewer]); got != 200 {
		t.Errorf("valid token: %d", got)
	}
	// The scheme is case-insensitive.
	if got := call("bearer " + f.tokens[RoleViewer]); got != 200 {
		t.Errorf("valid token with scheme 'bearer': %d", got)
	}
	for _, bad := range []string{"", "Bearer ", "Bearer nope", "Basic " + f.tokens[RoleViewer], f.tokens[RoleViewer]} {
		if got := call(bad); got != http.StatusUnauthorized {
			t.Errorf("auth %q: %d, want 401", bad, got)
		}
	}
	tok := randomToken(32)
	if err := f.store.CreateAPIToken(context.Background(), store.APIToken{Hash: store.HashToken(tok), User: RoleViewer, CreatedAt: f.clock.Now(), ExpiresAt: f.clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got := call("Bearer " + tok); got != 200 {
		t.Errorf("token before expiry: %d", got)
	}
	f.clock.Add(2 * time.Hour)
	if got := call("Bearer " + tok); got != http.StatusUnauthorized {
		t.Errorf("expired token: %d, want 401", got)
	}
	// Tokens are for the API only: a page does not accept one.
	req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/dashboard", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[RoleAdmin])
	if resp, _ := f.do(req); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("token on a UI page: %d, want redirect to login", resp.StatusCode)
	}
	// An unsafe API call made with a session cookie needs the CSRF header.
	cookie, csrf := f.session(RoleAnalyst)
	for _, tc := range []struct {
		csrf string
		want int
	}{{"", http.StatusForbidden}, {csrf, http.StatusCreated}} {
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/api/v1/saved-searches", strings.NewReader(`{"name":"n","query":"Dong Nai"}`))
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		if tc.csrf != "" {
			req.Header.Set("X-CSRF-Token", tc.csrf)
		}
		if resp, _ := f.do(req); resp.StatusCode != tc.want {
			t.Errorf("cookie POST with csrf %q: %d, want %d", tc.csrf, resp.StatusCode, tc.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "/",
		"/search?q=x":           "/search?q=x",
		"//evil.example/":       "/",
		"/\\evil.example":       "/",
		"https://evil.example/": "/",
		"javascript:alert(1)":   "/",
		"search":                "/",
		// A reviewer's open redirects: http.Redirect cleans "..", and
		// browsers read "/\\x" as "//x".
		"/a/../\\evil.example":        "/",
		"/a/../%5Cevil.example":       "/",
		"/a/..//evil.example":         "/evil.example", // a path of this site
		"/./\\evil":                   "/",
		"/search/../alerts?state=all": "/alerts?state=all",
		"/saved/":                     "/saved/",
		"/x\r\nLocation: //evil":      "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
	// End to end: the language switch needs no login.
	f := newFixture(t)
	for _, next := range []string{"/a/../%5Cevil.example", "/a/..//evil.example/x", "/a/../%5C127.0.0.1:18091/pwned.html"} {
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/lang/en?next="+next, nil)
		resp, _ := f.do(req)
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") || strings.Contains(loc, "18091") {
			t.Errorf("/lang/en?next=%s redirects to %q", next, loc)
		}
	}
}

func TestBootstrap(t *testing.T) {
	f := newFixture(t)
	var out bytes.Buffer
	created, err := Bootstrap(context.Background(), f.store, &out, "")
	if err != nil || created || out.Len() != 0 {
		t.Fatalf("with users: created %v err %v out %q", created, err, out.String())
	}
	st, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir(), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	created, err = Bootstrap(context.Background(), st, &out, "")
	if err != nil || !created {
		t.Fatalf("empty store: created %v err %v", created, err)
	}
	var pw string
	for _, line := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "password: "); ok {
			pw = v
		}
	}
	u, err := st.GetUser(context.Background(), "admin")
	if err != nil || u.Role != RoleAdmin {
		t.Fatalf("admin = %+v, %v", u, err)
	}
	if ok, _ := VerifyPassword(u.PasswordHash, pw); !ok || len(pw) < MinPasswordLen {
		t.Errorf("printed password %q does not match the stored hash", pw)
	}
	again, _ := Bootstrap(context.Background(), st, &out, "")
	if again {
		t.Error("second Bootstrap made another admin")
	}
}

func TestSweepSessions(t *testing.T) {
	f := newFixture(t)
	cookie, _ := f.session(RoleViewer)
	id := f.srv.sessionID(cookie)
	if _, err := f.store.GetSession(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(2 * time.Hour) // the session lasts one hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.srv.sweepSessions(ctx, 10*time.Millisecond) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := f.store.GetSession(context.Background(), id); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("expired session was never swept")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/store"
)

// rssBytes returns the process's resident set size from /proc/self/status,
// or 0 where there is none.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// loginForm fetches the login form with c and returns its CSRF token.
func loginForm(c *http.Client, base string) (string, error) {
	resp, err := c.Get(base + "/login")
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("no csrf token in the login form")
	}
	return string(m[1]), nil
}

// TestLoginFlood sends hundreds of concurrent logins with random user names
// (unknown users: each would cost a 19 MiB argon2id hash) at a real server
// and checks that the process's memory stays bounded, that no more than
// ConcurrentHashes hashes ever ran at once, and that /healthz keeps
// answering quickly. The per-address and global buckets are opened wide so
// that every attempt reaches the hashing stage: this is the worst case of a
// flood from many addresses.
func TestLoginFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("login flood: not in -short")
	}
	f := newFixture(t, func(o *Options) {
		o.Login = LoginLimits{MaxWaiting: 32, HashWait: 3 * time.Second,
			PerIPPerMinute: 1e9, PerIPBurst: 1 << 30, GlobalPerSecond: 1e9, GlobalBurst: 1 << 30}
	})
	const attempts = 300
	// Every client first fetches its form, so the flood itself is only POSTs.
	type client struct {
		c   *http.Client
		tok string
	}
	clients := make([]client, attempts)
	for i := range clients {
		c := f.client()
		tok, err := loginForm(c, f.http.URL)
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = client{c, tok}
	}
	runtime.GC()
	base := rssBytes()
	var peak atomic.Int64
	peak.Store(base)
	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { // sample RSS
		defer bg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if r := rssBytes(); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	}()
	var health []time.Duration
	var healthErr atomic.Int64
	go func() { // probe /healthz
		defer bg.Done()
		hc := &http.Client{Timeout: 30 * time.Second}
		for {
			select {
			case <-stop:
				return
			default:
			}
			start := time.Now()
			resp, err := hc.Get(f.http.URL + "/healthz")
			if err != nil || resp.StatusCode != http.StatusOK {
				healthErr.Add(1)
			}
			if resp != nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			health = append(health, time.Since(start))
			time.Sleep(10 * time.Millisecond) // probe pacing, not synchronisation
		}
	}()
	codes := make([]int, attempts)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			form := url.Values{"csrf": {clients[i].tok}, "username": {"nobody-" + randomToken(9)}, "password": {"guess " + randomToken(6)}}
			resp, err := clients[i].c.PostForm(f.http.URL+"/login", form)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(t0)
	close(stop)
	bg.Wait()

	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	for c, n := range count {
		if c != http.StatusUnauthorized && c != http.StatusServiceUnavailable {
			t.Errorf("%d attempts answered %d; want only 401 (checked) or 503 (busy)", n, c)
		}
	}
	if count[http.StatusUnauthorized] == 0 {
		t.Errorf("no attempt was checked at all: %v", count)
	}
	if p, lim := f.srv.logins.peakHashes(), f.srv.logins.lim.ConcurrentHashes; p > lim || p < 1 {
		t.Errorf("%d password hashes ran at once, want 1 to %d", p, lim)
	}
	slices.Sort(health)
	var p99 time.Duration
	if len(health) > 0 {
		p99 = health[(len(health)*99)/100]
	}
	grow := peak.Load() - base
	t.Logf("%d logins in %v: %v; RSS %d MiB → peak %d MiB (+%d MiB); /healthz %d probes, p99 %v, max %v, %d errors",
		attempts, elapsed.Round(time.Millisecond), count, base>>20, peak.Load()>>20, grow>>20, len(health), p99, health[len(health)-1], healthErr.Load())
	// A hash or two of 19 MiB at a time, 300 clients' connections in this
	// same process, and garbage not yet collected; the race detector's
	// shadow memory more than doubles it. Unbounded, 300 hashes would need
	// 5.6 GiB.
	bound, slow := int64(300<<20), 2*time.Second
	if raceEnabled {
		bound, slow = 800<<20, 5*time.Second
	}
	if rssBytes() > 0 && grow > bound {
		t.Errorf("RSS grew by %d MiB during the flood, want under %d MiB", grow>>20, bound>>20)
	}
	if healthErr.Load() > 0 {
		t.Errorf("/healthz failed %d times during the flood", healthErr.Load())
	}
	// Generous for a shared machine under -race; the real binary's figure
	// is in docs/security.md.
	if p99 > slow {
		t.Errorf("/healthz p99 %v during the flood, want under %v", p99, slow)
	}
}

// TestLoginPerAddressAndGlobalLimits checks that random user names from one
// address are throttled by the address's bucket, and that the global
// bucket holds when addresses vary.
func TestLoginPerAddressAndGlobalLimits(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Login = LoginLimits{PerIPPerMinute: 1, PerIPBurst: 3} })
	for i := 0; i < 3; i++ {
		if code, _ := f.login(f.client(), "random-"+strconv.Itoa(i), "some wrong password"); code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i, code)
		}
	}
	code, _ := f.login(f.client(), "random-x", "some wrong password")
	if code != http.StatusTooManyRequests {
		t.Fatalf("4th attempt with a new user name from the same address: %d, want 429", code)
	}
	// The bucket refills with time (20 s per token at 3/min... here 1/min).
	f.clock.Add(61 * time.Second)
	if code, _ := f.login(f.client(), RoleAdmin, testPassword); code != http.StatusSeeOther {
		t.Errorf("after a minute: %d, want 303", code)
	}

	g := newLoginGuard(LoginLimits{PerIPPerMinute: 1e6, PerIPBurst: 1000, GlobalPerSecond: 1, GlobalBurst: 5}, f.clock.Now)
	for i := 0; i < 5; i++ {
		if _, ok := g.allow(fmt.Sprintf("198.51.100.%d", i)); !ok {
			t.Fatalf("global attempt %d refused", i)
		}
	}
	if wait, ok := g.allow("198.51.100.200"); ok || wait <= 0 {
		t.Errorf("6th attempt from a 6th address allowed (wait %v); the global bucket must hold", wait)
	}
	// IPv6 addresses of one /64 share a bucket.
	if ipKey("2001:db8:1:2::1") != ipKey("2001:db8:1:2:ffff::9") || ipKey("2001:db8:1:3::1") == ipKey("2001:db8:1:2::1") {
		t.Errorf("ipKey does not group IPv6 by /64")
	}
	if ipKey("::ffff:192.0.2.7") != "192.0.2.7" {
		t.Errorf("ipKey(v4-mapped) = %q", ipKey("::ffff:192.0.2.7"))
	}
}

// TestLoginFailureTableNeverResets checks that a full failure table drops
// its least recently used key, one at a time, and keeps a locked pair
// locked (the old limiter emptied itself at 100,000 keys).
func TestLoginFailureTableNeverResets(t *testing.T) {
	clk := &testClock{t: time.Now()}
	g := newLoginGuard(LoginLimits{Failures: 3, FailureWindow: time.Minute, MaxKeys: 100}, clk.Now)
	victim := "203.0.113.9\x00admin"
	for i := 0; i < 3; i++ {
		g.failed(victim)
	}
	for i := 0; i < 500; i++ {
		g.failed(fmt.Sprintf("198.51.100.%d\x00user%d", i%250, i))
		if i%50 == 0 && g.blocked(victim) == 0 { // the victim's pair stays in use
			t.Fatalf("locked pair released after %d other keys", i+1)
		}
	}
	if g.blocked(victim) == 0 {
		t.Fatal("locked pair released by a full table")
	}
	if n := g.fails.len(); n != 100 {
		t.Errorf("table holds %d keys, want its bound 100", n)
	}
	clk.Add(2 * time.Minute)
	if g.blocked(victim) != 0 {
		t.Error("lock outlived its window")
	}
}

// TestLoginHostileInput checks that NUL bytes and invalid UTF-8 in a login,
// a path or a form answer 400, never 500, on PostgreSQL.
func TestLoginHostileInput(t *testing.T) {
	if os.Getenv("PRESSWATCH_TEST_POSTGRES") == "" {
		t.Skip("PRESSWATCH_TEST_POSTGRES not set")
	}
	f := newFixtureOn(t, freshPostgresURL(t))
	for _, name := range []string{"ad\x00min", "\xff\xfeadmin"} {
		code, _ := f.login(f.client(), name, testPassword)
		if code != http.StatusBadRequest {
			t.Errorf("login as %q: %d, want 400", name, code)
		}
	}
	cookie, csrf := f.session(RoleAdmin)
	for _, p := range []string{"/articles/a%00b", "/alerts/x%00", "/stories/%ff%fe", "/search?q=a%00b", "/api/v1/articles/%00"} {
		resp, _ := f.get(p, cookie)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", p, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/saved", strings.NewReader("csrf="+csrf+"&name=a%00b&q=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	if resp, _ := f.do(req); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST /saved with a NUL: %d, want 400", resp.StatusCode)
	}
	// A bearer token of invalid UTF-8 is simply not a token.
	req, _ = http.NewRequest(http.MethodGet, f.http.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer pw_\xff\xfeabc")
	if resp, _ := f.do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bearer token of invalid UTF-8: %d, want 401", resp.StatusCode)
	}
}

// TestRevocation checks that a password change, a disable and an enable end
// every earlier session and API token, and that enable does not bring them
// back, including a session created under the old epoch after the change.
func TestRevocation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	me := func(cookie, token string) int {
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/api/v1/me", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if cookie != "" {
			req, _ = http.NewRequest(http.MethodGet, f.http.URL+"/dashboard", nil)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		}
		resp, _ := f.do(req)
		return resp.StatusCode
	}
	newToken := func(user string) string {
		u, err := f.store.GetUser(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := NewAPIToken()
		if err := f.store.CreateAPIToken(ctx, store.APIToken{Hash: store.HashToken(tok), User: user, CreatedAt: f.clock.Now(), ExpiresAt: f.clock.Now().Add(time.Hour), Epoch: u.Epoch}); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for _, step := range []string{"passwd", "disable", "enable"} {
		t.Run(step, func(t *testing.T) {
			cookie, _ := f.session(RoleAnalyst)
			u, _ := f.store.GetUser(ctx, RoleAnalyst)
			// f.session makes epoch-0 sessions; remake it under the current epoch.
			if err := f.store.CreateSession(ctx, store.Session{ID: f.srv.sessionID(cookie), User: RoleAnalyst, CreatedAt: f.clock.Now(), ExpiresAt: f.clock.Now().Add(time.Hour), Epoch: u.Epoch}); err != nil {
				t.Fatal(err)
			}
			tok := newToken(RoleAnalyst)
			if me(cookie, "") != http.StatusOK || me("", tok) != http.StatusOK {
				t.Fatalf("before %s: session or token does not work", step)
			}
			var err error
			switch step {
			case "passwd":
				err = SetPassword(ctx, f.store, RoleAnalyst, "a brand new passphrase here", "test")
			case "disable":
				err = SetDisabled(ctx, f.store, RoleAnalyst, true, "test")
			case "enable":
				// Disable first, keep the session's row alive with the old
				// epoch (as a concurrent login would), then enable.
				if err = SetDisabled(ctx, f.store, RoleAnalyst, true, "test"); err == nil {
					old := u.Epoch
					_ = f.store.CreateSession(ctx, store.Session{ID: f.srv.sessionID(cookie), User: RoleAnalyst, CreatedAt: f.clock.Now(), ExpiresAt: f.clock.Now().Add(time.Hour), Epoch: old})
					err = SetDisabled(ctx, f.store, RoleAnalyst, false, "test")
				}
			}
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if c := me(cookie, ""); c == http.StatusOK {
				t.Errorf("after %s the old session still works", step)
			}
			if c := me("", tok); c != http.StatusUnauthorized {
				t.Errorf("after %s the old token answers %d, want 401", step, c)
			}
			if step != "disable" {
				if c := me("", newToken(RoleAnalyst)); c != http.StatusOK {
					t.Errorf("after %s a new token answers %d, want 200", step, c)
				}
			}
			_ = SetDisabled(ctx, f.store, RoleAnalyst, false, "test")
		})
	}
	// The new password logs in; the audit log tells who did what.
	if code, _ := f.login(f.client(), RoleAnalyst, "a brand new passphrase here"); code != http.StatusSeeOther {
		t.Errorf("login with the new password: %d", code)
	}
	audit, _ := f.store.ListAudit(ctx, 20)
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"user.passwd", "user.disable", "user.enable"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit lacks %s: %v", want, actions)
		}
	}
}

// TestDemoMailboxAdminOnly checks that only admins read the demo mailbox,
// whose messages hold signed acknowledge links.
func TestDemoMailboxAdminOnly(t *testing.T) {
	mb, err := alerts.NewMailbox(alerts.MailboxOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = mb.Run(ctx) }()
	defer func() { cancel(); <-done }()
	host, port := mb.HostPort()
	en, err := alerts.NewEmailNotifier(alerts.SMTPOptions{Host: host, Port: port, TLS: alerts.TLSNone, From: "pw@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	m := &alerts.Message{DeliveryID: "d1", MessageID: "<d1@presswatch>", To: "ca@example.org",
		Rendered: alerts.Rendered{Subject: "Tin nóng", Text: "Xác nhận: http://127.0.0.1/alerts/ack?d=d1&sig=abc"}}
	if _, err := en.Notify(ctx, m); err != nil {
		t.Fatal(err)
	}
	name := mb.Messages()[0].Name
	f := newFixture(t, func(o *Options) { o.Demo = true; o.Mailbox = mb })
	for _, role := range AllRoles {
		cookie, _ := f.session(role)
		for _, p := range []string{"/demo/mailbox", "/demo/mailbox/" + name} {
			resp, body := f.get(p, cookie)
			want := http.StatusForbidden
			if role == RoleAdmin {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", role, p, resp.StatusCode, want)
			}
			if role != RoleAdmin && strings.Contains(body, "alerts/ack") {
				t.Errorf("%s sees an acknowledge link at %s", role, p)
			}
			if role == RoleAdmin && strings.HasSuffix(p, ".eml") && !strings.Contains(body, "alerts/ack") {
				t.Errorf("admin does not see the message at %s", p)
			}
		}
	}
}

// FuzzLoginToken: no client-chosen pair of nonce and token passes unless the
// server made the token for that nonce, and nothing panics.
func FuzzLoginToken(f *testing.F) {
	s := &Server{secret: []byte("fuzz-secret-fuzz-secret-fuzz-sec"), now: time.Now}
	good := randomToken(24)
	f.Add(good, s.loginToken(good, time.Now().Add(time.Hour)))
	f.Add("abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz")
	f.Add(good, "9999999999.AAAA")
	f.Fuzz(func(t *testing.T, nonce, tok string) {
		ok := s.checkLoginToken(nonce, tok)
		if ok && tok != s.loginToken(nonce, tokenExpiry(tok)) {
			t.Fatalf("accepted a token the server did not make: %q for %q", tok, nonce)
		}
	})
}

// tokenExpiry reads the expiry of a login token (0 when unreadable).
func tokenExpiry(tok string) time.Time {
	e, _, _ := strings.Cut(tok, ".")
	sec, _ := strconv.ParseInt(e, 10, 64)
	return time.Unix(sec, 0)
}

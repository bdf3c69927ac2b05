package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestHealthReadyMetrics(t *testing.T) {
	bad := errors.New("bus down")
	var busErr error
	f := newFixture(t, func(o *Options) {
		o.Checks["bus"] = func(context.Context) error { return busErr }
	})
	resp, body := f.get("/healthz", "")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}
	resp, body = f.get("/readyz", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "bus: ok") || !strings.Contains(body, "store: ok") {
		t.Errorf("/readyz healthy = %d %q", resp.StatusCode, body)
	}
	busErr = bad
	resp, body = f.get("/readyz", "")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "bus: failed") || strings.Contains(body, "bus down") {
		t.Errorf("/readyz failing = %d %q (want 503 naming the check, not its error text)", resp.StatusCode, body)
	}
	resp, body = f.get("/metrics", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `presswatch_web_requests_total{code="503",route="GET /readyz"} 1`) {
		t.Errorf("/metrics = %d, want the readyz request counted by pattern:\n%s", resp.StatusCode, body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/login", "/healthz", "/static/style.css", "/api/v1/search", "/nope"} {
		resp, _ := f.get(path, "")
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline or eval: %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
}

func TestStatic(t *testing.T) {
	f := newFixture(t)
	for path, want := range map[string]int{"/static/style.css": 200, "/static/app.js": 200, "/static/": 404, "/static/nope.css": 404} {
		if resp, _ := f.get(path, ""); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

func TestTemplatesHaveNoInlineScriptOrStyle(t *testing.T) {
	// The CSP forbids them; one slipping in would silently not work.
	entries, err := assets.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := assets.ReadFile("templates/" + e.Name())
		s := string(b)
		for _, bad := range []string{"<script>", " style=", "<style", " onclick=", " onload=", "javascript:"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s contains %q", e.Name(), bad)
			}
		}
	}
}

func TestRunShutsDownGracefully(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String() + "/healthz"
	var resp *http.Response
	for i := 0; i < 50; i++ {
		if resp, err = http.Get(url); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v, want nil on a clean stop", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := http.Get(url); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New without a store succeeded")
	}
	f := newFixture(t)
	if _, err := New(Options{Store: f.store, BaseURL: "ftp://x", Logger: slog.New(slog.DiscardHandler)}); err == nil {
		t.Error("New with an ftp base URL succeeded")
	}
	s, err := New(Options{Store: f.store, BaseURL: "https://presswatch.example", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if c := s.cookie(sessionCookie, "x", time.Hour, http.SameSiteLaxMode); !c.Secure || !c.HttpOnly {
		t.Errorf("https base URL: cookie %+v, want Secure and HttpOnly", c)
	}
}

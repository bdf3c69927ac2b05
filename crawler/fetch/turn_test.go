package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTakeTurn(t *testing.T) {
	c := newClient(t, func(o *Options) { o.PerHost = HostLimit{Concurrency: 3, Rate: 1} })
	t0 := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	if n := c.HostConcurrency("a.example"); n != 3 {
		t.Fatalf("HostConcurrency = %d, want 3", n)
	}
	if turn, _ := c.TakeTurn("a.example", t0); turn == nil {
		t.Fatal("no turn on a fresh host")
	}
	turn, next := c.TakeTurn("a.example", t0.Add(400*time.Millisecond))
	if turn != nil || !next.Equal(t0.Add(time.Second)) {
		t.Fatalf("second turn within the second: %v, next %v; want none until %v", turn, next, t0.Add(time.Second))
	}
	// A refused turn takes nothing: the next one is still at t0+1s.
	if turn, _ := c.TakeTurn("a.example", t0.Add(time.Second)); turn == nil {
		t.Fatal("no turn at t0+1s")
	}
	// Hosts are independent.
	if turn, _ := c.TakeTurn("b.example", t0); turn == nil {
		t.Fatal("no turn on another host")
	}
	// A paused host (Retry-After) gets a turn that takes nothing from its
	// limit: the request fails at once with a *PausedError.
	c.pause("c.example", time.Hour)
	if turn, _ := c.TakeTurn("c.example", t0); turn == nil {
		t.Fatal("no turn on a paused host")
	}
	h := c.host("c.example")
	c.mu.Lock()
	h.pausedUntil = time.Time{}
	c.mu.Unlock()
	if turn, _ := c.TakeTurn("c.example", t0); turn == nil {
		t.Fatal("the paused host's turn took its place in the limit")
	}
}

// TestGetWithTurn: a request made with a turn does not wait for the rate
// limit again; when it has to fetch robots.txt first, that fetch uses the
// turn and the page waits for the next one. With one request per 1000 s, a
// wait of the limiter fails at once on a context with a deadline (the
// limiter sees that the wait would pass it), so nothing here waits.
func TestGetWithTurn(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<p>page</p>"))
	}))
	defer srv.Close()
	c := newClient(t, func(o *Options) { o.PerHost = HostLimit{Concurrency: 2, Rate: 0.001} })
	u, _ := url.Parse(srv.URL)
	host := HostOf(srv.URL + "/x")
	if host != u.Hostname() {
		t.Fatalf("HostOf = %q, want %q", host, u.Hostname())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// robots.txt not yet known: it is fetched with the turn, and the page
	// then needs a turn of its own, which is 1000 s away.
	turn, _ := c.TakeTurn(host, time.Now())
	if turn == nil {
		t.Fatal("no turn")
	}
	_, err := c.Get(ctx, Request{URL: srv.URL + "/a", Robots: true, Turn: turn})
	if err == nil || !strings.Contains(err.Error(), "waiting for the rate limit") {
		t.Fatalf("page after robots.txt fetched with the turn: %v, want a rate-limit wait", err)
	}
	// robots.txt is known now: a turn is the page's own. (The turn is
	// taken at a time when the limiter has one again.)
	turn, _ = c.TakeTurn(host, time.Now().Add(2000*time.Second))
	if turn == nil {
		t.Fatal("no turn 2000 s later")
	}
	if _, err := c.Get(ctx, Request{URL: srv.URL + "/b", Robots: true, Turn: turn}); err != nil {
		t.Fatalf("page with its turn: %v", err)
	}
	// A paused host: the turn is given, the request is not sent.
	c.pause(host, time.Hour)
	turn, _ = c.TakeTurn(host, time.Now())
	if _, err := c.Get(ctx, Request{URL: srv.URL + "/p", Robots: true, Turn: turn}); !IsPaused(err) {
		t.Fatalf("page of a paused host: %v, want a *PausedError", err)
	}
	hs := c.host(host)
	c.mu.Lock()
	hs.pausedUntil = time.Time{}
	c.mu.Unlock()
	// Without a turn, the page waits for the limiter (which the turn used).
	if _, err := c.Get(ctx, Request{URL: srv.URL + "/c", Robots: true}); err == nil || !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "rate limit") {
		t.Fatalf("page without a turn: %v, want a rate-limit wait", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(paths, " "); got != "/robots.txt /b" {
		t.Fatalf("server saw %q, want %q", got, "/robots.txt /b")
	}
}

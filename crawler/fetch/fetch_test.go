package fetch

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/prometheus/client_golang/prometheus"
)

func newClient(t *testing.T, mod func(*Options)) *Client {
	t.Helper()
	o := Options{AllowHosts: []string{"127.0.0.1"}, PerHost: HostLimit{Concurrency: 8, Rate: -1}, Timeout: 2 * time.Second, Registerer: prometheus.NewRegistry()}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGetEncodingsAndConditional(t *testing.T) {
	const text = "Đồng Nai feed body "
	payload := strings.Repeat(text, 200)
	mux := http.NewServeMux()
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, payload)
		zw.Close()
	})
	mux.HandleFunc("/deflate", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "deflate")
		zw := zlib.NewWriter(w)
		fmt.Fprint(zw, payload)
		zw.Close()
	})
	mux.HandleFunc("/br", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "br")
		zw := brotli.NewWriter(w)
		fmt.Fprint(zw, payload)
		zw.Close()
	})
	mux.HandleFunc("/etag", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") != DefaultUserAgent {
			http.Error(w, "bad agent", 400)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, payload)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newClient(t, nil)
	ctx := context.Background()
	for _, p := range []string{"/gzip", "/deflate", "/br", "/etag"} {
		t.Run(p, func(t *testing.T) {
			resp, err := c.Get(ctx, Request{URL: srv.URL + p})
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != payload {
				t.Fatalf("body %d bytes, want %d", len(resp.Body), len(payload))
			}
		})
	}
	resp, err := c.Get(ctx, Request{URL: srv.URL + "/etag", ETag: `"v1"`, LastModified: "Mon, 02 Jan 2006 15:04:05 GMT"})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.NotModified || resp.ETag != `"v1"` || len(resp.Body) != 0 {
		t.Fatalf("conditional GET: %+v", resp)
	}
}

func TestLimitsAndFaults(t *testing.T) {
	bomb := func() []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zero := make([]byte, 1<<20)
		for range 64 {
			zw.Write(zero)
		}
		zw.Close()
		return b.Bytes()
	}()
	var hits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 2<<20))
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	mux.HandleFunc("/hangbody", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/429", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.org/x", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newClient(t, func(o *Options) { o.MaxBodyBytes = 1 << 20; o.Timeout = 300 * time.Millisecond })
	big := newClient(t, func(o *Options) { o.MaxBodyBytes = 1 << 20; o.Timeout = time.Minute })
	ctx := context.Background()
	tests := []struct {
		path  string
		check func(error) bool
	}{
		{"/bomb", func(err error) bool { return errors.Is(err, ErrTooLarge) }},
		{"/big", func(err error) bool { return errors.Is(err, ErrTooLarge) }},
		{"/hang", func(err error) bool { return err != nil && strings.Contains(err.Error(), "timed out") }},
		{"/hangbody", func(err error) bool { return err != nil && strings.Contains(err.Error(), "timed out") }},
		{"/loop", func(err error) bool { return errors.Is(err, ErrTooManyRedirects) }},
		{"/ftp", func(err error) bool { return errors.Is(err, ErrBadScheme) }},
		{"/500", func(err error) bool { var se *StatusError; return errors.As(err, &se) && se.Code == 500 }},
		{"/429", func(err error) bool { d, ok := RetryAfter(err); return ok && d == 120*time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			start := time.Now()
			cl := c
			if tt.path == "/bomb" || tt.path == "/big" {
				// Reading 1 MiB must hit the size limit, not the 300ms
				// timeout, on a busy machine under -race too.
				cl = big
			}
			_, err := cl.Get(ctx, Request{URL: srv.URL + tt.path})
			if !tt.check(err) {
				t.Fatalf("unexpected error: %v", err)
			}
			if time.Since(start) > 10*time.Second {
				t.Fatalf("took %s", time.Since(start))
			}
		})
	}
	// The host is now paused: no request reaches it until Retry-After passed.
	_, err := c.Get(ctx, Request{URL: srv.URL + "/429"})
	if d, ok := RetryAfter(err); !ok || d <= 100*time.Second {
		t.Fatalf("paused host: %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("server hit %d times while paused", hits.Load())
	}
}

func TestSSRFGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://127.0.0.1:"+strings.Split(r.Host, ":")[1]+"/ok", http.StatusFound)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	port := strings.Split(srv.URL, ":")[2]
	ctx := context.Background()

	guarded := newClient(t, func(o *Options) { o.AllowHosts = nil })
	if _, err := guarded.Get(ctx, Request{URL: srv.URL + "/ok"}); !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("loopback not blocked: %v", err)
	}
	// localhost is allowed by name, but its redirect to 127.0.0.1 is dialled through the guard.
	byName := newClient(t, func(o *Options) { o.AllowHosts = []string{"localhost"} })
	if _, err := byName.Get(ctx, Request{URL: "http://localhost:" + port + "/ok"}); err != nil {
		t.Fatalf("allowed name: %v", err)
	}
	if _, err := byName.Get(ctx, Request{URL: "http://localhost:" + port + "/redirect"}); !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("redirect to loopback not blocked: %v", err)
	}
	cidr := newClient(t, func(o *Options) { o.AllowHosts = []string{"127.0.0.0/8"} })
	if _, err := cidr.Get(ctx, Request{URL: srv.URL + "/redirect"}); err != nil {
		t.Fatalf("allowed prefix: %v", err)
	}
	// An address:port entry lets that port through and no other.
	onePort := newClient(t, func(o *Options) { o.AllowHosts = []string{"127.0.0.1:" + port} })
	if _, err := onePort.Get(ctx, Request{URL: srv.URL + "/ok"}); err != nil {
		t.Fatalf("allowed address and port: %v", err)
	}
	if err := onePort.control("tcp", "127.0.0.1:5432", nil); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("another port of the allowed address: %v", err)
	}
	for _, a := range []string{"10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fe80::1", "fd00::1", "100.64.0.1", "0.0.0.0"} {
		if err := guarded.control("tcp", netJoin(a, "80"), nil); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("%s not blocked", a)
		}
	}
	for _, a := range []string{"8.8.8.8", "2001:4860:4860::8888"} {
		if err := guarded.control("tcp", netJoin(a, "80"), nil); err != nil {
			t.Errorf("%s blocked: %v", a, err)
		}
	}
}

func netJoin(h, p string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]:" + p
	}
	return h + ":" + p
}

func TestRobotsAndHostLimits(t *testing.T) {
	var inflight, maxInflight, robotsHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robotsHits.Add(1)
			fmt.Fprint(w, "User-agent: presswatch\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n")
			return
		}
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for {
			m := maxInflight.Load()
			if n <= m || maxInflight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		fmt.Fprint(w, "page")
	}))
	defer srv.Close()
	c := newClient(t, func(o *Options) { o.PerHost = HostLimit{Concurrency: 2, Rate: -1} })
	ctx := context.Background()
	if _, err := c.Get(ctx, Request{URL: srv.URL + "/private/x", Robots: true}); !errors.Is(err, ErrRobotsDisallowed) {
		t.Fatalf("robots: %v", err)
	}
	if _, err := c.Get(ctx, Request{URL: srv.URL + "/private/x"}); err != nil {
		t.Fatalf("feed fetch without robots: %v", err)
	}
	done := make(chan error, 10)
	for range 10 {
		go func() {
			_, err := c.Get(ctx, Request{URL: srv.URL + "/news/1", Robots: true})
			done <- err
		}()
	}
	for range 10 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if m := maxInflight.Load(); m > 2 {
		t.Fatalf("%d requests in flight on one host, limit 2", m)
	}
	if robotsHits.Load() != 1 {
		t.Fatalf("robots.txt fetched %d times", robotsHits.Load())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"30", 30 * time.Second}, {"-5", 0}, {"soon", 0},
		{"Thu, 01 Jan 2026 00:02:00 GMT", 2 * time.Minute},
		{"Wed, 31 Dec 2025 00:00:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestNoRequestInsideANewPause: a request that passed the pause check and
// then waited for the host's slot must not be sent when the response that
// held the slot opened a Retry-After pause meanwhile (issue 12). The pause
// is reported as a *PausedError: not the requester's own failure.
func TestNoRequestInsideANewPause(t *testing.T) {
	var okHits atomic.Int32
	entered, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/slow429", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		okHits.Add(1)
		w.Write([]byte("ok"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var once sync.Once
	defer once.Do(func() { close(release) }) // never leave the handler blocked
	c := newClient(t, func(o *Options) { o.PerHost = HostLimit{Concurrency: 1, Rate: -1}; o.Timeout = time.Minute })
	ctx := context.Background()
	first := make(chan error, 1)
	go func() { _, err := c.Get(ctx, Request{URL: srv.URL + "/slow429"}); first <- err }()
	<-entered
	second := make(chan error, 1)
	go func() { _, err := c.Get(ctx, Request{URL: srv.URL + "/ok"}); second <- err }()
	// Wait until the second request is queued for the host's only slot.
	waitFor(t, func() bool {
		buf := make([]byte, 1<<20)
		st := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(st, "\n\n") {
			if strings.Contains(g, "[select") && strings.Contains(g, "fetch.(*Client).get(") {
				return true
			}
		}
		return false
	})
	once.Do(func() { close(release) })
	if err := <-first; err == nil {
		t.Fatal("the 429 gave no error")
	} else if IsPaused(err) {
		t.Fatalf("the request that got the 429 reports a pause: %v", err)
	}
	err := <-second
	if !IsPaused(err) {
		t.Fatalf("second request: %v, want a *PausedError", err)
	}
	if d, ok := RetryAfter(err); !ok || d < 50*time.Second {
		t.Fatalf("RetryAfter of the pause = %s, %v", d, ok)
	}
	if !Transient(err) {
		t.Error("a pause is not transient")
	}
	if n := okHits.Load(); n != 0 {
		t.Fatalf("%d requests sent inside the pause", n)
	}
}

func TestTransient(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&StatusError{Code: 429}, true},
		{&StatusError{Code: 503}, true},
		{&StatusError{Code: 502}, true},
		{&StatusError{Code: 404}, false},
		{&StatusError{Code: 410}, false},
		{&PausedError{Until: time.Now().Add(time.Minute)}, true},
		{fmt.Errorf("fetch: %w", ErrTooLarge), false},
		{fmt.Errorf("fetch: %w", ErrRobotsDisallowed), false},
		{fmt.Errorf("fetch: timed out: %w", context.DeadlineExceeded), true},
		{errors.New("connection refused"), true},
		{nil, false},
	}
	for _, tt := range tests {
		if got := Transient(tt.err); got != tt.want {
			t.Errorf("Transient(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

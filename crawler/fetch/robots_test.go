package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRobotsUnreachableIsNotDisallowed: RFC 9309 — a robots.txt answered
// with 4xx allows everything; a 5xx or a dropped connection disallows the
// host for now, and the error says robots.txt was unreachable (it wraps the
// cause), never that robots.txt disallows the URL.
func TestRobotsUnreachableIsNotDisallowed(t *testing.T) {
	var pageHits atomic.Int32
	missing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		pageHits.Add(1)
		w.Write([]byte("page"))
	}))
	defer missing.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		pageHits.Add(1)
		w.Write([]byte("page"))
	}))
	defer broken.Close()
	dropped := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		pageHits.Add(1)
		w.Write([]byte("page"))
	}))
	defer dropped.Close()

	c := newClient(t, nil)
	ctx := context.Background()

	if _, err := c.Get(ctx, Request{URL: missing.URL + "/news/1", Robots: true}); err != nil {
		t.Fatalf("robots.txt 404 must allow everything: %v", err)
	}
	if pageHits.Load() != 1 {
		t.Fatalf("page behind a missing robots.txt fetched %d times", pageHits.Load())
	}
	for name, srv := range map[string]*httptest.Server{"500": broken, "dropped connection": dropped} {
		_, err := c.Get(ctx, Request{URL: srv.URL + "/news/1", Robots: true})
		if !errors.Is(err, ErrRobotsUnavailable) {
			t.Fatalf("%s: err = %v, want ErrRobotsUnavailable", name, err)
		}
		if errors.Is(err, ErrRobotsDisallowed) || strings.Contains(err.Error(), "disallowed by robots.txt") {
			t.Fatalf("%s: an unreachable robots.txt reported as a disallow: %v", name, err)
		}
		if !strings.Contains(err.Error(), "robots.txt unreachable") {
			t.Fatalf("%s: error does not say robots.txt was unreachable: %v", name, err)
		}
		if name == "500" {
			var se *StatusError
			if !errors.As(err, &se) || se.Code != http.StatusInternalServerError {
				t.Fatalf("%s: cause not kept: %v", name, err)
			}
		}
	}
	if pageHits.Load() != 1 {
		t.Fatalf("pages fetched %d times while their robots.txt was unreachable", pageHits.Load())
	}
}

// TestRobotsOversized: a robots.txt over the body limit is read up to its
// first 500 KiB (RFC 9309 §2.5) and obeyed, with and without a
// Content-Length; it used to disallow the whole host.
func TestRobotsOversized(t *testing.T) {
	head := "User-agent: *\nDisallow: /private/\n"
	pad := strings.Repeat("# "+strings.Repeat("x", 98)+"\n", 30000) // 3 MB of comments
	for _, chunked := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				if chunked {
					w.(http.Flusher).Flush()
				} else {
					w.Header().Set("Content-Length", fmt.Sprint(len(head)+len(pad)))
				}
				io.WriteString(w, head+pad)
				return
			}
			w.Write([]byte("page"))
		}))
		c := newClient(t, func(o *Options) { o.MaxBodyBytes = 1 << 20 })
		ctx := context.Background()
		if _, err := c.Get(ctx, Request{URL: srv.URL + "/news/1", Robots: true}); err != nil {
			t.Errorf("chunked=%v: a page the large robots.txt allows: %v", chunked, err)
		}
		if _, err := c.Get(ctx, Request{URL: srv.URL + "/private/1", Robots: true}); !errors.Is(err, ErrRobotsDisallowed) {
			t.Errorf("chunked=%v: a page it disallows: %v", chunked, err)
		}
		srv.Close()
	}
}

// TestPrefixReadIgnoresDeclaredLength: a prefix read of a response declaring
// a terabyte reads its prefix without sizing a buffer for the declaration
// (the buffer was grown to the Content-Length before the prefix was cut).
func TestPrefixReadIgnoresDeclaredLength(t *testing.T) {
	c := newClient(t, func(o *Options) { o.MaxBodyBytes = 1 << 20 })
	res := &http.Response{ContentLength: 1 << 40, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(strings.Repeat("a", 600<<10)))}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	body, err := c.readBody(res, robotsMaxBytes)
	runtime.ReadMemStats(&after)
	if err != nil || len(body) != robotsMaxBytes {
		t.Fatalf("%d bytes, %v", len(body), err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 8<<20 {
		t.Errorf("allocated %d bytes for a %d-byte prefix", grown, robotsMaxBytes)
	}
}

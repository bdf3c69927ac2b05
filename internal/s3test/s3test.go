// Package s3test runs an in-memory S3-compatible server (gofakes3) on
// 127.0.0.1 for tests, with a switch that makes requests fail the way a
// struggling service does (HTTP 503 SlowDown).
package s3test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Server is an in-memory S3 service on loopback.
type Server struct {
	// Endpoint is host:port (plain HTTP).
	Endpoint string
	Backend  *s3mem.Backend
	// FailPuts is how many of the next object PUTs answer 503; negative
	// means every one until it is set back to 0.
	FailPuts atomic.Int64
	// Puts counts object PUTs that reached the service.
	Puts atomic.Int64
}

// New starts a server with bucket created; it stops when t ends.
func New(t testing.TB, bucket string) *Server {
	t.Helper()
	s := &Server{Backend: s3mem.New()}
	if bucket != "" {
		if err := s.Backend.CreateBucket(bucket); err != nil {
			t.Fatal(err)
		}
	}
	fake := gofakes3.New(s.Backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1 {
			s.Puts.Add(1)
			if n := s.FailPuts.Load(); n != 0 {
				if n > 0 {
					s.FailPuts.Add(-1)
				}
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`))
				return
			}
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.Endpoint = strings.TrimPrefix(srv.URL, "http://")
	return s
}

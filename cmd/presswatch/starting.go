package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// startingServer answers on web.listen while the process opens its store
// and bus, which can take as long as PostgreSQL or NATS are away:
// /healthz says the process is alive, /readyz (and anything else) 503
// "starting". An outside install found nothing listening meanwhile, so a
// probe could not tell a process waiting for NATS from a dead one, and a
// liveness probe would restart it in a loop. The listener is then handed to
// the real server (web or ops), so the port is never free in between.
type startingServer struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
	once sync.Once
	wl   *stoppableListener
}

// startStarting binds addr and serves the starting answers on it.
func startStarting(addr string) (*startingServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web.listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok (starting)")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "starting: opening the store and connecting to NATS; the log says what it waits for")
	})
	s := &startingServer{ln: ln, done: make(chan struct{}), wl: &stoppableListener{Listener: ln}}
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(s.wl)
	}()
	return s, nil
}

// handOver stops answering and returns the listener, still open, for the
// real server.
func (s *startingServer) handOver() net.Listener {
	s.once.Do(func() {
		s.wl.stop()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
		<-s.done
		s.wl.resume()
	})
	return s.ln
}

// stoppableListener lets the starting server stop accepting without
// closing the listener the real server will use: stop makes the pending
// Accept return (a deadline in the past) and Close does nothing.
type stoppableListener struct {
	net.Listener
	mu      sync.Mutex
	stopped bool
}

func (l *stoppableListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	l.mu.Lock()
	stopped := l.stopped
	l.mu.Unlock()
	if stopped {
		if c != nil {
			// Accepted as it stopped: answer it as starting, once.
			return c, nil
		}
		return nil, net.ErrClosed
	}
	return c, err
}

func (l *stoppableListener) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
	if d, ok := l.Listener.(interface{ SetDeadline(time.Time) error }); ok {
		_ = d.SetDeadline(time.Now())
	}
}

func (l *stoppableListener) resume() {
	if d, ok := l.Listener.(interface{ SetDeadline(time.Time) error }); ok {
		_ = d.SetDeadline(time.Time{})
	}
}

func (l *stoppableListener) Close() error { return nil }

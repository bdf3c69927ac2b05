package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// opsServer serves /healthz, /readyz and /metrics for role processes that do
// not run the web UI (crawler, classifier, indexer, alerter).
type opsServer struct {
	addr   string
	srv    *http.Server
	log    *slog.Logger
	ln     net.Listener
	checks map[string]func(ctx context.Context) error
}

func newOpsServer(addr string, g prometheus.Gatherer, checks map[string]func(ctx context.Context) error, log *slog.Logger) *opsServer {
	o := &opsServer{addr: addr, log: log.With("component", "ops"), checks: checks}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", o.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	o.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	return o
}

func (o *opsServer) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	names := make([]string, 0, len(o.checks))
	for n := range o.checks {
		names = append(names, n)
	}
	sort.Strings(names)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	status, body := http.StatusOK, ""
	for _, n := range names {
		if err := o.checks[n](ctx); err != nil {
			status = http.StatusServiceUnavailable
			// The reason is named (one line each) so that an operator sees
			// what a stage waits for: the store, the index, the disk.
			body += fmt.Sprintf("%s: not ready: %s\n", n, strings.Join(strings.Fields(err.Error()), " "))
			o.log.Warn("readiness check failed", "check", n, "err", err)
			continue
		}
		body += fmt.Sprintf("%s: ok\n", n)
	}
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// listen binds the address now, so a port clash fails start-up, not later.
func (o *opsServer) listen() error {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	o.ln = ln
	return nil
}

func (o *opsServer) run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- o.srv.Serve(o.ln) }()
	o.log.Info("serving health and metrics", "addr", o.ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down ops server: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

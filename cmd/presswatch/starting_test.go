package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/configs"
)

// TestServeAnswersWhileWaiting: while a role waits for a NATS server that
// is not there, web.listen already answers: /healthz 200, /readyz 503
// "starting"; a probe no longer sees a dead process. Stopped, it frees the
// port.
func TestServeAnswersWhileWaiting(t *testing.T) {
	free := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}
	natsAddr, webAddr := free(), free()
	cfg := &configs.Loaded{Config: configs.Defaults(), Path: "test", Dir: "."}
	cfg.DataDir = t.TempDir()
	cfg.Web.Listen = webAddr
	cfg.NATS.URL = configs.CredentialURL("nats://" + natsAddr)
	g := &globals{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, g, cfg, roles{roleClassifier: true}, nil) }()

	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + webAddr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(30 * time.Second)
	code, body := get("/healthz")
	for code != http.StatusOK && time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("serve returned while NATS was away: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		code, body = get("/healthz")
	}
	if code != http.StatusOK {
		t.Fatalf("/healthz while waiting for NATS: %d %s", code, body)
	}
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "starting") {
		t.Errorf("/readyz while waiting for NATS: %d %q", code, body)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return after stop")
	}
	// The port is free again.
	l, err := net.Listen("tcp", webAddr)
	if err != nil {
		t.Fatalf("web.listen still held after stop: %v", err)
	}
	l.Close()
}

package main

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/internal/testenv"
)

// TestOpenStoreWaits: a role started while PostgreSQL cannot be reached waits
// for it (and says so) until it is stopped; an error that waiting cannot
// fix (no such database) ends it at once.
func TestOpenStoreWaits(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	cfg := &configs.Loaded{Config: configs.Defaults()}
	cfg.DataDir = t.TempDir()
	cfg.Store.URL = configs.CredentialURL("postgres://postgres@" + addr + "/test?sslmode=disable&connect_timeout=2")
	var logs syncBuf
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		st, err := openStoreWaiting(ctx, cfg, log)
		if st != nil {
			st.Close()
		}
		done <- err
	}()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(logs.String(), "store not reachable; waiting for it") {
		select {
		case err := <-done:
			t.Fatalf("returned without waiting: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no 'waiting' log within 60 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "stopped while waiting") {
		t.Errorf("after stop: %v", err)
	}

	pg := testenv.PostgresURL(t)
	cfg.Store.URL = configs.CredentialURL(strings.Replace(pg, "/test?", "/no_such_database_pw?", 1))
	if !strings.Contains(string(cfg.Store.URL), "no_such_database_pw") {
		t.Skipf("cannot name another database in %q", pg)
	}
	start := time.Now()
	if _, err := openStoreWaiting(context.Background(), cfg, log); err == nil || time.Since(start) > 20*time.Second {
		t.Errorf("a missing database: %v after %s", err, time.Since(start))
	}
}

// TestOpenStoreSQLiteFailsAtOnce: the embedded SQLite file is local; when it
// cannot be opened the role ends at once, naming the data folder, instead of
// waiting as for a database server that is away.
func TestOpenStoreSQLiteFailsAtOnce(t *testing.T) {
	cfg := &configs.Loaded{Config: configs.Defaults()}
	// A folder that exists and where no file can be created, even by root.
	cfg.DataDir = "/proc/self"
	var logs syncBuf
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := openStoreWaiting(ctx, cfg, log)
	if st != nil {
		st.Close()
	}
	if err == nil {
		t.Skip("a SQLite file could be created under /proc/self here")
	}
	if ctx.Err() != nil || strings.Contains(logs.String(), "waiting for it") {
		t.Fatalf("waited for a local SQLite file: %v\n%s", err, logs.String())
	}
	if msg := err.Error(); strings.Count(msg, "open store:") != 1 || !strings.Contains(msg, "data_dir /proc/self") {
		t.Errorf("error = %q, want one 'open store:' and the data folder named", msg)
	}
}

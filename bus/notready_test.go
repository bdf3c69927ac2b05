package bus

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestOpenSaysWhyNotReady: a role waiting for an external NATS logs which
// server and why: nothing listening ("connection refused"), or a server
// without JetStream; not "context deadline exceeded" after 10 s or "no
// responders available" for ever.
func TestOpenSaysWhyNotReady(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "nats://" + l.Addr().String()
	l.Close()

	noJS, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go noJS.Start()
	defer noJS.Shutdown()
	if !noJS.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server without JetStream did not start")
	}

	for _, tc := range []struct {
		name, url string
		want      []string
	}{
		{"nothing listening", closed, []string{"nats " + closed + " not reachable (", "connection refused"}},
		{"no JetStream", noJS.ClientURL(), []string{"nats " + noJS.ClientURL() + " answers but JetStream is not enabled there"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs lockedBuf
			// Two retries are enough to see the explanation; the deadline
			// only bounds the test.
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			b, err := Open(ctx, Options{URL: tc.url, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err == nil {
				b.Close()
				t.Fatal("Open succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(logs.String(), w) || !strings.Contains(err.Error(), w) {
					t.Errorf("%q missing from the log or the error:\nerror: %v\nlog:\n%s", w, err, logs.String())
				}
			}
			if strings.Contains(logs.String(), "context deadline exceeded") {
				t.Errorf("the log still blames a deadline:\n%s", logs.String())
			}
		})
	}
}

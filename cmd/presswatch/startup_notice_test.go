package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// The password is printed as soon as the UI listens. Offline: one banner once
// every source was tried, then the password again, last. Online (one source
// reached): no banner, the password once.
func TestStartupNotice(t *testing.T) {
	for _, online := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		st, err := store.Open(ctx, store.Options{DataDir: t.TempDir(), AutoMigrate: true})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for i, name := range []string{"a", "b", "c"} {
			if err := st.UpsertSource(ctx, store.Source{Name: name, Kind: "rss", URL: "http://192.0.2.1/" + name, Enabled: true, AddedAt: now}); err != nil {
				t.Fatal(err)
			}
			ss := store.SourceState{Source: name, LastAttempt: now, ConsecutiveErrors: 1, LastError: "dial tcp: connection refused"}
			if online && i == 1 {
				ss.LastSuccess, ss.ConsecutiveErrors, ss.LastError = now, 0, ""
			}
			if err := st.UpsertSourceState(ctx, ss); err != nil {
				t.Fatal(err)
			}
		}
		var out syncBuf
		n := &startupNotice{st: st, out: &out, password: "\n  user: admin\n  password: secret-pw\n", crawling: true,
			uiURL: "http://127.0.0.1:8080", wait: 30 * time.Second, poll: 10 * time.Millisecond}
		done := make(chan error, 1)
		go func() { done <- n.run(ctx) }()
		// Online: the password once. Offline: the password at once, and
		// again after the banner, last on the screen.
		want := 1
		if !online {
			want = 2
		}
		deadline := time.Now().Add(30 * time.Second)
		for strings.Count(out.String(), "secret-pw") < want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		got := out.String()
		banner := strings.Index(got, "KHÔNG KẾT NỐI ĐƯỢC TỚI NGUỒN TIN NÀO")
		pw := strings.Index(got, "secret-pw")
		switch {
		case pw < 0:
			t.Errorf("online=%v: password not printed:\n%s", online, got)
		case online && banner >= 0:
			t.Errorf("banner printed although a source was reached:\n%s", got)
		case online && strings.Count(got, "secret-pw") != 1:
			t.Errorf("online: password printed %d times:\n%s", strings.Count(got, "secret-pw"), got)
		case !online && (banner < 0 || pw > banner || strings.LastIndex(got, "secret-pw") < banner || strings.Count(got, "KHÔNG KẾT NỐI") != 1 || !strings.Contains(got, "0/3")):
			t.Errorf("want the password, one banner, and the password again last:\n%s", got)
		}
		st.Close()
	}
}

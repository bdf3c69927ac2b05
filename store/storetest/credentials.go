package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// RunCredentials checks credential revocation, token listing and deletion,
// and that hostile keys (NUL bytes, invalid UTF-8) are not-found rather than
// errors, on one backend.
func RunCredentials(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"RevokeUserCredentials", testRevoke},
		{"ListAndDeleteAPITokens", testTokenList},
		{"HostileKeys", testHostileKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

func testRevoke(t *testing.T, s store.Store) {
	c := ctx(t)
	for _, n := range []string{"lan", "an"} {
		if err := s.UpsertUser(c, store.User{Name: n, Role: "analyst"}); err != nil {
			t.Fatalf("UpsertUser: %v", err)
		}
	}
	now := time.Now().UTC()
	mk := func(id, user string, epoch int64) {
		t.Helper()
		if err := s.CreateSession(c, store.Session{ID: id, User: user, ExpiresAt: now.Add(time.Hour), Epoch: epoch}); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
		if err := s.CreateAPIToken(c, store.APIToken{Hash: store.HashToken(id), User: user, Epoch: epoch}); err != nil {
			t.Fatalf("CreateAPIToken: %v", err)
		}
	}
	mk("lan-1", "lan", 0)
	mk("an-1", "an", 0)
	epoch, err := s.RevokeUserCredentials(c, "lan")
	if err != nil || epoch != 1 {
		t.Fatalf("RevokeUserCredentials = %d, %v; want 1", epoch, err)
	}
	if _, err := s.GetSession(c, "lan-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session survived revocation: %v", err)
	}
	if _, err := s.GetAPIToken(c, store.HashToken("lan-1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token survived revocation: %v", err)
	}
	if _, err := s.GetSession(c, "an-1"); err != nil {
		t.Errorf("another user's session was revoked: %v", err)
	}
	if _, err := s.GetAPIToken(c, store.HashToken("an-1")); err != nil {
		t.Errorf("another user's token was revoked: %v", err)
	}
	u, err := s.GetUser(c, "lan")
	if err != nil || u.Epoch != 1 {
		t.Fatalf("GetUser after revoke: epoch %d, %v; want 1", u.Epoch, err)
	}
	// UpsertUser (a password change, an enable) keeps the epoch.
	u.Disabled = false
	u.PasswordHash = "changed"
	if err := s.UpsertUser(c, u); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	u.Epoch = 0
	if err := s.UpsertUser(c, u); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	if u, _ = s.GetUser(c, "lan"); u.Epoch != 1 {
		t.Errorf("UpsertUser changed the epoch to %d", u.Epoch)
	}
	// A session made under the old epoch keeps its epoch, so the web can refuse it.
	mk("lan-late", "lan", 0)
	if ss, err := s.GetSession(c, "lan-late"); err != nil || ss.Epoch != 0 {
		t.Errorf("GetSession(lan-late) = %+v, %v; want epoch 0", ss, err)
	}
	if tk, err := s.GetAPIToken(c, store.HashToken("lan-late")); err != nil || tk.Epoch != 0 {
		t.Errorf("GetAPIToken(lan-late) = %+v, %v; want epoch 0", tk, err)
	}
	if epoch, err = s.RevokeUserCredentials(c, "lan"); err != nil || epoch != 2 {
		t.Errorf("second RevokeUserCredentials = %d, %v; want 2", epoch, err)
	}
	if _, err := s.RevokeUserCredentials(c, "ghost"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeUserCredentials(ghost) = %v, want ErrNotFound", err)
	}
}

func testTokenList(t *testing.T, s store.Store) {
	c := ctx(t)
	for _, n := range []string{"bot", "lan"} {
		if err := s.UpsertUser(c, store.User{Name: n, Role: "analyst"}); err != nil {
			t.Fatalf("UpsertUser: %v", err)
		}
	}
	toks := []store.APIToken{
		{Hash: store.HashToken("b1"), User: "bot", Label: "export", CreatedAt: base},
		{Hash: store.HashToken("b2"), User: "bot", Label: "old", CreatedAt: base.Add(time.Minute), ExpiresAt: time.Now().Add(-time.Hour)},
		{Hash: store.HashToken("l1"), User: "lan", Label: "notebook", CreatedAt: base.Add(2 * time.Minute), ExpiresAt: time.Now().Add(time.Hour)},
	}
	for _, tk := range toks {
		if err := s.CreateAPIToken(c, tk); err != nil {
			t.Fatalf("CreateAPIToken: %v", err)
		}
	}
	all, err := s.ListAPITokens(c, "")
	if err != nil || len(all) != 3 {
		t.Fatalf("ListAPITokens(all) = %d tokens, %v; want 3 (expired ones included)", len(all), err)
	}
	if all[0].Label != "export" || all[1].Label != "old" || all[2].User != "lan" {
		t.Errorf("ListAPITokens order: %+v", all)
	}
	if all[1].ExpiresAt.IsZero() || !all[0].ExpiresAt.IsZero() {
		t.Errorf("expiry not kept: %+v", all[:2])
	}
	bots, err := s.ListAPITokens(c, "bot")
	if err != nil || len(bots) != 2 {
		t.Fatalf("ListAPITokens(bot) = %d, %v; want 2", len(bots), err)
	}
	if err := s.DeleteAPIToken(c, toks[0].Hash); err != nil {
		t.Fatalf("DeleteAPIToken: %v", err)
	}
	if _, err := s.GetAPIToken(c, toks[0].Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted token still answers: %v", err)
	}
	if err := s.DeleteAPIToken(c, toks[0].Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteAPIToken of a missing token = %v, want ErrNotFound", err)
	}
	if err := s.DeleteAPIToken(c, "not-a-hash"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteAPIToken(not a hash) = %v, want ErrNotFound", err)
	}
}

func testHostileKeys(t *testing.T, s store.Store) {
	c := ctx(t)
	for _, k := range []string{"ad\x00min", "\xff\xfe", "a\x00"} {
		if _, err := s.GetUser(c, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUser(%q) = %v, want ErrNotFound", k, err)
		}
		if _, err := s.GetSession(c, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetSession(%q) = %v, want ErrNotFound", k, err)
		}
		if _, err := s.GetAPIToken(c, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetAPIToken(%q) = %v, want ErrNotFound", k, err)
		}
		if _, err := s.RevokeUserCredentials(c, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RevokeUserCredentials(%q) = %v, want ErrNotFound", k, err)
		}
		if l, err := s.ListAPITokens(c, k); err != nil || len(l) != 0 {
			t.Errorf("ListAPITokens(%q) = %v, %v", k, l, err)
		}
	}
}

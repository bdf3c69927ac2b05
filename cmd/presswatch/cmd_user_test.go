package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/web"
)

func TestUserCommand(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir(), AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	run := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		g := &globals{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}
		err := runUser(ctx, st, g, args, time.Now)
		return out.String(), err
	}
	out, err := run("", "add", "-role", "police", "-display", "Nguyễn Văn A", "officer1")
	if err != nil {
		t.Fatal(err)
	}
	pw := strings.TrimSpace(out[strings.Index(out, "password: ")+len("password: "):])
	u, err := st.GetUser(ctx, "officer1")
	if err != nil || u.Role != web.RolePolice || u.DisplayName != "Nguyễn Văn A" {
		t.Fatalf("user = %+v, %v", u, err)
	}
	if ok, _ := web.VerifyPassword(u.PasswordHash, pw); !ok {
		t.Errorf("printed password %q does not verify", pw)
	}
	if _, err := run("", "add", "officer1"); err == nil {
		t.Error("adding an existing user succeeded")
	}
	if _, err := run("", "add", "Officer1"); err == nil || !strings.Contains(err.Error(), "letter case") {
		t.Errorf("adding a name differing only in case: %v", err)
	}
	if _, err := run("", "add", "-role", "king", "x"); !errors.Is(err, errUsage) {
		t.Errorf("bad role: %v", err)
	}
	if _, err := run("", "add", "bad name"); !errors.Is(err, errUsage) {
		t.Errorf("bad name: %v", err)
	}
	if _, err := run("short\n", "passwd", "-password-stdin", "officer1"); !errors.Is(err, web.ErrWeakPassword) {
		t.Errorf("short password: %v", err)
	}
	if _, err := run("gió mùa thổi qua sông Đồng Nai\n", "passwd", "-password-stdin", "officer1"); err != nil {
		t.Fatal(err)
	}
	u, _ = st.GetUser(ctx, "officer1")
	if ok, _ := web.VerifyPassword(u.PasswordHash, "gió mùa thổi qua sông Đồng Nai"); !ok {
		t.Error("passwd from stdin did not take")
	}
	if _, err := run("", "disable", "officer1"); err != nil {
		t.Fatal(err)
	}
	if u, _ = st.GetUser(ctx, "officer1"); !u.Disabled {
		t.Error("disable did not disable")
	}
	if _, err := run("", "disable", "ghost"); err == nil {
		t.Error("disabling a missing user succeeded")
	}
	if _, err := run("", "token", "officer1"); err == nil {
		t.Error("a disabled user got a token")
	}
	if _, err := run("", "enable", "officer1"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("aaaaaaaaaaaa\n", "passwd", "-password-stdin", "officer1"); !errors.Is(err, web.ErrWeakPassword) || !strings.Contains(err.Error(), "dễ đoán") {
		t.Errorf("weak password: %v", err)
	}
	for _, ttl := range []string{"0", "-1h", "9000h", "400d"} {
		if _, err := run("", "token", "-ttl", ttl, "officer1"); !errors.Is(err, errUsage) {
			t.Errorf("-ttl %s: %v, want a usage error (tokens always expire)", ttl, err)
		}
	}
	// Days, as the help counts them.
	if _, err := run("", "token", "-ttl", "30d", "-label", "month", "officer1"); err != nil {
		t.Errorf("-ttl 30d: %v", err)
	}
	if _, err := run("", "token", "-ttl", "thirty", "officer1"); err == nil || !strings.Contains(err.Error(), "30d") {
		t.Errorf("-ttl thirty: %v, want an error that shows how to write it", err)
	}
	out, err = run("", "token", "-label", "scripts", "officer1")
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(out)
	got, err := st.GetAPIToken(ctx, store.HashToken(tok))
	if err != nil || got.User != "officer1" || got.Label != "scripts" || got.ExpiresAt.IsZero() {
		t.Errorf("token = %+v, %v", got, err)
	}
	out, _ = run("", "list")
	if !strings.Contains(out, "officer1") || strings.Contains(out, "disabled") {
		t.Errorf("list:\n%s", out)
	}
	// Tokens are listed by ID and revoked by it.
	id := web.TokenID(store.HashToken(tok))
	out, err = run("", "tokens", "officer1")
	if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "scripts") || strings.Contains(out, tok) {
		t.Errorf("tokens: %v\n%s", err, out)
	}
	if _, err := run("", "revoke", id); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if _, err := st.GetAPIToken(ctx, store.HashToken(tok)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token still found: %v", err)
	}
	if _, err := run("", "revoke", id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking twice: %v", err)
	}
	// passwd ends the user's tokens.
	out, _ = run("", "token", "officer1")
	tok = strings.TrimSpace(out)
	if _, err := run("", "passwd", "officer1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetAPIToken(ctx, store.HashToken(tok)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token survived passwd: %v", err)
	}
	audit, _ := st.ListAudit(ctx, 10)
	if len(audit) < 4 {
		t.Errorf("audit has %d entries, want one per change", len(audit))
	}
}

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/web"
)

// userStore is what `presswatch user` needs from the store.
type userStore interface {
	web.UserStore
	web.AccountStore
	CreateAPIToken(ctx context.Context, t store.APIToken) error
	ListAPITokens(ctx context.Context, user string) ([]store.APIToken, error)
	DeleteAPIToken(ctx context.Context, hash string) error
}

// cmdUser is `presswatch user add|passwd|disable|enable|list|token`.
func cmdUser(ctx context.Context, g *globals, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, userUsage)
	}
	cfg, err := configs.Load(g.ConfigPath)
	if err != nil {
		return err
	}
	// Only `user add` may be the first thing done with a new data directory
	// (accounts made before the first start); the others need the accounts
	// presswatch has recorded.
	if args[0] != "add" {
		if err := requireExistingStore(cfg); err != nil {
			return err
		}
	}
	st, err := openStore(ctx, cfg, newLogger(cfg.Log, g.Stderr), false)
	if err != nil {
		return err
	}
	defer st.Close()
	err = runUser(ctx, st, g, args, time.Now)
	if errors.Is(err, store.ErrNotFound) {
		err = fmt.Errorf("%w (store: %s)", err, storeWhere(cfg))
	}
	return err
}

const userUsage = `presswatch user add [-role ROLE] [-display NAME] [-email ADDR] [-password-stdin] USER
       presswatch user passwd [-password-stdin] USER
       presswatch user disable|enable USER
       presswatch user list
       presswatch user token [-label TEXT] [-ttl DURATION] USER
       presswatch user tokens [USER]
       presswatch user revoke TOKEN_ID
roles: ` + "admin, analyst, foreign_affairs, police, viewer" + `
Without -password-stdin a random password is made and printed once.
passwd, disable and enable end every earlier session and API token of the user.
Tokens always expire: -ttl is more than 0 and at most 366 days (default 90 days).`

// runUser carries out one user subcommand against st.
func runUser(ctx context.Context, st userStore, g *globals, args []string, now func() time.Time) error {
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(g.Stderr)
	role := fs.String("role", web.RoleAnalyst, "role: "+strings.Join(web.AllRoles, ", "))
	display := fs.String("display", "", "display name")
	email := fs.String("email", "", "email address")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	label := fs.String("label", "", "what the token is for")
	ttl := durationDays(fs, "ttl", 90*24*time.Hour, "token lifetime in whole days (30d) or hours, at most 366d; tokens always expire")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	audit := func(action, object, detail string) {
		if err := st.AppendAudit(ctx, store.AuditEntry{At: now().UTC(), Actor: "cli", Action: action, Object: object, Detail: detail}); err != nil {
			fmt.Fprintf(g.Stderr, "presswatch user: audit: %v\n", err)
		}
	}
	if sub == "list" {
		users, err := st.ListUsers(ctx)
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(g.Stdout, "%-20s %-16s %-8s %s\n", u.Name, u.Role, state, u.DisplayName)
		}
		return nil
	}
	if sub == "tokens" {
		if fs.NArg() > 1 {
			return fmt.Errorf("%w: %s", errUsage, userUsage)
		}
		toks, err := st.ListAPITokens(ctx, fs.Arg(0))
		if err != nil {
			return fmt.Errorf("list tokens: %w", err)
		}
		for _, t := range toks {
			state := "active"
			if !t.ExpiresAt.IsZero() && !now().Before(t.ExpiresAt) {
				state = "expired"
			}
			exp := "never"
			if !t.ExpiresAt.IsZero() {
				exp = t.ExpiresAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(g.Stdout, "%-12s %-20s %-8s expires %-20s %s\n", web.TokenID(t.Hash), t.User, state, exp, t.Label)
		}
		return nil
	}
	if sub == "revoke" {
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: %s", errUsage, userUsage)
		}
		toks, err := st.ListAPITokens(ctx, "")
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		t, err := web.FindToken(toks, strings.ToLower(fs.Arg(0)))
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if err := st.DeleteAPIToken(ctx, t.Hash); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		audit("token.revoke", t.User, web.TokenID(t.Hash)+" "+t.Label)
		fmt.Fprintf(g.Stdout, "revoked %s of %s\n", web.TokenID(t.Hash), t.User)
		return nil
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		return fmt.Errorf("%w: %s", errUsage, userUsage)
	}
	name := fs.Arg(0)
	password := func() (pw string, generated bool, err error) {
		if *fromStdin {
			line, err := bufio.NewReader(g.Stdin).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return "", false, fmt.Errorf("read password: %w", err)
			}
			return strings.TrimRight(line, "\r\n"), false, nil
		}
		pw, err = web.NewPassword()
		return pw, true, err
	}
	switch sub {
	case "add":
		if !validUserName(name) {
			return fmt.Errorf("%w: user name %q: use 1-64 letters, digits, '.', '_', '-' or '@'", errUsage, name)
		}
		if !web.ValidRole(*role) {
			return fmt.Errorf("%w: role %q: want one of %s", errUsage, *role, strings.Join(web.AllRoles, ", "))
		}
		if taken, err := web.UserNameTaken(ctx, st, name); err != nil {
			return fmt.Errorf("add user %q: %w", name, err)
		} else if taken == name {
			return fmt.Errorf("add user %q: already exists (use passwd or enable)", name)
		} else if taken != "" {
			return fmt.Errorf("add user %q: %q exists; names may not differ only in letter case", name, taken)
		}
		pw, generated, err := password()
		if err != nil {
			return err
		}
		if err := web.CheckPassword(pw, name, *display, *email); err != nil {
			return fmt.Errorf("add user %q: %w", name, err)
		}
		hash, err := web.HashPassword(pw)
		if err != nil {
			return fmt.Errorf("add user %q: %w", name, err)
		}
		u := store.User{Name: name, DisplayName: *display, Email: *email, Role: *role, PasswordHash: hash, CreatedAt: now().UTC()}
		if err := st.UpsertUser(ctx, u); err != nil {
			return fmt.Errorf("add user %q: %w", name, err)
		}
		audit("user.add", name, "role "+*role)
		fmt.Fprintf(g.Stdout, "added %s (%s)\n", name, *role)
		if generated {
			fmt.Fprintf(g.Stdout, "password: %s\n", pw)
		}
		return nil
	case "passwd", "disable", "enable":
		if _, err := st.GetUser(ctx, name); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%s: no user %q: %w", sub, name, store.ErrNotFound)
		} else if err != nil {
			return fmt.Errorf("%s %q: %w", sub, name, err)
		}
		var (
			pw        string
			generated bool
			err       error
		)
		switch sub {
		case "passwd":
			if pw, generated, err = password(); err != nil {
				return err
			}
			err = web.SetPassword(ctx, st, name, pw, "cli")
		case "disable":
			err = web.SetDisabled(ctx, st, name, true, "cli")
		case "enable":
			err = web.SetDisabled(ctx, st, name, false, "cli")
		}
		if err != nil {
			return fmt.Errorf("%s %q: %w", sub, name, err)
		}
		fmt.Fprintf(g.Stdout, "%s: done for %s\n", sub, name)
		if generated {
			fmt.Fprintf(g.Stdout, "password: %s\n", pw)
		}
		fmt.Fprintln(g.Stdout, "every earlier session and API token of this user has ended")
		return nil
	case "token":
		if *ttl <= 0 || *ttl > web.MaxTokenTTL {
			return fmt.Errorf("%w: -ttl %v: %w", errUsage, *ttl, web.ErrTokenTTL)
		}
		tok, err := web.NewToken(ctx, st, name, *label, *ttl, now(), "cli")
		if err != nil {
			return err
		}
		fmt.Fprintf(g.Stdout, "%s\n", tok)
		fmt.Fprintf(g.Stderr, "shown once: send it as 'Authorization: Bearer <token>' to /api/v1; it expires %s; revoke it with `presswatch user revoke %s`\n",
			now().UTC().Add(*ttl).Format(time.RFC3339), web.TokenID(store.HashToken(tok)))
		return nil
	}
	return fmt.Errorf("%w: unknown user subcommand %q\n%s", errUsage, sub, userUsage)
}

// validUserName is web.ValidUserName: the admin page and the CLI accept the same names.
func validUserName(n string) bool { return web.ValidUserName(n) }

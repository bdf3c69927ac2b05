package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/store"
)

// Cookie names. The session cookie holds a random token; the store keeps only
// its HMAC (see sessionID).
const (
	sessionCookie  = "pw_session"
	preLoginCookie = "pw_login" // random nonce the login form's signed CSRF token is bound to
	langCookie     = "pw_lang"
)

// principal is who is making a request.
type principal struct {
	User    store.User
	Session *store.Session // nil for API-token requests
	Token   bool           // authenticated by a Bearer API token
}

type ctxKey int

const principalKey ctxKey = 1

func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey).(*principal)
	return p
}

// sessionID maps the cookie's random token to the ID stored in the database.
func (s *Server) sessionID(token string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// authenticate finds the principal of r, or nil. api allows Bearer tokens.
// Errors other than "not found" are returned (the caller answers 500).
func (s *Server) authenticate(r *http.Request, api bool) (*principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); api && h != "" {
		// The scheme is case-insensitive (RFC 9110, 11.1): "bearer" too.
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return nil, nil
		}
		t, err := s.opts.Store.GetAPIToken(ctx, store.HashToken(strings.TrimSpace(tok)))
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, fmt.Errorf("look up api token: %w", err)
		}
		if !t.ExpiresAt.IsZero() && !s.now().Before(t.ExpiresAt) {
			return nil, nil
		}
		u, err := s.activeUser(ctx, t.User)
		if err != nil || u == nil {
			return nil, err
		}
		if t.Epoch != u.Epoch { // made before a password change, disable or enable
			return nil, nil
		}
		return &principal{User: *u, Token: true}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	sess, err := s.opts.Store.GetSession(ctx, s.sessionID(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("look up session: %w", err)
	}
	// The store hides expired sessions too; checking here as well keeps the
	// rule in the web's own clock.
	if !s.now().Before(sess.ExpiresAt) {
		return nil, nil
	}
	u, err := s.activeUser(ctx, sess.User)
	if err != nil || u == nil {
		return nil, err
	}
	if sess.Epoch != u.Epoch { // made before a password change, disable or enable
		return nil, nil
	}
	return &principal{User: *u, Session: &sess}, nil
}

// activeUser returns the user if it exists and is enabled, nil otherwise.
func (s *Server) activeUser(ctx context.Context, name string) (*store.User, error) {
	u, err := s.opts.Store.GetUser(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("look up user %q: %w", name, err)
	}
	if u.Disabled || !ValidRole(u.Role) {
		return nil, nil
	}
	return &u, nil
}

// checkCSRF reports whether an unsafe request made with a session carries the
// session's CSRF token, as the form field "csrf" or the X-CSRF-Token header.
func checkCSRF(r *http.Request, p *principal) bool {
	if p == nil || p.Session == nil {
		return p != nil && p.Token // API tokens are not sent by browsers on their own
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(p.Session.CSRFToken)) == 1
}

func (s *Server) cookie(name, value string, maxAge time.Duration, sameSite http.SameSite) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: sameSite}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge.Seconds())
	}
	return c
}

// startSession creates a session for u and sets its cookie.
func (s *Server) startSession(ctx context.Context, w http.ResponseWriter, u store.User) error {
	tok := randomToken(32)
	now := s.now().UTC()
	sess := store.Session{
		ID: s.sessionID(tok), User: u.Name, CSRFToken: randomToken(32),
		CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL), Epoch: u.Epoch,
	}
	if err := s.opts.Store.CreateSession(ctx, sess); err != nil {
		return fmt.Errorf("create session for %q: %w", u.Name, err)
	}
	http.SetCookie(w, s.cookie(sessionCookie, tok, s.opts.SessionTTL, http.SameSiteLaxMode))
	return nil
}

// loginCSRFKey derives the key of login-form tokens from the session secret,
// so a token of one purpose is never valid for another.
func (s *Server) loginCSRFKey() []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("presswatch login csrf v1"))
	return m.Sum(nil)
}

// loginToken returns the login form's CSRF token for nonce (the value of the
// pre-login cookie): "<expiry unix>.<base64url HMAC(nonce, expiry)>". Only
// the server can make one, and it is valid only with its own cookie, so
// neither a forged pair of cookie and field nor another browser's token passes.
func (s *Server) loginToken(nonce string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	m := hmac.New(sha256.New, s.loginCSRFKey())
	m.Write([]byte(nonce + "\x00" + e))
	return e + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkLoginToken reports whether tok is a live token made by loginToken
// for nonce.
func (s *Server) checkLoginToken(nonce, tok string) bool {
	if len(nonce) < 16 || len(tok) > 128 {
		return false
	}
	e, _, ok := strings.Cut(tok, ".")
	if !ok {
		return false
	}
	sec, err := strconv.ParseInt(e, 10, 64)
	if err != nil || !s.now().Before(time.Unix(sec, 0)) {
		return false
	}
	want := s.loginToken(nonce, time.Unix(sec, 0))
	return hmac.Equal([]byte(want), []byte(tok))
}

// validInput reports whether r's path, query, form (for url-encoded bodies)
// and cookies are valid UTF-8 without NUL bytes. PostgreSQL refuses such
// text with an error, so they are answered 400 at the edge instead.
func validInput(r *http.Request) bool {
	if !validText(r.URL.Path) {
		return false
	}
	for k, vs := range r.URL.Query() {
		if !validText(k) {
			return false
		}
		for _, v := range vs {
			if !validText(v) {
				return false
			}
		}
	}
	for _, c := range r.Cookies() {
		if !validText(c.Value) {
			return false
		}
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			return false
		}
		for k, vs := range r.PostForm {
			if !validText(k) {
				return false
			}
			for _, v := range vs {
				if !validText(v) {
					return false
				}
			}
		}
	}
	return true
}

// clientIP is the peer address of r. X-Forwarded-For is deliberately not
// trusted: a reverse proxy in front must itself limit logins.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// UserStore is what Bootstrap and the `presswatch user` command need.
type UserStore interface {
	GetUser(ctx context.Context, name string) (store.User, error)
	ListUsers(ctx context.Context) ([]store.User, error)
	UpsertUser(ctx context.Context, u store.User) error
	AppendAudit(ctx context.Context, e store.AuditEntry) error
}

// Bootstrap makes the first account when there is none: user "admin" with
// role admin and a random password, which it writes to w once. It does
// nothing (created false) when any account exists. `presswatch run` calls it
// at start-up so a fresh installation is usable; the password should be
// changed with passwdCmd (default `presswatch user passwd admin`), the
// command as the operator must type it for this installation.
func Bootstrap(ctx context.Context, st UserStore, w io.Writer, passwdCmd string) (created bool, err error) {
	users, err := st.ListUsers(ctx)
	if err != nil {
		return false, fmt.Errorf("bootstrap admin: list users: %w", err)
	}
	if len(users) > 0 {
		return false, nil
	}
	pw, err := NewPassword()
	if err != nil {
		return false, fmt.Errorf("bootstrap admin: %w", err)
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return false, fmt.Errorf("bootstrap admin: %w", err)
	}
	u := store.User{Name: "admin", DisplayName: "Administrator", Role: RoleAdmin, PasswordHash: hash, CreatedAt: time.Now().UTC()}
	if err := st.UpsertUser(ctx, u); err != nil {
		return false, fmt.Errorf("bootstrap admin: store user: %w", err)
	}
	_ = st.AppendAudit(ctx, store.AuditEntry{At: time.Now().UTC(), Actor: "system", Action: "user.bootstrap", Object: "admin"})
	if passwdCmd == "" {
		passwdCmd = "presswatch user passwd admin"
	}
	fmt.Fprintf(w, "\n  presswatch: no accounts existed, so one was made.\n  user: admin\n  password: %s\n  (shown once; change it with `%s`)\n\n", pw, passwdCmd)
	return true, nil
}

func contextWith(ctx context.Context, p *principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

func auditEntry(at time.Time, actor, action, object, detail string) store.AuditEntry {
	return store.AuditEntry{At: at.UTC(), Actor: actor, Action: action, Object: object, Detail: detail}
}

package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/store"
)

type loginPage struct {
	Next    string
	User    string
	Token   string
	Message string
}

// loginFormTTL is how long a login form stays valid.
const loginFormTTL = time.Hour

// Bounds of the login form's fields: longer ones are refused before any
// lookup or hash.
const (
	maxLoginName     = 64
	maxLoginPassword = 1024
)

// handleLoginForm shows the login form with a fresh CSRF token.
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if p := principalFrom(r.Context()); p != nil && p.Session != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, "", "")
}

// showLogin renders the form with a new server-signed CSRF token bound to a
// new random nonce in a SameSite=Strict cookie (see loginToken).
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, code int, user, msgKey string) {
	nonce := randomToken(24)
	http.SetCookie(w, s.cookie(preLoginCookie, nonce, loginFormTTL, http.SameSiteStrictMode))
	tok := s.loginToken(nonce, s.now().Add(loginFormTTL))
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostFormValue("next")
	}
	m := messages{requestLang(r)}
	msg := ""
	if msgKey != "" {
		msg = m.T(msgKey)
	}
	if !validText(user) || len(user) > maxLoginName {
		user = ""
	}
	s.render(w, r, code, "login", "", m.T("login_title"), &loginPage{Next: safeNext(next), User: user, Token: tok, Message: msg})
}

// validText reports whether s is valid UTF-8 without NUL bytes.
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// handleLogin checks, cheapest first, the CSRF token, the input, the rate
// limits and the failure lock; only then does it look the user up and hash
// the password, in one of a few hash slots shared by every attempt, with a
// dummy hash for unknown users so they cost (and take) the same.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.metrics.logins.WithLabelValues("bad_input").Inc()
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		s.metrics.logins.WithLabelValues("bad_csrf").Inc()
		s.showLogin(w, r, http.StatusForbidden, name, "login_expired")
		return
	}
	c, err := r.Cookie(preLoginCookie)
	if err != nil || !s.checkLoginToken(c.Value, r.PostFormValue("csrf")) {
		s.metrics.logins.WithLabelValues("bad_csrf").Inc()
		s.showLogin(w, r, http.StatusForbidden, name, "login_expired")
		return
	}
	if !validText(name) || !validText(pw) || !validText(r.PostFormValue("next")) {
		s.metrics.logins.WithLabelValues("bad_input").Inc()
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	ip := clientIP(r)
	if wait, ok := s.logins.allow(ip); !ok {
		s.tooMany(w, r, name, wait)
		return
	}
	key := ipKey(ip) + "\x00" + strings.ToLower(name)
	if wait := s.logins.blocked(key); wait > 0 {
		s.tooMany(w, r, name, wait)
		return
	}
	if name == "" || len(name) > maxLoginName || pw == "" || len(pw) > maxLoginPassword {
		// No account has such a name or password: refused without a hash,
		// counted as a failure like any wrong password.
		s.logins.failed(key)
		s.metrics.logins.WithLabelValues("bad_password").Inc()
		s.showLogin(w, r, http.StatusUnauthorized, name, "login_failed")
		return
	}
	u, err := s.opts.Store.GetUser(r.Context(), name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("login: look up user", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = dummyHash // same work, in the same slots, for unknown users
	}
	var ok bool
	var verr error
	if herr := s.logins.hash(r.Context(), func() { ok, verr = VerifyPassword(hash, pw) }); herr != nil {
		s.metrics.logins.WithLabelValues("busy").Inc()
		w.Header().Set("Retry-After", "2")
		s.showLogin(w, r, http.StatusServiceUnavailable, name, "login_busy")
		return
	}
	if verr != nil {
		s.log.Error("login: unreadable password hash", "user", name)
	}
	if err != nil || !ok || u.PasswordHash == "" {
		s.logins.failed(key)
		s.metrics.logins.WithLabelValues("bad_password").Inc()
		s.log.Info("login failed", "user", name, "ip", ip)
		s.auditLoginFailed(r, name, ip, "wrong password or unknown user")
		s.showLogin(w, r, http.StatusUnauthorized, name, "login_failed")
		return
	}
	if u.Disabled || !ValidRole(u.Role) {
		s.logins.failed(key)
		// Counted as a wrong password: /metrics is not behind a login, and a
		// "disabled" count, which only a right password reaches, told an
		// anonymous caller that a disabled account's password was right (an
		// outside attack test). The log and the audit say which it was.
		s.metrics.logins.WithLabelValues("bad_password").Inc()
		s.log.Info("login refused: account disabled", "user", name)
		s.auditLoginFailed(r, name, ip, "account disabled")
		s.showLogin(w, r, http.StatusUnauthorized, name, "login_failed")
		return
	}
	s.logins.succeeded(key)
	if err := s.startSession(r.Context(), w, u); err != nil {
		s.log.Error("login", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, s.cookie(preLoginCookie, "", -1, http.SameSiteStrictMode))
	s.metrics.logins.WithLabelValues("ok").Inc()
	if err := s.opts.Store.AppendAudit(r.Context(), auditEntry(s.now(), u.Name, "login", u.Name, ip)); err != nil {
		s.log.Warn("audit login", "err", err)
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// auditLoginFailed writes a refused login (with a password checked) to the
// audit log, so that an administrator sees attempts on an account where
// the logins are; the limiter bounds how many there can be. Attempts
// refused by the limiter itself are counted in the metrics and logged, not
// audited one by one.
func (s *Server) auditLoginFailed(r *http.Request, name, ip, why string) {
	if err := s.opts.Store.AppendAudit(r.Context(), auditEntry(s.now(), "anonymous", "login.failed", name, ip+": "+why)); err != nil {
		s.log.Warn("audit failed login", "err", err)
	}
}

// tooMany answers a rate-limited login attempt: 429 with Retry-After.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, name string, wait time.Duration) {
	s.log.Info("login refused: too many attempts", "user", name, "ip", clientIP(r), "retry_after", wait.Round(time.Second))
	s.metrics.logins.WithLabelValues("rate_limited").Inc()
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	s.showLogin(w, r, http.StatusTooManyRequests, name, "login_limited")
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if p := principalFrom(r.Context()); p != nil && p.Session != nil {
		if err := s.opts.Store.DeleteSession(r.Context(), p.Session.ID); err != nil {
			s.log.Error("logout", "err", err)
			s.fail(w, r, false, http.StatusInternalServerError)
			return
		}
		s.audit(r, "logout", p.User.Name, "")
	}
	http.SetCookie(w, s.cookie(sessionCookie, "", -1, http.SameSiteLaxMode))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// handleLang sets the language cookie and returns to the page it came from.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) {
	l := r.PathValue("lang")
	if l != langVI && l != langEN {
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	c := s.cookie(langCookie, l, 365*24*time.Hour, http.SameSiteLaxMode)
	c.HttpOnly = false
	http.SetCookie(w, c)
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

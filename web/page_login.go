package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

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

// handleLoginForm shows the login form with a fresh double-submit CSRF
// token: the same random value in a SameSite=Strict cookie and in the form.
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if p := principalFrom(r.Context()); p != nil && p.Session != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, "", "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, code int, user, msgKey string) {
	tok := randomToken(24)
	http.SetCookie(w, s.cookie(preLoginCookie, tok, loginFormTTL, http.SameSiteStrictMode))
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostFormValue("next")
	}
	m := messages{requestLang(r)}
	msg := ""
	if msgKey != "" {
		msg = m.T(msgKey)
	}
	s.render(w, r, code, "login", "", m.T("login_title"), &loginPage{Next: safeNext(next), User: user, Token: tok, Message: msg})
}

// handleLogin checks the form token, the rate limit and the password, then
// starts a session.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	name := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	c, err := r.Cookie(preLoginCookie)
	form := r.PostFormValue("csrf")
	if err != nil || c.Value == "" || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 {
		s.metrics.logins.WithLabelValues("bad_csrf").Inc()
		s.showLogin(w, r, http.StatusForbidden, name, "login_expired")
		return
	}
	key := clientIP(r) + "\x00" + strings.ToLower(name)
	if wait := s.limiter.blocked(key); wait > 0 {
		s.metrics.logins.WithLabelValues("rate_limited").Inc()
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.showLogin(w, r, http.StatusTooManyRequests, name, "login_limited")
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
		hash = dummyHash // same work for unknown users
	}
	ok, verr := VerifyPassword(hash, pw)
	if verr != nil {
		s.log.Error("login: unreadable password hash", "user", name)
	}
	if err != nil || !ok || u.PasswordHash == "" {
		s.limiter.failed(key)
		s.metrics.logins.WithLabelValues("bad_password").Inc()
		s.log.Info("login failed", "user", name, "ip", clientIP(r))
		s.showLogin(w, r, http.StatusUnauthorized, name, "login_failed")
		return
	}
	if u.Disabled || !ValidRole(u.Role) {
		s.limiter.failed(key)
		s.metrics.logins.WithLabelValues("disabled").Inc()
		s.log.Info("login refused: account disabled", "user", name)
		s.showLogin(w, r, http.StatusUnauthorized, name, "login_failed")
		return
	}
	s.limiter.succeeded(key)
	if err := s.startSession(r.Context(), w, u); err != nil {
		s.log.Error("login", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, s.cookie(preLoginCookie, "", -1, http.SameSiteStrictMode))
	s.metrics.logins.WithLabelValues("ok").Inc()
	if err := s.opts.Store.AppendAudit(r.Context(), auditEntry(s.now(), u.Name, "login", u.Name, clientIP(r))); err != nil {
		s.log.Warn("audit login", "err", err)
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
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

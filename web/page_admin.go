package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/store"
)

// adminPage is the accounts page: accounts, API tokens and the audit log.
type adminPage struct {
	Users  []store.User
	Tokens []adminToken
	Audit  []store.AuditEntry
	Roles  []string
	Self   string
	Flash  string // a message key: what was done, or why not
	Error  bool
	// Secret is a new password or token, shown once, with SecretFor naming
	// whose it is.
	Secret, SecretKey, SecretFor string
}

type adminToken struct {
	ID, User, Label      string
	CreatedAt, ExpiresAt time.Time
	Expired              bool
}

// handleAdminUsers lists accounts (never their hashes), API tokens (never
// the tokens) and the recent audit log, with the forms that change them.
func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	pg := &adminPage{}
	q := r.URL.Query()
	if k := q.Get("done"); strings.HasPrefix(k, "admin_") {
		pg.Flash = k
	} else if k := q.Get("err"); strings.HasPrefix(k, "admin_") || strings.HasPrefix(k, "pw_") {
		pg.Flash, pg.Error = k, true
	}
	s.renderAdmin(w, r, http.StatusOK, pg)
}

func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, code int, pg *adminPage) {
	ctx := r.Context()
	users, err := s.opts.Store.ListUsers(ctx)
	if err != nil {
		s.log.Error("list users", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	for i := range users {
		users[i].PasswordHash = ""
	}
	toks, err := s.opts.Store.ListAPITokens(ctx, "")
	if err != nil {
		s.log.Error("list api tokens", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	audit, err := s.opts.Store.ListAudit(ctx, 100)
	if err != nil {
		s.log.Error("list audit", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	now := s.now()
	for _, t := range toks {
		pg.Tokens = append(pg.Tokens, adminToken{ID: TokenID(t.Hash), User: t.User, Label: t.Label, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
			Expired: !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)})
	}
	// A triage change is recorded in English; the page gives it in its
	// language, as the alert's history does (an outside reading).
	m := messages{requestLang(r)}
	for i, e := range audit {
		if e.Action == "alert.update" {
			audit[i].Detail = strings.Join(describeAlertChange(m, e.Detail), "; ")
		}
	}
	pg.Users, pg.Audit, pg.Roles = users, audit, AllRoles
	if p := principalFrom(ctx); p != nil {
		pg.Self = p.User.Name
	}
	s.render(w, r, code, "admin_users", "users", messages{requestLang(r)}.T("users_title"), pg)
}

// adminBack redirects to the accounts page with a message key (post,
// redirect, get: a reload does not repeat the change).
func adminBack(w http.ResponseWriter, r *http.Request, param, key string) {
	http.Redirect(w, r, "/admin/users?"+param+"="+url.QueryEscape(key), http.StatusSeeOther)
}

// handleAdminUserCreate adds an account with a random password, shown once.
func (s *Server) handleAdminUserCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := principalFrom(ctx)
	name := strings.TrimSpace(r.PostFormValue("name"))
	role := r.PostFormValue("role")
	if role == "" {
		role = RoleViewer
	}
	if !ValidUserName(name) {
		adminBack(w, r, "err", "admin_err_name")
		return
	}
	if !ValidRole(role) {
		adminBack(w, r, "err", "admin_err_role")
		return
	}
	if taken, err := UserNameTaken(ctx, s.opts.Store, name); err == nil && taken != "" {
		adminBack(w, r, "err", "admin_err_exists")
		return
	} else if err != nil {
		s.log.Error("admin: look up user", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	pw, err := NewPassword()
	if err == nil {
		var hash string
		if hash, err = HashPassword(pw); err == nil {
			u := store.User{Name: name, DisplayName: limitText(r.PostFormValue("display_name"), 200), Email: limitText(r.PostFormValue("email"), 200),
				Role: role, PasswordHash: hash, CreatedAt: s.now().UTC()}
			err = s.opts.Store.UpsertUser(ctx, u)
		}
	}
	if err != nil {
		s.log.Error("admin: add user", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.audit(r, "user.add", name, "role "+role)
	s.log.Info("account added", "user", name, "role", role, "by", p.User.Name)
	s.renderAdmin(w, r, http.StatusOK, &adminPage{Flash: "admin_done", Secret: pw, SecretKey: "admin_new_password", SecretFor: name})
}

// handleAdminUserAction is POST /admin/users/{id}/{action}: disable,
// enable, password (a random new one, shown once) or role.
func (s *Server) handleAdminUserAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := principalFrom(ctx)
	name, action := r.PathValue("id"), r.PathValue("action")
	if _, err := s.opts.Store.GetUser(ctx, name); errors.Is(err, store.ErrNotFound) {
		adminBack(w, r, "err", "admin_err_notfound")
		return
	} else if err != nil {
		s.log.Error("admin: look up user", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	st := s.opts.Store
	var err error
	switch action {
	case "disable":
		if name == p.User.Name {
			adminBack(w, r, "err", "admin_err_self")
			return
		}
		err = SetDisabled(ctx, st, name, true, p.User.Name)
	case "enable":
		err = SetDisabled(ctx, st, name, false, p.User.Name)
	case "role":
		role := r.PostFormValue("role")
		if !ValidRole(role) {
			adminBack(w, r, "err", "admin_err_role")
			return
		}
		if name == p.User.Name && role != RoleAdmin {
			adminBack(w, r, "err", "admin_err_self")
			return
		}
		err = SetRole(ctx, st, name, role, p.User.Name)
	case "password":
		var pw string
		if pw, err = NewPassword(); err == nil {
			if err = SetPassword(ctx, st, name, pw, p.User.Name); err == nil {
				s.renderAdmin(w, r, http.StatusOK, &adminPage{Flash: "admin_revoked_note", Secret: pw, SecretKey: "admin_new_password", SecretFor: name})
				return
			}
		}
	default:
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	if err != nil {
		s.log.Error("admin: change account", "action", action, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	if action == "role" {
		adminBack(w, r, "done", "admin_done")
		return
	}
	adminBack(w, r, "done", "admin_revoked_note")
}

// handleAdminTokenCreate makes an API token for an account, shown once.
func (s *Server) handleAdminTokenCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := principalFrom(ctx)
	user := r.PostFormValue("user")
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if r.PostFormValue("days") == "" {
		days, err = 90, nil
	}
	if err != nil || days < 1 || days > 365 {
		adminBack(w, r, "err", "admin_err_ttl")
		return
	}
	tok, err := NewToken(ctx, s.opts.Store, user, limitText(r.PostFormValue("label"), 200), time.Duration(days)*24*time.Hour, s.now(), p.User.Name)
	if errors.Is(err, store.ErrNotFound) || err != nil && strings.Contains(err.Error(), "disabled") {
		adminBack(w, r, "err", "admin_err_notfound")
		return
	}
	if err != nil {
		s.log.Error("admin: create token", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.renderAdmin(w, r, http.StatusOK, &adminPage{Flash: "admin_done", Secret: tok, SecretKey: "admin_new_token", SecretFor: user})
}

// handleAdminTokenRevoke is POST /admin/tokens/{id}/revoke; id is a token ID
// (a prefix of its hash, see TokenID).
func (s *Server) handleAdminTokenRevoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	toks, err := s.opts.Store.ListAPITokens(ctx, "")
	if err != nil {
		s.log.Error("admin: list tokens", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	t, err := FindToken(toks, strings.ToLower(r.PathValue("id")))
	if err != nil {
		adminBack(w, r, "err", "admin_err_notfound")
		return
	}
	if err := s.opts.Store.DeleteAPIToken(ctx, t.Hash); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("admin: revoke token", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.audit(r, "token.revoke", t.User, TokenID(t.Hash)+" "+t.Label)
	adminBack(w, r, "done", "admin_done")
}

// ValidUserName reports whether n can name an account: 1–64 ASCII letters,
// digits, '.', '_', '-' or '@'.
func ValidUserName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-@", c)) {
			return false
		}
	}
	return true
}

// UserNameTaken returns the account whose name is name but for letter case
// ("Admin" beside "admin"), or "". Names differing only in case would be
// two accounts that read as one in the header and the audit log, and
// share one lock after failed logins (the lock folds case).
func UserNameTaken(ctx context.Context, st interface {
	ListUsers(ctx context.Context) ([]store.User, error)
}, name string) (string, error) {
	us, err := st.ListUsers(ctx)
	if err != nil {
		return "", err
	}
	for _, u := range us {
		if strings.EqualFold(u.Name, name) {
			return u.Name, nil
		}
	}
	return "", nil
}

// limitText trims s and cuts it to at most n characters.
func limitText(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

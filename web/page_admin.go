package web

import (
	"net/http"

	"github.com/dongnai/presswatch/store"
)

type adminPage struct {
	Users []store.User
	Audit []store.AuditEntry
}

// handleAdminUsers lists accounts (never their hashes) and the recent audit log.
func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.opts.Store.ListUsers(r.Context())
	if err != nil {
		s.log.Error("list users", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	for i := range users {
		users[i].PasswordHash = ""
	}
	audit, err := s.opts.Store.ListAudit(r.Context(), 100)
	if err != nil {
		s.log.Error("list audit", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.render(w, r, http.StatusOK, "admin_users", "users", messages{requestLang(r)}.T("users_title"), &adminPage{Users: users, Audit: audit})
}

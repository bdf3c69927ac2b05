package web

import "net/http"

// handleAlerts is the alert inbox placeholder: the inbox arrives with the
// alerts issue, and the page says so rather than pretending.
func (s *Server) handleAlerts(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "alerts", "alerts", messages{requestLang(r)}.T("alerts_title"), nil)
}

package web

import (
	"net/http"

	"github.com/dongnai/presswatch/alerts"
)

// MailboxLister is the demo's SMTP sink (*alerts.Mailbox): what it received.
type MailboxLister interface {
	Messages() []alerts.MailboxMessage
	Message(name string) (alerts.MailboxMessage, bool)
}

// Demo mailbox pages: what the demo's SMTP sink received. They answer 404
// unless Options.Demo is set and a mailbox is given.

// mailboxList lists the messages the demo's SMTP sink received, newest first.
func (s *Server) mailboxList(mb MailboxLister) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if mb == nil || !s.opts.Demo {
			s.fail(w, r, false, http.StatusNotFound)
			return
		}
		s.render(w, r, http.StatusOK, "alert_mailbox", "alerts", "Hộp thư demo / Demo mailbox", mb.Messages())
	}
}

// mailboxMessage shows one received message as raw text (.eml), never as HTML.
func (s *Server) mailboxMessage(mb MailboxLister) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if mb == nil || !s.opts.Demo {
			s.fail(w, r, false, http.StatusNotFound)
			return
		}
		m, ok := mb.Message(r.PathValue("name"))
		if !ok {
			s.fail(w, r, false, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Disposition", `inline; filename="`+m.Name+`"`)
		_, _ = w.Write(m.Raw)
	}
}

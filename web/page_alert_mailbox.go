package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"strings"

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
		s.render(w, r, http.StatusOK, "alert_mailbox", "alerts", messages{requestLang(r)}.T("mailbox_title"), mb.Messages())
	}
}

// mailboxMessage shows one received message decoded (headers, the plain
// text, and the HTML part sanitised), or with ?raw=1 the .eml as text.
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
		if r.URL.Query().Get("raw") != "1" {
			mv := decodeMail(m)
			if mv.HTML != "" {
				mv.SafeHTML = template.HTML(s.pages.summary.Sanitize(mv.HTML)) //nolint:gosec // sanitised
			}
			s.render(w, r, http.StatusOK, "alert_mail", "alerts", m.Subject, mv)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Disposition", `inline; filename="`+m.Name+`"`)
		_, _ = w.Write(m.Raw)
	}
}

// mailView is one demo mailbox message, decoded for reading.
type mailView struct {
	alerts.MailboxMessage
	Text     string
	HTML     string
	SafeHTML template.HTML
	Failed   bool
}

// maxMailPart bounds a decoded part.
const maxMailPart = 4 << 20

// decodeMail parses a message and decodes its transfer encodings
// (quoted-printable, base64) and MIME words, keeping the first text/plain
// and text/html parts.
func decodeMail(m alerts.MailboxMessage) mailView {
	v := mailView{MailboxMessage: m}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		v.Failed = true
		return v
	}
	var dec mime.WordDecoder
	if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil && subj != "" {
		v.Subject = subj
	}
	if from, err := dec.DecodeHeader(msg.Header.Get("From")); err == nil && from != "" {
		v.From = from
	}
	walkPart(&v, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	if v.Text == "" && v.HTML == "" {
		v.Failed = true
	}
	return v
}

func walkPart(v *mailView, ctype, enc string, body io.Reader, depth int) {
	if depth > 5 {
		return
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			walkPart(v, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
		}
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxMailPart))
	if err != nil {
		return
	}
	text := strings.ToValidUTF8(string(b), "\uFFFD")
	switch mt {
	case "text/plain":
		if v.Text == "" {
			v.Text = text
		}
	case "text/html":
		if v.HTML == "" {
			v.HTML = text
		}
	}
}

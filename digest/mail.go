package digest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Mailer hands a report email to the outbox. OutboxMailer is the real one
// (the alerts outbox: nothing lost, nothing twice — a message with an ID
// already enqueued is not enqueued again); the scheduler archives reports
// and skips sending when it has no Mailer.
type Mailer interface {
	Enqueue(ctx context.Context, m *Message) error
}

// Message is one report email to one recipient.
type Message struct {
	// ID is the idempotency key of the delivery: the digest ID and the
	// recipient. Enqueueing the same ID twice must send once.
	ID string
	// DigestID is the archived report the message carries.
	DigestID string
	// MessageID is the RFC 5322 Message-ID, derived from ID, so a resend is
	// recognisable by the receiving server and the reader's client.
	MessageID string
	To        string
	Subject   string
	HTML      string // refers to the charts as cid:ContentID
	Text      string
	Inline    []Part // the charts
	Attach    []Part // the PDF, when there is one
}

// Part is an inline image or an attachment.
type Part struct {
	ContentID   string // inline parts only
	Filename    string
	ContentType string
	Data        []byte
}

// messageFor builds the message of a rendered report for one recipient.
func messageFor(o *Output, to, domain string) *Message {
	id := o.DigestID + "/" + strings.ToLower(strings.TrimSpace(to))
	sum := sha256.Sum256([]byte(id))
	m := &Message{
		ID: id, DigestID: o.DigestID, To: to, Subject: Subject(o.Report),
		MessageID: "<digest." + hex.EncodeToString(sum[:12]) + "@" + domain + ">",
		HTML:      string(o.EmailHTML), Text: o.Text,
	}
	for _, c := range o.Charts {
		m.Inline = append(m.Inline, Part{ContentID: c.ContentID, Filename: c.Name, ContentType: "image/png", Data: c.PNG})
	}
	if len(o.PDF) > 0 {
		m.Attach = append(m.Attach, Part{Filename: o.DigestID + ".pdf", ContentType: "application/pdf", Data: o.PDF})
	}
	if len(o.DOCX) > 0 {
		m.Attach = append(m.Attach, Part{Filename: o.DigestID + ".docx",
			ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: o.DOCX})
	}
	return m
}

// MIME encodes m as an RFC 5322 message from the given sender: a text part
// and an HTML part whose charts are inline parts (multipart/related, by
// Content-ID), and the PDF as an attachment. An outbox that stores or sends
// raw messages can hand these bytes to any SMTP client.
func (m *Message) MIME(from string, date time.Time) ([]byte, error) {
	msg, err := m.mailMsg(from, date)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode report email: %w", err)
	}
	return buf.Bytes(), nil
}

func (m *Message) mailMsg(from string, date time.Time) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("encode report email: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("encode report email: to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	msg.SetDateWithValue(date)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	for _, p := range m.Inline {
		if err := msg.EmbedReader(p.Filename, bytes.NewReader(p.Data), gomail.WithFileContentID("<"+p.ContentID+">"), // RFC 2392: in angle brackets
			gomail.WithFileContentType(gomail.ContentType(p.ContentType))); err != nil {
			return nil, fmt.Errorf("encode report email: inline %s: %w", p.Filename, err)
		}
	}
	for _, p := range m.Attach {
		if err := msg.AttachReader(p.Filename, bytes.NewReader(p.Data), gomail.WithFileContentType(gomail.ContentType(p.ContentType))); err != nil {
			return nil, fmt.Errorf("encode report email: attachment %s: %w", p.Filename, err)
		}
	}
	return msg, nil
}

package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Message is one rendered delivery handed to a Notifier.
type Message struct {
	DeliveryID string
	MessageID  string // "<…@presswatch>", stable for the delivery
	Receiver   string
	To         string // an email address or a webhook URL
	Critical   bool
	Rendered
	Payload WebhookPayload
	// Raw, when set, is a complete RFC 5322 message built before it was
	// enqueued (a report): it is sent byte for byte, with its own headers.
	Raw []byte
}

// Notifier delivers a message over one channel. It returns nil only when the
// receiver accepted the message; with an error, retry says whether a later
// attempt may succeed (a 4xx SMTP reply, a timeout) or not (a 5xx reply).
type Notifier interface {
	Notify(ctx context.Context, m *Message) (retry bool, err error)
}

// TLS modes of the SMTP client.
const (
	TLSNone     = "none"     // plain text (a local relay, the demo sink)
	TLSStartTLS = "starttls" // STARTTLS, required
	TLSImplicit = "implicit" // TLS from the first byte (port 465)
)

// SMTPOptions configure an EmailNotifier.
type SMTPOptions struct {
	Host     string
	Port     int    // 0: 25, 587 (starttls) or 465 (implicit)
	TLS      string // none, starttls (default) or implicit
	User     string // empty: no authentication
	Password string
	From     string
	Timeout  time.Duration // per connection; 0 means 30s
	// TLSConfig overrides the TLS settings (tests use it to trust their CA).
	TLSConfig *tls.Config
}

// EmailNotifier sends messages over SMTP with github.com/wneessen/go-mail.
type EmailNotifier struct {
	opts SMTPOptions
}

// NewEmailNotifier validates opts and returns a notifier.
func NewEmailNotifier(opts SMTPOptions) (*EmailNotifier, error) {
	if opts.Host == "" {
		return nil, errors.New("smtp: no host")
	}
	if opts.From == "" {
		return nil, errors.New("smtp: no from address")
	}
	switch opts.TLS {
	case "":
		opts.TLS = TLSStartTLS
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return nil, fmt.Errorf("smtp: unknown tls mode %q (want none, starttls or implicit)", opts.TLS)
	}
	if opts.Port == 0 {
		opts.Port = map[string]int{TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465}[opts.TLS]
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	return &EmailNotifier{opts: opts}, nil
}

func (e *EmailNotifier) client() (*mail.Client, error) {
	o := e.opts
	copts := []mail.Option{mail.WithPort(o.Port), mail.WithTimeout(o.Timeout), mail.WithHELO("presswatch")}
	switch o.TLS {
	case TLSNone:
		copts = append(copts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSStartTLS:
		copts = append(copts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSImplicit:
		copts = append(copts, mail.WithSSL())
	}
	if o.TLSConfig != nil {
		copts = append(copts, mail.WithTLSConfig(o.TLSConfig))
	}
	if o.User != "" {
		copts = append(copts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(o.User), mail.WithPassword(o.Password))
	}
	return mail.NewClient(o.Host, copts...)
}

// BuildEmail returns the MIME message for m (multipart/alternative: text, then HTML).
func (e *EmailNotifier) BuildEmail(m *Message, now time.Time) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(e.opts.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", e.opts.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", m.To, err)
	}
	msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	msg.SetDateWithValue(now)
	msg.Subject(HeaderSafe(m.Subject, 250))
	msg.SetGenHeader("X-Presswatch-Delivery", m.DeliveryID)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if m.Critical {
		msg.SetImportance(mail.ImportanceHigh)
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Notify sends m and returns nil once the SMTP server accepted it.
func (e *EmailNotifier) Notify(ctx context.Context, m *Message) (bool, error) {
	if len(m.Raw) > 0 {
		return e.sendRaw(ctx, m)
	}
	msg, err := e.BuildEmail(m, time.Now())
	if err != nil {
		return false, fmt.Errorf("build email: %w", err)
	}
	c, err := e.client()
	if err != nil {
		return false, fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return smtpRetryable(err), fmt.Errorf("send email to %s via %s: %w", m.To, c.ServerAddr(), err)
	}
	return true, nil
}

// sendRaw sends a prebuilt message as it is: MAIL FROM the configured
// sender, RCPT TO m.To, DATA m.Raw (dot-stuffed by the client).
func (e *EmailNotifier) sendRaw(ctx context.Context, m *Message) (bool, error) {
	from, err := netmail.ParseAddress(e.opts.From)
	if err != nil {
		return false, fmt.Errorf("from %q: %w", e.opts.From, err)
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return false, fmt.Errorf("to %q: %w", m.To, err)
	}
	c, err := e.client()
	if err != nil {
		return false, fmt.Errorf("smtp client: %w", err)
	}
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return rawRetryable(err), fmt.Errorf("send email to %s via %s: %w", m.To, c.ServerAddr(), err)
	}
	defer func() { _ = c.CloseWithSMTPClient(sc) }()
	send := func() error {
		if err := sc.Mail("<" + from.Address + ">"); err != nil {
			return err
		}
		if err := sc.Rcpt("<" + to.Address + ">"); err != nil {
			return err
		}
		w, err := sc.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write(m.Raw); err != nil {
			_ = w.Close()
			return err
		}
		return w.Close() // the server's final reply: 250 is acceptance
	}
	if err := send(); err != nil {
		return rawRetryable(err), fmt.Errorf("send email to %s via %s: %w", m.To, c.ServerAddr(), err)
	}
	return true, nil
}

// rawRetryable reports whether an error of a raw SMTP exchange may pass:
// anything but a permanent (5xx) reply.
func rawRetryable(err error) bool {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code < 500 || te.Code >= 600
	}
	return true
}

// smtpRetryable reports whether an SMTP error may pass: anything but a
// permanent (5xx) reply.
func smtpRetryable(err error) bool {
	var se *mail.SendError
	if errors.As(err, &se) {
		if se.IsTemp() {
			return true
		}
		if code := se.ErrorCode(); code >= 500 && code < 600 {
			return false
		}
	}
	return true
}

// WebhookPayload is the JSON body posted to a webhook receiver.
type WebhookPayload struct {
	Version    int           `json:"version"`
	DeliveryID string        `json:"delivery_id"`
	Receiver   string        `json:"receiver"`
	Route      string        `json:"route"`
	Critical   bool          `json:"critical"`
	Subject    string        `json:"subject"`
	Text       string        `json:"text"`
	AckURL     string        `json:"ack_url"`
	Alerts     []WebhookItem `json:"alerts"`
}

// WebhookItem is one alert of a webhook payload.
type WebhookItem struct {
	AlertID    string   `json:"alert_id"`
	ArticleID  string   `json:"article_id"`
	Title      string   `json:"title"`
	Outlet     string   `json:"outlet"`
	Country    string   `json:"country"`
	Lang       string   `json:"lang"`
	URL        string   `json:"url"`
	ArticleURL string   `json:"article_url"`
	Risk       int      `json:"risk"`
	Reasons    []Reason `json:"reasons"`
}

// SignatureHeader carries "sha256=<hex HMAC-SHA256 of the body>" on webhook posts.
const SignatureHeader = "X-Presswatch-Signature"

// WebhookNotifier posts JSON payloads signed with HMAC-SHA256.
type WebhookNotifier struct {
	client  *http.Client
	secrets map[string][]byte // by receiver
}

// NewWebhookNotifier returns a notifier; secrets holds each receiver's
// signing key, timeout bounds each post (0 means 10s).
func NewWebhookNotifier(secrets map[string][]byte, timeout time.Duration) *WebhookNotifier {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &WebhookNotifier{client: &http.Client{Timeout: timeout}, secrets: secrets}
}

// Sign returns the signature header value of body under key.
func Sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Notify posts m.Payload to m.To; a 2xx answer is acceptance, 4xx (but 408
// and 429) is permanent.
func (w *WebhookNotifier) Notify(ctx context.Context, m *Message) (bool, error) {
	if len(m.Raw) > 0 {
		return false, fmt.Errorf("webhook of %s: a prebuilt email cannot be posted", m.Receiver)
	}
	body, err := json.Marshal(m.Payload)
	if err != nil {
		return false, fmt.Errorf("encode webhook payload: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.To, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.DeliveryID)
	if key := w.secrets[m.Receiver]; len(key) > 0 {
		req.Header.Set(SignatureHeader, Sign(key, body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return true, fmt.Errorf("post webhook of %s: %w", m.Receiver, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return true, nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != 408 && resp.StatusCode != 429:
		return false, fmt.Errorf("post webhook of %s: %s", m.Receiver, resp.Status)
	default:
		return true, fmt.Errorf("post webhook of %s: %s", m.Receiver, resp.Status)
	}
}

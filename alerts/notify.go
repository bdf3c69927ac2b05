package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	netmail "net/mail"
	"net/netip"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/dongnai/presswatch/internal/netguard"
)

// Message is one rendered delivery handed to a Notifier.
type Message struct {
	DeliveryID string
	MessageID  string // "<…@presswatch>", stable for the delivery
	Receiver   string
	To         string // an email address, or "webhook:<receiver>" (the URL is never stored)
	// Thread, when set, is the Message-ID (without <>) every message of
	// one story to one address refers to, so mail clients show them as one
	// thread (StoryThread).
	Thread   string
	Critical bool
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

// StoryThread is the thread root of the messages about story cluster sent
// to one address: derived from both alone, so every message of the story
// to that address names the same root, across restarts and replicas.
func StoryThread(cluster, recipient string) string {
	h := sha256.Sum256([]byte(recipient))
	return "story-" + cluster + "." + hex.EncodeToString(h[:6]) + "@presswatch"
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
	if m.Thread != "" {
		// The story's messages refer to one root that is never sent
		// itself (RFC 5322 allows a reference to a message the reader does
		// not have): Thunderbird, Apple Mail and Outlook thread by it.
		msg.SetGenHeader(mail.HeaderReferences, "<"+m.Thread+">")
		msg.SetGenHeader(mail.HeaderInReplyTo, "<"+m.Thread+">")
	}
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
	// AlsoRoutes are the other routes that matched the article for the
	// same receiver (this message carries it for them too).
	AlsoRoutes []string `json:"also_routes,omitempty"`
}

// Standard Webhooks headers (https://www.standardwebhooks.com): the message
// ID (the delivery ID, stable across retries), the Unix time of signing, and
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>". A receiver checks the
// signature and refuses timestamps outside its tolerance, so a captured post
// cannot be replayed later (VerifyWebhook does both).
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// DefaultWebhookTolerance is how far from the receiver's clock a signed
// timestamp may be in VerifyWebhook.
const DefaultWebhookTolerance = 5 * time.Minute

// Errors of VerifyWebhook.
var (
	ErrWebhookSignature = errors.New("webhook signature missing or wrong")
	ErrWebhookTimestamp = errors.New("webhook timestamp missing or outside the tolerance (replay?)")
)

// SignWebhook returns the webhook-signature value of a post: "v1," and the
// base64 HMAC-SHA256 of "id.timestamp.body" under key.
func SignWebhook(key []byte, id string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks a received post the way a receiver should: the
// timestamp within tolerance of now (0 means DefaultWebhookTolerance) and
// one of the space-separated signatures matching. It is the reference for
// receivers and what the tests use.
func VerifyWebhook(key []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	id, tsText := h.Get(HeaderWebhookID), h.Get(HeaderWebhookTimestamp)
	sec, err := strconv.ParseInt(tsText, 10, 64)
	if id == "" || err != nil {
		return ErrWebhookTimestamp
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return ErrWebhookTimestamp
	}
	want := SignWebhook(key, id, ts, body)
	for _, sig := range strings.Fields(h.Get(HeaderWebhookSignature)) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return ErrWebhookSignature
}

// WebhookEndpoint is where one receiver's webhook posts go. URL often
// carries a token: it is never logged, stored in the outbox or shown in an
// error (see RedactURL).
type WebhookEndpoint struct {
	URL    string
	Secret []byte // signing key; empty: posts are not signed
}

// WebhookOptions configure a WebhookNotifier.
type WebhookOptions struct {
	// Endpoints are the webhook endpoints by receiver name. A message for a
	// receiver without one fails permanently.
	Endpoints map[string]WebhookEndpoint
	// Timeout bounds each post; default 10s.
	Timeout time.Duration
	// AllowNets opens the SSRF guard to these non-public networks (a chat
	// bridge on the office network; loopback in tests). Default: none.
	AllowNets []netip.Prefix
	// Now returns the signing time; default time.Now.
	Now func() time.Time
}

// WebhookNotifier posts JSON payloads signed the Standard Webhooks way. It
// dials public addresses only (checked at dial time, after DNS), never
// follows redirects and uses no proxy.
type WebhookNotifier struct {
	client    *http.Client
	endpoints map[string]WebhookEndpoint
	now       func() time.Time
}

// NewWebhookNotifier validates opts and returns a notifier.
func NewWebhookNotifier(opts WebhookOptions) (*WebhookNotifier, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	for name, ep := range opts.Endpoints {
		u, err := url.Parse(ep.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("webhook of %s: %s is not an http(s) URL", name, RedactURL(ep.URL))
		}
	}
	dialer := &net.Dialer{Timeout: opts.Timeout, Control: netguard.Guard{Allow: opts.AllowNets}.Control}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us, past the guard
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       time.Minute,
		ForceAttemptHTTP2:     true,
	}
	c := &http.Client{
		Transport: tr,
		Timeout:   opts.Timeout,
		// A redirect would re-post the signed body elsewhere: never follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &WebhookNotifier{client: c, endpoints: opts.Endpoints, now: opts.Now}, nil
}

// RedactURL returns u with everything that may be a credential hidden: the
// user information, the path and the query. "https://hooks.example.org/…"
// tells an operator which service failed without giving its token away.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "<redacted URL>"
	}
	out := p.Scheme + "://" + p.Host
	if (p.Path != "" && p.Path != "/") || p.RawQuery != "" || p.User != nil {
		out += "/…"
	}
	return out
}

// Notify posts m.Payload to the endpoint of m.Receiver (m.To is not used:
// the outbox records "webhook:<receiver>", never the URL); a 2xx answer is
// acceptance, a redirect or 4xx (but 408 and 429) is permanent. Errors never
// contain the URL.
func (w *WebhookNotifier) Notify(ctx context.Context, m *Message) (bool, error) {
	if len(m.Raw) > 0 {
		return false, fmt.Errorf("webhook of %s: a prebuilt email cannot be posted", m.Receiver)
	}
	ep, ok := w.endpoints[m.Receiver]
	if !ok {
		return false, fmt.Errorf("webhook of %s: no webhook configured for this receiver", m.Receiver)
	}
	body, err := json.Marshal(m.Payload)
	if err != nil {
		return false, fmt.Errorf("encode webhook payload: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("webhook request of %s to %s: invalid request", m.Receiver, RedactURL(ep.URL))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "presswatch-webhook/1")
	req.Header.Set("Idempotency-Key", m.DeliveryID)
	req.Header.Set(HeaderWebhookID, m.DeliveryID)
	ts := w.now()
	req.Header.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	if len(ep.Secret) > 0 {
		req.Header.Set(HeaderWebhookSignature, SignWebhook(ep.Secret, m.DeliveryID, ts, body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = RedactURL(ep.URL) // the URL may hold a token: never in an error column or a log
		}
		retry := !errors.Is(err, netguard.ErrBlocked)
		return retry, fmt.Errorf("post webhook of %s: %w", m.Receiver, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return true, nil
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return false, fmt.Errorf("post webhook of %s: %s: redirects are not followed", m.Receiver, resp.Status)
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != 408 && resp.StatusCode != 429:
		return false, fmt.Errorf("post webhook of %s: %s", m.Receiver, resp.Status)
	default:
		return true, fmt.Errorf("post webhook of %s: %s", m.Receiver, resp.Status)
	}
}

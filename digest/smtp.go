package digest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPOptions configure an SMTPMailer.
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
	// Now is the clock for the Date header; nil means time.Now.
	Now func() time.Time
}

// SMTPMailer sends each report email at once over SMTP. It is the interim
// Mailer until the alerts outbox carries reports: a message is handed over
// only when the server accepted it (Enqueue returns an error otherwise, and
// the scheduler retries the period after its lease). A retry after a failure
// part-way through the recipients may send a recipient a second copy; it has
// the same Message-ID, so clients show it once.
type SMTPMailer struct {
	opts SMTPOptions
}

// NewSMTPMailer validates opts.
func NewSMTPMailer(opts SMTPOptions) (*SMTPMailer, error) {
	if opts.Host == "" {
		return nil, errors.New("digest smtp: no host")
	}
	if opts.From == "" {
		return nil, errors.New("digest smtp: no from address")
	}
	switch opts.TLS {
	case "":
		opts.TLS = "starttls"
	case "none", "starttls", "implicit":
	default:
		return nil, fmt.Errorf("digest smtp: unknown tls mode %q (want none, starttls or implicit)", opts.TLS)
	}
	if opts.Port == 0 {
		opts.Port = map[string]int{"none": 25, "starttls": 587, "implicit": 465}[opts.TLS]
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &SMTPMailer{opts: opts}, nil
}

// Enqueue sends m and returns when the server accepted it.
func (s *SMTPMailer) Enqueue(ctx context.Context, m *Message) error {
	o := s.opts
	msg, err := m.mailMsg(o.From, o.Now())
	if err != nil {
		return err
	}
	copts := []gomail.Option{gomail.WithPort(o.Port), gomail.WithTimeout(o.Timeout), gomail.WithHELO("presswatch")}
	switch o.TLS {
	case "none":
		copts = append(copts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls":
		copts = append(copts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "implicit":
		copts = append(copts, gomail.WithSSL())
	}
	if o.TLSConfig != nil {
		copts = append(copts, gomail.WithTLSConfig(o.TLSConfig))
	}
	if o.User != "" {
		copts = append(copts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(o.User), gomail.WithPassword(o.Password))
	}
	c, err := gomail.NewClient(o.Host, copts...)
	if err != nil {
		return fmt.Errorf("send report %s to %s: %w", m.DigestID, m.To, err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send report %s to %s: %w", m.DigestID, m.To, err)
	}
	return nil
}

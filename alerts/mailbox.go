package alerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	smtp "github.com/emersion/go-smtp"
)

// MailboxOptions configure a Mailbox.
type MailboxOptions struct {
	// Addr is the loopback address to listen on; "" means 127.0.0.1:0.
	Addr string
	// Dir is where messages are saved as .eml files (DataDir/mailbox in the
	// demo); "" keeps them in memory only.
	Dir string
	// OnMessage, when set, is called with each accepted message after it is
	// stored and before the client is told it was accepted.
	OnMessage func(MailboxMessage)
	Logger    *slog.Logger
}

// MailboxMessage is one message the sink accepted.
type MailboxMessage struct {
	Name      string // file name (.eml) under Dir, unique
	From      string
	To        []string
	Subject   string // decoded
	MessageID string
	Received  time.Time
	Size      int
	Raw       []byte `json:"-"`
}

// Mailbox is an in-process SMTP server that accepts every message for the
// demo and the tests: it keeps what it received in memory, saves it as .eml
// files and lists it for the web page. It only listens on loopback.
type Mailbox struct {
	opts   MailboxOptions
	srv    *smtp.Server
	ln     net.Listener
	log    *slog.Logger
	mu     sync.Mutex
	msgs   []MailboxMessage
	refuse time.Time
	seq    int
	done   chan struct{}
}

// NewMailbox starts listening (not yet serving: call Run).
func NewMailbox(opts MailboxOptions) (*Mailbox, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailbox address %q: %w", opts.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("mailbox address %q: only loopback is allowed", opts.Addr)
	}
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
			return nil, fmt.Errorf("mailbox folder: %w", err)
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailbox listen: %w", err)
	}
	m := &Mailbox{opts: opts, ln: ln, log: opts.Logger.With("component", "mailbox"), done: make(chan struct{})}
	m.srv = smtp.NewServer(m)
	m.srv.Domain = "presswatch-mailbox.local"
	m.srv.AllowInsecureAuth = true
	m.srv.MaxMessageBytes = 10 << 20
	m.srv.ReadTimeout, m.srv.WriteTimeout = 30*time.Second, 30*time.Second
	m.srv.EnableSMTPUTF8 = true
	if opts.Dir != "" {
		m.loadDir()
	}
	return m, nil
}

// Addr returns the address the sink listens on.
func (m *Mailbox) Addr() string { return m.ln.Addr().String() }

// HostPort returns the sink's host and port.
func (m *Mailbox) HostPort() (string, int) {
	a := m.ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

// Run serves SMTP until ctx is done.
func (m *Mailbox) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- m.srv.Serve(m.ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := m.srv.Shutdown(sctx); err != nil {
			_ = m.srv.Close()
		}
		<-errc
		return nil
	case err := <-errc:
		if errors.Is(err, smtp.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("mailbox: %w", err)
	}
}

// Close stops the server at once.
func (m *Mailbox) Close() error { return m.srv.Close() }

// RefuseUntil makes the sink answer every message with a temporary failure
// (421) until t, to show retries in the demo and test them.
func (m *Mailbox) RefuseUntil(t time.Time) {
	m.mu.Lock()
	m.refuse = t
	m.mu.Unlock()
}

// Messages returns the messages received, newest first.
func (m *Mailbox) Messages() []MailboxMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.msgs)
	slices.Reverse(out)
	return out
}

// Message returns one message by name.
func (m *Mailbox) Message(name string) (MailboxMessage, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.msgs {
		if x.Name == name {
			return x, true
		}
	}
	return MailboxMessage{}, false
}

// NewSession implements smtp.Backend.
func (m *Mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailboxSession{m: m}, nil }

type mailboxSession struct {
	m    *Mailbox
	from string
	to   []string
}

func (s *mailboxSession) AuthMechanisms() []string { return nil }
func (s *mailboxSession) Reset()                   { s.from, s.to = "", nil }
func (s *mailboxSession) Logout() error            { return nil }

func (s *mailboxSession) Mail(from string, _ *smtp.MailOptions) error {
	s.m.mu.Lock()
	refuse := time.Now().Before(s.m.refuse)
	s.m.mu.Unlock()
	if refuse {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "mailbox refusing for now, try later"}
	}
	s.from = from
	return nil
}

func (s *mailboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *mailboxSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg := parseMailboxMessage(raw)
	msg.From, msg.To, msg.Received = s.from, slices.Clone(s.to), time.Now().UTC()
	if err := s.m.save(&msg); err != nil {
		s.m.log.Error("saving a message", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "could not store the message"}
	}
	if s.m.opts.OnMessage != nil {
		s.m.opts.OnMessage(msg)
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (m *Mailbox) save(msg *MailboxMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	msg.Name = fmt.Sprintf("%s-%04d-%s.eml", msg.Received.Format("20060102T150405.000000Z"), m.seq,
		unsafeName.ReplaceAllString(strings.Trim(msg.MessageID, "<>"), "_"))
	if len(msg.Name) > 120 {
		msg.Name = msg.Name[:116] + ".eml"
	}
	if m.opts.Dir != "" {
		if err := os.WriteFile(filepath.Join(m.opts.Dir, msg.Name), msg.Raw, 0o640); err != nil {
			return err
		}
	}
	m.msgs = append(m.msgs, *msg)
	return nil
}

func parseMailboxMessage(raw []byte) MailboxMessage {
	msg := MailboxMessage{Raw: raw, Size: len(raw)}
	pm, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return msg
	}
	dec := new(mimeWordDecoder)
	msg.Subject = dec.decode(pm.Header.Get("Subject"))
	msg.MessageID = pm.Header.Get("Message-Id")
	return msg
}

// loadDir lists the .eml files a previous run saved.
func (m *Mailbox) loadDir() {
	ents, err := os.ReadDir(m.opts.Dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".eml") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(m.opts.Dir, e.Name()))
		if err != nil {
			continue
		}
		msg := parseMailboxMessage(raw)
		msg.Name = e.Name()
		if fi, err := e.Info(); err == nil {
			msg.Received = fi.ModTime().UTC()
		}
		m.msgs = append(m.msgs, msg)
	}
}

package configs

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults returns the configuration used for every setting the file leaves
// out: embedded NATS, SQLite and Bleve under ./data, the UI on 127.0.0.1:8080.
func Defaults() *Config {
	return &Config{
		DataDir: "data",
		Log:     LogConfig{Format: "text", Level: "info"},
		Web:     WebConfig{Listen: "127.0.0.1:8080", BaseURL: "http://127.0.0.1:8080"},
		NATS: NATSConfig{
			SyncInterval:    time.Second,
			Replicas:        1,
			MaxDeliver:      5,
			AckWait:         30 * time.Second,
			DuplicateWindow: 24 * time.Hour,
			MaxAge:          30 * 24 * time.Hour,
		},
		Store:    StoreConfig{MaxConns: 8},
		SMTP:     SMTPConfig{Port: 587, TLS: "starttls", Timeout: 30 * time.Second},
		Shutdown: ShutdownConfig{Timeout: 20 * time.Second},
	}
}

type validator interface{ Validate() []error }

// Validate checks every section and returns every problem, each naming its key.
func (c *Config) Validate() []error {
	var errs []error
	add := func(key, format string, args ...any) { errs = append(errs, Errf(key, format, args...)) }
	if strings.TrimSpace(c.DataDir) == "" {
		add("data_dir", "must not be empty")
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		add("log.format", "%q is not text or json", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	if _, port, err := net.SplitHostPort(c.Web.Listen); err != nil {
		add("web.listen", "%q is not host:port: %v", c.Web.Listen, unwrapAddr(err))
	} else if !validPort(port) {
		add("web.listen", "%q: port %s is not a number from 0 to 65535", c.Web.Listen, port)
	}
	if u, err := url.Parse(c.Web.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("web.base_url", "%q is not an http(s) URL", c.Web.BaseURL)
	}
	if l := c.Web.Login; l.ConcurrentHashes < 0 || l.ConcurrentHashes > 64 || l.PerIPPerMinute < 0 || l.GlobalPerSecond < 0 {
		add("web.login", "limits must be positive (concurrent_hashes at most 64)")
	}
	if c.NATS.URL != "" {
		for _, u := range strings.Split(c.NATS.URL.Value(), ",") {
			pu, err := url.Parse(strings.TrimSpace(u))
			if err != nil || pu.Host == "" {
				add("nats.url", "%q is not a NATS URL such as nats://127.0.0.1:4222", RedactURLCredentials(u))
				break
			}
		}
	}
	if c.NATS.Listen != "" {
		if host, port, err := net.SplitHostPort(c.NATS.Listen); err != nil {
			add("nats.listen", "%q is not host:port", c.NATS.Listen)
		} else if !validPort(port) {
			add("nats.listen", "%q: port %s is not a number from 0 to 65535", c.NATS.Listen, port)
		} else if c.NATS.URL == "" && !isLoopbackHost(host) {
			// What the bus refuses at start, said by config check too.
			add("nats.listen", "%q: the embedded server listens only on loopback (127.0.0.1, ::1 or localhost); for other hosts run a NATS server and set nats.url", c.NATS.Listen)
		}
	}
	if s := c.Web.SessionSecret.Value(); s != "" && len(s) < 16 {
		// What the web and alerter roles refuse at start.
		add("web.session_secret", "%d characters: use one random value of at least 16 characters, e.g. `openssl rand -hex 32`", len(s))
	}
	if c.NATS.SyncInterval < 0 {
		add("nats.sync_interval", "must not be negative")
	}
	if c.NATS.Replicas < 1 || c.NATS.Replicas > 5 {
		add("nats.replicas", "%d is not between 1 and 5", c.NATS.Replicas)
	}
	if c.NATS.MaxDeliver < 1 {
		add("nats.max_deliver", "must be at least 1")
	}
	if c.NATS.AckWait < time.Second {
		add("nats.ack_wait", "%s is shorter than 1s", c.NATS.AckWait)
	}
	if c.NATS.DuplicateWindow <= 0 {
		add("nats.duplicate_window", "must be positive")
	}
	if c.NATS.MaxAge < 0 {
		add("nats.max_age", "must not be negative")
	}
	if s := c.Store.URL.Value(); s != "" {
		if u, err := url.Parse(s); err != nil {
			add("store.url", "not a URL")
		} else if u.Scheme != "postgres" && u.Scheme != "postgresql" && u.Scheme != "sqlite" && u.Scheme != "" {
			add("store.url", "scheme %q is not postgres or sqlite", u.Scheme)
		}
	}
	if c.Store.MaxConns < 1 {
		add("store.max_conns", "must be at least 1")
	}
	switch c.SMTP.TLS {
	case "none", "starttls", "implicit":
	default:
		add("smtp.tls", "%q is not none, starttls or implicit", c.SMTP.TLS)
	}
	if c.SMTP.Port < 0 || c.SMTP.Port > 65535 {
		add("smtp.port", "%d is not a port", c.SMTP.Port)
	}
	if c.Shutdown.Timeout <= 0 {
		add("shutdown.timeout", "must be positive")
	}

	for _, sec := range []struct {
		key string
		v   any
	}{{"crawler", &c.Crawler}, {"classifier", &c.Classifier}, {"index", &c.Index}, {"digest", &c.Digest}, {"translate", &c.Translate}, {"evidence", &c.Evidence}} {
		if v, ok := sec.v.(validator); ok {
			errs = append(errs, prefixed(sec.key, v.Validate())...)
		}
	}
	seen := map[string]int{}
	for i := range c.Sources {
		s := &c.Sources[i]
		key := fmt.Sprintf("sources[%d]", i)
		if s.Name != "" {
			if j, dup := seen[s.Name]; dup {
				add(key+".name", "%q is already the name of sources[%d]", s.Name, j)
			}
			seen[s.Name] = i
		}
		if v, ok := any(s).(validator); ok {
			errs = append(errs, prefixed(key, v.Validate())...)
		}
	}
	return errs
}

// prefixed puts prefix in front of the keys of errors that do not already
// carry a full key path.
func prefixed(prefix string, errs []error) []error {
	out := make([]error, 0, len(errs))
	for _, err := range errs {
		var fe *FieldError
		switch {
		case errors.As(err, &fe):
			k := fe.Key
			if !strings.HasPrefix(k, prefix) {
				k = prefix + "." + k
			}
			out = append(out, &FieldError{Key: k, Msg: fe.Msg})
		case strings.HasPrefix(err.Error(), prefix):
			out = append(out, err)
		default:
			out = append(out, fmt.Errorf("%s.%w", prefix, err))
		}
	}
	return out
}

// validPort reports whether port is a TCP port number (0 lets the system
// choose one).
func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535 && port == strconv.Itoa(n)
}

func unwrapAddr(err error) string {
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return ae.Err
	}
	return err.Error()
}

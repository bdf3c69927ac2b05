// Package configs holds the YAML configuration shipped for Đồng Nai and the Go
// code that loads and validates it. Config types are plain data: runtime
// packages turn them into their own types at construction, so this package
// imports no runtime package of the project.
package configs

import "time"

// Config is the whole presswatch configuration: one YAML file.
type Config struct {
	// DataDir holds everything the embedded defaults write: the JetStream store,
	// the SQLite database, the Bleve index, the demo mailbox.
	DataDir    string           `yaml:"data_dir"`
	Log        LogConfig        `yaml:"log"`
	Web        WebConfig        `yaml:"web"`
	NATS       NATSConfig       `yaml:"nats"`
	Store      StoreConfig      `yaml:"store"`
	Crawler    CrawlerConfig    `yaml:"crawler"`
	Sources    []Source         `yaml:"sources"`
	Classifier ClassifierConfig `yaml:"classifier"`
	Index      IndexConfig      `yaml:"index"`
	SMTP       SMTPConfig       `yaml:"smtp"`
	Digest     DigestConfig     `yaml:"digest"`
	Translate  TranslateConfig  `yaml:"translate"`
	Evidence   EvidenceConfig   `yaml:"evidence"`
	Shutdown   ShutdownConfig   `yaml:"shutdown"`
}

// LogConfig sets the log format and level.
type LogConfig struct {
	Format string `yaml:"format"` // text or json
	Level  string `yaml:"level"`  // debug, info, warn, error
}

// WebConfig is the HTTP listener shared by the UI, the API, /metrics and the
// health checks.
type WebConfig struct {
	Listen            string `yaml:"listen"`   // host:port, default 127.0.0.1:8080
	BaseURL           string `yaml:"base_url"` // public address used in email links
	SessionSecret     Secret `yaml:"session_secret"`
	SessionSecretFile string `yaml:"session_secret_file"`
	// Login bounds what POST /login may cost (docs/security.md); zero
	// values keep the defaults.
	Login LoginConfig `yaml:"login"`

	// written is base_url as the file gave it when the environment moved
	// web.listen and base_url followed it (followListen); "" otherwise.
	written string
}

// BaseURLAsWritten is base_url before it followed a web.listen moved by the
// environment: what a process that does not serve the UI (an alerter given
// its own port for metrics) must put in its links. Without such a move it
// is BaseURL.
func (w WebConfig) BaseURLAsWritten() string {
	if w.written != "" {
		return w.written
	}
	return w.BaseURL
}

// LoginConfig tunes the login limits (web.LoginLimits). Raise PerIPPerMinute
// when many users sign in from behind one NAT address.
type LoginConfig struct {
	ConcurrentHashes int     `yaml:"concurrent_hashes"` // default half the CPUs, 1 to 4
	PerIPPerMinute   float64 `yaml:"per_ip_per_minute"` // default 20 (burst 20)
	GlobalPerSecond  float64 `yaml:"global_per_second"` // default 50 (burst 100)
}

// NATSConfig selects the embedded JetStream server (URL empty) or an external
// server or cluster.
type NATSConfig struct {
	URL             CredentialURL `yaml:"url"` // empty: embedded server under data_dir; credentials in it never print
	CredsFile       string        `yaml:"creds_file"`
	User            string        `yaml:"user"`
	Password        Secret        `yaml:"password"`
	PasswordFile    string        `yaml:"password_file"`
	Token           Secret        `yaml:"token"`
	TokenFile       string        `yaml:"token_file"`
	TLSCA           string        `yaml:"tls_ca"`
	TLSCert         string        `yaml:"tls_cert"`
	TLSKey          string        `yaml:"tls_key"`
	Listen          string        `yaml:"listen"`        // embedded server client port address; empty: in-process only
	SyncInterval    time.Duration `yaml:"sync_interval"` // embedded JetStream fsync interval, default 1s
	Replicas        int           `yaml:"replicas"`      // stream replicas on a cluster, default 1
	MaxDeliver      int           `yaml:"max_deliver"`   // deliveries before a message goes to PW_DEAD
	AckWait         time.Duration `yaml:"ack_wait"`
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	MaxAge          time.Duration `yaml:"max_age"` // how long streams keep messages
}

// StoreConfig selects the system of record: SQLite under data_dir (URL empty)
// or PostgreSQL (postgres://…).
type StoreConfig struct {
	// URL prints with its password hidden and its host and database kept
	// (config dump), so an operator can see which database is in use.
	URL      CredentialURL `yaml:"url"`
	URLFile  string        `yaml:"url_file"`
	MaxConns int           `yaml:"max_conns"`
}

// SMTPConfig is the outgoing mail server used for alerts and reports.
type SMTPConfig struct {
	Host         string        `yaml:"host"`
	Port         int           `yaml:"port"`
	TLS          string        `yaml:"tls"` // none, starttls, implicit
	User         string        `yaml:"user"`
	Password     Secret        `yaml:"password"`
	PasswordFile string        `yaml:"password_file"`
	From         string        `yaml:"from"`
	Timeout      time.Duration `yaml:"timeout"`
}

// ShutdownConfig bounds how long a graceful stop may take.
type ShutdownConfig struct {
	Timeout time.Duration `yaml:"timeout"`
}

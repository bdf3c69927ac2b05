package configs

import (
	"fmt"
	"net"
	"strings"
	"time"
)

// EvidenceConfig is where captures of alerted and opened articles are kept
// (WARC files and screenshots; the rows are in the store).
type EvidenceConfig struct {
	// Disabled turns capturing off.
	Disabled bool `yaml:"disabled"`
	// Dir holds the evidence files when no S3 bucket is configured; empty
	// means data_dir/evidence. In a role-split deployment the alerter and
	// the web nodes must then see the same folder (shared storage) — or use
	// S3.
	Dir string `yaml:"dir"`
	// S3, when its endpoint is set, keeps the files in an S3-compatible
	// bucket instead of Dir.
	S3 EvidenceS3Config `yaml:"s3"`
	// Browser is the Chromium used for screenshots of archived pages; an
	// empty path or a missing binary means no screenshots (the evidence
	// sheet says why).
	Browser EvidenceBrowserConfig `yaml:"browser"`
	// Schedule is when a page is re-fetched after its first capture; empty
	// means 1h, 6h, 24h, 168h (7 days), 720h (30 days).
	Schedule []time.Duration `yaml:"schedule"`
	// CheckInterval is how often due captures and new alerts are looked
	// for; 0 means 1m.
	CheckInterval time.Duration `yaml:"check_interval"`
}

// EvidenceS3Config is an S3-compatible bucket for evidence files. Keys are
// best given by file or environment (secret_key_file,
// PRESSWATCH_EVIDENCE_S3_SECRET_KEY), not written in the YAML.
type EvidenceS3Config struct {
	Endpoint string `yaml:"endpoint"` // host[:port], no scheme: s3.example.vn, 127.0.0.1:9000
	Bucket   string `yaml:"bucket"`
	Prefix   string `yaml:"prefix"` // put in front of every key, e.g. presswatch/evidence
	Region   string `yaml:"region"`
	// AccessKey and SecretKey; both empty means the standard AWS_/MINIO_
	// environment variables or the instance role.
	AccessKey      Secret        `yaml:"access_key"`
	AccessKeyFile  string        `yaml:"access_key_file"`
	SecretKey      Secret        `yaml:"secret_key"`
	SecretKeyFile  string        `yaml:"secret_key_file"`
	PathStyle      bool          `yaml:"path_style"`      // bucket in the path (MinIO, Ceph); default virtual-host style
	Insecure       bool          `yaml:"insecure"`        // plain HTTP: only on loopback or a private network
	CAFile         string        `yaml:"ca_file"`         // PEM roots for a private CA
	MaxRetries     int           `yaml:"max_retries"`     // tries per request on transient errors; 0 means 5
	RequestTimeout time.Duration `yaml:"request_timeout"` // 0 means 60s
}

// Enabled reports whether evidence files go to S3.
func (c EvidenceS3Config) Enabled() bool { return c.Endpoint != "" }

// EvidenceBrowserConfig is the browser that takes screenshots.
type EvidenceBrowserConfig struct {
	// Path is the Chromium binary; empty means /usr/bin/chromium when it
	// exists. "none" turns screenshots off.
	Path string `yaml:"path"`
	// Timeout bounds one screenshot; 0 means 60s.
	Timeout time.Duration `yaml:"timeout"`
}

// Validate checks the evidence settings.
func (c *EvidenceConfig) Validate() []error {
	var errs []error
	add := func(key, format string, args ...any) { errs = append(errs, Errf(key, format, args...)) }
	for i, d := range c.Schedule {
		if d <= 0 {
			add(fmt.Sprintf("schedule[%d]", i), "must be positive")
		}
	}
	if c.CheckInterval < 0 {
		add("check_interval", "must not be negative")
	}
	s := c.S3
	if s.Enabled() {
		if strings.Contains(s.Endpoint, "://") || strings.Contains(s.Endpoint, "/") {
			add("s3.endpoint", "%q must be host[:port] without scheme or path (use s3.insecure for plain HTTP)", s.Endpoint)
		} else if _, _, err := net.SplitHostPort(s.Endpoint); err != nil && strings.Count(s.Endpoint, ":") > 0 {
			add("s3.endpoint", "%q is not host[:port]", s.Endpoint)
		}
		if s.Bucket == "" {
			add("s3.bucket", "is required when s3.endpoint is set")
		} else if len(s.Bucket) < 3 || len(s.Bucket) > 63 || strings.ToLower(s.Bucket) != s.Bucket || strings.ContainsAny(s.Bucket, " _/") {
			add("s3.bucket", "%q is not a valid bucket name (3–63 lower-case letters, digits, dots, hyphens)", s.Bucket)
		}
		if (s.AccessKey == "") != (s.SecretKey == "") {
			add("s3.secret_key", "access_key and secret_key must be set together (or both left empty for AWS_/MINIO_ environment credentials)")
		}
		if s.MaxRetries < 0 {
			add("s3.max_retries", "must not be negative")
		}
		if s.RequestTimeout < 0 {
			add("s3.request_timeout", "must not be negative")
		}
	} else if s.Bucket != "" || s.AccessKey != "" || s.SecretKey != "" {
		add("s3.endpoint", "is required when other s3 settings are given")
	}
	if c.Browser.Timeout < 0 {
		add("browser.timeout", "must not be negative")
	}
	return errs
}

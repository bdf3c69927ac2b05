package configs

import (
	"net/url"
	"time"
)

// TranslateConfig is the machine translation service that puts foreign
// titles and snippets into Vietnamese for officers: any server speaking the
// LibreTranslate HTTP API (POST /translate). With no URL nothing is
// translated and the UI says so.
type TranslateConfig struct {
	// URL is the service's base address, e.g. http://127.0.0.1:5000.
	URL string `yaml:"url"`
	// APIKey is sent as api_key when the service needs one.
	APIKey     Secret `yaml:"api_key"`
	APIKeyFile string `yaml:"api_key_file"`
	// Target is the language translated into; empty means vi.
	Target string `yaml:"target"`
	// Timeout bounds one request; 0 means 10s.
	Timeout time.Duration `yaml:"timeout"`
}

// Validate checks the address and timeout.
func (c *TranslateConfig) Validate() []error {
	if c.URL == "" {
		return nil
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return []error{Errf("url", "%q is not an http(s) address", c.URL)}
	}
	if u.User != nil {
		return []error{Errf("url", "put credentials in translate.api_key, not in the address")}
	}
	if c.Timeout < 0 {
		return []error{Errf("timeout", "must not be negative")}
	}
	return nil
}

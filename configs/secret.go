package configs

import (
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Secret is a string that never prints: fmt, logs, JSON and YAML dumps show
// "<secret>" when it is set. Use Value to read it.
type Secret string

const redacted = "<secret>"

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer so %#v hides it too.
func (s Secret) GoString() string { return `configs.Secret("` + s.String() + `")` }

// MarshalText hides the secret from JSON and other text encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalYAML hides the secret from YAML dumps.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// SecretURL is a URL that may carry a credential (a webhook token in its
// path or query, a password in its user information). It prints as its
// scheme and host only ("https://hooks.example.org/<secret>"), in fmt, logs,
// JSON and YAML dumps. Use Value to read it.
type SecretURL string

// Value returns the URL itself.
func (s SecretURL) Value() string { return string(s) }

// String implements fmt.Stringer with the redacted form.
func (s SecretURL) String() string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(string(s))
	if err != nil || u.Host == "" {
		return redacted
	}
	return u.Scheme + "://" + u.Host + "/" + redacted
}

// GoString implements fmt.GoStringer so %#v hides it too.
func (s SecretURL) GoString() string { return `configs.SecretURL("` + s.String() + `")` }

// MarshalText hides the credential from JSON and other text encoders.
func (s SecretURL) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalYAML hides the credential from YAML dumps.
func (s SecretURL) MarshalYAML() (any, error) { return s.String(), nil }

// RedactURLCredentials returns u with the password of its user information
// and the values of query parameters that look like credentials (password,
// token, secret, key, auth…) replaced by <secret>. Anything else is kept,
// so a dump still shows where a service is. Text that is not a URL with a
// host is returned unchanged.
func RedactURLCredentials(u string) string {
	if !strings.Contains(u, "://") {
		return u
	}
	p, err := url.Parse(u)
	if err != nil {
		return redacted
	}
	if p.Host == "" {
		return u
	}
	changed := false
	if p.User != nil {
		if _, has := p.User.Password(); has {
			p.User = url.UserPassword(p.User.Username(), redacted)
		} else if p.Scheme != "postgres" && p.Scheme != "postgresql" {
			// nats://TOKEN@host: a lone user name is the credential.
			p.User = url.User(redacted)
		}
		changed = true
	}
	if p.RawQuery != "" {
		q := p.Query()
		for k := range q {
			lk := strings.ToLower(k)
			for _, w := range []string{"pass", "token", "secret", "key", "auth", "sig", "credential"} {
				if strings.Contains(lk, w) {
					q[k] = []string{redacted}
					changed = true
					break
				}
			}
		}
		p.RawQuery = q.Encode()
	}
	if !changed {
		return u
	}
	out, _ := url.PathUnescape(p.String())
	return out
}

// CredentialURL is a URL, or a comma-separated list of them (NATS servers),
// whose user information or query may hold a credential
// ("nats://user:password@host:4222", "nats://token@host"). It prints with
// those parts replaced by <secret> (RedactURLCredentials) and everything
// else kept. Use Value to read it.
type CredentialURL string

// Value returns the URL itself.
func (s CredentialURL) Value() string { return string(s) }

// String implements fmt.Stringer with the credentials redacted.
func (s CredentialURL) String() string {
	parts := strings.Split(string(s), ",")
	for i, p := range parts {
		parts[i] = RedactURLCredentials(strings.TrimSpace(p))
	}
	return strings.Join(parts, ",")
}

// GoString implements fmt.GoStringer so %#v hides it too.
func (s CredentialURL) GoString() string { return `configs.CredentialURL("` + s.String() + `")` }

// MarshalText hides the credentials from JSON and other text encoders.
func (s CredentialURL) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalYAML hides the credentials from YAML dumps.
func (s CredentialURL) MarshalYAML() (any, error) { return s.String(), nil }

// redactNode replaces credentials embedded in URL-looking string scalars of
// a YAML document (a source URL with a token in its query, say), for dumps.
func redactNode(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && strings.Contains(n.Value, "://") && !strings.Contains(n.Value, redacted) {
		n.Value = CredentialURL(n.Value).String()
	}
	for _, c := range n.Content {
		redactNode(c)
	}
}

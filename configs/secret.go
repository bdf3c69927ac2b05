package configs

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

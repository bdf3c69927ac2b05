package article

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"unicode"
)

// trackingParams are query parameters that identify a campaign or a click, not a
// page. They are dropped during canonicalisation. Keys are lower case.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gclsrc": true, "msclkid": true,
	"yclid": true, "twclid": true, "ttclid": true, "igshid": true, "mc_cid": true,
	"mc_eid": true, "_ga": true, "_gl": true, "ref_src": true, "ref_url": true,
	"cmpid": true, "ocid": true, "spm": true, "sr_share": true, "share": true,
	"at_medium": true, "at_campaign": true, "at_custom1": true, "at_custom2": true,
	"at_custom3": true, "at_custom4": true, "ito": true, "mkt_tok": true,
	"oly_anon_id": true, "oly_enc_id": true, "vero_id": true, "wt.mc_id": true,
}

// trackingPrefixes are prefixes of tracking parameter names (utm_source, …).
var trackingPrefixes = []string{"utm_", "pk_", "mtm_", "hsa_", "__hs"}

func isTracking(key string) bool {
	k := strings.ToLower(key)
	if trackingParams[k] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// WithoutTracking returns raw with its tracking parameters (utm_*, fbclid,
// …, as Canonicalize drops them) removed and everything else as it was:
// the link people are given to open (an email to an office, a report to the
// People's Committee) need not carry a feed's campaign tags. A URL that
// does not parse, or has none, is returned unchanged.
func WithoutTracking(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	parts := strings.Split(u.RawQuery, "&")
	kept := parts[:0]
	for _, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		if key, err := url.QueryUnescape(k); err == nil && isTracking(key) {
			continue
		}
		kept = append(kept, p)
	}
	if len(kept) == len(strings.Split(u.RawQuery, "&")) {
		return raw
	}
	u.RawQuery = strings.Join(kept, "&")
	return u.String()
}

// Canonicalize returns the canonical form of an absolute http or https URL:
// scheme and host in lower case, default port and fragment dropped, an empty
// path made "/", tracking parameters (utm_*, fbclid, gclid, …) removed and the
// remaining query sorted by key, then value. It is idempotent.
func Canonicalize(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("canonicalize %q: %w", raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("canonicalize %q: scheme %q is not http or https", raw, u.Scheme)
	}
	if u.Host == "" {
		return "", fmt.Errorf("canonicalize %q: no host", raw)
	}
	if u.Opaque != "" {
		return "", fmt.Errorf("canonicalize %q: opaque URL", raw)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	host = strings.TrimRight(host, ".")
	if host == "" {
		return "", fmt.Errorf("canonicalize %q: no host", raw)
	}
	if !validHost(host) {
		return "", fmt.Errorf("canonicalize %q: invalid host %q", raw, host)
	}
	for _, r := range port {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("canonicalize %q: invalid port %q", raw, port)
		}
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host = net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	u.Host = host
	u.User = nil
	u.Fragment = ""
	u.RawFragment = ""
	if u.Path == "" {
		u.Path = "/"
		u.RawPath = ""
	}

	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			// Keep an unparseable query as it is rather than lose part of the address.
			q = nil
		}
		if q != nil {
			type kv struct{ k, v string }
			var pairs []kv
			for k, vs := range q {
				if isTracking(k) {
					continue
				}
				for _, v := range vs {
					pairs = append(pairs, kv{k, v})
				}
			}
			sort.Slice(pairs, func(i, j int) bool {
				if pairs[i].k != pairs[j].k {
					return pairs[i].k < pairs[j].k
				}
				return pairs[i].v < pairs[j].v
			})
			var b strings.Builder
			for i, p := range pairs {
				if i > 0 {
					b.WriteByte('&')
				}
				b.WriteString(url.QueryEscape(p.k))
				b.WriteByte('=')
				b.WriteString(url.QueryEscape(p.v))
			}
			u.RawQuery = b.String()
		}
	}
	u.ForceQuery = false
	return u.String(), nil
}

// validHost accepts a DNS name (letters of any script, digits, '-', '_', '.')
// or an IPv6 literal.
func validHost(h string) bool {
	if strings.Contains(h, ":") {
		return net.ParseIP(h) != nil
	}
	if strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	for _, r := range h {
		switch {
		case r == '-' || r == '.' || r == '_':
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z':
		case r > 0x7f && unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r):
		default:
			return false
		}
	}
	return true
}

// ID returns the article ID for a canonical URL: the hex SHA-256 of its bytes.
func ID(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:])
}

// IDFor canonicalises raw and returns its canonical form and article ID.
func IDFor(raw string) (canonical, id string, err error) {
	canonical, err = Canonicalize(raw)
	if err != nil {
		return "", "", err
	}
	return canonical, ID(canonical), nil
}

package alerts

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrBadAckLink is returned by AckSigner.Verify for a link that is forged,
// damaged or expired.
var ErrBadAckLink = errors.New("invalid or expired acknowledge link")

// AckPath is the UI path of the one-click acknowledge link.
const AckPath = "/alerts/ack"

// AckSigner makes and checks the signed, expiring one-click acknowledge links
// of alert emails. A link acknowledges the alerts of one delivery on behalf
// of its recipient.
type AckSigner struct {
	key []byte
	ttl time.Duration
}

// NewAckSigner returns a signer with the given key (at least 16 bytes) and
// link lifetime.
func NewAckSigner(key []byte, ttl time.Duration) (*AckSigner, error) {
	if len(key) < 16 {
		return nil, errors.New("acknowledge link key: need at least 16 bytes")
	}
	if ttl <= 0 {
		return nil, errors.New("acknowledge link lifetime must be positive")
	}
	return &AckSigner{key: append([]byte("presswatch-ack\x00"), key...), ttl: ttl}, nil
}

func (s *AckSigner) mac(deliveryID string, exp int64) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(deliveryID + "\x00" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Link returns the acknowledge URL for a delivery under baseURL and when it expires.
func (s *AckSigner) Link(baseURL, deliveryID string, now time.Time) (string, time.Time) {
	exp := now.Add(s.ttl).Truncate(time.Second)
	v := url.Values{"d": {deliveryID}, "exp": {strconv.FormatInt(exp.Unix(), 10)}, "sig": {s.mac(deliveryID, exp.Unix())}}
	return strings.TrimRight(baseURL, "/") + AckPath + "?" + v.Encode(), exp
}

// Verify checks the query of an acknowledge link and returns its delivery ID.
func (s *AckSigner) Verify(q url.Values, now time.Time) (string, error) {
	id, expS, sig := q.Get("d"), q.Get("exp"), q.Get("sig")
	exp, err := strconv.ParseInt(expS, 10, 64)
	if id == "" || err != nil || sig == "" {
		return "", ErrBadAckLink
	}
	if !hmac.Equal([]byte(sig), []byte(s.mac(id, exp))) || now.Unix() > exp {
		return "", ErrBadAckLink
	}
	return id, nil
}

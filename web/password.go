package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/dongnai/presswatch/internal/pwstrength"
)

// Roles, from most to least powerful. A user has exactly one.
const (
	RoleAdmin          = "admin"           // everything, including accounts and audit
	RoleAnalyst        = "analyst"         // search, export, saved searches, sources, alerts
	RoleForeignAffairs = "foreign_affairs" // Sở Ngoại vụ officers: search, export, saved searches, alerts
	RolePolice         = "police"          // Công an tỉnh officers: search, saved searches, alerts
	RoleViewer         = "viewer"          // leadership: read-only search, articles, stories, dashboard
)

// AllRoles lists every role in order of power.
var AllRoles = []string{RoleAdmin, RoleAnalyst, RoleForeignAffairs, RolePolice, RoleViewer}

// ValidRole reports whether r is one of AllRoles.
func ValidRole(r string) bool {
	for _, x := range AllRoles {
		if r == x {
			return true
		}
	}
	return false
}

// Password length bounds, in characters. Longer passwords are refused so
// that hashing and strength estimation stay cheap.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// minPasswordScore is the lowest zxcvbn score (0–4) CheckPassword accepts
// (computed by internal/pwstrength, zxcvbn's algorithm and word lists):
// 3 means "safely unguessable: moderate protection from offline slow-hash
// scenario" (about 10^8 guesses or more).
const minPasswordScore = 3

// shortPasswordLen and minShortPasswordScore: a password shorter than 16
// characters needs score 4 (about 10^10 guesses). "A word, a year and two
// symbols" ("Vietnam@2026", "Summer2026!!", "dongnai2026!!") reaches score 3
// at 12–13 characters and is among the first things an attacker tries (an
// outside attack test); a random 12-character password and a phrase of a
// few words still pass.
const (
	shortPasswordLen      = 16
	minShortPasswordScore = 4
)

// ErrWeakPassword is matched (errors.Is) by every *PasswordError.
var ErrWeakPassword = errors.New("password does not meet the policy")

// PasswordError says why a password was refused. Its Error text is
// Vietnamese, then English; Message gives one language for the UI.
type PasswordError struct {
	Key string // a message key of the catalogue: pw_too_short, pw_too_long, pw_too_weak, pw_bad_chars
	Arg int    // the bound, for the length messages
}

// Error returns the reason in Vietnamese, then English.
func (e *PasswordError) Error() string {
	return e.Message(langVI) + " (" + e.Message(langEN) + ")"
}

// Message returns the reason in lang ("vi" or "en").
func (e *PasswordError) Message(lang string) string {
	msg := messages{lang}.T(e.Key)
	if strings.Contains(msg, "%d") {
		msg = fmt.Sprintf(msg, e.Arg)
	}
	return msg
}

// Is makes errors.Is(err, ErrWeakPassword) true.
func (e *PasswordError) Is(target error) bool { return target == ErrWeakPassword }

// CheckPassword applies the password policy (OWASP ASVS 2.1): 12 to 256
// characters, no control characters, and a zxcvbn strength score of at
// least 3 (4 under 16 characters) given the user's own words (user name,
// display name, email) and the product's and province's (presswatch, Đồng
// Nai, Biên Hòa …), so "aaaaaaaaaaaa", "123456789012", "dongnai2026!!" or
// "Summer2026!!" are refused while a long phrase of a few words passes.
func CheckPassword(pw string, userInputs ...string) error {
	n := utf8.RuneCountInString(pw)
	if !utf8.ValidString(pw) || strings.ContainsFunc(pw, unicode.IsControl) {
		return &PasswordError{Key: "pw_bad_chars"}
	}
	if n < MinPasswordLen {
		return &PasswordError{Key: "pw_too_short", Arg: MinPasswordLen}
	}
	if n > MaxPasswordLen {
		return &PasswordError{Key: "pw_too_long", Arg: MaxPasswordLen}
	}
	inputs := []string{"presswatch", "dongnai", "dong nai", "đồng nai", "bien hoa", "bienhoa", "biên hòa",
		"long thanh", "longthanh", "nhon trach", "nhontrach", "vietnam", "viet nam", "việt nam", "saigon", "hanoi",
		"hochiminh", "congan", "songoaivu", "baochi", "admin", "password", "matkhau", "mật khẩu"}
	for _, in := range userInputs {
		if in = strings.TrimSpace(in); in != "" {
			inputs = append(inputs, in)
			if local, _, ok := strings.Cut(in, "@"); ok && local != "" {
				inputs = append(inputs, local)
			}
		}
	}
	// zxcvbn's matching grows faster than linearly with length; the first
	// 64 characters say enough about a password's strength.
	est := pw
	if n > 64 {
		est = string([]rune(pw)[:64])
	}
	need := minPasswordScore
	if n < shortPasswordLen {
		need = minShortPasswordScore
	}
	if pwstrength.Score(pwstrength.Guesses(est, inputs)) < need {
		return &PasswordError{Key: "pw_too_weak"}
	}
	return nil
}

// argon2id parameters (OWASP's recommended minimum: 19 MiB, 2 passes, 1
// lane). They are written into every hash, so they can be raised later
// without invalidating stored passwords.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns the argon2id hash of pw in the PHC string format
// $argon2id$v=19$m=…,t=…,p=…$salt$hash (unpadded base64). It refuses
// passwords outside the length bounds (a *PasswordError); callers that take
// a password from a person apply CheckPassword first.
func HashPassword(pw string) (string, error) {
	if n := utf8.RuneCountInString(pw); n < MinPasswordLen {
		return "", &PasswordError{Key: "pw_too_short", Arg: MinPasswordLen}
	} else if n > MaxPasswordLen {
		return "", &PasswordError{Key: "pw_too_long", Arg: MaxPasswordLen}
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// errBadHash is returned by VerifyPassword for a stored hash it cannot read.
var errBadHash = errors.New("stored password hash is not an argon2id PHC string")

// VerifyPassword reports whether pw matches the encoded argon2id hash, in
// constant time with respect to the hash. An unreadable hash is an error.
func VerifyPassword(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errBadHash
	}
	// Bound the parameters so a tampered row cannot make login exhaust memory.
	if m < 8 || m > 1<<20 || t < 1 || t > 16 || p < 1 || p > 16 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when a login names an unknown user, so the
// answer takes as long as for a known one.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Q5nI0L8bbBCcxHD8GFxhXn0yZb6Pq1PLJfS9U+qBD1c"

// NewPassword returns a random password of 20 characters from an alphabet
// without look-alike characters, for first accounts and resets.
func NewPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	// Rejection sampling keeps every character equally likely.
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, 20)
	buf := make([]byte, 32)
	for len(out) < 20 {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("generate password: %w", err)
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < 20 {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

// randomToken returns n random bytes as unpadded base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewAPIToken returns a new random API token (256 bits, base64url, with a
// "pw_" prefix so it is recognisable in a leaked file). Store only its
// store.HashToken.
func NewAPIToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate api token: %w", err)
	}
	return "pw_" + base64.RawURLEncoding.EncodeToString(b), nil
}

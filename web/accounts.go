package web

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dongnai/presswatch/store"
)

// AccountStore is what account changes need from the store; *store.Store
// values satisfy it.
type AccountStore interface {
	GetUser(ctx context.Context, name string) (store.User, error)
	UpsertUser(ctx context.Context, u store.User) error
	RevokeUserCredentials(ctx context.Context, name string) (int64, error)
	AppendAudit(ctx context.Context, e store.AuditEntry) error
}

// MaxTokenTTL is the longest lifetime an API token may have: every token
// expires (ASVS 3.5); a longer-lived integration makes a new one each year.
const MaxTokenTTL = 366 * 24 * time.Hour

// ErrTokenTTL is returned for a token lifetime outside (0, MaxTokenTTL].
var ErrTokenTTL = fmt.Errorf("token lifetime must be more than 0 and at most %v (thời hạn mã truy cập phải lớn hơn 0 và tối đa 366 ngày)", MaxTokenTTL)

// SetPassword applies the password policy to pw, stores its hash and ends
// every earlier session and API token of the user. actor is recorded in the
// audit log.
func SetPassword(ctx context.Context, st AccountStore, name, pw, actor string) error {
	u, err := st.GetUser(ctx, name)
	if err != nil {
		return fmt.Errorf("set password of %q: %w", name, err)
	}
	if err := CheckPassword(pw, u.Name, u.DisplayName, u.Email); err != nil {
		return err
	}
	if u.PasswordHash, err = HashPassword(pw); err != nil {
		return err
	}
	if err := st.UpsertUser(ctx, u); err != nil {
		return fmt.Errorf("set password of %q: %w", name, err)
	}
	if _, err := st.RevokeUserCredentials(ctx, name); err != nil {
		return fmt.Errorf("set password of %q: %w", name, err)
	}
	return appendAudit(ctx, st, actor, "user.passwd", name, "sessions and tokens revoked")
}

// SetDisabled disables or enables an account and, either way, ends every
// earlier session and API token: enabling never brings old ones back.
func SetDisabled(ctx context.Context, st AccountStore, name string, disabled bool, actor string) error {
	u, err := st.GetUser(ctx, name)
	if err != nil {
		return fmt.Errorf("disable/enable %q: %w", name, err)
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
		u.Disabled = true
		if err := st.UpsertUser(ctx, u); err != nil {
			return fmt.Errorf("disable %q: %w", name, err)
		}
	}
	if _, err := st.RevokeUserCredentials(ctx, name); err != nil {
		return fmt.Errorf("%s %q: %w", action, name, err)
	}
	if !disabled {
		// Revoked first: nothing made while the account was disabled, or
		// before, survives the enable.
		u.Disabled = false
		if err := st.UpsertUser(ctx, u); err != nil {
			return fmt.Errorf("enable %q: %w", name, err)
		}
	}
	return appendAudit(ctx, st, actor, action, name, "sessions and tokens revoked")
}

// SetRole changes an account's role. Sessions carry no role (it is read on
// every request), so they need not end.
func SetRole(ctx context.Context, st AccountStore, name, role, actor string) error {
	if !ValidRole(role) {
		return fmt.Errorf("set role of %q: unknown role %q", name, role)
	}
	u, err := st.GetUser(ctx, name)
	if err != nil {
		return fmt.Errorf("set role of %q: %w", name, err)
	}
	old := u.Role
	u.Role = role
	if err := st.UpsertUser(ctx, u); err != nil {
		return fmt.Errorf("set role of %q: %w", name, err)
	}
	return appendAudit(ctx, st, actor, "user.role", name, old+" → "+role)
}

// NewToken makes an API token for user that expires after ttl (required,
// at most MaxTokenTTL), stores its hash under the user's current epoch and
// returns the token, to be shown once.
func NewToken(ctx context.Context, st interface {
	AccountStore
	CreateAPIToken(ctx context.Context, t store.APIToken) error
}, user, label string, ttl time.Duration, now time.Time, actor string) (string, error) {
	if ttl <= 0 || ttl > MaxTokenTTL {
		return "", ErrTokenTTL
	}
	u, err := st.GetUser(ctx, user)
	if err != nil {
		return "", fmt.Errorf("token for %q: %w", user, err)
	}
	if u.Disabled {
		return "", fmt.Errorf("token for %q: the account is disabled", user)
	}
	tok, err := NewAPIToken()
	if err != nil {
		return "", err
	}
	t := store.APIToken{Hash: store.HashToken(tok), User: user, Label: label, CreatedAt: now.UTC(), ExpiresAt: now.UTC().Add(ttl), Epoch: u.Epoch}
	if err := st.CreateAPIToken(ctx, t); err != nil {
		return "", fmt.Errorf("token for %q: %w", user, err)
	}
	if err := appendAudit(ctx, st, actor, "token.create", user, TokenID(t.Hash)+" "+label); err != nil {
		return "", err
	}
	return tok, nil
}

// TokenID is how a token is named in lists, the audit log and revoke
// commands: the first 12 hex digits of its hash (never the token itself).
func TokenID(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// ErrAmbiguousToken is returned when a token ID prefix matches several tokens.
var ErrAmbiguousToken = errors.New("token ID matches several tokens: give more digits")

// FindToken returns the token among toks whose hash starts with id (at
// least 8 hex digits), store.ErrNotFound or ErrAmbiguousToken.
func FindToken(toks []store.APIToken, id string) (store.APIToken, error) {
	if len(id) < 8 {
		return store.APIToken{}, fmt.Errorf("token %q: %w", id, store.ErrNotFound)
	}
	var found []store.APIToken
	for _, t := range toks {
		if len(t.Hash) >= len(id) && t.Hash[:len(id)] == id {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return store.APIToken{}, fmt.Errorf("token %q: %w", id, store.ErrNotFound)
	case 1:
		return found[0], nil
	default:
		return store.APIToken{}, ErrAmbiguousToken
	}
}

func appendAudit(ctx context.Context, st AccountStore, actor, action, object, detail string) error {
	if err := st.AppendAudit(ctx, store.AuditEntry{At: time.Now().UTC(), Actor: actor, Action: action, Object: object, Detail: detail}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

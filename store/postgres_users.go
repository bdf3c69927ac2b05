package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Users, sessions, API tokens and the audit log, PostgreSQL dialect.

func (s *pgStore) UpsertUser(ctx context.Context, u User) error {
	if u.Name == "" {
		return errors.New("upsert user: empty name")
	}
	now := utc(time.Now())
	created := utc(u.CreatedAt)
	if created.IsZero() {
		created = now
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO users (name, display_name, email, role, password_hash, disabled, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (name) DO UPDATE SET
    display_name = excluded.display_name, email = excluded.email, role = excluded.role,
    password_hash = excluded.password_hash, disabled = excluded.disabled,
    created_at = least(users.created_at, excluded.created_at), updated_at = excluded.updated_at`,
		cleanText(u.Name), cleanText(u.DisplayName), cleanText(u.Email), cleanText(u.Role),
		cleanText(u.PasswordHash), u.Disabled, pgTime(created), pgTime(now))
	if err != nil {
		return fmt.Errorf("upsert user %q: %w", u.Name, err)
	}
	return nil
}

const pgUserCols = `name, display_name, email, role, password_hash, disabled, created_at, epoch`

func scanPGUser(row pgx.Row) (User, error) {
	var (
		u       User
		created pgtype.Timestamptz
	)
	if err := row.Scan(&u.Name, &u.DisplayName, &u.Email, &u.Role, &u.PasswordHash, &u.Disabled, &created, &u.Epoch); err != nil {
		return User{}, err
	}
	u.CreatedAt = fromPGTime(created)
	return u, nil
}

func (s *pgStore) GetUser(ctx context.Context, name string) (User, error) {
	if !validKey(name) { // a NUL byte or invalid UTF-8 is an ERROR in PostgreSQL, and never a stored name
		return User{}, fmt.Errorf("get user: %w", ErrNotFound)
	}
	u, err := scanPGUser(s.pool.QueryRow(ctx, `SELECT `+pgUserCols+` FROM users WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, fmt.Errorf("get user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %q: %w", name, err)
	}
	return u, nil
}

func (s *pgStore) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+pgUserCols+` FROM users ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (User, error) { return scanPGUser(row) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

func (s *pgStore) CreateSession(ctx context.Context, ss Session) error {
	if ss.ID == "" || ss.User == "" {
		return errors.New("create session: empty ID or user")
	}
	if ss.ExpiresAt.IsZero() {
		return fmt.Errorf("create session for %q: zero expiry", ss.User)
	}
	created := utc(ss.CreatedAt)
	if created.IsZero() {
		created = utc(time.Now())
	}
	if _, err := s.GetUser(ctx, ss.User); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (id, user_name, csrf_token, created_at, expires_at, epoch)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET
    user_name = excluded.user_name, csrf_token = excluded.csrf_token, expires_at = excluded.expires_at,
    epoch = excluded.epoch`,
		ss.ID, ss.User, ss.CSRFToken, pgTime(created), pgTime(ss.ExpiresAt), ss.Epoch)
	if err != nil {
		return fmt.Errorf("create session for %q: %w", ss.User, err)
	}
	return nil
}

func (s *pgStore) GetSession(ctx context.Context, id string) (Session, error) {
	var (
		ss               Session
		created, expires pgtype.Timestamptz
	)
	if !validKey(id) {
		return Session{}, fmt.Errorf("get session: %w", ErrNotFound)
	}
	err := s.pool.QueryRow(ctx, `SELECT id, user_name, csrf_token, created_at, expires_at, epoch
FROM sessions WHERE id = $1 AND expires_at > $2`, id, pgTime(time.Now())).
		Scan(&ss.ID, &ss.User, &ss.CSRFToken, &created, &expires, &ss.Epoch)
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, fmt.Errorf("get session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	ss.CreatedAt, ss.ExpiresAt = fromPGTime(created), fromPGTime(expires)
	return ss, nil
}

func (s *pgStore) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

func (s *pgStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, pgTime(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

func (s *pgStore) CreateAPIToken(ctx context.Context, t APIToken) error {
	if !validTokenHash(t.Hash) {
		return fmt.Errorf("create API token for %q: %w", t.User, errBadTokenHash)
	}
	created := utc(t.CreatedAt)
	if created.IsZero() {
		created = utc(time.Now())
	}
	if _, err := s.GetUser(ctx, t.User); err != nil {
		return fmt.Errorf("create API token: %w", err)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO api_tokens (hash, user_name, label, created_at, expires_at, epoch)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (hash) DO UPDATE SET
    user_name = excluded.user_name, label = excluded.label, expires_at = excluded.expires_at,
    epoch = excluded.epoch`,
		t.Hash, t.User, cleanText(t.Label), pgTime(created), pgTime(t.ExpiresAt), t.Epoch)
	if err != nil {
		return fmt.Errorf("create API token for %q: %w", t.User, err)
	}
	return nil
}

func (s *pgStore) GetAPIToken(ctx context.Context, hash string) (APIToken, error) {
	var (
		t                APIToken
		created, expires pgtype.Timestamptz
	)
	if !validTokenHash(hash) {
		return APIToken{}, fmt.Errorf("get API token: %w", ErrNotFound)
	}
	err := s.pool.QueryRow(ctx, `SELECT hash, user_name, label, created_at, expires_at, epoch
FROM api_tokens WHERE hash = $1 AND (expires_at IS NULL OR expires_at > $2)`, hash, pgTime(time.Now())).
		Scan(&t.Hash, &t.User, &t.Label, &created, &expires, &t.Epoch)
	if errors.Is(err, pgx.ErrNoRows) {
		return APIToken{}, fmt.Errorf("get API token: %w", ErrNotFound)
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("get API token: %w", err)
	}
	t.CreatedAt, t.ExpiresAt = fromPGTime(created), fromPGTime(expires)
	return t, nil
}

func (s *pgStore) ListAPITokens(ctx context.Context, user string) ([]APIToken, error) {
	if !validKey(user) {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT hash, user_name, label, created_at, expires_at, epoch
FROM api_tokens WHERE $1 = '' OR user_name = $1 ORDER BY user_name COLLATE "C", created_at, hash`, user)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (APIToken, error) {
		var (
			t                APIToken
			created, expires pgtype.Timestamptz
		)
		err := row.Scan(&t.Hash, &t.User, &t.Label, &created, &expires, &t.Epoch)
		t.CreatedAt, t.ExpiresAt = fromPGTime(created), fromPGTime(expires)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	return out, nil
}

func (s *pgStore) DeleteAPIToken(ctx context.Context, hash string) error {
	if !validTokenHash(hash) {
		return fmt.Errorf("delete API token: %w", ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM api_tokens WHERE hash = $1`, hash)
	if err != nil {
		return fmt.Errorf("delete API token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete API token: %w", ErrNotFound)
	}
	return nil
}

func (s *pgStore) RevokeUserCredentials(ctx context.Context, name string) (int64, error) {
	if !validKey(name) {
		return 0, fmt.Errorf("revoke credentials: %w", ErrNotFound)
	}
	var epoch int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `UPDATE users SET epoch = epoch + 1 WHERE name = $1 RETURNING epoch`, name).Scan(&epoch); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_name = $1`, name); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM api_tokens WHERE user_name = $1`, name)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("revoke credentials of %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("revoke credentials of %q: %w", name, err)
	}
	return epoch, nil
}

func (s *pgStore) AppendAudit(ctx context.Context, e AuditEntry) error {
	e = cleanAudit(e)
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_log (id, at, actor, action, object, detail)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
		auditID(e), pgTime(e.At), e.Actor, e.Action, e.Object, e.Detail)
	if err != nil {
		return fmt.Errorf("append audit %q by %q: %w", e.Action, e.Actor, err)
	}
	return nil
}

func (s *pgStore) ListAudit(ctx context.Context, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	rows, err := s.pool.Query(ctx, `SELECT at, actor, action, object, detail FROM audit_log
ORDER BY at DESC, seq DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	out, err := collectAudit(rows)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}

func (s *pgStore) ListAuditFor(ctx context.Context, object string, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	rows, err := s.pool.Query(ctx, `SELECT at, actor, action, object, detail FROM audit_log
WHERE object = $1 ORDER BY at DESC, seq DESC LIMIT $2`, object, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit of %q: %w", object, err)
	}
	out, err := collectAudit(rows)
	if err != nil {
		return nil, fmt.Errorf("list audit of %q: %w", object, err)
	}
	slices.Reverse(out)
	return out, nil
}

// collectAudit reads audit rows (at, actor, action, object, detail).
func collectAudit(rows pgx.Rows) ([]AuditEntry, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (AuditEntry, error) {
		var (
			e  AuditEntry
			at pgtype.Timestamptz
		)
		err := row.Scan(&at, &e.Actor, &e.Action, &e.Object, &e.Detail)
		e.At = fromPGTime(at)
		return e, err
	})
}

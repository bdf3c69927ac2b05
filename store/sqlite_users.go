package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Users, sessions, API tokens and the audit log, SQLite dialect.

func (s *sqliteStore) UpsertUser(ctx context.Context, u User) error {
	if u.Name == "" {
		return errors.New("upsert user: empty name")
	}
	now := utc(time.Now())
	created := utc(u.CreatedAt)
	if created.IsZero() {
		created = now
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO users (name, display_name, email, role, password_hash, disabled, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET
    display_name = excluded.display_name, email = excluded.email, role = excluded.role,
    password_hash = excluded.password_hash, disabled = excluded.disabled,
    created_at = min(users.created_at, excluded.created_at), updated_at = excluded.updated_at`,
		cleanText(u.Name), cleanText(u.DisplayName), cleanText(u.Email), cleanText(u.Role),
		cleanText(u.PasswordHash), sqlBool(u.Disabled), sqlTime(created), sqlTime(now))
	if err != nil {
		return fmt.Errorf("upsert user %q: %w", u.Name, err)
	}
	return nil
}

const sqliteUserCols = `name, display_name, email, role, password_hash, disabled, created_at, epoch`

func scanSQLiteUser(row interface{ Scan(...any) error }) (User, error) {
	var (
		u       User
		created sql.NullInt64
	)
	if err := row.Scan(&u.Name, &u.DisplayName, &u.Email, &u.Role, &u.PasswordHash, &u.Disabled, &created, &u.Epoch); err != nil {
		return User{}, err
	}
	u.CreatedAt = fromSQLTime(created)
	return u, nil
}

func (s *sqliteStore) GetUser(ctx context.Context, name string) (User, error) {
	if !validKey(name) {
		return User{}, fmt.Errorf("get user: %w", ErrNotFound)
	}
	u, err := scanSQLiteUser(s.r.QueryRowContext(ctx, `SELECT `+sqliteUserCols+` FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("get user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %q: %w", name, err)
	}
	return u, nil
}

func (s *sqliteStore) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqliteUserCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanSQLiteUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

func (s *sqliteStore) CreateSession(ctx context.Context, ss Session) error {
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
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (id, user_name, csrf_token, created_at, expires_at, epoch)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    user_name = excluded.user_name, csrf_token = excluded.csrf_token, expires_at = excluded.expires_at,
    epoch = excluded.epoch`,
		ss.ID, ss.User, ss.CSRFToken, sqlTime(created), sqlTime(utc(ss.ExpiresAt)), ss.Epoch)
	if err != nil {
		return fmt.Errorf("create session for %q: %w", ss.User, err)
	}
	return nil
}

func (s *sqliteStore) GetSession(ctx context.Context, id string) (Session, error) {
	var (
		ss               Session
		created, expires sql.NullInt64
	)
	if !validKey(id) {
		return Session{}, fmt.Errorf("get session: %w", ErrNotFound)
	}
	err := s.r.QueryRowContext(ctx, `SELECT id, user_name, csrf_token, created_at, expires_at, epoch
FROM sessions WHERE id = ? AND expires_at > ?`, id, time.Now().UnixMicro()).
		Scan(&ss.ID, &ss.User, &ss.CSRFToken, &created, &expires, &ss.Epoch)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("get session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	ss.CreatedAt, ss.ExpiresAt = fromSQLTime(created), fromSQLTime(expires)
	return ss, nil
}

func (s *sqliteStore) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

func (s *sqliteStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, utc(now).UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}

func (s *sqliteStore) CreateAPIToken(ctx context.Context, t APIToken) error {
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
	_, err := s.w.ExecContext(ctx, `INSERT INTO api_tokens (hash, user_name, label, created_at, expires_at, epoch)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (hash) DO UPDATE SET
    user_name = excluded.user_name, label = excluded.label, expires_at = excluded.expires_at,
    epoch = excluded.epoch`,
		t.Hash, t.User, cleanText(t.Label), sqlTime(created), sqlTime(utc(t.ExpiresAt)), t.Epoch)
	if err != nil {
		return fmt.Errorf("create API token for %q: %w", t.User, err)
	}
	return nil
}

func (s *sqliteStore) GetAPIToken(ctx context.Context, hash string) (APIToken, error) {
	var (
		t                APIToken
		created, expires sql.NullInt64
	)
	if !validTokenHash(hash) {
		return APIToken{}, fmt.Errorf("get API token: %w", ErrNotFound)
	}
	err := s.r.QueryRowContext(ctx, `SELECT hash, user_name, label, created_at, expires_at, epoch
FROM api_tokens WHERE hash = ? AND (expires_at IS NULL OR expires_at > ?)`, hash, time.Now().UnixMicro()).
		Scan(&t.Hash, &t.User, &t.Label, &created, &expires, &t.Epoch)
	if errors.Is(err, sql.ErrNoRows) {
		return APIToken{}, fmt.Errorf("get API token: %w", ErrNotFound)
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("get API token: %w", err)
	}
	t.CreatedAt, t.ExpiresAt = fromSQLTime(created), fromSQLTime(expires)
	return t, nil
}

func (s *sqliteStore) ListAPITokens(ctx context.Context, user string) ([]APIToken, error) {
	if !validKey(user) {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT hash, user_name, label, created_at, expires_at, epoch
FROM api_tokens WHERE ? = '' OR user_name = ? ORDER BY user_name, created_at, hash`, user, user)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var (
			t                APIToken
			created, expires sql.NullInt64
		)
		if err := rows.Scan(&t.Hash, &t.User, &t.Label, &created, &expires, &t.Epoch); err != nil {
			return nil, fmt.Errorf("list API tokens: %w", err)
		}
		t.CreatedAt, t.ExpiresAt = fromSQLTime(created), fromSQLTime(expires)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	return out, nil
}

func (s *sqliteStore) DeleteAPIToken(ctx context.Context, hash string) error {
	if !validTokenHash(hash) {
		return fmt.Errorf("delete API token: %w", ErrNotFound)
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM api_tokens WHERE hash = ?`, hash)
	if err != nil {
		return fmt.Errorf("delete API token: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete API token: %w", err)
	} else if n == 0 {
		return fmt.Errorf("delete API token: %w", ErrNotFound)
	}
	return nil
}

func (s *sqliteStore) RevokeUserCredentials(ctx context.Context, name string) (int64, error) {
	if !validKey(name) {
		return 0, fmt.Errorf("revoke credentials: %w", ErrNotFound)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("revoke credentials of %q: %w", name, err)
	}
	defer func() { _ = tx.Rollback() }()
	var epoch int64
	err = tx.QueryRowContext(ctx, `UPDATE users SET epoch = epoch + 1 WHERE name = ? RETURNING epoch`, name).Scan(&epoch)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("revoke credentials of %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("revoke credentials of %q: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_name = ?`, name); err != nil {
		return 0, fmt.Errorf("revoke sessions of %q: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_name = ?`, name); err != nil {
		return 0, fmt.Errorf("revoke API tokens of %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("revoke credentials of %q: %w", name, err)
	}
	return epoch, nil
}

func (s *sqliteStore) AppendAudit(ctx context.Context, e AuditEntry) error {
	e = cleanAudit(e)
	_, err := s.w.ExecContext(ctx, `INSERT INTO audit_log (id, at, actor, action, object, detail)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		auditID(e), sqlTime(e.At), e.Actor, e.Action, e.Object, e.Detail)
	if err != nil {
		return fmt.Errorf("append audit %q by %q: %w", e.Action, e.Actor, err)
	}
	return nil
}

// cleanAudit cleans the text of e and sets a zero At to now.
func cleanAudit(e AuditEntry) AuditEntry {
	e.At = utc(e.At)
	if e.At.IsZero() {
		e.At = utc(time.Now())
	}
	e.Actor, e.Action = cleanText(e.Actor), cleanText(e.Action)
	e.Object, e.Detail = cleanText(e.Object), cleanText(e.Detail)
	return e
}

// defaultAuditLimit is ListAudit's limit when none is given.
const defaultAuditLimit = 100

func (s *sqliteStore) ListAudit(ctx context.Context, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	rows, err := s.r.QueryContext(ctx, `SELECT at, actor, action, object, detail FROM audit_log
ORDER BY at DESC, seq DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	out, err := scanAudit(rows)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}

func (s *sqliteStore) ListAuditFor(ctx context.Context, object string, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	rows, err := s.r.QueryContext(ctx, `SELECT at, actor, action, object, detail FROM audit_log
WHERE object = ? ORDER BY at DESC, seq DESC LIMIT ?`, object, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit of %q: %w", object, err)
	}
	out, err := scanAudit(rows)
	if err != nil {
		return nil, fmt.Errorf("list audit of %q: %w", object, err)
	}
	slices.Reverse(out)
	return out, nil
}

// scanAudit reads audit rows (at, actor, action, object, detail) and
// closes them.
func scanAudit(rows *sql.Rows) ([]AuditEntry, error) {
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var (
			e  AuditEntry
			at sql.NullInt64
		)
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Object, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromSQLTime(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

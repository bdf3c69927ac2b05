package web

import (
	"context"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/store"
)

// Store is the part of store.Store the web uses. *store.Store values (SQLite
// or PostgreSQL) satisfy it.
type Store interface {
	Ping(ctx context.Context) error
	GetArticle(ctx context.Context, id string) (*article.Article, error)
	GetArticles(ctx context.Context, ids []string) ([]*article.Article, error)
	ListSources(ctx context.Context) ([]store.Source, error)
	ListSourceStates(ctx context.Context) ([]store.SourceState, error)
	UpsertUser(ctx context.Context, u store.User) error
	GetUser(ctx context.Context, name string) (store.User, error)
	ListUsers(ctx context.Context) ([]store.User, error)
	CreateSession(ctx context.Context, s store.Session) error
	GetSession(ctx context.Context, id string) (store.Session, error)
	DeleteSession(ctx context.Context, id string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	CreateAPIToken(ctx context.Context, t store.APIToken) error
	GetAPIToken(ctx context.Context, hash string) (store.APIToken, error)
	AppendAudit(ctx context.Context, e store.AuditEntry) error
	ListAudit(ctx context.Context, limit int) ([]store.AuditEntry, error)
	// Accounts, tokens and sources managed in the admin pages.
	RevokeUserCredentials(ctx context.Context, name string) (int64, error)
	ListAPITokens(ctx context.Context, user string) ([]store.APIToken, error)
	DeleteAPIToken(ctx context.Context, hash string) error
	UpsertSource(ctx context.Context, s store.Source) error
	GetSource(ctx context.Context, name string) (store.Source, error)
	RequestSourcePoll(ctx context.Context, name string, at time.Time) error
}

// Searcher is the part of *index.Index the web uses.
type Searcher interface {
	Search(ctx context.Context, r index.Request) (*index.Result, error)
	Export(ctx context.Context, r index.Request, fn func(index.Hit) error) error
}

package store

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dongnai/presswatch/article"
)

// TestPostgresBatchIsAtomic checks the assumption UpsertArticles rests on: the
// statements of one pgx batch run in one implicit transaction, so when the
// classification statement fails the articles of the same call are not
// written either.
func TestPostgresBatchIsAtomic(t *testing.T) {
	ctx := context.Background()
	s, err := openPostgres(ctx, freshPostgresURL(t), Options{AutoMigrate: true}.withDefaults(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	prepared, err := prepareArticles([]*article.Article{{ID: "a1", URL: "https://x.example/1", Source: "s"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var a pgArticleArgs
	if err := a.add(prepared[0]); err != nil {
		t.Fatal(err)
	}
	var b pgx.Batch
	a.queue(&b, time.Now())
	b.Queue(`SELECT 1 / 0`) // fails after the articles statement succeeded
	if err := s.sendBatchRetry(ctx, &b); err == nil {
		t.Fatal("the failing batch succeeded")
	}
	if n, err := s.CountArticles(ctx); err != nil || n != 0 {
		t.Fatalf("after a failed batch: %d articles, %v; want 0 (rolled back)", n, err)
	}
	var ok pgx.Batch
	a.queue(&ok, time.Now())
	if err := s.sendBatchRetry(ctx, &ok); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountArticles(ctx); err != nil || n != 1 {
		t.Fatalf("after a good batch: %d articles, %v; want 1", n, err)
	}
}

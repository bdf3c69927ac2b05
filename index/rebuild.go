package index

import (
	"context"
	"fmt"

	"github.com/dongnai/presswatch/article"
)

// ArticleScanner yields every article that belongs in the index. The index
// does not import the store; the command adapts it with ScanFunc:
//
//	index.ScanFunc(func(ctx context.Context, fn func(*article.Article) error) error {
//		return st.ScanArticles(ctx, store.ArticleQuery{}, fn)
//	})
type ArticleScanner interface {
	Scan(ctx context.Context, fn func(*article.Article) error) error
}

// ScanFunc adapts a function to ArticleScanner.
type ScanFunc func(ctx context.Context, fn func(*article.Article) error) error

// Scan calls f.
func (f ScanFunc) Scan(ctx context.Context, fn func(*article.Article) error) error { return f(ctx, fn) }

// rebuildBatch is the batch size Rebuild writes with.
const rebuildBatch = 1000

// Rebuild writes every article src yields to ix in large batches and calls
// progress (when not nil) with the running count after each batch. It
// overwrites documents in place (IDs are article IDs), so it can run on a live
// index; articles deleted from the store are not removed — rebuild into an
// empty index (delete the folder, or open after a mapping change) for that.
func Rebuild(ctx context.Context, src ArticleScanner, ix *Index, progress func(done int64)) error {
	var (
		batch = make([]*article.Article, 0, rebuildBatch)
		done  int64
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ix.IndexArticles(ctx, batch); err != nil {
			return err
		}
		done += int64(len(batch))
		batch = batch[:0]
		if progress != nil {
			progress(done)
		}
		return nil
	}
	err := src.Scan(ctx, func(a *article.Article) error {
		batch = append(batch, a)
		if len(batch) >= rebuildBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rebuild index after %d articles: %w", done, err)
	}
	if err := flush(); err != nil {
		return fmt.Errorf("rebuild index after %d articles: %w", done, err)
	}
	return nil
}

package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

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

// DefaultHealInterval is how often the Healer compares the index with the store.
const DefaultHealInterval = 30 * time.Second

// HealerOptions configures Heal.
type HealerOptions struct {
	// Source yields every stored article (the store), for rebuilds.
	Source ArticleScanner
	// Count returns how many articles the store holds.
	Count func(ctx context.Context) (int64, error)
	// Interval between checks of the index against the store (default 30s).
	// A write fault or a missing folder wakes the healer at once.
	Interval time.Duration
	Logger   *slog.Logger
}

// Heal keeps the index whole until ctx is done: it notices when the index's
// folder is gone, when a write fault (disk full, folder deleted, a panic in
// the segment code) left it damaged, when it was recreated empty, and when
// it trails the store (fewer documents than stored articles at two checks in
// a row without progress); it then reopens it and rebuilds it from the store
// with progress in the logs, while Ping reports not-ready. Rebuilding upserts
// in place, so it runs beside the indexer.
func (ix *Index) Heal(ctx context.Context, opts HealerOptions) error {
	if opts.Source == nil || opts.Count == nil {
		return errors.New("index healer: Source and Count are required")
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultHealInterval
	}
	log := opts.Logger
	if log == nil {
		log = ix.log
	}
	log = log.With("component", "index_healer")
	t := time.NewTicker(opts.Interval)
	defer t.Stop()
	var lastIdx, lastStore int64 = -1, -1
	backoff := time.Second
	for {
		if ix.healOnce(ctx, opts, log, &lastIdx, &lastStore) {
			backoff = time.Second
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			case <-ix.health.kick:
			}
			continue
		}
		// The disk or the store is still away: try again after a pause that
		// grows up to Interval (a fault's wake-ups are not waited for).
		bt := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			bt.Stop()
			return nil
		case <-bt.C:
		}
		backoff = min(backoff*2, opts.Interval)
	}
}

// healOnce checks and heals the index once; false means it could not (the
// index or the store is still unavailable) and should be tried again soon.
func (ix *Index) healOnce(ctx context.Context, opts HealerOptions, log *slog.Logger, lastIdx, lastStore *int64) bool {
	if ctx.Err() != nil || ix.closed.Load() {
		return true
	}
	_ = ix.CheckFolder()
	if ix.health.err() != nil && !ix.NeedsRebuild() {
		if err := ix.Probe(); err != nil {
			log.Warn("index still unavailable", "err", err)
			return false
		}
	}
	if !ix.NeedsRebuild() {
		storeN, err := opts.Count(ctx)
		if err != nil {
			return true // the store is away: nothing to compare with now
		}
		idxN, err := ix.DocCount()
		if err != nil {
			return false
		}
		stuck := int64(idxN) < storeN && int64(idxN) == *lastIdx && storeN == *lastStore
		*lastIdx, *lastStore = int64(idxN), storeN
		switch {
		case idxN == 0 && storeN > 0:
			ix.health.setNeedsRebuild(fmt.Sprintf("index is empty, the store holds %d articles", storeN))
		case stuck:
			ix.health.setNeedsRebuild(fmt.Sprintf("index holds %d documents, the store %d articles, with no progress", idxN, storeN))
		default:
			return true
		}
	}
	*lastIdx, *lastStore = -1, -1
	return ix.rebuildFromStore(ctx, opts, log)
}

// rebuildFromStore runs Rebuild, publishing progress to Ping and the logs;
// false when it failed (it is tried again).
func (ix *Index) rebuildFromStore(ctx context.Context, opts HealerOptions, log *slog.Logger) bool {
	h := ix.health
	total, _ := opts.Count(ctx)
	h.mu.Lock()
	why := h.rebuild
	h.rebuilding = fmt.Sprintf("0 of %d articles", total)
	h.mu.Unlock()
	log.Warn("rebuilding the index from the store: not ready until done", "reason", why, "articles", total)
	start := time.Now()
	lastLog := start
	err := Rebuild(ctx, opts.Source, ix, func(done int64) {
		h.mu.Lock()
		h.rebuilding = fmt.Sprintf("%d of %d articles", done, total)
		h.mu.Unlock()
		if time.Since(lastLog) >= 5*time.Second || done == total {
			lastLog = time.Now()
			log.Info("index rebuild progress", "done", done, "total", total, "elapsed", time.Since(start).Round(time.Millisecond))
		}
	})
	h.mu.Lock()
	h.rebuilding = ""
	if err == nil {
		h.rebuild = ""
	}
	h.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			log.Error("index rebuild failed; it is tried again", "err", err)
		}
		return false
	}
	n, _ := ix.DocCount()
	log.Info("index rebuilt from the store", "documents", n, "took", time.Since(start).Round(time.Millisecond))
	return true
}

package index

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// A search builds three caches for every segment it meets for the first
// time: the segment's facet values with their postings and columns
// (segFacets.load), the order of its document IDs (loadIDs, for ties) and
// its risk column (loadRisk, for the risk order). At 1,000,000 documents
// that made the first query of a fresh process take 1.2–1.4 s against a
// p50 of 13 ms for later ones (docs/index.md). Warm builds them ahead of
// the first search; Open starts it in the background when Options.Warm is
// set (the web role), so the first analyst after a restart does not pay
// for it.

// Warm builds the per-segment search caches of the segments the index has
// now and returns when they are built, ctx is done or one fails. Segments
// written later are small and are cached by the first search that meets
// them. It is safe to call while the index is searched and written; a
// search that needs a segment being warmed waits for it rather than
// building it twice.
func (ix *Index) Warm(ctx context.Context) (segments int, err error) {
	adv, err := ix.bi.Advanced()
	if err != nil {
		return 0, nil // not a scorch index: no per-segment caches
	}
	reader, err := adv.Reader()
	if err != nil {
		return 0, fmt.Errorf("warm: open snapshot: %w", err)
	}
	defer reader.Close()
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		return 0, nil
	}
	segs := snap.Segments()
	err = parallel(ctx, len(segs), func(i int) error {
		seg := segs[i].Segment()
		f := ix.facets.get(seg)
		if err := f.load(seg); err != nil {
			return err
		}
		if err := f.loadIDs(seg); err != nil {
			return err
		}
		return f.loadRisk(seg)
	})
	if err != nil {
		return 0, fmt.Errorf("warm: %w", err)
	}
	return len(segs), nil
}

// warmInBackground runs Warm on its own goroutine; Close cancels it and
// waits for it before closing the index.
func (ix *Index) warmInBackground() {
	ctx, cancel := context.WithCancel(context.Background())
	ix.warmCancel, ix.warmDone = cancel, make(chan struct{})
	go func() {
		defer close(ix.warmDone)
		start := time.Now()
		n, err := ix.Warm(ctx)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			ix.log.Warn("warming the search caches failed; searches build them as they go", "error", err)
		default:
			ix.log.Info("search caches warm", "segments", n, "took", time.Since(start).Round(time.Millisecond))
		}
	}()
}

// stopWarm cancels a background Warm and waits for it.
func (ix *Index) stopWarm() {
	if ix.warmCancel != nil {
		ix.warmCancel()
		<-ix.warmDone
	}
}

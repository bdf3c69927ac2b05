package index

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// A search builds three caches for every segment it meets for the first
// time: the segment's facet values with their postings and columns
// (segFacets.load), the order of its document IDs (loadIDs, for ties) and
// its risk column (loadRisk, for the risk order). At 1,000,000 documents
// that made the first query of a fresh process take 1.2–1.4 s against a
// p50 of 13 ms for later ones (docs/index.md). It also reads the impacts
// of each common word it meets for the first time (impacts.go). Warm
// builds the three caches ahead of the first search and reads the impacts
// of the longest postings lists (warmImpacts); Open starts it in the
// background when Options.Warm is set (the web role), so the first analyst
// after a restart does not pay for it.

// Warm builds the per-segment search caches of the segments the index has
// now, reads the impacts of their longest postings lists and returns when
// that is done, ctx is done or one fails. Segments
// written later are small and are cached by the first search that meets
// them. It is safe to call while the index is searched and written; a
// search that needs a segment being warmed waits for it rather than
// building it twice.
func (ix *Index) Warm(ctx context.Context) (segments int, err error) {
	return ix.warm(ctx, true)
}

// warm is Warm; without impacts it builds the per-segment caches only
// (BenchmarkSearchReal compares the two).
func (ix *Index) warm(ctx context.Context, impacts bool) (segments int, err error) {
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
	if !impacts {
		return len(segs), nil
	}
	if err := ix.warmImpacts(ctx, segs); err != nil {
		return 0, fmt.Errorf("warm: %w", err)
	}
	return len(segs), nil
}

// warmFields are the fields whose commonest words warmImpacts reads: a
// bare query word is scored in text, and one written with diacritics also
// in text_spell. (English stems are read only for documents without the
// word itself and are not cached; title: is scored in title, which is
// short.)
var warmFields = []string{"text", "text_spell"}

// impactWarmDiv: warmImpacts fills the impact cache up to 1/impactWarmDiv
// of its bound and leaves the rest to the words searches bring.
const impactWarmDiv = 2

// warmImpacts reads the impacts of the segments' longest postings lists in
// warmFields, longest first, into the impact cache until it holds
// 1/impactWarmDiv of its bound. A word's first search pays about 30 ns per
// document that holds it (docs/index.md, "Impact cache"), so the longest
// lists are the costliest first reads: at 1,000,000 documents a word in a
// fifth of them costs a query new to the process about 6 ms of CPU
// (200,000 × 30 ns), and the stop words inside quoted phrases more. Lists
// shorter than the cache's minimum are not cached at all. Reading stops
// when the cache is half full, so the warm-up bounds the first read of
// any word by the length of the shortest list it read.
func (ix *Index) warmImpacts(ctx context.Context, segs []*scorch.SegmentSnapshot) error {
	ic := ix.impacts
	if ic == nil {
		return nil
	}
	type cand struct {
		seg         int
		field, term string
		count       uint64
	}
	var (
		mu    sync.Mutex
		cands []cand
	)
	err := parallel(ctx, len(segs)*len(warmFields), func(i int) error {
		si, field := i/len(warmFields), warmFields[i%len(warmFields)]
		d, err := segs[si].Segment().Dictionary(field)
		if err != nil {
			return err
		}
		var mine []cand
		it := d.AutomatonIterator(nil, nil, nil)
		for {
			e, err := it.Next()
			if err != nil {
				return err
			}
			if e == nil {
				break
			}
			if e.Count >= ic.minPostings {
				mine = append(mine, cand{seg: si, field: field, term: e.Term, count: e.Count})
			}
		}
		mu.Lock()
		cands = append(cands, mine...)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.seg, b.seg),
			cmp.Compare(a.field, b.field), cmp.Compare(a.term, b.term))
	})
	budget := ic.max / impactWarmDiv
	err = parallel(ctx, len(cands), func(i int) error {
		if ic.bytesNow() >= budget {
			return nil
		}
		c := cands[i]
		seg := segs[c.seg].Segment()
		d, err := seg.Dictionary(c.field)
		if err != nil {
			return err
		}
		pl, err := d.PostingsList([]byte(c.term), nil, nil)
		if err != nil {
			return err
		}
		return ic.prefill(impactKey{seg: seg, field: c.field, term: c.term},
			func(l *impactList) error { return readImpacts(l, pl, seg.Count()) })
	})
	if err != nil {
		return err
	}
	// Read longest first, the longest lists would be the least recently
	// used, the first to go when searches need room: they are the
	// costliest to read again, so they are put first.
	keys := make([]impactKey, len(cands))
	for i, c := range cands {
		keys[len(cands)-1-i] = impactKey{seg: segs[c.seg].Segment(), field: c.field, term: c.term}
	}
	ic.touch(keys)
	return nil
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

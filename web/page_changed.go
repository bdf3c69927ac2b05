package web

import (
	"context"
	"time"

	"github.com/dongnai/presswatch/store"
)

// pageChange is what the evidence archive last saw happen to an article's
// page that changes what it says: corrected, retracted or deleted.
type pageChange struct {
	ArticleID string
	Kind      string // store.ChangeCorrected, ChangeRetracted or ChangeDeleted
	At        time.Time
	Title     string // the page's title at that capture ("" when deleted)
}

// articleChanged returns the newest capture of article id that found it
// corrected, retracted or deleted, for officers (who see the evidence);
// nil when there is none, no archive, or the reader is not an officer.
// The stored article keeps the text as collected, so without this the
// inbox's, the alert's and the article's pages showed a false headline
// the outlet had since corrected (an outside reading).
func (s *Server) articleChanged(ctx context.Context, id string) *pageChange {
	es, ok := s.opts.Store.(store.EvidenceStore)
	if !ok || s.opts.Evidence == nil || !officerRoles[principalFrom(ctx).User.Role] {
		return nil
	}
	snaps, err := es.ListSnapshots(ctx, id)
	if err != nil {
		s.log.Warn("list snapshots", "article", id, "err", err)
		return nil
	}
	for i := len(snaps) - 1; i >= 0; i-- {
		switch c := snaps[i].Change; c {
		case store.ChangeCorrected, store.ChangeRetracted, store.ChangeDeleted:
			return &pageChange{ArticleID: id, Kind: c, At: snaps[i].CapturedAt, Title: snaps[i].Title}
		}
	}
	return nil
}

package crawler

import (
	"container/heap"
	"context"
	"slices"
	"time"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/store"
)

// Sources managed in the admin UI.
//
// The store's sources table is the source of truth once an administrator
// touched a row (store.Source.EditedAt set) or added it in the UI
// (store.OriginUI); the configuration only seeds rows nobody edited. The
// running crawler follows the table without a restart: every ReloadInterval
// it reads store.SourcesVersion (one small query), and when it moved it
// lists the sources and applies them: UI sources are added, replaced when
// their definition changed, and switched off when disabled or deleted;
// configured sources take the UI's enabled state and metadata once edited;
// a newer PollRequestedAt polls the source at once. This works the same in
// single-process `run` and when the crawler is a process of its own, since
// both sides only talk through the store.

// DefaultReloadInterval is how often a running crawler checks the sources
// table for changes made in the admin UI.
const DefaultReloadInterval = 5 * time.Second

// runtimeSource builds the runtime form of a source row added in the UI,
// with the crawler's defaults (intervals, search terms).
func (c *Crawler) runtimeSource(row store.Source) (Source, error) {
	cs := configs.Source{Name: row.Name, Kind: row.Kind, URL: row.URL, Outlet: row.Outlet, Country: row.Country, Lang: row.Lang, Tier: row.Tier}
	out, err := SourcesFromConfig(c.opts.SourceDefaults, []configs.Source{cs})
	if err != nil {
		return Source{}, err
	}
	return out[0], nil
}

// sameDef reports whether two runtime sources poll the same documents with
// the same metadata.
func sameDef(a, b Source) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.Outlet == b.Outlet && a.Country == b.Country && a.Lang == b.Lang &&
		a.Tier == b.Tier && a.IntervalMin == b.IntervalMin && a.IntervalMax == b.IntervalMax && a.Depth == b.Depth &&
		slices.Equal(a.URLs, b.URLs) && slices.Equal(a.AllowedDomains, b.AllowedDomains) && slices.Equal(a.Sitemaps, b.Sitemaps)
}

// apply brings the running sources in line with the sources table. states
// returns the stored source states, read only when a run must be created.
func (c *Crawler) apply(rows []store.Source, now time.Time, states func() map[string]store.SourceState) {
	var stored map[string]store.SourceState
	for _, row := range rows {
		c.mu.Lock()
		sr := c.byName[row.Name]
		wasOff := sr == nil || sr.off
		c.mu.Unlock()
		var base Source
		bi, configured := c.configured[row.Name]
		if configured {
			base = c.opts.Sources[bi]
		}
		var want Source
		active := row.Enabled && row.DeletedAt.IsZero()
		switch {
		case row.Origin == store.OriginUI:
			def, err := c.runtimeSource(row)
			if err != nil {
				if !wasOff {
					c.log.Warn("source from the admin page cannot run", "source", row.Name, "error", err)
				}
				active = false
				if sr == nil {
					continue
				}
				want = sr.src
			} else {
				want = def
			}
		case !configured:
			continue // no longer configured: kept only for its articles
		case row.EditedAt.IsZero():
			want, active = base, true // follows the configuration
		default:
			want = base
			want.Outlet, want.Country, want.Lang, want.Tier = row.Outlet, row.Country, row.Lang, row.Tier
		}
		if sr != nil && !sameDef(sr.src, want) {
			c.retire(sr)
			sr = nil
		}
		if sr == nil {
			if !active {
				continue
			}
			if stored == nil {
				stored = states()
			}
			sr = c.addRun(want, stored[row.Name], now)
			c.log.Info("source started from the store", "source", row.Name, "origin", row.Origin)
		}
		c.setActive(sr, active, row.PollRequestedAt, now)
	}
}

// addRun creates and registers a run for src (not yet scheduled).
func (c *Crawler) addRun(src Source, st store.SourceState, now time.Time) *sourceRun {
	if st.Source == "" {
		st = store.SourceState{Source: src.Name, Interval: src.IntervalMin}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	sr := &sourceRun{src: src, idx: int32(len(c.runs)), state: st, index: -1, off: true, next: now}
	if len(src.URLs) > 1 {
		sr.validators = map[string][2]string{}
	}
	c.runs = append(c.runs, sr)
	c.byName[src.Name] = sr
	return sr
}

// retire takes a run out of service for good: its definition changed and a
// new run replaces it (keeping its state only when it polls the same URLs).
func (c *Crawler) retire(sr *sourceRun) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sr.off, sr.retired = true, true
	if sr.queued {
		heap.Remove(&c.queue, sr.index)
		sr.queued = false
	}
	if c.byName[sr.src.Name] == sr {
		delete(c.byName, sr.src.Name)
	}
	c.log.Info("source definition changed in the store", "source", sr.src.Name)
}

// setActive switches a run on or off and honours a newer poll request.
func (c *Crawler) setActive(sr *sourceRun, active bool, pollReq, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	wake := false
	if sr.off != !active {
		c.log.Info("source switched from the store", "source", sr.src.Name, "enabled", active)
	}
	sr.off = !active
	if active && !sr.queued && !sr.busy {
		sr.next = now
		heap.Push(&c.queue, sr)
		sr.queued, wake = true, true
	}
	if pollReq.After(sr.pollSeen) {
		first := sr.pollSeen.IsZero() && !c.reloading
		sr.pollSeen = pollReq
		// At start a request older than the last attempt was already served.
		sr.mu.Lock()
		last := sr.state.LastAttempt
		sr.mu.Unlock()
		switch {
		case active && sr.queued && (!first || pollReq.After(last)):
			sr.next = now
			heap.Fix(&c.queue, sr.index)
			wake = true
			c.log.Info("poll requested from the admin page", "source", sr.src.Name)
		case active && sr.busy:
			// Asked during a poll: poll again once it is done, since the
			// request may be about something the running poll missed.
			sr.pollAgain = true
			c.log.Info("poll requested from the admin page", "source", sr.src.Name, "after_current_poll", true)
		}
	}
	if wake {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// reloadLoop follows the sources table until ctx is done.
func (c *Crawler) reloadLoop(ctx context.Context, last store.SourcesVersion) {
	if c.opts.ReloadInterval < 0 {
		return
	}
	t := time.NewTicker(c.opts.ReloadInterval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := c.opts.Store.SourcesVersion(ctx)
		if err == nil && v == last {
			continue
		}
		var rows []store.Source
		if err == nil {
			rows, err = c.opts.Store.ListSources(ctx)
		}
		if err != nil {
			if ctx.Err() == nil && !failing {
				c.log.Warn("cannot read the sources table; keeping the current sources", "error", err)
			}
			failing = true
			continue
		}
		failing = false
		last = v
		c.apply(rows, time.Now(), func() map[string]store.SourceState {
			sts, err := c.opts.Store.ListSourceStates(ctx)
			if err != nil {
				c.log.Warn("cannot read source states; new sources start afresh", "error", err)
			}
			m := make(map[string]store.SourceState, len(sts))
			for _, st := range sts {
				m[st.Source] = st
			}
			return m
		})
		c.m.reloads.Inc()
	}
}

// SourceActive reports whether the crawler currently polls the named source
// (for tools and tests).
func (c *Crawler) SourceActive(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	sr := c.byName[name]
	return sr != nil && !sr.off
}

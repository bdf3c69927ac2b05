package crawler

// Integrity of collected content against hostile or broken publishers:
// canonical links kept within the page's site, copies that never write over
// another article's record, GUID-aware identity per source, dates in the
// future, bidi controls and giant titles, and partial-success warnings for a
// source. See docs/hostile-sources.md.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/crawler/charset"
	"golang.org/x/net/publicsuffix"
)

// MaxTitleRunes bounds an article title at ingestion. A longer title is cut
// (at a word boundary when one is near) and the full title begins the text.
const MaxTitleRunes = 1000

// maxAuthorRunes bounds the author line (a byline, not a paragraph).
const maxAuthorRunes = 300

// FutureSkew is how far after collection a publication date may lie before
// it is treated as wrong: clocks and time zones are a little off, 2099 is
// not.
const FutureSkew = 15 * time.Minute

// sanitizeArticle is the last step before an article leaves the crawler:
// bidi controls removed and text in NFC (see charset.StripBidi), the title
// capped at MaxTitleRunes, and a publication date later than collected
// (+FutureSkew) clamped to collected and flagged.
func sanitizeArticle(a *article.Article, collected time.Time) {
	a.Title = strings.Join(strings.Fields(charset.StripBidi(a.Title)), " ")
	a.Author = strings.Join(strings.Fields(charset.StripBidi(a.Author)), " ")
	a.Summary = charset.StripBidi(a.Summary)
	a.Text = charset.StripBidi(a.Text)
	if utf8.RuneCountInString(a.Author) > maxAuthorRunes {
		a.Author = cutTitle(a.Author, maxAuthorRunes)
	}
	if utf8.RuneCountInString(a.Title) > MaxTitleRunes {
		full := a.Title
		a.Title = cutTitle(full, MaxTitleRunes)
		if !strings.Contains(a.Text, full) {
			a.Text = strings.TrimSpace(full + "\n\n" + a.Text)
		}
		a.AddFlag(article.FlagTitleCut)
	}
	if !collected.IsZero() && a.Published.After(collected.Add(FutureSkew)) {
		a.Published = collected.UTC()
		a.AddFlag(article.FlagFutureDate)
	}
}

// cutTitle cuts s to at most n runes, the last being an ellipsis, at the
// last space of the final tenth when there is one.
func cutTitle(s string, n int) string {
	cut, count := len(s), 0
	for i := range s {
		if count == n-1 {
			cut = i
			break
		}
		count++
	}
	head := s[:cut]
	if sp := strings.LastIndexFunc(head, unicode.IsSpace); sp > 0 && utf8.RuneCountInString(head[sp:]) < n/10 {
		head = head[:sp]
	}
	return strings.TrimRightFunc(head, unicode.IsSpace) + "…"
}

// sameSite reports whether a canonical URL lies within the registrable
// domain (eTLD+1, public suffix list) of the page that declared it: a page
// of news.example.co.uk may name www.example.co.uk, never other.co.uk. IP
// addresses and hosts without a registrable domain (localhost) must match
// exactly.
func sameSite(canon, page *url.URL) bool {
	ch, ph := strings.TrimSuffix(strings.ToLower(canon.Hostname()), "."), strings.TrimSuffix(strings.ToLower(page.Hostname()), ".")
	if ch == "" || ph == "" {
		return false
	}
	if ch == ph {
		return true
	}
	if net.ParseIP(ch) != nil || net.ParseIP(ph) != nil {
		return false
	}
	cd, err1 := publicsuffix.EffectiveTLDPlusOne(ch)
	pd, err2 := publicsuffix.EffectiveTLDPlusOne(ph)
	return err1 == nil && err2 == nil && cd == pd
}

// addSources records sources on the stored article id without touching any
// other field: an article carrying only the ID, the sources and a collection
// time after the stored one is merged by the store's upsert (empty fields
// keep the stored values; the earliest collection time and its source win).
// canon and source are the record's own canonical URL and first source
// (never the copy's), so that a record created by this call before the
// original is stored is anonymous only in its content, which the original's
// upsert fills in.
func (c *Crawler) addSources(ctx context.Context, id, canon, source string, sources []string, now time.Time) error {
	return c.opts.Store.UpsertArticles(ctx, []*article.Article{{
		ID: id, CanonicalURL: canon, Source: source, Sources: sources, Collected: now.UTC(),
	}})
}

// partialError is a source's poll that succeeded with repairs the publisher
// should know about (illegal characters removed, over-deep JSON items
// dropped): it is shown as the source's last error but counts as a success.
type partialError struct{ msg string }

func (e *partialError) Error() string { return e.msg }

// onlyPartial reports whether err consists only of partialErrors.
func onlyPartial(err error) bool {
	if err == nil {
		return false
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyPartial(e) {
				return false
			}
		}
		return true
	}
	var pe *partialError
	return errors.As(err, &pe)
}

// feedWarnings turns a parsed feed's warnings into a partialError.
func feedWarnings(feedURL string, warnings []string) error {
	if len(warnings) == 0 {
		return nil
	}
	return &partialError{msg: fmt.Sprintf("read %s with repairs: %s", feedURL, strings.Join(warnings, "; "))}
}

// guidIndex remembers, per source, which article each entry GUID named, so
// that an entry whose link changes stays the same article (RSS guid, Atom
// id, JSON Feed id are the entry's identity within its feed). Only GUIDs
// that are not simply the entry's link are kept; memory is bounded per
// source (maxGUIDsPerSource) and records are fixed-size (two hashes and the
// raw article ID: 48 bytes) in one exactly sized slice per source, searched
// linearly — a feed lists a few dozen entries, and a map per source cost
// more than twice the records themselves (issue 18: 111 bytes per GUID
// before, ~55 now; see TestGUIDIndexHeap).
//
// The record keeps the whole article ID, not an 8-byte key: a moved entry
// updates the article under its ID in the store, and the store cannot find an
// article by a key.
type guidIndex struct {
	seed maphash.Seed
	mu   sync.Mutex
	m    map[string]*sourceGUIDs
}

// maxGUIDsPerSource bounds the GUIDs remembered per source: a few times what
// a feed lists at once.
const maxGUIDsPerSource = 256

type guidRec struct {
	guid uint64            // hash of the GUID
	url  uint64            // hash of the link last recorded for it
	id   [sha256.Size]byte // the article the GUID names
}

// sourceGUIDs are the records of one source, oldest first until the ring is
// full (maxGUIDsPerSource), then overwritten from next on.
type sourceGUIDs struct {
	recs []guidRec
	next int
}

// find returns the index of the record of GUID hash k, or -1.
func (s *sourceGUIDs) find(k uint64) int {
	for i := range s.recs {
		if s.recs[i].guid == k {
			return i
		}
	}
	return -1
}

func newGUIDIndex() *guidIndex {
	return &guidIndex{seed: maphash.MakeSeed(), m: map[string]*sourceGUIDs{}}
}

// guidMove is an entry whose GUID is known under another article: the link
// changed.
type guidMove struct {
	id, newURL string
	guidKey    uint64
	e          entry
}

// guidCandidate reports whether e's GUID identifies it (not its link) and
// returns the GUID and the raw article ID.
func guidCandidate(e entry) (string, []byte, bool) {
	g := strings.TrimSpace(e.guid)
	if g == "" || g == e.art.URL || g == e.art.CanonicalURL {
		return "", nil, false
	}
	raw, err := hex.DecodeString(e.art.ID)
	if err != nil || len(raw) != sha256.Size {
		return "", nil, false
	}
	return g, raw, true
}

// resolve applies GUID identity to a source's entries: an entry whose GUID
// names a known article with another ID is taken out of entries and
// returned as a move; first sightings are recorded.
func (x *guidIndex) resolve(source string, entries []entry) ([]entry, []guidMove) {
	x.mu.Lock()
	defer x.mu.Unlock()
	sg := x.m[source]
	// Size the source's records once for this poll's unknown GUIDs (at most
	// the bound), so that the slice holds no spare capacity.
	unknown := 0
	for _, e := range entries {
		if g, _, ok := guidCandidate(e); ok && (sg == nil || sg.find(maphash.String(x.seed, g)) < 0) {
			unknown++
		}
	}
	if unknown > 0 {
		if sg == nil {
			sg = &sourceGUIDs{}
			x.m[source] = sg
		}
		if want := min(len(sg.recs)+unknown, maxGUIDsPerSource); want > cap(sg.recs) {
			recs := make([]guidRec, len(sg.recs), want)
			copy(recs, sg.recs)
			sg.recs = recs
		}
	}
	var moves []guidMove
	kept := entries[:0]
	for _, e := range entries {
		g, raw, ok := guidCandidate(e)
		if !ok {
			kept = append(kept, e)
			continue
		}
		k := maphash.String(x.seed, g)
		uh := maphash.String(x.seed, e.art.URL)
		i := -1
		if sg != nil {
			i = sg.find(k)
		}
		switch {
		case i < 0:
			r := guidRec{guid: k, url: uh}
			copy(r.id[:], raw)
			sg.add(r)
			kept = append(kept, e)
		case string(sg.recs[i].id[:]) == string(raw):
			kept = append(kept, e)
		default:
			if rec := sg.recs[i]; rec.url != uh {
				moves = append(moves, guidMove{id: hex.EncodeToString(rec.id[:]), newURL: e.art.URL, guidKey: k, e: e})
			}
		}
	}
	return kept, moves
}

// moved records that the move's new link is now the known one.
func (x *guidIndex) moved(source string, m guidMove) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if sg := x.m[source]; sg != nil {
		if i := sg.find(m.guidKey); i >= 0 {
			sg.recs[i].url = maphash.String(x.seed, m.newURL)
		}
	}
}

// add records r, replacing the oldest record when the source has
// maxGUIDsPerSource.
func (s *sourceGUIDs) add(r guidRec) {
	if len(s.recs) < maxGUIDsPerSource {
		s.recs = append(s.recs, r)
		return
	}
	s.recs[s.next] = r
	s.next = (s.next + 1) % maxGUIDsPerSource
}

// applyGUIDs runs GUID identity for a source's fresh entries: entries
// naming a known article under a new link on the same site (registrable
// domain) update that article's URL in the store — the same item moved, not
// a new story — and are not published again; a link to another site is a new
// story. An article still in flight (not stored yet) is updated on a later
// poll.
func (c *Crawler) applyGUIDs(ctx context.Context, sr *sourceRun, entries []entry) ([]entry, error) {
	kept, moves := c.guids.resolve(sr.src.Name, entries)
	if len(moves) == 0 {
		return kept, nil
	}
	ids := make([]string, 0, len(moves))
	for _, m := range moves {
		ids = append(ids, m.id)
	}
	stored, err := c.opts.Store.GetArticles(ctx, ids)
	if err != nil {
		return kept, fmt.Errorf("load articles of moved entries: %w", err)
	}
	byID := make(map[string]*article.Article, len(stored))
	for _, a := range stored {
		byID[a.ID] = a
	}
	var upd []*article.Article
	var done []guidMove
	for _, m := range moves {
		old := byID[m.id]
		if old == nil {
			continue
		}
		// A GUID does not carry an article to another site: such an entry
		// is a new story under its own ID, as if it had no GUID.
		ou, err1 := url.Parse(old.CanonicalURL)
		nu, err2 := url.Parse(m.newURL)
		if err1 != nil || err2 != nil || !sameSite(nu, ou) {
			kept = append(kept, m.e)
			continue
		}
		upd = append(upd, &article.Article{ID: m.id, URL: m.newURL, Sources: []string{sr.src.Name}, Collected: time.Now().UTC()})
		done = append(done, m)
	}
	if len(upd) == 0 {
		return kept, nil
	}
	if err := c.opts.Store.UpsertArticles(ctx, upd); err != nil {
		c.m.articleErr.WithLabelValues("store").Inc()
		return kept, fmt.Errorf("update the link of %d moved entries: %w", len(upd), err)
	}
	for _, m := range done {
		c.guids.moved(sr.src.Name, m)
		c.log.Info("feed entry moved to a new link; the article keeps its ID", "source", sr.src.Name, "article", m.id, "url", m.newURL)
	}
	c.m.duplicates.WithLabelValues("guid").Add(float64(len(done)))
	return kept, nil
}

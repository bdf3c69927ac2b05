package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// RunDigests runs the conformance suite of store.DigestStore against stores
// made by open. Each subtest gets a fresh store.
func RunDigests(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"ClaimOnce", testDigestClaimOnce},
		{"ClaimRace", testDigestClaimRace},
		{"LeaseTakeover", testDigestLease},
		{"SaveGetList", testDigestSaveGetList},
		{"Rows", testDigestRows},
		{"Alerts", testDigestAlerts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func digestStore(t *testing.T, s store.Store) store.DigestStore {
	t.Helper()
	ds, ok := s.(store.DigestStore)
	if !ok {
		t.Fatalf("%T does not implement store.DigestStore", s)
	}
	return ds
}

var dgWeek = store.DigestClaim{
	Kind: "weekly", Period: "2026-W47",
	PeriodStart: time.Date(2026, 11, 15, 17, 0, 0, 0, time.UTC),
	PeriodEnd:   time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC),
	Now:         time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC),
	Lease:       10 * time.Minute,
}

func dgClaim(owner string, now time.Time) store.DigestClaim {
	c := dgWeek
	c.Owner, c.Now = owner, now
	return c
}

func testDigestClaimOnce(t *testing.T, open func(t *testing.T) store.Store) {
	ds := digestStore(t, open(t))
	c := context.Background()
	ok, err := ds.ClaimDigest(c, dgClaim("a", dgWeek.Now))
	if err != nil || !ok {
		t.Fatalf("first claim = %v, %v; want true", ok, err)
	}
	for _, owner := range []string{"a", "b"} {
		ok, err := ds.ClaimDigest(c, dgClaim(owner, dgWeek.Now.Add(time.Minute)))
		if err != nil || ok {
			t.Fatalf("claim by %s within the lease = %v, %v; want false", owner, ok, err)
		}
	}
	if _, err := ds.ClaimDigest(c, store.DigestClaim{Kind: "weekly"}); err == nil {
		t.Fatal("claim without period and owner succeeded")
	}
	d, err := ds.GetDigest(c, store.DigestID("weekly", "2026-W47"))
	if err != nil {
		t.Fatal(err)
	}
	if d.State != store.DigestClaimed || d.ClaimedBy != "a" || d.Period != "2026-W47" ||
		!d.PeriodStart.Equal(dgWeek.PeriodStart) || !d.PeriodEnd.Equal(dgWeek.PeriodEnd) {
		t.Fatalf("claimed digest = %+v", d)
	}
}

// testDigestClaimRace lets goroutines race for one period on one handle;
// the digest package's scheduler test races separate handles (processes).
func testDigestClaimRace(t *testing.T, open func(t *testing.T) store.Store) {
	ds := digestStore(t, open(t))
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins []string
		errs []error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("sched-%d", i)
			ok, err := ds.ClaimDigest(context.Background(), dgClaim(owner, dgWeek.Now))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				wins = append(wins, owner)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if len(wins) != 1 {
		t.Fatalf("%d schedulers won the claim (%v), want exactly 1", len(wins), wins)
	}
}

func testDigestLease(t *testing.T, open func(t *testing.T) store.Store) {
	ds := digestStore(t, open(t))
	c := context.Background()
	id := store.DigestID("weekly", "2026-W47")
	if ok, err := ds.ClaimDigest(c, dgClaim("a", dgWeek.Now)); err != nil || !ok {
		t.Fatalf("claim = %v, %v", ok, err)
	}
	// a crashed: after the lease b takes over.
	later := dgWeek.Now.Add(dgWeek.Lease + time.Second)
	if ok, err := ds.ClaimDigest(c, dgClaim("b", later)); err != nil || !ok {
		t.Fatalf("takeover after the lease = %v, %v; want true", ok, err)
	}
	if ok, err := ds.ClaimDigest(c, dgClaim("a", later.Add(time.Second))); err != nil || ok {
		t.Fatalf("a reclaims b's fresh claim = %v, %v; want false", ok, err)
	}
	if err := ds.MarkDigestSent(c, id, later); err != nil {
		t.Fatal(err)
	}
	// A sent digest is never claimed again, however old its claim.
	if ok, err := ds.ClaimDigest(c, dgClaim("c", later.Add(24*time.Hour))); err != nil || ok {
		t.Fatalf("claim of a sent digest = %v, %v; want false", ok, err)
	}
	d, err := ds.GetDigest(c, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != store.DigestSent || !d.SentAt.Equal(later) || d.ClaimedBy != "b" {
		t.Fatalf("after sending: %+v", d)
	}
	// An archived digest is final too.
	arch := dgClaim("a", later)
	arch.Period, arch.PeriodStart, arch.PeriodEnd = "2026-W48", dgWeek.PeriodEnd, dgWeek.PeriodEnd.AddDate(0, 0, 7)
	if ok, err := ds.ClaimDigest(c, arch); err != nil || !ok {
		t.Fatalf("claim W48 = %v, %v", ok, err)
	}
	if err := ds.SaveDigest(c, store.Digest{ID: "weekly-2026-W48", State: store.DigestArchived}); err != nil {
		t.Fatal(err)
	}
	arch.Owner, arch.Now = "b", later.Add(24*time.Hour)
	if ok, err := ds.ClaimDigest(c, arch); err != nil || ok {
		t.Fatalf("claim of an archived digest = %v, %v; want false", ok, err)
	}
	if err := ds.MarkDigestSent(c, "weekly-1999-W01", later); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("MarkDigestSent of a missing digest = %v, want ErrNotFound", err)
	}
}

func testDigestSaveGetList(t *testing.T, open func(t *testing.T) store.Store) {
	ds := digestStore(t, open(t))
	c := context.Background()
	if _, err := ds.GetDigest(c, "weekly-2026-W01"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetDigest of a missing digest = %v, want ErrNotFound", err)
	}
	if err := ds.SaveDigest(c, store.Digest{ID: "weekly-2026-W01", State: store.DigestBuilt}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SaveDigest without a claim = %v, want ErrNotFound", err)
	}
	claims := []store.DigestClaim{dgClaim("a", dgWeek.Now)}
	q := store.DigestClaim{Kind: "quarterly", Period: "2026-Q3", Owner: "a", Now: dgWeek.Now, Lease: time.Minute,
		PeriodStart: time.Date(2026, 6, 30, 17, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC)}
	claims = append(claims, q)
	prev := dgClaim("a", dgWeek.Now)
	prev.Period, prev.PeriodStart, prev.PeriodEnd = "2026-W46", dgWeek.PeriodStart.AddDate(0, 0, -7), dgWeek.PeriodStart
	claims = append(claims, prev)
	for _, cl := range claims {
		if ok, err := ds.ClaimDigest(c, cl); err != nil || !ok {
			t.Fatalf("claim %s %s = %v, %v", cl.Kind, cl.Period, ok, err)
		}
	}
	id := store.DigestID("weekly", "2026-W47")
	pdf := []byte("%PDF-1.4 fake but binary \x00\xff")
	want := store.Digest{ID: id, Lang: "vi", Title: "Điểm báo tuần 47/2026", BodyHTML: "<h1>Điểm báo</h1>",
		BodyText: "Điểm báo", Data: []byte(`{"total": 3}`), PDF: pdf, State: store.DigestBuilt}
	if err := ds.SaveDigest(c, want); err != nil {
		t.Fatal(err)
	}
	got, err := ds.GetDigest(c, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != want.Title || got.BodyHTML != want.BodyHTML || got.BodyText != want.BodyText ||
		string(got.PDF) != string(pdf) || !got.HasPDF || got.State != store.DigestBuilt || got.Kind != "weekly" {
		t.Fatalf("GetDigest = %+v", got)
	}
	if len(got.Data) == 0 || got.Data[0] != '{' {
		t.Fatalf("Data = %q", got.Data)
	}
	// Saving again after sending keeps the state "sent".
	if err := ds.MarkDigestSent(c, id, dgWeek.Now); err != nil {
		t.Fatal(err)
	}
	want.State = store.DigestFailed
	if err := ds.SaveDigest(c, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := ds.GetDigest(c, id); got.State != store.DigestSent {
		t.Fatalf("state after saving a sent digest = %q, want sent", got.State)
	}
	all, err := ds.ListDigests(c, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range all {
		ids = append(ids, d.ID)
		if d.BodyHTML != "" || d.PDF != nil {
			t.Errorf("ListDigests returned bodies for %s", d.ID)
		}
	}
	if fmt.Sprint(ids) != "[weekly-2026-W47 weekly-2026-W46 quarterly-2026-Q3]" {
		t.Fatalf("ListDigests order = %v", ids)
	}
	if !all[0].HasPDF || all[1].HasPDF {
		t.Fatalf("HasPDF = %v, %v", all[0].HasPDF, all[1].HasPDF)
	}
	weekly, err := ds.ListDigests(c, "weekly", 1)
	if err != nil || len(weekly) != 1 || weekly[0].ID != id {
		t.Fatalf("ListDigests(weekly, 1) = %v, %v", weekly, err)
	}
}

func testDigestRows(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ds := digestStore(t, s)
	c := context.Background()
	base := time.Date(2026, 11, 16, 3, 0, 0, 0, time.UTC)
	var arts []*article.Article
	for i := range 6 {
		a := &article.Article{
			URL: fmt.Sprintf("https://news.example/a/%d", i), Source: "example", Outlet: "Example News",
			Country: "JP", Lang: "ja", Title: fmt.Sprintf("Title %d", i), Text: "text",
			Published: base.Add(time.Duration(i) * time.Hour), Collected: base.Add(time.Duration(i)*time.Hour + time.Minute),
		}
		var err error
		if a.CanonicalURL, a.ID, err = article.IDFor(a.URL); err != nil {
			t.Fatal(err)
		}
		switch i {
		case 0: // about
			a.Classification = &article.Classification{About: true, Topics: []string{"investment", "fdi"}, Tone: "positive", Risk: 10, Cluster: "c1", Relevance: 0.9}
		case 1: // mentions
			a.Classification = &article.Classification{Mentions: true, Topics: []string{}, Tone: "negative", Risk: 70, NeedsReview: true, Cluster: "c1"}
		case 2: // not relevant
			a.Classification = &article.Classification{Tone: "neutral"}
		case 3: // unclassified
		case 4: // about, collected after the window
			a.Classification = &article.Classification{About: true, Tone: "neutral"}
			a.Collected = base.Add(48 * time.Hour)
		case 5: // about, before the window
			a.Classification = &article.Classification{About: true, Tone: "neutral"}
			a.Collected = base.Add(-time.Hour)
		}
		arts = append(arts, a)
	}
	if err := s.UpsertArticles(c, arts); err != nil {
		t.Fatal(err)
	}
	var got []store.DigestRow
	err := ds.ScanDigestRows(c, base, base.Add(24*time.Hour), func(r store.DigestRow) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != arts[0].ID || got[1].ID != arts[1].ID {
		t.Fatalf("rows = %+v", got)
	}
	r := got[0]
	if !r.About || r.Mentions || fmt.Sprint(r.Topics) != "[investment fdi]" || r.Tone != "positive" || r.Risk != 10 ||
		r.Cluster != "c1" || r.Outlet != "Example News" || r.Country != "JP" || r.Lang != "ja" || r.Relevance != 0.9 ||
		!r.Published.Equal(arts[0].Published) || !r.Collected.Equal(arts[0].Collected) || r.URL != arts[0].URL || r.Title != "Title 0" {
		t.Fatalf("row 0 = %+v", r)
	}
	if !got[1].NeedsReview || got[1].Risk != 70 || !got[1].Mentions || len(got[1].Topics) != 0 {
		t.Fatalf("row 1 = %+v", got[1])
	}
	stop := errors.New("stop")
	err = ds.ScanDigestRows(c, base, base.Add(24*time.Hour), func(store.DigestRow) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("callback error = %v, want it wrapped", err)
	}
}

func testDigestAlerts(t *testing.T, open func(t *testing.T) store.Store) {
	ds := digestStore(t, open(t))
	got, err := ds.DigestAlerts(context.Background(), dgWeek.PeriodStart, dgWeek.PeriodEnd)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("alerts in an empty store = %v", got)
	}
}

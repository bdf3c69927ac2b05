package digest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/internal/testenv"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		kind       Kind
		label      string
		start, end string // local dates
		title      string
		wantErr    bool
	}{
		{Weekly, "2026-W47", "2026-11-16", "2026-11-23", "Tuần 47/2026 (16/11–22/11/2026)", false},
		{Weekly, "2026-W01", "2025-12-29", "2026-01-05", "Tuần 1/2026 (29/12–04/01/2026)", false},
		{Weekly, "2026-W53", "2026-12-28", "2027-01-04", "", false}, // 2026 has 53 ISO weeks
		{Weekly, "2025-W53", "", "", "", true},
		{Weekly, "2026-W5", "", "", "", true},
		{Weekly, "2026W47", "", "", "", true},
		{Quarterly, "2026-Q4", "2026-10-01", "2027-01-01", "Quý IV/2026", false},
		{Quarterly, "2026-Q1", "2026-01-01", "2026-04-01", "Quý I/2026", false},
		{Quarterly, "2026-Q5", "", "", "", true},
		{Annual, "2026", "2025-11-01", "2026-11-01", "Năm 2026 (01/11/2025–31/10/2026)", false},
		{Annual, "26", "", "", "", true},
		{Kind("daily"), "2026", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+" "+tt.label, func(t *testing.T) {
			p, err := ParsePeriod(tt.kind, tt.label, hcm)
			if tt.wantErr {
				if err == nil || !errors.Is(err, ErrBadPeriod) {
					t.Fatalf("err = %v, want ErrBadPeriod", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Start.Format("2006-01-02"); got != tt.start || p.End.Format("2006-01-02") != tt.end {
				t.Errorf("period %s – %s, want %s – %s", got, p.End.Format("2006-01-02"), tt.start, tt.end)
			}
			if p.Start.Hour() != 0 || p.Start.Location() != hcm {
				t.Errorf("start %v is not local midnight", p.Start)
			}
			if p.Label != tt.label {
				t.Errorf("label %q", p.Label)
			}
			if tt.title != "" && p.Title() != tt.title {
				t.Errorf("title %q, want %q", p.Title(), tt.title)
			}
			// Round trips: the period of its start, next of prev.
			if q := PeriodOf(tt.kind, p.Start, hcm); q != p {
				t.Errorf("PeriodOf(start) = %+v", q)
			}
			if q := p.Prev().Next(); q != p {
				t.Errorf("Prev().Next() = %+v", q)
			}
			if !p.Prev().End.Equal(p.Start) {
				t.Errorf("Prev ends %v, not at %v", p.Prev().End, p.Start)
			}
		})
	}
}

func TestPeriodOfUsesLocalTime(t *testing.T) {
	// Sunday 22 November 2026 18:00 UTC is Monday 01:00 in Hanoi: week 48 there.
	p := PeriodOf(Weekly, time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC), hcm)
	if p.Label != "2026-W48" {
		t.Fatalf("label %s, want 2026-W48", p.Label)
	}
	if a := PeriodOf(Annual, time.Date(2026, 11, 1, 0, 0, 0, 0, hcm), hcm); a.Label != "2027" {
		t.Fatalf("1 November 2026 is in reporting year %s, want 2027", a.Label)
	}
}

func TestScheduleLatest(t *testing.T) {
	weekly := Schedule{Kind: Weekly, Weekday: time.Monday, Hour: 7, Minute: 30}
	quarterly := Schedule{Kind: Quarterly, Day: 1, Hour: 8}
	annual := Schedule{Kind: Annual, Day: 2, Hour: 8}
	tests := []struct {
		sc   Schedule
		now  time.Time
		want string
	}{
		{weekly, time.Date(2026, 11, 23, 7, 29, 0, 0, hcm), "2026-W46"}, // a minute early
		{weekly, time.Date(2026, 11, 23, 7, 30, 0, 0, hcm), "2026-W47"},
		{weekly, time.Date(2026, 11, 27, 12, 0, 0, 0, hcm), "2026-W47"},
		{Schedule{Kind: Weekly, Weekday: time.Wednesday, Hour: 9}, time.Date(2026, 11, 24, 12, 0, 0, 0, hcm), "2026-W46"},
		{Schedule{Kind: Weekly, Weekday: time.Wednesday, Hour: 9}, time.Date(2026, 11, 25, 9, 0, 0, 0, hcm), "2026-W47"},
		{quarterly, time.Date(2027, 1, 1, 7, 0, 0, 0, hcm), "2026-Q3"},
		{quarterly, time.Date(2027, 1, 1, 8, 0, 0, 0, hcm), "2026-Q4"},
		{annual, time.Date(2026, 11, 1, 9, 0, 0, 0, hcm), "2025"},
		{annual, time.Date(2026, 11, 2, 8, 0, 0, 0, hcm), "2026"},
		{annual, time.Date(2027, 3, 1, 8, 0, 0, 0, hcm), "2026"},
	}
	for _, tt := range tests {
		if got := tt.sc.Latest(tt.now, hcm); got.Label != tt.want {
			t.Errorf("%s at %s: latest %s, want %s", tt.sc.Kind, tt.now.Format(time.DateTime), got.Label, tt.want)
		}
	}
	// The annual report is due before 5 November.
	p, _ := ParsePeriod(Annual, "2026", hcm)
	if due := annual.DueAt(p); !due.Before(time.Date(2026, 11, 5, 0, 0, 0, 0, hcm)) {
		t.Errorf("annual report due %v, not before 5 November", due)
	}
}

// outbox is a Mailer that records what it is given and, like the alerts
// outbox, keeps one delivery per message ID.
type outbox struct {
	mu       sync.Mutex
	byID     map[string]*Message
	enqueues int
	fail     error
}

func (o *outbox) Enqueue(_ context.Context, m *Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	o.enqueues++
	if o.byID == nil {
		o.byID = map[string]*Message{}
	}
	o.byID[m.ID] = m
	return nil
}

func (o *outbox) ids() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var ids []string
	for id := range o.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func newTestScheduler(t *testing.T, st store.Store, mb Mailer, clock *fakeClock, owner string) *Scheduler {
	t.Helper()
	g, err := New(Options{Store: st.(ReportStore), Location: hcm, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	var mailer Mailer
	if mb != nil {
		mailer = mb
	}
	s, err := NewScheduler(SchedulerOptions{
		Generator: g, Store: st.(ArchiveStore), Mailer: mailer, Owner: owner, Now: clock.Now, Lease: 10 * time.Minute,
		Schedules: []Schedule{{Kind: Weekly, Weekday: time.Monday, Hour: 7, Minute: 30, Recipients: []string{"songoaivu@dongnai.example", "stttt@dongnai.example"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSchedulerSendsOnceAndCatchesUp(t *testing.T) {
	st := seededStore(t)
	mb := &outbox{}
	clock := &fakeClock{t: time.Date(2026, 11, 23, 7, 0, 0, 0, hcm)} // before W47 is due
	s := newTestScheduler(t, st, mb, clock, "a")
	ctx := context.Background()
	if err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// W46 was due (last Monday) and never sent: caught up.
	if got := fmt.Sprint(mb.ids()); got != "[weekly-2026-W46/songoaivu@dongnai.example weekly-2026-W46/stttt@dongnai.example]" {
		t.Fatalf("after the first run: %s", got)
	}
	clock.Set(time.Date(2026, 11, 23, 7, 30, 0, 0, hcm))
	for range 3 {
		if err := s.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if mb.enqueues != 4 || len(mb.ids()) != 4 {
		t.Fatalf("%d enqueues of %v, want 4: each period once per recipient", mb.enqueues, mb.ids())
	}
	m := mb.byID["weekly-2026-W47/songoaivu@dongnai.example"]
	if m == nil || !strings.Contains(m.Subject, "Tuần 47/2026") || len(m.Inline) != 3 || !strings.Contains(m.HTML, "cid:"+m.Inline[0].ContentID) ||
		!strings.HasPrefix(m.MessageID, "<digest.") || m.Text == "" {
		t.Fatalf("message %+v", m)
	}
	d, err := st.(store.DigestStore).GetDigest(ctx, "weekly-2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	if d.State != store.DigestSent || !strings.Contains(d.BodyHTML, "data:image/png;base64,") || !strings.Contains(string(d.Data), `"total": 31`) {
		t.Fatalf("archived digest: state %s, %d bytes of HTML, data %.80s", d.State, len(d.BodyHTML), d.Data)
	}
}

func TestSchedulerRetriesAfterFailure(t *testing.T) {
	st := seededStore(t)
	mb := &outbox{fail: errors.New("outbox unavailable")}
	clock := &fakeClock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, hcm)}
	a := newTestScheduler(t, st, mb, clock, "a")
	b := newTestScheduler(t, st, mb, clock, "b")
	ctx := context.Background()
	if err := a.RunOnce(ctx); err == nil || !strings.Contains(err.Error(), "outbox unavailable") {
		t.Fatalf("RunOnce with a failing outbox = %v", err)
	}
	d, err := st.(store.DigestStore).GetDigest(ctx, "weekly-2026-W47")
	if err != nil || d.State != store.DigestFailed || !strings.Contains(d.LastError, "outbox unavailable") {
		t.Fatalf("after failure: %+v, %v", d.State, err)
	}
	mb.mu.Lock()
	mb.fail = nil
	mb.mu.Unlock()
	// Within the lease nobody retries; after it, another scheduler does.
	if err := b.RunOnce(ctx); err != nil || mb.enqueues != 0 {
		t.Fatalf("retry within the lease: %v, %d enqueues", err, mb.enqueues)
	}
	clock.Set(clock.Now().Add(11 * time.Minute))
	if err := b.RunOnce(ctx); err != nil || mb.enqueues != 2 {
		t.Fatalf("retry after the lease: %v, %d enqueues", err, mb.enqueues)
	}
}

func TestSchedulerWithoutMailerArchives(t *testing.T) {
	st := seededStore(t)
	clock := &fakeClock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, hcm)}
	s := newTestScheduler(t, st, nil, clock, "a")
	if err := s.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	list, err := st.(store.DigestStore).ListDigests(context.Background(), "weekly", 0)
	if err != nil || len(list) != 1 || list[0].ID != "weekly-2026-W47" || list[0].State != store.DigestArchived {
		t.Fatalf("archive %+v, %v", list, err)
	}
	// Archived is final: after the lease nobody builds it again.
	clock.Set(clock.Now().Add(time.Hour))
	ok, err := s.Deliver(context.Background(), PeriodOf(Weekly, time.Date(2026, 11, 18, 0, 0, 0, 0, hcm), hcm), nil)
	if err != nil || ok {
		t.Fatalf("Deliver of an archived period = %v, %v", ok, err)
	}
}

// TestSchedulerFirstStartSendsNoPastReports: a new installation (its first
// source added this week) archives the report of the week before it began
// watching but mails nothing; the first week it watched is sent.
func TestSchedulerFirstStartSendsNoPastReports(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	w47, err := ParsePeriod(Weekly, "2026-W47", hcm)
	if err != nil {
		t.Fatal(err)
	}
	begun := w47.Start.Add(50 * time.Hour) // Wednesday of W47
	if err := st.UpsertSource(ctx, store.Source{Name: "reuters", Kind: "feed", Outlet: "Reuters", Enabled: true, AddedAt: begun}); err != nil {
		t.Fatal(err)
	}
	mb := &outbox{}
	clock := &fakeClock{t: time.Date(2026, 11, 23, 7, 0, 0, 0, hcm)} // W46 due, W47 not yet
	s := newTestScheduler(t, st, mb, clock, "a")
	if err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if mb.enqueues != 0 {
		t.Fatalf("a report of a week before monitoring began was mailed: %v", mb.ids())
	}
	d, err := st.(store.DigestStore).GetDigest(ctx, "weekly-2026-W46")
	if err != nil || d.State != store.DigestArchived {
		t.Fatalf("W46: %+v, %v; want archived", d.State, err)
	}
	clock.Set(time.Date(2026, 11, 23, 7, 30, 0, 0, hcm))
	if err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(mb.ids()); got != "[weekly-2026-W47/songoaivu@dongnai.example weekly-2026-W47/stttt@dongnai.example]" {
		t.Fatalf("the first watched week: %s", got)
	}
}

// TestSchedulersRace runs schedulers on separate store handles, as separate
// processes would, against one database: every period is sent exactly once.
func TestSchedulersRace(t *testing.T) {
	backends := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return storetest.SQLiteURL(t) }},
		{"postgres", func(t *testing.T) string { testenv.PostgresURL(t); return storetest.PostgresURL(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			url := be.url(t)
			first := storetest.Open(t, url)
			seed(t, first)
			mb := &outbox{}
			clock := &fakeClock{t: time.Date(2026, 11, 23, 7, 30, 0, 0, hcm)}
			const n = 4
			scheds := make([]*Scheduler, n)
			for i := range n {
				h := first
				if i > 0 {
					h = storetest.Open(t, url) // a handle of its own
				}
				scheds[i] = newTestScheduler(t, h, mb, clock, fmt.Sprintf("sched-%d", i))
			}
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for _, s := range scheds {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- s.RunOnce(context.Background())
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			// W47 (due now) to two recipients, once: two enqueues, not 2×n.
			if mb.enqueues != 2 || len(mb.ids()) != 2 {
				t.Fatalf("%d enqueues of %v, want exactly 2", mb.enqueues, mb.ids())
			}
		})
	}
}

// TestSchedulerRun checks the loop: it delivers at start, keeps ticking
// without sending again, and stops cleanly when its context ends.
func TestSchedulerRun(t *testing.T) {
	st := seededStore(t)
	mb := &outbox{}
	clock := &fakeClock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, hcm)}
	s := newTestScheduler(t, st, mb, clock, "a")
	s.opts.Interval = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for len(mb.ids()) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the scheduler sent nothing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // several more ticks
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	if mb.enqueues != 2 {
		t.Fatalf("%d enqueues, want 2", mb.enqueues)
	}
}

// FuzzParsePeriod feeds period labels as typed on the command line: a label
// either fails with ErrBadPeriod or gives a period that contains its own
// start and prints back as the same label.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-W47", "2026-Q4", "2026", "2026-W00", "9999-W52", "-1", "2026-q1", "２０２６"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, label string) {
		for _, k := range []Kind{Weekly, Quarterly, Annual} {
			p, err := ParsePeriod(k, label, hcm)
			if err != nil {
				if !errors.Is(err, ErrBadPeriod) {
					t.Fatalf("%s %q: error %v is not ErrBadPeriod", k, label, err)
				}
				continue
			}
			if !p.Start.Before(p.End) {
				t.Fatalf("%s %q: empty period %v – %v", k, label, p.Start, p.End)
			}
			if q := PeriodOf(k, p.Start, hcm); q != p {
				t.Fatalf("%s %q: PeriodOf(start) = %s", k, label, q.Label)
			}
			if !strings.EqualFold(p.Label, strings.TrimSpace(label)) {
				t.Fatalf("%s %q: parsed as %s", k, label, p.Label)
			}
		}
	})
}

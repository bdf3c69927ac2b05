package crawler

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// simFeed is a source publishing at the given times whose feed shows its
// newest window entries, dated or not; poll reads it like the crawler does
// and applies the outcome with observe.
type simFeed struct {
	pubs    []time.Time // publication times, oldest first
	window  int
	undated bool
	seen    map[int]bool
	st      store.SourceState
	lo, hi  time.Duration
}

func newSimFeed(pubs []time.Time, window int, undated bool) *simFeed {
	return &simFeed{pubs: pubs, window: window, undated: undated, seen: map[int]bool{}, lo: 5 * time.Minute, hi: 6 * time.Hour}
}

func (f *simFeed) poll(now time.Time) {
	var in []int
	for i, p := range f.pubs {
		if !p.After(now) {
			in = append(in, i)
		}
	}
	if len(in) > f.window {
		in = in[len(in)-f.window:]
	}
	var fresh, known []time.Time
	for _, i := range in {
		t := f.pubs[i]
		if f.undated {
			t = time.Time{}
		}
		if f.seen[i] {
			known = append(known, t)
		} else {
			f.seen[i] = true
			fresh = append(fresh, t)
		}
	}
	if len(fresh) == 0 {
		known = nil // as pubTimes: no new item, no rate update
	}
	observe(&f.st, fresh, known, true, now, f.lo, f.hi, 4, 0)
}

// pollEvery polls from..until (inclusive) every step.
func (f *simFeed) pollEvery(from, until time.Time, step time.Duration) {
	for t := from; !t.After(until); t = t.Add(step) {
		f.poll(t)
	}
}

// every returns n times, gap apart, the last at last.
func every(last time.Time, gap time.Duration, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = last.Add(-time.Duration(n-1-i) * gap)
	}
	return out
}

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func TestPubGap(t *testing.T) {
	now := t0
	var zero time.Time
	tests := []struct {
		name         string
		fresh, known []time.Time
		want         time.Duration
		wantN        int
	}{
		{"backlog measures itself", every(now, 2*time.Hour, 20), nil, 2 * time.Hour, 19},
		{"one new after the known", []time.Time{now}, every(now.Add(-3*time.Hour), time.Hour, 5), 84 * time.Minute, 5},
		{"two new, the older behind a known one", []time.Time{now, now.Add(-90 * time.Minute)}, []time.Time{now.Add(-2 * time.Hour), now.Add(-time.Hour)}, 40 * time.Minute, 3},
		{"no new entry", nil, every(now, time.Hour, 5), 0, 0},
		{"dormant for months, then new", every(now, 80*time.Second, 5), every(now.Add(-90*24*time.Hour), 24*time.Hour, 15), 80 * time.Second, 4},
		{"a burst six days ago is not a busy source", []time.Time{now.Add(-6 * 24 * time.Hour), now.Add(-6*24*time.Hour + 5*time.Minute), now.Add(-6*24*time.Hour + 10*time.Minute)}, nil, 3 * 24 * time.Hour, 2},
		{"once a day, a week back", []time.Time{now}, every(now.Add(-24*time.Hour), 24*time.Hour, 19), 24 * time.Hour, 7},
		{"single item, nothing known", []time.Time{now}, nil, 0, 0},
		{"undated", []time.Time{zero, zero, zero}, []time.Time{zero}, 0, 0},
		{"undated new, dated known", []time.Time{zero}, []time.Time{now.Add(-time.Hour)}, 0, 0},
		{"same stamp on every entry", []time.Time{now, now, now}, []time.Time{now}, 0, 0},
		{"date-only stamps average out", []time.Time{now.Add(-24 * time.Hour), now.Add(-24 * time.Hour), now.Add(-24 * time.Hour), now.Add(-12 * time.Hour)}, []time.Time{now.Add(-36 * time.Hour)}, 9 * time.Hour, 4},
		{"far future ignored", []time.Time{now.Add(48 * time.Hour), now}, []time.Time{now.Add(-time.Hour)}, time.Hour, 1},
		{"slightly ahead read as now", []time.Time{now.Add(5 * time.Minute)}, []time.Time{now.Add(-time.Hour)}, time.Hour, 1},
		{"pinned old entry in a backlog", append([]time.Time{now.Add(-180 * 24 * time.Hour)}, every(now, 6*time.Minute, 19)...), nil, 6 * time.Minute, 18},
		{"pinned entry days old in a busy feed", append([]time.Time{now.Add(-5 * 24 * time.Hour)}, every(now, 6*time.Minute, 19)...), nil, 6 * time.Minute, 18},
		{"nights stay in", []time.Time{now.Add(-10 * time.Hour), now.Add(-9 * time.Hour), now.Add(-8 * time.Hour), now.Add(-7 * time.Hour), now.Add(-2 * time.Hour), now.Add(-time.Hour), now}, nil, 10 * time.Hour / 6, 6},
		{"epoch dates ignored", []time.Time{time.Unix(0, 0), now}, []time.Time{now.Add(-2 * time.Hour)}, 2 * time.Hour, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := pubGap(tt.fresh, tt.known, now)
			if got != tt.want || n != tt.wantN {
				t.Errorf("pubGap = %s, %d; want %s, %d", got, n, tt.want, tt.wantN)
			}
		})
	}
}

func TestAdaptClampsAndKeepsInterval(t *testing.T) {
	now := t0
	lo, hi := 5*time.Minute, 6*time.Hour
	// Dated: the interval is half the gap, as with the poll-time estimate.
	iv, gap := adapt(10*time.Minute, 0, time.Time{}, every(now, 2*time.Hour, 20), nil, now, lo, hi)
	if gap != 2*time.Hour || iv != time.Hour {
		t.Errorf("backlog every 2h: interval %s, gap %s", iv, gap)
	}
	// A gap of seconds from the dates is floored.
	if _, gap := adapt(lo, 0, time.Time{}, every(now, time.Second, 20), nil, now, lo, hi); gap != minMeanGap {
		t.Errorf("entries a second apart: gap %s, want %s", gap, minMeanGap)
	}
	// A backlog older than a week gives no rate (a first poll: none at all).
	if iv, gap := adapt(10*time.Minute, 0, time.Time{}, every(now.Add(-30*24*time.Hour), 24*time.Hour, 20), nil, now, lo, hi); gap != 0 || iv != 8*time.Minute {
		t.Errorf("months-old backlog: interval %s, gap %s; want 8m, no gap", iv, gap)
	}
	// The poll-time estimate is capped: one undated item 400 days after the last.
	if _, gap := adapt(hi, 0, now.Add(-400*24*time.Hour), make([]time.Time, 1), nil, now, lo, hi); gap != maxMeanGap {
		t.Errorf("a year without items: gap %s, want %s", gap, maxMeanGap)
	}
	// Undated: the poll-time estimate, exactly nextInterval's.
	undated := make([]time.Time, 3)
	wantIv, wantGap := nextInterval(30*time.Minute, time.Hour, now.Add(-4*time.Hour), 3, now, lo, hi)
	if iv, gap := adapt(30*time.Minute, time.Hour, now.Add(-4*time.Hour), undated, nil, now, lo, hi); iv != wantIv || gap != wantGap {
		t.Errorf("undated: %s, %s; want nextInterval's %s, %s", iv, gap, wantIv, wantGap)
	}
	// Nothing new: slows down, gap unchanged.
	if iv, gap := adapt(10*time.Minute, time.Hour, now.Add(-time.Hour), nil, nil, now, lo, hi); iv != 12*time.Minute+30*time.Second || gap != time.Hour {
		t.Errorf("nothing new: %s, %s", iv, gap)
	}
	// One dated item nudges a known gap by pubGapWeight.
	_, gap = adapt(time.Hour, 2*time.Hour, now.Add(-time.Hour), []time.Time{now}, []time.Time{now.Add(-4 * time.Hour)}, now, lo, hi)
	if want := time.Duration(0.8*float64(2*time.Hour) + 0.2*float64(4*time.Hour)); gap != want {
		t.Errorf("one item 4h after the last: gap %s, want %s", gap, want)
	}
}

// The defect: presswatch demo flagged sources silent minutes after the first
// start, with rates of thousands a day (backlog over poll time) or 0.
func TestFreshSourceWithBacklogNotSilent(t *testing.T) {
	tests := []struct {
		name    string
		pubs    []time.Time
		cadence time.Duration
		undated bool
	}{
		{"backlog every 2h, then nothing", every(t0, 2*time.Hour, 20), time.Minute, false},
		{"demo outlet, an item every 80s", every(t0.Add(24*time.Hour), 80*time.Second, 1200), 30 * time.Second, false},
		{"7 items, then nothing", every(t0, 3*time.Hour, 7), 30 * time.Second, false},
		{"undated backlog, then nothing", every(t0, 2*time.Hour, 20), time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSimFeed(tt.pubs, 20, tt.undated)
			f.lo, f.hi = 10*time.Second, time.Minute
			for _, at := range []time.Duration{4 * time.Minute, 14 * time.Minute, 17 * time.Minute, time.Hour, 23 * time.Hour} {
				f.pollEvery(t0, t0.Add(at), tt.cadence)
				if f.st.Silent {
					t.Fatalf("silent %s after the first poll (last new %s before, %v items/day)", at, t0.Add(at).Sub(f.st.LastNewItem), f.st.ItemsPerDay)
				}
			}
			if tt.undated {
				return
			}
			want := float64(24*time.Hour) / float64(tt.pubs[1].Sub(tt.pubs[0]))
			if math.Abs(f.st.ItemsPerDay-want) > 0.05*want {
				t.Errorf("items/day %.1f, want ≈ %.1f", f.st.ItemsPerDay, want)
			}
		})
	}
}

func TestItemsPerDayFromDatesWhateverThePolling(t *testing.T) {
	pubs := every(t0.Add(10*24*time.Hour), 2*time.Hour, 12*12) // 12 days, one every 2h
	for _, cadence := range []time.Duration{5 * time.Minute, 37 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour} {
		t.Run(cadence.String(), func(t *testing.T) {
			f := newSimFeed(pubs, 20, false)
			f.pollEvery(t0, t0.Add(10*24*time.Hour), cadence)
			if math.Abs(f.st.ItemsPerDay-12) > 0.5 {
				t.Errorf("items/day %.2f, want ≈ 12 (mean gap %s)", f.st.ItemsPerDay, f.st.MeanGap)
			}
			if want := int64(len(f.seen)); f.st.ItemsTotal != want {
				t.Errorf("items total %d, want %d", f.st.ItemsTotal, want)
			}
		})
	}
}

func TestUndatedEntriesFallBackToPollTimes(t *testing.T) {
	pubs := every(t0.Add(3*24*time.Hour), 30*time.Minute, 3*48+21) // one every 30 min, a backlog of 20
	f := newSimFeed(pubs, 20, true)
	f.poll(t0)
	if f.st.ItemsTotal != 20 || f.st.MeanGap != 0 || f.st.ItemsPerDay != 0 {
		t.Fatalf("first poll of an undated feed: total %d, gap %s, %v/day; want the backlog counted and no rate yet", f.st.ItemsTotal, f.st.MeanGap, f.st.ItemsPerDay)
	}
	f.pollEvery(t0.Add(time.Hour), t0.Add(3*24*time.Hour), time.Hour)
	if math.Abs(f.st.ItemsPerDay-48) > 2 {
		t.Errorf("items/day %.1f, want ≈ 48 from poll times", f.st.ItemsPerDay)
	}
	if f.st.Silent {
		t.Error("publishing source silent")
	}
}

func TestSilentAfterLongQuiet(t *testing.T) {
	tests := []struct {
		name     string
		gap      time.Duration
		stopFor  time.Duration
		wantQuit bool // silent at the end of the stop
	}{
		{"every 2h for two weeks, stopped 3 days", 2 * time.Hour, 3 * 24 * time.Hour, true},
		{"every 2h for two weeks, stopped 20h", 2 * time.Hour, 20 * time.Hour, false},
		{"every 2h for two weeks, stopped 26h", 2 * time.Hour, 26 * time.Hour, true},
		{"once a day for two weeks, stopped 3 days", 24 * time.Hour, 3 * 24 * time.Hour, false}, // < 4 × 1 day
		{"once a day for two weeks, stopped 5 days", 24 * time.Hour, 5 * 24 * time.Hour, true},
		{"every 10 min for two weeks, stopped 12h", 10 * time.Minute, 12 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			last := t0.Add(14 * 24 * time.Hour)
			pubs := every(last, tt.gap, int(14*24*time.Hour/tt.gap))
			f := newSimFeed(pubs, 20, false)
			f.pollEvery(t0, last, 30*time.Minute)
			if f.st.Silent {
				t.Fatal("silent while publishing")
			}
			f.pollEvery(last.Add(30*time.Minute), last.Add(tt.stopFor), 30*time.Minute)
			if f.st.Silent != tt.wantQuit {
				t.Errorf("after %s without a new item: silent %v, want %v (mean gap %s, %d items)", tt.stopFor, f.st.Silent, tt.wantQuit, f.st.MeanGap, f.st.ItemsTotal)
			}
		})
	}
}

func TestUnusuallySilentNeedsEvidence(t *testing.T) {
	now := t0
	tests := []struct {
		quiet, gap time.Duration
		items      int64
		floor      time.Duration
		want       bool
	}{
		{30 * time.Hour, 2 * time.Hour, 200, 0, true},
		{23 * time.Hour, 2 * time.Hour, 200, 0, false},             // under the 24h floor
		{23 * time.Hour, 2 * time.Hour, 200, 12 * time.Hour, true}, // a shorter floor set
		{30 * time.Hour, 2 * time.Hour, 200, 48 * time.Hour, false},
		{30 * time.Hour, 2 * time.Hour, 9, 0, false},                // too few items
		{30 * time.Hour, 2 * time.Hour, 20, 0, false},               // 40h of history + 30h < a week
		{6 * 24 * time.Hour, 2 * time.Hour, 20, 0, true},            // the silence itself is the evidence
		{30 * time.Hour, 10 * time.Hour, 200, 0, false},             // under 4 × the gap
		{30 * time.Hour, 0, 200, 0, false},                          // no rate
		{30 * time.Hour, 20 * time.Second, 100000, 0, true},         // an absurd stored gap is clamped
		{30 * time.Hour, 2 * time.Hour, math.MaxInt64 / 2, 0, true}, // no overflow
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("quiet %s gap %s items %d floor %s", tt.quiet, tt.gap, tt.items, tt.floor), func(t *testing.T) {
			if got := unusuallySilent(now.Add(-tt.quiet), now, tt.gap, tt.items, 4, tt.floor); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if unusuallySilent(time.Time{}, now, time.Hour, 100, 4, 0) {
		t.Error("never published, flagged silent")
	}
}

func TestObserveFailedPollKeepsSilentFlag(t *testing.T) {
	now := t0
	st := store.SourceState{LastNewItem: now.Add(-72 * time.Hour), MeanGap: 2 * time.Hour, ItemsTotal: 500, Interval: time.Hour, Silent: false}
	observe(&st, nil, nil, false, now, 5*time.Minute, 6*time.Hour, 4, 0)
	if st.Silent || st.Interval != time.Hour {
		t.Errorf("failed poll changed the state: silent %v, interval %s", st.Silent, st.Interval)
	}
	observe(&st, nil, nil, true, now, 5*time.Minute, 6*time.Hour, 4, 0)
	if !st.Silent {
		t.Error("a readable feed quiet for 3 days (usually every 2h) not silent")
	}
	if st.ItemsPerDay != 12 {
		t.Errorf("items/day %v", st.ItemsPerDay)
	}
	// A stored absurd gap (an older version's) shows a bounded rate.
	if got := itemsPerDay(20 * time.Second); got != 1440 {
		t.Errorf("itemsPerDay(20s) = %v, want 1440", got)
	}
}

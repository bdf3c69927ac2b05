package crawler

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dongnai/presswatch/store"
)

// Scheduling constants.
const (
	gapWeight   = 0.3  // weight of the newest observed gap in the mean gap
	slowDown    = 1.25 // interval growth after a poll with nothing new
	pollsPerGap = 2.0  // polls per expected new item
	jitterFrac  = 0.1  // ±10% jitter on every interval
)

// Publication-rate estimation and silence detection.
const (
	// pubGapWeight is the weight, per gap it rests on, of a poll's estimate
	// from dates in the mean gap: an estimate from n gaps moves the mean by
	// 1-(1-pubGapWeight)^n of the way, so a feed of 20 dated entries nearly
	// sets it and a feed of two only nudges it.
	pubGapWeight = 0.2
	// minMeanGap and maxMeanGap bound the mean gap (1440 items a day at most,
	// one a month at least): identical or wrong dates make neither an
	// endless rate nor a source that is never expected to publish.
	minMeanGap = time.Minute
	maxMeanGap = 30 * 24 * time.Hour
	// clockSkew is how far in the future an entry's date may be and still be
	// believed (read as now); later dates, and dates before minPubDate, are
	// treated as missing.
	clockSkew = 10 * time.Minute
	// rateHorizon is how far back entries' dates tell the current rate (a
	// week: a weekly rhythm, months-old backlogs left out).
	rateHorizon = 7 * 24 * time.Hour
	// With at least outlierMinGaps gaps between dated entries, the oldest
	// entries are left out while their gap to the next is over
	// outlierFactor times the median gap.
	outlierMinGaps = 5
	outlierFactor  = 100
	// silentMinItems is how many new items the crawler must have counted
	// from a source before it may call it silent.
	silentMinItems = 10
	// silentMinObserved is how much of a source's life must be behind a
	// silence verdict: the time its counted items took to publish (items ×
	// mean gap) plus the silence itself. A week covers a weekly rhythm.
	silentMinObserved = 7 * 24 * time.Hour
	// DefaultSilentMin is the shortest silence ever flagged
	// (crawler.silent_min): outlets going quiet for a few hours is normal.
	DefaultSilentMin = 24 * time.Hour
)

// minPubDate is the earliest entry date believed.
var minPubDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// nextInterval adapts a source's polling interval after a successful poll
// that found newItems at now. It returns the new interval and mean gap
// between new items, the gap estimated from poll times (see adapt for the
// estimate from publication times).
func nextInterval(interval, meanGap time.Duration, lastNew time.Time, newItems int, now time.Time, lo, hi time.Duration) (time.Duration, time.Duration) {
	if newItems > 0 {
		meanGap = pollGap(meanGap, lastNew, newItems, now)
	}
	return intervalFor(interval, meanGap, newItems, lo, hi), meanGap
}

// pollGap updates the mean gap from poll times: newItems arrived since the
// poll that last found something new (an EWMA per poll). Without a previous
// new item (a first poll, whose items are a backlog) it is unchanged.
func pollGap(meanGap time.Duration, lastNew time.Time, newItems int, now time.Time) time.Duration {
	if lastNew.IsZero() || !now.After(lastNew) || newItems <= 0 {
		return meanGap
	}
	gap := now.Sub(lastNew) / time.Duration(newItems)
	if meanGap <= 0 {
		return gap
	}
	return time.Duration(float64(meanGap)*(1-gapWeight) + float64(gap)*gapWeight)
}

// intervalFor is the polling interval after a poll that found newItems:
// half the mean gap when something new came, longer when nothing did.
func intervalFor(interval, meanGap time.Duration, newItems int, lo, hi time.Duration) time.Duration {
	if interval <= 0 {
		interval = lo
	}
	if newItems > 0 {
		if meanGap > 0 {
			interval = time.Duration(float64(meanGap) / pollsPerGap)
		} else {
			interval = time.Duration(float64(interval) / slowDown)
		}
	} else {
		interval = time.Duration(float64(interval) * slowDown)
	}
	return clamp(interval, lo, hi)
}

// adapt is nextInterval with the gap between new items taken from their
// publication times when the feed gives them: fresh are the new entries'
// dates, known those of the other entries the poll read (zero = undated).
// Dates tell the rate whatever the polling cadence, and a first poll's
// backlog then measures it instead of distorting it. Without usable dates
// the poll-time estimate is the fallback. The mean gap is clamped to
// [minMeanGap, maxMeanGap].
func adapt(interval, meanGap time.Duration, lastNew time.Time, fresh, known []time.Time, now time.Time, lo, hi time.Duration) (time.Duration, time.Duration) {
	n := len(fresh)
	if n > 0 {
		if g, k := pubGap(fresh, known, now); k > 0 {
			meanGap = blendGap(meanGap, g, k)
		} else {
			meanGap = pollGap(meanGap, lastNew, n, now)
		}
		if meanGap > 0 {
			meanGap = clamp(meanGap, minMeanGap, maxMeanGap)
		}
	}
	return intervalFor(interval, meanGap, n, lo, hi), meanGap
}

// pubGap is the mean gap between items read from the dates of all the
// entries a poll read (fresh: the new ones, known: the others; zero =
// undated): the dated entries published within the last rateHorizon, k of
// them, the oldest at t, give (now − t) / (k − 1) — the feed's own recent
// history, whatever the polling cadence, and a first poll's backlog measures
// the rate instead of distorting it. The time since the newest entry counts,
// so a burst long ago is not read as a busy source. An old entry leading a
// busy window (pinned, re-dated) is left out when its gap to the next is
// over outlierFactor × the median gap. n is the number of gaps; 0 when the
// dates tell nothing: no new entry, fewer than two dated entries within the
// horizon, or every entry stamped alike.
func pubGap(fresh, known []time.Time, now time.Time) (mean time.Duration, n int) {
	if len(fresh) == 0 {
		return 0, 0
	}
	from := now.Add(-rateHorizon)
	ts := make([]time.Time, 0, len(fresh)+len(known))
	for _, list := range [][]time.Time{fresh, known} {
		for _, t := range list {
			if t.IsZero() || t.Before(minPubDate) || t.Before(from) || t.After(now.Add(clockSkew)) {
				continue
			}
			if t.After(now) {
				t = now
			}
			ts = append(ts, t)
		}
	}
	if len(ts) < 2 {
		return 0, 0
	}
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	if ts[0].Equal(ts[len(ts)-1]) {
		return 0, 0 // every entry stamped alike: the feed's time, not theirs
	}
	if len(ts)-1 >= outlierMinGaps {
		gaps := make([]time.Duration, len(ts)-1)
		for i := range gaps {
			gaps[i] = ts[i+1].Sub(ts[i])
		}
		sorted := slices.Clone(gaps)
		slices.Sort(sorted)
		if med := sorted[len(sorted)/2]; med > 0 {
			i := 0
			for i < len(gaps)-outlierMinGaps && gaps[i] > outlierFactor*med {
				i++
			}
			ts = ts[i:]
		}
	}
	n = len(ts) - 1
	return now.Sub(ts[0]) / time.Duration(n), n
}

// blendGap moves the mean gap towards g, the mean of n observed gaps, each
// weighing pubGapWeight.
func blendGap(meanGap, g time.Duration, n int) time.Duration {
	if meanGap <= 0 {
		return g
	}
	w := 1 - math.Pow(1-pubGapWeight, float64(n))
	return time.Duration(float64(meanGap)*(1-w) + float64(g)*w)
}

// observe applies a poll's outcome to a source's schedule and health: the
// interval and mean gap (after a success or when new entries came), the
// last new item and count, items per day and the silent flag. fresh and
// known are the publication times of the new and the other entries read.
// The silent flag is decided only when the feed could be read (ok) or
// brought something: a failing source is failing, not silent.
func observe(st *store.SourceState, fresh, known []time.Time, ok bool, now time.Time, lo, hi time.Duration, factor float64, floor time.Duration) {
	if ok || len(fresh) > 0 {
		st.Interval, st.MeanGap = adapt(st.Interval, st.MeanGap, st.LastNewItem, fresh, known, now, lo, hi)
	}
	if len(fresh) > 0 {
		st.LastNewItem = now
		st.ItemsTotal += int64(len(fresh))
	}
	st.ItemsPerDay = itemsPerDay(st.MeanGap)
	if ok || len(fresh) > 0 {
		st.Silent = unusuallySilent(st.LastNewItem, now, st.MeanGap, st.ItemsTotal, factor, floor)
	}
}

// backoff is the wait after the n-th consecutive error (n ≥ 1): exponential
// from lo, capped at hi, with "equal jitter" (between half and all of it).
// A server's Retry-After is honoured when longer.
func backoff(n int, lo, hi, retryAfter time.Duration) time.Duration {
	exp := float64(lo) * math.Pow(2, float64(min(n-1, 30)))
	d := time.Duration(math.Min(exp, float64(hi)))
	d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	return max(d, retryAfter)
}

// jitter spreads d by ±10% so sources configured alike do not poll in step.
func jitter(d time.Duration) time.Duration {
	f := 1 + jitterFrac*(2*rand.Float64()-1)
	return time.Duration(float64(d) * f)
}

// silent reports whether a source that used to publish has been quiet for
// more than factor times its usual gap (the ratio rule alone; the flag is
// unusuallySilent).
func silent(lastNew, now time.Time, meanGap time.Duration, factor float64) bool {
	if lastNew.IsZero() || meanGap <= 0 {
		return false
	}
	return now.Sub(lastNew) > time.Duration(factor*float64(meanGap))
}

// unusuallySilent reports whether a source is to be flagged silent: quiet
// for more than factor times its usual gap and more than floor (0 means
// DefaultSilentMin), with enough evidence behind the usual gap — at least
// silentMinItems items counted, and silentMinObserved of the source's life
// (its items × mean gap, plus the silence) behind the verdict.
func unusuallySilent(lastNew, now time.Time, meanGap time.Duration, itemsTotal int64, factor float64, floor time.Duration) bool {
	if floor <= 0 {
		floor = DefaultSilentMin
	}
	if lastNew.IsZero() || meanGap <= 0 || itemsTotal < silentMinItems {
		return false
	}
	meanGap = clamp(meanGap, minMeanGap, maxMeanGap)
	quiet := now.Sub(lastNew)
	if quiet <= floor {
		return false
	}
	history := float64(itemsTotal) * float64(meanGap) // float: no overflow
	if history+float64(quiet) < float64(silentMinObserved) {
		return false
	}
	return silent(lastNew, now, meanGap, factor)
}

// itemsPerDay derives the publication rate from the mean gap, clamped to
// [minMeanGap, maxMeanGap] (a gap stored by an older version may be absurd).
func itemsPerDay(meanGap time.Duration) float64 {
	if meanGap <= 0 {
		return 0
	}
	return float64(24*time.Hour) / float64(clamp(meanGap, minMeanGap, maxMeanGap))
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}

package crawler

import (
	"math"
	"math/rand/v2"
	"time"
)

// Scheduling constants.
const (
	gapWeight   = 0.3  // weight of the newest observed gap in the mean gap
	slowDown    = 1.25 // interval growth after a poll with nothing new
	pollsPerGap = 2.0  // polls per expected new item
	jitterFrac  = 0.1  // ±10% jitter on every interval
)

// nextInterval adapts a source's polling interval after a successful poll
// that found newItems at now. It returns the new interval and mean gap
// between new items.
func nextInterval(interval, meanGap time.Duration, lastNew time.Time, newItems int, now time.Time, lo, hi time.Duration) (time.Duration, time.Duration) {
	if interval <= 0 {
		interval = lo
	}
	if newItems > 0 {
		if !lastNew.IsZero() && now.After(lastNew) {
			gap := now.Sub(lastNew) / time.Duration(newItems)
			if meanGap <= 0 {
				meanGap = gap
			} else {
				meanGap = time.Duration(float64(meanGap)*(1-gapWeight) + float64(gap)*gapWeight)
			}
		}
		if meanGap > 0 {
			interval = time.Duration(float64(meanGap) / pollsPerGap)
		} else {
			interval = time.Duration(float64(interval) / slowDown)
		}
	} else {
		interval = time.Duration(float64(interval) * slowDown)
	}
	return clamp(interval, lo, hi), meanGap
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
// more than factor times its usual gap.
func silent(lastNew, now time.Time, meanGap time.Duration, factor float64) bool {
	if lastNew.IsZero() || meanGap <= 0 {
		return false
	}
	return now.Sub(lastNew) > time.Duration(factor*float64(meanGap))
}

// itemsPerDay derives the publication rate from the mean gap.
func itemsPerDay(meanGap time.Duration) float64 {
	if meanGap <= 0 {
		return 0
	}
	return float64(24*time.Hour) / float64(meanGap)
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}

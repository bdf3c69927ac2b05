package digest

import (
	"net/url"
	"time"
)

// SearchPath returns the search page path (with its query) that lists the
// articles a report of [start, end) counts: collected in the period (days in
// loc, end exclusive), about or mentioning the province, newest first. The
// search's "province" scope and "collected" date basis are defined to match
// ScanDigestRows, so the search's total equals the report's Total.
func SearchPath(start, end time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	v := url.Values{}
	v.Set("since", start.In(loc).Format("2006-01-02"))
	v.Set("until", end.Add(-time.Nanosecond).In(loc).Format("2006-01-02"))
	v.Set("basis", "collected")
	v.Set("rel", "province")
	v.Set("sort", "newest")
	return "/search?" + v.Encode()
}

// SearchURL is SearchPath on the report's web UI, or "" without a BaseURL.
func (r *Report) SearchURL() string {
	if r.BaseURL == "" {
		return ""
	}
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return r.BaseURL + SearchPath(r.Start, r.End, loc)
}

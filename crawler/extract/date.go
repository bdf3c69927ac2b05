package extract

import (
	"strings"
	"time"

	"github.com/markusmobius/go-htmldate"
	"golang.org/x/net/html"
)

// declaredLayouts are the timestamp forms pages use in article:published_time
// and schema.org datePublished.
var declaredLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.000Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
}

// parseDeclared parses a declared publication timestamp with a time zone; ok is
// false for anything less precise (a bare date says nothing of the hour).
func parseDeclared(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return time.Time{}, false
	}
	for _, l := range declaredLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// publishedDate finds the original publication date of the page. A full
// timestamp in the article's schema.org datePublished is taken as it stands
// (its offset says which local day the outlet meant). Otherwise go-htmldate
// decides: first its fast mode (meta elements, JSON-LD, time elements, URL,
// patterns in the page); only when that finds nothing, its extensive mode,
// whose many-language date parser is slow but reads dates written out in words.
// htmldate answers with a day; when the page declares a full timestamp
// (schema.org datePublished, article:published_time) on that same day, the
// timestamp is returned instead, so that the time of day and offset survive.
func (e *Extractor) publishedDate(doc *html.Node, pageURL string, meta pageMeta) time.Time {
	now := e.opts.Now()
	if ts, ok := parseDeclared(meta.jsonldDatePublished); ok && !ts.After(now.Add(24*time.Hour)) {
		return ts
	}
	opts := htmldate.Options{
		URL:                 pageURL,
		UseOriginalDate:     true,
		SkipExtensiveSearch: true,
		MaxDate:             now.Add(24 * time.Hour),
	}
	r, err := htmldate.FromDocument(doc, opts)
	if err != nil || r.IsZero() {
		opts.SkipExtensiveSearch = false
		r, err = htmldate.FromDocument(doc, opts)
	}
	var day time.Time
	if err == nil && !r.IsZero() {
		day = r.DateTime
	}
	for _, s := range []string{meta.jsonldDatePublished, meta.published} {
		ts, ok := parseDeclared(s)
		if !ok || ts.After(opts.MaxDate) {
			continue
		}
		if day.IsZero() || ts.Format(time.DateOnly) == day.Format(time.DateOnly) {
			return ts
		}
	}
	return day
}

// Package urlfetch stands in for google.golang.org/appengine/urlfetch, whose
// real implementation (App Engine's URL Fetch service) presswatch never uses.
// See ../README.md.
package urlfetch

import (
	"context"
	"net/http"
)

// Client returns a plain HTTP client. colly's Collector.Appengine, the only
// caller, copies its own jar, redirect policy and timeout onto it.
func Client(ctx context.Context) *http.Client { return &http.Client{} }

package web

import (
	"net/url"
	"testing"
)

func TestScratchAPIPrefix(t *testing.T) {
	f := newFixture(t)
	for _, q := range []string{"q=dong*&rel=about", "q=dong*&f=lang:en", "q=risk>=50&f=lang:en", "q=topic:env*", "q=" + url.QueryEscape("published>2026-01-01") + "&f=lang:en", "q=dong*"} {
		resp, body := f.api("GET", "/api/v1/search?"+q, RoleViewer, "")
		t.Logf("%s: %d %d %.200s", q, resp.StatusCode, len(body), body)
	}
}

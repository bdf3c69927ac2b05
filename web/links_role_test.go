package web

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestNoLinkLeadsToForbidden crawls the UI as each role, from the pages in
// the navigation, and fails on any link the role is shown but may not open
// (a new user found the alert inbox linking police officers to rules,
// silences and the demo mailbox, all 403 for them).
func TestNoLinkLeadsToForbidden(t *testing.T) {
	f := newFixture(t)
	href := regexp.MustCompile(`href="(/[^"#]*)"`)
	for _, role := range AllRoles {
		t.Run(role, func(t *testing.T) {
			cookie, _ := f.session(role)
			seen := map[string]bool{}
			queue := []string{"/dashboard", "/search", "/alerts", "/saved", "/reports", "/sources", "/admin/users"}
			from := map[string]string{}
			for len(queue) > 0 && len(seen) < 400 {
				p := queue[0]
				queue = queue[1:]
				if seen[p] {
					continue
				}
				seen[p] = true
				resp, body := f.get(p, cookie)
				if resp.StatusCode == http.StatusForbidden && from[p] != "" {
					t.Errorf("%s: %s links to %s, which answers 403", role, from[p], p)
					continue
				}
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					continue
				}
				for _, m := range href.FindAllStringSubmatch(body, -1) {
					l := html.UnescapeString(m[1])
					if strings.HasPrefix(l, "/static/") || strings.HasPrefix(l, "/lang/") || strings.Contains(l, "/export") || seen[l] {
						continue
					}
					if _, ok := from[l]; !ok {
						from[l] = p
					}
					queue = append(queue, l)
				}
			}
			if len(seen) < 5 {
				t.Errorf("%s: crawled only %d pages", role, len(seen))
			}
		})
	}
}

package fetch

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/temoto/robotstxt"
)

type robotsEntry struct {
	ready   chan struct{} // closed when data is set
	data    *robotstxt.RobotsData
	expires time.Time
}

// Allowed reports whether robots.txt of u's host lets presswatch fetch u. The
// file is fetched once per host and cached for RobotsTTL; a missing file (4xx)
// allows everything, a server error (5xx) or unreachable host disallows
// everything until the next try, as the robots exclusion standard (RFC 9309)
// asks. A robots Crawl-delay slows the host's rate limit.
func (c *Client) Allowed(ctx context.Context, u *url.URL) (bool, error) {
	key := strings.ToLower(u.Scheme + "://" + u.Host)
	for {
		c.mu.Lock()
		e := c.robots[key]
		if e != nil {
			select {
			case <-e.ready:
				if time.Now().After(e.expires) {
					delete(c.robots, key)
					c.mu.Unlock()
					continue
				}
			default:
			}
			c.mu.Unlock()
			select {
			case <-e.ready:
			case <-ctx.Done():
				return false, ctx.Err()
			}
			return c.test(e, u), nil
		}
		e = &robotsEntry{ready: make(chan struct{})}
		c.robots[key] = e
		c.mu.Unlock()
		c.loadRobots(ctx, u, e)
		return c.test(e, u), nil
	}
}

func (c *Client) loadRobots(ctx context.Context, u *url.URL, e *robotsEntry) {
	defer close(e.ready)
	ttl := c.opts.RobotsTTL
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	resp, err := c.get(ctx, Request{URL: ru.String(), Accept: "text/plain"})
	var data *robotstxt.RobotsData
	var se *StatusError
	switch {
	case err == nil:
		data, err = robotstxt.FromStatusAndBytes(resp.StatusCode, resp.Body)
		if err != nil {
			data, _ = robotstxt.FromStatusAndBytes(404, nil) // unparseable: allow, as crawlers do
		}
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500 && se.Code != 429:
		data, _ = robotstxt.FromStatusAndBytes(se.Code, nil)
	default:
		// 5xx, 429 or unreachable: disallow for a short while, then try again.
		data, _ = robotstxt.FromStatusAndBytes(503, nil)
		ttl = min(ttl, 10*time.Minute)
		c.log.Debug("robots.txt unavailable", "host", u.Host, "error", err)
	}
	e.data = data
	e.expires = time.Now().Add(ttl)
	if g := data.FindGroup(RobotsAgent); g != nil && g.CrawlDelay > 0 {
		c.slowDown(strings.ToLower(u.Hostname()), g.CrawlDelay)
	}
}

func (c *Client) test(e *robotsEntry, u *url.URL) bool {
	if e.data == nil {
		return true
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return e.data.TestAgent(p, RobotsAgent)
}

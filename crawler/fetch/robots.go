package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/temoto/robotstxt"
)

// ErrRobotsUnavailable means the host's robots.txt could not be read (a
// server error, 429, or no answer at all): RFC 9309 §2.3.1.3 asks crawlers to
// treat the whole host as disallowed until it answers, but the source's error
// must say that robots.txt was unreachable, not that it disallows the URL.
var ErrRobotsUnavailable = errors.New("robots.txt unreachable; the host is not crawled until it answers")

type robotsEntry struct {
	ready   chan struct{} // closed when data is set
	data    *robotstxt.RobotsData
	err     error // why robots.txt could not be read (the host is then disallowed)
	expires time.Time
}

// Allowed reports whether robots.txt of u's host lets presswatch fetch u. The
// file is fetched once per host and cached for RobotsTTL; a missing file (4xx)
// allows everything, a server error (5xx, 429) or unreachable host disallows
// everything until the next try, as the robots exclusion standard (RFC 9309)
// asks. In that last case Allowed returns false and an error wrapping
// ErrRobotsUnavailable and the cause (a *StatusError keeps its Retry-After),
// so that callers report an unreachable robots.txt honestly. A robots
// Crawl-delay slows the host's rate limit.
func (c *Client) Allowed(ctx context.Context, u *url.URL) (bool, error) {
	ok, _, err := c.allowed(ctx, u, nil)
	return ok, err
}

// allowed is Allowed; when it fetches robots.txt itself, that request uses
// turn (if not nil) and usedTurn is true.
func (c *Client) allowed(ctx context.Context, u *url.URL, turn *Turn) (ok, usedTurn bool, err error) {
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
				return false, false, ctx.Err()
			}
			ok, err := c.verdict(e, u)
			return ok, false, err
		}
		e = &robotsEntry{ready: make(chan struct{})}
		c.robots[key] = e
		c.mu.Unlock()
		c.loadRobots(ctx, u, e, turn)
		if ctx.Err() != nil {
			// A fetch cut short by our own shutdown says nothing about the host.
			c.mu.Lock()
			if c.robots[key] == e {
				delete(c.robots, key)
			}
			c.mu.Unlock()
			return false, turn != nil, ctx.Err()
		}
		ok, err := c.verdict(e, u)
		return ok, turn != nil, err
	}
}

func (c *Client) verdict(e *robotsEntry, u *url.URL) (bool, error) {
	if e.err != nil {
		return false, fmt.Errorf("fetch %q: %w: %w", u.String(), ErrRobotsUnavailable, e.err)
	}
	return c.test(e, u), nil
}

// robotsMaxBytes is how much of a robots.txt is read and parsed: RFC 9309
// §2.5 asks crawlers to parse at least the first 500 KiB. A larger file
// is cut there (its last line may be cut too), not refused: refusing
// disallowed the whole host and published its entries without text.
const robotsMaxBytes = 500 << 10

func (c *Client) loadRobots(ctx context.Context, u *url.URL, e *robotsEntry, turn *Turn) {
	defer close(e.ready)
	ttl := c.opts.RobotsTTL
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	resp, err := c.get(ctx, Request{URL: ru.String(), Accept: "text/plain", Turn: turn, Prefix: robotsMaxBytes})
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
		e.err = err
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

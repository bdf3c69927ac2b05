package fetch

import "net/http"

// HTTPClient returns the client's underlying *http.Client: the same
// dial-time SSRF guard, connect timeout and redirect limit, without the
// per-host limits, robots.txt or body bounds of Get. It is for callers that
// must see every response as it is, 404 included (evidence capture).
func (c *Client) HTTPClient() *http.Client { return c.hc }

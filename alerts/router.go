package alerts

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/query"
)

// Severities of a route.
const (
	SeverityImmediate = "immediate" // notified
	SeverityDigest    = "digest"    // recorded for the digest, not notified
)

// Defaults of the root route, as in Alertmanager.
const (
	DefaultGroupWait      = 30 * time.Second
	DefaultGroupInterval  = 5 * time.Minute
	DefaultRepeatInterval = 4 * time.Hour
)

// GroupFields are the fields group_by and inhibition may name.
var groupFields = []string{"cluster", "outlet", "country", "lang", "source", "article"}

// Route is one node of the routing tree as configured; unset settings are
// inherited from the parent.
type Route struct {
	Name           string // unique; unnamed routes are named by their path ("route/0/1")
	Match          string // a query; empty matches everything
	Receiver       string
	Continue       bool
	GroupBy        []string
	GroupWait      *time.Duration
	GroupInterval  *time.Duration
	RepeatInterval *time.Duration
	// GroupIntervalMax, when above GroupInterval, lets the pause between a
	// story's messages double up to it (store.NewAlert).
	GroupIntervalMax *time.Duration
	Severity         string
	Routes           []Route
}

// Match is a route that an article matched, with its effective settings.
type Match struct {
	Route                                    string
	Receiver                                 string
	GroupBy                                  []string
	GroupWait, GroupInterval, RepeatInterval time.Duration
	GroupIntervalMax                         time.Duration
	Severity                                 string
}

// GroupKey returns the key of a's group under m: the route and the group_by values.
func (m Match) GroupKey(a *article.Article) string {
	var b strings.Builder
	b.WriteString(m.Route)
	for _, f := range m.GroupBy {
		b.WriteString("|" + f + "=" + groupValue(a, f))
	}
	return b.String()
}

type node struct {
	m        Match
	match    *query.Prepared // nil matches everything
	cont     bool
	children []*node
}

// Router matches articles against a routing tree. It is immutable and safe
// for concurrent use.
type Router struct {
	root  *node
	names []string
}

// NewRouter compiles a routing tree. The root must name a receiver and have
// no matcher; every receiver named must be in receivers.
func NewRouter(root Route, receivers []string) (*Router, error) {
	if root.Match != "" {
		return nil, errors.New("routing tree: the root route must not have a matcher")
	}
	if root.Receiver == "" {
		return nil, errors.New("routing tree: the root route needs a receiver")
	}
	def := Match{Route: "default", GroupBy: []string{"cluster"}, GroupWait: DefaultGroupWait,
		GroupInterval: DefaultGroupInterval, RepeatInterval: DefaultRepeatInterval, Severity: SeverityImmediate}
	r := &Router{}
	seen := map[string]bool{}
	n, err := r.compile(root, def, "route", receivers, seen, true)
	if err != nil {
		return nil, err
	}
	r.root = n
	return r, nil
}

func (r *Router) compile(rt Route, parent Match, path string, receivers []string, seen map[string]bool, root bool) (*node, error) {
	m := parent
	m.Route = rt.Name
	if m.Route == "" {
		m.Route = path
		if root {
			m.Route = "default"
		}
	}
	if seen[m.Route] {
		return nil, fmt.Errorf("routing tree: duplicate route name %q", m.Route)
	}
	seen[m.Route] = true
	r.names = append(r.names, m.Route)
	if rt.Receiver != "" {
		if !slices.Contains(receivers, rt.Receiver) {
			return nil, fmt.Errorf("route %q: no receiver named %q", m.Route, rt.Receiver)
		}
		m.Receiver = rt.Receiver
	}
	if len(rt.GroupBy) > 0 {
		for _, f := range rt.GroupBy {
			if !slices.Contains(groupFields, f) {
				return nil, fmt.Errorf("route %q: cannot group by %q", m.Route, f)
			}
		}
		m.GroupBy = slices.Clone(rt.GroupBy)
	}
	if rt.GroupWait != nil {
		m.GroupWait = *rt.GroupWait
	}
	if rt.GroupInterval != nil {
		m.GroupInterval = *rt.GroupInterval
	}
	if rt.RepeatInterval != nil {
		m.RepeatInterval = *rt.RepeatInterval
	}
	if rt.GroupIntervalMax != nil {
		m.GroupIntervalMax = *rt.GroupIntervalMax
	}
	switch rt.Severity {
	case "":
	case SeverityImmediate, SeverityDigest:
		m.Severity = rt.Severity
	default:
		return nil, fmt.Errorf("route %q: unknown severity %q", m.Route, rt.Severity)
	}
	n := &node{m: m, cont: rt.Continue}
	if rt.Match != "" {
		q, err := query.Parse(rt.Match)
		if err != nil {
			return nil, fmt.Errorf("route %q: match: %w", m.Route, err)
		}
		n.match = query.Prepare(q)
	}
	for i, c := range rt.Routes {
		cn, err := r.compile(c, m, path+"/"+strconv.Itoa(i), receivers, seen, false)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, cn)
	}
	return n, nil
}

// Root returns the root route's effective settings (receiver, grouping,
// timings, severity), which routes added beside the tree inherit.
func (r *Router) Root() Match {
	m := r.root.m
	m.GroupBy = slices.Clone(m.GroupBy)
	return m
}

// Routes returns every route's name, depth first.
func (r *Router) Routes() []string { return slices.Clone(r.names) }

// Match returns the routes a matches, in tree order. The root always
// matches, so every article gets at least one Match.
func (r *Router) Match(a *article.Article) []Match {
	return r.MatchDoc(articleDoc(a))
}

// MatchDoc is Match on an article's document, for a caller that has built
// it already.
func (r *Router) MatchDoc(d query.Doc) []Match {
	return r.root.walk(d)
}

func (n *node) walk(d query.Doc) []Match {
	if n.match != nil && !n.match.Match(d) {
		return nil
	}
	var out []Match
	for _, c := range n.children {
		ms := c.walk(d)
		if len(ms) == 0 {
			continue
		}
		out = append(out, ms...)
		if !c.cont {
			break
		}
	}
	if len(out) == 0 {
		out = []Match{n.m}
	}
	return out
}

// Why returns the conditions of route's matcher, and of the matchers of
// the routes above it, that hold for a, each written as in the query
// ("topic:security_crime", "risk>=40"): why the article went to the route's
// office. Of an OR only the sides that hold are named; a NOT holding is
// not named (it says what the article is not). It returns nil for a route
// the tree does not have (a saved-search route) or one without matchers.
func (r *Router) Why(a *article.Article, route string) []string {
	return r.WhyDoc(articleDoc(a), route)
}

// WhyDoc is Why on an article's document, for a caller that has built it
// already.
func (r *Router) WhyDoc(d query.Doc, route string) []string {
	path := r.root.path(route)
	if path == nil {
		return nil
	}
	var out []string
	for _, n := range path {
		if n.match != nil {
			out = appendHeld(out, n.match.Node(), d)
		}
	}
	return slices.Compact(out)
}

// path returns the nodes from n down to the route named route, or nil.
func (n *node) path(route string) []*node {
	if n.m.Route == route {
		return []*node{n}
	}
	for _, c := range n.children {
		if p := c.path(route); p != nil {
			return append([]*node{n}, p...)
		}
	}
	return nil
}

// appendHeld appends the conditions of q that hold for d (q itself holds).
func appendHeld(out []string, q query.Node, d query.Doc) []string {
	switch q := q.(type) {
	case *query.And:
		return appendHeld(appendHeld(out, q.Left, d), q.Right, d)
	case *query.Or:
		for _, side := range []query.Node{q.Left, q.Right} {
			if query.Eval(side, d) {
				out = appendHeld(out, side, d)
			}
		}
		return out
	case *query.Not:
		return out
	}
	if !query.Eval(q, d) {
		return out
	}
	return append(out, query.String(q))
}

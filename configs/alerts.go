package configs

import (
	"bytes"
	_ "embed" // the alerts.yaml shipped for Đồng Nai
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dongnai/presswatch/query"
)

//go:embed alerts.yaml
var alertsYAML []byte

// AlertsYAML returns the alerts.yaml shipped in the binary.
func AlertsYAML() []byte { return bytes.Clone(alertsYAML) }

// AlertsConfig configures alert routing, receivers and delivery (see alerts/).
// Zero values mean the defaults documented on each field. It is the content of
// configs/alerts.yaml, or the "alerts" key of the main configuration.
type AlertsConfig struct {
	// Durable is the JetStream consumer of PW_CLASSIFIED; empty means "alerter".
	Durable string `yaml:"durable"`
	// BaseURL is the public address of the UI used in links; empty means web.base_url.
	BaseURL string `yaml:"base_url"`
	// WebhookAllowNets are CIDR prefixes of non-public networks that webhook
	// posts may reach (a chat bridge on the office network). Empty: webhooks
	// reach public addresses only (the SSRF guard).
	WebhookAllowNets []string `yaml:"webhook_allow_nets"`
	// AckTTL is how long an acknowledge link stays valid; 0 means 168h.
	AckTTL time.Duration `yaml:"ack_ttl"`
	// PollInterval is how often the sender looks for due deliveries; 0 means 1s.
	PollInterval time.Duration `yaml:"poll_interval"`
	// MaxAttempts is the number of attempts before a delivery is marked failed; 0 means 10.
	MaxAttempts int `yaml:"max_attempts"`
	// BackoffInitial is the wait after the first failure, doubled after each
	// further one; 0 means 30s.
	BackoffInitial time.Duration `yaml:"backoff_initial"`
	// BackoffMax caps the wait between attempts; 0 means 30m.
	BackoffMax time.Duration `yaml:"backoff_max"`
	// CriticalRisk is the risk from which an alert is critical (sent even in
	// quiet hours); 0 means 80.
	CriticalRisk int `yaml:"critical_risk"`
	// Timezone is the zone quiet hours and email times use; empty means Asia/Ho_Chi_Minh.
	Timezone string `yaml:"timezone"`
	// TemplateDir may hold an email.tmpl overriding the embedded template.
	TemplateDir string `yaml:"template_dir"`
	// Receivers are who alerts go to.
	Receivers []ReceiverConfig `yaml:"receivers"`
	// Route is the root of the routing tree; it matches every article.
	Route RouteConfig `yaml:"route"`
	// InhibitRules suppress alerts of one route while an alert of another exists.
	InhibitRules []InhibitRuleConfig `yaml:"inhibit_rules"`
}

// ReceiverConfig is one receiver: a team with email addresses and/or a webhook.
type ReceiverConfig struct {
	Name        string   `yaml:"name"`
	DisplayName string   `yaml:"display_name"`
	Email       []string `yaml:"email"`
	// Webhook receives a JSON POST signed the Standard Webhooks way
	// (headers webhook-id, webhook-timestamp, webhook-signature).
	Webhook *WebhookConfig `yaml:"webhook"`
	// QuietHours delays non-critical alerts arriving in [start, end) to end.
	QuietHours *QuietHoursConfig `yaml:"quiet_hours"`
}

// WebhookConfig is an HTTP endpoint for chat bridges.
type WebhookConfig struct {
	// URL often carries a token: it is never printed, stored or logged whole.
	URL     SecretURL     `yaml:"url"`
	Secret  Secret        `yaml:"secret"`
	Timeout time.Duration `yaml:"timeout"`
}

// QuietHoursConfig is a daily window, "HH:MM" in AlertsConfig.Timezone; it may
// wrap midnight (22:00–06:30).
type QuietHoursConfig struct {
	Start string `yaml:"start"`
	End   string `yaml:"end"`
}

// RouteConfig is one node of the routing tree. Unset settings are inherited
// from the parent.
type RouteConfig struct {
	Name string `yaml:"name"`
	// Match is a query (see package query) over the classified article; empty
	// matches everything.
	Match    string `yaml:"match"`
	Receiver string `yaml:"receiver"`
	// Continue goes on to the next sibling after this route matched.
	Continue bool `yaml:"continue"`
	// GroupBy lists the fields alerts are grouped by: cluster, outlet, country,
	// lang, article; empty inherits, and the root defaults to [cluster].
	GroupBy        []string       `yaml:"group_by"`
	GroupWait      *time.Duration `yaml:"group_wait"`
	GroupInterval  *time.Duration `yaml:"group_interval"`
	RepeatInterval *time.Duration `yaml:"repeat_interval"`
	// GroupIntervalMax lets the pause between a story's messages grow:
	// doubling from group_interval up to this (docs/alerts.md); unset
	// inherits, and zero or not above group_interval keeps it fixed.
	GroupIntervalMax *time.Duration `yaml:"group_interval_max"`
	// Severity is "immediate" (sent) or "digest" (kept for the digest only).
	Severity string        `yaml:"severity"`
	Routes   []RouteConfig `yaml:"routes"`
}

// InhibitRuleConfig suppresses alerts of the Target route while an alert of
// the Source route exists with the same Equal fields (default [cluster]).
type InhibitRuleConfig struct {
	Source string   `yaml:"source"`
	Target string   `yaml:"target"`
	Equal  []string `yaml:"equal"`
}

// GroupFields are the fields group_by and inhibit_rules.equal accept.
var GroupFields = []string{"cluster", "outlet", "country", "lang", "article", "source"}

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// ParseAlerts decodes an alerts document strictly (unknown keys, a decimal
// for an integer, a second document are errors) and validates it; name is
// used in messages.
//
// Every problem is reported at once, each with its line and key path, as
// for the main file: an unknown key with the keys its section has ("did
// you mean group_wait?"), a route naming no receiver. (An outside install
// got Go type names, one problem per run and no line numbers.)
func ParseAlerts(name string, data []byte) (*AlertsConfig, error) {
	var c AlertsConfig
	problems, err := decodeOne(name, data, &c)
	var lines map[string]int
	linesOf := func() map[string]int {
		if lines == nil {
			var root yaml.Node
			_ = yaml.Unmarshal(data, &root)
			lines = map[string]int{}
			for k, l := range keyLines(&root) {
				lines["alerts."+k] = l
			}
		}
		return lines
	}
	if err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("parse %s: %w", name, &Error{Problems: []Problem{yamlSyntaxProblem(name, err)}})
		}
		byLine := keysByLine(linesOf())
		for _, msg := range te.Errors {
			p := typeErrorProblem(name, msg)
			if k := byLine[p.Line]; k != "" && (p.Key == "" || strings.HasSuffix(k, "."+p.Key)) {
				p.Key = k
			}
			problems = append(problems, p)
		}
	}
	for _, err := range c.Validate() {
		problems = append(problems, fieldProblem(name, linesOf(), err))
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
		return nil, fmt.Errorf("parse %s: %w", name, &Error{Problems: problems})
	}
	return &c, nil
}

// Validate returns every problem with the alerts settings, each naming its key.
func (c *AlertsConfig) Validate() []error {
	var errs []error
	if c.Durable != "" && !durableName.MatchString(c.Durable) {
		errs = append(errs, Errf("alerts.durable", "%q may hold only letters, digits, \"-\" and \"_\"", c.Durable))
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, Errf("alerts.base_url", "%q is not an http(s) URL", c.BaseURL))
		}
	}
	for i, n := range c.WebhookAllowNets {
		if _, err := netip.ParsePrefix(n); err != nil {
			errs = append(errs, Errf(fmt.Sprintf("alerts.webhook_allow_nets[%d]", i), "%q is not a CIDR prefix", n))
		}
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"alerts.ack_ttl", c.AckTTL}, {"alerts.poll_interval", c.PollInterval}, {"alerts.backoff_initial", c.BackoffInitial}, {"alerts.backoff_max", c.BackoffMax}} {
		if d.v < 0 {
			errs = append(errs, Errf(d.key, "must not be negative"))
		}
	}
	if c.MaxAttempts < 0 || c.MaxAttempts > 1000 {
		errs = append(errs, Errf("alerts.max_attempts", "%d is not between 0 (default) and 1000", c.MaxAttempts))
	}
	if c.CriticalRisk < 0 || c.CriticalRisk > 100 {
		errs = append(errs, Errf("alerts.critical_risk", "%d is not between 0 (default) and 100", c.CriticalRisk))
	}
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			errs = append(errs, Errf("alerts.timezone", "unknown time zone %q", c.Timezone))
		}
	}
	recv := map[string]bool{}
	for i, r := range c.Receivers {
		key := fmt.Sprintf("alerts.receivers[%d]", i)
		if !durableName.MatchString(r.Name) {
			errs = append(errs, Errf(key+".name", "%q must be letters, digits, \"-\" or \"_\"", r.Name))
		}
		if recv[r.Name] {
			errs = append(errs, Errf(key+".name", "duplicate receiver %q", r.Name))
		}
		recv[r.Name] = true
		for j, e := range r.Email {
			if a, err := mail.ParseAddress(e); err != nil || a.Name != "" || strings.ContainsAny(e, "\r\n") {
				errs = append(errs, Errf(fmt.Sprintf("%s.email[%d]", key, j), "%q is not a plain email address", e))
			}
		}
		if r.Webhook != nil {
			if u, err := url.Parse(r.Webhook.URL.Value()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				errs = append(errs, Errf(key+".webhook.url", "%s is not an http(s) URL", r.Webhook.URL))
			}
			if r.Webhook.Timeout < 0 {
				errs = append(errs, Errf(key+".webhook.timeout", "must not be negative"))
			}
		}
		if len(r.Email) == 0 && r.Webhook == nil {
			errs = append(errs, Errf(key, "receiver %q has neither email nor webhook", r.Name))
		}
		if q := r.QuietHours; q != nil {
			if !clockRE.MatchString(q.Start) {
				errs = append(errs, Errf(key+".quiet_hours.start", "%q is not HH:MM", q.Start))
			}
			if !clockRE.MatchString(q.End) {
				errs = append(errs, Errf(key+".quiet_hours.end", "%q is not HH:MM", q.End))
			}
		}
	}
	names := map[string]bool{}
	errs = append(errs, c.Route.validate("alerts.route", true, recv, names)...)
	for i, ir := range c.InhibitRules {
		key := fmt.Sprintf("alerts.inhibit_rules[%d]", i)
		if !names[ir.Source] {
			errs = append(errs, Errf(key+".source", "no route named %q", ir.Source))
		}
		if !names[ir.Target] {
			errs = append(errs, Errf(key+".target", "no route named %q", ir.Target))
		}
		for j, f := range ir.Equal {
			if !isGroupField(f) {
				errs = append(errs, Errf(fmt.Sprintf("%s.equal[%d]", key, j), "%q is not one of %s", f, strings.Join(GroupFields, ", ")))
			}
		}
	}
	return errs
}

func isGroupField(f string) bool {
	for _, g := range GroupFields {
		if f == g {
			return true
		}
	}
	return false
}

func (r *RouteConfig) validate(key string, root bool, recv, names map[string]bool) []error {
	var errs []error
	if r.Name != "" {
		if names[r.Name] {
			errs = append(errs, Errf(key+".name", "duplicate route name %q", r.Name))
		}
		names[r.Name] = true
	}
	if root && r.Receiver == "" {
		errs = append(errs, Errf(key+".receiver", "the root route needs a receiver"))
	}
	if r.Receiver != "" && !recv[r.Receiver] {
		errs = append(errs, Errf(key+".receiver", "no receiver named %q", r.Receiver))
	}
	if root && r.Match != "" {
		errs = append(errs, Errf(key+".match", "the root route matches every article; put matchers on child routes"))
	}
	if r.Match != "" {
		if _, err := query.Parse(r.Match); err != nil {
			errs = append(errs, Errf(key+".match", "%v", err))
		}
	}
	for i, f := range r.GroupBy {
		if !isGroupField(f) {
			errs = append(errs, Errf(fmt.Sprintf("%s.group_by[%d]", key, i), "%q is not one of %s", f, strings.Join(GroupFields, ", ")))
		}
	}
	for _, d := range []struct {
		k string
		v *time.Duration
	}{{"group_wait", r.GroupWait}, {"group_interval", r.GroupInterval}, {"repeat_interval", r.RepeatInterval}, {"group_interval_max", r.GroupIntervalMax}} {
		if d.v != nil && *d.v < 0 {
			errs = append(errs, Errf(key+"."+d.k, "must not be negative"))
		}
	}
	switch r.Severity {
	case "", "immediate", "digest":
	default:
		errs = append(errs, Errf(key+".severity", "%q is not immediate or digest", r.Severity))
	}
	for i := range r.Routes {
		errs = append(errs, r.Routes[i].validate(fmt.Sprintf("%s.routes[%d]", key, i), false, recv, names)...)
	}
	return errs
}

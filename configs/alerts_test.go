package configs

import (
	"strings"
	"testing"
)

func TestShippedAlerts(t *testing.T) {
	c, err := ParseAlerts("alerts.yaml", AlertsYAML())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Receivers) != 3 || c.Route.Receiver == "" || len(c.Route.Routes) == 0 {
		t.Errorf("shipped alerts config looks empty: %+v", c)
	}
	// A running story is mailed at growing intervals, not every
	// group_interval (docs/alerts.md).
	if gi, gm := c.Route.GroupInterval, c.Route.GroupIntervalMax; gi == nil || gm == nil || *gm <= *gi {
		t.Errorf("shipped root: group_interval %v, group_interval_max %v; want the maximum above the interval", gi, gm)
	}
}

func TestAlertsValidate(t *testing.T) {
	base := `
receivers:
  - name: police
    email: [ca@example.org]
route:
  receiver: police
`
	for _, tc := range []struct {
		name, yaml, wantKey string
	}{
		{"unknown key", base + "  colour: red\n", "colour"},
		{"unknown receiver", base + "  routes:\n    - receiver: nobody\n", "alerts.route.routes[0].receiver"},
		{"bad match", base + "  routes:\n    - match: 'risk>=('\n", "alerts.route.routes[0].match"},
		{"root match", base + "  match: risk>1\n", "alerts.route.match"},
		{"bad group_by", base + "  group_by: [title]\n", "alerts.route.group_by[0]"},
		{"bad severity", base + "  severity: loud\n", "alerts.route.severity"},
		{"negative wait", base + "  group_wait: -1s\n", "alerts.route.group_wait"},
		{"negative interval max", base + "  routes:\n    - group_interval_max: -5m\n", "alerts.route.routes[0].group_interval_max"},
		{"bad email", strings.Replace(base, "ca@example.org", `"Boss <b@x.org>"`, 1), "alerts.receivers[0].email[0]"},
		{"header in email", strings.Replace(base, "ca@example.org", `"a@x.org\r\nBcc: c@x.org"`, 1), "alerts.receivers[0].email[0]"},
		{"bad quiet hours", strings.Replace(base, "    email:", "    quiet_hours: {start: '25:00', end: '06:00'}\n    email:", 1), "alerts.receivers[0].quiet_hours.start"},
		{"inhibit unknown route", base + "inhibit_rules:\n  - {source: a, target: b}\n", "alerts.inhibit_rules[0].source"},
		{"bad timezone", "timezone: Mars/Olympus\n" + base, "alerts.timezone"},
		{"no channel", "receivers:\n  - name: x\nroute:\n  receiver: x\n", "alerts.receivers[0]"},
		{"duplicate route", base + "  routes:\n    - name: a\n    - name: a\n", "alerts.route.routes[1].name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAlerts("t.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.wantKey) {
				t.Errorf("err = %v, want one naming %s", err, tc.wantKey)
			}
		})
	}
	if _, err := ParseAlerts("t.yaml", []byte(base)); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

func FuzzParseAlerts(f *testing.F) {
	f.Add(string(AlertsYAML()))
	f.Add("route: {receiver: x}\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseAlerts("fuzz.yaml", []byte(s)) // must not panic
	})
}

// TestAlertsProblemsAllAtOnce: a misspelt key and a misspelt receiver in
// alerts.yaml are reported together, each with its line and key path, the
// unknown key with the keys its section has, and no Go type names.
func TestAlertsProblemsAllAtOnce(t *testing.T) {
	doc := `receivers:
  - name: police
    email: [ca@example.org]
route:
  receiver: police
  routes:
    - name: a
      group_wiat: 1m
    - name: b
      receiver: polise
`
	_, err := ParseAlerts("alerts.yaml", []byte(doc))
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"alerts.yaml:8: alerts.route.routes[0].group_wiat: unknown key (did you mean group_wait?",
		`alerts.yaml:10: alerts.route.routes[1].receiver: no receiver named "polise"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "configs.") || strings.Contains(msg, "RouteConfig") {
		t.Errorf("a Go type name in:\n%s", msg)
	}
}

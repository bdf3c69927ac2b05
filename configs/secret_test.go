package configs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDumpLeaksNoSecret loads a configuration with a credential in every
// place one can hide (URLs of NATS, the store, a webhook and a source;
// passwords, tokens, the session secret) and checks that neither the YAML
// dump nor fmt nor JSON shows any of them.
func TestDumpLeaksNoSecret(t *testing.T) {
	doc := `nats:
  url: nats://natsuser:nats-pass-1@nats-1:4222,nats://nats-token-2@nats-2:4222
  token: nats-token-3
store:
  url: postgres://pw:pg-pass-4@db:5432/pw?sslmode=require
smtp:
  host: mail.example.org
  password: smtp-pass-5
web:
  base_url: https://pw.example.org
  session_secret: session-secret-6
`
	alertsDoc := `receivers:
  - name: chat
    webhook:
      url: https://hooks.example.org/services/T0/B0/webhook-token-7?key=webhook-key-8
      secret: webhook-secret-9
route:
  receiver: chat
`
	cfg, err := Parse("c.yaml", []byte(doc), noEnv)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	ac, err := ParseAlerts("alerts.yaml", []byte(alertsDoc))
	if err != nil {
		t.Fatalf("parse alerts: %v", err)
	}
	if ac.Receivers[0].Webhook.URL.Value() != "https://hooks.example.org/services/T0/B0/webhook-token-7?key=webhook-key-8" {
		t.Fatalf("webhook url value = %q", ac.Receivers[0].Webhook.URL.Value())
	}
	if cfg.NATS.URL.Value() != "nats://natsuser:nats-pass-1@nats-1:4222,nats://nats-token-2@nats-2:4222" {
		t.Fatalf("nats.url value = %q", cfg.NATS.URL.Value())
	}
	var buf bytes.Buffer
	if err := Dump(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	ay, err := yaml.Marshal(ac)
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(ay)
	dump := buf.String()
	fmt.Fprintf(&buf, "%v %+v %#v %s %v %+v", cfg, cfg, cfg.NATS, cfg.NATS.URL, ac, *ac.Receivers[0].Webhook)
	for _, v := range []any{cfg, ac} {
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(js)
	}
	for i := 1; i <= 9; i++ {
		for _, s := range []string{"nats-pass-1", "nats-token-2", "nats-token-3", "pg-pass-4", "smtp-pass-5", "session-secret-6", "webhook-token-7", "webhook-key-8", "webhook-secret-9"} {
			if strings.HasSuffix(s, fmt.Sprint(i)) && strings.Contains(buf.String(), s) {
				t.Errorf("dump or print leaks %q", s)
			}
		}
	}
	// What is not secret stays readable, so the dump is still useful.
	for _, want := range []string{"nats-1:4222", "nats-2:4222", "https://hooks.example.org/<secret>", "natsuser:<secret>@"} {
		if !strings.Contains(dump, want) {
			t.Errorf("dump lacks %q:\n%s", want, dump)
		}
	}
}

func TestRedactURLCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"nats://u:p@h:4222":                        "nats://u:<secret>@h:4222",
		"nats://tok@h:4222":                        "nats://<secret>@h:4222",
		"https://feeds.example.org/rss?api_key=k1": "https://feeds.example.org/rss?api_key=<secret>",
		"https://feeds.example.org/rss?page=2":     "https://feeds.example.org/rss?page=2",
		"plain text":                               "plain text",
		"postgres://user@db/x":                     "postgres://user@db/x",
	} {
		if got := RedactURLCredentials(in); got != want {
			t.Errorf("RedactURLCredentials(%q) = %q, want %q", in, got, want)
		}
	}
}

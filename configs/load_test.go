package configs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func noEnv(string) (string, bool) { return "", false }

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestShippedConfigIsValid(t *testing.T) {
	cfg, err := Load("dongnai.yaml")
	if err != nil {
		t.Fatalf("shipped config: %v", err)
	}
	if cfg.NATS.SyncInterval != time.Second {
		t.Errorf("nats.sync_interval = %s, want 1s", cfg.NATS.SyncInterval)
	}
}

func TestEmbeddedConfigIsUsedWithoutAFile(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, err := load("", noEnv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cfg.Path, "embedded") || cfg.Web.Listen != "127.0.0.1:8080" {
		t.Errorf("got path %q listen %q", cfg.Path, cfg.Web.Listen)
	}
}

func TestBadConfigs(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each must appear in the error, with file and line
	}{
		{"unknown top-level key", "data_dir: d\nfoo: 1\n", []string{"bad.yaml:2: foo: unknown key"}},
		{"unknown nested key", "nats:\n  url: \"\"\n  synk_interval: 1s\n", []string{"bad.yaml:3: nats.synk_interval: unknown key (did you mean sync_interval? the keys here are: url,"}},
		{"bad duration", "nats:\n  ack_wait: soon\n", []string{"bad.yaml:2: nats.ack_wait:", `"soon" is not a duration`, "30s"}},
		{"port out of range", "web:\n  listen: 127.0.0.1:99999\n", []string{"bad.yaml:2: web.listen:", "port 99999 is not a number from 0 to 65535"}},
		{"bad value", "log:\n  format: xml\n", []string{`bad.yaml:2: log.format: "xml" is not text or json`}},
		{"every problem at once", "log:\n  level: loud\nweb:\n  listen: nowhere\nbogus: true\n", []string{
			"bad.yaml:2: log.level:", "bad.yaml:4: web.listen:", "bad.yaml:5: bogus: unknown key", "3 configuration problem(s)"}},
		{"syntax", "nats:\n  url: [\n", []string{"bad.yaml:", "invalid YAML"}},
		{"bad store scheme", "store:\n  url: mysql://x\n", []string{"bad.yaml:2: store.url:", "mysql"}},
		{"duplicate source", "sources:\n  - name: a\n  - name: a\n", []string{"bad.yaml:3: sources[1].name:", "already"}},
		{"bad translate url", "translate:\n  url: ftp://mt.example\n", []string{"bad.yaml:2: translate.url:", "not an http(s) address"}},
		{"credentials in translate url", "translate:\n  url: http://user:pw@mt.example\n", []string{"translate.url:", "translate.api_key"}},
		// What the roles refuse at start, config check says first.
		{"embedded nats on all addresses", "nats:\n  listen: 0.0.0.0:4222\n", []string{"bad.yaml:2: nats.listen:", "only on loopback"}},
		{"short session secret", "web:\n  session_secret: abc\n", []string{"bad.yaml:2: web.session_secret: 3 characters", "at least 16"}},
		{"word for a number", "smtp:\n  port: smtp\n", []string{`bad.yaml:2: smtp.port: "smtp" is not a whole number`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.yaml), noEnv)
			if err == nil {
				t.Fatal("no error")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not *configs.Error: %v", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestEnvOverrides(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("nats:\n  url: nats://a:4222\n"), envOf(map[string]string{
		"PRESSWATCH_NATS_URL":           "nats://127.0.0.1:4222",
		"PRESSWATCH_NATS_SYNC_INTERVAL": "250ms",
		"PRESSWATCH_STORE_URL":          "postgres://u:pw@127.0.0.1/db",
		"PRESSWATCH_WEB_LISTEN":         "127.0.0.1:9999",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NATS.URL != "nats://127.0.0.1:4222" || cfg.NATS.SyncInterval != 250*time.Millisecond ||
		cfg.Store.URL.Value() != "postgres://u:pw@127.0.0.1/db" || cfg.Web.Listen != "127.0.0.1:9999" {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	_, err = Parse("c.yaml", nil, envOf(map[string]string{"PRESSWATCH_NATS_MAX_DELIVER": "many"}))
	if err == nil || !strings.Contains(err.Error(), `PRESSWATCH_NATS_MAX_DELIVER (environment): nats.max_deliver: "many" is not a whole number`) || strings.Contains(err.Error(), "strconv") {
		t.Errorf("bad override: %v", err)
	}
	// A value from the environment that fails validation is reported under
	// its variable, not at the line of the file it overrides (a new user was
	// sent to a correct line 12 of the file).
	_, err = Parse("c.yaml", []byte("web:\n  listen: 127.0.0.1:8080\n"), envOf(map[string]string{"PRESSWATCH_WEB_LISTEN": "nonsense"}))
	if err == nil || !strings.Contains(err.Error(), "PRESSWATCH_WEB_LISTEN (environment): web.listen:") || strings.Contains(err.Error(), "c.yaml:2") {
		t.Errorf("bad override of a file's key: %v", err)
	}
}

func TestSecretFilesAndRedaction(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("hunter2-smtp\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := fmt.Sprintf("smtp:\n  host: mail.example.org\n  password_file: %s\nstore:\n  url: postgres://pw:s3cr3t-db@127.0.0.1/x\nnats:\n  token: tok-very-secret\n", pw)
	cfg, err := Parse("c.yaml", []byte(doc), envOf(map[string]string{"PRESSWATCH_WEB_SESSION_SECRET": "sess-secret-value"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTP.Password.Value() != "hunter2-smtp" {
		t.Fatalf("password from file = %q", cfg.SMTP.Password.Value())
	}
	var buf bytes.Buffer
	if err := Dump(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&buf, "%v %+v %#v %s", cfg, cfg, cfg.NATS, cfg.Store.URL)
	for _, secret := range []string{"hunter2-smtp", "s3cr3t-db", "tok-very-secret", "sess-secret-value"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("dump leaks %q", secret)
		}
	}
	if !strings.Contains(buf.String(), "<secret>") {
		t.Error("dump shows no <secret> placeholder")
	}
	// The database's host and name stay visible: which database is in use.
	if !strings.Contains(buf.String(), "postgres://pw:<secret>@127.0.0.1/x") {
		t.Errorf("dump hides the database's address:\n%s", buf.String())
	}
	_, err = Parse("c.yaml", []byte("smtp:\n  password: a\n  password_file: /nonexistent\n"), noEnv)
	if err == nil || !strings.Contains(err.Error(), "smtp.password_file") {
		t.Errorf("password and password_file together: %v", err)
	}
	_, err = Parse("c.yaml", []byte("smtp:\n  password_file: /nonexistent/pw\n"), noEnv)
	if err == nil || !strings.Contains(err.Error(), "c.yaml:2: smtp.password_file: read secret") {
		t.Errorf("missing secret file: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	seed, _ := os.ReadFile("dongnai.yaml")
	f.Add(seed)
	f.Add([]byte("nats:\n  url: [\n"))
	f.Add([]byte("sources:\n  - name: a\n    kind: feed\n"))
	f.Add([]byte("sources:\n  - &s {name: a, tier: 1.5}\n  - <<: [*s, *s]\n    depth: *s\n"))
	f.Add([]byte("nats: &n\n  replicas: .nan\nstore:\n  <<: *n\n---\nx: 1\n"))
	f.Add([]byte("nats:\n  ack_wait: 99999999999999999999h\n  max_deliver: [1.5]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data, noEnv)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("error is not a *configs.Error with problems: %v", err)
			}
		}
	})
}

// TestBaseURLFollowsListen: moving the UI with PRESSWATCH_WEB_LISTEN moves a
// loopback base_url with it (email links pointed at the old port); a
// public base_url or one set in the environment stays.
func TestBaseURLFollowsListen(t *testing.T) {
	file := []byte("web:\n  listen: 127.0.0.1:8080\n  base_url: http://127.0.0.1:8080\n")
	for _, tc := range []struct {
		file []byte
		env  map[string]string
		want string
	}{
		{file, map[string]string{"PRESSWATCH_WEB_LISTEN": "127.0.0.1:18180"}, "http://127.0.0.1:18180"},
		{file, map[string]string{"PRESSWATCH_WEB_LISTEN": "0.0.0.0:9000"}, "http://127.0.0.1:9000"},
		{file, map[string]string{"PRESSWATCH_WEB_LISTEN": "127.0.0.1:18180", "PRESSWATCH_WEB_BASE_URL": "http://127.0.0.1:8080"}, "http://127.0.0.1:8080"},
		{[]byte("web:\n  listen: 127.0.0.1:8080\n  base_url: https://presswatch.dongnai.gov.vn\n"), map[string]string{"PRESSWATCH_WEB_LISTEN": "127.0.0.1:9000"}, "https://presswatch.dongnai.gov.vn"},
		{file, nil, "http://127.0.0.1:8080"},
	} {
		cfg, err := Parse("c.yaml", tc.file, envOf(tc.env))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Web.BaseURL != tc.want {
			t.Errorf("%v: base_url %q, want %q", tc.env, cfg.Web.BaseURL, tc.want)
		}
	}
}

// TestBaseURLAsWritten: after base_url followed a moved web.listen, the
// value the file gave is still known (for processes that do not serve the
// UI); without a move it is base_url itself.
func TestBaseURLAsWritten(t *testing.T) {
	file := []byte("web:\n  listen: 127.0.0.1:18240\n  base_url: http://127.0.0.1:18240\n")
	cfg, err := Parse("c.yaml", file, envOf(map[string]string{"PRESSWATCH_WEB_LISTEN": "127.0.0.1:18244"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Web.BaseURL != "http://127.0.0.1:18244" || cfg.Web.BaseURLAsWritten() != "http://127.0.0.1:18240" {
		t.Errorf("moved: base_url %q, as written %q", cfg.Web.BaseURL, cfg.Web.BaseURLAsWritten())
	}
	cfg, err = Parse("c.yaml", file, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Web.BaseURLAsWritten() != "http://127.0.0.1:18240" {
		t.Errorf("not moved: as written %q", cfg.Web.BaseURLAsWritten())
	}
}

// TestBaseURLFollowsFileListen: a file that moves web.listen and leaves
// base_url out links emails to where the UI listens; a base_url written in
// the file is kept.
func TestBaseURLFollowsFileListen(t *testing.T) {
	none := func(string) (string, bool) { return "", false }
	for _, tc := range []struct{ doc, want string }{
		{"web:\n  listen: 127.0.0.1:18499\n", "http://127.0.0.1:18499"},
		{"web:\n  listen: 0.0.0.0:9000\n", "http://127.0.0.1:9000"},
		{"web:\n  listen: 127.0.0.1:18499\n  base_url: https://presswatch.dongnai.gov.vn\n", "https://presswatch.dongnai.gov.vn"},
		{"data_dir: x\n", "http://127.0.0.1:8080"},
	} {
		cfg, err := Parse("t.yaml", []byte(tc.doc), none)
		if err != nil {
			t.Fatalf("%q: %v", tc.doc, err)
		}
		if cfg.Web.BaseURL != tc.want {
			t.Errorf("%q: base_url %q, want %q", tc.doc, cfg.Web.BaseURL, tc.want)
		}
	}
}

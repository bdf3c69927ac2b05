package configs

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDecimalInAnIntegerSetting: the YAML decoder truncates a decimal it
// decodes into an int (max_deliver: 1.5 became 1, replicas: 2.9 became 2);
// the loader refuses it at its line and key, wherever the setting is.
func TestDecimalInAnIntegerSetting(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"max_deliver", "nats:\n  max_deliver: 1.5\n", "bad.yaml:2: nats.max_deliver: 1.5 is not a whole number"},
		{"replicas", "nats:\n  replicas: 2.9\n", "bad.yaml:2: nats.replicas: 2.9 is not a whole number"},
		{"int64", "crawler:\n  max_body_bytes: 1000.5\n", "bad.yaml:2: crawler.max_body_bytes: 1000.5 is not a whole number"},
		{"negative infinity", "store:\n  max_conns: -.inf\n", "bad.yaml:2: store.max_conns: -.inf is not a whole number"},
		{"exponent with a fraction", "smtp:\n  port: 2.55e1\n", "bad.yaml:2: smtp.port: 2.55e1 is not a whole number"},
		{"explicit tag", "smtp:\n  port: !!float 25.5\n", "bad.yaml:2: smtp.port: 25.5 is not a whole number"},
		{"flow mapping", "web: {login: {concurrent_hashes: 0.5}}\n", "bad.yaml:1: web.login.concurrent_hashes: 0.5 is not a whole number"},
		{"in a list", "sources:\n  - name: a\n    depth: 1.5\n", "bad.yaml:3: sources[0].depth: 1.5 is not a whole number"},
		{"through an alias", "sources:\n  - &s {name: a, tier: 1.5}\n  - <<: *s\n    name: b\n", "sources[1].tier: 1.5 is not a whole number"},
		{"beside an unknown key", "nats:\n  max_deliver: 1.5\n  bogus: 1\n", "bad.yaml:3: nats.bogus: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("bad.yaml", []byte(tt.yaml), noEnv)
			if err == nil {
				t.Fatalf("accepted, max_deliver %d, replicas %d", cfg.NATS.MaxDeliver, cfg.NATS.Replicas)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error does not contain %q:\n%v", tt.want, err)
			}
		})
	}
	// Integers written as decimals are integers: the decoder reads them exactly.
	for _, tt := range []struct {
		yaml string
		got  func(*Config) int64
		want int64
	}{
		{"nats:\n  replicas: 3\n", func(c *Config) int64 { return int64(c.NATS.Replicas) }, 3},
		{"nats:\n  replicas: 2.0\n", func(c *Config) int64 { return int64(c.NATS.Replicas) }, 2},
		{"crawler:\n  max_body_bytes: 1e6\n", func(c *Config) int64 { return c.Crawler.MaxBodyBytes }, 1000000},
	} {
		cfg, err := Parse("ok.yaml", []byte(tt.yaml), noEnv)
		if err != nil {
			t.Errorf("%q: %v", tt.yaml, err)
		} else if got := tt.got(cfg); got != tt.want {
			t.Errorf("%q: got %d, want %d", tt.yaml, got, tt.want)
		}
	}
	// The environment said so already; it now says it the same way.
	_, err := Parse("c.yaml", nil, envOf(map[string]string{"PRESSWATCH_NATS_MAX_DELIVER": "1.5"}))
	if err == nil || !strings.Contains(err.Error(), "PRESSWATCH_NATS_MAX_DELIVER (environment): nats.max_deliver: 1.5 is not a whole number") {
		t.Errorf("decimal from the environment: %v", err)
	}
}

// TestEveryIntegerSettingRefusesADecimal puts 1.5 in every integer setting
// of the configuration and of alerts.yaml, found by reflection, so that a
// setting added later is covered too.
func TestEveryIntegerSettingRefusesADecimal(t *testing.T) {
	for _, doc := range []struct {
		typ   reflect.Type
		parse func([]byte) error
	}{
		{reflect.TypeOf(Config{}), func(b []byte) error { _, err := Parse("bad.yaml", b, noEnv); return err }},
		{reflect.TypeOf(AlertsConfig{}), func(b []byte) error { _, err := ParseAlerts("bad.yaml", b); return err }},
	} {
		cases := integerSettings(doc.typ, nil, map[reflect.Type]bool{})
		if len(cases) == 0 {
			t.Fatalf("%s: no integer setting found", doc.typ)
		}
		for _, c := range cases {
			t.Run(c.key, func(t *testing.T) {
				err := doc.parse([]byte(c.yaml))
				want := "bad.yaml:1: " + c.key + ": 1.5 is not a whole number"
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: error does not contain %q: %v", c.yaml, want, err)
				}
			})
		}
	}
}

type intSetting struct{ key, yaml string }

// integerSettings lists a one-line flow document setting each integer field
// of t (reached through structs, pointers, lists and maps) to 1.5.
func integerSettings(t reflect.Type, path []string, onPath map[reflect.Type]bool) []intSetting {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return nil
	case isInteger(t.Kind()):
		key := strings.ReplaceAll(strings.Join(path, "."), ".[", "[")
		doc := "1.5"
		for i := len(path) - 1; i >= 0; i-- {
			if path[i] == "[0]" {
				doc = "[" + doc + "]"
			} else {
				doc = "{" + path[i] + ": " + doc + "}"
			}
		}
		return []intSetting{{key, doc}}
	case t.Kind() == reflect.Struct:
		if onPath[t] {
			return nil // a route of routes: once is enough
		}
		onPath[t] = true
		defer delete(onPath, t)
		var out []intSetting
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" || !f.IsExported() {
				continue
			}
			out = append(out, integerSettings(f.Type, append(path[:len(path):len(path)], tag), onPath)...)
		}
		return out
	case t.Kind() == reflect.Slice:
		return integerSettings(t.Elem(), append(path[:len(path):len(path)], "[0]"), onPath)
	case t.Kind() == reflect.Map:
		return integerSettings(t.Elem(), append(path[:len(path):len(path)], "k"), onPath)
	}
	return nil
}

// TestSecondDocument: the decoder reads the first YAML document of a file
// and would ignore the rest; a second document is refused. An empty one (a
// trailing "---", one commented out) holds nothing and is accepted.
func TestSecondDocument(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // "" when the file is accepted
	}{
		{"second document", "data_dir: x\n---\nbogus: 1\n", "bad.yaml:2: the configuration file holds more than one YAML document; presswatch reads one"},
		{"third document", "data_dir: x\n---\ndata_dir: y\n---\ndata_dir: z\n", "bad.yaml:2: the configuration file holds more than one YAML document"},
		{"second does not parse", "data_dir: x\n---\nnats:\n  url: [\n", "the configuration file holds more than one YAML document"},
		{"first empty", "---\n---\ndata_dir: y\n", "the configuration file holds more than one YAML document"},
		{"with a type error", "nats:\n  replicas: many\n---\ndata_dir: y\n", "bad.yaml:3: the configuration file holds more than one YAML document"},
		{"leading marker", "---\ndata_dir: x\n", ""},
		{"trailing marker", "data_dir: x\n---\n", ""},
		{"commented out", "data_dir: x\n---\n# data_dir: y\n", ""},
		{"document end", "data_dir: x\n...\n", ""},
		{"empty file", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.yaml), noEnv)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error does not contain %q: %v", tt.want, err)
			}
		})
	}
	if _, err := ParseAlerts("alerts.yaml", []byte("durable: a\n---\ndurable: b\n")); err == nil || !strings.Contains(err.Error(), "more than one YAML document") {
		t.Errorf("alerts with two documents: %v", err)
	}
}

// TestDurationTooLarge: a duration past time.Duration's 292 years was
// reported as "not a duration: write a number and a unit" although it has
// both; it is reported as too large, from the file and from the environment.
func TestDurationTooLarge(t *testing.T) {
	const want = `"9999999999h" is too large: a duration can be at most 2562047h47m16s`
	tests := []struct {
		name  string
		yaml  string
		env   map[string]string
		want  string
		notIn string
	}{
		{"file", "nats:\n  ack_wait: 9999999999h\n", nil, "bad.yaml:2: nats.ack_wait: " + want, "not a duration"},
		{"sum of units", "nats:\n  max_age: 2562047h47m17s\n", nil, `bad.yaml:2: nats.max_age: "2562047h47m17s" is too large`, "not a duration"},
		{"in a list", "sources:\n  - name: a\n    interval_min: 9999999999h\n", nil, "bad.yaml:3: sources[0].interval_min: " + want, "not a duration"},
		{"environment", "", map[string]string{"PRESSWATCH_NATS_ACK_WAIT": "9999999999h"}, "PRESSWATCH_NATS_ACK_WAIT (environment): nats.ack_wait: " + want, "invalid duration"},
		{"not a duration still", "nats:\n  ack_wait: soon\n", nil, `bad.yaml:2: nats.ack_wait: "soon" is not a duration`, "too large"},
		{"no unit from the environment", "", map[string]string{"PRESSWATCH_NATS_ACK_WAIT": "30"}, `nats.ack_wait: "30" is not a duration: write a number and a unit`, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.yaml), envOf(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.notIn) {
				t.Errorf("want %q and not %q in: %v", tt.want, tt.notIn, err)
			}
			var ce *Error
			if errors.As(err, &ce) && len(ce.Problems) != 1 && !strings.Contains(tt.yaml, "sources") {
				t.Errorf("%d problems, want 1: %v", len(ce.Problems), err)
			}
		})
	}
	if _, err := ParseAlerts("alerts.yaml", []byte("route:\n  group_wait: 9999999999h\n")); err == nil || !strings.Contains(err.Error(), "alerts.yaml:2: route.group_wait: "+want) {
		t.Errorf("alerts: %v", err)
	}
	cfg, err := Parse("ok.yaml", []byte(fmt.Sprintf("nats:\n  max_age: %s\n", time.Duration(1<<63-1))), noEnv)
	if err != nil || cfg.NATS.MaxAge != time.Duration(1<<63-1) {
		t.Errorf("the largest duration: %v", err)
	}
}

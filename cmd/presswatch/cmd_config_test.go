package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/crawler"
	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/evidence"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/internal/s3test"
	"github.com/dongnai/presswatch/internal/translate"
)

// TestRolesRefuseWithoutSharedSecret: web and alerter started as roles of
// their own refuse to start, with a clear message, unless the shared
// session secret and the public base URL are configured; `run` may go on
// with a random secret.
func TestRolesRefuseWithoutSharedSecret(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pw.yaml")
	if err := os.WriteFile(path, []byte("data_dir: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{roleWeb, roleAlerter} {
		var out, errOut bytes.Buffer
		g := &globals{ConfigPath: path, Stdout: &out, Stderr: &errOut}
		err := roleCommand(role)(context.Background(), g, nil)
		if !errors.Is(err, errRoleConfig) || !strings.Contains(err.Error(), "web.session_secret") || !strings.Contains(err.Error(), "web.base_url") {
			t.Errorf("%s without secret and base URL: %v", role, err)
		}
	}
	cfg, err := configs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkRoleSecrets(cfg.Config, roles{roleCrawler: true}); err != nil {
		t.Errorf("crawler needs neither: %v", err)
	}
	all := roles{}
	for _, r := range allRoles {
		all[r] = true
	}
	if err := checkRoleSecrets(cfg.Config, all); err != nil {
		t.Errorf("run may use a random secret: %v", err)
	}
	cfg.Web.SessionSecret = configs.Secret("0123456789abcdef0123456789abcdef")
	if err := checkRoleSecrets(cfg.Config, roles{roleWeb: true}); err == nil || strings.Contains(err.Error(), "session_secret_file") || !strings.Contains(err.Error(), "PRESSWATCH_WEB_BASE_URL") {
		t.Errorf("web with a secret but no base URL: %v", err)
	}
	cfg.Web.BaseURL = "https://pw.example.gov.vn"
	if err := checkRoleSecrets(cfg.Config, roles{roleWeb: true, roleAlerter: true}); err != nil {
		t.Errorf("web and alerter with both: %v", err)
	}
}

// TestConfigDumpLeaksNoSecret runs `presswatch config dump` on a file with
// credentials in URLs and checks none reaches the output.
func TestConfigDumpLeaksNoSecret(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pw.yaml")
	doc := "data_dir: " + dir + "\nnats:\n  url: nats://pw:nats-pass-1@nats-1:4222\n  token: nats-token-2\nstore:\n  url: postgres://pw:pg-pass-3@db/pw\nweb:\n  session_secret: session-secret-4\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	g := &globals{ConfigPath: path, Stdout: &out, Stderr: &errOut}
	if err := cmdConfig(context.Background(), g, []string{"dump"}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"nats-pass-1", "nats-token-2", "pg-pass-3", "session-secret-4"} {
		if strings.Contains(out.String()+errOut.String(), s) {
			t.Errorf("config dump leaks %q", s)
		}
	}
	if !strings.Contains(out.String(), "nats-1:4222") {
		t.Errorf("config dump hides the NATS host too:\n%s", out.String())
	}
}

// TestConfigDumpShowsAlertRouting: the dump ends with the alert routing the
// alerter would run with, from the alerts.yaml beside the file, its
// webhook's token and secret hidden.
func TestConfigDumpShowsAlertRouting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pw.yaml")
	if err := os.WriteFile(path, []byte("data_dir: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	alertsDoc := strings.Replace(string(configs.AlertsYAML()), "  - name: analysts\n",
		"  - name: analysts\n    webhook:\n      url: https://chat.example.org/hook?token=hook-token-5\n      secret: hook-secret-6\n", 1)
	if err := os.WriteFile(filepath.Join(dir, alertsFile), []byte(alertsDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	g := &globals{ConfigPath: path, Stdout: &out, Stderr: &errOut}
	if err := cmdConfig(context.Background(), g, []string{"dump"}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"alert routing as configured", "display_name: Công an tỉnh", "start: \"22:00\"",
		"topic:security_crime", "critical_risk: 80", "chat.example.org"} {
		if !strings.Contains(got, want) {
			t.Errorf("dump lacks %q", want)
		}
	}
	for _, secret := range []string{"hook-token-5", "hook-secret-6"} {
		if strings.Contains(got, secret) {
			t.Errorf("dump leaks %q", secret)
		}
	}
}

// TestConfigCheckReachesS3: `presswatch config check` connects to the
// configured evidence bucket, so a missing bucket is reported there, and a
// reachable one passes.
func TestConfigCheckReachesS3(t *testing.T) {
	srv := s3test.New(t, "pw-evidence")
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "s3-key")
	if err := os.WriteFile(keyFile, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ bucket, want string }{
		{"pw-evidence", "ok"},
		{"pw-missing", `bucket "pw-missing" does not exist`},
	} {
		path := filepath.Join(dir, tc.bucket+".yaml")
		doc := "data_dir: " + dir + "\nevidence:\n  s3:\n    endpoint: " + srv.Endpoint + "\n    bucket: " + tc.bucket +
			"\n    access_key: test\n    secret_key_file: " + keyFile + "\n    path_style: true\n    insecure: true\n    max_retries: 1\n"
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err := cmdConfig(context.Background(), &globals{ConfigPath: path, Stdout: &out, Stderr: &out}, []string{"check"})
		got := out.String()
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("config check with bucket %s: %q (err %v), want %q", tc.bucket, got, err, tc.want)
		}
	}
}

// TestConfigCheckRefuses runs `presswatch config check` on what it used to
// pass: a decimal in an integer setting (truncated), a second YAML document
// (ignored), a misspelled PRESSWATCH_ variable (ignored), and a duration too
// large (called "not a duration").
func TestConfigCheckRefuses(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		env  map[string]string
		want []string // nil: ok
	}{
		{"decimal max_deliver", "nats:\n  max_deliver: 1.5\n", nil, []string{"pw.yaml:3: nats.max_deliver: 1.5 is not a whole number"}},
		{"decimal replicas", "nats:\n  replicas: 2.9\n", nil, []string{"pw.yaml:3: nats.replicas: 2.9 is not a whole number"}},
		{"second document", "---\nbogus: 1\n", nil, []string{"pw.yaml:2: the configuration file holds more than one YAML document; presswatch reads one"}},
		{"misspelled web.listen", "", map[string]string{"PRESSWATCH_WEB_LISTN": "127.0.0.1:9999"}, []string{"PRESSWATCH_WEB_LISTN (environment): unknown variable (did you mean PRESSWATCH_WEB_LISTEN?)"}},
		{"misspelled data_dir", "", map[string]string{"PRESSWATCH_DATA_DIRR": "/srv"}, []string{"PRESSWATCH_DATA_DIRR (environment): unknown variable (did you mean PRESSWATCH_DATA_DIR?)"}},
		{"duration too large", "nats:\n  ack_wait: 9999999999h\n", nil, []string{`pw.yaml:3: nats.ack_wait: "9999999999h" is too large`}},
		{"the test variables pass", "nats:\n  max_deliver: 2\n", map[string]string{"PRESSWATCH_TEST_POSTGRES": "postgres://x", "PRESSWATCH_TESTDATA": "/x", "PRESSWATCH_PROCBENCH_FEEDS": "5", "PRESSWATCH_WEB_LISTEN": "127.0.0.1:9999"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "pw.yaml")
			if err := os.WriteFile(path, []byte("data_dir: "+dir+"\n"+tt.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err := cmdConfig(context.Background(), &globals{ConfigPath: path, Stdout: &out, Stderr: &out}, []string{"check"})
			if tt.want == nil {
				if err != nil || !strings.Contains(out.String(), "pw.yaml: ok") {
					t.Errorf("refused: %v\n%s", err, out.String())
				}
				return
			}
			if err == nil {
				t.Fatalf("passed: %s", out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestConfigCheckReadsAlerts: check reads the alerts.yaml beside the
// configuration, as run does, and reports its problems with their lines; a
// broken one once passed check and stopped run.
func TestConfigCheckReadsAlerts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pw.yaml")
	if err := os.WriteFile(path, []byte("data_dir: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	g := &globals{ConfigPath: path, Stdout: &out, Stderr: &bytes.Buffer{}}
	if err := cmdConfig(context.Background(), g, []string{"check"}); err != nil {
		t.Fatalf("check without alerts.yaml: %v", err)
	}
	if !strings.Contains(out.String(), "embedded alerts.yaml") || !strings.Contains(out.String(), "classifier rules and model: ok") {
		t.Errorf("check does not say which alerts and rules it read:\n%s", out.String())
	}
	shipped, err := os.ReadFile(filepath.Join("..", "..", "configs", "alerts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(shipped), "\nreceivers:", "\nreceiverz:", 1)
	if err := os.WriteFile(filepath.Join(dir, "alerts.yaml"), []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	err = cmdConfig(context.Background(), g, []string{"check"})
	if err == nil || !strings.Contains(err.Error(), "alerts.yaml") || !strings.Contains(err.Error(), "receiverz") {
		t.Errorf("check with a broken alerts.yaml: %v", err)
	}
}

// TestLinkBaseURL: an alerter whose PRESSWATCH_WEB_LISTEN gives it its own
// metrics port keeps linking to the UI's address; the web role (and run,
// which serves the UI) links where it listens.
func TestLinkBaseURL(t *testing.T) {
	file := []byte("web:\n  listen: 127.0.0.1:18240\n  base_url: http://127.0.0.1:18240\n")
	cfg, err := configs.Parse("c.yaml", file, func(k string) (string, bool) {
		if k == "PRESSWATCH_WEB_LISTEN" {
			return "127.0.0.1:18244", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rs   roles
		want string
	}{
		{roles{roleAlerter: true}, "http://127.0.0.1:18240"},
		{roles{roleCrawler: true, roleClassifier: true}, "http://127.0.0.1:18240"},
		{roles{roleWeb: true}, "http://127.0.0.1:18244"},
		{roles{roleCrawler: true, roleClassifier: true, roleIndexer: true, roleAlerter: true, roleWeb: true}, "http://127.0.0.1:18244"},
	} {
		if got := linkBaseURL(cfg.Web, tc.rs); got != tc.want {
			t.Errorf("roles %v: links to %q, want %q", tc.rs.names(), got, tc.want)
		}
	}
}

// TestConfigDumpShowsDefaultsInEffect: `presswatch config dump` of a minimal
// file prints the values the components use for settings it leaves out
// (crawler.workers used to print 0 where the crawler runs 64), each marked
// "# default", and prints what the file sets as set.
func TestConfigDumpShowsDefaultsInEffect(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pw.yaml")
	doc := "data_dir: " + dir + "\ncrawler:\n  article_workers: 3\n  interval_max: 2h\n  silent_min: 0s\nindex:\n  search_timeout: 45s\n" +
		"sources:\n  - name: a\n    kind: feed\n    url: https://a.example/rss\n    interval_min: 1m\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := cmdConfig(context.Background(), &globals{ConfigPath: path, Stdout: &out, Stderr: &out}, []string{"dump"}); err != nil {
		t.Fatal(err)
	}
	sections := dumpSections(out.String())
	for _, tc := range []struct{ section, line string }{
		// Defaults in effect, marked.
		{"crawler", "workers: 64 # default"},
		{"crawler", "timeout: 30s # default"},
		{"crawler", "max_new_per_poll: 200 # default"},
		{"crawler", "max_body_bytes: 8388608 # default"},
		{"crawler", "per_host_rate: 1 # default"},
		{"crawler", "interval_min: 5m0s # default"},
		{"crawler", "silent_min: 24h0m0s # default"}, // written as 0s
		{"classifier", "review_threshold: 40 # default"},
		{"classifier", "batch_size: 256 # default"},
		{"index", "flush_interval: 250ms # default"},
		{"index", "impact_cache_mb: 256 # default"},
		{"translate", "timeout: 10s # default"},
		{"evidence", "check_interval: 1m0s # default"},
		{"digest", "lease: 15m0s # default"},
		{"digest", "time: \"07:30\" # default"},
		{"web", "per_ip_per_minute: 20 # default"},
		{"nats", "max_deliver: 5 # default"},
		{"sources", "interval_max: 2h0m0s # default"}, // the crawler's, set in the file
		// Set in the file: printed as set, unmarked.
		{"crawler", "article_workers: 3"},
		{"crawler", "interval_max: 2h0m0s"},
		{"index", "search_timeout: 45s"},
		{"sources", "interval_min: 1m0s"},
		{"", "data_dir: " + dir},
	} {
		if !slices.Contains(sections[tc.section], tc.line) {
			t.Errorf("%s: dump lacks the line %q:\n%s", tc.section, tc.line, strings.Join(sections[tc.section], "\n"))
		}
	}
}

// dumpSections splits a dump into its top-level sections' lines, trimmed.
func dumpSections(dump string) map[string][]string {
	out := map[string][]string{}
	section := ""
	for _, l := range strings.Split(dump, "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "-") {
			if k, v, _ := strings.Cut(l, ":"); strings.TrimSpace(v) == "" {
				section = k
				continue
			}
			out[""] = append(out[""], l)
			continue
		}
		out[section] = append(out[section], strings.TrimLeft(strings.TrimSpace(l), "- "))
	}
	return out
}

// TestConfigEffectiveMatchesComponents pins the defaults configs.Effective shows
// to what the components do with a zero setting: their exported constants,
// and where they expose it, their behaviour on the configuration as loaded
// and as Effective fills it.
func TestConfigEffectiveMatchesComponents(t *testing.T) {
	raw := configs.Defaults()
	raw.Sources = []configs.Source{
		{Name: "feed", Kind: "feed", URL: "https://a.example/rss"},
		{Name: "short", Kind: "feed", URL: "https://b.example/rss", IntervalMax: 2 * time.Minute},
		{Name: "site", Kind: "site", URL: "https://c.example/news", StartURLs: []string{"https://d.example/"}},
	}
	e := raw.Effective()
	eng, err := classifier.New(classifier.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key       string
		got, want any
	}{
		{"crawler.user_agent", e.Crawler.UserAgent, fetch.DefaultUserAgent},
		{"crawler.max_new_per_poll", e.Crawler.MaxNewPerPoll, crawler.DefaultMaxNewPerPoll},
		{"crawler.silent_min", e.Crawler.SilentMin, crawler.DefaultSilentMin},
		{"crawler.source_reload_interval", e.Crawler.SourceReloadInterval, crawler.DefaultReloadInterval},
		{"classifier.durable", e.Classifier.Durable, classifier.DefaultStageDurable},
		{"classifier.batch_size", e.Classifier.BatchSize, bus.DefaultBatchSize},
		{"classifier.cluster_window", e.Classifier.ClusterWindow, eng.ClusterWindow()},
		{"index.batch_size", e.Index.BatchSize, index.DefaultBatchSize},
		{"index.flush_interval", e.Index.FlushInterval, index.DefaultFlushInterval},
		{"index.search_timeout", e.Index.SearchTimeout, index.DefaultSearchTimeout},
		{"index.impact_cache_mb", int64(e.Index.ImpactCacheMB) << 20, int64(index.DefaultImpactCacheBytes)},
		{"index.dir", e.Index.Dir, indexDirOf(&configs.Loaded{Config: raw})},
		{"translate.target", e.Translate.Target, translate.New(translate.Options{}).Target()},
		{"evidence.schedule", e.Evidence.Schedule, evidence.DefaultSchedule},
		{"evidence.browser.path", e.Evidence.Browser.Path, defaultBrowser},
		{"digest.timezone", e.Digest.Timezone, digest.DefaultTimezone},
		{"digest.agency", agencyHeader(e.Digest.Agency), digest.DefaultAgencyHeader()},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: Effective shows %v, the component uses %v", tc.key, tc.got, tc.want)
		}
	}
	// The crawler runs the same sources, and the report scheduler the same
	// schedules, from the effective configuration as from the loaded one.
	want, err := crawler.SourcesFromConfig(raw.Crawler, raw.Sources)
	if err != nil {
		t.Fatal(err)
	}
	got, err := crawler.SourcesFromConfig(e.Crawler, e.Sources)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sources from the effective configuration:\n%+v\nfrom the loaded one:\n%+v", got, want)
	}
	wantS, err := digestSchedules(raw.Digest)
	if err != nil {
		t.Fatal(err)
	}
	gotS, err := digestSchedules(e.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotS, wantS) {
		t.Errorf("report schedules from the effective configuration %+v, from the loaded one %+v", gotS, wantS)
	}
}

package configs

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestConfigEffectiveFillsDefaults: Effective fills the documented defaults,
// keeps what is set (a negative "no limit" included), leaves its receiver
// alone, and gives a configuration that still validates.
func TestConfigEffectiveFillsDefaults(t *testing.T) {
	c := Defaults()
	c.DataDir = "/srv/pw"
	c.Crawler.Workers = 8
	c.Crawler.MaxNewPerPoll = -1
	c.Crawler.PerHostRate = -1
	c.Sources = []Source{
		{Name: "feed", Kind: "feed", URL: "https://a.example/rss", IntervalMin: time.Minute},
		{Name: "site", Kind: "site", URL: "https://b.example/news", StartURLs: []string{"https://c.example/"}},
		{Name: "short", Kind: "feed", URL: "https://d.example/rss", IntervalMax: 2 * time.Minute},
	}
	before := *c
	e := c.Effective()
	for _, tc := range []struct {
		key       string
		got, want any
	}{
		{"crawler.workers", e.Crawler.Workers, 8},
		{"crawler.article_workers", e.Crawler.ArticleWorkers, 16},
		{"crawler.timeout", e.Crawler.Timeout, 30 * time.Second},
		{"crawler.max_body_bytes", e.Crawler.MaxBodyBytes, int64(8 << 20)},
		{"crawler.per_host_rate", e.Crawler.PerHostRate, -1.0},
		{"crawler.max_new_per_poll", e.Crawler.MaxNewPerPoll, -1},
		{"crawler.fetch_articles", *e.Crawler.FetchArticles, true},
		{"sources[0].interval_min", e.Sources[0].IntervalMin, time.Minute},
		{"sources[0].interval_max", e.Sources[0].IntervalMax, 6 * time.Hour},
		{"sources[0].depth", e.Sources[0].Depth, 0},
		{"sources[1].depth", e.Sources[1].Depth, 1},
		{"sources[1].allowed_domains", strings.Join(e.Sources[1].AllowedDomains, ","), "b.example,c.example"},
		{"sources[2].interval_min", e.Sources[2].IntervalMin, 5 * time.Minute},
		{"sources[2].interval_max", e.Sources[2].IntervalMax, 5 * time.Minute},
		{"classifier.review_threshold", e.Classifier.ReviewThreshold, 40},
		{"classifier.reload_interval", e.Classifier.ReloadInterval, 30 * time.Second},
		{"index.dir", e.Index.Dir, filepath.Join("/srv/pw", "index")},
		{"index.durable", e.Index.Durable, ""},
		{"evidence.dir", e.Evidence.Dir, filepath.Join("/srv/pw", "evidence")},
		{"digest.weekly.day", e.Digest.Weekly.Day, 0},
		{"digest.quarterly.weekday", e.Digest.Quarterly.Weekday, ""},
		{"digest.annual.day", e.Digest.Annual.Day, 2},
		{"translate.timeout", e.Translate.Timeout, 10 * time.Second},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.key, tc.got, tc.want)
		}
	}
	if !reflect.DeepEqual(*c, before) || c.Crawler.Timeout != 0 || c.Sources[1].Depth != 0 || c.Sources[0].Enabled != nil {
		t.Errorf("Effective changed its receiver")
	}
	if errs := e.Validate(); len(errs) > 0 {
		t.Errorf("the effective configuration does not validate: %v", errs)
	}
}

// TestConfigEffectiveCoversDocumentedDefaults reads the field comments of the
// configuration's types: every setting documented as "0 means X", "empty
// means X" or "default X" is filled by Effective, or explained by a note in
// the dump, or listed here with the reason it is neither. A new setting with
// a documented default fails here until the dump shows it.
func TestConfigEffectiveCoversDocumentedDefaults(t *testing.T) {
	docs := fieldDocs(t)
	documented := regexp.MustCompile(`(?i)\b(0|empty|zero|unset)\b[^.;]*\b(means?|takes?)\b|\bdefaults?\b|empty:`)
	// Set by Defaults() at load, so never zero after Load.
	loaded := map[string]bool{
		"web.listen": true, "nats.sync_interval": true, "nats.replicas": true,
	}
	exceptions := map[string]string{
		"digest.weekly.day":          "not used by the weekly digest (validation refuses it)",
		"digest.quarterly.weekday":   "weekly only (validation refuses it)",
		"digest.annual.weekday":      "weekly only (validation refuses it)",
		"evidence.s3.path_style":     "false is the default: virtual-host style",
		"sources[0].depth":           "site sources only",
		"sources[0].allowed_domains": "site sources only",
	}
	c := Defaults()
	c.Sources = []Source{
		{Name: "feed", Kind: "feed", URL: "https://a.example/rss"},
		{Name: "site", Kind: "site", URL: "https://b.example/"},
	}
	e := c.Effective()
	checked := 0
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		typ := v.Type()
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || !f.IsExported() {
				continue
			}
			key := joinKey(path, tag)
			fv := v.Field(i)
			switch {
			case fv.Kind() == reflect.Struct && fv.Type() != durationType:
				walk(fv, key)
				continue
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct:
				for j := 0; j < fv.Len(); j++ {
					walk(fv.Index(j), key+"["+itoa(j)+"]")
				}
				continue
			}
			doc := docs[typ.Name()+"."+f.Name]
			if !documented.MatchString(doc) || loaded[key] {
				continue
			}
			checked++
			note := defaultNotes[indexRE.ReplaceAllString(key, "")]
			if fv.IsZero() && note == "" && exceptions[key] == "" {
				t.Errorf("%s is documented with a default (%q) but Effective leaves it empty and the dump says nothing", key, doc)
			}
		}
	}
	walk(reflect.ValueOf(e).Elem(), "")
	if checked < 40 {
		t.Errorf("only %d documented defaults found: the comment scan is broken", checked)
	}
}

// fieldDocs maps "Type.Field" of this package's struct types to the field's
// doc and line comments.
func fieldDocs(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]string{}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, fl := range st.Fields.List {
				// A comment before a group of fields documents the group
				// (interval_min and interval_max).
				doc := fl.Doc.Text() + " " + fl.Comment.Text()
				for _, id := range fl.Names {
					out[ts.Name.Name+"."+id.Name] = strings.Join(strings.Fields(doc), " ")
				}
			}
			return true
		})
	}
	return out
}

// TestConfigDumpEffective: the dump of a minimal file shows the defaults in
// effect, marked; what the file sets is printed as set, unmarked, and what
// the environment sets names its variable; secrets stay hidden.
func TestConfigDumpEffective(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pw.yaml")
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("0123456789abcdef-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := "data_dir: " + dir + "\nweb:\n  session_secret_file: " + secretFile + "\ncrawler:\n  workers: 8\n  timeout: 0s\n  max_new_per_poll: -1\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := load(path, envOf(map[string]string{"PRESSWATCH_INDEX_BATCH_SIZE": "64"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := DumpEffective(&out, l); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"\n  workers: 8\n",           // set in the file
		"\n  max_new_per_poll: -1\n", // set: no limit
		"\n  batch_size: 64 # from PRESSWATCH_INDEX_BATCH_SIZE\n", // set by the environment (index)
		"\n  timeout: 30s # default\n",                            // set to 0: the default in effect
		"\n  article_workers: 16 # default\n",                     // not set
		"\n  review_threshold: 40 # default\n",                    // classifier
		"\n  max_deliver: 5 # default\n",                          // Defaults()
		"\n  session_secret: <secret>\n",                          // from its file: set
		"\n  url: \"\" # default: SQLite under data_dir\n",
		"\n  dir: " + filepath.Join(dir, "index") + " # default\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("dump lacks %q:\n%s", strings.TrimSpace(want), got)
		}
	}
	if strings.Contains(got, "0123456789abcdef-secret") {
		t.Error("dump leaks the session secret")
	}
	if strings.Contains(got, "data_dir: "+dir+" #") {
		t.Error("data_dir, set in the file, is marked default")
	}
}

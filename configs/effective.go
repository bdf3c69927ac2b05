package configs

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The defaults the components apply to settings left at zero, as the field
// comments of the sections document them. configs imports no runtime
// package, so the values are repeated here; cmd/presswatch's
// TestConfigEffectiveMatchesComponents pins them to the components' exported
// constants and observable behaviour.
const (
	defaultUserAgent          = "presswatch/1.0 (foreign-press monitoring for Dong Nai province; +https://github.com/dongnai/presswatch)"
	defaultCrawlerWorkers     = 64
	defaultArticleWorkers     = 16
	defaultFetchTimeout       = 30 * time.Second
	defaultMaxBodyBytes       = 8 << 20
	defaultMaxRedirects       = 5
	defaultPerHostConcurrency = 2
	defaultPerHostRate        = 1
	defaultIntervalMin        = 5 * time.Minute
	defaultIntervalMax        = 6 * time.Hour
	defaultSilentFactor       = 4
	defaultSilentMin          = 24 * time.Hour
	defaultMaxNewPerPoll      = 200
	defaultSourceReload       = 5 * time.Second
	defaultSiteDepth          = 1

	defaultReviewThreshold = 40
	// DefaultRulesReload is how often rule files under classifier.rules_dir
	// are checked when classifier.reload_interval is unset.
	DefaultRulesReload       = 30 * time.Second
	defaultClusterWindow     = 72 * time.Hour
	defaultSpreadOutlets     = 5
	defaultClassifierDurable = "classifier"
	defaultBatchSize         = 256 // classifier and index batches

	defaultFlushInterval = 250 * time.Millisecond
	defaultImpactCacheMB = 256
	defaultSearchTimeout = 30 * time.Second

	defaultTranslateTarget  = "vi"
	defaultTranslateTimeout = 10 * time.Second

	defaultEvidenceCheck  = time.Minute
	defaultS3MaxRetries   = 5
	defaultS3Timeout      = 60 * time.Second
	defaultBrowserPath    = "/usr/bin/chromium"
	defaultBrowserTimeout = 60 * time.Second

	defaultTimezone      = "Asia/Ho_Chi_Minh"
	defaultDigestCheck   = time.Minute
	defaultDigestLease   = 15 * time.Minute
	defaultWeekday       = "monday"
	defaultWeeklyTime    = "07:30"
	defaultOtherTime     = "08:00"
	defaultQuarterlyDay  = 1
	defaultAnnualDay     = 2
	defaultLoginPerIPMin = 20
	defaultLoginGlobal   = 50
)

var (
	defaultCrawlerLanguages    = []string{"vi", "en", "zh", "ko", "ja", "fr", "de", "ru", "es", "th"}
	defaultClassifierLanguages = []string{"vi", "en", "fr", "de", "es", "ru", "ja", "ko", "zh", "hi", "bn", "nl", "it", "pt", "id"}
	defaultEvidenceSchedule    = []time.Duration{time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}
	defaultAgency              = DigestAgency{
		Parent: "UBND tỉnh Đồng Nai", Agency: "Sở Ngoại vụ", Symbol: "BC-SNgV", Place: "Đồng Nai",
		SignerTitle: "Giám đốc",
		Recipients:  []string{"UBND tỉnh (để báo cáo)", "Ban Chỉ đạo công tác thông tin đối ngoại tỉnh", "Lưu: VT"},
	}
)

// defaultNotes say what a setting left empty or at zero means where no
// single value can stand for it: it depends on the machine, or the
// absence itself is the behaviour. DumpEffective prints them as comments.
var defaultNotes = map[string]string{
	"nats.url":                    "the embedded server under data_dir",
	"store.url":                   "SQLite under data_dir",
	"nats.listen":                 "in-process only",
	"web.login.concurrent_hashes": "half the CPUs, 1 to 4",
	"crawler.max_item_age":        "no limit",
	"classifier.rules_dir":        "the rules embedded in the binary",
	"classifier.model":            "the model embedded in the binary",
	"index.durable":               "indexer-<host name>-<hash of index.dir>",
	"digest.chromium":             "the native PDF writer",
	"evidence.s3.endpoint":        "files under evidence.dir",
	"evidence.s3.access_key":      "AWS_/MINIO_ environment credentials or the instance role",
	"evidence.s3.secret_key":      "AWS_/MINIO_ environment credentials or the instance role",
	"web.session_secret":          "run makes a random one; the web and alerter roles refuse to start",
	"sources.search_langs":        "the source's lang, else every language",
	"crawler.search_terms":        "none (search_feed sources need them)",
	"crawler.allow_hosts":         "public addresses only",
	"digest.weekly.recipients":    "archived, mailed to nobody",
	"digest.quarterly.recipients": "archived, mailed to nobody",
	"digest.annual.recipients":    "archived, mailed to nobody",
}

// Effective returns a copy of c in which every setting left at zero or
// empty that a component reads as a documented default ("0 means 64",
// "empty means vi") holds that default: what the running system uses.
// Settings whose default depends on the machine (web.login.
// concurrent_hashes, index.durable) or whose emptiness is the behaviour
// (nats.url, classifier.model) are left as they are. c is not changed.
//
// The components still apply their own defaults; Effective is for showing
// them (config dump), not for running with.
func (c *Config) Effective() *Config {
	e := *c
	setZero(&e.Web.Login.PerIPPerMinute, defaultLoginPerIPMin)
	setZero(&e.Web.Login.GlobalPerSecond, defaultLoginGlobal)

	cr := &e.Crawler
	setZero(&cr.UserAgent, defaultUserAgent)
	setZero(&cr.Workers, defaultCrawlerWorkers)
	setZero(&cr.ArticleWorkers, defaultArticleWorkers)
	setZero(&cr.Timeout, defaultFetchTimeout)
	setZero(&cr.MaxBodyBytes, defaultMaxBodyBytes)
	setZero(&cr.MaxRedirects, defaultMaxRedirects)
	setZero(&cr.PerHostConcurrency, defaultPerHostConcurrency)
	setZero(&cr.PerHostRate, defaultPerHostRate)
	setZero(&cr.IntervalMin, defaultIntervalMin)
	setZero(&cr.IntervalMax, defaultIntervalMax)
	setZero(&cr.SilentFactor, defaultSilentFactor)
	setZero(&cr.SilentMin, defaultSilentMin)
	setZero(&cr.MaxNewPerPoll, defaultMaxNewPerPoll)
	setZero(&cr.SourceReloadInterval, defaultSourceReload)
	if len(cr.Languages) == 0 {
		cr.Languages = slices.Clone(defaultCrawlerLanguages)
	}
	if cr.FetchArticles == nil {
		cr.FetchArticles = ptr(true)
	}
	if c.Sources != nil {
		e.Sources = make([]Source, len(c.Sources))
		for i, s := range c.Sources {
			e.Sources[i] = s.effective(cr.IntervalMin, cr.IntervalMax)
		}
	}

	cl := &e.Classifier
	setZero(&cl.ReviewThreshold, defaultReviewThreshold)
	setZero(&cl.ClusterWindow, defaultClusterWindow)
	setZero(&cl.SpreadOutlets, defaultSpreadOutlets)
	setZero(&cl.ReloadInterval, DefaultRulesReload)
	setZero(&cl.Durable, defaultClassifierDurable)
	setZero(&cl.BatchSize, defaultBatchSize)
	if len(cl.Languages) == 0 {
		cl.Languages = slices.Clone(defaultClassifierLanguages)
	}

	ix := &e.Index
	setZero(&ix.Dir, filepath.Join(e.DataDir, "index"))
	setZero(&ix.BatchSize, defaultBatchSize)
	setZero(&ix.FlushInterval, defaultFlushInterval)
	setZero(&ix.ImpactCacheMB, defaultImpactCacheMB)
	setZero(&ix.SearchTimeout, defaultSearchTimeout)

	setZero(&e.Translate.Target, defaultTranslateTarget)
	setZero(&e.Translate.Timeout, defaultTranslateTimeout)

	ev := &e.Evidence
	setZero(&ev.Dir, filepath.Join(e.DataDir, "evidence"))
	if len(ev.Schedule) == 0 {
		ev.Schedule = slices.Clone(defaultEvidenceSchedule)
	}
	setZero(&ev.CheckInterval, defaultEvidenceCheck)
	setZero(&ev.S3.MaxRetries, defaultS3MaxRetries)
	setZero(&ev.S3.RequestTimeout, defaultS3Timeout)
	setZero(&ev.Browser.Path, defaultBrowserPath)
	setZero(&ev.Browser.Timeout, defaultBrowserTimeout)

	dg := &e.Digest
	setZero(&dg.Timezone, defaultTimezone)
	setZero(&dg.CheckInterval, defaultDigestCheck)
	setZero(&dg.Lease, defaultDigestLease)
	a := &dg.Agency
	setZero(&a.Parent, defaultAgency.Parent)
	setZero(&a.Agency, defaultAgency.Agency)
	setZero(&a.Symbol, defaultAgency.Symbol)
	setZero(&a.Place, defaultAgency.Place)
	setZero(&a.SignerTitle, defaultAgency.SignerTitle)
	if len(a.Recipients) == 0 {
		a.Recipients = slices.Clone(defaultAgency.Recipients)
	}
	setZero(&dg.Weekly.Weekday, defaultWeekday)
	setZero(&dg.Weekly.Time, defaultWeeklyTime)
	setZero(&dg.Quarterly.Day, defaultQuarterlyDay)
	setZero(&dg.Quarterly.Time, defaultOtherTime)
	setZero(&dg.Annual.Day, defaultAnnualDay)
	setZero(&dg.Annual.Time, defaultOtherTime)
	return &e
}

// effective is the source as the crawler runs it (crawler.SourcesFromConfig):
// enabled unless said otherwise, the crawler's interval bounds where it sets
// none, and for a site a depth of 1 and its start pages' hosts as allowed
// domains.
func (s Source) effective(imin, imax time.Duration) Source {
	if s.Enabled == nil {
		s.Enabled = ptr(true)
	}
	setZero(&s.IntervalMin, imin)
	setZero(&s.IntervalMax, max(imax, s.IntervalMin))
	s.IntervalMax = max(s.IntervalMax, s.IntervalMin)
	if s.Kind == "site" {
		setZero(&s.Depth, defaultSiteDepth)
		if len(s.AllowedDomains) == 0 {
			var hosts []string
			for _, u := range append([]string{s.URL}, s.StartURLs...) {
				if pu, err := url.Parse(u); err == nil && pu.Hostname() != "" {
					hosts = append(hosts, pu.Hostname())
				}
			}
			s.AllowedDomains = hosts
		}
	}
	return s
}

// setZero sets *p to def when *p is the zero value.
func setZero[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

func ptr[T any](v T) *T { return &v }

// DumpEffective writes the effective configuration of l (Effective) as YAML,
// every secret hidden as Dump hides it. A setting that neither the file nor
// the environment gives, or that they set to zero, carries the comment
// "# default" when it holds a value, or says what its emptiness means
// ("# default: SQLite under data_dir"); other empty settings are printed
// bare, and a setting given a value is printed as given, unmarked.
func DumpEffective(w io.Writer, l *Loaded) error {
	var doc, loaded, base yaml.Node
	if err := doc.Encode(l.Config.Effective()); err != nil {
		return fmt.Errorf("dump config: %w", err)
	}
	if err := loaded.Encode(l.Config); err != nil {
		return fmt.Errorf("dump config: %w", err)
	}
	if err := base.Encode(Defaults()); err != nil {
		return fmt.Errorf("dump config: %w", err)
	}
	given, fromEnv := l.givenKeys()
	markDefaults(&doc, &loaded, &base, "", given)
	markEnv(&doc, "", fromEnv)
	return writeRedacted(w, &doc)
}

// givenKeys returns the keys l's file and environment give (a.b, list[2].c),
// the file read again: parse keeps no key map, to spare the memory of a
// configuration of 10,000 sources; and, of those, the ones the environment
// sets, with their variables.
func (l *Loaded) givenKeys() (map[string]bool, map[string]string) {
	given := map[string]bool{}
	fromEnv := map[string]string{}
	var data []byte
	switch {
	case l.Path == embeddedPath:
		data, _ = embedded.ReadFile("dongnai.yaml")
	case l.Path != "":
		data, _ = os.ReadFile(l.Path)
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) == nil {
		for k := range keyLines(&root) {
			given[k] = true
		}
	}
	if l.lookup != nil {
		eachSetting(reflect.ValueOf(&Config{}).Elem(), "", func(key string, _ reflect.Value) {
			if _, ok := l.lookup(envVar(key)); ok {
				given[key] = true
				fromEnv[key] = envVar(key)
			}
		})
	}
	return given, fromEnv
}

// markEnv comments each setting of the effective document n that the
// environment set with its variable, so that a value from the environment
// is not read as the file's (an outside reading).
func markEnv(n *yaml.Node, path string, fromEnv map[string]string) {
	if len(fromEnv) == 0 || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if path != "" {
			key = path + "." + key
		}
		if env := fromEnv[key]; env != "" {
			comment(k, v, "from "+env)
			continue
		}
		markEnv(v, key, fromEnv)
	}
}

// markDefaults walks the effective document n beside the loaded one (the
// configuration as read) and the built-in defaults, and comments each
// setting that holds a default: one neither given by file or environment
// nor filled from a *_file, or one given as zero that Effective filled.
// A default that is zero (an empty list, false) is marked only when
// defaultNotes says what it means.
func markDefaults(n, loaded, base *yaml.Node, path string, given map[string]bool) {
	switch {
	case n.Kind == yaml.MappingNode && len(n.Content) > 0:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := k.Value
			if path != "" {
				key = path + "." + key
			}
			lv, bv := mapValue(loaded, k.Value), mapValue(base, k.Value)
			if isLeaf(v) {
				if note, ok := defaultNote(key, v, lv, bv, given); ok {
					comment(k, v, note)
				}
				continue
			}
			markDefaults(v, lv, bv, key, given)
		}
	case n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			var lc *yaml.Node
			if loaded != nil && loaded.Kind == yaml.SequenceNode && i < len(loaded.Content) {
				lc = loaded.Content[i]
			}
			markDefaults(c, lc, nil, fmt.Sprintf("%s[%d]", path, i), given)
		}
	}
}

// defaultNote reports whether the setting key, v in the effective document
// and lv as loaded (bv in Defaults(), nil when it has none), holds a
// default, and the comment to print.
func defaultNote(key string, v, lv, bv *yaml.Node, given map[string]bool) (string, bool) {
	filled := lv == nil || !sameNode(v, lv)
	if !filled {
		if given[key] || given[key+"_file"] {
			return "", false
		}
		// Not in the file: a default unless it is not the built-in value
		// (web.base_url following a web.listen moved by the environment).
		if bv != nil && !sameNode(lv, bv) || bv == nil && !isZeroNode(lv) {
			return "", false
		}
	}
	if !isZeroNode(v) {
		return "default", true
	}
	// An empty setting says itself that it is not set; it is marked only
	// where its emptiness means something to know.
	if d := defaultNotes[indexRE.ReplaceAllString(key, "")]; d != "" {
		return "default: " + d, true
	}
	return "", false
}

// comment puts "# note" after the setting: on the value when it is printed
// on the key's line (a scalar, an empty list or map), else on the key.
func comment(k, v *yaml.Node, note string) {
	if v.Kind == yaml.ScalarNode || len(v.Content) == 0 || v.Style&yaml.FlowStyle != 0 {
		v.LineComment = "# " + note
		return
	}
	k.LineComment = "# " + note
}

// isLeaf reports whether v is a setting of its own: a scalar, a list of
// scalars, or an empty list or map. Sections and lists of sections
// (sources) are walked.
func isLeaf(v *yaml.Node) bool {
	switch v.Kind {
	case yaml.MappingNode:
		return len(v.Content) == 0
	case yaml.SequenceNode:
		for _, c := range v.Content {
			if c.Kind != yaml.ScalarNode {
				return false
			}
		}
		return true
	}
	return true
}

// mapValue is the value of key in the mapping node m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// indexRE matches the list indices of a key path: sources[3].lang is
// sources.lang in defaultNotes.
var indexRE = regexp.MustCompile(`\[\d+\]`)

// sameNode reports whether a and b print the same.
func sameNode(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

// isZeroNode reports whether n prints a zero value: "", 0, 0s, false, null,
// an empty list or map.
func isZeroNode(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return len(n.Content) == 0
	}
	switch strings.TrimSpace(n.Value) {
	case "", "0", "0s", "false", "null":
		return true
	}
	return false
}

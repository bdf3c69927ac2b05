package configs

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// CrawlerConfig holds settings shared by every source. It is owned by the
// collection stage; see crawler/. Zero values mean the defaults documented on
// each field.
type CrawlerConfig struct {
	// UserAgent is sent with every request; empty means presswatch's own,
	// which names the project and where to read about it.
	UserAgent string `yaml:"user_agent"`
	// Workers is how many sources are polled at once; 0 means 64.
	Workers int `yaml:"workers"`
	// ArticleWorkers is how many article pages are fetched and extracted at
	// once; 0 means 16.
	ArticleWorkers int `yaml:"article_workers"`
	// Timeout bounds one request, body included; 0 means 30s.
	Timeout time.Duration `yaml:"timeout"`
	// MaxBodyBytes bounds a response after decompression; 0 means 8 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxRedirects is the redirect limit; 0 means 5.
	MaxRedirects int `yaml:"max_redirects"`
	// PerHostConcurrency is how many requests may be in flight to one host;
	// 0 means 2.
	PerHostConcurrency int `yaml:"per_host_concurrency"`
	// PerHostRate is requests per second to one host; 0 means 1, negative
	// means unlimited (only for hosts you run, such as presssim).
	PerHostRate float64 `yaml:"per_host_rate"`
	// AllowHosts are host names, addresses or CIDR prefixes the SSRF guard
	// lets through although they are private or loopback (presssim, an
	// intranet mirror). Empty: only public addresses are fetched.
	AllowHosts []string `yaml:"allow_hosts"`
	// IntervalMin and IntervalMax bound every source's adaptive polling
	// interval unless the source sets its own; 0 means 5m and 6h.
	IntervalMin time.Duration `yaml:"interval_min"`
	IntervalMax time.Duration `yaml:"interval_max"`
	// SilentFactor flags a source as silent when nothing new arrived for
	// SilentFactor times its usual gap between new items; 0 means 4.
	SilentFactor float64 `yaml:"silent_factor"`
	// SilentMin is the shortest silence flagged, whatever the source's
	// usual gap: an outlet quiet for a few hours is not news; 0 means 24h.
	// A source is also flagged only once about a week of its publishing is
	// behind the verdict (docs/crawler.md).
	SilentMin time.Duration `yaml:"silent_min"`
	// Languages are the ISO 639-1 codes language detection chooses among;
	// empty means vi, en, zh, ko, ja, fr, de, ru, es, th.
	Languages []string `yaml:"languages"`
	// SearchTerms are the province's names per language (ISO 639-1), filled
	// into the {query} of search_feed URL templates.
	SearchTerms map[string][]string `yaml:"search_terms"`
	// FetchArticles fetches and extracts each new entry's page; default true.
	FetchArticles *bool `yaml:"fetch_articles"`
	// MaxItemAge ignores feed entries published longer ago than this; 0 means
	// no limit.
	MaxItemAge time.Duration `yaml:"max_item_age"`
	// MaxNewPerPoll bounds the new entries one poll of one source takes; the
	// rest are taken by the next polls, newest first. 0 means 200, negative
	// means no limit.
	MaxNewPerPoll int `yaml:"max_new_per_poll"`
	// SourceReloadInterval is how often the running crawler checks the
	// store for sources added or changed in the admin UI; 0 means 5s.
	SourceReloadInterval time.Duration `yaml:"source_reload_interval"`
}

// Source is one place presswatch collects from.
type Source struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"` // feed, search_feed, site
	// URL is the feed (feed), the URL template with {query} and optionally
	// {lang} (search_feed) or the first start page (site).
	URL     string `yaml:"url"`
	Outlet  string `yaml:"outlet"`
	Country string `yaml:"country"` // ISO 3166-1 alpha-2, upper case
	Lang    string `yaml:"lang"`    // ISO 639-1 language hint of the source
	// Tier is the outlet's reliability tier, 1 (best) to 3; 0 unknown.
	Tier int `yaml:"tier"`
	// Priority orders sources at start-up and under load; higher first.
	Priority int `yaml:"priority"`
	// Enabled defaults to true.
	Enabled *bool `yaml:"enabled"`
	// IntervalMin and IntervalMax bound this source's polling interval; 0
	// takes crawler.interval_min / interval_max.
	IntervalMin time.Duration `yaml:"interval_min"`
	IntervalMax time.Duration `yaml:"interval_max"`
	// SearchLangs limits which languages' search terms fill a search_feed
	// template; empty means the source's lang (or every language when unset).
	SearchLangs []string `yaml:"search_langs"`

	// Site crawling (kind site).
	StartURLs      []string `yaml:"start_urls"`      // more start pages besides URL
	AllowedDomains []string `yaml:"allowed_domains"` // default: the start pages' hosts
	ArticlePattern []string `yaml:"article_patterns"`
	Depth          int      `yaml:"depth"`    // link depth from a start page; 0 means 1
	Sitemaps       []string `yaml:"sitemaps"` // sitemap or Google News sitemap URLs
}

// IsEnabled reports whether the source is to be polled.
func (s *Source) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

var (
	crawlerLangRe    = regexp.MustCompile(`^[a-z]{2}$`)
	crawlerCountryRe = regexp.MustCompile(`^[A-Z]{2}$`)
	sourceNameRe     = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
)

// Validate checks the shared crawler settings.
func (c *CrawlerConfig) Validate() []error {
	var errs []error
	add := func(key, format string, args ...any) { errs = append(errs, Errf("crawler."+key, format, args...)) }
	if c.Workers < 0 || c.Workers > 10000 {
		add("workers", "%d is not between 0 (default) and 10000", c.Workers)
	}
	if c.ArticleWorkers < 0 || c.ArticleWorkers > 10000 {
		add("article_workers", "%d is not between 0 (default) and 10000", c.ArticleWorkers)
	}
	if c.Timeout < 0 || c.Timeout > 10*time.Minute {
		add("timeout", "%s is not between 0 (default) and 10m", c.Timeout)
	}
	if c.MaxBodyBytes < 0 {
		add("max_body_bytes", "must not be negative")
	}
	if c.MaxRedirects < 0 || c.MaxRedirects > 30 {
		add("max_redirects", "%d is not between 0 (default) and 30", c.MaxRedirects)
	}
	if c.PerHostConcurrency < 0 || c.PerHostConcurrency > 1000 {
		add("per_host_concurrency", "%d is not between 0 (default) and 1000", c.PerHostConcurrency)
	}
	if c.IntervalMin < 0 {
		add("interval_min", "must not be negative")
	}
	if c.IntervalMax < 0 {
		add("interval_max", "must not be negative")
	}
	if c.IntervalMin > 0 && c.IntervalMax > 0 && c.IntervalMin > c.IntervalMax {
		add("interval_min", "%s is longer than interval_max %s", c.IntervalMin, c.IntervalMax)
	}
	if c.SilentFactor < 0 {
		add("silent_factor", "must not be negative")
	}
	if c.SilentMin < 0 || c.SilentMin > 365*24*time.Hour {
		add("silent_min", "%s is not between 0 (default 24h) and 8760h", c.SilentMin)
	}
	if c.MaxItemAge < 0 {
		add("max_item_age", "must not be negative")
	}
	if c.MaxNewPerPoll > 100000 {
		add("max_new_per_poll", "%d is above 100000 (0 means 200, negative no limit)", c.MaxNewPerPoll)
	}
	if c.SourceReloadInterval < 0 || c.SourceReloadInterval > time.Hour {
		add("source_reload_interval", "%s is not between 0 (default 5s) and 1h", c.SourceReloadInterval)
	}
	for i, h := range c.AllowHosts {
		if strings.TrimSpace(h) == "" || strings.ContainsAny(h, " \t") {
			add(fmt.Sprintf("allow_hosts[%d]", i), "%q is not a host, address or CIDR prefix", h)
		}
	}
	for i, l := range c.Languages {
		if !crawlerLangRe.MatchString(l) {
			add(fmt.Sprintf("languages[%d]", i), "%q is not a lower-case ISO 639-1 code", l)
		}
	}
	for l, terms := range c.SearchTerms {
		if !crawlerLangRe.MatchString(l) {
			add("search_terms."+l, "%q is not a lower-case ISO 639-1 code", l)
		}
		for j, t := range terms {
			if strings.TrimSpace(t) == "" {
				add(fmt.Sprintf("search_terms.%s[%d]", l, j), "must not be empty")
			}
		}
	}
	return errs
}

// Validate checks one source. Keys are relative to the source
// (e.g. "interval_min"); the caller adds "sources[i].".
func (s *Source) Validate() []error {
	var errs []error
	add := func(key, format string, args ...any) { errs = append(errs, Errf(key, format, args...)) }
	if !sourceNameRe.MatchString(s.Name) {
		add("name", "%q must be 1-64 lower-case letters, digits, '-' or '_'", s.Name)
	}
	switch s.Kind {
	case "feed", "site":
		if err := checkHTTPURL(s.URL); err != nil {
			add("url", "%v", err)
		}
	case "search_feed":
		if !strings.Contains(s.URL, "{query}") {
			add("url", "a search_feed URL template must contain {query}")
		} else if err := checkHTTPURL(strings.NewReplacer("{query}", "q", "{lang}", "en").Replace(s.URL)); err != nil {
			add("url", "%v", err)
		}
	default:
		add("kind", "%q is not feed, search_feed or site", s.Kind)
	}
	if s.Country != "" && !crawlerCountryRe.MatchString(s.Country) {
		add("country", "%q is not an upper-case ISO 3166-1 alpha-2 code", s.Country)
	}
	if s.Lang != "" && !crawlerLangRe.MatchString(s.Lang) {
		add("lang", "%q is not a lower-case ISO 639-1 code", s.Lang)
	}
	if s.Tier < 0 || s.Tier > 3 {
		add("tier", "%d is not between 0 (unknown) and 3", s.Tier)
	}
	if s.IntervalMin < 0 {
		add("interval_min", "must not be negative")
	} else if s.IntervalMin > 0 && s.IntervalMin < 10*time.Second {
		add("interval_min", "%s is shorter than 10s", s.IntervalMin)
	}
	if s.IntervalMax < 0 {
		add("interval_max", "must not be negative")
	}
	if s.IntervalMin > 0 && s.IntervalMax > 0 && s.IntervalMin > s.IntervalMax {
		add("interval_min", "%s is longer than interval_max %s", s.IntervalMin, s.IntervalMax)
	}
	for i, l := range s.SearchLangs {
		if !crawlerLangRe.MatchString(l) {
			add(fmt.Sprintf("search_langs[%d]", i), "%q is not a lower-case ISO 639-1 code", l)
		}
	}
	for i, u := range s.StartURLs {
		if err := checkHTTPURL(u); err != nil {
			add(fmt.Sprintf("start_urls[%d]", i), "%v", err)
		}
	}
	for i, u := range s.Sitemaps {
		if err := checkHTTPURL(u); err != nil {
			add(fmt.Sprintf("sitemaps[%d]", i), "%v", err)
		}
	}
	for i, p := range s.ArticlePattern {
		if _, err := regexp.Compile(p); err != nil {
			add(fmt.Sprintf("article_patterns[%d]", i), "not a regular expression: %v", err)
		}
	}
	for i, d := range s.AllowedDomains {
		if d == "" || strings.ContainsAny(d, "/: ") {
			add(fmt.Sprintf("allowed_domains[%d]", i), "%q is not a domain name", d)
		}
	}
	if s.Depth < 0 || s.Depth > 5 {
		add("depth", "%d is not between 0 (default 1) and 5", s.Depth)
	}
	if s.Kind != "site" && (len(s.StartURLs) > 0 || len(s.ArticlePattern) > 0 || len(s.Sitemaps) > 0 || s.Depth != 0) {
		add("kind", "start_urls, article_patterns, sitemaps and depth apply only to kind site")
	}
	return errs
}

func checkHTTPURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return nil
}

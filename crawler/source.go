package crawler

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/dongnai/presswatch/configs"
)

// Source kinds.
const (
	KindFeed       = "feed"
	KindSearchFeed = "search_feed"
	KindSite       = "site"
)

// Source is the runtime form of a configured source, built by
// SourcesFromConfig.
type Source struct {
	Name, Kind, Outlet, Country, Lang string
	Tier, Priority                    int
	// URLs are the documents polled: the feed, the search feed filled with
	// each search term, or the site's start pages.
	URLs                     []string
	IntervalMin, IntervalMax time.Duration

	// Site crawling.
	AllowedDomains  []string
	ArticlePatterns []*regexp.Regexp
	Depth           int
	Sitemaps        []string
}

// SourcesFromConfig turns configured sources into runtime sources, skipping
// disabled ones. Search feed templates are filled with cc.SearchTerms: the
// terms of the source's search_langs (else its lang, else every language),
// each URL-escaped into {query}, with {lang} set to the term's language.
func SourcesFromConfig(cc configs.CrawlerConfig, cs []configs.Source) ([]Source, error) {
	imin, imax := cc.IntervalMin, cc.IntervalMax
	if imin <= 0 {
		imin = 5 * time.Minute
	}
	if imax <= 0 {
		imax = 6 * time.Hour
	}
	var out []Source
	for i := range cs {
		c := &cs[i]
		if !c.IsEnabled() {
			continue
		}
		if errs := c.Validate(); len(errs) > 0 {
			return nil, fmt.Errorf("source %q: %w", c.Name, errs[0])
		}
		s := Source{
			Name: c.Name, Kind: c.Kind, Outlet: c.Outlet, Country: c.Country, Lang: c.Lang,
			Tier: c.Tier, Priority: c.Priority, IntervalMin: c.IntervalMin, IntervalMax: c.IntervalMax,
			AllowedDomains: c.AllowedDomains, Depth: c.Depth, Sitemaps: c.Sitemaps,
		}
		if s.IntervalMin <= 0 {
			s.IntervalMin = imin
		}
		if s.IntervalMax <= 0 {
			s.IntervalMax = max(imax, s.IntervalMin)
		}
		if s.IntervalMax < s.IntervalMin {
			s.IntervalMax = s.IntervalMin
		}
		switch c.Kind {
		case KindFeed:
			s.URLs = []string{c.URL}
		case KindSearchFeed:
			s.URLs = searchURLs(c, cc.SearchTerms)
			if len(s.URLs) == 0 {
				return nil, fmt.Errorf("source %q: no search terms for its languages in crawler.search_terms", c.Name)
			}
		case KindSite:
			s.URLs = append([]string{c.URL}, c.StartURLs...)
			if s.Depth == 0 {
				s.Depth = 1
			}
			for _, p := range c.ArticlePattern {
				re, err := regexp.Compile(p)
				if err != nil {
					return nil, fmt.Errorf("source %q: article pattern %q: %w", c.Name, p, err)
				}
				s.ArticlePatterns = append(s.ArticlePatterns, re)
			}
			if len(s.AllowedDomains) == 0 {
				for _, u := range s.URLs {
					if pu, err := url.Parse(u); err == nil {
						s.AllowedDomains = append(s.AllowedDomains, pu.Hostname())
					}
				}
			}
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority > out[j].Priority })
	return out, nil
}

func searchURLs(c *configs.Source, terms map[string][]string) []string {
	langs := c.SearchLangs
	if len(langs) == 0 && c.Lang != "" {
		langs = []string{c.Lang}
	}
	if len(langs) == 0 {
		for l := range terms {
			langs = append(langs, l)
		}
		sort.Strings(langs)
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range langs {
		for _, t := range terms[l] {
			u := strings.NewReplacer("{query}", url.QueryEscape(t), "{lang}", url.QueryEscape(l)).Replace(c.URL)
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	return out
}

// articleURL reports whether u is an article page of a site source: it
// matches one of the patterns (every page when there are none).
func (s *Source) articleURL(u string) bool {
	if len(s.ArticlePatterns) == 0 {
		return true
	}
	for _, re := range s.ArticlePatterns {
		if re.MatchString(u) {
			return true
		}
	}
	return false
}

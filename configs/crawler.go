package configs

// CrawlerConfig holds settings shared by every source. It is owned by the
// collection stage; see crawler/.
type CrawlerConfig struct{}

// Source is one place presswatch collects from.
type Source struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"` // feed, search_feed, site
	URL  string `yaml:"url"`
}

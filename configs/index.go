package configs

import (
	"regexp"
	"time"
)

// IndexConfig configures the Bleve index and the indexer stage that feeds it.
// It is owned by the index stage; see index/. Zero values mean the defaults
// documented on each field.
type IndexConfig struct {
	// Dir is the index folder; empty means data_dir/index.
	Dir string `yaml:"dir"`
	// Durable is the name of this node's JetStream consumer of PW_CLASSIFIED.
	// Every web node keeps its own replica, so every node needs its own name;
	// empty means "indexer-" followed by the host name.
	Durable string `yaml:"durable"`
	// BatchSize is the largest number of articles written to the index in one
	// batch; 0 means 256.
	BatchSize int `yaml:"batch_size"`
	// FlushInterval is how long the indexer waits to fill a batch before it
	// writes what it has; 0 means 250ms. It bounds the time from classified to
	// searchable.
	FlushInterval time.Duration `yaml:"flush_interval"`
	// ImpactCacheMB bounds the memory a search node keeps for the decoded
	// term frequencies of common query words (see docs/index.md); 0 means
	// 256, a negative value turns the cache off.
	ImpactCacheMB int `yaml:"impact_cache_mb"`
	// SearchTimeout stops a search that runs longer (it answers "narrow the
	// query"); 0 means 30s, and at most 10m.
	SearchTimeout time.Duration `yaml:"search_timeout"`
}

var durableName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Validate returns every problem with the index settings, each naming its key.
func (c *IndexConfig) Validate() []error {
	var errs []error
	if c.Durable != "" && !durableName.MatchString(c.Durable) {
		errs = append(errs, Errf("index.durable", "%q may hold only letters, digits, \"-\" and \"_\"", c.Durable))
	}
	if c.BatchSize < 0 || c.BatchSize > 10000 {
		errs = append(errs, Errf("index.batch_size", "%d is not between 0 (default) and 10000", c.BatchSize))
	}
	if c.FlushInterval < 0 || c.FlushInterval > time.Minute {
		errs = append(errs, Errf("index.flush_interval", "%s is not between 0 (default) and 1m", c.FlushInterval))
	}
	if c.SearchTimeout < 0 || c.SearchTimeout > 10*time.Minute {
		errs = append(errs, Errf("index.search_timeout", "%s is not between 0 (default 30s) and 10m", c.SearchTimeout))
	}
	if c.ImpactCacheMB > 16384 {
		errs = append(errs, Errf("index.impact_cache_mb", "%d is over 16384", c.ImpactCacheMB))
	}
	return errs
}

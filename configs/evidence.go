package configs

import "time"

// EvidenceConfig is where captures of alerted and opened articles are kept
// (WARC files; the rows are in the store).
type EvidenceConfig struct {
	// Disabled turns capturing off.
	Disabled bool `yaml:"disabled"`
	// Dir holds the WARC files; empty means data_dir/evidence. In a
	// role-split deployment the alerter and the web nodes must see the same
	// folder (shared storage): object storage is not implemented yet.
	Dir string `yaml:"dir"`
	// Schedule is when a page is re-fetched after its first capture; empty
	// means 1h, 6h, 24h, 168h (7 days), 720h (30 days).
	Schedule []time.Duration `yaml:"schedule"`
	// CheckInterval is how often due captures and new alerts are looked
	// for; 0 means 1m.
	CheckInterval time.Duration `yaml:"check_interval"`
}

package configs

// EvidenceConfig is where captures of alerted and opened articles are kept
// (WARC files; the rows are in the store).
type EvidenceConfig struct {
	// Disabled turns capturing off.
	Disabled bool `yaml:"disabled"`
	// Dir holds the WARC files; empty means data_dir/evidence. In a
	// role-split deployment the alerter and the web nodes must see the same
	// folder (shared storage): object storage is not implemented yet.
	Dir string `yaml:"dir"`
}

package configs

import (
	"strings"
	"testing"
	"time"
)

func TestIndexConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  IndexConfig
		want []string // substrings of the errors, in order
	}{
		{"zero is valid", IndexConfig{}, nil},
		{"all set", IndexConfig{Dir: "/var/lib/pw/index", Durable: "indexer-web-1", BatchSize: 512, FlushInterval: time.Second}, nil},
		{"bad durable", IndexConfig{Durable: "web node.1"}, []string{"index.durable:"}},
		{"negative batch", IndexConfig{BatchSize: -1}, []string{"index.batch_size:"}},
		{"huge batch", IndexConfig{BatchSize: 100000}, []string{"index.batch_size:"}},
		{"flush too long", IndexConfig{FlushInterval: time.Hour}, []string{"index.flush_interval:"}},
		{"several", IndexConfig{Durable: "a b", FlushInterval: -time.Second}, []string{"index.durable:", "index.flush_interval:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.cfg.Validate()
			if len(errs) != len(tc.want) {
				t.Fatalf("Validate() = %v, want %d errors", errs, len(tc.want))
			}
			for i, err := range errs {
				if !strings.HasPrefix(err.Error(), tc.want[i]) {
					t.Errorf("error %d = %q, want prefix %q", i, err, tc.want[i])
				}
			}
		})
	}
	// Through the whole configuration, the key keeps a single "index." prefix.
	cfg := Defaults()
	cfg.Index.BatchSize = -5
	var found bool
	for _, err := range cfg.Validate() {
		if strings.HasPrefix(err.Error(), "index.batch_size:") {
			found = true
		}
	}
	if !found {
		t.Errorf("Config.Validate does not report index.batch_size: %v", cfg.Validate())
	}
}

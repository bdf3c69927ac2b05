package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/configs"
)

// TestIndexDurablePerReplica: two index replicas on one host (a web node and
// an indexer with their own folders) get their own consumers; the same
// folder named two ways is one replica; a configured name wins.
func TestIndexDurablePerReplica(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	mk := func(dataDir, indexDir, durable string) *configs.Loaded {
		c := &configs.Config{DataDir: dataDir}
		c.Index.Dir, c.Index.Durable = indexDir, durable
		return &configs.Loaded{Config: c}
	}
	web := indexDurable(mk("data", "", ""))
	idx := indexDurable(mk("data", "data/index-2", ""))
	same := indexDurable(mk(filepath.Join(dir, "data"), "", ""))
	if web == idx {
		t.Errorf("two folders, one consumer %q", web)
	}
	if web != same {
		t.Errorf("one folder named two ways: %q and %q", web, same)
	}
	if !strings.HasPrefix(web, "indexer-") || strings.ContainsAny(web, ". /") {
		t.Errorf("durable %q", web)
	}
	if got := indexDurable(mk("data", "", "indexer-web-1")); got != "indexer-web-1" {
		t.Errorf("configured durable: %q", got)
	}
}

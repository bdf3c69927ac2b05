package crawler

import (
	"path/filepath"
	"testing"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/internal/testenv"
)

// TestShippedSources checks the sources in configs/dongnai.yaml: the whole file
// loads strictly, every source is valid, at least 40 of them, each marked with
// country, language and tier, and every search feed filled with terms.
func TestShippedSources(t *testing.T) {
	cfg, err := configs.Load(filepath.Join(testenv.RepoRoot(), "configs", "dongnai.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc := struct {
		Crawler configs.CrawlerConfig
		Sources []configs.Source
	}{cfg.Crawler, cfg.Sources}
	if len(doc.Sources) < 40 {
		t.Errorf("%d sources, want at least 40", len(doc.Sources))
	}
	for _, err := range doc.Crawler.Validate() {
		t.Error(err)
	}
	names := map[string]bool{}
	for i := range doc.Sources {
		s := &doc.Sources[i]
		for _, err := range s.Validate() {
			t.Errorf("sources[%d] (%s): %v", i, s.Name, err)
		}
		if s.Country == "" || s.Lang == "" || s.Tier == 0 {
			t.Errorf("%s: country, lang and tier must be set", s.Name)
		}
		if names[s.Name] {
			t.Errorf("%s: duplicate name", s.Name)
		}
		names[s.Name] = true
	}
	rt, err := SourcesFromConfig(doc.Crawler, doc.Sources)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rt {
		if s.Kind == KindSearchFeed && len(s.URLs) == 0 {
			t.Errorf("%s: %d search URLs", s.Name, len(s.URLs))
		}
	}
}

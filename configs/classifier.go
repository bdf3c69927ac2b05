package configs

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"time"

	"github.com/andybalholm/brotli"
)

// ClassifierConfig configures the classifier stage and locates its rule files.
// It is owned by the classifier stage; see classifier/. Zero values mean the
// defaults documented on each field.
type ClassifierConfig struct {
	// RulesDir holds gazetteer/*.yaml, topics.yaml, narratives.yaml,
	// facts.yaml and tone/*.yaml. Empty means the rules embedded in the
	// binary (the copies shipped in configs/). A relative path is resolved
	// against the config file's folder.
	RulesDir string `yaml:"rules_dir"`
	// ReviewThreshold is the risk (0..100) at or above which an article
	// needs review; 0 means 40.
	ReviewThreshold int `yaml:"review_threshold"`
	// Model is the learned layer's model file (written by `presswatch
	// train`). Empty means the model embedded in the binary (the copy of
	// classifier_model.json shipped in configs/); "none" runs the rules
	// alone. A relative path is resolved against the config file's folder.
	// The model is checked for compatibility at start-up.
	Model string `yaml:"model"`
	// Languages are the ISO 639-1 codes language detection chooses among;
	// empty means a default set of the languages the press watch sees.
	Languages []string `yaml:"languages"`
	// ClusterWindow is how far apart in time two articles of one story may
	// be; 0 means 72h.
	ClusterWindow time.Duration `yaml:"cluster_window"`
	// SpreadOutlets is how many distinct outlets carrying one story within
	// ClusterWindow make it a "rapid spread" risk signal; 0 means 5.
	SpreadOutlets int `yaml:"spread_outlets"`
	// ReloadInterval is how often the rule files are checked for changes;
	// 0 means 30s, negative disables reloading.
	ReloadInterval time.Duration `yaml:"reload_interval"`
	// Durable is the classifier stage's JetStream consumer name, shared by
	// every classifier replica; empty means "classifier".
	Durable string `yaml:"durable"`
	// BatchSize is how many collected articles the stage classifies per
	// batch; 0 means 256.
	BatchSize int `yaml:"batch_size"`
}

var langCode = regexp.MustCompile(`^[a-z]{2}$`)

// Validate returns every problem with the classifier settings, each naming
// its key.
func (c *ClassifierConfig) Validate() []error {
	var errs []error
	if c.ReviewThreshold < 0 || c.ReviewThreshold > 100 {
		errs = append(errs, Errf("classifier.review_threshold", "%d is not between 0 (default) and 100", c.ReviewThreshold))
	}
	for i, l := range c.Languages {
		if !langCode.MatchString(l) {
			errs = append(errs, Errf("classifier.languages["+itoa(i)+"]", "%q is not a lower-case ISO 639-1 code", l))
		}
	}
	if c.ClusterWindow < 0 || c.ClusterWindow > 90*24*time.Hour {
		errs = append(errs, Errf("classifier.cluster_window", "%s is not between 0 (default) and 2160h", c.ClusterWindow))
	}
	if c.SpreadOutlets < 0 || c.SpreadOutlets > 1000 {
		errs = append(errs, Errf("classifier.spread_outlets", "%d is not between 0 (default) and 1000", c.SpreadOutlets))
	}
	if c.Durable != "" && !durableName.MatchString(c.Durable) {
		errs = append(errs, Errf("classifier.durable", "%q may hold only letters, digits, \"-\" and \"_\"", c.Durable))
	}
	if c.BatchSize < 0 || c.BatchSize > 10000 {
		errs = append(errs, Errf("classifier.batch_size", "%d is not between 0 (default) and 10000", c.BatchSize))
	}
	return errs
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

//go:embed gazetteer/*.yaml topics.yaml concerns.yaml narratives.yaml facts.yaml tone/*.yaml
var classifierRules embed.FS

// classifierModelBr is classifier_model.json (written by `presswatch
// train`) brotli-compressed: the weights are base64 text, and compressed
// they take 0.49 MB of the binary instead of 0.89 MB.
//
//go:generate go run ../internal/brcompress classifier_model.json classifier_model.json.br
//go:embed classifier_model.json.br
var classifierModelBr []byte

// ClassifierModel returns the classifier model shipped in the binary
// (classifier_model.json, written by `presswatch train`), decompressed
// anew on every call: a process loads it once, at start-up, and need not
// keep the text afterwards.
func ClassifierModel() []byte {
	b, err := io.ReadAll(brotli.NewReader(bytes.NewReader(classifierModelBr)))
	if err != nil {
		// The embedded bytes are fixed at build time and checked by
		// TestShippedModelCompressed, so this cannot happen in a released
		// binary.
		panic(fmt.Sprintf("configs: embedded classifier model: %v", err))
	}
	return b
}

// ClassifierRules returns the rule files shipped for Đồng Nai, as laid out
// under RulesDir: gazetteer/*.yaml, topics.yaml, narratives.yaml, facts.yaml
// and tone/*.yaml.
func ClassifierRules() fs.FS { return classifierRules }

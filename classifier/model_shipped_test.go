package classifier

import (
	"bytes"
	"errors"
	"testing"

	"github.com/dongnai/presswatch/configs"
)

// TestShippedModelCompatible loads the model embedded in the binary (stored
// brotli-compressed by configs) through the start-up compatibility check,
// and checks that the check still refuses it with a version this build
// does not read.
func TestShippedModelCompatible(t *testing.T) {
	m, err := loadModelFile("")
	if err != nil {
		t.Fatalf("shipped model: %v", err)
	}
	if m.Version != ModelVersion || m.Format != ModelFormat {
		t.Errorf("shipped model is %s v%d", m.Format, m.Version)
	}
	raw := configs.ClassifierModel()
	old := []byte(`"version": 1,`)
	if !bytes.Contains(raw, old) {
		t.Fatalf("shipped model has no %s", old)
	}
	bumped := bytes.Replace(raw, old, []byte(`"version": 999,`), 1)
	if _, err := LoadModel(bytes.NewReader(bumped)); !errors.Is(err, ErrIncompatibleModel) {
		t.Errorf("version 999: err = %v, want ErrIncompatibleModel", err)
	}
}

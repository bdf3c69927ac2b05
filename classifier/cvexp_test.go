package classifier

import (
	"context"
	"os"
	"strconv"
	"testing"
)

func envF(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return v
	}
	return def
}

func TestCVExperiment(t *testing.T) {
	if os.Getenv("PW_EXP") == "" {
		t.Skip()
	}
	items := loadDevCorpus(t)
	e, _ := New(Options{Now: evalNow, NoModel: true})
	fc := DefaultFeatureConfig()
	fc.NgramScale = envF("PW_SCALE", fc.NgramScale)
	rep, err := e.CrossValidate(context.Background(), items, 10, TrainOptions{Features: fc, Lambda: envF("PW_LAMBDA", 1), InnerFolds: int(envF("PW_INNER", 3)), MaxIter: int(envF("PW_ITER", 100))})
	if err != nil {
		t.Fatal(err)
	}
	rep.Write(os.Stdout)
}

package classifier

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
)

type topicVariant struct {
	name string
	set  func()
}

func TestTopicExperiments(t *testing.T) {
	if os.Getenv("PW_TOPICEXP") == "" {
		t.Skip()
	}
	items := loadDevCorpus(t)
	e, err := New(Options{Now: evalNow, NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	topicHitFeatures = os.Getenv("PW_TOPICHITS") != ""
	titleFeatures = os.Getenv("PW_TITLE") != ""
	if b := os.Getenv("PW_TOPICBAL"); b != "" {
		topicBalance, _ = strconv.ParseFloat(b, 64)
	}
	opts := TrainOptions{}
	opts.defaults()
	ex := ExamplesFromCorpus(items)
	if err := e.featurize(context.Background(), opts.Features, ex); err != nil {
		t.Fatal(err)
	}
	reset := func() {
		topicStackOn, topicStackLambda, topicStackRules, topicStackTone = false, DefaultLambda, false, true
		topicPerThreshold, topicShrink, topicRatioOn, topicPerKeep = false, 20, false, false
		topicKeepGrid, topicStep = []float64{0, 0.05, 0.1, 0.2}, 0.05
	}
	vs := []topicVariant{
		{"base", func() {}},
		{"keep s5", func() { topicPerKeep = true; topicKeepShrink = 5 }},
		{"keep s20", func() { topicPerKeep = true; topicKeepShrink = 20 }},
		{"keep s50", func() { topicPerKeep = true; topicKeepShrink = 50 }},
	}
	folds := []int{10, 5}
	if os.Getenv("PW_TOPICEXP") == "10" {
		folds = []int{10}
	}
	lams := []float64{0}
	if l := os.Getenv("PW_TOPICLAM"); l != "" {
		lams = nil
		for _, f := range strings.Split(l, ",") {
			v, _ := strconv.ParseFloat(f, 64)
			lams = append(lams, v)
		}
	}
	for _, lam := range lams {
		topicFirstLambda = lam
		for _, k := range folds {
			fold := assignFolds(ex, k)
			preds := make([][]*article.Classification, len(vs))
			for v := range vs {
				preds[v] = make([]*article.Classification, len(items))
			}
			for f := 0; f < k; f++ {
				var train []*Example
				for _, x := range ex {
					if fold[x] != f {
						train = append(train, x)
					}
				}
				fs, err := fitFirstStage(train, e.Rules().Topics(), opts)
				if err != nil {
					t.Fatal(err)
				}
				for v := range vs {
					reset()
					vs[v].set()
					m, err := fs.finish(opts)
					if err != nil {
						t.Fatal(err)
					}
					for i, x := range ex {
						if fold[x] == f {
							preds[v][i] = m.decide(x.x, x.rules)
						}
					}
				}
			}
			for v := range vs {
				var acc evalAcc
				for i := range items {
					acc.add(&items[i], preds[v][i])
				}
				r := acc.finish()
				fmt.Printf("lam=%g k=%d %-18s topics %.4f (P %.3f R %.3f) tone %.3f review P %.3f R %.3f\n", lam, k, vs[v].name, r.Topics.F1, r.Topics.Precision, r.Topics.Recall, r.ToneAccuracy, r.NeedsReview.Precision, r.NeedsReview.Recall)
			}
		}
	}
	reset()
	topicFirstLambda = 0
}

package classifier

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dongnai/presswatch/internal/testenv"
)

// grownCorpus is the repository's own growing corpus (same format as
// dev.jsonl); it may not exist.
const grownCorpus = "testdata/corpus/grown.jsonl"

// loadDevCorpus reads dev.jsonl from $PRESSWATCH_TESTDATA (skipping the test
// when it is absent) and grown.jsonl when it exists.
func loadDevCorpus(t testing.TB) []EvalItem {
	t.Helper()
	dir := testenv.Testdata(t, "corpus")
	var items []EvalItem
	grown := grownCorpus
	if p := os.Getenv("PRESSWATCH_GROWN_CORPUS"); p != "" {
		grown = p // measure against a corpus being grown elsewhere
	}
	for _, p := range []string{filepath.Join(dir, "dev.jsonl"), grown} {
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) && p == grown {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		its, err := ReadEvalItems(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, its...)
	}
	return items
}

func evalNow() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }

// Floors just under the 10-fold cross-validated figures on dev.jsonl with
// the grown corpus (715 items), after diacritic-aware matching and the
// tone margin (about 0.960, mentions 0.987, needs_review P 0.506 / R 0.903,
// topics 0.720, tone 0.729; docs/classifier.md). The 122 items added last
// (mostly ja/zh/ko/fr/th, many about the province in those languages)
// lowered topics and tone from 0.742 and 0.772 on 593 items: the figures
// are on a harder corpus, not a worse classifier. Then (issue 11) topic
// words in the languages that lacked them, the 'other' topic, and the
// features topic_partial, topic_tone and rule:tone_net: topics 0.782, tone
// 0.741, needs_review P 0.511 / R 0.891. Then (issue 11, judgment that
// generalises) the fact checks' figures, evidence forcing review and
// rule:undated: needs_review P 0.557 / R 0.897; and the tone stacked on the
// tone and topic probabilities (tonestack.go): tone 0.763. Then (issue 11,
// about) the Korean spelling 롱타인, pre-merger wording on undated pages,
// Japanese names of other provinces, Ho Chi Minh City as the foreign
// press's locator and national headlines in foreign press. All together
// (4 Dec 2026): about 0.980, mentions 0.990, needs_review P 0.576 / R
// 0.931, topics 0.778, tone 0.758 (tone moves by a few items between
// merges: items newly judged about get the model's tone). Then the
// topic_hits and topic_title features (how many alternatives of each topic
// rule matched, in the whole article and in the title), which the tone
// models are trained without: topics 0.789, needs_review P 0.592 / R
// 0.937, tone 0.758 (5-fold: topics 0.766 → 0.774, tone 0.736 → 0.741,
// needs_review P 0.563 → 0.565, R 0.943 both). With the fact checks'
// Chinese, Japanese and Korean figures (4 Dec 2026, stop 15): needs_review
// P 0.590 / R 0.937, topics 0.790, tone 0.758. With the corpus's third
// round (765 items: 50 more, education, foreign affairs, review cases
// outside Vietnamese): needs_review P 0.630 / R 0.916, topics 0.785, tone
// 0.762. With the topic models' text features weighted by naive-Bayes
// ratios (stop 17, TopicNBPower 2): topics 0.800, tone 0.753, the rest
// unchanged. With the corpus's fourth round (stop 25: 1,262 items, 497 new
// ones nobody had tuned on, many review cases and their look-alikes):
// about 0.969 (the new items are unseen by the rules, which decide about),
// mentions 0.989, needs_review P 0.631 / R 0.910, topics 0.803, tone 0.777.
// needs_review precision is below the goal. The test fails when a
// change drops below the floors (about: six items under the figure;
// recall: two review items of 323; topics about five labels; tone about
// five items).
const (
	cvMinAboutF1         = 0.965
	cvMinMentionsF1      = 0.98
	cvMinReviewRecall    = 0.90
	cvMinReviewPrecision = 0.62
	cvMinTopicF1         = 0.795
	cvMinToneAccuracy    = 0.77
)

func TestCrossValidateDevCorpus(t *testing.T) {
	if testing.Short() || raceOn {
		t.Skip("trains about 600 models: skipped with -short and -race")
	}
	items := loadDevCorpus(t)
	e, err := New(Options{Now: evalNow, NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.CrossValidate(context.Background(), items, 10, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		rep.Write(os.Stdout)
	}
	check := func(name string, got, min float64) {
		t.Helper()
		if got < min {
			t.Errorf("CV %s = %.3f, below %.3f", name, got, min)
		}
	}
	check("about F1", rep.CV.About.F1, cvMinAboutF1)
	check("mentions F1", rep.CV.Mentions.F1, cvMinMentionsF1)
	check("needs_review recall", rep.CV.NeedsReview.Recall, cvMinReviewRecall)
	check("needs_review precision", rep.CV.NeedsReview.Precision, cvMinReviewPrecision)
	check("topic micro-F1", rep.CV.Topics.F1, cvMinTopicF1)
	check("tone accuracy", rep.CV.ToneAccuracy, cvMinToneAccuracy)
}

package classifier

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/presssim"
)

// TestPresssimReview holds the shipped classifier (rules and model) to the
// demo's ground truth for needs_review, which follows the labelling
// guidelines of the corpus the model is judged on (strikes, floods,
// unrest, land-clearance conflicts and health scares go to an officer, as
// well as false or outdated claims): every item the truth sends to review
// is flagged, and at least 55 % of those flagged are such items (17 of 28
// when written; the model's cross-validated precision on the corpus is
// 0.63). An outside reading had counted 51 of 71 demo articles flagged
// against a truth that named only the seven false claims.
func TestPresssimReview(t *testing.T) {
	corpus, err := presssim.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Options{Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	var flagged, truth, both int
	for _, it := range corpus {
		c, err := e.Classify(t.Context(), &article.Article{ID: it.ID, Lang: it.Lang, Title: it.Title, Published: it.Published,
			Text: strings.Join(append([]string{it.Summary}, it.Body...), "\n\n"), Outlet: strings.Join(it.Outlets, ",")})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case c.NeedsReview && it.Truth.NeedsReview:
			both++
		case it.Truth.NeedsReview:
			t.Errorf("%s needs review (%s) and is not flagged: risk %d", it.ID, it.Truth.Note, c.Risk)
		case c.NeedsReview:
			t.Logf("flagged against the truth: %s (risk %d) %q", it.ID, c.Risk, it.Title)
		}
		if c.NeedsReview {
			flagged++
		}
		if it.Truth.NeedsReview {
			truth++
		}
	}
	t.Logf("flagged %d, the truth %d, both %d, of %d items", flagged, truth, both, len(corpus))
	if flagged == 0 || float64(both)/float64(flagged) < 0.55 {
		t.Errorf("%d of %d flagged items need review: want at least 55 %%", both, flagged)
	}
}

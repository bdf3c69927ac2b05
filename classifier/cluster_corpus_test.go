package classifier

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/presssim"
)

// storyPairs counts, over the pairs of items published within the story
// window of each other, those the labels put in one story and the
// clusterer too (tp), only the clusterer (fp) and only the labels (fn),
// apart for pairs in one language and across languages.
type storyPairs struct{ tp, fp, fn, xtp, xfp, xfn int }

func ratio(a, b int) float64 {
	if a+b == 0 {
		return 0
	}
	return float64(a) / float64(a+b)
}

func (s storyPairs) String() string {
	return fmt.Sprintf("same language P/R %.3f/%.3f (%d tp, %d fp, %d fn); across languages P/R %.3f/%.3f (%d tp, %d fp, %d fn)",
		ratio(s.tp, s.fp), ratio(s.tp, s.fn), s.tp, s.fp, s.fn, ratio(s.xtp, s.xfp), ratio(s.xtp, s.xfn), s.xtp, s.xfp, s.xfn)
}

// storyCase is one labelled item for the story clusterer.
type storyCase struct {
	id, lang, outlet, title, text, story string
	at                                   time.Time
}

// clusterStories classifies the items in order of publication (ties by
// ID) with one engine, as the classifier stage would receive them, and
// returns the pair counts and each item's cluster.
func clusterStories(t *testing.T, items []storyCase) (storyPairs, map[string]string) {
	t.Helper()
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b storyCase) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	e := newTestEngine(t, nil)
	got := map[string]string{}
	for _, it := range items {
		// Stored articles' IDs are hashes, and a story's ID is the first
		// twelve characters of its first article's: slugs such as
		// "vi-khongdau-kcn" and "vi-khongdau-dongthap" would share one.
		id := fmt.Sprintf("%x", sha256.Sum256([]byte(it.id)))
		c, err := e.Classify(context.Background(), &article.Article{ID: id, Lang: it.lang, Outlet: it.outlet, Title: it.title, Text: it.text, Published: it.at})
		if err != nil {
			t.Fatal(err)
		}
		got[it.id] = c.Cluster
	}
	var s storyPairs
	for i, a := range items {
		for _, b := range items[i+1:] {
			if absDur(a.at.Sub(b.at)) > 72*time.Hour {
				continue // the clusterer's window keeps them apart
			}
			truth, pred, x := a.story == b.story, got[a.id] == got[b.id], a.lang != b.lang
			switch {
			case truth && pred && x:
				s.xtp++
			case truth && pred:
				s.tp++
			case pred && x:
				s.xfp++
			case pred:
				s.fp++
			case truth && x:
				s.xfn++
			case truth:
				s.fn++
			}
		}
	}
	return s, got
}

// TestStoryClusteringCorpus measures the story clusterer on the grown
// corpus, whose `story` field names the event each item reports (copies,
// reposts and translations share it), in two arrangements:
//   - at their dates: items dated to the day at noon of that day, the
//     others years apart from everything. The corpus is sparse in time, so
//     this measures mostly whether tellings of one event are joined;
//   - 96 a day: every item, in order of publication, a quarter of an hour
//     after the one before, so that 288 items of sixteen years share a
//     72-hour window. This is denser than the province's coverage and
//     measures what joins unrelated stories of a busy week.
//
// The floors are just under this stop's figures (docs/classifier.md).
func TestStoryClusteringCorpus(t *testing.T) {
	var items []storyCase
	for _, g := range readGrown(t) {
		items = append(items, storyCase{id: *g.ID, lang: *g.Lang, outlet: *g.Outlet, title: *g.Title, text: *g.Text, story: *g.Story,
			at: time.Date(1900, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, 10*len(items))})
		pub := strings.Trim(string(g.Published), `"`)
		if d, err := ParseLooseDate(pub); err == nil && len(pub) == len("2006-01-02") {
			items[len(items)-1].at = d.Add(12 * time.Hour)
		}
	}
	dated, got := clusterStories(t, items)
	t.Logf("at their dates: %s", dated)
	for i, a := range items {
		for _, b := range items[i+1:] {
			if a.lang != b.lang && absDur(a.at.Sub(b.at)) <= 72*time.Hour && (a.story == b.story) != (got[a.id] == got[b.id]) {
				t.Logf("  labels same story %v, clusterer %v: %s %s %q | %s %s %q", a.story == b.story, got[a.id] == got[b.id],
					a.id, a.lang, trunc(a.title, 50), b.id, b.lang, trunc(b.title, 50))
			}
		}
	}
	slices.SortStableFunc(items, func(a, b storyCase) int { return a.at.Compare(b.at) })
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for k := range items {
		items[k].at = start.Add(time.Duration(k) * 15 * time.Minute)
	}
	dense, _ := clusterStories(t, items)
	t.Logf("96 a day: %s", dense)

	if p, r := ratio(dated.xtp, dated.xfp), ratio(dated.xtp, dated.xfn); p < 0.65 || r < 0.40 {
		t.Errorf("at their dates, across languages P/R %.3f/%.3f: want ≥ 0.65/0.40", p, r)
	}
	if p := ratio(dated.tp, dated.fp); p < 0.90 {
		t.Errorf("at their dates, within a language P %.3f: want ≥ 0.90", p)
	}
	// 96 a day: pairs joined against the labels, a ceiling (634 across
	// languages and 170 within one when written; 897 and 266 before stop
	// 41's cross-language window and topic).
	if dense.xfp > 700 || dense.fp > 200 {
		t.Errorf("96 a day: %d pairs across languages and %d within one joined against the labels: want ≤ 700 and ≤ 200", dense.xfp, dense.fp)
	}
}

// TestStoryClusteringPresssim: the demo's strike, told in Vietnamese,
// English, Chinese and Korean within five hours, is one story (it was four:
// four inbox rows and four critical emails), so is the Long Thành
// calibration flight told in five languages the same morning, and no story
// of the province takes in an article that does not name it.
func TestStoryClusteringPresssim(t *testing.T) {
	corpus, err := presssim.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	var items []storyCase
	for _, it := range corpus {
		story := it.Truth.Cluster
		if story == "" {
			story = it.ID
		}
		items = append(items, storyCase{id: it.ID, lang: it.Lang, outlet: strings.Join(it.Outlets, ","), title: it.Title,
			text: strings.Join(append([]string{it.Summary}, it.Body...), "\n\n"), story: story, at: it.Published})
	}
	s, got := clusterStories(t, items)
	t.Logf("presssim (its labels name two stories): %s", s)
	strike, flight := map[string]bool{}, map[string]bool{}
	for _, it := range corpus {
		switch it.Truth.Cluster {
		case "hanmi-strike":
			strike[got[it.ID]] = true
		case "longthanh-first-flight":
			flight[got[it.ID]] = true
		}
		if !it.Truth.Mentions {
			for _, o := range corpus {
				if o.Truth.Mentions && got[o.ID] == got[it.ID] {
					t.Errorf("%s, which does not name the province, is in one story with %s", it.ID, o.ID)
				}
			}
		}
	}
	if len(strike) != 1 {
		t.Errorf("the strike's four tellings are in %d stories, want 1", len(strike))
	}
	if len(flight) != 1 {
		t.Errorf("the calibration flight's five tellings are in %d stories, want 1", len(flight))
	}
}

func trunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

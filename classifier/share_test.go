package classifier_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/presssim"
)

// countingEngine is an *Engine that counts what it classifies, so the test
// knows which replica had an article.
type countingEngine struct {
	*classifier.Engine
	n atomic.Int32
}

func (c *countingEngine) Classify(ctx context.Context, a *article.Article) (*article.Classification, error) {
	c.n.Add(1)
	return c.Engine.Classify(ctx, a)
}

// TestStageReplicasShareStories: two classifier replicas, each with its own
// connection, share the durable consumer on the embedded server and on the
// external one. The replica that classified a story is stopped; an update
// of the story then reaches the other, which knows the story only from the
// item the first published, and puts it in the story's cluster.
func TestStageReplicasShareStories(t *testing.T) {
	for _, bk := range busKinds() {
		t.Run(bk.name, func(t *testing.T) {
			ctx := context.Background()
			st := openStore(t, "sqlite:"+filepath.Join(t.TempDir(), "pw.db"))
			opts := bk.opts(t)
			b1 := openBus(t, opts)
			if opts.URL == "" {
				opts = bus.Options{URL: b1.ClientURL(), AckWait: opts.AckWait}
			}
			b2 := openBus(t, opts)
			var engines [2]*countingEngine
			var stops [2]func()
			for i, b := range []*bus.Bus{b1, b2} {
				e, err := classifier.New(classifier.Options{NoModel: true})
				if err != nil {
					t.Fatal(err)
				}
				engines[i] = &countingEngine{Engine: e}
				stops[i] = runStage(t, classifier.StageOptions{Bus: b, Store: st, Classifier: engines[i], BatchSize: 1})
			}
			raid, update := raidStory(t)
			publish(t, b1, []*article.Article{raid})
			waitDrained(t, b1, st, "classifier", 1, 60*time.Second)
			had := 0
			if engines[1].n.Load() > 0 {
				had = 1
			}
			other := engines[1-had]
			// The item reaches the other replica asynchronously; it must
			// hold the story before the update comes.
			r, _ := st.GetArticle(ctx, raid.ID)
			deadline := time.Now().Add(30 * time.Second)
			for !other.InStories(raid.ID) {
				if time.Now().After(deadline) {
					t.Fatal("the story item never reached the other replica")
				}
				time.Sleep(10 * time.Millisecond)
			}
			stops[had]()
			n0 := other.n.Load()
			publish(t, b1, []*article.Article{update})
			waitDrained(t, b1, st, "classifier", 2, 60*time.Second)
			if other.n.Load() == n0 {
				t.Fatal("the update was not classified by the remaining replica")
			}
			u, _ := st.GetArticle(ctx, update.ID)
			if u.Classification == nil || u.Classification.Cluster != r.Classification.Cluster {
				t.Errorf("the other replica put the update in %+v; the story's cluster is %s", u.Classification, r.Classification.Cluster)
			}
		})
	}
}

// raidStory returns a story (a police raid) and its update from another
// outlet an hour later in the classifier's eyes: one cluster by headline.
func raidStory(t *testing.T) (story, update *article.Article) {
	t.Helper()
	item := func(id, outlet, title string, body ...string) *article.Article {
		a, err := presssim.ToArticle(presssim.Item{ID: id, Lang: "en", Title: title, Body: body,
			Published: time.Now().UTC().Add(-time.Hour)}, outlet, "http://127.0.0.1:1")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	story = item("raid", "meridian", "Police detain 40 people in gambling raid in Bien Hoa City, Dong Nai",
		"Police in Bien Hoa City, Dong Nai province, detained 40 people on Tuesday night in a raid on an illegal gambling den. Officers seized 350 million dong in cash and dozens of phones, local media reported.")
	update = item("raid-update", "asialedger", "UPDATE 2-Police detain 40 people in gambling raid in Bien Hoa City",
		"Adds police statement. Dong Nai police said on Wednesday that the 40 people detained in Bien Hoa City would face charges of organising gambling; the investigation into the den's owners continues.")
	return story, update
}

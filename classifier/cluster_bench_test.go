package classifier

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
)

// BenchmarkClusterNewStory measures what the story clusterer costs an
// article that starts a new story, by the number of stories remembered in
// the window: such an article is compared with every one of them (an
// update stops at the first match it finds, newest first, so
// BenchmarkClassifyStream, whose texts come round again every corpus
// length, hardly sees this cost). The remembered stories are synthetic:
// other words, other SimHash, other entities; in the article's language
// (en), or in four languages (mixed), where the ones in other languages are
// compared by entities and figures, which the article mentions; one in
// four names Biên Hòa, as the article does, with a figure it does not have.
func BenchmarkClusterNewStory(b *testing.B) {
	an, cl := storyBenchArticle(b)
	pub := an.published
	for _, langs := range [][]string{{"en"}, {"en", "vi", "zh", "ko"}} {
		for _, n := range []int{1000, 10000, 50000} {
			name := fmt.Sprintf("window=%d", n)
			if len(langs) > 1 {
				name = fmt.Sprintf("mixed/window=%d", n)
			}
			b.Run(name, func(b *testing.B) { benchNewStory(b, an, cl, pub, n, langs) })
		}
	}
}

// benchNewStory is BenchmarkClusterNewStory with n stories remembered,
// in turn in each of langs.
func benchNewStory(b *testing.B, an *analysis, cl *article.Classification, pub time.Time, n int, langs []string) {
	c := newClusterer(72 * time.Hour)
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	for i := range n {
		it := otherStory(rng, i, pub.Add(-time.Duration(rng.IntN(71*60))*time.Minute))
		it.lang = langs[i%len(langs)]
		it.numbers = map[string]bool{fmt.Sprint(100 + i%900): i%2 == 0}
		if i%4 == 0 {
			it.entities["Biên Hòa"] = true
		}
		c.add(it)
	}
	cpu0 := cpuTime()
	for b.Loop() {
		cluster, _, _, _ := c.assignLocked(an, cl)
		if cluster != "c-"+shortID(an.a.ID, simhash(an)) {
			b.Fatalf("joined %s, want a new story", cluster)
		}
		// Forget it again, so every iteration is a new story.
		forgetNewest(c)
	}
	reportCPU(b, cpu0)
}

// forgetNewest takes the item added last out of c and its indexes.
func forgetNewest(c *clusterer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	last := len(c.items) - 1
	it, n := &c.items[last], c.base+last
	delete(c.byID, it.id)
	popBack := func(idx map[string][]int, key string) {
		if l := idx[key]; len(l) > 0 && l[len(l)-1] == n {
			idx[key] = l[:len(l)-1]
		}
	}
	for e := range it.entities {
		popBack(c.byEntity, e)
	}
	if m := c.outlet[it.cluster]; m != nil && it.outlet != "" {
		if m[it.outlet]--; m[it.outlet] <= 0 {
			delete(m, it.outlet)
		}
	}
	c.items = c.items[:last]
}

// BenchmarkClusterExpiring measures forgetting: 20,000 stories fill twice
// the window in time order, and each new article is a little later than
// the last, so the oldest story passes twice the window and is dropped, as
// in a classifier that has run for days. Each article is an update of the
// one before (it joins that story at once), so the scan of the window,
// BenchmarkClusterNewStory's subject, is left out.
func BenchmarkClusterExpiring(b *testing.B) {
	an, cl := storyBenchArticle(b)
	pub := an.published
	const n = 20000
	const window = 72 * time.Hour
	step := 2 * window / n
	c := newClusterer(window)
	rng := rand.New(rand.NewPCG(2, 2))
	start := pub.Add(-2 * window)
	for i := range n {
		c.add(otherStory(rng, i, start.Add(time.Duration(i+1)*step)))
	}
	cpu0 := cpuTime()
	k := 0
	for b.Loop() {
		k++
		an.published = pub.Add(time.Duration(k) * step)
		an.a.ID = fmt.Sprintf("new-%d", k)
		c.assignLocked(an, cl)
	}
	reportCPU(b, cpu0)
	b.ReportMetric(float64(len(c.items)), "stories")
}

// storyBenchArticle is the analysed English article the clusterer
// benchmarks assign, with its classification; the analysis is released
// when b ends.
func storyBenchArticle(b *testing.B) (*analysis, *article.Classification) {
	e, err := New(Options{Now: evalNow, NoModel: true})
	if err != nil {
		b.Fatal(err)
	}
	a := &article.Article{ID: "new-story", Lang: "en", Outlet: "bench", Published: evalNow(),
		Title: "Flooding closes roads in Bien Hoa as Dong Nai river rises",
		Text:  "Heavy rain raised the Dong Nai river overnight and flooded roads in Bien Hoa city, officials of Dong Nai province said on Tuesday."}
	an := e.analyze(e.Rules(), a)
	b.Cleanup(an.release)
	cl := &article.Classification{Entities: []article.Entity{{Canonical: "Biên Hòa"}, {Canonical: "Đồng Nai"}}, Topics: []string{"environment"}}
	return an, cl
}

// otherStory is remembered story i, in English, at at: eight random words
// of its own, its own SimHash and entity, so it matches no other.
func otherStory(rng *rand.Rand, i int, at time.Time) clusterItem {
	words := make([]string, 8)
	for k := range words {
		words[k] = fmt.Sprintf("w%d", rng.IntN(1<<20))
	}
	return clusterItem{id: fmt.Sprintf("old-%d", i), cluster: fmt.Sprintf("c-%d", i), lang: "en", at: at,
		simhash: rng.Uint64(), entities: map[string]bool{fmt.Sprintf("e%d", i): true}, title: newWordSet(words),
		lead: newWordSet(append(words, "x", "y")), numbers: map[string]bool{}, topics: map[string]bool{}}
}

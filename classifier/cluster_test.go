package classifier

import (
	"context"
	"fmt"
	"maps"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
)

// TestClustersStoryAcrossUpdatesAndLanguages: re-published "Update:" pieces
// and the same event told in four languages are one story, so an alert route
// grouped by cluster sends one alert plus updates; a different event in the
// same city on the same day stays apart.
func TestClustersStoryAcrossUpdatesAndLanguages(t *testing.T) {
	e := newTestEngine(t, nil)
	pub := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	classify := func(id, lang, outlet, title, text string, after time.Duration) string {
		t.Helper()
		c, err := e.Classify(context.Background(), &article.Article{ID: id, Lang: lang, Outlet: outlet, Title: title, Text: text, Published: pub.Add(after)})
		if err != nil {
			t.Fatal(err)
		}
		return c.Cluster
	}
	raid := classify("raid-en", "en", "Wire A", "Police detain 40 people in gambling raid in Bien Hoa City, Dong Nai",
		"Police in Bien Hoa City, Dong Nai province, detained 40 people on Tuesday night in a raid on an illegal gambling den. Officers seized 350 million dong in cash and dozens of phones, local media reported.", 0)
	update := classify("raid-en-upd", "en", "Wire B", "UPDATE 2-Police detain 40 people in gambling raid in Bien Hoa City",
		"Adds police statement. Dong Nai police said on Wednesday that the 40 people detained in Bien Hoa City would face charges of organising gambling; the investigation into the den's owners continues.", 3*time.Hour)
	vi := classify("raid-vi", "vi", "Báo X", "Công an Đồng Nai bắt 40 người đánh bạc ở Biên Hòa",
		"Công an thành phố Biên Hòa, tỉnh Đồng Nai đã bắt quả tang 40 người đánh bạc, thu giữ 350 triệu đồng cùng nhiều điện thoại.", time.Hour)
	zh := classify("raid-zh", "zh", "新闻 Y", "同奈省边和市警方突袭赌场 拘留40人",
		"越南同奈省边和市警方周二晚突袭一处非法赌场，拘留40人，缴获现金3.5亿越南盾。", 2*time.Hour)
	ko := classify("raid-ko", "ko", "뉴스 Z", "동나이성 비엔호아 경찰, 불법 도박장 단속…40명 구금",
		"베트남 동나이성 비엔호아시 경찰이 불법 도박장을 단속해 40명을 구금하고 현금 3억5천만동을 압수했다.", 4*time.Hour)
	other := classify("flood", "en", "Wire A", "Floods cut roads in Bien Hoa City after record rain",
		"Heavy rain flooded several wards of Bien Hoa City in Dong Nai province on Tuesday, cutting roads and forcing schools to close.", 30*time.Minute)

	for name, got := range map[string]string{"update": update, "vi": vi, "zh": zh, "ko": ko} {
		if got != raid {
			t.Errorf("%s telling of the raid is in cluster %s, want the story's %s", name, got, raid)
		}
	}
	if other == raid {
		t.Errorf("a flood story of the same city and day joined the raid's cluster %s", raid)
	}
}

// TestLateTellingAfterFreshArticle: a telling of an old story that
// arrives after a fresh article (a source's archive, a late copy) still
// joins the old story. The clusterer forgot stories by the newest
// publication time it had seen, so one fresh article between two tellings
// of a week-old strike split it (the demo's strike, an outside reading).
func TestLateTellingAfterFreshArticle(t *testing.T) {
	clock := time.Date(2026, 12, 7, 21, 0, 0, 0, time.UTC)
	e, err := New(Options{NoModel: true, Now: func() time.Time { return clock }, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	strike := time.Date(2025, 12, 16, 6, 30, 0, 0, time.UTC)
	classify := func(id, lang, title, text string, pub time.Time) string {
		t.Helper()
		c, err := e.Classify(context.Background(), &article.Article{ID: id, Lang: lang, Title: title, Text: text, Published: pub})
		if err != nil {
			t.Fatal(err)
		}
		return c.Cluster
	}
	vi := classify("strike-vi", "vi", "Hàng nghìn công nhân nhà máy giày ở Đồng Nai ngừng việc đòi tăng lương",
		"Sáng thứ Ba, khoảng 4.000 công nhân của Công ty TNHH Hanmi Footwear Vina tại khu công nghiệp Nhơn Trạch, tỉnh Đồng Nai, đã ngừng việc tập thể.", strike)
	classify("fresh", "vi", "Đồng Nai khai trương trung tâm hành chính công mới",
		"Trung tâm phục vụ hành chính công tỉnh Đồng Nai mở cửa tại phường Trấn Biên.", clock.Add(-time.Hour))
	en := classify("strike-en", "en", "Thousands of workers strike at Nike supplier in Vietnam over bonus cut",
		"About 4,000 workers at a South Korean-owned footwear factory in Vietnam's Dong Nai province stopped work on Tuesday after the company cut their year-end bonus.", strike.Add(150*time.Minute))
	if en != vi {
		t.Errorf("the English telling is in story %s, the Vietnamese in %s: want one story", en, vi)
	}
	// Two windows on the clock later the old story is forgotten.
	clock = clock.Add(2*72*time.Hour + time.Minute)
	if late := classify("strike-en-2", "en", "Vietnam shoe strike: workers back at the lines",
		"About 4,000 workers at the footwear factory in Dong Nai province returned to work.", strike.Add(3*time.Hour)); late == vi {
		t.Error("a story two windows old on the clock was still joined")
	}
}

func TestFigures(t *testing.T) {
	for in, want := range map[string][]string{
		"2,000 workers and 40 detained in 2026":   {"2000", "40"},
		"3.5 tỷ đồng, 12 000 người, ngày 1/7":     {"35", "12000"},
		"founded 1998; 007 agents; room 5":        nil,
		"Pou Chen's 3,000 staff — 1,500 laid off": {"3000", "1500"},
		"노동자 약 4천 명, 직원 4만명":                      {"4000", "40000"},
		"约4000名工人，1.4万人，3千":                       {"4000", "14000", "3000"},
		"3억5천만동 (350 triệu đồng)":                 {"350"},
	} {
		got := figures(in)
		if len(got) != len(want) {
			t.Errorf("figures(%q) = %q, want %q", in, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("figures(%q) = %q, want %q", in, got, want)
			}
		}
	}
}

// TestWordSetJaccard checks the sorted word sets the clusterer keeps against
// the Jaccard index of the same sets as maps.
func TestWordSetJaccard(t *testing.T) {
	if got := newWordSet([]string{"nai", "dong", "nai", "dong", "bien"}); !slices.Equal(got, wordSet{"bien", "dong", "nai"}) {
		t.Errorf("newWordSet = %q, want the distinct words sorted", got)
	}
	words := []string{"dong", "nai", "bien", "hoa", "同", "奈", "long", "thanh", "airport", "sân", "bay"}
	for mask := 0; mask < 1<<6; mask++ {
		for mask2 := 0; mask2 < 1<<6; mask2++ {
			a, b := map[string]bool{}, map[string]bool{}
			for i := range 6 {
				if mask&(1<<i) != 0 {
					a[words[i]] = true
				}
				if mask2&(1<<i) != 0 {
					b[words[i+5]] = true
				}
			}
			wa, wb := newWordSet(slices.Collect(maps.Keys(a))), newWordSet(slices.Collect(maps.Keys(b)))
			got, want := wa.jaccard(wb), jaccard(a, b)
			if got != want {
				t.Fatalf("%v vs %v: %v, want %v", a, b, got, want)
			}
			// The hashed pre-check never rules out a pair that reaches
			// the threshold (and, without collisions, decides alike).
			for _, th := range []float64{minTitleJaccard, minLeadJaccard, 0.25, 1.0 / 3, 2.0 / 3, 0.8, 1} {
				if may := mayReach(wa.hashes(), wb.hashes(), th); may != (got >= th) {
					t.Fatalf("%v vs %v: mayReach(%v) = %v, jaccard %v", a, b, th, may, got)
				}
			}
		}
	}
}

// refSimhash is SimHash as first written: a vote per bit per shingle.
func refSimhash(an *analysis) uint64 {
	var v [64]int32
	toks := an.toks
	if len(toks) > maxShingles+2 {
		toks = toks[:maxShingles+2]
	}
	n := 0
	for i := 0; i+2 < len(toks); i++ {
		x := uint64(14695981039346656037)
		for k := i; k < i+3; k++ {
			for _, c := range []byte(toks[k].Text) {
				x ^= uint64(c)
				x *= 1099511628211
			}
			x *= 1099511628211
		}
		for b := range 64 {
			if x&(1<<b) != 0 {
				v[b]++
			} else {
				v[b]--
			}
		}
		n++
	}
	var out uint64
	for b := range 64 {
		if n > 0 && v[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

// TestSimhashSameAsVote checks the branch-free SimHash against the vote.
func TestSimhashSameAsVote(t *testing.T) {
	e := newTestEngine(t, nil)
	r := e.Rules()
	arts := benchArticles()
	for _, it := range loadDevCorpus(t) {
		arts = append(arts, &article.Article{Title: it.Title, Text: it.Text})
	}
	for _, a := range arts {
		an := e.analyze(r, a)
		if got, want := simhash(an), refSimhash(an); got != want {
			t.Fatalf("%q: simhash %x, want %x", a.Title, got, want)
		}
	}
}

// TestMayReachWithCollisions: hashes that collide (two words, one hash)
// only raise mayReach's count, so it still never says no to a pair whose
// words reach the threshold.
func TestMayReachWithCollisions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 20000 {
		// Words are 0..11; hash h(w) = w % m folds them onto fewer values.
		m := uint32(2 + rng.IntN(12))
		var a, b []uint32
		var wa, wb []int
		for w := range 12 {
			if rng.IntN(2) == 0 {
				wa = append(wa, w)
				a = append(a, uint32(w)%m)
			}
			if rng.IntN(2) == 0 {
				wb = append(wb, w)
				b = append(b, uint32(w)%m)
			}
		}
		slices.Sort(a)
		slices.Sort(b)
		shared := 0
		for _, w := range wa {
			if slices.Contains(wb, w) {
				shared++
			}
		}
		if len(wa) == 0 || len(wb) == 0 {
			continue
		}
		j := float64(shared) / float64(len(wa)+len(wb)-shared)
		for _, th := range []float64{minTitleJaccard, minLeadJaccard, 0.3} {
			if j >= th && !mayReach(a, b, th) {
				t.Fatalf("words %v and %v (jaccard %v), hashes %v and %v: mayReach(%v) false", wa, wb, j, a, b, th)
			}
			// Signatures fold the hashes further (bit h mod 256):
			// shifted hashes make their bits collide as well.
			var p wordProbe
			k := 1 + m%5
			sa, sb := shiftHashes(a, k), shiftHashes(b, k)
			p.init(sa, th)
			if sig := newWordSig(sb); j >= th && !p.mayReach(&sig, len(sb)) {
				t.Fatalf("words %v and %v (jaccard %v), hashes %v and %v: wordProbe.mayReach(%v) false", wa, wb, j, sa, sb, th)
			}
		}
	}
}

// shiftHashes maps hashes x (below 2^20) to x mod k + 256x: still
// distinct and in order, but with signature bits (h mod 256 = x mod k)
// that collide for any two hashes equal mod k.
func shiftHashes(h []uint32, k uint32) []uint32 {
	out := make([]uint32, len(h))
	for i, x := range h {
		out[i] = x%k + 256*x
	}
	return out
}

// TestClusterDropKeepsIndexes: drop takes only the dropped items' own
// entries out of the ID and outlet indexes; after any sequence of adds and
// drops they equal indexes built afresh from the items that stay, and
// every ID finds its own item.
func TestClusterDropKeepsIndexes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	c := newClusterer(72 * time.Hour)
	next := 0
	for round := range 300 {
		for range rng.IntN(40) {
			id := fmt.Sprintf("a-%d", next)
			if next%17 == 0 {
				id = "" // remembered without an ID
			}
			ents := map[string]bool{}
			for range rng.IntN(4) {
				ents[fmt.Sprintf("e%d", rng.IntN(6))] = true
			}
			c.add(clusterItem{id: id, cluster: fmt.Sprintf("c-%d", rng.IntN(25)), outlet: []string{"", "vnexpress", "reuters", "rfa", "nikkei"}[rng.IntN(5)],
				lang: []string{"vi", "en", "zh"}[rng.IntN(3)], entities: ents})
			next++
		}
		if len(c.items) > 0 {
			c.drop(rng.IntN(len(c.items)/3 + 1))
		}
		wantID := map[string]int{}
		wantOutlet := map[string]map[string]bool{}
		wantEntity := map[string][]int{}
		for i, it := range c.items {
			for e := range it.entities {
				wantEntity[e] = append(wantEntity[e], c.base+i)
			}
			if it.id != "" {
				wantID[it.id] = i
			}
			if it.outlet != "" {
				if wantOutlet[it.cluster] == nil {
					wantOutlet[it.cluster] = map[string]bool{}
				}
				wantOutlet[it.cluster][it.outlet] = true
			}
		}
		if len(c.byID) != len(wantID) {
			t.Fatalf("round %d: %d IDs indexed, want %d", round, len(c.byID), len(wantID))
		}
		for id, i := range wantID {
			if n, ok := c.byID[id]; !ok || n-c.base != i || c.items[n-c.base].id != id {
				t.Fatalf("round %d: ID %s at %d (base %d), want index %d", round, id, n, c.base, i)
			}
		}
		if len(c.outlet) != len(wantOutlet) {
			t.Fatalf("round %d: outlets for %d clusters, want %d", round, len(c.outlet), len(wantOutlet))
		}
		for cl, m := range wantOutlet {
			if c.outlets(cl) != len(m) {
				t.Fatalf("round %d: cluster %s has %d outlets, want %d", round, cl, c.outlets(cl), len(m))
			}
		}
		if !maps.EqualFunc(c.byEntity, wantEntity, slices.Equal) {
			t.Fatalf("round %d: entities indexed as %v, want %v", round, c.byEntity, wantEntity)
		}
	}
}

// TestFindSameAsScan: find, which reads only the item lists that can
// match, returns what a scan of every item from the newest returns (the
// clusterer before those lists), for random stories that match within and
// across languages, in and out of the window, while items come and go.
func TestFindSameAsScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 5))
	c := newClusterer(72 * time.Hour)
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	words := func(n, vocab int) wordSet {
		var w []string
		for range n {
			w = append(w, fmt.Sprintf("w%d", rng.IntN(vocab)))
		}
		return newWordSet(w)
	}
	set := func(prefix string, n, pool int) map[string]bool {
		m := map[string]bool{}
		for range rng.IntN(n + 1) {
			m[fmt.Sprintf("%s%d", prefix, rng.IntN(pool))] = true
		}
		return m
	}
	// scan is the clusterer's match before its lists and hashes: every
	// item from the newest, the rules compared directly.
	scan := func(q *clusterItem, mentions bool) int {
		for i := len(c.items) - 1; i >= 0; i-- {
			it := &c.items[i]
			if absDur(it.at.Sub(q.at)) > c.window {
				continue
			}
			if it.lang != q.lang && absDur(it.at.Sub(q.at)) > crossWindow {
				continue
			}
			if it.lang == q.lang {
				if q.simhash != 0 && bits.OnesCount64(it.simhash^q.simhash) <= simhashBits ||
					len(q.title) >= minTitleWords && q.title.jaccard(it.title) >= minTitleJaccard ||
					len(q.lead) >= minLeadWords && q.lead.jaccard(it.lead) >= minLeadJaccard {
					return i
				}
				continue
			}
			if mentions && (sameStory(q.entities, it.entities) && jaccard(q.topics, it.topics) > 0 ||
				sameFigure(q.entities, it.entities, q.numbers, it.numbers, q.topics, it.topics) || sameEvent(q, it)) {
				return i
			}
		}
		return -1
	}
	var sameLang, crossLang, none int
	for k := range 6000 {
		q := clusterItem{
			id:       fmt.Sprintf("a-%d", k),
			cluster:  fmt.Sprintf("c-%d", k),
			lang:     []string{"vi", "en", "zh", "ko"}[rng.IntN(4)],
			at:       start.Add(time.Duration(k)*time.Minute + time.Duration(rng.IntN(96)-48)*time.Hour),
			simhash:  rng.Uint64(),
			entities: set("e", 4, 12),
			numbers:  set("9", 2, 30), // "90"–"929": two and three digits
			about:    rng.IntN(2) == 0,
			topics:   set("t", 2, 5),
			title:    words(4+rng.IntN(3), 12),
			lead:     words(20+rng.IntN(10), 45),
		}
		for _, e := range slices.Sorted(maps.Keys(q.entities)) {
			if rng.IntN(2) == 0 {
				q.headEnts = append(q.headEnts, e) // named in the headline too
			}
		}
		if n := len(c.items); n > 0 && rng.IntN(5) == 0 {
			q.simhash = c.items[rng.IntN(n)].simhash ^ 1<<rng.IntN(64) // a near-copy
		}
		q.fillHashes()
		mentions := rng.IntN(4) != 0
		got, want := c.find(&q, mentions), scan(&q, mentions)
		if got != want {
			t.Fatalf("article %d: find gives item %d, the scan %d", k, got, want)
		}
		switch {
		case want < 0:
			none++
		case c.items[want].lang == q.lang:
			sameLang++
		default:
			crossLang++
		}
		c.add(q)
		if rng.IntN(50) == 0 {
			c.drop(rng.IntN(len(c.items)/4 + 1))
		}
	}
	// The comparison means something only if each way of matching occurred.
	if sameLang < 100 || crossLang < 100 || none < 100 {
		t.Fatalf("matches within a language %d, across languages %d, none %d: the test's stories do not exercise find", sameLang, crossLang, none)
	}
	t.Logf("matches within a language %d, across languages %d, none %d", sameLang, crossLang, none)
}

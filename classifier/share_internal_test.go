package classifier

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
)

// TestMergeStory: an item published by one engine and merged by another
// carries what clustering compares, so the second engine puts a rewrite of
// the story in the first one's cluster; its own items, malformed ones and
// oversized ones are skipped, and an article it knows is not added twice.
func TestMergeStory(t *testing.T) {
	a, b := newTestEngine(t, nil), newTestEngine(t, nil)
	var sent [][]byte
	a.ShareStories(func(d []byte) { sent = append(sent, d) })
	pub := time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)
	ctx := context.Background()
	c1, err := a.Classify(ctx, &article.Article{ID: "raid-vi", Lang: "vi", Outlet: "Báo X", Published: pub,
		Title: "Công an Đồng Nai bắt 40 người đánh bạc ở Biên Hòa",
		Text:  "Công an thành phố Biên Hòa, tỉnh Đồng Nai đã bắt quả tang 40 người đánh bạc, thu giữ 350 triệu đồng cùng nhiều điện thoại."})
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 {
		t.Fatalf("%d items shared for one classification", len(sent))
	}
	if err := a.MergeStory(sent[0]); !IsOwnStory(err) {
		t.Errorf("own item: %v", err)
	}
	if err := b.MergeStory(sent[0]); err != nil {
		t.Fatal(err)
	}
	if err := b.MergeStory(sent[0]); err != nil || len(b.clusters.items) != 1 {
		t.Errorf("merged twice: %v, %d items", err, len(b.clusters.items))
	}
	// The same raid in Chinese, on the engine that only has the item.
	c2, err := b.Classify(ctx, &article.Article{ID: "raid-zh", Lang: "zh", Outlet: "新闻 Y", Published: pub.Add(time.Hour),
		Title: "同奈省边和市警方突袭赌场 拘留40人", Text: "越南同奈省边和市警方周二晚突袭一处非法赌场，拘留40人，缴获现金3.5亿越南盾。"})
	if err != nil {
		t.Fatal(err)
	}
	if c2.Cluster != c1.Cluster {
		t.Errorf("the merged story did not cluster: %s, want %s", c2.Cluster, c1.Cluster)
	}
	// b shares nothing: ShareStories was not called on it.
	if len(sent) != 1 {
		t.Errorf("an engine without ShareStories shared")
	}

	var si storyItem
	if err := json.Unmarshal(sent[0], &si); err != nil {
		t.Fatal(err)
	}
	si.Origin = "other"
	bad := func(f func(s *storyItem)) []byte {
		x := si
		x.ID = "bad"
		f(&x)
		d, _ := json.Marshal(x)
		return d
	}
	for name, d := range map[string][]byte{
		"not JSON":     []byte("{"),
		"no cluster":   bad(func(s *storyItem) { s.Cluster = "" }),
		"no time":      bad(func(s *storyItem) { s.At = time.Time{} }),
		"no ID":        bad(func(s *storyItem) { s.ID = "" }),
		"10,000 words": bad(func(s *storyItem) { s.Lead = strings.Fields(strings.Repeat("w ", 10000)) }),
		"100 KB":       bad(func(s *storyItem) { s.Outlet = strings.Repeat("x", 100<<10) }),
	} {
		if err := b.MergeStory(d); err == nil || IsOwnStory(err) {
			t.Errorf("%s: merged (%v)", name, err)
		}
	}
	if b.InStories("bad") {
		t.Error("a rejected item is in the clusters")
	}
	a.ShareStories(nil)
	if _, err := a.Classify(ctx, &article.Article{ID: "later", Lang: "en", Title: "Dong Nai", Text: "Bien Hoa, Dong Nai."}); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 {
		t.Error("an engine shared after ShareStories(nil)")
	}
}

package crawler

import (
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/configs"
)

func TestNextInterval(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	lo, hi := 5*time.Minute, 6*time.Hour
	tests := []struct {
		name              string
		interval, meanGap time.Duration
		lastNew           time.Time
		newItems          int
		wantInt, wantGap  time.Duration
	}{
		{"nothing new slows down", 10 * time.Minute, 0, time.Time{}, 0, 12*time.Minute + 30*time.Second, 0},
		{"slow down capped", 5 * time.Hour, 0, time.Time{}, 0, hi, 0},
		{"first items, no history", 10 * time.Minute, 0, time.Time{}, 3, 8 * time.Minute, 0},
		{"gap observed", 30 * time.Minute, 0, now.Add(-2 * time.Hour), 2, 30 * time.Minute, time.Hour},
		{"gap smoothed", 30 * time.Minute, time.Hour, now.Add(-4 * time.Hour), 1, 57 * time.Minute, 114 * time.Minute},
		{"busy source floored", 30 * time.Minute, time.Minute, now.Add(-time.Minute), 5, lo, 45*time.Second + 600*time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotInt, gotGap := nextInterval(tt.interval, tt.meanGap, tt.lastNew, tt.newItems, now, lo, hi)
			if gotInt != tt.wantInt || gotGap != tt.wantGap {
				t.Errorf("got %s, %s; want %s, %s", gotInt, gotGap, tt.wantInt, tt.wantGap)
			}
		})
	}
}

func TestBackoffAndJitter(t *testing.T) {
	lo, hi := time.Minute, time.Hour
	for n := 1; n <= 12; n++ {
		full := min(lo*time.Duration(1<<(n-1)), hi)
		for range 50 {
			d := backoff(n, lo, hi, 0)
			if d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", n, d, full/2, full)
			}
		}
	}
	if d := backoff(1, lo, hi, 2*time.Hour); d != 2*time.Hour {
		t.Errorf("Retry-After not honoured: %s", d)
	}
	for range 100 {
		if d := jitter(time.Hour); d < 54*time.Minute || d > 66*time.Minute {
			t.Fatalf("jitter(1h) = %s", d)
		}
	}
}

func TestSilent(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		lastNew time.Time
		gap     time.Duration
		want    bool
	}{
		{time.Time{}, time.Hour, false},
		{now.Add(-3 * time.Hour), time.Hour, false},
		{now.Add(-5 * time.Hour), time.Hour, true},
		{now.Add(-5 * time.Hour), 0, false},
	}
	for _, tt := range tests {
		if got := silent(tt.lastNew, now, tt.gap, 4); got != tt.want {
			t.Errorf("silent(%s ago, gap %s) = %v", now.Sub(tt.lastNew), tt.gap, got)
		}
	}
	if got := itemsPerDay(time.Hour); got != 24 {
		t.Errorf("itemsPerDay(1h) = %v", got)
	}
}

func TestSimHash(t *testing.T) {
	base := strings.Repeat("Tỉnh Đồng Nai khởi công sân bay Long Thành với tổng vốn đầu tư lớn nhất lịch sử ngành hàng không Việt Nam. ", 3) +
		"Dự án dự kiến hoàn thành năm 2026 và phục vụ 25 triệu hành khách mỗi năm trong giai đoạn đầu."
	copyText := strings.Replace(base, "lớn nhất", "lớn nhất từ trước tới nay", 1) + " (Theo Reuters)"
	other := "The central bank kept interest rates unchanged on Tuesday, citing slowing inflation and a weaker property market " +
		"that has weighed on household spending across the region for most of the year, analysts said in a note."
	a, b, c := SimHash(base), SimHash(copyText), SimHash(other)
	if a == 0 || b == 0 || c == 0 {
		t.Fatal("zero fingerprint for a long text")
	}
	if SimHash("too short") != 0 {
		t.Error("short text fingerprinted")
	}
	x := newFPIndex(2)
	if _, dup := x.lookupOrAdd(a, "id-a", "https://a/", "s1"); dup {
		t.Fatal("first text reported as duplicate")
	}
	if e, dup := x.lookupOrAdd(a^0b101, "id-b", "https://b/", "s2"); !dup || e.id != "id-a" {
		t.Fatalf("near-duplicate (distance 2) not found: %v %v", e, dup)
	}
	if _, dup := x.lookupOrAdd(c, "id-c", "https://c/", "s3"); dup {
		t.Fatal("unrelated text reported as duplicate")
	}
	// Capacity 2: adding a third evicts the oldest.
	x.lookupOrAdd(^a, "id-d", "https://d/", "s4")
	if _, dup := x.lookupOrAdd(a, "id-e", "https://e/", "s5"); dup {
		t.Fatal("evicted fingerprint still matched")
	}
	if d := popcount(a ^ b); d > nearDupDistance {
		t.Errorf("edited copy is %d bits away, more than %d", d, nearDupDistance)
	}
	if d := popcount(a ^ c); d <= 2*nearDupDistance {
		t.Errorf("unrelated text only %d bits away", d)
	}
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func TestSourcesFromConfig(t *testing.T) {
	off := false
	cc := configs.CrawlerConfig{SearchTerms: map[string][]string{"vi": {"Đồng Nai", "Dong Nai"}, "en": {"Dong Nai"}, "ko": {"동나이"}}}
	cs := []configs.Source{
		{Name: "f", Kind: "feed", URL: "https://example.org/rss", Lang: "en", Priority: 1},
		{Name: "s", Kind: "search_feed", URL: "https://news.example.org/rss/search?q={query}&hl={lang}", SearchLangs: []string{"vi", "ko"}, Priority: 5},
		{Name: "w", Kind: "site", URL: "https://www.example.com/asia/", ArticlePattern: []string{`/\d{4}/`}},
		{Name: "x", Kind: "feed", URL: "https://example.org/x", Enabled: &off},
	}
	got, err := SourcesFromConfig(cc, cs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Name != "s" {
		t.Fatalf("sources %+v", got)
	}
	want := []string{
		"https://news.example.org/rss/search?q=%C4%90%E1%BB%93ng+Nai&hl=vi",
		"https://news.example.org/rss/search?q=Dong+Nai&hl=vi",
		"https://news.example.org/rss/search?q=%EB%8F%99%EB%82%98%EC%9D%B4&hl=ko",
	}
	if strings.Join(got[0].URLs, " ") != strings.Join(want, " ") {
		t.Errorf("search URLs %v, want %v", got[0].URLs, want)
	}
	w := got[2]
	if w.Depth != 1 || len(w.AllowedDomains) != 1 || w.AllowedDomains[0] != "www.example.com" || !w.articleURL("https://www.example.com/2024/x") || w.articleURL("https://www.example.com/asia/") {
		t.Errorf("site source %+v", w)
	}
	if got[1].IntervalMin != 5*time.Minute || got[1].IntervalMax != 6*time.Hour {
		t.Errorf("default interval bounds %s..%s", got[1].IntervalMin, got[1].IntervalMax)
	}
	if _, err := SourcesFromConfig(cc, []configs.Source{{Name: "bad", Kind: "search_feed", URL: "https://x.example/?q={query}", Lang: "th"}}); err == nil {
		t.Error("search feed without terms for its language accepted")
	}
}

func BenchmarkSimHash(b *testing.B) {
	text := strings.Repeat("Tỉnh Đồng Nai khởi công sân bay Long Thành với tổng vốn đầu tư lớn nhất lịch sử. ", 40)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		SimHash(text)
	}
}

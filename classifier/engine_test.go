package classifier

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/configs"
)

func newTestEngine(t testing.TB, rules fs.FS) *Engine {
	t.Helper()
	e, err := New(Options{Rules: rules, NoModel: true, Now: func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func date(s string) time.Time {
	t, err := ParseLooseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestRelevance covers every script and every trap named in the issue.
func TestRelevance(t *testing.T) {
	e := newTestEngine(t, nil)
	tests := []struct {
		name            string
		lang, pub       string
		title, text     string
		about, mentions bool
	}{
		{"vi diacritics", "vi", "2024-01-01", "Đồng Nai thu hút vốn FDI", "Tỉnh Đồng Nai thu hút thêm nhiều dự án đầu tư.", true, true},
		{"vi no diacritics", "vi", "2024-01-01", "Dong Nai thu hut von FDI", "Tinh Dong Nai thu hut them nhieu du an dau tu.", true, true},
		{"vi hyphen and upper", "vi", "2024-01-01", "ĐỒNG-NAI: TIN MỚI", "Tin tức về ĐỒNG-NAI hôm nay.", true, true},
		{"en joined", "en", "2024-01-01", "Dongnai exports rise", "Exports from Dongnai province rose in May.", true, true},
		{"zh", "zh", "2024-01-01", "同奈省吸引外资", "越南同奈省今年吸引外资大幅增长。", true, true},
		{"ko", "ko", "2024-01-01", "효성, 베트남 동나이 생산기지 증설", "효성이 베트남 동나이성에서 투자액을 늘린다.", true, true},
		{"ja", "ja", "2024-01-01", "ドンナイ省、工業団地を新設へ", "南部ドンナイ省の人民委員会は工業団地の新設を進めている。", true, true},
		{"ru", "ru", "2024-01-01", "Донгнай привлекает инвестиции", "Провинция Донгнай привлекает инвестиции.", true, true},
		{"hi", "hi", "2024-01-01", "डोंग नाई में आग", "लॉन्ग थान जिला पुलिस ( डोंग नाई ) जांच कर रही थी।", true, true},
		{"place only: Biên Hòa", "vi", "2024-01-01", "Biên Hòa: áp lực giao thông nội đô", "Giao thông tại Biên Hòa ngày càng ùn tắc.", true, true},
		{"landmark only: airport", "en", "2024-01-01", "Long Thanh International Airport runway nears completion", "The runway of the airport is nearly finished.", true, true},
		{"trap: river through another province", "en", "2024-01-01", "Landslides along the Saigon and Dong Nai rivers", "Landslides hit the Binh Duong bank of the Dong Nai River.", false, false},
		{"trap: company name elsewhere", "vi", "2024-01-01", "Công nhân KCN Sonadezi Châu Đức đình công", "Công nhân tại KCN Sonadezi Châu Đức (Bà Rịa - Vũng Tàu) ngừng việc.", false, false},
		{"trap: list of provinces", "en", "2021-06-01", "Industrial land prices rise in the south", "The five localities are Binh Duong, Dong Nai, Long An, and Ba Ria-Vung Tau provinces and Ho Chi Minh City.", false, true},
		{"look-alike: Đồng Tháp", "vi", "2025-07-15", "Đồng Tháp sau sáp nhập", "Tỉnh Đồng Tháp và Tiền Giang hợp nhất.", false, false},
		{"look-alike: Đồng Hới", "vi", "2024-01-01", "Đồng Hới đón khách", "Thành phố Đồng Hới đón nhiều khách du lịch.", false, false},
		{"look-alike: Vĩnh Phúc", "ja", "2015-05-31", "ビンフック省に工業団地", "住友商事はビンフック省に工業団地を建設する。", false, false},
		{"pre-merger Bình Phước", "vi", "2022-03-01", "Bình Phước thu hút đầu tư", "Tỉnh Bình Phước thu hút đầu tư vào Chơn Thành.", false, false},
		{"post-merger Bình Phước", "vi", "2025-10-01", "Chơn Thành phát triển công nghiệp", "Khu vực Chơn Thành (Bình Phước cũ) phát triển khu công nghiệp.", true, true},
		{"undated: district of the former territory", "vi", "", "Bắt lại học viên trốn trại", "Lãnh đạo trung tâm đề nghị Công an huyện Chơn Thành hỗ trợ truy tìm.", false, false},
		{"undated: Bình Phước as a province", "vi", "", "Đối tượng cướp giật", "Công an TP Đồng Xoài, tỉnh Bình Phước cho biết đã tạm giữ đối tượng.", false, false},
		{"undated: Binh Phuoc province (en)", "en", "", "Rubber prices fall", "Rubber growers in Loc Ninh, Binh Phuoc province, saw prices fall.", false, false},
		{"undated: former district marked cũ", "vi", "", "Chơn Thành phát triển công nghiệp", "Khu vực huyện Chơn Thành (cũ) phát triển khu công nghiệp.", true, true},
		{"undated: former province (en)", "en", "", "Dong Xoai ward grows", "Dong Xoai, in the former Binh Phuoc province, is growing fast.", true, true},
		{"undated: commune of today", "vi", "", "Xã Bù Đăng làm đường", "Xã Bù Đăng khởi công tuyến đường mới.", true, true},
		{"foreign press: HCMC as a locator", "de", "2024-01-01", "Dioxin im Blut gefunden", "Bien Hoa liegt 32 Kilometer nördlich von Ho Chi Minh City. Bei 95 Prozent der Bewohner fand man erhöhte Werte.", true, true},
		{"foreign press: HCMC in the headline", "en", "2024-01-01", "Ho Chi Minh City traffic jams worsen", "Trucks from Bien Hoa add to the jams.", false, true},
		{"foreign press: national headline, local story", "en", "2024-01-01", "Workers on strike in Vietnam", "Five factories were hit by strikes on Monday in Dong Nai province, state media said.", true, true},
		{"foreign press: national headline, province as an example (zh)", "zh", "2024-01-01", "越南非洲豬瘟疫情升溫", "疫情擴大到南部地區,包括同奈等省。", false, true},
		{"foreign press: national headline, province as an example (ko)", "ko", "2024-01-01", "베트남 진출기업 정상 가동", "동나이 등 남부 공단의 한국 기업들이 정상 가동 중이다.", false, true},
		{"vi: national headline", "vi", "2024-01-01", "Việt Nam thu hút vốn FDI", "Năm nay Đồng Nai thu hút nhiều vốn.", false, true},
		{"ambiguous alone: Tân Phú", "vi", "2024-01-01", "Quận Tân Phú mở đường mới", "Quận Tân Phú, TP.HCM mở rộng đường.", false, false},
		{"company alone: Changshin", "en", "2021-07-01", "Changshin plant shut", "Changshin's Vietnam plant was shut until July 20.", false, false},
		{"implicit: airport near HCMC", "en", "2024-01-01", "Vietnam breaks ground on new airport", "Vietnam broke ground on a new international airport near Ho Chi Minh City, to handle 100 million passengers.", true, false},
		{"one passing mention", "en", "2024-01-01", "Vietnam's industrial parks attract investors", "Provinces such as Dong Nai have attracted investors this year, the ministry said, as the country's exports grew.", false, true},
		{"ko: syllables across a space", "ko", "2024-01-01", "활동 나이 제한", "청소년 활동 나이 제한이 완화된다.", false, false},
		{"vi: tri ân is not Trị An", "vi", "2024-01-01", "Chương trình tri ân khách hàng", "Công ty tổ chức chương trình tri ân khách hàng tại Hà Nội.", false, false},
		{"zh: 周边和平 is not Biên Hòa", "zh", "2024-01-01", "周边和平稳定", "地区周边和平稳定。", false, false},
		{"no mention", "en", "2024-01-01", "Fire in Quang Ngai factory", "A fire broke out in a plastics factory in Quang Ngai.", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.Classify(context.Background(), &article.Article{ID: tt.name, Lang: tt.lang, Title: tt.title, Text: tt.text, Published: date(tt.pub)})
			if err != nil {
				t.Fatal(err)
			}
			if c.About != tt.about || c.Mentions != tt.mentions {
				t.Errorf("about=%v mentions=%v (relevance %.2f, reasons %v), want about=%v mentions=%v", c.About, c.Mentions, c.Relevance, c.Reasons, tt.about, tt.mentions)
			}
		})
	}
}

func TestEntityOffsets(t *testing.T) {
	e := newTestEngine(t, nil)
	a := &article.Article{ID: "x", Lang: "vi", Title: "Tin Đồng Nai", Text: "Sân bay Long Thành ở tỉnh Đồng Nai, gần Biên Hòa."}
	c, err := e.Classify(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	full := a.Title + "\n\n" + a.Text
	want := map[string]string{"Đồng Nai": "Đồng Nai", "Sân bay Long Thành": "Long Thành International Airport", "Biên Hòa": "Biên Hòa", "tỉnh Đồng Nai": "Đồng Nai"}
	found := 0
	for _, ent := range c.Entities {
		if full[ent.Start:ent.End] != ent.Text {
			t.Errorf("entity %+v: offsets point at %q", ent, full[ent.Start:ent.End])
		}
		if canon, ok := want[ent.Text]; ok {
			found++
			if ent.Canonical != canon {
				t.Errorf("entity %q canonical %q, want %q", ent.Text, ent.Canonical, canon)
			}
		}
	}
	if found < len(want) {
		t.Errorf("entities %+v lack some of %v", c.Entities, want)
	}
}

func TestToneNegation(t *testing.T) {
	e := newTestEngine(t, nil)
	tests := []struct{ lang, title, text, want string }{
		{"en", "Dong Nai investment grows", "Dong Nai attracted record investment, a success for the province.", "positive"},
		{"en", "Dong Nai fails to curb pollution", "Dong Nai failed to stop pollution; farmers blamed the authorities for the damage.", "negative"},
		{"en", "Dong Nai report", "Dong Nai did not fail, and the plan did not cause losses, officials said.", "neutral"},
		{"vi", "Đồng Nai: ô nhiễm nghiêm trọng", "Tỉnh Đồng Nai bị ô nhiễm, người dân bức xúc vì thiệt hại.", "negative"},
		{"zh", "同奈省发展迅速", "同奈省经济充满活力，合作成功，发展迅速。", "positive"},
	}
	for _, tt := range tests {
		c, err := e.Classify(context.Background(), &article.Article{ID: tt.title, Lang: tt.lang, Title: tt.title, Text: tt.text, Published: date("2024-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		if c.Tone != tt.want {
			t.Errorf("%q: tone %s, want %s", tt.title, c.Tone, tt.want)
		}
	}
}

func TestRiskReasons(t *testing.T) {
	e := newTestEngine(t, nil)
	a := &article.Article{ID: "r", Lang: "vi", Published: date("2025-11-05"), Title: "Bình Phước sắp sáp nhập vào Đồng Nai",
		Text: "Quá trình sáp nhập tỉnh Bình Phước vào tỉnh Đồng Nai đang được triển khai. Tỉnh Đồng Nai mới có dân số khoảng 2,1 triệu người."}
	c, err := e.Classify(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	signals := map[string]bool{}
	var sum float64
	for _, r := range c.Reasons {
		signals[strings.SplitN(r.Signal, ":", 2)[0]] = true
		sum += r.Weight
		if r.Detail == "" {
			t.Errorf("reason %s has no detail", r.Signal)
		}
	}
	for _, s := range []string{SignalStale, SignalFact, SignalNarrative} {
		if !signals[s] {
			t.Errorf("reasons %+v lack %s", c.Reasons, s)
		}
	}
	if !c.NeedsReview || c.Risk < 40 || float64(c.Risk) != min(100, sum) {
		t.Errorf("risk %d (sum of weights %.0f), needs_review %v", c.Risk, sum, c.NeedsReview)
	}
	// The same text published before the merger is not stale.
	a.ID, a.Published = "r2", date("2025-04-01")
	c, _ = e.Classify(context.Background(), a)
	for _, r := range c.Reasons {
		if strings.HasPrefix(r.Signal, SignalStale) {
			t.Errorf("pre-merger article flagged stale: %+v", r)
		}
	}
}

func TestClusters(t *testing.T) {
	e := newTestEngine(t, nil)
	body := "Dong Nai province said on Monday that Long Thanh International Airport will open its first terminal next year, with capacity for 25 million passengers a year and a cargo terminal."
	pub := date("2025-09-01")
	c1, _ := e.Classify(context.Background(), &article.Article{ID: "a1", Lang: "en", Outlet: "A", Title: "Long Thanh airport to open", Text: body, Published: pub})
	c2, _ := e.Classify(context.Background(), &article.Article{ID: "a2", Lang: "en", Outlet: "B", Title: "Long Thanh airport to open next year", Text: body + " Reporting by B.", Published: pub.Add(time.Hour)})
	c3, _ := e.Classify(context.Background(), &article.Article{ID: "a3", Lang: "en", Outlet: "C", Title: "Rice prices fall", Text: "Rice prices in the Mekong delta fell sharply this week as exports slowed.", Published: pub})
	if c1.Cluster != c2.Cluster {
		t.Errorf("near-duplicates in clusters %s and %s", c1.Cluster, c2.Cluster)
	}
	if c3.Cluster == c1.Cluster {
		t.Errorf("unrelated story joined cluster %s", c1.Cluster)
	}
	again, _ := e.Classify(context.Background(), &article.Article{ID: "a2", Lang: "en", Outlet: "B", Title: "Long Thanh airport to open next year", Text: body, Published: pub})
	if again.Cluster != c2.Cluster {
		t.Errorf("reclassification moved a2 from %s to %s", c2.Cluster, again.Cluster)
	}
	c4, _ := e.Classify(context.Background(), &article.Article{ID: "a4", Lang: "en", Outlet: "D", Title: "Long Thanh airport to open", Text: body, Published: pub.Add(30 * 24 * time.Hour)})
	if c4.Cluster == c1.Cluster {
		t.Errorf("story a month later joined cluster %s beyond the window", c1.Cluster)
	}
	// A stored article keeps its cluster even when it has left the window.
	fresh := newTestEngine(t, nil)
	kept, _ := fresh.Classify(context.Background(), &article.Article{ID: "a2", Lang: "en", Title: "x", Text: body, Published: pub, Classification: &article.Classification{Cluster: "c-old"}})
	if kept.Cluster != "c-old" {
		t.Errorf("stored cluster c-old replaced by %s", kept.Cluster)
	}
}

// rulesWith returns the shipped rules with one file replaced.
func rulesWith(t testing.TB, name, content string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(configs.ClassifierRules(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(configs.ClassifierRules(), p)
		m[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m[name] = &fstest.MapFile{Data: []byte(content)}
	return m
}

func TestBadRuleNamed(t *testing.T) {
	tests := []struct{ file, content, want string }{
		{"topics.yaml", "topics:\n  - name: broken_rule\n    query: \"(airport\"\n", `rule "broken_rule"`},
		{"topics.yaml", "topics:\n  - name: x\n    query: a\n    bogus: 1\n", "bogus"},
		{"narratives.yaml", "narratives:\n  - id: n1\n    claim: a AND\n    correction: c\n", `rule "n1"`},
		{"gazetteer/province.yaml", "entries:\n  - canonical: Foo\n    kind: planet\n    aliases: [{text: foo}]\n", `rule "Foo"`},
		{"facts.yaml", "facts:\n  - name: population\n    keywords: population\n    periods: [{min: 5, max: 1}]\n", `rule "population"`},
	}
	for _, tt := range tests {
		_, err := LoadRules(rulesWith(t, tt.file, tt.content))
		var re *RuleError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.file) {
			t.Errorf("%s: error %v, want a RuleError naming %s and %s", tt.file, err, tt.file, tt.want)
		}
	}
}

func TestReloadKeepsLastGoodRules(t *testing.T) {
	rules := rulesWith(t, "topics.yaml", "topics:\n  - name: airports\n    query: airport\n")
	e := newTestEngine(t, rules)
	a := &article.Article{ID: "x", Lang: "en", Title: "Dong Nai airport", Text: "Dong Nai airport news."}
	c, _ := e.Classify(context.Background(), a)
	if len(c.Topics) != 1 || c.Topics[0] != "airports" {
		t.Fatalf("topics %v, want [airports]", c.Topics)
	}
	v := e.Rules().Version
	rules["topics.yaml"] = &fstest.MapFile{Data: []byte("topics:\n  - name: airports\n    query: \"airport AND\"\n")}
	if _, err := e.Reload(); err == nil || !strings.Contains(err.Error(), `rule "airports"`) {
		t.Fatalf("reload of a bad rule: %v", err)
	}
	if e.Rules().Version != v {
		t.Fatal("bad reload replaced the rules")
	}
	c, _ = e.Classify(context.Background(), a)
	if len(c.Topics) != 1 {
		t.Fatalf("after a bad reload topics %v, want the last good rules", c.Topics)
	}
	rules["topics.yaml"] = &fstest.MapFile{Data: []byte("topics:\n  - name: news\n    query: news\n")}
	changed, err := e.Reload()
	if err != nil || !changed {
		t.Fatalf("good reload: changed %v, %v", changed, err)
	}
	c, _ = e.Classify(context.Background(), a)
	if len(c.Topics) != 1 || c.Topics[0] != "news" {
		t.Fatalf("after reload topics %v, want [news]", c.Topics)
	}
}

func TestClassifyOddInput(t *testing.T) {
	e := newTestEngine(t, nil)
	for _, a := range []*article.Article{
		{ID: "empty"},
		{ID: "bad-utf8", Title: "\xff\xfe Đồng Nai", Text: "\xc3\x28 Biên Hòa"},
		{ID: "long", Title: "Đồng Nai", Text: strings.Repeat("Đồng Nai ", 20000)},
	} {
		if _, err := e.Classify(context.Background(), a); err != nil {
			t.Errorf("%s: %v", a.ID, err)
		}
	}
	if _, err := e.Classify(context.Background(), nil); err == nil {
		t.Error("nil article accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Classify(ctx, &article.Article{ID: "x"}); err == nil {
		t.Error("cancelled context accepted")
	}
}

// TestClassifyHugeText: an article's analysis reads at most MaxTextBytes
// of its text (and of its title), so a 4 MiB text costs what 256 KiB do;
// a hostile line once took 1.8 GB for 10 MB. Entities lie in the part read
// and point into title + "\n\n" + text.
func TestClassifyHugeText(t *testing.T) {
	e := newTestEngine(t, nil)
	ctx := context.Background()
	head := strings.Repeat("1 ", MaxTextBytes/2-8) + "Đồng Nai "
	huge := head + strings.Repeat("1 ", 2<<20) + " Biên Hòa"
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := e.Classify(ctx, &article.Article{ID: "huge", Title: "Tin", Text: huge})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 128<<20 {
		t.Errorf("classifying a 4 MiB text allocated %d MiB", got>>20)
	}
	full := "Tin\n\n" + huge
	var names []string
	for _, ent := range c.Entities {
		if ent.End > len("Tin\n\n")+MaxTextBytes || full[ent.Start:ent.End] != ent.Text {
			t.Errorf("entity %+v is past the part read or does not point into the text", ent)
		}
		names = append(names, ent.Canonical)
	}
	if !slices.Contains(names, "Đồng Nai") || slices.Contains(names, "Biên Hòa") {
		t.Errorf("entities %v: want the name inside the first %d bytes and not the one after", names, MaxTextBytes)
	}
	// A title over the bound is read alone: the offsets of the text's
	// names would not be true after it.
	title := "Đồng Nai " + strings.Repeat("x", MaxTextBytes)
	c, err = e.Classify(ctx, &article.Article{ID: "huge-title", Title: title, Text: "Biên Hòa"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range c.Entities {
		if ent.End > MaxTextBytes || title[ent.Start:ent.End] != ent.Text {
			t.Errorf("huge title: entity %+v", ent)
		}
	}
}

// FuzzClassify feeds arbitrary titles and texts: no error, no panic, entity
// offsets inside the text and pointing at the entity's text, risk in range.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"Đồng Nai", "sông Đồng Nai", "同奈省隆城国际机场", "\xff\xfeBiên Hòa", "Dong Nai population 9 million", "ドンナイ省 2025"} {
		f.Add(s, s)
	}
	e := newTestEngine(f, nil)
	f.Fuzz(func(t *testing.T, title, text string) {
		c, err := e.Classify(context.Background(), &article.Article{ID: "f", Title: title, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		full := strings.ToValidUTF8(title+"\n\n"+text, "\uFFFD")
		for _, ent := range c.Entities {
			if ent.Start < 0 || ent.End > len(full) || ent.Start > ent.End || full[ent.Start:ent.End] != ent.Text {
				t.Fatalf("entity %+v does not point into the text", ent)
			}
		}
		if c.Risk < 0 || c.Risk > 100 || c.Relevance < 0 || c.Relevance > 1 {
			t.Fatalf("risk %d relevance %v out of range", c.Risk, c.Relevance)
		}
	})
}

// TestConcurrentClassifyAndReload runs classifications on several goroutines
// while the rules are reloaded (run with -race).
func TestConcurrentClassifyAndReload(t *testing.T) {
	e := newTestEngine(t, nil)
	arts := benchArticles()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 5 {
			if _, err := e.Reload(); err != nil {
				t.Error(err)
			}
		}
	}()
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := range 20 {
				a := *arts[(w*20+i)%len(arts)]
				a.Lang = ""
				if _, err := e.Classify(context.Background(), &a); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-done
}

func TestRapidSpreadAndTier(t *testing.T) {
	e := newTestEngine(t, nil)
	body := "Dong Nai province confirmed a pollution incident at an industrial park in Nhon Trach, where toxic wastewater was discharged into the Thi Vai river, officials said on Tuesday."
	pub := date("2025-09-01")
	var last *article.Classification
	for i := range 5 {
		c, err := e.Classify(context.Background(), &article.Article{ID: fmt.Sprintf("s%d", i), Lang: "en", Outlet: fmt.Sprintf("outlet %d", i), Tier: 3, Title: "Pollution in Dong Nai", Text: body, Published: pub.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		last = c
	}
	var spread, tier bool
	for _, r := range last.Reasons {
		spread = spread || r.Signal == SignalSpread
		tier = tier || (r.Signal == SignalOutletTier && r.Weight > 0)
	}
	if !spread || !tier {
		t.Errorf("reasons %+v lack rapid_spread or outlet_tier", last.Reasons)
	}
}

// TestDiacriticsDecide: in Vietnamese written with diacritics, rule words
// with diacritics match only as written ("đạt" achieve is not "đất" land,
// "bão" storm is not "bao" how many); written without diacritics, the same
// words match folded.
func TestDiacriticsDecide(t *testing.T) {
	e := newTestEngine(t, nil)
	an := func(title, text string) *analysis {
		return e.analyze(e.Rules(), &article.Article{ID: title, Lang: "vi", Title: title, Text: text, Published: date("2024-01-01")})
	}
	lexWords := func(a *analysis) []string {
		var out []string
		for _, h := range a.lex {
			out = append(out, e.Rules().lex[h.ref.idx].Text)
		}
		return out
	}
	accented := an("Đồng Nai có bao nhiêu xã, phường?", "Tỉnh Đồng Nai giao đất cho dân, người dân chạy xe về quê, đảm bảo Đồng Nai phát triển.")
	for _, w := range lexWords(accented) {
		if w == "đạt" || w == "cháy" {
			t.Errorf("accented text: lexicon %q matched (text has đất, chạy)", w)
		}
	}
	if slices.Contains(accented.topics, "disaster_weather") {
		t.Errorf("accented text: topics %v include disaster_weather (text has bao nhiêu, đảm bảo Đồng Nai)", accented.topics)
	}
	plain := an("Dong Nai: bao lon gay ngap, bao dong lu", "Tinh Dong Nai: mua lon, bao so 9 gay ngap nang, xa lu ho Tri An, bao dong muc 3.")
	if !slices.Contains(plain.topics, "disaster_weather") {
		t.Errorf("unaccented text: topics %v lack disaster_weather", plain.topics)
	}
	stormy := an("Đồng Nai: bão số 9 gây ngập", "Cơn bão số 9 gây mưa lớn, báo động lũ cấp 2 trên sông Đồng Nai, xả lũ hồ Trị An.")
	if !slices.Contains(stormy.topics, "disaster_weather") {
		t.Errorf("accented storm text: topics %v lack disaster_weather", stormy.topics)
	}
}

// TestEvidenceKeepsRuleRisk: with the learned layer on, an article that
// repeats a claim the office has corrected keeps at least the rules' risk
// (the model may lower an ordinary story's risk, not this one's).
func TestEvidenceKeepsRuleRisk(t *testing.T) {
	e, err := New(Options{Now: func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	a := &article.Article{ID: "ev", Lang: "en", Published: date("2026-01-15"),
		Title: "Bien Hoa dioxin finally fully cleaned, sources say",
		Text:  "The dioxin contamination at the Bien Hoa air base in Dong Nai has reportedly been fully cleaned, according to people familiar with the matter."}
	c, err := e.Classify(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	var rules float64
	narrative := false
	for _, r := range c.Reasons {
		if !strings.HasPrefix(r.Signal, "model:") {
			rules += r.Weight
		}
		narrative = narrative || strings.HasPrefix(r.Signal, SignalNarrative+":")
	}
	if !narrative {
		t.Fatalf("no narrative reason in %+v", c.Reasons)
	}
	if want := int(min(rules, 100)); c.Risk < want {
		t.Errorf("risk %d below the rules' %d for a repeated corrected claim", c.Risk, want)
	}
}

// TestFactFigures: which figure is a fact's, and which period it is held to.
func TestFactFigures(t *testing.T) {
	e := newTestEngine(t, nil) // clock 2026-03-01, after the merger
	overview := "Dong Nai is a province in the south-east of Vietnam, north-east of Ho Chi Minh City.\n\nArea: 5,907 km2\n\nPopulation: 2.72 million\n\nBien Hoa is the provincial capital of Dong Nai."
	for _, tc := range []struct {
		name, title, text, published string
		want                         bool
	}{
		// An undated page serves its figures as current: the pre-merger
		// area is outdated whatever the clock.
		{"undated pre-merger area", "Dong Nai Overview", overview, "", true},
		// The same page dated before the merger is right.
		{"dated pre-merger area", "Dong Nai Overview", overview, "2024-05-01", false},
		// A figure wrong for every period within a year of the date.
		{"area wrong in both periods", "Đồng Nai mới", "Tỉnh Đồng Nai mới có diện tích 7.500 km2 và dân số khoảng 4,4 triệu người.", "2025-11-05", true},
		// Another unit, or a figure out of all proportion to the province:
		// a plot, a project, a park.
		{"hectares", "Đồng Nai thu hồi đất", "Tỉnh Đồng Nai thu hồi 39 dự án với tổng diện tích hơn 507 ha.", "2025-11-05", false},
		{"square metres", "Đồng Nai xử lý vi phạm", "Tại Đồng Nai, diện tích 8.000 m2 đất này thuộc quyền quản lý của xã.", "2025-11-05", false},
		{"a park's area", "Cat Tien National Park in Dong Nai", "Cat Tien National Park in Dong Nai province, spanning 720 square kilometers, is a biodiversity hotspot.", "2024-01-01", false},
		{"a ward's population", "Đồng Nai sắp xếp phường", "Sau sáp nhập, Đồng Nai sẽ có phường Trấn Biên với dân số gần 197.000 người.", "2025-11-05", false},
		// Figures in Chinese, Japanese and Korean: 万/만 (10,000) and 億/억
		// (10^8) scale a figure, alone or with the rest written after them
		// (1万2737 = 12,737); areas in 平方キロ, 平方公里, 제곱킬로미터.
		{"ja area in 万", "ドンナイ省の概要", "合併後のドンナイ省は面積約3万平方キロメートル、人口約450万人の省となった。", "2025-11-05", true},
		{"ja area 1万2737", "ドンナイ省の概要", "合併後のドンナイ省は面積1万2737平方キロメートル、人口約449万人。", "2025-11-05", false},
		{"ja population in 万", "ドンナイ省の概要", "合併後のドンナイ省は人口800万人を超える大きな省となった。", "2025-11-05", true},
		{"zh area", "同奈省概况", "合并后的同奈省面积12737平方公里，人口约450万。", "2025-11-05", false},
		{"zh wrong area", "同奈省概况", "合并后的同奈省面积7500平方公里，人口约450万。", "2025-11-05", true},
		{"ko population in 만", "동나이성 개요", "통합된 동나이성은 인구 약 450만 명, 면적 1만 2737㎢이다.", "2025-11-05", false},
		{"ko wrong population in 만", "동나이성 개요", "통합된 동나이성은 인구 약 800만 명의 대형 성이 되었다.", "2025-11-05", true},
		{"ja square metres", "ドンナイ省の工場", "ドンナイ省の工場は面積3万平方メートルで、4月に稼働する。", "2025-11-05", false},
		{"zh hectares", "同奈省土地", "同奈省面积约2700公顷的工业区。", "2025-11-05", false},
	} {
		var pub time.Time
		if tc.published != "" {
			pub = date(tc.published)
		}
		c, err := e.Classify(context.Background(), &article.Article{ID: tc.name, Lang: "", Title: tc.title, Text: tc.text, Published: pub})
		if err != nil {
			t.Fatal(err)
		}
		got := false
		for _, r := range c.Reasons {
			if strings.HasPrefix(r.Signal, SignalFact) {
				got = true
			}
		}
		if got != tc.want {
			t.Errorf("%s: fact contradiction %v, want %v (reasons %+v)", tc.name, got, tc.want, c.Reasons)
		}
	}
	// The figure is quoted as the article writes it, diacritics and all:
	// an officer reads "7 triệu", not the folded "7 trieu".
	c, err := e.Classify(context.Background(), &article.Article{ID: "quote", Title: "Đồng Nai mới",
		Text: "Tỉnh Đồng Nai mới có dân số 7 triệu người.", Published: date("2025-11-05")})
	if err != nil {
		t.Fatal(err)
	}
	quoted := false
	for _, r := range c.Reasons {
		quoted = quoted || (strings.HasPrefix(r.Signal, SignalFact) && strings.Contains(r.Detail, `"7 triệu"`))
	}
	if !quoted {
		t.Errorf("no fact reason quoting \"7 triệu\" as written: %+v", c.Reasons)
	}
}

// TestEvidenceNeedsReview: with the learned layer, an article about the
// province with evidence (here a contradicted figure on an undated page,
// told in calm words the model ranks low) needs review.
func TestEvidenceNeedsReview(t *testing.T) {
	e, err := New(Options{Now: func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	if e.Model() == nil {
		t.Skip("no shipped model")
	}
	c, err := e.Classify(context.Background(), &article.Article{ID: "ev", Lang: "en", Title: "Dong Nai Overview",
		Text: "Dong Nai is a beautiful province in the south-east of Vietnam with many attractions for tourists.\n\nArea: 5,907 km2\n\nPopulation: 2.72 million\n\nBien Hoa is the provincial capital of Dong Nai."})
	if err != nil {
		t.Fatal(err)
	}
	if !c.About || !c.NeedsReview {
		t.Errorf("about %v, needs_review %v, want both (reasons %+v)", c.About, c.NeedsReview, c.Reasons)
	}
}

func TestFactNumberAfterKeyword(t *testing.T) {
	e := newTestEngine(t, nil)
	// "population" followed by its figure; the number before "km2" is the
	// area, not the next line's population.
	c, err := e.Classify(context.Background(), &article.Article{ID: "f", Lang: "en", Published: date("2025-11-05"), Title: "Dong Nai in figures",
		Text: "Dong Nai province, Vietnam.\n\nArea: 12,737 km2\n\nPopulation: 1,900,000 people live in Dong Nai."})
	if err != nil {
		t.Fatal(err)
	}
	var facts []string
	for _, r := range c.Reasons {
		if strings.HasPrefix(r.Signal, SignalFact) {
			facts = append(facts, r.Signal)
		}
	}
	if len(facts) != 1 || facts[0] != SignalFact+":population" {
		t.Errorf("fact reasons %v, want only the population", facts)
	}
}

// TestRiskCapReason: when the rules' reasons add up past 100, the excess is
// a reason of its own, the weights still add up to the risk, and the
// model's weight is only what the model changed (a new user read a model
// row "p=0.99, −50" as the model arguing against review).
func TestRiskCapReason(t *testing.T) {
	e, err := New(Options{Now: func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	if e.Model() == nil {
		t.Skip("no shipped model")
	}
	c, err := e.Classify(context.Background(), &article.Article{ID: "cap", Lang: "vi", Published: date("2025-10-20"),
		Title: "Đồng Nai và Bình Phước sẽ sáp nhập vào năm sau, dân lo mất việc",
		Text: "Theo nguồn tin, tỉnh Đồng Nai và tỉnh Bình Phước sẽ sáp nhập vào năm sau. Việc sáp nhập Bình Phước vào Đồng Nai vẫn chưa được quyết định. " +
			"Tỉnh Đồng Nai mới sẽ có dân số 7 triệu người. Công nhân ở Đồng Xoài lo mất việc, cắt giảm lương, đình công, nợ lương kéo dài."})
	if err != nil {
		t.Fatal(err)
	}
	var sum, ruleSum, model float64
	capped := false
	for _, r := range c.Reasons {
		sum += r.Weight
		switch {
		case r.Signal == SignalRiskCap:
			capped = true
		case r.Signal == SignalModelReview:
			model = r.Weight
		case !strings.HasPrefix(r.Signal, "model:"):
			ruleSum += r.Weight
		}
	}
	if ruleSum <= 100 {
		t.Fatalf("the rules add up to %.0f: the case does not pass 100 (reasons %+v)", ruleSum, c.Reasons)
	}
	if !capped || math.Round(sum) != float64(c.Risk) {
		t.Errorf("capped %v, weights add up to %.0f for risk %d, model weight %.0f (reasons %+v)", capped, sum, c.Risk, model, c.Reasons)
	}
	if model < -10 {
		t.Errorf("model weight %.0f with risk %d: the excess over 100 is the cap's, not the model's", model, c.Risk)
	}
}

package classifier

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
)

// benchTexts are 5 KB articles in the press watch's main languages, built
// from sentences of the kind the corpus holds; detection runs on every one
// (no declared language).
func benchArticles() []*article.Article {
	seeds := map[string]string{
		"en": "Dong Nai province said construction of Long Thanh International Airport is on schedule, with the passenger terminal due to open next year. Investors from Japan and Korea expanded plants in Nhon Trach industrial park, while workers in Bien Hoa asked for higher wages. Officials warned of flooding downstream of the Tri An reservoir after heavy rain. ",
		"vi": "UBND tỉnh Đồng Nai cho biết dự án sân bay Long Thành đang được đẩy nhanh tiến độ, nhà ga hành khách dự kiến hoàn thành vào năm sau. Nhiều doanh nghiệp FDI mở rộng sản xuất tại khu công nghiệp Nhơn Trạch, trong khi công nhân ở Biên Hòa đề nghị tăng lương. Thủy điện Trị An xả lũ, cảnh báo người dân hạ du. ",
		"zh": "越南同奈省表示，隆城国际机场建设进展顺利，客运航站楼预计明年启用。来自日本和韩国的投资者扩大了仁泽工业园的工厂，边和的工人要求提高工资。治安水电站泄洪，提醒下游居民注意。",
		"ja": "南部ドンナイ省はロンタイン国際空港の建設が順調に進んでいると発表した。旅客ターミナルは来年開業の予定である。日本と韓国の投資家がニョンチャック工業団地で工場を拡張した。",
		"ko": "베트남 동나이성은 롱탄국제공항 건설이 순조롭게 진행되고 있다고 밝혔다. 여객 터미널은 내년에 문을 열 예정이다. 한국 기업들이 년짝공단에서 생산기지를 증설했다. ",
	}
	var out []*article.Article
	i := 0
	for lang, s := range seeds {
		text := s
		for len(text) < 5000 {
			text += s
		}
		for k := range 4 {
			i++
			out = append(out, &article.Article{
				ID: fmt.Sprintf("bench-%s-%d", lang, k), Title: strings.SplitN(s, ".", 2)[0], Text: text[:5000],
				Outlet: "bench", Published: time.Date(2025, 9, 1, 0, 0, i, 0, time.UTC),
			})
		}
	}
	return out
}

// BenchmarkClassify measures one classification of a 5 KB article with the
// shipped rules, language detection included.
func BenchmarkClassify(b *testing.B) {
	e := newTestEngine(b, nil)
	arts := benchArticles()
	ctx := context.Background()
	var bytes int64
	for _, a := range arts {
		bytes += int64(len(a.Title) + len(a.Text))
	}
	b.SetBytes(bytes / int64(len(arts)))
	b.ReportAllocs()
	i := 0
	cpu0 := cpuTime()
	for b.Loop() {
		a := arts[i%len(arts)]
		i++
		if _, err := e.Classify(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-heap-inuse")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-sys")
}

// BenchmarkClassifyDeclaredLang is BenchmarkClassify with the page's declared
// language given, as the crawler usually provides.
func BenchmarkClassifyDeclaredLang(b *testing.B) {
	e := newTestEngine(b, nil)
	arts := benchArticles()
	for _, a := range arts {
		a.Lang = strings.Split(a.ID, "-")[1]
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a := arts[i%len(arts)]
		i++
		if _, err := e.Classify(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClassifyWithModel is BenchmarkClassify with the learned layer on
// (the shipped model): rules, features, three model families and the
// explanation of the strongest features. Its 20 articles are synthetic
// (benchArticles: one paragraph repeated to 5 KB, so few distinct words)
// and cycled; BenchmarkClassifyStream is the figure on real text.
func BenchmarkClassifyWithModel(b *testing.B) {
	e, err := New(Options{Now: evalNow})
	if err != nil {
		b.Fatal(err)
	}
	if e.Model() == nil {
		b.Fatal("no shipped model")
	}
	arts := benchArticles()
	ctx := context.Background()
	var bytes int64
	for _, a := range arts {
		bytes += int64(len(a.Title) + len(a.Text))
	}
	b.SetBytes(bytes / int64(len(arts)))
	b.ReportAllocs()
	i := 0
	cpu0 := cpuTime()
	for b.Loop() {
		a := arts[i%len(arts)]
		i++
		if _, err := e.Classify(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-heap-inuse")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-sys")
}

// BenchmarkClassifyStream classifies b.N distinct articles of about 5 KB
// built from the dev corpus (as internal/procbench does), all inside one
// clustering window, as the classifier process does with a backlog. Besides
// the time it reports the heap still in use after a collection: what the
// engine keeps per article (story clusters) once the articles are gone.
func BenchmarkClassifyStream(b *testing.B) {
	items := loadDevCorpus(b)
	byLang := map[string][]string{}
	for _, it := range items {
		byLang[it.Lang] = append(byLang[it.Lang], it.Text)
	}
	e, err := New(Options{Now: evalNow})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	pub := evalNow()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	cpu0 := cpuTime()
	k := 0
	for b.Loop() {
		it := items[k%len(items)]
		var sb strings.Builder
		sb.Grow(5200) // one allocation for the text: the harness's cost, not the classifier's
		sb.WriteString(it.Text)
		same := byLang[it.Lang]
		for j := 0; sb.Len() < 5000 && j < 4*len(same)+4; j++ {
			sb.WriteString("\n\n")
			sb.WriteString(same[(k/len(items)+j)%len(same)])
		}
		text := sb.String()
		if len(text) > 5000 {
			cut := 5000
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
			text = text[:cut]
		}
		a := &article.Article{ID: fmt.Sprintf("stream-%06d", k), Title: it.Title, Text: text, Lang: it.Lang,
			Outlet: it.Outlet, Published: pub.Add(-time.Duration(k%4320) * time.Minute)}
		k++
		if _, err := e.Classify(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(e) // what the engine keeps is the point
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "B-kept/article")
}

// BenchmarkRemember measures restoring one stored 5 KB article into the
// story clusters (Engine.Remember, what a stage does for every article of
// the cluster window when it starts): the analysis without classifying.
// Each iteration is a new article ID, so none is skipped as known.
func BenchmarkRemember(b *testing.B) {
	e, err := New(Options{Now: evalNow})
	if err != nil {
		b.Fatal(err)
	}
	arts := benchArticles()
	ctx := context.Background()
	for _, a := range arts {
		c, err := e.Classify(ctx, a)
		if err != nil {
			b.Fatal(err)
		}
		a.Classification = c
	}
	e.clusters = newClusterer(e.opts.ClusterWindow)
	b.ReportAllocs()
	i := 0
	cpu0 := cpuTime()
	for b.Loop() {
		a := *arts[i%len(arts)]
		a.ID = fmt.Sprintf("remember-%d", i)
		i++
		if !e.Remember(&a) {
			b.Fatal("not remembered")
		}
	}
	reportCPU(b, cpu0)
}

// BenchmarkShareStory measures what sharing story clusters between replicas
// costs per article: encoding the item of a 5 KB article (on the replica
// that classified it) and merging it (on each other replica).
func BenchmarkShareStory(b *testing.B) {
	src, err := New(Options{Now: evalNow})
	if err != nil {
		b.Fatal(err)
	}
	var item []byte
	src.ShareStories(func(d []byte) { item = d })
	if _, err := src.Classify(context.Background(), benchArticles()[0]); err != nil {
		b.Fatal(err)
	}
	it := src.clusters.items[0]
	dst, err := New(Options{Now: evalNow, NoModel: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	cpu0 := cpuTime()
	for b.Loop() {
		it.id = fmt.Sprintf("share-%d", i)
		i++
		src.clusters.share(it)
		if err := dst.MergeStory(item); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
	b.ReportMetric(float64(len(item)), "item-bytes")
}

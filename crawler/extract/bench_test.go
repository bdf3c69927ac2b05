package extract

import (
	"testing"
	"time"

	"github.com/dongnai/presswatch/internal/testenv"
)

// benchPages returns the Zyte benchmark's pages, or the package fixture when the
// shared data is absent.
func benchPages(b *testing.B) []ZyteDoc {
	b.Helper()
	if dir := testenv.TestdataDir(); dir != "" {
		if docs, err := LoadZyte(dir + "/extraction"); err == nil && len(docs) > 0 {
			return docs
		}
	}
	return []ZyteDoc{{ID: "fixture", URL: "https://news.example.com/a", HTML: readFixture(b, "article.html")}}
}

// benchExtract runs fn over every page once per op (one op = one pass over
// the 181 Zyte pages, so -benchtime 1x is a full pass) and reports the mean
// time per page as ms/page.
func benchExtract(b *testing.B, fn ExtractFunc) {
	pages := benchPages(b)
	var bytes int64
	for _, p := range pages {
		bytes += int64(len(p.HTML))
	}
	_, _ = fn(pages[0].HTML, pages[0].URL) // warm up lazily built state
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, p := range pages {
			_, _ = fn(p.HTML, p.URL)
		}
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(n*len(pages)), "ms/page")
}

func BenchmarkExtract(b *testing.B) { benchExtract(b, New(Options{}).Extract) }

func BenchmarkExtractTrafilaturaFallback(b *testing.B) { benchExtract(b, TrafilaturaFunc(true)) }

func BenchmarkExtractTrafilatura(b *testing.B) { benchExtract(b, TrafilaturaFunc(false)) }

func BenchmarkExtractReadability(b *testing.B) { benchExtract(b, ReadabilityFunc()) }

// BenchmarkExtractVsTrafilatura times presswatch's extractor and
// go-trafilatura with its fallback on the same pages, interleaved page by page
// (alternating which goes first), so that both see the same machine load on a
// shared machine; it reports each side's mean ms/page and their ratio.
func BenchmarkExtractVsTrafilatura(b *testing.B) {
	pages := benchPages(b)
	mine, ref := New(Options{}).Extract, TrafilaturaFunc(true)
	_, _ = mine(pages[0].HTML, pages[0].URL)
	_, _ = ref(pages[0].HTML, pages[0].URL)
	var tMine, tRef time.Duration
	n := 0
	for b.Loop() {
		for i, p := range pages {
			if i%2 == 0 {
				tMine += timed(mine, p)
				tRef += timed(ref, p)
			} else {
				tRef += timed(ref, p)
				tMine += timed(mine, p)
			}
			n++
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(n) }
	b.ReportMetric(ms(tMine), "presswatch-ms/page")
	b.ReportMetric(ms(tRef), "trafilatura-fallback-ms/page")
	b.ReportMetric(float64(tMine)/float64(tRef), "ratio")
}

func timed(fn ExtractFunc, p ZyteDoc) time.Duration {
	start := time.Now()
	_, _ = fn(p.HTML, p.URL)
	return time.Since(start)
}

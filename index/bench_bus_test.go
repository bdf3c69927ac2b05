package index

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
)

// BenchmarkSearchableAfterPublish measures the whole path a classified
// article takes to search: PublishClassified on the embedded bus, the
// indexer's fetch (FlushInterval 250 ms, the default), the index batch, until
// Search finds it. The goal is ≤ 1 s.
func BenchmarkSearchableAfterPublish(b *testing.B) {
	ctx := context.Background()
	bb, err := bus.Open(ctx, bus.Options{DataDir: b.TempDir(), Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer bb.Close()
	ix, err := Open(ctx, Options{Dir: b.TempDir() + "/ix", Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	if err := ix.IndexArticles(ctx, genArticles(2000)); err != nil {
		b.Fatal(err)
	}
	x, err := NewIndexer(IndexerOptions{Bus: bb, Index: ix, Durable: "bench", Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = x.Run(rctx) }()
	defer func() { cancel(); <-done }()

	g := newGenerator(42)
	var lat []time.Duration
	for b.Loop() {
		lat = lat[:0]
		for i := 0; i < 20; i++ {
			a := g.article(100000 + i)
			word := "zzpub" + strconv.Itoa(i) + "x" + strconv.Itoa(len(lat))
			a.ID = word
			a.Title = word + " " + a.Title
			a.Classification.At = time.Now()
			start := time.Now()
			if err := bb.PublishClassified(ctx, []*article.Article{a}); err != nil {
				b.Fatal(err)
			}
			for {
				res, err := ix.Search(ctx, Request{Query: word})
				if err != nil {
					b.Fatal(err)
				}
				if res.Total > 0 {
					break
				}
				if time.Since(start) > 30*time.Second {
					b.Fatalf("%s not searchable after 30s", word)
				}
				time.Sleep(2 * time.Millisecond)
			}
			lat = append(lat, time.Since(start))
		}
	}
	b.ReportMetric(ms(percentile(lat, 0.5)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 1)), "max-ms")
}

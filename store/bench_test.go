package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

// benchBatch is the batch size the pipeline uses (bus.ConsumerSpec default).
const benchBatch = 256

// benchText is ~3 KB of Vietnamese and English text.
var benchText = strings.Repeat("Tỉnh Đồng Nai đẩy nhanh tiến độ sân bay quốc tế Long Thành. The province of Dong Nai speeds up Long Thanh airport. ", 26)

func benchArticles(round, n int, classified bool) []*article.Article {
	out := make([]*article.Article, n)
	for i := range out {
		canon := fmt.Sprintf("https://bench.example.com/%d/%d", round, i)
		a := &article.Article{
			ID: article.ID(canon), URL: canon, CanonicalURL: canon, Source: "bench-rss",
			Outlet: "Bench Times", Country: "US", Tier: 2, Lang: "en",
			Title: fmt.Sprintf("Story %d/%d", round, i), Summary: "Summary of the story.", Text: benchText,
			Published: time.Now().Add(-time.Hour), Collected: time.Now(), Fingerprint: uint64(i) * 0x9e3779b97f4a7c15,
		}
		if classified {
			a.Classification = &article.Classification{
				About: true, Relevance: 0.9, Topics: []string{"infrastructure"}, Tone: "neutral", Risk: 10,
				Entities: []article.Entity{{Text: "Đồng Nai", Kind: "place", Canonical: "dong-nai", Start: 5, End: 14}},
				Reasons:  []article.Reason{{Signal: "gazetteer", Detail: "Đồng Nai", Weight: 1}},
				Cluster:  fmt.Sprintf("c%d", i%17), At: time.Now(),
			}
		}
		out[i] = a
	}
	return out
}

// BenchmarkUpsertArticles measures UpsertArticles with batches of 256 articles
// of ~3 KB text: new articles, new classified articles, a redelivery of
// articles already stored (every row a conflict), and the same 256 new
// articles written by 16 concurrent calls of 16.
func BenchmarkUpsertArticles(b *testing.B) {
	backends := []struct {
		name string
		url  func(testing.TB) string
	}{
		{"sqlite", storetest.SQLiteURL},
		{"postgres", storetest.PostgresURL},
	}
	for _, be := range backends {
		for _, mode := range []string{"new", "new-classified", "redelivery", "concurrent-16x16"} {
			b.Run(be.name+"/"+mode, func(b *testing.B) {
				ctx := context.Background()
				s, err := store.Open(ctx, store.Options{URL: be.url(b), AutoMigrate: true})
				if err != nil {
					b.Fatalf("Open: %v", err)
				}
				defer s.Close()
				const rounds = 64
				batches := make([][]*article.Article, rounds)
				for r := range batches {
					batches[r] = benchArticles(r, benchBatch, mode == "new-classified")
				}
				if mode == "redelivery" {
					for _, batch := range batches {
						if err := s.UpsertArticles(ctx, batch); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.SetBytes(int64(benchBatch * len(benchText)))
				b.ResetTimer()
				start := time.Now()
				for i := 0; b.Loop(); i++ {
					batch := batches[i%rounds]
					if mode != "redelivery" && i >= rounds {
						batch = benchArticles(i, benchBatch, mode == "new-classified")
					}
					if mode == "concurrent-16x16" {
						// 16 writers of 16 articles each at once, as crawler
						// goroutines and stage workers write.
						if err := upsertConcurrently(ctx, s, batch, 16); err != nil {
							b.Fatal(err)
						}
						continue
					}
					if err := s.UpsertArticles(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*benchBatch)/time.Since(start).Seconds(), "articles/s")
			})
		}
	}
}

// upsertConcurrently writes batch as n concurrent UpsertArticles calls.
func upsertConcurrently(ctx context.Context, s store.Store, batch []*article.Article, n int) error {
	errs := make(chan error, n)
	per := (len(batch) + n - 1) / n
	calls := 0
	for i := 0; i < len(batch); i += per {
		part := batch[i:min(i+per, len(batch))]
		calls++
		go func() { errs <- s.UpsertArticles(ctx, part) }()
	}
	var first error
	for range calls {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

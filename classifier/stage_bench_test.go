package classifier_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/classifier"
)

// BenchmarkStagePipeline measures publish → consume → store throughput of the
// stage (no classifier) on the embedded bus, for each store backend, batch
// size and number of workers. cpu_us/article is this process's CPU per
// article: on a busy shared machine it is steadier than the wall-clock rate. Run with a fixed count, e.g. -benchtime=20000x; it reports
// articles/s end to end, pub_articles/s for publishing alone, and the mean
// time of one store upsert (store_ms/batch) with the mean batch filled.
func BenchmarkStagePipeline(b *testing.B) {
	for _, sk := range storeKinds() {
		for _, batch := range []int{256, 1024} {
			for _, workers := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/batch=%d/workers=%d", sk.name, batch, workers), func(b *testing.B) {
					benchPipeline(b, sk, batch, workers)
				})
			}
		}
	}
}

func benchPipeline(b *testing.B, sk storeKind, batch, workers int) {
	bs := openBus(b, bus.Options{DataDir: b.TempDir()})
	st := openStore(b, sk.url(b))
	arts := makeArticles(b, b.N, 1500, fmt.Sprintf("bench-%d-%d", batch, b.N))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ts := &timedStore{inner: st}
	stage, err := classifier.NewStage(classifier.StageOptions{Bus: bs, Store: ts, BatchSize: batch, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	cpu0 := processCPU(b)
	start := time.Now()
	runErr := make(chan error, 1)
	go func() { runErr <- stage.Run(ctx) }()
	pubDone := make(chan time.Duration, 1)
	go func() {
		const chunk = 2000
		for i := 0; i < len(arts); i += chunk {
			if err := bs.PublishCollected(ctx, arts[i:min(i+chunk, len(arts))]); err != nil {
				b.Error(err)
				break
			}
		}
		pubDone <- time.Since(start)
	}()
	for {
		n, err := st.CountArticles(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n >= int64(b.N) {
			break
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("only %d of %d articles stored after 5 minutes", n, b.N)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	cpu := processCPU(b) - cpu0
	b.StopTimer()
	pub := <-pubDone
	cancel()
	if err := <-runErr; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "articles/s")
	b.ReportMetric(float64(b.N)/pub.Seconds(), "pub_articles/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu_us/article")
	if calls := ts.calls.Load(); calls > 0 {
		b.ReportMetric(float64(ts.ns.Load())/1e6/float64(calls), "store_ms/batch")
		b.ReportMetric(float64(b.N)/float64(calls), "articles/batch")
	}
}

// processCPU returns the user + system CPU time this process has used (the
// embedded NATS server and SQLite included; a PostgreSQL server's not).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timedStore measures the time spent in the real store's upserts.
type timedStore struct {
	inner classifier.ArticleStore
	ns    atomic.Int64
	calls atomic.Int64
}

func (s *timedStore) UpsertArticles(ctx context.Context, arts []*article.Article) error {
	start := time.Now()
	err := s.inner.UpsertArticles(ctx, arts)
	s.ns.Add(int64(time.Since(start)))
	s.calls.Add(1)
	return err
}

package bus

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPublishCollected measures publishing to the embedded server with
// every PubAck awaited, in calls of 1,000 articles (about 2 KB each).
func BenchmarkPublishCollected(b *testing.B) {
	for _, sync := range []time.Duration{time.Second, 2 * time.Minute} {
		b.Run(fmt.Sprintf("sync_interval=%s", sync), func(b *testing.B) {
			bs := openBenchBus(b, Options{DataDir: b.TempDir(), SyncInterval: sync})
			arts := testArticles(b, b.N, fmt.Sprintf("bench%d", b.N))
			for _, a := range arts {
				a.Text = benchText
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < len(arts); i += 1000 {
				if err := bs.PublishCollected(context.Background(), arts[i:min(i+1000, len(arts))]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "articles/s")
		})
	}
}

// BenchmarkConsumeAck measures fetch → no-op handler → confirmed ack on the
// embedded server.
func BenchmarkConsumeAck(b *testing.B) {
	bs := openBenchBus(b, Options{DataDir: b.TempDir()})
	arts := testArticles(b, b.N, fmt.Sprintf("cbench%d", b.N))
	for i := 0; i < len(arts); i += 1000 {
		if err := bs.PublishCollected(context.Background(), arts[i:min(i+1000, len(arts))]); err != nil {
			b.Fatal(err)
		}
	}
	var n atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	b.ResetTimer()
	start := time.Now()
	go func() {
		done <- bs.Consume(ctx, ConsumerSpec{Stream: StreamCollected, Durable: "bench"}, func(_ context.Context, msgs []*Message) error {
			n.Add(int64(len(msgs)))
			return nil
		})
	}()
	for {
		p, ap, err := bs.Lag(context.Background(), StreamCollected, "bench")
		if err == nil && n.Load() >= int64(b.N) && p == 0 && ap == 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

var benchText = func() string {
	s := ""
	for len(s) < 1500 {
		s += "Tỉnh Đồng Nai thu hút vốn đầu tư nước ngoài vào khu công nghiệp. "
	}
	return s
}()

func openBenchBus(b *testing.B, opts Options) *Bus {
	b.Helper()
	bs, err := Open(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = bs.Close() })
	return bs
}

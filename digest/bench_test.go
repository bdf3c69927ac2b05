package digest

import (
	"context"
	"fmt"
	"math/rand/v2"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// Benchmarks of report generation on a large store: 100,000 articles in
// 2026-Q4, 10,000 of them in week 2026-W47. Run:
//
//	go test -run '^$' -bench BenchmarkReport -benchtime 3x ./digest/
//
// The store is seeded once per process through store.UpsertArticles in
// batches of 1,000 (which takes a while: SQLite with synchronous=FULL).

var bench struct {
	once     sync.Once
	dir      string
	st       store.Store
	err      error
	pgBase   string // PostgreSQL server and schema to drop at the end
	pgSchema string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.st != nil {
		bench.st.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	if bench.pgSchema != "" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if conn, err := pgx.Connect(ctx, bench.pgBase); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA "+bench.pgSchema+" CASCADE")
			conn.Close(ctx)
		}
		cancel()
	}
	os.Exit(code)
}

// benchURL returns the store the benchmarks seed: SQLite in a temporary
// folder, or with PRESSWATCH_BENCH_BACKEND=postgres a fresh schema on the
// PRESSWATCH_TEST_POSTGRES server.
func benchURL(ctx context.Context) (string, error) {
	if os.Getenv("PRESSWATCH_BENCH_BACKEND") != "postgres" {
		return "sqlite:" + filepath.Join(bench.dir, "bench.db"), nil
	}
	base := os.Getenv("PRESSWATCH_TEST_POSTGRES")
	if base == "" {
		return "", fmt.Errorf("PRESSWATCH_BENCH_BACKEND=postgres needs PRESSWATCH_TEST_POSTGRES")
	}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("pwbench_digest_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", err
	}
	bench.pgBase, bench.pgSchema = base, schema
	u, err := neturl.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func benchStore(b *testing.B) store.Store {
	b.Helper()
	bench.once.Do(func() {
		bench.dir, bench.err = os.MkdirTemp("", "presswatch-digest-bench-")
		if bench.err != nil {
			return
		}
		ctx := context.Background()
		var url string
		if url, bench.err = benchURL(ctx); bench.err != nil {
			return
		}
		bench.st, bench.err = store.Open(ctx, store.Options{URL: url, AutoMigrate: true})
		if bench.err != nil {
			return
		}
		start := time.Now()
		bench.err = seedBench(ctx, bench.st)
		b.Logf("seeded 100,000 articles into %s in %s", bench.st.Backend(), time.Since(start).Round(time.Second))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.st
}

var benchTopics = []string{"investment", "industry_labor", "infrastructure", "environment", "health_disease",
	"tourism_culture", "security_crime", "politics_governance", "land_dispute", "disaster_weather"}

func seedBench(ctx context.Context, st store.Store) error {
	q4, err := ParsePeriod(Quarterly, "2026-Q4", hcm)
	if err != nil {
		return err
	}
	w47, err := ParsePeriod(Weekly, "2026-W47", hcm)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	para := strings.Repeat("Đồng Nai province reported new investment in its industrial parks this week. ", 6) +
		"\n\n“Đồng Nai welcomes every serious investor,” a provincial official said. " +
		strings.Repeat("Analysts expect the airport to change the region's economy. ", 6)
	const total, inWeek, batch = 100000, 10000, 1000
	var arts []*article.Article
	for i := range total {
		var at time.Time
		if i < inWeek {
			at = w47.Start.Add(time.Duration(rng.Int64N(int64(w47.End.Sub(w47.Start)))))
		} else {
			// The rest of the quarter, outside W47.
			for {
				at = q4.Start.Add(time.Duration(rng.Int64N(int64(q4.End.Sub(q4.Start)))))
				if at.Before(w47.Start) || !at.Before(w47.End) {
					break
				}
			}
		}
		o := outlets[rng.IntN(len(outlets))]
		url := fmt.Sprintf("https://bench%d.example/%d", rng.IntN(40), i)
		canon, id, err := article.IDFor(url)
		if err != nil {
			return err
		}
		tone := []string{"positive", "neutral", "neutral", "negative"}[rng.IntN(4)]
		arts = append(arts, &article.Article{
			ID: id, URL: url, CanonicalURL: canon, Source: slug(o.name), Outlet: fmt.Sprintf("%s %d", o.name, rng.IntN(3)),
			Country: o.country, Lang: o.lang, Title: fmt.Sprintf("Story %d about Dong Nai", i/7), Text: para,
			Published: at.Add(-10 * time.Minute).UTC(), Collected: at.UTC(),
			Classification: &article.Classification{
				About: rng.IntN(3) > 0, Mentions: true, Relevance: rng.Float64(),
				Topics:   []string{benchTopics[rng.IntN(len(benchTopics))], benchTopics[rng.IntN(len(benchTopics))]},
				Entities: []article.Entity{{Text: "Đồng Nai", Kind: "province", Canonical: "Đồng Nai"}},
				Tone:     tone, Risk: rng.IntN(100), NeedsReview: rng.IntN(50) == 0,
				Cluster: fmt.Sprintf("c%d", i/7), At: at.UTC(),
			},
		})
		if len(arts) == batch {
			if err := st.UpsertArticles(ctx, arts); err != nil {
				return err
			}
			arts = arts[:0]
		}
	}
	return st.UpsertArticles(ctx, arts)
}

func benchmarkReport(b *testing.B, kind Kind, label string, want int) {
	st := benchStore(b)
	chromium, _ := FindChromium("")
	g := newTestGenerator(b, st.(ReportStore), chromium)
	p, err := ParsePeriod(kind, label, hcm)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		o, err := g.Generate(context.Background(), p)
		if err != nil {
			b.Fatal(err)
		}
		if o.Report.Total != want {
			b.Fatalf("report of %d articles, want %d", o.Report.Total, want)
		}
		if chromium != "" && o.PDFError != nil {
			b.Fatal(o.PDFError)
		}
	}
}

// BenchmarkReportWeek10k generates (builds, draws, renders and prints to
// PDF) the weekly report of a week with 10,000 articles. Goal: ≤ 5 s.
func BenchmarkReportWeek10k(b *testing.B) { benchmarkReport(b, Weekly, "2026-W47", 10000) }

// BenchmarkReportQuarter100k generates the quarterly report of a quarter with
// 100,000 articles. Goal: ≤ 30 s.
func BenchmarkReportQuarter100k(b *testing.B) { benchmarkReport(b, Quarterly, "2026-Q4", 100000) }

// BenchmarkBuildQuarter100k measures the figures alone (store reads and
// aggregation, no charts, HTML or PDF) for the quarter of 100,000 articles.
func BenchmarkBuildQuarter100k(b *testing.B) {
	st := benchStore(b)
	g := newTestGenerator(b, st.(ReportStore), "")
	p, err := ParsePeriod(Quarterly, "2026-Q4", hcm)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := g.b.Build(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
}

package index

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dongnai/presswatch/article"
)

// The PostgreSQL full-text search peer of BenchmarkSearchReal.
//
// Tokens: PostgreSQL gets exactly the terms the index gets — the document's
// text analysed by textnorm (folded words, CJK unigrams and bigrams, English
// stems as extra "~stem" lexemes of English documents) written as a tsvector
// with their positions — so both engines answer the same question and the
// comparison is about the engines, not the tokenizers. (PostgreSQL's own
// 'simple' configuration plus unaccent would fold Vietnamese too, but it
// has no CJK segmentation: 同奈省 would be one lexeme and 同奈 would not find
// it. Pre-segmented tokens are what a fair deployment would do.) Queries are
// tsquery of the same terms: a phrase with <N> distances, a bare ASCII word
// as ('word' | '~stem').
//
// Per query, PostgreSQL runs what the search page needs before facets: the
// total (count(*)) and the first 20 hits in the requested order
// (ts_rank for relevance, published for newest, risk for risk). It computes
// no facets, no histogram and no snippets — less work than the index does per
// query, which favours PostgreSQL.
//
// Schema: table docs_g<version>_<corpus>_n<size> in the database pw_searchbench
// (created when missing), GIN index on the tsvector, btree on published;
// loaded once with COPY (pgx CopyFrom) into a staging table and cast to
// tsvector, then kept for the next run. The server's own settings are used.

const pgBenchDB = "pw_searchbench"

// pgLexemes writes the document's terms as a tsvector literal.
func pgLexemes(a *article.Article) string {
	_, terms, stems, _ := analyzeDoc(a)
	pos := map[string][]int{}
	var order []string
	add := func(k string, p int) {
		p++ // tsvector positions start at 1
		if p > 16383 {
			p = 16383
		}
		if _, ok := pos[k]; !ok {
			order = append(order, k)
		}
		if l := pos[k]; len(l) == 0 || l[len(l)-1] != p {
			pos[k] = append(l, p)
		}
	}
	for _, t := range terms {
		add(t.Text, t.Pos)
	}
	for _, t := range stems {
		add("~"+t.Text, t.Pos)
	}
	var b strings.Builder
	for _, k := range order {
		b.WriteString(pgQuote(k))
		for i, p := range pos[k] {
			if i == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
		b.WriteByte(' ')
	}
	return b.String()
}

func pgQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// pgTSQuery is the query's tsquery.
func pgTSQuery(q realQuery) string {
	var parts []string
	for _, c := range q.Clauses {
		if len(c.Terms) == 1 {
			if c.Stem != "" {
				parts = append(parts, "("+pgQuote(c.Terms[0])+" | "+pgQuote("~"+c.Stem)+")")
			} else {
				parts = append(parts, pgQuote(c.Terms[0]))
			}
			continue
		}
		var b strings.Builder
		b.WriteByte('(')
		for k, t := range c.Terms {
			if k > 0 {
				fmt.Fprintf(&b, " <%d> ", c.Rel[k]-c.Rel[k-1])
			}
			b.WriteString(pgQuote(t))
		}
		b.WriteByte(')')
		parts = append(parts, b.String())
	}
	return strings.Join(parts, " & ")
}

// pgWhere is the WHERE clause of q ($1 is the tsquery) and its arguments.
func pgWhere(q realQuery) (string, []any) {
	w := "tsv @@ $1::tsquery"
	args := []any{pgTSQuery(q)}
	if q.About {
		w += " AND about"
	}
	if !q.Req.Since.IsZero() {
		args = append(args, q.Req.Since, q.Req.Until)
		w += fmt.Sprintf(" AND published >= $%d AND published < $%d", len(args)-1, len(args))
	}
	return w, args
}

func pgConnect(ctx context.Context, url string) (*pgx.Conn, error) {
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", pgBenchDB).Scan(&exists); err != nil {
		admin.Close(ctx)
		return nil, err
	}
	if !exists {
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgBenchDB); err != nil {
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "42P04" { // duplicate_database: another run made it
				admin.Close(ctx)
				return nil, err
			}
		}
	}
	admin.Close(ctx)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.Database = pgBenchDB
	return pgx.ConnectConfig(ctx, cfg)
}

// pgLoad fills the table when it is missing (or incomplete) and returns the
// load time (0 when it was already there).
func pgLoad(ctx context.Context, b *testing.B, conn *pgx.Conn, env *realEnv, table string) (time.Duration, error) {
	if _, err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS pw_done (name text PRIMARY KEY, load_s float8)"); err != nil {
		return 0, err
	}
	// One loader at a time: another run may be loading the same table.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", table); err != nil {
		return 0, err
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext($1))", table) }()
	var dummy float64
	err := conn.QueryRow(ctx, "SELECT load_s FROM pw_done WHERE name = $1", table).Scan(&dummy)
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	stage := table + "_stage"
	for _, s := range []string{
		"DROP TABLE IF EXISTS " + table, "DROP TABLE IF EXISTS " + stage,
		"CREATE UNLOGGED TABLE " + stage + " (n int, about bool, published timestamptz, risk int, lex text)",
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return 0, err
		}
	}
	start := time.Now()
	rows := make(chan []any, 4096)
	errc := make(chan error, 1)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(rows)
		errc <- env.g.produce(pctx, 0, env.n, 500, func(a *article.Article) any { return pgLexemes(a) },
			func(first int, arts []*article.Article, extra []any) error {
				for k, a := range arts {
					select {
					case rows <- []any{int32(first + k), a.Classification.About, a.Published, int32(a.Classification.Risk), extra[k].(string)}:
					case <-pctx.Done():
						return pctx.Err()
					}
				}
				return nil
			})
	}()
	src := pgx.CopyFromFunc(func() ([]any, error) {
		r, ok := <-rows
		if !ok {
			return nil, nil
		}
		return r, nil
	})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{stage}, []string{"n", "about", "published", "risk", "lex"}, src); err != nil {
		return 0, err
	}
	if err := <-errc; err != nil {
		return 0, err
	}
	b.Logf("PostgreSQL: copied %d rows in %s", env.n, time.Since(start).Round(time.Second))
	for _, s := range []string{
		"CREATE TABLE " + table + " AS SELECT n, about, published, risk, lex::tsvector AS tsv FROM " + stage,
		"DROP TABLE " + stage,
		"ALTER TABLE " + table + " ADD PRIMARY KEY (n)",
		"CREATE INDEX ON " + table + " USING gin (tsv)",
		"CREATE INDEX ON " + table + " (published)",
		"ANALYZE " + table,
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return 0, fmt.Errorf("%s: %w", s, err)
		}
	}
	el := time.Since(start)
	if _, err := conn.Exec(ctx, "INSERT INTO pw_done VALUES ($1, $2)", table, el.Seconds()); err != nil {
		return 0, err
	}
	return el, nil
}

func pgBench(b *testing.B, env *realEnv, url string) {
	ctx := context.Background()
	conn, err := pgConnect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	table := fmt.Sprintf("docs_g%d_%s_n%d", realGenVersion, env.g.corpus, env.n)
	loaded, err := pgLoad(ctx, b, conn, env, table)
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	if err := conn.QueryRow(ctx, "SELECT pg_total_relation_size($1)", table).Scan(&size); err != nil {
		b.Fatal(err)
	}
	if loaded > 0 {
		b.Run("pg-load", func(b *testing.B) {
			for b.Loop() {
			}
			b.ReportMetric(float64(env.n)/loaded.Seconds(), "docs/s")
			b.ReportMetric(loaded.Seconds(), "load-s")
			b.ReportMetric(loadAvg(), "load1")
		})
	}
	queries := env.qs.Queries
	pass := func(b *testing.B) {
		var lat []time.Duration
		var hits int64
		cpu0 := cpuTime()
		for b.Loop() {
			lat = lat[:0]
			for _, q := range queries {
				where, args := pgWhere(q)
				order := "ts_rank(tsv, $1::tsquery) DESC, n"
				switch q.Req.Sort {
				case SortNewest:
					order = "published DESC, n"
				case SortRisk:
					order = "risk DESC, published DESC, n"
				}
				start := time.Now()
				var total int64
				if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE "+where, args...).Scan(&total); err != nil {
					b.Fatalf("%s: %v", args[0], err)
				}
				rows, err := conn.Query(ctx, "SELECT n FROM "+table+" WHERE "+where+" ORDER BY "+order+" LIMIT 20", args...)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				hits += total
			}
		}
		reportLatency(b, lat)
		b.ReportMetric(ms(cpuTime()-cpu0)/float64(b.N*len(queries)), "client-cpu-ms/query")
		b.ReportMetric(float64(hits)/float64(b.N*len(queries)), "hits/query")
		b.ReportMetric(float64(len(queries)), "queries")
		b.ReportMetric(float64(env.n), "articles")
		b.ReportMetric(float64(size)/float64(env.n), "table+index-bytes/doc")
	}
	b.Run("pg-first-pass", pass)
	b.Run("pg-warm", pass)
	b.Run("pg-recall", func(b *testing.B) {
		var rs recallStats
		for b.Loop() {
			rs = recallStats{}
			for i, q := range queries {
				where, args := pgWhere(q)
				rows, err := conn.Query(ctx, "SELECT n FROM "+table+" WHERE "+where, args...)
				if err != nil {
					b.Fatal(err)
				}
				got := roaring.New()
				for rows.Next() {
					var v int32
					if err := rows.Scan(&v); err != nil {
						b.Fatal(err)
					}
					got.Add(uint32(v))
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				rs.add(got, env.qs.truth[i], got.GetCardinality())
			}
		}
		rs.report(b)
	})
}

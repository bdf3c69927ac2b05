package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// searchPeerTable puts the realistic search's rows side by side with its
// PostgreSQL peer's: the same queries' latencies, the ratio, and what each
// side's results were checked against. It returns "" when either side is
// missing (no PRESSWATCH_TEST_POSTGRES, or PRESSWATCH_BENCH_REAL_SKIP).
func searchPeerTable(rows [][3]string) string {
	m := benchMetrics(rows, "BenchmarkSearchReal/")
	first, warm := m["first-seen"], m["warm"]
	pgFirst, pgWarm := m["pg-first-pass"], m["pg-warm"]
	if first == nil || warm == nil || pgFirst == nil || pgWarm == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Side by side, from the rows above (same run, same documents and queries):\n\n")
	fmt.Fprintf(&b, "| %s queries at %s documents | presswatch (Bleve, in-process) | PostgreSQL FTS (loopback) | PostgreSQL ÷ presswatch |\n| --- | ---: | ---: | ---: |\n",
		thousands(first["queries"]), thousands(first["articles"]))
	pair := func(label, bleveName string, bl, pg map[string]float64) {
		fmt.Fprintf(&b, "| %s, p50 / p99 | %s / %s ms (%s) | %s / %s ms | %s / %s |\n", label,
			msStr(bl["p50-ms"]), msStr(bl["p99-ms"]), bleveName, msStr(pg["p50-ms"]), msStr(pg["p99-ms"]),
			ratio(pg["p50-ms"], bl["p50-ms"]), ratio(pg["p99-ms"], bl["p99-ms"]))
	}
	pair("a query's first run", "first-seen", first, pgFirst)
	pair("the query again", "warm", warm, pgWarm)
	b.WriteString("| what each query returns | count, 20 hits, facets, histogram, highlights | count and 20 rows | |\n")
	bleveTruth := "not checked"
	switch {
	case m["recall"] != nil:
		bleveTruth = setsChecked(m["recall"])
	case m["totals"] != nil:
		t := m["totals"]
		bleveTruth = fmt.Sprintf("totals agree with the truth's set sizes on %s of %s queries (set-by-set pass left out)",
			thousands(t["totals-agree"]*t["queries"]), thousands(t["queries"]))
	}
	pgTruth := "not checked"
	if r := m["pg-recall"]; r != nil {
		pgTruth = setsChecked(r)
	}
	fmt.Fprintf(&b, "| against the ground truth | %s | %s | |\n\n", bleveTruth, pgTruth)
	return b.String()
}

// setsChecked says what a recall row found.
func setsChecked(r map[string]float64) string {
	return fmt.Sprintf("recall %.3f, precision %.3f, %s of %s sets exact", r["recall"], r["precision"],
		thousands(r["exact-sets"]*r["queries"]), thousands(r["queries"]))
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// benchMetrics maps each row under prefix (its name without the prefix and
// the -GOMAXPROCS suffix) to its metrics by unit.
func benchMetrics(rows [][3]string, prefix string) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, r := range rows {
		name, ok := strings.CutPrefix(r[0], prefix)
		if !ok {
			continue
		}
		ms := map[string]float64{}
		for _, f := range strings.Split(r[2], ", ") {
			v, unit, ok := strings.Cut(f, " ")
			if !ok {
				continue
			}
			if x, err := strconv.ParseFloat(v, 64); err == nil {
				ms[unit] = x
			}
		}
		out[procSuffix.ReplaceAllString(name, "")] = ms
	}
	return out
}

// msStr writes a latency in ms: one decimal below 1,000, whole ms with
// thousands separators above.
func msStr(v float64) string {
	if v >= 1000 {
		return thousands(v)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// ratio is a ÷ b as "18.6×" (whole numbers from 100×).
func ratio(a, b float64) string {
	if b <= 0 {
		return "–"
	}
	r := a / b
	if r >= 100 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.1f×", r)
}

// thousands writes v rounded to a whole number with comma separators.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

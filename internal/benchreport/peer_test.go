package main

import (
	"strings"
	"testing"
	"time"
)

// Rows as go test prints them (a shortened 100,000-document run).
const searchRealOut = `BenchmarkSearchReal/first-seen-2         	       1	4143047304 ns/op	    100000 articles	         6.481 cpu-ms/query	      3319 hits/query	         3.154 p50-ms	        19.47 p99-ms	      1000 queries
BenchmarkSearchReal/warm-2               	       1	2573067487 ns/op	    100000 articles	         2.287 p50-ms	         8.931 p99-ms	      1000 queries
BenchmarkSearchReal/totals-2             	       1	     41930 ns/op	      1000 queries	         0.998 totals-agree	      3319 truth-hits/query
BenchmarkSearchReal/pg-first-pass-2      	       1	57953606442 ns/op	    100000 articles	        12.55 p50-ms	       543.6 p99-ms	      1000 queries
BenchmarkSearchReal/pg-warm-2            	       1	56107150331 ns/op	    100000 articles	        12.48 p50-ms	      1466 p99-ms	      1000 queries
BenchmarkSearchReal/pg-recall-2          	       1	22522947125 ns/op	         0.7730 exact-sets	         1.000 min-recall	         0.9185 precision	      1000 queries	         1.000 recall
`

func TestSearchPeerTable(t *testing.T) {
	got := searchPeerTable(parse(searchRealOut))
	for _, want := range []string{
		"| 1,000 queries at 100,000 documents |",
		"| a query's first run, p50 / p99 | 3.2 / 19.5 ms (first-seen) | 12.6 / 543.6 ms | 4.0× / 27.9× |",
		"| the query again, p50 / p99 | 2.3 / 8.9 ms (warm) | 12.5 / 1,466 ms | 5.5× / 164× |",
		"| against the ground truth | totals agree with the truth's set sizes on 998 of 1,000 queries (set-by-set pass left out) | recall 1.000, precision 0.918, 773 of 1,000 sets exact | |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	// Without the peer's rows there is nothing to put side by side.
	var bleveOnly []string
	for _, l := range strings.Split(searchRealOut, "\n") {
		if !strings.Contains(l, "/pg-") {
			bleveOnly = append(bleveOnly, l)
		}
	}
	if got := searchPeerTable(parse(strings.Join(bleveOnly, "\n"))); got != "" {
		t.Errorf("table without PostgreSQL rows: %q", got)
	}
}

// A full run that leaves an opt-in section out keeps the last run's section,
// or says how to run it.
func TestKeptSection(t *testing.T) {
	md := []byte("# Benchmarks\n\n## A\nold a\n\n## B (1M)\n**Run:** yesterday on AMD EPYC (2 cores), took 1h37m21s; load average 2.31 at start, 1.03 at end.\nrows\n\n## C\nc\n")
	if got, run := keptSection(md, "B (1M)", "X_1M"); got != "## B (1M)\n**Run:** yesterday on AMD EPYC (2 cores), took 1h37m21s; load average 2.31 at start, 1.03 at end.\nrows\n\n" || run != "yesterday on AMD EPYC (2 cores)" {
		t.Errorf("kept %q, run %q", got, run)
	}
	if got, run := keptSection(nil, "B (1M)", "X_1M"); got != "## B (1M)\n\n_Not run: set X_1M=1._\n\n" || run != "" {
		t.Errorf("without a last run: %q, run %q", got, run)
	}
}

func TestSectionFindsOneSection(t *testing.T) {
	md := []byte("# Benchmarks\n\n## A\nold a\n\n## B (1M)\n**Run:** yesterday\nrows\n\n## C\nc\n")
	got, ok := section(md, "B (1M)")
	if !ok || got != "B (1M)\n**Run:** yesterday\nrows\n\n" {
		t.Fatalf("section = %q, %v", got, ok)
	}
	if _, ok := section(md, "B"); ok {
		t.Fatal("a title's prefix matched")
	}
}

// The 1M suite's size is always its own; its default skip gives way to the
// caller's.
func TestSuiteEnv(t *testing.T) {
	base := []string{"PRESSWATCH_BENCH_SEARCH_N=5000", "PRESSWATCH_BENCH_REAL_SKIP=cold", "HOME=/root"}
	got := suiteEnv(base, []string{"PRESSWATCH_BENCH_SEARCH_N=1000000"}, []string{"PRESSWATCH_BENCH_REAL_SKIP=recall", "X=1"})
	want := []string{"PRESSWATCH_BENCH_SEARCH_N=5000", "PRESSWATCH_BENCH_REAL_SKIP=cold", "HOME=/root", "PRESSWATCH_BENCH_SEARCH_N=1000000", "X=1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("env %q, want %q", got, want)
	}
	if len(base) != 3 || base[0] != "PRESSWATCH_BENCH_SEARCH_N=5000" {
		t.Fatalf("base changed: %q", base)
	}
}

// The header names a section kept from an earlier run, with that run's
// Run line, and says nothing of the kind when every section ran.
func TestHeaderNamesKeptSections(t *testing.T) {
	at := time.Date(2026, 12, 5, 14, 38, 0, 0, time.UTC)
	md := []byte("# Benchmarks\n\n## B (1M)\n**Run:** 2026-12-05 05:48 UTC on AMD EPYC (2 cores), took 1h37m21s; load average 2.31 at start, 1.03 at end.\nrows\n")
	_, run := keptSection(md, "B (1M)", "X_1M")
	got := header(at, "AMD EPYC, family 26 model 2, 2.69 GHz, 2 cores, 23.5 GiB RAM", "go1.26.8 linux/amd64", "ce91b17 with index mapping 11", "1.65", []string{`"B (1M)" (` + run + `)`})
	want := "- Last full run (`make bench`): 2026-12-05 14:38 UTC\n- Machine: AMD EPYC, family 26 model 2, 2.69 GHz, 2 cores, 23.5 GiB RAM\n- Go: go1.26.8 linux/amd64\n- Code: ce91b17 with index mapping 11\n- Load average at start: 1.65\n- Not rerun in this run, kept from the run its Run line names: \"B (1M)\" (2026-12-05 05:48 UTC on AMD EPYC (2 cores))\n\n"
	if !strings.HasPrefix(got, "# Benchmarks\n") || !strings.HasSuffix(got, want) {
		t.Errorf("header:\n%s", got)
	}
	if got := header(at, "m", "g", "c", "1", nil); strings.Contains(got, "Not rerun") {
		t.Errorf("nothing kept, yet:\n%s", got)
	}
}

// A kept section whose Run line names another index mapping, or none, is
// flagged in the header; one that names this run's mapping is not.
func TestMappingNote(t *testing.T) {
	for _, c := range []struct {
		run, want string
	}{
		{"2026-12-07 01:35 UTC on AMD EPYC (2 cores), code ce91b17 with index mapping 11", ""},
		{"2026-12-07 01:35 UTC on AMD EPYC (2 cores), code 0a1b2c3 with index mapping 10", "; measured with index mapping 10, not this run's 11"},
		{"2026-12-06 22:14 UTC on Intel Xeon (2 cores)", "; its Run line does not say which index mapping it measured (this run's is 11)"},
		{"code x with index mapping 110", "; measured with index mapping 110, not this run's 11"},
	} {
		if got := mappingNote(c.run, 11); got != c.want {
			t.Errorf("mappingNote(%q) = %q, want %q", c.run, got, c.want)
		}
	}
}

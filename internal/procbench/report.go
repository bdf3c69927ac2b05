package main

import (
	"fmt"
	"os/exec"
	"strings"
	"time"
)

type report struct {
	k                  knobs
	loadStart, loadEnd string
	total              time.Duration
	pollErr            string
	pw                 pwPoll
	mf                 mfPoll
	e2e                []e2eResult
}

func runOut(bin string, env []string, dir string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Dir = env, dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func mib(kib int64) string {
	if kib <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f MiB", float64(kib)/1024)
}

func ratio(a, b float64) string {
	if a <= 0 || b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f×", a/b)
}

func mfRate(r mfResult) float64 {
	if r.elapsed <= 0 || r.feeds == 0 {
		return 0
	}
	return float64(r.feeds) / r.elapsed.Seconds()
}

func (rep *report) markdown() string {
	var b strings.Builder
	k := rep.k
	pw, mf := rep.pw, rep.mf
	fmt.Fprintf(&b, "## Polling as processes: `presswatch crawler` and Miniflux %s on one farm (issues 15, 18)\n\n", minifluxVersion)
	fmt.Fprintf(&b, "Goal: ≥ 20× Miniflux's feeds/s on the 304 path, ≥ 7× with 200 ms latency, first fetch of 10,000 feeds with entries stored ≥ 5×. "+
		"Command: `go run ./internal/procbench` (run by `make bench`). Load average before: %s; after: %s; this part and the end-to-end part took %s.\n\n",
		rep.loadStart, rep.loadEnd, rep.total.Round(time.Second))
	fmt.Fprintf(&b, "**What is in.** The release binary `bin/presswatch crawler` as its own process; the farm (presssim's feed farm) as a separate process "+
		"serving %d feeds, **each on its own loopback host** (127.2.0.1 … on one port: per-host politeness applies per feed), 20 items and 20–40 KB per feed, ETag/Last-Modified; "+
		"a separate NATS JetStream process over TCP (file storage, fsync every 1 s). presswatch runs with the shipped politeness "+
		"(`per_host_concurrency` 2, `per_host_rate` 1/s, robots.txt fetched and obeyed per host, SSRF guard with `allow_hosts: [127.0.0.0/8]`), "+
		"its SQLite state store, %d pollers and `interval_min = interval_max = 1s` so that it is always saturated "+
		"(feeds it has done are re-polled during the first fetch, so that figure includes that competition). "+
		"Miniflux runs on the same farm in the same run with PostgreSQL (database `%s` on `PRESSWATCH_TEST_POSTGRES`, created and dropped), "+
		"`FETCHER_ALLOW_PRIVATE_NETWORKS=1` (it refuses loopback feeds otherwise), `WORKER_POOL_SIZE=%d`, `BATCH_SIZE=100000`, `POLLING_PARSING_ERROR_LIMIT=0`, "+
		"`POLLING_LIMIT_PER_HOST=0`, `DATABASE_MAX_CONNS=50`, its own scheduler idle (`POLLING_FREQUENCY=1440`); feeds added by OPML import through its API "+
		"(`POST /v1/import`, 1,000 per request, no fetch), each measurement queues every feed at once (`next_check_at` set due, then `PUT /v1/feeds/refresh`) "+
		"and ends when every feed's `checked_at` has moved (read from its database every 100 ms). "+
		"**What is out.** Classification, storage of articles and indexing (presswatch's first fetch ends at PubAck in JetStream with the entries recorded in its state store; "+
		"Miniflux's at its entries committed in PostgreSQL); PostgreSQL's own CPU for Miniflux; Miniflux fetches no article pages.\n\n",
		k.feeds, k.workers, mfDatabase, k.workers)
	if rep.pollErr != "" {
		fmt.Fprintf(&b, "_failed: %s_\n\n", rep.pollErr)
	}
	pwFirst := 0.0
	if pw.firstFetch > 0 {
		pwFirst = float64(k.feeds) / pw.firstFetch.Seconds()
	}
	b.WriteString("| measurement | presswatch | Miniflux | ratio | goal |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| 304 path, feeds/s (%s window) | %.0f | %.0f | %s | ≥ 20× |\n", k.window, pw.r304, mfRate(mf.r304), ratio(pw.r304, mfRate(mf.r304)))
	fmt.Fprintf(&b, "| 304 path with 200 ms per response, feeds/s | %.0f | %.0f | %s | ≥ 7× |\n", pw.r200ms, mfRate(mf.r200), ratio(pw.r200ms, mfRate(mf.r200)))
	fmt.Fprintf(&b, "| first fetch of %d feeds, feeds/s (entries stored) | %.0f (%.0f entries in %s from exec) | %.0f (%d entries in %s) | %s | ≥ 5× |\n",
		k.feeds, pwFirst, pw.firstEntries, secs(pw.firstFetch), mfRate(mf.firstFetch), mf.firstFetch.entries, secs(mf.firstFetch.elapsed), ratio(pwFirst, mfRate(mf.firstFetch)))
	pwCPUFirst := 0.0
	if k.feeds > 0 {
		pwCPUFirst = float64(pw.firstCPU.Microseconds()) / float64(k.feeds)
	}
	mfCPUFirst := 0.0
	if mf.firstFetch.feeds > 0 {
		mfCPUFirst = float64(mf.firstFetch.cpu.Microseconds()) / float64(mf.firstFetch.feeds)
	}
	mfCPU304 := 0.0
	if mf.r304.feeds > 0 {
		mfCPU304 = float64(mf.r304.cpu.Microseconds()) / float64(mf.r304.feeds)
	}
	fmt.Fprintf(&b, "| CPU per feed, first fetch (process, incl. start) | %.0f µs | %.0f µs | %s less | — |\n", pwCPUFirst, mfCPUFirst, ratio(mfCPUFirst, pwCPUFirst))
	fmt.Fprintf(&b, "| CPU per feed, 304 path | %.0f µs | %.0f µs | %s less | — |\n", pw.cpu304, mfCPU304, ratio(mfCPU304, pw.cpu304))
	fmt.Fprintf(&b, "| the farm's CPU per feed, 304 path (what serving the tool cost on the same 2 cores) | %.0f µs | %.0f µs | | — |\n", pw.farm304, mf.farm304)
	fmt.Fprintf(&b, "| peak RSS (VmHWM) | %s | %s | | ≤ 150 MiB (presswatch) |\n\n", mib(pw.hwm), mib(mf.hwm))
	fmt.Fprintf(&b, "presswatch: 99 %% of the first fetch's entries published %s after exec; process exec → first poll %s; share of 304 answers in the 304 window %.3f; in the 200 ms window %.3f (errors %.3f), %.0f cpu-µs/feed. ",
		secs(pw.first99), secs(pw.startToPoll), pw.notMod304, pw.notMod200, pw.errs200, pw.cpu200)
	fmt.Fprintf(&b, "Miniflux: first fetch %d/%d feeds checked, %d with parsing errors; 304 run %d feeds in %s; 200 ms run %d feeds in %s.\n\n",
		mf.firstFetch.feeds, k.feeds, mf.firstFetch.errors, mf.r304.feeds, secs(mf.r304.elapsed), mf.r200.feeds, secs(mf.r200.elapsed))
	b.WriteString(ceilings(k, mfRate(mf.r304), mfRate(mf.r200), pw.cpu304+pw.farm304))
	for _, e := range []struct{ what, err string }{{"presswatch first fetch / 304", pw.firstErr}, {"presswatch 200 ms", pw.latErr}, {"Miniflux", mf.err}} {
		if e.err != "" {
			fmt.Fprintf(&b, "_%s: %s_\n\n", e.what, e.err)
		}
	}
	ar := pw.art
	if ar.feeds > 0 {
		aw, awWhat := k.articleWorkers, "article workers (PRESSWATCH_PROCBENCH_ARTICLE_WORKERS)"
		if aw == 0 {
			aw, awWhat = 16, "article workers (shipped)"
		}
		fmt.Fprintf(&b, "**With article pages** (fresh crawler and farm, %d feeds on %d hosts, shipped 64 pollers and %d %s, politeness on: "+
			"each host's feed and 20 pages at ≤ 1 request/s per host; feed → page fetched → extracted (go-trafilatura) → language → SimHash → published with PubAck): "+
			"**%.0f articles in %s = %s articles/s** from exec (%s articles/s from the first poll), %.1f ms CPU per article, peak RSS %s.",
			ar.feeds, ar.feeds, aw, awWhat, ar.articles, secs(ar.elapsed), fmtRate(ar.articles, ar.elapsed), fmtRate(ar.articles, ar.sinceFirst),
			float64(ar.cpu.Microseconds())/1000/max(ar.articles, 1), mib(ar.hwm))
		// Each host answers robots.txt, its feed and 20 pages at one request
		// a second: 22 s for its 20 articles at best.
		floor := float64(ar.feeds) * 20 / 22
		if ar.elapsed > 0 && ar.sinceFirst > 0 && ar.articles/ar.sinceFirst.Seconds() >= 0.8*floor {
			fmt.Fprintf(&b, " That is near the politeness bound (%d hosts, each answering robots.txt, its feed and 20 pages at ≤ 1 request/s: about %.0f articles/s); "+
				"pages are scheduled per host (crawler/artqueue.go).", ar.feeds, floor)
		} else if ar.elapsed > 0 && ar.sinceFirst > 0 {
			fmt.Fprintf(&b, " CPU is not the limit (%.2f cores used on average), nor is politeness alone (%d hosts, each answering robots.txt, its feed and 20 pages at ≤ 1 request/s: "+
				"about %.0f articles/s at best). What bounds this run is how many hosts have pages in hand and how many pages are fetched at once: the article queue's "+
				"bound on new entries (`articleTotalCap`, crawler/artqueue.go; about 100 hosts' 20 at its 2,048) and the %d workers, one page each "+
				"(docs/crawler.md, \"The publish taken out of the workers\": the publish is not what the workers wait for).",
				ar.cpu.Seconds()/ar.elapsed.Seconds(), ar.feeds, floor, aw)
		}
		if ar.err != "" {
			fmt.Fprintf(&b, " _failed: %s_", ar.err)
		}
		b.WriteString("\n\n")
	}

	b.WriteString("## Classified end to end as processes: NATS over TCP → classifier → store → index (issue 15)\n\n")
	fmt.Fprintf(&b, "Goal: ≥ 2,000 articles/s on SQLite. **What is in.** A separate NATS JetStream process on a loopback TCP port (not the shared server); "+
		"a backlog of %d articles published to `PW_COLLECTED` first (the loader stands in for the crawler: see the polling section for the crawler's own rate), "+
		"then `bin/presswatch classifier` (decode → rules + learned model embedded in the binary → store upsert → `PW_CLASSIFIED` with PubAck → ack) and "+
		"`bin/presswatch indexer` (Bleve) as two processes; the run ends when both consumers have nothing pending or unacknowledged. "+
		"Articles: the dev corpus and the grown corpus cycled, each text padded to ~5 KB with other texts of the same language. "+
		"**What is out.** Crawling and extraction; the web UI; alerts.\n\n", k.e2eArticles)
	b.WriteString("| store | articles (mean size, languages) | articles/s from classifier exec | articles/s from the first classified | classifier CPU/article | indexer CPU/article | NATS CPU/article | most pending: classifier / indexer | pending at half-way: classifier / indexer | peak RSS classifier / indexer |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, e := range rep.e2e {
		if e.err != "" && e.elapsed == 0 {
			fmt.Fprintf(&b, "| %s | _%s_ | | | | | | | | |\n", e.backend, e.err)
			continue
		}
		per := func(d time.Duration) string {
			if e.articles == 0 {
				return "–"
			}
			return fmt.Sprintf("%.0f µs", float64(d.Microseconds())/float64(e.articles))
		}
		fmt.Fprintf(&b, "| %s | %d (%d B; %s) | **%s** | %s | %s | %s | %s | %d / %d | %d / %d | %s / %s |\n",
			e.backend, e.articles, e.bytesMean, e.langs, fmtRate(float64(e.articles), e.elapsed), fmtRate(float64(e.articles), e.sinceFirst),
			per(e.cpuClass), per(e.cpuIndex), per(e.cpuNATS), e.maxPendCls, e.maxPendIdx, e.halfPendCls, e.halfPendIdx, mib(e.hwmClass), mib(e.hwmIndex))
		if e.err != "" {
			fmt.Fprintf(&b, "| | _%s_ | | | | | | | | |\n", e.err)
		}
	}
	for _, e := range rep.e2e {
		if e.cpuStart > 0 {
			fmt.Fprintf(&b, "%s: CPU per article is counted from the first article classified; the classifier's start-up before it took %s CPU. ", e.backend, secs(e.cpuStart))
		}
	}
	b.WriteString("\n\n")
	for _, e := range rep.e2e {
		sum := e.cpuClass + e.cpuIndex + e.cpuNATS
		if e.articles == 0 || sum <= 0 {
			continue
		}
		perArt := sum.Seconds() / float64(e.articles)
		stage, most := "classifier (decode, classify, store, publish)", e.cpuClass
		if e.cpuIndex > most {
			stage, most = "indexer (Bleve)", e.cpuIndex
		}
		fmt.Fprintf(&b, "- %s: %.2f ms CPU per article in all three processes, so at most **%.0f articles/s on 2 idle cores** (%.0f per core); "+
			"the largest share is the %s with %.0f%%.\n", e.backend, perArt*1000, 2/perArt, 1/perArt, stage, 100*most.Seconds()/sum.Seconds())
	}
	b.WriteString("\nBottleneck: the stage whose consumer holds the backlog (pending at half-way) and whose process uses the most CPU per article; " +
		"on 2 shared cores the stages also compete for CPU with each other and with the NATS process.\n\n")
	return b.String()
}

// ceilings says what rates the set-up allows at most, so a ratio goal can be
// read against it: with one feed per host, per_host_rate 1/s and a 1 s
// interval, no poller can poll faster than feeds/s whatever its speed; with
// 200 ms per response, a poller that waits for its answer does at most 5
// polls a second, so workers × 5 bounds both tools (they get the same
// number of workers).
func ceilings(k knobs, mf304, mf200, cpuPerFeed float64) string {
	if k.feeds == 0 || k.workers == 0 {
		return ""
	}
	polite := float64(k.feeds)
	latency := float64(k.workers) / 0.2
	var b strings.Builder
	fmt.Fprintf(&b, "**Ceilings of this set-up.** Politeness: %d feeds on %d hosts at ≤ 1 request/s each and a 1 s interval allow at most %.0f feeds/s", k.feeds, k.feeds, polite)
	if mf304 > 0 {
		fmt.Fprintf(&b, " (%.1f× Miniflux's 304 rate in this run; the 20× goal would need %.0f feeds/s", polite/mf304, 20*mf304)
		if 20*mf304 > polite {
			b.WriteString(", above what the shipped politeness allows here)")
		} else {
			b.WriteString(")")
		}
	}
	if cpuPerFeed > 0 {
		// The crawler and the farm share the machine's two cores.
		fmt.Fprintf(&b, ". CPU: presswatch and the farm together spent %.0f µs per feed in the 304 window, so two cores allow at most %.0f feeds/s",
			cpuPerFeed, 2e6/cpuPerFeed)
		if mf304 > 0 {
			fmt.Fprintf(&b, " (%.1f× Miniflux's 304 rate)", 2e6/cpuPerFeed/mf304)
		}
	}
	fmt.Fprintf(&b, ". 200 ms per response: %d workers waiting for their answers allow at most %.0f feeds/s to either tool", k.workers, latency)
	if mf200 > 0 {
		fmt.Fprintf(&b, " (%.1f× Miniflux's rate in this run; the 7× goal would need %.0f feeds/s", latency/mf200, 7*mf200)
		if 7*mf200 > latency {
			b.WriteString(", above that bound)")
		} else {
			b.WriteString(")")
		}
	}
	b.WriteString(".\n\n")
	return b.String()
}

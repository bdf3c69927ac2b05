package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dongnai/presswatch/internal/procstat"
)

// pwPoll is presswatch's polling figures.
type pwPoll struct {
	startToPoll    time.Duration // process exec → first poll counted
	firstFetch     time.Duration // process exec → every entry published
	first99        time.Duration // process exec → 99 % of entries published
	firstEntries   float64
	firstCPU       time.Duration
	firstErr       string
	r304, cpu304   float64 // feeds/s, CPU µs per feed
	farm304        float64 // the farm process's CPU µs per feed in the 304 window
	notMod304      float64 // share of polls answered 304
	r200ms, cpu200 float64
	notMod200      float64
	errs200        float64
	hwm            int64 // KiB, VmHWM of the polling process(es)
	latErr         string
	art            artRun
}

type artRun struct {
	feeds      int
	articles   float64
	elapsed    time.Duration // exec → last article published
	sinceFirst time.Duration // first poll → last article published
	cpu        time.Duration
	hwm        int64
	err        string
}

type mfPoll struct {
	firstFetch, r304, r200 mfResult
	farm304                float64 // the farm process's CPU µs per feed in the 304 run
	hwm                    int64
	err                    string
}

// pollingBench runs the polling scenarios: presswatch then Miniflux on a
// farm without latency (first fetch, 304 path), then both on a farm with
// 200 ms added to every response (304 path), then presswatch's first fetch
// with article pages.
func pollingBench(ctx context.Context, bin, self, tmp string, k knobs, rep *report) error {
	natsDir := filepath.Join(tmp, "nats-poll")
	np, natsURL, err := startNATS(ctx, self, natsDir)
	if err != nil {
		return err
	}
	defer np.stop(30 * time.Second)
	logf("nats on %s", natsURL)

	fm, err := startFarm(ctx, self, k.feeds, 0, 0, filepath.Join(tmp, "farm0.log"))
	if err != nil {
		return err
	}
	logf("farm of %d hosts on port %d", k.feeds, fm.port)
	port := fm.port
	defer func() { _ = fm.stop() }()

	// presswatch: first fetch, then the 304 path.
	pwDir := filepath.Join(tmp, "pw")
	_ = os.MkdirAll(pwDir, 0o755)
	webPort, err := procstat.FreePort()
	if err != nil {
		return err
	}
	cfg, err := writeCrawlerConfig(pwDir, natsURL, webPort, port, k.feeds, k.workers, 0, time.Second, false)
	if err != nil {
		return err
	}
	pw := &rep.pw
	func() {
		// With PRESSWATCH_PROCBENCH_PROFILE, the crawler's CPU profiles:
		// crawler-poll.pprof is the first half of the first fetch, .1 the
		// rest of it (and its settling), .2 the 304 window; heap profiles
		// crawler-poll.pprof.heap.1 at half of the first fetch, .2 at the
		// start of the 304 window, .3 at its end.
		var prof string
		if pd := os.Getenv("PRESSWATCH_PROCBENCH_PROFILE"); pd != "" {
			prof = filepath.Join(pd, "crawler-poll.pprof")
		}
		c, err := startCrawler(ctx, bin, cfg, pwDir, prof)
		if err != nil {
			pw.firstErr = err.Error()
			return
		}
		defer func() {
			pw.hwm = max(pw.hwm, c.p.status("VmHWM"))
			if err := c.p.stop(60 * time.Second); err != nil {
				logf("crawler stop: %v", err)
			}
		}()
		want := float64(k.feeds * 20)
		var half func()
		if prof != "" {
			half = c.profileNext
		}
		first, p99, last, err := c.waitPublished(ctx, want, 10*time.Minute, half)
		pw.startToPoll = first.at.Sub(c.p.start)
		pw.first99 = p99.at.Sub(c.p.start)
		pw.firstFetch, pw.firstEntries, pw.firstCPU = last.at.Sub(c.p.start), last.published, last.cpu
		if err != nil {
			pw.firstErr = err.Error()
			return
		}
		logf("presswatch first fetch: %.0f entries in %s", last.published, pw.firstFetch.Round(time.Millisecond))
		// Let the first fetch's tail (state commits) settle, then measure.
		time.Sleep(5 * time.Second)
		if prof != "" {
			c.profileNext()
			// The heap profile's collection and writing stay out of the
			// window.
			time.Sleep(2 * time.Second)
		}
		farm0 := fm.p.cpu()
		a, b, err := c.window(ctx, k.window)
		farm1 := fm.p.cpu()
		if prof != "" {
			c.profileNext()
		}
		if err != nil {
			pw.firstErr = err.Error()
			return
		}
		pw.r304 = rate(a, b, func(s sample) float64 { return s.polls })
		if n := b.polls - a.polls; n > 0 {
			pw.cpu304 = float64((b.cpu - a.cpu).Microseconds()) / n
			pw.farm304 = float64((farm1 - farm0).Microseconds()) / n
			pw.notMod304 = (b.notMod - a.notMod) / n
		}
		logf("presswatch 304: %.0f feeds/s, %.0f cpu-µs/feed (farm %.0f), %.3f answered 304", pw.r304, pw.cpu304, pw.farm304, pw.notMod304)
	}()

	// Miniflux: first fetch, then the 304 path, on the same farm.
	var mfBin, mfURL string
	var mf *miniflux
	mr := &rep.mf
	if k.skip["miniflux"] {
		mr.err = "skipped (PRESSWATCH_PROCBENCH_SKIP)"
	} else if k.postgres == "" {
		mr.err = "skipped: PRESSWATCH_TEST_POSTGRES is not set"
	} else {
		mfBin, err = minifluxBinary(ctx)
		if err == nil {
			mfURL, err = mfDBURL(k.postgres)
		}
		if err == nil {
			err = recreateDB(ctx, k.postgres)
		}
		if err == nil {
			defer func() {
				if err := dropDB(context.WithoutCancel(ctx), k.postgres); err != nil {
					logf("drop %s: %v", mfDatabase, err)
				}
			}()
			mf, err = startMiniflux(ctx, mfBin, mfURL, tmp, k.workers)
		}
		if err == nil {
			err = mf.addFeeds(ctx, port, k.feeds)
		}
		if err == nil {
			logf("miniflux: %d feeds imported", k.feeds)
			mr.firstFetch, err = mf.refreshAll(ctx, k.feeds, 10*time.Minute)
			logf("miniflux first fetch: %d feeds, %d entries in %s", mr.firstFetch.feeds, mr.firstFetch.entries, mr.firstFetch.elapsed.Round(time.Millisecond))
		}
		if err == nil {
			farm0 := fm.p.cpu()
			mr.r304, err = mf.refreshAll(ctx, k.feeds, 10*time.Minute)
			if mr.r304.feeds > 0 {
				mr.farm304 = float64((fm.p.cpu() - farm0).Microseconds()) / float64(mr.r304.feeds)
			}
			logf("miniflux 304: %d feeds in %s", mr.r304.feeds, mr.r304.elapsed.Round(time.Millisecond))
		}
		if mf != nil {
			mr.hwm = max(mr.hwm, mf.p.status("VmHWM"))
			if serr := mf.stop(ctx); serr != nil {
				logf("miniflux stop: %v", serr)
			}
			mf = nil
		}
		if err != nil {
			mr.err = err.Error()
		}
	}

	// Both again with 200 ms added to every response.
	if !k.skip["latency"] {
		if err := fm.stop(); err != nil {
			logf("farm stop: %v", err)
		}
		fm, err = startFarm(ctx, self, k.feeds, 200*time.Millisecond, port, filepath.Join(tmp, "farm200.log"))
		if err != nil {
			return err
		}
		func() {
			c, err := startCrawler(ctx, bin, cfg, pwDir, "")
			if err != nil {
				pw.latErr = err.Error()
				return
			}
			defer func() {
				pw.hwm = max(pw.hwm, c.p.status("VmHWM"))
				_ = c.p.stop(60 * time.Second)
			}()
			// Every source is due at start (interval 1 s); let the backlog
			// and the re-dialled connections settle first.
			time.Sleep(10 * time.Second)
			a, b, err := c.window(ctx, k.window)
			if err != nil {
				pw.latErr = err.Error()
				return
			}
			pw.r200ms = rate(a, b, func(s sample) float64 { return s.polls })
			if n := b.polls - a.polls; n > 0 {
				pw.cpu200 = float64((b.cpu - a.cpu).Microseconds()) / n
				pw.notMod200 = (b.notMod - a.notMod) / n
				pw.errs200 = (b.errs - a.errs) / n
			}
			logf("presswatch 304 at 200 ms: %.0f feeds/s", pw.r200ms)
		}()
		if mr.err == "" {
			mf, err = startMiniflux(ctx, mfBin, mfURL, tmp, k.workers)
			if err == nil {
				mr.r200, err = mf.refreshAll(ctx, k.feeds, 10*time.Minute)
				logf("miniflux 304 at 200 ms: %d feeds in %s", mr.r200.feeds, mr.r200.elapsed.Round(time.Millisecond))
				mr.hwm = max(mr.hwm, mf.p.status("VmHWM"))
				_ = mf.stop(ctx)
			}
			if err != nil {
				mr.err = err.Error()
			}
		}
	}

	// presswatch with article pages: a fresh crawler on a fresh farm.
	if !k.skip["articles"] {
		if err := fm.stop(); err != nil {
			logf("farm stop: %v", err)
		}
		fm, err = startFarm(ctx, self, k.articleFeeds, 0, 0, filepath.Join(tmp, "farm-art.log"))
		if err != nil {
			return err
		}
		ar := &pw.art
		ar.feeds = k.articleFeeds
		artDir := filepath.Join(tmp, "pw-art")
		_ = os.MkdirAll(artDir, 0o755)
		wp, err := procstat.FreePort()
		if err != nil {
			return err
		}
		// The shipped pollers (64) and article workers (16): this is the
		// collection path as deployed, with politeness on.
		acfg, err := writeCrawlerConfig(artDir, natsURL, wp, fm.port, k.articleFeeds, 64, k.articleWorkers, time.Hour, true)
		if err != nil {
			return err
		}
		func() {
			c, err := startCrawler(ctx, bin, acfg, artDir, "")
			if err != nil {
				ar.err = err.Error()
				return
			}
			defer func() {
				ar.hwm = c.p.status("VmHWM")
				_ = c.p.stop(60 * time.Second)
			}()
			first, _, last, err := c.waitPublished(ctx, float64(k.articleFeeds*20), 10*time.Minute, nil)
			ar.articles, ar.elapsed, ar.cpu = last.published, last.at.Sub(c.p.start), last.cpu
			ar.sinceFirst = last.at.Sub(first.at)
			if err != nil {
				ar.err = err.Error()
			}
			logf("presswatch with articles: %.0f in %s", ar.articles, ar.elapsed.Round(time.Millisecond))
		}()
	}
	return nil
}

func fmtRate(n float64, d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", n/d.Seconds())
}

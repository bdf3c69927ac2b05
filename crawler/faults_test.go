package crawler

import (
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/presssim"
	"golang.org/x/text/unicode/norm"
)

// TestFaults gives one source a fault presssim can inject and checks that it
// leaves a clear error (or, for charset faults, correct text) on that source
// while a healthy source next to it goes on.
func TestFaults(t *testing.T) {
	tests := []struct {
		name    string
		fault   presssim.Fault
		site    bool   // crawl the faulty outlet as a site instead of a feed
		wantErr string // substring of the source's LastError; "" = must succeed
		check   func(t *testing.T, e *env, st sourceStateView)
		publish bool // wait for the faulty source's articles
		// pausesHost: the fault pauses the shared host (127.0.0.1), where the
		// healthy outlet's article pages also live: its pages are deferred
		// until the pause ends, so wait for its poll, not its articles.
		pausesHost bool
	}{
		{name: "hang", fault: presssim.Fault{Kind: presssim.FaultHang, Target: "feed"}, wantErr: "timed out"},
		{name: "stall", fault: presssim.Fault{Kind: presssim.FaultStall, Target: "feed"}, wantErr: "timed out"},
		{name: "gzip bomb", fault: presssim.Fault{Kind: presssim.FaultGzipBomb, Target: "feed"}, wantErr: "exceeds the size limit"},
		{name: "huge", fault: presssim.Fault{Kind: presssim.FaultHuge, Target: "feed"}, wantErr: "exceeds the size limit"},
		{name: "redirect loop", fault: presssim.Fault{Kind: presssim.FaultRedirectLoop, Target: "feed"}, wantErr: "too many redirects"},
		{name: "truncated", fault: presssim.Fault{Kind: presssim.FaultTruncated, Target: "feed"}, wantErr: "malformed feed XML"},
		{name: "503", fault: presssim.Fault{Kind: presssim.FaultStatus, Status: 503, Target: "feed"}, wantErr: "HTTP 503",
			check: func(t *testing.T, e *env, st sourceStateView) {
				if wait := st.NextAttempt.Sub(st.LastAttempt); wait < 25*time.Second {
					t.Errorf("backoff after 503 is %s, want at least half of interval_min", wait)
				}
			}},
		{name: "429", fault: presssim.Fault{Kind: presssim.FaultRateLimit, RetryAfter: 300 * time.Second, Target: "feed"}, wantErr: "HTTP 429",
			pausesHost: true,
			check: func(t *testing.T, e *env, st sourceStateView) {
				if wait := st.NextAttempt.Sub(st.LastAttempt); wait < 299*time.Second {
					t.Errorf("next attempt %s after a 429 with Retry-After 300s", wait)
				}
			}},
		{name: "robots disallow", fault: presssim.Fault{Kind: presssim.FaultRobotsDisallow}, site: true, wantErr: "disallowed by robots.txt",
			check: func(t *testing.T, e *env, st sourceStateView) {
				if n := e.sim.Hits("/viendong/"); n != 0 {
					t.Errorf("disallowed home page fetched %d times", n)
				}
			}},
		{name: "wrong charset", publish: true, fault: presssim.Fault{Kind: presssim.FaultWrongCharset}, check: checkVietnamese},
		{name: "mislabeled utf-8", publish: true, fault: presssim.Fault{Kind: presssim.FaultMislabeledUTF8}, check: checkVietnamese},
		{name: "no charset", publish: true, fault: presssim.Fault{Kind: presssim.FaultNoCharset}, check: checkVietnamese},
		{name: "bad dates", fault: presssim.Fault{Kind: presssim.FaultBadDates}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, presssim.Options{})
			if err := e.sim.SetFault("viendong", tt.fault); err != nil {
				t.Fatal(err)
			}
			vd, ok := e.info(t, "viendong"), e.info(t, "meridian")
			bad := feedSource("viendong", vd.RSS, "vi")
			if tt.site {
				bad = Source{Name: "viendong", Kind: KindSite, URLs: []string{vd.Home}, Lang: "vi", AllowedDomains: []string{"127.0.0.1"},
					Depth: 1, IntervalMin: time.Minute, IntervalMax: time.Hour}
			}
			bad.IntervalMin = 50 * time.Second
			// The healthy outlet is reached as "localhost": presssim serves every
			// outlet from 127.0.0.1, and a 429's Retry-After rightly pauses the
			// whole host, which would otherwise starve the healthy source too.
			good := feedSource("meridian", strings.Replace(ok.RSS, "127.0.0.1", "localhost", 1), "en")
			timeout := 15 * time.Second // generous: the machine may be loaded (and -race is slow)
			if tt.fault.Kind == presssim.FaultHang || tt.fault.Kind == presssim.FaultStall {
				timeout = time.Second
			}
			c := e.crawler(t, []Source{bad, good}, func(o *Options) { o.HTTP.Timeout = timeout })
			runUntil(t, c, 60*time.Second, func() bool {
				by := e.pub.bySource()
				healthy := len(by["meridian"]) > 0
				if tt.pausesHost {
					healthy = !e.state(t, "meridian").LastSuccess.IsZero()
				}
				return !e.state(t, "viendong").LastAttempt.IsZero() && healthy && (!tt.publish || len(by["viendong"]) >= 5)
			})
			st := sourceStateView(e.state(t, "viendong"))
			if tt.wantErr == "" {
				if st.ConsecutiveErrors != 0 {
					t.Fatalf("unexpected error: %s", st.LastError)
				}
			} else if st.ConsecutiveErrors == 0 || !strings.Contains(st.LastError, tt.wantErr) {
				t.Fatalf("LastError = %q (errors %d), want %q", st.LastError, st.ConsecutiveErrors, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, e, st)
			}
			if gst := e.state(t, "meridian"); gst.ConsecutiveErrors != 0 {
				t.Errorf("healthy source failed: %s", gst.LastError)
			}
		})
	}
}

// checkVietnamese verifies the faulty Vietnamese outlet's articles were read
// in the right encoding: their titles equal presssim's truth in NFC.
func checkVietnamese(t *testing.T, e *env, _ sourceStateView) {
	arts := e.pub.bySource()["viendong"]
	if len(arts) == 0 {
		t.Fatal("no viendong article published")
	}
	compared := 0
	for _, a := range arts {
		truth, ok := e.sim.TruthFor(a.URL)
		if !ok {
			continue
		}
		if strings.Contains(a.Title, "\uFFFD") || strings.Contains(a.Title, "Ã") {
			t.Errorf("mojibake in title %q", a.Title)
		}
		// presssim's windows-1258 encoder writes '?' for letters whose base
		// needs a horn, circumflex or breve (it decomposes them fully), so
		// only titles without such letters can round-trip exactly.
		if strings.ContainsAny(norm.NFD.String(truth.Title), "\u031B\u0302\u0306") && strings.Contains(a.Title, "?") {
			continue
		}
		compared++
		if want := nfc(truth.Title); a.Title != want {
			t.Errorf("title %q, want %q", a.Title, want)
		}
	}
	if compared == 0 {
		t.Error("no title could be compared")
	}
}

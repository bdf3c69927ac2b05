package crawler

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/crawler/fetch"
	"github.com/dongnai/presswatch/presssim"
)

// pageGate is presssim's farm behind a gate: it answers no article page until
// article pages of want different hosts are in flight at once, and it
// records, per host, the most pages in flight at once.
type pageGate struct {
	next http.Handler
	want int

	mu       sync.Mutex
	inflight map[string]int
	maxHost  map[string]int
	hosts    map[string]bool // hosts whose pages were requested
	open     chan struct{}
	opened   bool
}

func (g *pageGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.Contains(r.URL.Path, "/a/") { // feeds and robots.txt pass
		g.next.ServeHTTP(w, r)
		return
	}
	host, _, _ := net.SplitHostPort(r.Host)
	g.mu.Lock()
	g.inflight[host]++
	g.maxHost[host] = max(g.maxHost[host], g.inflight[host])
	g.hosts[host] = true
	busy := 0
	for _, n := range g.inflight {
		if n > 0 {
			busy++
		}
	}
	if busy >= g.want && !g.opened {
		g.opened = true
		close(g.open)
	}
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.inflight[host]--
		g.mu.Unlock()
	}()
	select {
	case <-g.open:
		g.next.ServeHTTP(w, r)
	case <-r.Context().Done():
	}
}

func (g *pageGate) isOpen() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.opened
}

// serveOnHosts serves h on 127.4.0.1 … 127.4.0.n (Linux routes all of
// 127.0.0.0/8 to the loopback interface), all on one port.
func serveOnHosts(t *testing.T, h http.Handler, n int) (hosts []string, port int) {
	t.Helper()
	for attempt := 0; attempt < 5; attempt++ {
		var lns []net.Listener
		port = 0
		ok := true
		for i := range n {
			addr := net.JoinHostPort(fmt.Sprintf("127.4.0.%d", i+1), strconv.Itoa(port))
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				if port == 0 {
					t.Skipf("cannot listen on %s: %v", addr, err)
				}
				ok = false // the port is taken on that address: another port
				break
			}
			if port == 0 {
				port = ln.Addr().(*net.TCPAddr).Port
			}
			lns = append(lns, ln)
		}
		if !ok {
			for _, ln := range lns {
				ln.Close()
			}
			continue
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		for _, ln := range lns {
			go srv.Serve(ln)
		}
		t.Cleanup(func() { srv.Close() })
		hosts = make([]string, n)
		for i := range n {
			hosts[i] = fmt.Sprintf("127.4.0.%d", i+1)
		}
		return hosts, port
	}
	t.Fatal("no port free on every loopback host")
	return nil, 0
}

// TestArticlePagesFromManyHostsAtOnce: twelve feeds of 20 entries, each on
// its own host, polled one after the other by a single poller, with the
// shipped politeness (2 requests at once and 1 per second per host). The
// server answers no article page until pages of 8 hosts (the article
// workers) are in flight at once: with pages taken in feed order from one
// queue, the workers all hold pages of the first feed's host and wait on its
// limit, so that never happens and the test times out. Nothing here depends
// on how fast the machine is.
func TestArticlePagesFromManyHostsAtOnce(t *testing.T) {
	const feeds, workers = 12, 8
	e := newEnv(t, presssim.Options{NoCorpus: true, Farm: feeds})
	g := &pageGate{next: e.sim, want: workers, inflight: map[string]int{}, maxHost: map[string]int{}, hosts: map[string]bool{}, open: make(chan struct{})}
	hosts, port := serveOnHosts(t, g, feeds)
	var sources []Source
	for i, h := range hosts {
		u := "http://" + h + ":" + strconv.Itoa(port) + "/farm/" + strconv.Itoa(i) + "/feed.xml"
		sources = append(sources, feedSource("farm"+strconv.Itoa(i), u, "en"))
	}
	c := e.crawler(t, sources, func(o *Options) {
		o.Workers, o.ArticleWorkers = 1, workers
		o.HTTP = fetch.Options{AllowHosts: []string{"127.0.0.0/8"}, PerHost: fetch.HostLimit{Concurrency: 2, Rate: 1},
			Timeout: 30 * time.Second, MaxBodyBytes: 4 << 20}
	})
	runUntil(t, c, 90*time.Second, func() bool {
		if !g.isOpen() {
			return false
		}
		by := e.pub.bySource()
		for _, s := range sources {
			if len(by[s.Name]) == 0 {
				return false
			}
		}
		return true
	})
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.hosts) != feeds {
		t.Errorf("article pages requested from %d hosts, want %d", len(g.hosts), feeds)
	}
	for h, n := range g.maxHost {
		if n > 2 {
			t.Errorf("%s had %d article pages in flight at once; its limit is 2", h, n)
		}
	}
	for _, s := range sources {
		for _, a := range e.pub.bySource()[s.Name] {
			if a.Text == "" {
				t.Errorf("%s: published without its page's text", a.URL)
			}
		}
	}
}

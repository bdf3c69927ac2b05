package procstat

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestScrapeSumsFamiliesAndSeries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "# HELP x\n# TYPE presswatch_crawler_polls_total counter\n"+
			"presswatch_crawler_polls_total{kind=\"feed\",status=\"ok\"} 3\n"+
			"presswatch_crawler_polls_total{kind=\"feed\",status=\"not_modified\"} 4.5e+03\n"+
			"presswatch_crawler_articles_published_total 7\n"+
			"go_memstats_heap_inuse_bytes 1.048576e+06\n")
	}))
	defer srv.Close()
	m, err := Scrape(context.Background(), srv.Client(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{
		"presswatch_crawler_polls_total":                                    4503,
		`presswatch_crawler_polls_total{kind="feed",status="not_modified"}`: 4500,
		"presswatch_crawler_articles_published_total":                       7,
		"go_memstats_heap_inuse_bytes":                                      1 << 20,
	} {
		if m[name] != want {
			t.Errorf("%s = %v, want %v", name, m[name], want)
		}
	}
}

func TestScrapeRefusesAnErrorPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	if _, err := Scrape(context.Background(), srv.Client(), srv.URL); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("err = %v, want the 503", err)
	}
}

func TestStatus(t *testing.T) {
	st, err := Status(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if st["VmHWM"] <= 0 || st["VmRSS"] <= 0 || st["VmHWM"] < st["VmRSS"] {
		t.Errorf("VmHWM %d kB, VmRSS %d kB: not a peak and a current size", st["VmHWM"], st["VmRSS"])
	}
}

func TestFreePortAndLoadAvg(t *testing.T) {
	p, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		t.Fatalf("port %d was not free: %v", p, err)
	}
	ln.Close()
	if _, err := os.Stat("/proc/loadavg"); err == nil {
		if f := strings.Fields(LoadAvg()); len(f) != 3 {
			t.Errorf("LoadAvg() = %q, want three figures", LoadAvg())
		}
	}
}

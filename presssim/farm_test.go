package presssim_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/dongnai/presswatch/presssim"
)

func TestFarmDeterministic(t *testing.T) {
	a := start(t, presssim.Options{Farm: 500, NoCorpus: true})
	b := start(t, presssim.Options{Farm: 500, NoCorpus: true})
	fp := gofeed.NewParser()
	sizes := map[int]bool{}
	for _, i := range []int{0, 1, 2, 17, 250, 499} {
		ra, rb := get(t, a.FarmFeedURL(i)), get(t, b.FarmFeedURL(i))
		// Same bytes but for the address in the links.
		if !bytes.Equal(bytes.ReplaceAll(ra.body, []byte(a.URL()), nil), bytes.ReplaceAll(rb.body, []byte(b.URL()), nil)) {
			t.Errorf("feed %d differs between two farms", i)
		}
		if ra.header.Get("ETag") != rb.header.Get("ETag") || ra.header.Get("Last-Modified") != rb.header.Get("Last-Modified") {
			t.Errorf("feed %d validators differ", i)
		}
		if n := len(ra.body); n < 20000 || n > 40000 {
			t.Errorf("feed %d is %d bytes, want 20–40 KB", i, n)
		}
		sizes[len(ra.body)/1000] = true
		f, err := fp.ParseString(string(ra.body))
		if err != nil {
			t.Fatalf("feed %d: %v", i, err)
		}
		if len(f.Items) != 20 {
			t.Errorf("feed %d has %d items", i, len(f.Items))
		}
		for _, it := range f.Items {
			if it.PublishedParsed == nil || it.Title == "" || it.Description == "" {
				t.Errorf("feed %d: incomplete item %q", i, it.Link)
			}
		}
		if r := get(t, f.Items[0].Link); r.status != 200 || !bytes.Contains(r.body, []byte(`rel="canonical"`)) {
			t.Errorf("feed %d: article %s: %d", i, f.Items[0].Link, r.status)
		}
	}
	for i := range 500 {
		if n := len(get(t, a.FarmFeedURL(i)).body); n < 20000 || n > 40000 {
			t.Errorf("feed %d is %d bytes, want 20–40 KB", i, n)
		}
	}
	if len(sizes) < 3 {
		t.Errorf("feed sizes do not vary: %v", sizes)
	}
	if r := get(t, a.URL()+"/farm/500/feed.xml"); r.status != 404 {
		t.Errorf("feed past the farm: %d", r.status)
	}
	if r := get(t, a.URL()+"/farm/3/a/99.html"); r.status != 404 {
		t.Errorf("article not yet published: %d", r.status)
	}
}

func TestFarmChange(t *testing.T) {
	const n = 2000
	s := start(t, presssim.Options{Farm: n, NoCorpus: true})
	etags := make([]string, n)
	for i := range n {
		if i%10 == 0 { // a sample is enough
			etags[i] = get(t, s.FarmFeedURL(i)).header.Get("ETag")
		}
	}
	changed := s.ChangeFarm(0.1)
	if changed < n*6/100 || changed > n*14/100 {
		t.Errorf("ChangeFarm(0.1) changed %d of %d feeds", changed, n)
	}
	var modified, unchanged int
	fp := gofeed.NewParser()
	for i := 0; i < n; i += 10 {
		r := get(t, s.FarmFeedURL(i), "If-None-Match", etags[i])
		switch {
		case s.FarmVersion(i) == 1 && r.status == 200:
			modified++
			f, err := fp.ParseString(string(r.body))
			if err != nil {
				t.Fatal(err)
			}
			// One new item on top, the oldest one gone.
			if !strings.HasSuffix(f.Items[0].Link, "/a/20.html") || !strings.HasSuffix(f.Items[19].Link, "/a/1.html") {
				t.Errorf("feed %d after a change: first %s, last %s", i, f.Items[0].Link, f.Items[19].Link)
			}
		case s.FarmVersion(i) == 0 && r.status == 304:
			unchanged++
		default:
			t.Errorf("feed %d version %d: status %d", i, s.FarmVersion(i), r.status)
		}
	}
	if modified == 0 || unchanged == 0 {
		t.Errorf("%d modified, %d unchanged in the sample", modified, unchanged)
	}
	if all := s.ChangeFarm(1); all != n {
		t.Errorf("ChangeFarm(1) changed %d, want %d", all, n)
	}
}

func TestFarmFault(t *testing.T) {
	s := start(t, presssim.Options{Farm: 10, NoCorpus: true})
	setFault(t, s, "farm", presssim.Fault{Kind: presssim.FaultStatus, Status: 502, Times: 1})
	if r := get(t, s.FarmFeedURL(1)); r.status != 502 {
		t.Errorf("farm fault: %d", r.status)
	}
	if r := get(t, s.FarmFeedURL(1)); r.status != 200 {
		t.Errorf("after the counted fault: %d", r.status)
	}
}

// benchFarm measures farm requests per second over loopback with parallel
// keep-alive clients. conditional sends the feed's ETag (the 304 path).
func benchFarm(b *testing.B, conditional bool) {
	const n = 10000
	s, err := presssim.New(presssim.Options{Farm: n, NoCorpus: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var mu sync.Mutex
	next := 0
	var bytesRead int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			i := next % n
			next++
			mu.Unlock()
			req, _ := http.NewRequest(http.MethodGet, s.FarmFeedURL(i), nil)
			if conditional {
				req.Header.Set("If-None-Match", fmt.Sprintf(`"f%d-0"`, i))
			}
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			k, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			want := 200
			if conditional {
				want = 304
			}
			if resp.StatusCode != want {
				b.Errorf("status %d, want %d", resp.StatusCode, want)
				return
			}
			mu.Lock()
			bytesRead += k
			mu.Unlock()
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	if !conditional {
		b.SetBytes(bytesRead / int64(max(b.N, 1)))
	}
}

func BenchmarkFarm304(b *testing.B) { benchFarm(b, true) }
func BenchmarkFarm200(b *testing.B) { benchFarm(b, false) }

// A farm served on many loopback hosts (internal/procbench) keeps each feed's
// article links on the host the feed was asked from.
func TestFarmLinksFollowHost(t *testing.T) {
	s := start(t, presssim.Options{Farm: 3, NoCorpus: true})
	req, err := http.NewRequest(http.MethodGet, s.FarmFeedURL(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "127.2.0.2:8099"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f, err := gofeed.NewParser().ParseString(string(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 20 {
		t.Fatalf("%d items", len(f.Items))
	}
	for _, it := range f.Items {
		if !strings.HasPrefix(it.Link, "http://127.2.0.2:8099/farm/1/a/") {
			t.Fatalf("link %q is not on the requested host", it.Link)
		}
	}
	if strings.Contains(string(body), s.URL()) {
		t.Errorf("feed still names the listener's address %s", s.URL())
	}
}

package presssim_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"

	"github.com/dongnai/presswatch/presssim"
)

// rawClient neither follows redirects nor decompresses.
var rawClient = &http.Client{
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func rawGet(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := rawClient.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", url, err)
	}
	return resp, b
}

func setFault(t *testing.T, s *presssim.Server, source string, f presssim.Fault) {
	t.Helper()
	if err := s.SetFault(source, f); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.ClearFault(source) })
}

func TestFaultStatusAndRateLimit(t *testing.T) {
	s := start(t, presssim.Options{})
	u := s.URL() + "/meridian/rss.xml"
	tests := []struct {
		f          presssim.Fault
		status     int
		retryAfter string
	}{
		{presssim.Fault{Kind: presssim.FaultStatus}, 503, ""},
		{presssim.Fault{Kind: presssim.FaultStatus, Status: 500}, 500, ""},
		{presssim.Fault{Kind: presssim.FaultStatus, Status: 404}, 404, ""},
		{presssim.Fault{Kind: presssim.FaultRateLimit}, 429, "120"},
		{presssim.Fault{Kind: presssim.FaultRateLimit, RetryAfter: 1500 * time.Millisecond}, 429, "2"},
	}
	for _, tc := range tests {
		setFault(t, s, "meridian", tc.f)
		resp, _ := rawGet(t, u)
		if resp.StatusCode != tc.status || resp.Header.Get("Retry-After") != tc.retryAfter {
			t.Errorf("%+v: %d Retry-After %q, want %d %q", tc.f, resp.StatusCode, resp.Header.Get("Retry-After"), tc.status, tc.retryAfter)
		}
	}
	// Other sources are unaffected.
	if r := get(t, s.URL()+"/asialedger/rss.xml"); r.status != 200 {
		t.Errorf("other source: %d", r.status)
	}
}

func TestFaultTimesAndTarget(t *testing.T) {
	s := start(t, presssim.Options{})
	setFault(t, s, "meridian", presssim.Fault{Kind: presssim.FaultStatus, Times: 2, Target: "feed"})
	art := s.ItemURL("meridian", "en-strike-shoes")
	if r := get(t, art); r.status != 200 {
		t.Errorf("article with a feed-only fault: %d", r.status)
	}
	var got []int
	for range 4 {
		got = append(got, get(t, s.URL()+"/meridian/atom.xml").status)
	}
	if want := []int{503, 503, 200, 200}; !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFaultLatency(t *testing.T) {
	s := start(t, presssim.Options{})
	setFault(t, s, "dongfang", presssim.Fault{Kind: presssim.FaultLatency, Latency: 150 * time.Millisecond})
	t0 := time.Now()
	if r := get(t, s.URL()+"/dongfang/rss.xml"); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if d := time.Since(t0); d < 150*time.Millisecond {
		t.Errorf("answered after %v, before the injected latency", d)
	}
	// A client that gives up first gets its own deadline error.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/dongfang/rss.xml", nil)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
}

func TestGlobalLatency(t *testing.T) {
	s := start(t, presssim.Options{Latency: 80 * time.Millisecond, Farm: 2})
	for _, u := range []string{s.URL() + "/meridian/rss.xml", s.FarmFeedURL(1)} {
		t0 := time.Now()
		get(t, u)
		if d := time.Since(t0); d < 80*time.Millisecond {
			t.Errorf("%s answered after %v, before Options.Latency", u, d)
		}
	}
}

func TestFaultHang(t *testing.T) {
	s := start(t, presssim.Options{})
	setFault(t, s, "hankyeol", presssim.Fault{Kind: presssim.FaultHang})
	c := &http.Client{Timeout: 200 * time.Millisecond}
	t0 := time.Now()
	_, err := c.Get(s.URL() + "/hankyeol/rss.xml")
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a client timeout", err)
	}
	if d := time.Since(t0); d < 200*time.Millisecond {
		t.Errorf("gave up after %v: the server answered instead of hanging", d)
	}
}

func TestFaultStall(t *testing.T) {
	s := start(t, presssim.Options{})
	setFault(t, s, "hankyeol", presssim.Fault{Kind: presssim.FaultStall})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/hankyeol/rss.xml", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("headers should arrive: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || len(b) == 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("status %d, %d bytes, err %v: want some bytes then the deadline", resp.StatusCode, len(b), err)
	}
}

func TestFaultRedirectLoop(t *testing.T) {
	s := start(t, presssim.Options{})
	setFault(t, s, "asialedger", presssim.Fault{Kind: presssim.FaultRedirectLoop})
	u := s.URL() + "/asialedger/rss.xml"
	seen := map[string]bool{}
	for range 6 {
		resp, _ := rawGet(t, u)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("status %d, want 302", resp.StatusCode)
		}
		u = s.URL() + resp.Header.Get("Location")
		seen[u] = true
	}
	if len(seen) != 2 {
		t.Errorf("redirects went through %d URLs, want a loop of 2: %v", len(seen), seen)
	}
	_, err := http.Get(s.URL() + "/asialedger/rss.xml")
	if err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Errorf("default client: %v", err)
	}
}

func decoderFor(charset string) *encoding.Decoder {
	switch charset {
	case "windows-1258":
		return charmap.Windows1258.NewDecoder()
	case "Shift_JIS":
		return japanese.ShiftJIS.NewDecoder()
	case "EUC-KR":
		return korean.EUCKR.NewDecoder()
	case "GBK":
		return simplifiedchinese.GBK.NewDecoder()
	}
	return charmap.Windows1252.NewDecoder()
}

func TestFaultCharsets(t *testing.T) {
	s := start(t, presssim.Options{})
	sources := []struct{ name, legacy, item string }{
		{"viendong", "windows-1258", "vi-longthanh-tienDo"},
		{"nichietsu", "Shift_JIS", "ja-japanese-investment"},
		{"hankyeol", "EUC-KR", "ko-fdi-electronics"},
		{"dongfang", "GBK", "zh-fdi-chinese-firms"},
	}
	for _, src := range sources {
		truth, ok := s.TruthFor(s.ItemURL(src.name, src.item))
		if !ok {
			t.Fatalf("%s: no item %s", src.name, src.item)
		}
		for _, path := range []string{"/rss.xml", "/atom.xml", strings.TrimPrefix(s.ItemURL(src.name, src.item), s.URL()+"/"+src.name)} {
			u := s.URL() + "/" + src.name + path
			t.Run(src.name+path, func(t *testing.T) {
				setFault(t, s, src.name, presssim.Fault{Kind: presssim.FaultWrongCharset})
				resp, b := rawGet(t, u)
				if ct := resp.Header.Get("Content-Type"); !strings.HasSuffix(ct, "charset=utf-8") {
					t.Errorf("wrong_charset: Content-Type %q should claim UTF-8", ct)
				}
				if utf8.Valid(b) {
					t.Error("wrong_charset: body is valid UTF-8")
				}
				dec, err := decoderFor(src.legacy).Bytes(b)
				if err != nil || !strings.Contains(norm.NFC.String(string(dec)), truth.Title) {
					t.Errorf("wrong_charset: decoding as %s does not give the title %q (%v)", src.legacy, truth.Title, err)
				}

				setFault(t, s, src.name, presssim.Fault{Kind: presssim.FaultNoCharset})
				resp, b = rawGet(t, u)
				if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "charset") {
					t.Errorf("no_charset: Content-Type %q", ct)
				}
				head := string(b[:min(len(b), 300)])
				if strings.Contains(head, "encoding=") || strings.Contains(head, "charset") {
					t.Errorf("no_charset: document declares a charset: %q", head)
				}
				dec, _ = decoderFor(src.legacy).Bytes(b)
				if !strings.Contains(norm.NFC.String(string(dec)), truth.Title) {
					t.Errorf("no_charset: decoding as %s does not give the title", src.legacy)
				}

				setFault(t, s, src.name, presssim.Fault{Kind: presssim.FaultMislabeledUTF8})
				resp, b = rawGet(t, u)
				if ct := resp.Header.Get("Content-Type"); !strings.HasSuffix(ct, "charset="+src.legacy) {
					t.Errorf("mislabeled_utf8: Content-Type %q", ct)
				}
				if !utf8.Valid(b) || !bytes.Contains(b, []byte(escapeText(truth.Title))) {
					t.Error("mislabeled_utf8: body is not the UTF-8 document")
				}
			})
		}
	}
}

// escapeText escapes like the simulator's templates (for titles with quotes).
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestFaultTruncated(t *testing.T) {
	s := start(t, presssim.Options{})
	setFault(t, s, "viendong", presssim.Fault{Kind: presssim.FaultTruncated})
	for _, p := range []string{"/viendong/rss.xml", "/viendong/atom.xml", "/viendong/sitemap.xml"} {
		_, b := rawGet(t, s.URL()+p)
		if err := xmlWellFormed(b); err == nil {
			t.Errorf("%s: truncated XML parses", p)
		}
	}
	if _, err := gofeed.NewParser().ParseURL(s.URL() + "/viendong/feed.json"); err == nil {
		t.Error("truncated JSON feed parses")
	}
}

func TestFaultHuge(t *testing.T) {
	s := start(t, presssim.Options{})
	// Small enough to parse: the huge document is still well formed.
	setFault(t, s, "meridian", presssim.Fault{Kind: presssim.FaultHuge, Size: 3 << 20})
	resp, b := rawGet(t, s.URL()+"/meridian/rss.xml")
	if len(b) != 3<<20 || resp.ContentLength != 3<<20 {
		t.Errorf("got %d bytes (Content-Length %d), want %d", len(b), resp.ContentLength, 3<<20)
	}
	if err := xmlWellFormed(b); err != nil {
		t.Errorf("huge RSS not well formed: %v", err)
	}
	// The default size, counted only.
	setFault(t, s, "meridian", presssim.Fault{Kind: presssim.FaultHuge})
	r, err := rawClient.Get(s.URL() + "/meridian/news/")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if err != nil || n != 50<<20 {
		t.Errorf("default huge page: %d bytes, %v; want 50 MiB", n, err)
	}
}

func TestFaultGzipBomb(t *testing.T) {
	s := start(t, presssim.Options{})
	// A small bomb inflates completely and its trailer (CRC, size) checks out.
	setFault(t, s, "nichietsu", presssim.Fault{Kind: presssim.FaultGzipBomb, Size: 8 << 20})
	resp, b := rawGet(t, s.URL()+"/nichietsu/rss.xml")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	if len(all) < 8<<20 || !bytes.HasPrefix(all, []byte("<?xml")) || !bytes.HasSuffix(all, []byte("</rss>\n")) {
		t.Errorf("inflated %d bytes, prefix %q", len(all), all[:20])
	}
	if ratio := len(all) / len(b); ratio < 500 {
		t.Errorf("compression ratio %d, want a bomb (≥ 500)", ratio)
	}
	// The default bomb inflates beyond any sane limit; read 256 MiB of it.
	s.ClearFault("nichietsu")
	setFault(t, s, "nichietsu", presssim.Fault{Kind: presssim.FaultGzipBomb})
	r, err := rawClient.Get(s.URL() + "/nichietsu/news/")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	zr, err = gzip.NewReader(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 256 << 20
	if n, err := io.CopyN(io.Discard, zr, limit); n != limit || err != nil {
		t.Errorf("inflated %d bytes (%v), want to reach the %d limit", n, err, limit)
	}
}

func TestFaultRobotsDisallow(t *testing.T) {
	s := start(t, presssim.Options{})
	setFault(t, s, "dongfang", presssim.Fault{Kind: presssim.FaultRobotsDisallow})
	if b := get(t, s.URL()+"/dongfang/robots.txt").body; !bytes.Contains(b, []byte("Disallow: /\n")) {
		t.Errorf("source robots.txt: %q", b)
	}
	if b := get(t, s.URL()+"/robots.txt").body; !bytes.Contains(b, []byte("Disallow: /dongfang/\n")) || bytes.Contains(b, []byte("Disallow: /meridian/")) {
		t.Errorf("host robots.txt: %q", b)
	}
	if b := get(t, s.URL()+"/meridian/robots.txt").body; bytes.Contains(b, []byte("Disallow: /\n")) {
		t.Errorf("unaffected source disallows: %q", b)
	}
	// Pages are still served, and counted, so a test can catch a crawler that ignores robots.txt.
	u := s.ItemURL("dongfang", "zh-merger")
	if r := get(t, u); r.status != 200 {
		t.Errorf("page: %d", r.status)
	}
	if s.Hits(strings.TrimPrefix(u, s.URL())) != 1 {
		t.Error("hit not counted")
	}
}

func TestFaultBadDates(t *testing.T) {
	s := start(t, presssim.Options{})
	setFault(t, s, "viendong", presssim.Fault{Kind: presssim.FaultBadDates})
	var rss rssDoc
	if err := xml.Unmarshal(get(t, s.URL()+"/viendong/rss.xml").body, &rss); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, it := range rss.Channel.Items {
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
			bad++
		}
	}
	if bad != len(rss.Channel.Items) {
		t.Errorf("%d of %d dates unreadable as RFC 1123, want all", bad, len(rss.Channel.Items))
	}
	f, err := gofeed.NewParser().ParseURL(s.URL() + "/viendong/atom.xml")
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, it := range f.Items {
		if it.PublishedParsed == nil {
			missing++
		}
	}
	if missing == 0 {
		t.Error("gofeed read every malformed Atom date")
	}
	page := string(get(t, s.ItemURL("viendong", "vi-trian-lu")).body)
	if strings.Contains(page, `article:published_time" content="2025-10-08T02:10:00Z"`) {
		t.Error("article page kept a well-formed date")
	}
}

func TestFaultValidation(t *testing.T) {
	s := start(t, presssim.Options{})
	for _, f := range []presssim.Fault{
		{Kind: "boom"}, {Kind: presssim.FaultStatus, Status: 302}, {Kind: presssim.FaultHuge, Size: -1},
		{Kind: presssim.FaultHang, Target: "everything"}, {Kind: presssim.FaultLatency, Latency: -time.Second},
	} {
		if err := s.SetFault("meridian", f); err == nil {
			t.Errorf("SetFault(%+v) accepted", f)
		}
	}
	if err := s.SetFault("nope", presssim.Fault{Kind: presssim.FaultHang}); err == nil {
		t.Error("fault on an unknown source accepted")
	}
	if err := s.SetFault("farm", presssim.Fault{Kind: presssim.FaultHang}); err == nil {
		t.Error("farm fault accepted without a farm")
	}
}

package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/s3test"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

func newS3(t *testing.T, srv *s3test.Server) *S3Blobs {
	t.Helper()
	b, err := NewS3Blobs(context.Background(), S3Options{Endpoint: srv.Endpoint, Bucket: "evidence", Prefix: "pw/", Region: "us-east-1",
		AccessKey: "test-access", SecretKey: "test-secret", PathStyle: true, Insecure: true, MaxRetries: 3, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// captureFixture is one alerted article on a loopback outlet and an archive
// that keeps its files in blobs.
type captureFixture struct {
	a    *Archive
	es   Store
	id   string
	url  string
	clk  *clock
	site *outlet
}

func newCaptureFixture(t *testing.T, blobs Blobs, shots Screenshotter, note string) *captureFixture {
	t.Helper()
	ctx := context.Background()
	site := &outlet{}
	site.set(200, page("Police detain 40 in Bien Hoa raid", "Police in Dong Nai detained 40 people at a gambling den."))
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	st := storetest.OpenSQLite(t)
	pageURL := srv.URL + "/news/raid"
	canon, id, err := article.IDFor(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertArticles(ctx, []*article.Article{{ID: id, URL: pageURL, CanonicalURL: canon, Source: "wire", Outlet: "Wire",
		Title: "Police detain 40 in Bien Hoa raid", Summary: "Feed summary of the raid.", Published: time.Date(2026, 11, 18, 1, 0, 0, 0, time.UTC),
		Collected: time.Date(2026, 11, 18, 1, 5, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)}
	a, err := New(Options{Store: st.(Store), Blobs: blobs, Client: srv.Client(), Extract: extractTitleText, Now: clk.Now,
		Screenshots: shots, NoScreenshot: note})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Request(ctx, id, pageURL, store.EvidenceAlert); err != nil {
		t.Fatal(err)
	}
	return &captureFixture{a: a, es: st.(Store), id: id, url: pageURL, clk: clk, site: site}
}

// TestS3RoundTrip: a capture is written to an S3 bucket (gofakes3 on
// loopback), read back whole and checked, parsed by the WARC library and
// by the independent reader; a tampered object is reported, not returned.
func TestS3RoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "evidence")
	b := newS3(t, srv)
	f := newCaptureFixture(t, b, nil, "")
	if n, err := f.a.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	snaps, _ := f.es.ListSnapshots(ctx, f.id)
	if len(snaps) != 1 {
		t.Fatalf("%d captures", len(snaps))
	}
	sn := snaps[0]
	checkWARC(t, f.a, sn, page("Police detain 40 in Bien Hoa raid", "Police in Dong Nai detained 40 people at a gambling den."))
	// The object is where the row says, under the prefix, byte for byte.
	obj, err := srv.Backend.GetObject("evidence", "pw/"+sn.WARCPath, nil)
	if err != nil {
		t.Fatalf("object pw/%s: %v", sn.WARCPath, err)
	}
	var raw bytes.Buffer
	_, _ = raw.ReadFrom(obj.Contents)
	obj.Contents.Close()
	sum := sha256.Sum256(raw.Bytes())
	if hex.EncodeToString(sum[:]) != sn.WARCSHA256 {
		t.Fatalf("stored object hash %x, row %s", sum, sn.WARCSHA256)
	}
	if ok, err := b.Exists(ctx, sn.WARCPath); err != nil || !ok {
		t.Fatalf("exists: %v, %v", ok, err)
	}
	if ok, err := b.Exists(ctx, "nope/1.warc"); err != nil || ok {
		t.Fatalf("exists of a missing key: %v, %v", ok, err)
	}
	if _, err := b.Get(ctx, "nope/1.warc"); !errors.Is(err, ErrBlobNotFound) {
		t.Fatalf("get of a missing key: %v", err)
	}
	if sn.ScreenshotPath != "" || !strings.Contains(sn.ScreenshotNote, "Không chụp ảnh màn hình") {
		t.Errorf("no browser configured, yet screenshot %q note %q", sn.ScreenshotPath, sn.ScreenshotNote)
	}
	// Someone with bucket access edits the file: it is refused.
	tampered := bytes.Replace(raw.Bytes(), []byte("detained 40"), []byte("detained 4 "), 1)
	if err := b.Put(ctx, sn.WARCPath, tampered); err != nil {
		t.Fatal(err)
	}
	if data, err := f.a.ReadWARC(ctx, sn); !errors.Is(err, ErrTampered) || data != nil {
		t.Fatalf("tampered WARC read: %d bytes, %v", len(data), err)
	}
	if err := b.Delete(ctx, sn.WARCPath); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.ReadWARC(ctx, sn); !errors.Is(err, ErrBlobNotFound) {
		t.Fatalf("deleted WARC read: %v", err)
	}
	if err := b.Delete(ctx, sn.WARCPath); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if err := b.Put(ctx, "../escape", []byte("x")); err == nil {
		t.Fatal("a key leaving the prefix was accepted")
	}
}

// TestS3TransientErrors: a bucket that answers 503 twice is retried by the
// client and the capture succeeds; a bucket that keeps failing makes the run
// fail with the check still due (no row without its file), and the capture
// is made at the next run once the bucket is back.
func TestS3TransientErrors(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "evidence")
	b := newS3(t, srv)
	f := newCaptureFixture(t, b, nil, "")
	srv.FailPuts.Store(2)
	before := srv.Puts.Load()
	if n, err := f.a.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce with two 503s = %d, %v", n, err)
	}
	if got := srv.Puts.Load() - before; got != 3 {
		t.Errorf("%d PUTs reached the service, want 3 (two refused, one stored)", got)
	}
	f.clk.Add(time.Hour)
	srv.FailPuts.Store(-1) // down
	if n, err := f.a.RunOnce(ctx); err == nil || n != 0 {
		t.Fatalf("RunOnce with the bucket down = %d, %v; want an error", n, err)
	}
	if snaps, _ := f.es.ListSnapshots(ctx, f.id); len(snaps) != 1 {
		t.Fatalf("a capture was recorded without its file: %d rows", len(snaps))
	}
	if due, _ := f.es.DueEvidence(ctx, f.clk.Now(), 10); len(due) != 1 || due[0].Step != 1 {
		t.Fatalf("the check was dropped: %+v", due)
	}
	srv.FailPuts.Store(0) // back
	if n, err := f.a.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce after the bucket is back = %d, %v", n, err)
	}
	snaps, _ := f.es.ListSnapshots(ctx, f.id)
	if len(snaps) != 2 || snaps[1].Seq != 2 {
		t.Fatalf("captures %+v", snaps)
	}
	if _, err := f.a.ReadWARC(ctx, snaps[1]); err != nil {
		t.Fatal(err)
	}
}

// TestS3BadConfig: a wrong bucket or key is a start-up error that says so.
func TestS3BadConfig(t *testing.T) {
	ctx := context.Background()
	srv := s3test.New(t, "evidence")
	_, err := NewS3Blobs(ctx, S3Options{Endpoint: srv.Endpoint, Bucket: "missing", AccessKey: "a", SecretKey: "b", PathStyle: true, Insecure: true, MaxRetries: 1})
	if err == nil || !strings.Contains(err.Error(), `bucket "missing" does not exist`) {
		t.Fatalf("missing bucket: %v", err)
	}
	if _, err := NewS3Blobs(ctx, S3Options{Bucket: "evidence"}); err == nil {
		t.Fatal("no endpoint accepted")
	}
	_, err = NewS3Blobs(ctx, S3Options{Endpoint: "127.0.0.1:1", Bucket: "evidence", AccessKey: "a", SecretKey: "b", Insecure: true, MaxRetries: 1, Timeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("unreachable endpoint: %v", err)
	}
}

// TestFSBlobsTamper: the filesystem store checks hashes the same way.
func TestFSBlobsTamper(t *testing.T) {
	ctx := context.Background()
	b, err := NewFSBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := newCaptureFixture(t, b, nil, "")
	if n, err := f.a.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	snaps, _ := f.es.ListSnapshots(ctx, f.id)
	if _, err := f.a.ReadWARC(ctx, snaps[0]); err != nil {
		t.Fatal(err)
	}
	p, _ := b.path(snaps[0].WARCPath)
	if err := os.WriteFile(p, []byte("WARC/1.1\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.ReadWARC(ctx, snaps[0]); !errors.Is(err, ErrTampered) {
		t.Fatalf("tampered file: %v", err)
	}
}

const chromiumPath = "/usr/bin/chromium"

// needChromium skips a browser test in -short mode or where Chromium is
// not installed.
func needChromium(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := exec.LookPath(chromiumPath); err != nil {
		t.Skipf("no Chromium at %s: %v", chromiumPath, err)
	}
}

// TestScreenshotWithChromium renders the archived page (not the live one:
// the outlet has changed it by then) to a PNG stored beside the WARC with
// its own hash; the archived page's reference to an outside host is never
// fetched.
func TestScreenshotWithChromium(t *testing.T) {
	needChromium(t)
	ctx := context.Background()
	outside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the renderer fetched %s from the outside host", r.URL)
	}))
	defer outside.Close()
	ch, err := NewChromium(ChromiumOptions{Path: chromiumPath, Timeout: 90 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewFSBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := newCaptureFixture(t, b, ch, "")
	// The outside host is named by a non-loopback name, so only a broken
	// guard would reach it (through the proxy rule and resolver map).
	outsideURL := strings.Replace(outside.URL, "127.0.0.1", "outside.example", 1)
	f.site.set(200, `<html><head><title>Raid</title><link rel="stylesheet" href="`+outsideURL+`/style.css"></head><body style="background:#fff">`+
		`<h1>Police detain 40 in Bien Hoa raid</h1><p>Police in Dong Nai detained 40 people.</p><img src="`+outsideURL+`/photo.jpg">`+
		`<script>document.body.innerHTML = "SCRIPT RAN"</script></body></html>`)
	if n, err := f.a.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	snaps, _ := f.es.ListSnapshots(ctx, f.id)
	sn := snaps[0]
	if sn.ScreenshotPath == "" || sn.ScreenshotNote != "" {
		t.Fatalf("no screenshot: %q", sn.ScreenshotNote)
	}
	png, err := f.a.ReadScreenshot(ctx, sn)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 2000 {
		t.Fatalf("screenshot is not a PNG: %d bytes", len(png))
	}
	if sn.ScreenshotPath != strings.TrimSuffix(sn.WARCPath, ".warc")+".png" {
		t.Errorf("screenshot key %q beside %q", sn.ScreenshotPath, sn.WARCPath)
	}
	if out := os.Getenv("PRESSWATCH_SCREENSHOTS"); out != "" {
		_ = os.WriteFile(out+"/evidence-capture.png", png, 0o600)
	}
	// A changed PNG is refused like a changed WARC.
	p, _ := b.path(sn.ScreenshotPath)
	if err := os.WriteFile(p, append(png, 0), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.ReadScreenshot(ctx, sn); !errors.Is(err, ErrTampered) {
		t.Fatalf("tampered screenshot: %v", err)
	}
}

// TestNoBrowser: a browser path that does not exist gives no screenshotter
// and a capture that says why.
func TestNoBrowser(t *testing.T) {
	if _, err := NewChromium(ChromiumOptions{Path: "/nonexistent/chromium"}); !errors.Is(err, ErrNoBrowser) {
		t.Fatalf("missing browser: %v", err)
	}
	b, _ := NewFSBlobs(t.TempDir())
	f := newCaptureFixture(t, b, nil, "Không chụp ảnh màn hình: máy chủ không có trình duyệt Chromium tại /nonexistent/chromium.")
	if n, err := f.a.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	snaps, _ := f.es.ListSnapshots(context.Background(), f.id)
	if snaps[0].ScreenshotPath != "" || !strings.Contains(snaps[0].ScreenshotNote, "/nonexistent/chromium") {
		t.Fatalf("capture without a browser: %+v", snaps[0])
	}
	if _, err := f.a.ReadScreenshot(context.Background(), snaps[0]); !errors.Is(err, ErrBlobNotFound) {
		t.Fatalf("screenshot of a capture without one: %v", err)
	}
}

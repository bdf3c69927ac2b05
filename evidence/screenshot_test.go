package evidence

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// TestScreenshotFullPageAndCrop checks the page sizes the screenshot takes:
// a page longer than the window is captured whole, at the configured width,
// and one longer than MaxHeight is cut there.
func TestScreenshotFullPageAndCrop(t *testing.T) {
	needChromium(t)
	ch, err := NewChromium(ChromiumOptions{Path: chromiumPath, Timeout: 90 * time.Second, Width: 800, MaxHeight: 2500})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		height, want int
	}{{1600, 1600}, {4000, 2500}} {
		page := []byte(`<!doctype html><html><body style="margin:0"><div style="height:` + strconv.Itoa(tc.height) + `px;background:#c62828"></div></body></html>`)
		data, err := ch.Screenshot(context.Background(), page, "text/html")
		if err != nil {
			t.Fatalf("page of %d px: %v", tc.height, err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("page of %d px: not a PNG: %v", tc.height, err)
		}
		if b := img.Bounds(); b.Dx() != 800 || b.Dy() != tc.want {
			t.Errorf("page of %d px: screenshot %d × %d, want 800 × %d", tc.height, b.Dx(), b.Dy(), tc.want)
		}
		// The page was rendered: its red block fills the bottom left.
		r, g, _, _ := img.At(10, tc.want-10).RGBA()
		if r>>8 < 0xb0 || g>>8 > 0x50 {
			t.Errorf("page of %d px: pixel near the bottom is not the page's red", tc.height)
		}
	}
}

// TestScreenshotReachesNoOtherLoopbackService: a reviewer's archived page
// (an image, a stylesheet and a meta refresh naming another port of
// 127.0.0.1) made the renderer request them: loopback skipped the refusing
// proxy and the CSP did not cover images or styles. A service on loopback
// must now see no request from the renderer.
func TestScreenshotReachesNoOtherLoopbackService(t *testing.T) {
	needChromium(t)
	var hits atomic.Int64
	canary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		t.Errorf("the renderer requested %s from a loopback service", r.URL)
	}))
	defer canary.Close()
	ch, err := NewChromium(ChromiumOptions{Path: chromiumPath, Timeout: 90 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	page := `<!doctype html><html><head><meta http-equiv="refresh" content="0;url=` + canary.URL + `/refresh">` +
		`<link rel="stylesheet" href="` + canary.URL + `/style.css"><style>h1{color:#c62828}</style></head>` +
		`<body><h1>Police detain 40 in Bien Hoa raid</h1><img src="` + canary.URL + `/img.png">` +
		`<iframe src="` + canary.URL + `/frame"></iframe><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""></body></html>`
	data, err := ch.Screenshot(context.Background(), []byte(page), "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	// The image, stylesheet and frame are requested before the load event
	// the screenshot waits for; a refresh would navigate after it, and is
	// removed from the page (stripRefresh, below).
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the loopback service", n)
	}
	for _, in := range []string{`<META HTTP-EQUIV="Refresh" CONTENT="0;URL=/x">`, `<meta content="1;url=x" http-equiv='refresh' />`, "<meta\nhttp-equiv=refresh content=0>"} {
		if out := string(stripRefresh([]byte("<head>" + in + "</head>"))); out != "<head></head>" {
			t.Errorf("stripRefresh(%q) = %q", in, out)
		}
	}
	if out := string(stripRefresh([]byte(`<meta charset="utf-8">`))); out != `<meta charset="utf-8">` {
		t.Errorf("stripRefresh removed another meta tag: %q", out)
	}
}

// TestScreenshotLeavesNoProfile: every screenshot's browser profile is
// removed: the browser and its helper processes have exited before the
// folder is deleted, so none writes into it afterwards (a killed browser's
// network process wrote its state file after the removal, leaving one
// folder in the temporary directory per screenshot or so).
func TestScreenshotLeavesNoProfile(t *testing.T) {
	needChromium(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ch, err := NewChromium(ChromiumOptions{Path: chromiumPath, Timeout: 90 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	page := []byte(`<!doctype html><html><body><h1>Đồng Nai</h1></body></html>`)
	for range 6 {
		if _, err := ch.Screenshot(context.Background(), page, "text/html"); err != nil {
			t.Fatal(err)
		}
	}
	left, err := filepath.Glob(filepath.Join(tmp, "presswatch-chromium-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Fatalf("%d browser profiles left after 6 screenshots: %v", len(left), left)
	}
}

package evidence

import (
	"bytes"
	"context"
	"image/png"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// TestScreenshotFullPageAndCrop checks the page sizes the screenshot takes:
// a page longer than the window is captured whole, at the configured width,
// and one longer than MaxHeight is cut there.
func TestScreenshotFullPageAndCrop(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := exec.LookPath(chromiumPath); err != nil {
		t.Skipf("no Chromium at %s: %v", chromiumPath, err)
	}
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

package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/nlnwa/gowarc"

	"github.com/dongnai/presswatch/store"
)

// Screenshotter renders a page as archived (its HTML from the WARC file) to
// a full-page PNG.
type Screenshotter interface {
	Screenshot(ctx context.Context, html []byte, contentType string) ([]byte, error)
}

// ChromiumOptions configures NewChromium.
type ChromiumOptions struct {
	// Path is the browser binary (/usr/bin/chromium).
	Path string
	// Timeout bounds one screenshot, browser start included; 0 means 60 s.
	Timeout time.Duration
	// Width is the viewport width in CSS pixels; 0 means 1280.
	Width int64
	// MaxHeight crops very long pages (CSS pixels); 0 means 12000.
	MaxHeight int64
}

// Chromium takes screenshots with a headless Chromium started for each
// one. The archived HTML is served to it from a loopback listener, scripts
// are off (a Content-Security-Policy and the browser setting), and every
// request to anything but loopback goes to a proxy address that refuses
// connections, so rendering never reaches the outlet or any other host:
// what is shown is what was archived (images and styles the WARC does not
// hold are simply missing).
type Chromium struct {
	opts ChromiumOptions
	mu   sync.Mutex // one browser at a time: the machine is small
}

// ErrNoBrowser is returned by NewChromium when the browser binary is absent.
var ErrNoBrowser = errors.New("no browser")

// NewChromium checks that the browser binary exists and is executable.
func NewChromium(o ChromiumOptions) (*Chromium, error) {
	if o.Path == "" {
		return nil, fmt.Errorf("evidence: %w: no browser path configured", ErrNoBrowser)
	}
	st, err := os.Stat(o.Path)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w at %s: %v", ErrNoBrowser, o.Path, err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return nil, fmt.Errorf("evidence: %w: %s is not an executable file", ErrNoBrowser, o.Path)
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Width <= 0 {
		o.Width = 1280
	}
	if o.MaxHeight <= 0 {
		o.MaxHeight = 12000
	}
	return &Chromium{opts: o}, nil
}

// Screenshot renders html to a full-page PNG.
func (c *Chromium) Screenshot(ctx context.Context, html []byte, contentType string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	if contentType == "" || !strings.Contains(strings.ToLower(contentType), "html") {
		contentType = "text/html; charset=utf-8"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Security-Policy", "script-src 'none'; object-src 'none'; frame-src 'none'; connect-src 'none'")
		_, _ = w.Write(html)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(c.opts.Path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("blink-settings", "scriptEnabled=false"),
		// Everything but loopback goes through a proxy that refuses
		// connections (port 9, discard, has no listener): no request leaves
		// the machine, whatever URLs the archived page names.
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(int(c.opts.Width), 900))
	defer cancelAlloc()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(c.opts.Width, 900),
		chromedp.Navigate("http://"+ln.Addr().String()+"/"), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		return nil, fmt.Errorf("screenshot: render: %w", err)
	}
	h, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)`))
	if err == nil && int64(h) > c.opts.MaxHeight {
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(c.opts.Width, c.opts.MaxHeight)); err != nil {
			return nil, fmt.Errorf("screenshot: %w", err)
		}
		png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		if err != nil {
			return nil, fmt.Errorf("screenshot: %w", err)
		}
		return png, nil
	}
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	return png, nil
}

// archivedPage returns the HTML body and content type of the response
// record of a WARC file, read back with the WARC library: the screenshot
// shows the page as archived, not as it is now.
func archivedPage(warc []byte) ([]byte, string, error) {
	wr, err := gowarc.NewWarcFileReaderFromStream(bytes.NewReader(warc), 0)
	if err != nil {
		return nil, "", err
	}
	for {
		rec, _, _, err := wr.Next()
		if errors.Is(err, io.EOF) {
			return nil, "", errors.New("no response record")
		}
		if err != nil {
			return nil, "", err
		}
		if rec.Type() != gowarc.Response {
			continue
		}
		blk, ok := rec.Block().(gowarc.HttpResponseBlock)
		if !ok {
			return nil, "", errors.New("response record without an HTTP block")
		}
		r, err := blk.PayloadBytes()
		if err != nil {
			return nil, "", err
		}
		body, err := io.ReadAll(r)
		if err != nil {
			return nil, "", err
		}
		ct := ""
		if h := blk.HttpHeader(); h != nil {
			ct = h.Get("Content-Type")
		}
		return body, ct, nil
	}
}

// screenshot renders the page archived in warc and stores the PNG beside
// the WARC file with its own SHA-256; when it cannot, sn.ScreenshotNote
// says why in Vietnamese. A failed screenshot never fails the capture.
func (a *Archive) screenshot(ctx context.Context, sn *store.Snapshot, warc []byte) {
	if a.opts.Screenshots == nil {
		sn.ScreenshotNote = a.opts.NoScreenshot
		return
	}
	if sn.Status != http.StatusOK {
		sn.ScreenshotNote = "Không chụp ảnh màn hình: trang không tải được nội dung (không có HTTP 200)."
		return
	}
	body, ct, err := archivedPage(warc)
	if err != nil {
		a.log.WarnContext(ctx, "screenshot: read archived page", "snapshot", sn.ID, "err", err)
		sn.ScreenshotNote = "Không chụp ảnh màn hình: không đọc được trang trong tệp WARC."
		return
	}
	png, err := a.opts.Screenshots.Screenshot(ctx, body, ct)
	if err != nil {
		a.log.WarnContext(ctx, "screenshot failed", "snapshot", sn.ID, "err", err)
		sn.ScreenshotNote = "Không chụp được ảnh màn hình: trình duyệt gặp lỗi khi hiển thị trang đã lưu."
		return
	}
	key := strings.TrimSuffix(sn.WARCPath, path.Ext(sn.WARCPath)) + ".png"
	if err := a.blobs.Put(ctx, key, png); err != nil {
		a.log.WarnContext(ctx, "screenshot: store", "snapshot", sn.ID, "err", err)
		sn.ScreenshotNote = "Không lưu được ảnh màn hình vào kho lưu trữ."
		return
	}
	sum := sha256.Sum256(png)
	sn.ScreenshotPath, sn.ScreenshotSHA256, sn.ScreenshotNote = key, hex.EncodeToString(sum[:]), ""
}

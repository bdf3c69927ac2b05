package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

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
		w.Header().Set("Content-Security-Policy", screenshotCSP)
		_, _ = w.Write(stripRefresh(html))
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	profile, err := os.MkdirTemp("", "presswatch-chromium-")
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	defer os.RemoveAll(profile)
	cdp, stop, err := startCDP(ctx, c.opts.Path, []string{
		"--headless", "--hide-scrollbars", "--mute-audio", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--no-default-browser-check", "--disable-dev-shm-usage", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--disable-extensions",
		"--blink-settings=scriptEnabled=false",
		// Everything but the page's own listener goes through a proxy that
		// refuses connections (port 9, discard, has no listener), loopback
		// included (<-loopback> removes Chromium's implicit bypass): no
		// request leaves the machine or reaches another service on it,
		// whatever URLs the archived page names.
		"--proxy-server=http://127.0.0.1:9",
		"--proxy-bypass-list=<-loopback>;" + ln.Addr().String(),
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		fmt.Sprintf("--window-size=%d,900", c.opts.Width),
		"--user-data-dir=" + profile,
		"about:blank",
	})
	if err != nil {
		return nil, fmt.Errorf("screenshot: start browser: %w", err)
	}
	defer stop()
	png, err := c.capture(ctx, cdp, "http://"+ln.Addr().String()+"/")
	if err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	return png, nil
}

// screenshotCSP lets the archived page's inline styles and data: images
// render and nothing else load: no script, no stylesheet, image, font,
// frame or connection from any address (a reviewer's archived page made the
// renderer request other ports of the server's loopback).
const screenshotCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; script-src 'none'; object-src 'none'; frame-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"

// refreshRE finds <meta http-equiv="refresh" …> tags, which would navigate
// the renderer away from the archived page (CSP does not stop navigation).
var refreshRE = regexp.MustCompile(`(?is)<meta[^>]*http-equiv\s*=\s*["']?\s*refresh[^>]*>`)

// stripRefresh removes the page's meta refresh tags: the screenshot shows
// the archived page itself, not where it would send a reader.
func stripRefresh(html []byte) []byte {
	return refreshRE.ReplaceAll(html, nil)
}

// capture opens url in a new tab of the browser, waits for it to load and
// returns a PNG of the whole page, cropped at MaxHeight.
func (c *Chromium) capture(ctx context.Context, cdp *cdpConn, url string) ([]byte, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := cdp.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := cdp.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		return nil, err
	}
	s := attached.SessionID
	viewport := func(h int64) error {
		return cdp.call(ctx, s, "Emulation.setDeviceMetricsOverride",
			map[string]any{"width": c.opts.Width, "height": h, "deviceScaleFactor": 1, "mobile": false}, nil)
	}
	if err := cdp.call(ctx, s, "Page.enable", nil, nil); err != nil {
		return nil, err
	}
	if err := viewport(900); err != nil {
		return nil, err
	}
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := cdp.call(ctx, s, "Page.navigate", map[string]any{"url": url}, &nav); err != nil {
		return nil, err
	}
	if nav.ErrorText != "" {
		return nil, fmt.Errorf("render: %s", nav.ErrorText)
	}
	if err := cdp.waitEvent(ctx, s, "Page.loadEventFired"); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	var metrics struct {
		CSSContentSize struct {
			Width, Height float64
		} `json:"cssContentSize"`
	}
	if err := cdp.call(ctx, s, "Page.getLayoutMetrics", nil, &metrics); err != nil {
		return nil, err
	}
	h := int64(math.Ceil(metrics.CSSContentSize.Height))
	if h <= 0 {
		return nil, errNoContent
	}
	h = min(h, c.opts.MaxHeight)
	// The viewport is made as tall as the page (or the crop), so the
	// capture is the whole page as laid out at the configured width.
	if err := viewport(h); err != nil {
		return nil, err
	}
	var shot struct {
		Data []byte `json:"data"` // base64 in the JSON
	}
	if err := cdp.call(ctx, s, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		return nil, err
	}
	_ = cdp.call(ctx, "", "Browser.close", nil, nil)
	return shot.Data, nil
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

package digest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoChromium is returned by FindChromium when no headless Chromium is
// available; reports then use the native PDF writer.
var ErrNoChromium = errors.New("no chromium found to print the PDF")

// ErrPDFOff is a report's PDFError when the PDF is turned off
// (digest.chromium: off).
var ErrPDFOff = errors.New("the PDF is turned off (digest.chromium: off)")

// FindChromium returns the browser to print PDFs with: path when set (or ""
// with ErrNoChromium when it is "off"), else /usr/bin/chromium, then
// chromium, chromium-browser or google-chrome on PATH.
func FindChromium(path string) (string, error) {
	switch path {
	case "off":
		return "", ErrNoChromium
	case "":
	default:
		if _, err := exec.LookPath(path); err != nil {
			return "", fmt.Errorf("%w: %q: %w", ErrNoChromium, path, err)
		}
		return path, nil
	}
	if st, err := os.Stat("/usr/bin/chromium"); err == nil && !st.IsDir() {
		return "/usr/bin/chromium", nil
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// PDF prints a self-contained HTML page (charts as data: URIs) to PDF with
// headless Chromium at chromium. Text is real text in the fonts fontconfig
// finds (Liberation or DejaVu cover Vietnamese), so it is searchable and
// copyable. It gives up after a minute or when ctx is done.
func PDF(ctx context.Context, chromium string, html []byte) ([]byte, error) {
	if chromium == "" {
		return nil, ErrNoChromium
	}
	dir, err := os.MkdirTemp("", "presswatch-pdf-")
	if err != nil {
		return nil, fmt.Errorf("print pdf: %w", err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "report.html")
	out := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(in, html, 0o600); err != nil {
		return nil, fmt.Errorf("print pdf: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium,
		"--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
		"--disable-extensions", "--disable-dev-shm-usage", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--disable-default-apps", "--metrics-recording-only",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"--no-pdf-header-footer", "--print-to-pdf="+out, "file://"+in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("print pdf with %s: %w: %s", chromium, err, lastLine(stderr.String()))
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("print pdf with %s: no output: %w", chromium, err)
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		return nil, fmt.Errorf("print pdf with %s: output is not a PDF", chromium)
	}
	return pdf, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return clip(s, 300)
}

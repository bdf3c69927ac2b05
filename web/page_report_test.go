package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/store"
)

func TestReportArchive(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ds, ok := f.store.(store.DigestStore)
	if !ok {
		t.Fatal("the store does not implement store.DigestStore")
	}
	start := time.Date(2026, 11, 15, 17, 0, 0, 0, time.UTC)
	for _, p := range []string{"2026-W46", "2026-W47"} {
		if _, err := ds.ClaimDigest(ctx, store.DigestClaim{Kind: "weekly", Period: p, PeriodStart: start, PeriodEnd: start.AddDate(0, 0, 7),
			Owner: "test", Now: time.Now(), Lease: time.Minute}); err != nil {
			t.Fatal(err)
		}
		start = start.AddDate(0, 0, 7)
	}
	body := `<!doctype html><html lang="vi"><head><style>h1{color:#1f4e79}</style></head><body><h1>Điểm tin tuần 47</h1></body></html>`
	if err := ds.SaveDigest(ctx, store.Digest{ID: "weekly-2026-W47", Title: "Điểm tin báo chí nước ngoài hằng tuần — Tuần 47/2026",
		BodyHTML: body, PDF: []byte("%PDF-1.4 test"), State: store.DigestBuilt}); err != nil {
		t.Fatal(err)
	}
	if err := ds.MarkDigestSent(ctx, "weekly-2026-W47", time.Now()); err != nil {
		t.Fatal(err)
	}
	cookie, _ := f.session(RoleViewer)

	resp, page := f.get("/reports", cookie)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Tuần 47/2026") || !strings.Contains(page, `href="/reports?id=weekly-2026-W47&amp;format=pdf"`) ||
		!strings.Contains(page, "weekly-2026-W46") {
		t.Fatalf("list: %d\n%s", resp.StatusCode, page)
	}
	// Each report links to the search that reproduces its figures (W47 is
	// Monday 16 to Sunday 22 November, Vietnam time).
	if want := `href="/search?basis=collected&amp;rel=province&amp;since=2026-11-16&amp;sort=newest&amp;until=2026-11-22"`; !strings.Contains(page, want) {
		t.Errorf("the report list lacks the link %s", want)
	}
	resp, page = f.get("/reports?id=weekly-2026-W47", cookie)
	if resp.StatusCode != http.StatusOK || page != body {
		t.Fatalf("show: %d %q", resp.StatusCode, page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != reportCSP {
		t.Errorf("CSP %q", csp)
	}
	resp, page = f.get("/reports?id=weekly-2026-W47&format=pdf", cookie)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || page != "%PDF-1.4 test" {
		t.Errorf("pdf: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for path, code := range map[string]int{
		"/reports?id=weekly-2026-W46":            http.StatusNotFound, // claimed, never built
		"/reports?id=weekly-2026-W46&format=pdf": http.StatusNotFound,
		"/reports?id=nope":                       http.StatusNotFound,
		"/reports?id=weekly-2026-W47&format=doc": http.StatusBadRequest,
		"/reports?kind=daily":                    http.StatusBadRequest,
	} {
		if resp, _ := f.get(path, cookie); resp.StatusCode != code {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, code)
		}
	}
	if resp, _ := f.get("/reports?id=weekly-2026-W47", ""); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want a redirect to the login page", resp.StatusCode)
	}
}

// TestReportMake makes reports on demand from the fixture's store: the
// page offers the form, and HTML, PDF and DOCX come back as downloads with no
// browser involved.
func TestReportMake(t *testing.T) {
	withReports := func(o *Options) {
		g, err := digest.New(digest.Options{Store: o.Store.(digest.ReportStore), Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		o.Reports = g
	}
	f := newFixture(t, withReports)
	cookie, _ := f.session(RoleViewer)
	resp, page := f.get("/reports", cookie)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/reports/make"`) || !strings.Contains(page, `value="docx"`) {
		t.Fatalf("list without the form: %d", resp.StatusCode)
	}
	for format, want := range map[string]struct{ ctype, prefix string }{
		"pdf":  {"application/pdf", "%PDF-"},
		"docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04"},
		"html": {"text/html; charset=utf-8", "<!doctype html>"},
	} {
		resp, body := f.get("/reports/make?kind=weekly&period=2026-W47&format="+format, cookie)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != want.ctype || !strings.HasPrefix(strings.ToLower(body), strings.ToLower(want.prefix)) {
			t.Errorf("%s: %d %s %.20q", format, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if format != "html" && !strings.Contains(resp.Header.Get("Content-Disposition"), "weekly-2026-W47."+format) {
			t.Errorf("%s: Content-Disposition %q", format, resp.Header.Get("Content-Disposition"))
		}
	}
	// A refused request shows the form again, filled as sent, with what to
	// change (a new user typed "W49" and got a bare 400 page).
	for _, bad := range []struct{ q, want string }{
		{"kind=daily", "Hãy chọn loại báo cáo"},
		{"kind=weekly&period=2026-W99", "dạng 2026-W47"},
		{"kind=weekly&period=W49&format=html", "dạng 2026-W47"},
		{"kind=quarterly&period=2026-W49&format=pdf", "dạng 2026-Q4"},
		{"kind=weekly&format=odt", "HTML, PDF hoặc DOCX"},
		{"kind=annual&period=2099&format=html", "chưa bắt đầu"},
	} {
		resp, body := f.get("/reports/make?"+bad.q, cookie)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad.q, resp.StatusCode)
		}
		if !strings.Contains(body, `id="make-error"`) || !strings.Contains(body, bad.want) || !strings.Contains(body, `action="/reports/make"`) {
			t.Errorf("%s: the page does not say %q beside the form:\n%s", bad.q, bad.want, body)
		}
	}
	if _, body := f.get("/reports/make?kind=quarterly&period=W49&format=html", cookie); !strings.Contains(body, `value="W49"`) || !strings.Contains(body, `value="quarterly" selected`) {
		t.Error("the refused form is not filled as it was sent")
	}
	// Without a report maker the route says the service is unavailable.
	g := newFixture(t, func(o *Options) { o.Reports = nil })
	c2, _ := g.session(RoleViewer)
	if resp, _ := g.get("/reports/make?kind=weekly", c2); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("no maker: %d", resp.StatusCode)
	}
}

package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/evidence"
	"github.com/dongnai/presswatch/internal/s3test"
	"github.com/dongnai/presswatch/store"
)

// TestEvidenceS3SheetAndNarrative: captures kept in an S3 bucket (gofakes3
// on loopback) are served through the web handlers — WARC byte for byte, an
// evidence sheet whose text and images a second PDF reader (poppler) sees —
// with a screenshot when Chromium is there and a Vietnamese note when it is
// not; a tampered object is refused (409, audited). A Foreign Affairs
// officer then creates a narrative from a response (police may not; audited).
func TestEvidenceS3SheetAndNarrative(t *testing.T) {
	for _, tc := range []struct{ name, browser string }{
		{"chromium", "/usr/bin/chromium"},
		{"no-browser", "/nonexistent/chromium"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var shots evidence.Screenshotter
			note := "Không chụp ảnh màn hình: máy chủ không có trình duyệt Chromium tại " + tc.browser + "."
			if tc.name == "chromium" {
				if testing.Short() {
					t.Skip("browser test skipped in -short mode")
				}
				ch, err := evidence.NewChromium(evidence.ChromiumOptions{Path: tc.browser, Timeout: 90 * time.Second})
				if err != nil {
					t.Skipf("no Chromium: %v", err)
				}
				shots, note = ch, ""
			} else if _, err := evidence.NewChromium(evidence.ChromiumOptions{Path: tc.browser}); err == nil {
				t.Fatal("a missing browser was accepted")
			}
			testEvidenceS3(t, shots, note)
		})
	}
}

func testEvidenceS3(t *testing.T, shots evidence.Screenshotter, note string) {
	ctx := context.Background()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<html><body style="font-family:sans-serif"><h1>Đồng Nai: sân bay Long Thành bị bỏ dở?</h1>`+
			`<p>Police detained 40 people. Dự án sân bay Long Thành bị bỏ dở, một nguồn tin nói.</p></body></html>`)
	}))
	defer site.Close()
	s3 := s3test.New(t, "evidence")
	blobs, err := evidence.NewS3Blobs(ctx, evidence.S3Options{Endpoint: s3.Endpoint, Bucket: "evidence", AccessKey: "k", SecretKey: "s",
		PathStyle: true, Insecure: true, MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	var arch *evidence.Archive
	f := newFixture(t, func(o *Options) {
		var err error
		arch, err = evidence.New(evidence.Options{Store: o.Store.(evidence.Store), Blobs: blobs, Client: site.Client(),
			Screenshots: shots, NoScreenshot: note, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		o.Evidence = arch
	})
	es := f.store.(store.EvidenceStore)
	a := f.arts[0]
	// The article's page is the loopback site (the fixture's URL is not).
	if err := arch.Request(ctx, a.ID, site.URL+"/news/1", store.EvidenceOpened); err != nil {
		t.Fatal(err)
	}
	if n, err := arch.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	snaps, _ := es.ListSnapshots(ctx, a.ID)
	sn := snaps[0]
	police, pcsrf := f.session(RolePolice)
	resp, body := f.get("/evidence/"+sn.ID+"/warc", police)
	obj, err := blobs.Get(ctx, sn.WARCPath)
	if err != nil || resp.StatusCode != http.StatusOK || body != string(obj) || !strings.HasPrefix(body, "WARC/1.1\r\n") {
		t.Fatalf("warc: %d, %d bytes (object %d bytes, %v)", resp.StatusCode, len(body), len(obj), err)
	}
	resp, pdf := f.get("/evidence/"+sn.ID+"/pdf", police)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
		t.Fatalf("sheet: %d", resp.StatusCode)
	}
	dir := t.TempDir()
	pdfPath := filepath.Join(dir, "sheet.pdf")
	if err := os.WriteFile(pdfPath, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("PRESSWATCH_SCREENSHOTS"); out != "" {
		_ = os.WriteFile(filepath.Join(out, "evidence-sheet-"+map[bool]string{true: "shot", false: "noshot"}[shots != nil]+".pdf"), []byte(pdf), 0o600)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := string(out)
		if !strings.Contains(text, "PHIẾU LƯU BẰNG CHỨNG") || !strings.Contains(text, sn.WARCSHA256[:32]) {
			t.Errorf("pdftotext does not see the title or the WARC hash:\n%s", text)
		}
		if shots == nil && !strings.Contains(text, "Không chụp ảnh màn hình") {
			t.Errorf("the sheet does not say why there is no screenshot:\n%s", text)
		}
		if shots != nil && !strings.Contains(text, sn.ScreenshotSHA256[:32]) {
			t.Errorf("the sheet lacks the screenshot's hash:\n%s", text)
		}
	} else {
		t.Log("pdftotext not installed: the sheet's text is not checked by a second reader")
	}
	if _, err := exec.LookPath("pdfimages"); err == nil {
		out, err := exec.Command("pdfimages", "-list", pdfPath).Output()
		if err != nil {
			t.Fatalf("pdfimages: %v", err)
		}
		images := len(strings.Split(strings.TrimSpace(string(out)), "\n")) - 2 // two header lines
		if shots != nil && images < 1 {
			t.Errorf("pdfimages finds no screenshot:\n%s", out)
		}
		if shots == nil && images != 0 {
			t.Errorf("pdfimages finds %d images in a sheet without a screenshot", images)
		}
	}
	if shots != nil {
		if _, err := arch.ReadScreenshot(ctx, sn); err != nil {
			t.Fatalf("screenshot in the bucket: %v", err)
		}
	}

	// Tampering with the object in the bucket: refused and audited.
	if err := blobs.Put(ctx, sn.WARCPath, bytes.Replace(obj, []byte("detained 40"), []byte("detained 4 "), 1)); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"warc", "pdf"} {
		if resp, body := f.get("/evidence/"+sn.ID+"/"+format, police); resp.StatusCode != http.StatusConflict || strings.Contains(body, "WARC/1.1") {
			t.Errorf("tampered %s served: %d", format, resp.StatusCode)
		}
	}
	if entries, _ := f.store.ListAudit(ctx, 20); !hasAudit(entries, "evidence.tampered") {
		t.Error("a tampered file is not in the audit trail")
	}

	// A response, then a narrative created from it.
	post := func(path string, v url.Values, cookie, csrf string) *http.Response {
		v.Set("csrf", csrf)
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		resp, _ := f.do(req)
		return resp
	}
	fa, facsrf := f.session(RoleForeignAffairs)
	if r := post("/articles/"+a.ID+"/responses", url.Values{"text": {"Sân bay Long Thành đang được xây dựng."},
		"responded_on": {time.Now().Format("2006-01-02")}, "channel": {"statement"}}, fa, facsrf); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("record response: %d", r.StatusCode)
	}
	rs, _ := es.ListResponses(ctx, store.ResponseFilter{ArticleID: a.ID})
	if len(rs) != 1 {
		t.Fatalf("%d responses", len(rs))
	}
	_, page := f.get("/articles/"+a.ID+"/evidence?narrative="+rs[0].ID, fa)
	if !strings.Contains(page, "Tạo luận điểm từ phản hồi này") || !strings.Contains(page, "/responses/"+rs[0].ID+"/narrative") {
		t.Fatal("no 'create narrative' form for Foreign Affairs")
	}
	if _, page := f.get("/articles/"+a.ID+"/evidence", police); strings.Contains(page, "narrative-form") {
		t.Error("the police see the 'create narrative' form")
	}
	form := url.Values{"claim": {"Sân bay Long Thành bị bỏ dở"}, "phrases": {"bị bỏ dở\r\nabandoned\r\n中止"},
		"context": {"Long Thành\r\n隆城"}, "correction": {"Giai đoạn 1 đang được xây dựng theo Nghị quyết 94/2015/QH13."}}
	path := "/articles/" + a.ID + "/responses/" + rs[0].ID + "/narrative"
	if r := post(path, form, police, pcsrf); r.StatusCode != http.StatusForbidden {
		t.Errorf("police created a narrative: %d", r.StatusCode)
	}
	bad := url.Values{"claim": {"x"}, "phrases": {" \r\n "}, "correction": {"y"}}
	if r := post(path, bad, fa, facsrf); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a narrative without phrases: %d", r.StatusCode)
	}
	if r := post("/articles/"+a.ID+"/responses/nope/narrative", form, fa, facsrf); r.StatusCode != http.StatusNotFound {
		t.Errorf("a narrative from an unknown response: %d", r.StatusCode)
	}
	if r := post(path, form, fa, facsrf); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create narrative: %d", r.StatusCode)
	}
	list, _ := f.store.(store.NarrativeStore).ListNarratives(ctx)
	if len(list) != 1 || list[0].ResponseID != rs[0].ID || len(list[0].Phrases) != 3 || list[0].Phrases[2] != "中止" ||
		len(list[0].Context) != 2 || list[0].CreatedBy == "" || list[0].Weight != 50 {
		t.Fatalf("stored narrative: %+v", list)
	}
	if entries, _ := f.store.ListAudit(ctx, 20); !hasAudit(entries, "narrative.create") {
		t.Error("creating a narrative is not audited")
	}
	if _, page := f.get("/articles/"+a.ID+"/evidence", police); !strings.Contains(page, "Luận điểm đã tạo") || !strings.Contains(page, "Sân bay Long Thành bị bỏ dở") {
		t.Error("the police do not see the narrative created")
	}
}

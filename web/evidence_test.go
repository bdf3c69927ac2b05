package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/evidence"
	"github.com/dongnai/presswatch/store"
)

// TestEvidenceAndResponses: an officer opens a foreign article, which is
// captured (WARC and evidence sheet downloadable); the outlet corrects it and
// the change is shown word by word; a Foreign Affairs officer records the
// office's response (the police may read, not write); the response and its
// outcome appear in the quarterly bulletin.
func TestEvidenceAndResponses(t *testing.T) {
	var mu sync.Mutex
	text := "Police detained 40 people."
	site := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		_, _ = io.WriteString(w, "<html><body><h1>Raid</h1><p>"+text+"</p></body></html>")
	}))
	defer site.Close()
	// Every fixture URL is answered by the loopback site: nothing leaves the machine.
	dialer := &net.Dialer{}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, site.Listener.Addr().String())
		},
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the test's own loopback server
	}}
	clk := time.Now().UTC()
	var arch *evidence.Archive
	f := newFixture(t, func(o *Options) {
		var err error
		arch, err = evidence.New(evidence.Options{Store: o.Store.(evidence.Store), Dir: t.TempDir(), Client: client,
			Now: func() time.Time { return clk }, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		o.Evidence = arch
	})
	ctx := context.Background()
	es := f.store.(store.EvidenceStore)
	a := f.arts[0]
	police, pcsrf := f.session(RolePolice)
	if resp, _ := f.get("/articles/"+a.ID, police); resp.StatusCode != http.StatusOK {
		t.Fatalf("article: %d", resp.StatusCode)
	}
	if n, err := arch.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("opening the article scheduled %d captures (%v), want 1", n, err)
	}
	clk = clk.Add(time.Hour)
	mu.Lock()
	text = "Correction: police detained 45 people, not 40."
	mu.Unlock()
	if n, err := arch.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("re-check after 1 h: %d, %v", n, err)
	}
	resp, page := f.get("/articles/"+a.ID+"/evidence", police)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "đính chính") || !strings.Contains(page, "<ins>") ||
		!strings.Contains(page, "<del>40</del>") {
		t.Fatalf("evidence page: %d\n%s", resp.StatusCode, page)
	}
	// The stored notes are Vietnamese; the English page gives them in English.
	if _, en := f.get("/articles/"+a.ID+"/evidence?lang=en", police); !strings.Contains(en, "First capture.") ||
		!strings.Contains(en, "The article now carries a correction") || strings.Contains(en, "Lần lưu đầu tiên") {
		t.Errorf("English evidence page keeps Vietnamese notes:\n%s", en)
	}
	snaps, _ := es.ListSnapshots(ctx, a.ID)
	if len(snaps) != 2 {
		t.Fatalf("%d captures", len(snaps))
	}
	// The article's page says the outlet corrected it, with the headline
	// the page carries now: the stored article keeps the one collected.
	if snaps[1].Change != store.ChangeCorrected {
		t.Fatalf("the second capture's change is %q, want corrected", snaps[1].Change)
	}
	if _, page := f.get("/articles/"+a.ID, police); !strings.Contains(page, `id="page-changed"`) ||
		!strings.Contains(page, (messages{"vi"}).T("changed_corrected")) || !strings.Contains(page, "/articles/"+a.ID+"/evidence") {
		t.Error("the article page does not say the article was corrected")
	}
	viewer, _ := f.session(RoleViewer)
	if _, page := f.get("/articles/"+a.ID, viewer); strings.Contains(page, `id="page-changed"`) {
		t.Error("a viewer, who sees no evidence, is shown the capture's finding")
	}
	if resp, body := f.get("/evidence/"+snaps[0].ID+"/warc", police); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "WARC/1.1\r\n") {
		t.Errorf("warc: %d %.20q", resp.StatusCode, body)
	}
	if resp, body := f.get("/evidence/"+snaps[1].ID+"/pdf", police); resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF-") {
		t.Errorf("evidence sheet: %d %.20q", resp.StatusCode, body)
	}
	post := func(path string, v url.Values, cookie, csrf string) *http.Response {
		v.Set("csrf", csrf)
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		resp, _ := f.do(req)
		return resp
	}
	form := url.Values{"text": {"Sở Ngoại vụ gửi thư đề nghị đính chính số người bị bắt."}, "responded_on": {clk.Format("2006-01-02")},
		"channel": {"letter"}, "approved_by": {"Giám đốc Sở"}, "narratives": {"merger-not-done, own-code"}}
	if r := post("/articles/"+a.ID+"/responses", form, police, pcsrf); r.StatusCode != http.StatusForbidden {
		t.Errorf("police recorded a response: %d", r.StatusCode)
	}
	fa, facsrf := f.session(RoleForeignAffairs)
	// The form offers the known claims by name, not by code.
	if _, page := f.get("/articles/"+a.ID+"/evidence", fa); !strings.Contains(page, `id="narrative-choices"`) ||
		!strings.Contains(page, `value="merger-not-done"`) || !strings.Contains(page, "việc sáp nhập Bình Phước vào Đồng Nai chưa diễn ra") {
		t.Error("the response form does not offer the catalogue's claims by name")
	}
	if r := post("/articles/"+a.ID+"/responses", form, fa, facsrf); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("record response: %d", r.StatusCode)
	}
	bad := url.Values{"text": {"x"}, "responded_on": {"yesterday"}, "channel": {"letter"}}
	if r := post("/articles/"+a.ID+"/responses", bad, fa, facsrf); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a response with a bad date: %d", r.StatusCode)
	}
	future := url.Values{"text": {"x"}, "responded_on": {clk.AddDate(0, 0, 2).Format("2006-01-02")}, "channel": {"letter"}}
	if r := post("/articles/"+a.ID+"/responses", future, fa, facsrf); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a response dated after today: %d", r.StatusCode)
	}
	if _, page := f.get("/articles/"+a.ID+"/evidence", police); !strings.Contains(page, "Sở Ngoại vụ gửi thư") || !strings.Contains(page, "Thư gửi cơ quan báo chí") {
		t.Error("the response is not listed")
	} else if !strings.Contains(page, "việc sáp nhập Bình Phước vào Đồng Nai chưa diễn ra") || strings.Contains(page, "merger-not-done") || !strings.Contains(page, "own-code") {
		t.Error("the response's claims are not named by the catalogue (or an officer's own code is lost)")
	}
	if entries, _ := f.store.ListAudit(ctx, 20); !hasAudit(entries, "response.create") {
		t.Error("recording a response is not audited")
	}
	// The quarterly bulletin lists it.
	g, err := digest.New(digest.Options{Store: f.store.(digest.ReportStore), Now: func() time.Time { return clk }})
	if err != nil {
		t.Fatal(err)
	}
	q := digest.PeriodOf(digest.Quarterly, clk, hcmLocation())
	file, err := g.Make(ctx, "quarterly", q.Label, "html")
	if err != nil {
		t.Fatal(err)
	}
	if html := string(file.Data); !strings.Contains(html, "Thông tin sai lệch và kết quả phản hồi") || !strings.Contains(html, "Sở Ngoại vụ gửi thư") ||
		!strings.Contains(html, "Thư gửi cơ quan báo chí") {
		t.Error("the quarterly bulletin lacks the response")
	}
	// So does the week's report, in every form.
	wk := digest.PeriodOf(digest.Weekly, clk, hcmLocation())
	for _, format := range []string{"html", "docx"} {
		file, err := g.Make(ctx, "weekly", wk.Label, format)
		if err != nil {
			t.Fatal(err)
		}
		body := string(file.Data)
		if format == "docx" {
			body = docxText(t, file.Data)
		}
		if !strings.Contains(body, "Thông tin sai lệch và kết quả phản hồi") || !strings.Contains(body, "Sở Ngoại vụ gửi thư") {
			t.Errorf("the weekly report (%s) lacks the week's response", format)
		}
	}
}

// docxText returns the text of a DOCX's word/document.xml, tags removed.
func docxText(t *testing.T, docx []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`<[^>]+>`).ReplaceAllString(string(b), "")
	}
	t.Fatal("no word/document.xml")
	return ""
}

func hasAudit(entries []store.AuditEntry, action string) bool {
	for _, e := range entries {
		if e.Action == action {
			return true
		}
	}
	return false
}

// TestDiffHTMLKeepsSpaces: a long unchanged run is shortened with "…", and
// the space at its ends still parts it from the changes beside it (a new
// user read "officialsaid in July" and "end.Added").
func TestDiffHTMLKeepsSpaces(t *testing.T) {
	long := strings.Repeat("the province said the work goes on as planned ", 10)
	old := "A spokesman said in July 2025 " + long + "end."
	now := "An unnamed official said in July 2025 " + long + "end. Added sentence here."
	got := string(diffHTML(evidence.Diff(old, now)))
	if !strings.Contains(got, "…") {
		t.Fatalf("the unchanged run was not shortened: %s", got)
	}
	// A deletion right before an insertion is parted from it by a space.
	if got := string(diffHTML(evidence.Diff("an unnamed official", "in July 2025"))); !strings.Contains(got, "</del> <ins>") {
		t.Errorf("deletion glued to the insertion: %s", got)
	}
	for _, want := range []string{"official</ins> said in July", "end.<ins> Added"} {
		if !strings.Contains(got, want) {
			t.Errorf("diff lacks %q:\n%s", want, got)
		}
	}
}

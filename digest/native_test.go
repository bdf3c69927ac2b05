package digest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/internal/translate"
	"github.com/dongnai/presswatch/store"

	"codeberg.org/go-pdf/fpdf"
)

// cjkReport is a small report whose stories are in Chinese, Korean and
// Japanese, to check that the native PDF carries every script as text.
func cjkReport() *Report {
	gen := time.Date(2026, 2, 3, 8, 0, 0, 0, hcm)
	return &Report{
		Kind: Weekly, Period: "2026-W05", Title: "Tuần 05/2026 (26/01–01/02/2026)", TitleEN: "Week 5",
		Start: gen.AddDate(0, 0, -9), End: gen.AddDate(0, 0, -2), Generated: gen, PrevLabel: "2026-W04",
		Total: 4200000, About: 3, Mentions: 1, PrevTotal: 2,
		Countries: []Breakdown{{Key: "CN", Label: "Trung Quốc", Count: 2, Share: 50}, {Key: "KR", Label: "Hàn Quốc", Count: 1, Share: 25}},
		Languages: []Breakdown{{Key: "zh", Label: "Tiếng Trung", Count: 2, Share: 50}},
		Tone:      Tone{Positive: 1, Neutral: 2, Negative: 1},
		Stories: []Story{
			{Title: "同奈省隆城国际机场试飞", Articles: 2, Outlets: 2, Countries: 1, First: gen, Last: gen,
				Summary: []string{"同奈省隆城国际机场周一开始试飞。"}},
			{Title: "동나이성 노동자 파업", Articles: 1, Outlets: 1, Countries: 1, First: gen, Last: gen},
			{Title: "ドンナイ省で洪水", Articles: 1, Outlets: 1, Countries: 1, First: gen, Last: gen},
		},
		Attention: []Link{{Title: "Đình công tại Biên Hòa", Outlet: "RFA", Country: "US", Risk: 72, Tone: "negative", Review: true}},
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed: .ci/run installs it")
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}

func TestNativePDFCarriesEveryScript(t *testing.T) {
	pdf, err := NativePDF(cjkReport(), nil, DefaultAgencyHeader())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(16, len(pdf))])
	}
	if !bytes.Contains(pdf, []byte("/FontFile2")) {
		t.Error("the PDF embeds no TrueType font")
	}
	text := pdfText(t, pdf)
	for _, want := range []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "SỞ NGOẠI VỤ",
		"Đồng Nai, ngày 03 tháng 02 năm 2026", "ĐIỂM TIN BÁO CHÍ NƯỚC NGOÀI HẰNG TUẦN",
		"同奈省隆城国际机场试飞", "동나이성 노동자 파업", "ドンナイ省で洪水", "Đình công tại Biên Hòa",
		"4.200.000", "Cách tính:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
}

// TestGenerateWithoutBrowser makes every file of a report with no browser
// configured: the PDF is native and the DOCX is there.
func TestGenerateWithoutBrowser(t *testing.T) {
	st := seededStore(t)
	g := newTestGenerator(t, st.(ReportStore), "")
	o, err := g.Generate(context.Background(), weekly47(t))
	if err != nil {
		t.Fatal(err)
	}
	if o.PDFError != nil || !bytes.HasPrefix(o.PDF, []byte("%PDF-")) {
		t.Fatalf("no native PDF: %v", o.PDFError)
	}
	if len(o.DOCX) == 0 {
		t.Fatal("no DOCX")
	}
	dir := artifactDir(t, "native-"+o.DigestID)
	if err := g.WriteDir(o, dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.html", "report.pdf", "report.docx", "report.txt", "report.json", "volume.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	text := pdfText(t, o.PDF)
	for _, want := range []string{"Câu chuyện nổi bật", "Long Thanh airport begins trial flights", "Tin, bài cần lưu ý", "Workers strike at shoe factory"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	if pdftoppm, err := exec.LookPath("pdftoppm"); err == nil {
		if out, err := exec.Command(pdftoppm, "-png", "-r", "60", filepath.Join(dir, "report.pdf"), filepath.Join(dir, "page")).CombinedOutput(); err != nil {
			t.Errorf("pdftoppm cannot render the PDF: %v: %s", err, out)
		}
	}

	// Turned off, there is no PDF and the report says why.
	off, err := New(Options{Store: st.(ReportStore), Location: hcm, NoPDF: true, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	o2, err := off.Generate(context.Background(), weekly47(t))
	if err != nil {
		t.Fatal(err)
	}
	if o2.PDF != nil || o2.PDFError == nil {
		t.Errorf("PDF off: got %d bytes, error %v", len(o2.PDF), o2.PDFError)
	}
}

// docxXML reads word/document.xml with archive/zip and encoding/xml and
// returns its paragraphs' texts in order and the raw XML.
func docxXML(t *testing.T, docx []byte) (paras []string, raw string) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatalf("the DOCX is not a zip: %v", err)
	}
	names := map[string]bool{}
	var doc []byte
	for _, f := range z.File {
		names[f.Name] = true
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			doc, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	for _, n := range []string{"[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/styles.xml"} {
		if !names[n] {
			t.Errorf("the DOCX lacks %s", n)
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var cur strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("word/document.xml is not well-formed: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			inText = e.Name.Local == "t"
		case xml.EndElement:
			inText = false
			if e.Name.Local == "p" {
				paras = append(paras, cur.String())
				cur.Reset()
			}
		case xml.CharData:
			if inText {
				cur.Write(e)
			}
		}
	}
	return paras, string(doc)
}

func TestDOCXAdministrativeLayout(t *testing.T) {
	h := DefaultAgencyHeader()
	h.SignerName = "Nguyễn Văn A"
	docx, err := DOCX(cjkReport(), nil, h)
	if err != nil {
		t.Fatal(err)
	}
	paras, raw := docxXML(t, docx)
	if len(paras) < 10 {
		t.Fatalf("only %d paragraphs", len(paras))
	}
	// The header block comes first, in the decree's order.
	want := []string{"UBND TỈNH ĐỒNG NAI", "SỞ NGOẠI VỤ", "Số:       /BC-SNgV",
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Đồng Nai, ngày 03 tháng 02 năm 2026",
		"BÁO CÁO", "Điểm tin báo chí nước ngoài hằng tuần"}
	for i, w := range want {
		if paras[i] != w {
			t.Errorf("paragraph %d = %q, want %q", i, paras[i], w)
		}
	}
	all := strings.Join(paras, "\n")
	for _, w := range []string{"Nơi nhận:", "GIÁM ĐỐC", "Nguyễn Văn A", "同奈省隆城国际机场试飞", "4.200.000"} {
		if !strings.Contains(all, w) {
			t.Errorf("the DOCX lacks %q", w)
		}
	}
	// Pages numbered in the header, none on the first (Decree 30/2020).
	for _, w := range []string{`w:ascii="Times New Roman"`, `<w:sz w:val="28"/>`, `w:left="1701"`, `w:right="850"`, `<w:pgSz w:w="11906" w:h="16838"/>`,
		`<w:headerReference w:type="default" r:id="rIdHeader"/>`, `<w:titlePg/>`} {
		if !strings.Contains(raw, w) {
			t.Errorf("word/document.xml lacks %s", w)
		}
	}

	// A second, independent reader: python-docx (Debian's python3-docx),
	// which .ci/run installs.
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import docx").Run(); err != nil {
		t.Skip("python3-docx is not installed: the second reader is skipped (.ci/run installs it)")
	}
	path := filepath.Join(t.TempDir(), "r.docx")
	if err := os.WriteFile(path, docx, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `
import docx, sys
d = docx.Document(sys.argv[1])
s = d.sections[0]
print(round(s.left_margin.mm), round(s.right_margin.mm), round(s.page_width.mm), round(s.page_height.mm))
t = d.tables[0]
print(t.cell(0, 0).text.replace("\n", "|"))
print(t.cell(0, 1).text.replace("\n", "|"))
print(len(d.tables))
print(s.different_first_page_header_footer, "PAGE" in s.header._element.xml, s.header.paragraphs[0].alignment)
print("|".join(p.style.name + ":" + p.text for p in d.paragraphs if p.style.name.startswith("Heading")))
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python-docx cannot open the DOCX: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 6 {
		t.Fatalf("python-docx said %q", out)
	}
	// Sections are Word headings, so the navigation pane and a table of
	// contents find them (an outside reading: the DOCX had no heading
	// styles).
	if want := "Heading 1:I. Tóm tắt|Heading 1:II. Theo quốc gia và ngôn ngữ|Heading 1:III. Chủ đề|Heading 1:IV. Câu chuyện nổi bật|" +
		"Heading 2:1. 同奈省隆城国际机场试飞|Heading 2:2. 동나이성 노동자 파업|Heading 2:3. ドンナイ省で洪水|" +
		"Heading 1:V. Tin, bài cần lưu ý|Heading 1:VI. Cảnh báo và kết quả xử lý|Heading 1:VII. Nguồn tin"; lines[5] != want {
		t.Errorf("headings (style:text) =\n%s\nwant Word headings in Vietnamese only\n%s", lines[5], want)
	}
	if lines[4] != "True True CENTER (1)" {
		t.Errorf("page numbers: first page apart, PAGE field, alignment = %q, want True True CENTER (1)", lines[4])
	}
	if lines[0] != "30 15 210 297" {
		t.Errorf("margins and page = %q, want 30 15 210 297 (mm)", lines[0])
	}
	if lines[1] != "UBND TỈNH ĐỒNG NAI|SỞ NGOẠI VỤ|Số:       /BC-SNgV" {
		t.Errorf("agency block = %q", lines[1])
	}
	if lines[2] != "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập - Tự do - Hạnh phúc|Đồng Nai, ngày 03 tháng 02 năm 2026" {
		t.Errorf("motto block = %q", lines[2])
	}
}

func TestPlaceDateLeadingZeros(t *testing.T) {
	h := DefaultAgencyHeader()
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 2, 5, 0, 0, 0, 0, hcm), "Đồng Nai, ngày 05 tháng 02 năm 2026"},
		{time.Date(2026, 11, 23, 0, 0, 0, 0, hcm), "Đồng Nai, ngày 23 tháng 11 năm 2026"},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, hcm), "Đồng Nai, ngày 01 tháng 3 năm 2026"},
	} {
		if got := h.PlaceDate(tc.t); got != tc.want {
			t.Errorf("PlaceDate(%s) = %q, want %q", tc.t.Format("2006-01-02"), got, tc.want)
		}
	}
}

func TestFormatNumbersVietnamese(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1.000", 4200000: "4.200.000", -12345: "-12.345"} {
		if got := formatInt(n); got != want {
			t.Errorf("formatInt(%d) = %q, want %q", n, got, want)
		}
	}
	if got := formatPercent(12.5); got != "12,5%" {
		t.Errorf("formatPercent(12.5) = %q", got)
	}
}

func TestScriptRuns(t *testing.T) {
	got := scriptRuns("Đồng Nai (同奈省) 동나이 news")
	var parts []string
	for _, r := range got {
		parts = append(parts, r.text)
	}
	// Spaces and ASCII punctuation go with the Latin text: the CJK font
	// has no Vietnamese letters and no width for a space.
	want := []string{"Đồng Nai (", "同奈省", ") ", "동나이", " news"}
	if strings.Join(parts, "|") != strings.Join(want, "|") || !got[1].cjk || !got[3].cjk || got[0].cjk || got[2].cjk || got[4].cjk {
		t.Errorf("runs = %q, want %q", parts, want)
	}
	if strings.Join(parts, "") != "Đồng Nai (同奈省) 동나이 news" {
		t.Errorf("runs lose text: %q", parts)
	}
}

// TestAlertSummaryCountsSentAlertsOnly: digest-only matches were never
// mailed and must not be reported as alerts.
func TestAlertSummaryCountsSentAlertsOnly(t *testing.T) {
	s := alertSummary([]store.DigestAlertCount{
		{Route: "police", Severity: "immediate", State: "new", Count: 3},
		{Route: "foreign_affairs", Severity: "immediate", State: "responded", Count: 2},
		{Route: "root", Severity: "digest", State: "new", Count: 121},
	})
	if s.Total != 5 || s.Recorded != 121 {
		t.Fatalf("total %d, recorded %d; want 5 and 121", s.Total, s.Recorded)
	}
	for _, c := range s.ByRoute {
		if c.Key == "root" {
			t.Errorf("a digest-only route is listed among alerts: %+v", c)
		}
	}
	if s.ByState[0].Label != "Mới" || s.ByState[1].Label != "Đã phản hồi" {
		t.Errorf("states %+v", s.ByState)
	}
}

// TestStoriesTranslated: with a LibreTranslate-compatible service on
// loopback, foreign stories carry a Vietnamese machine translation in the
// HTML, the PDF and the DOCX; when the service fails the report still comes,
// saying so.
func TestStoriesTranslated(t *testing.T) {
	fail := false
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":"down"}`))
			return
		}
		var req struct {
			Q []string `json:"q"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		out := make([]string, len(req.Q))
		for i, q := range req.Q {
			out[i] = "[bản dịch] " + q
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"translatedText": out})
	}))
	defer svc.Close()
	st := seededStore(t)
	g, err := New(Options{Store: st.(ReportStore), Location: hcm, Now: func() time.Time { return fixedNow },
		Translator: translate.New(translate.Options{URL: svc.URL, Cache: st.(store.TranslationStore)})})
	if err != nil {
		t.Fatal(err)
	}
	o, err := g.Generate(context.Background(), weekly47(t))
	if err != nil {
		t.Fatal(err)
	}
	var s Story
	for _, x := range o.Report.Stories {
		if x.Lang != "vi" {
			s = x
			break
		}
	}
	if s.Lang == "" || s.TitleVI != "[bản dịch] "+s.Title || len(s.SummaryVI) != len(s.Summary) {
		t.Fatalf("story %q (%s): title_vi %q, %d/%d summary sentences", s.Title, s.Lang, s.TitleVI, len(s.SummaryVI), len(s.Summary))
	}
	if !strings.Contains(string(o.HTML), "Dịch máy:") || !strings.Contains(string(o.HTML), "[bản dịch] "+s.Title) {
		t.Error("the HTML lacks the translation")
	}
	paras, _ := docxXML(t, o.DOCX)
	if !strings.Contains(strings.Join(paras, "\n"), "Dịch máy: [bản dịch] "+s.Title) {
		t.Error("the DOCX lacks the translation")
	}
	fail = true
	g2, err := New(Options{Store: st.(ReportStore), Location: hcm, Now: func() time.Time { return fixedNow },
		Translator: translate.New(translate.Options{URL: svc.URL})})
	if err != nil {
		t.Fatal(err)
	}
	o2, err := g2.Generate(context.Background(), weekly47(t))
	if err != nil {
		t.Fatal(err)
	}
	if o2.Report.TranslationError == "" {
		t.Error("a failing service: the report does not say the stories are untranslated")
	}
	for _, x := range o2.Report.Stories {
		if x.TitleVI != "" {
			t.Errorf("a failing service: %q translated as %q", x.Title, x.TitleVI)
		}
	}
}

// TestPDFLayoutMixedScripts: a table cell or paragraph mixing CJK and
// Vietnamese is laid out run by run: the Vietnamese after a Chinese title
// is in the Latin font (it was drawn in the CJK font, as boxes), every
// character is kept when CJK text wraps (one was lost at a line end), and
// lines fit the width they were laid out for (rows were drawn past their
// border).
func TestPDFLayoutMixedScripts(t *testing.T) {
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes(fontLatin, "", latinRegular())
	p.AddUTF8FontFromBytes(fontLatin, "B", latinBold())
	p.AddUTF8FontFromBytes(fontCJK, "", cjkFont())
	p.AddPage()
	w := &pdfWriter{p: p}
	const width = 40.0
	cell := "越南同奈省一家鞋厂数千名工人停工 (cần xem xét)"
	lines := w.layout(cell, "", 9, width)
	var all strings.Builder
	latinTail := false
	for _, line := range lines {
		lw := 0.0
		for _, r := range line {
			all.WriteString(r.text)
			if r.cjk {
				p.SetFont(fontCJK, "", 9)
			} else {
				p.SetFont(fontLatin, "", 9)
				if strings.Contains(r.text, "cần") {
					latinTail = true
				}
			}
			lw += p.GetStringWidth(strings.TrimRight(r.text, " "))
		}
		if lw > width+0.01 {
			t.Errorf("line %v is %.1f mm wide, more than %.0f", line, lw, width)
		}
	}
	if !latinTail {
		t.Errorf("the Vietnamese after the Chinese title is not in a Latin run: %v", lines)
	}
	if len(lines) < 2 {
		t.Errorf("a 40 mm cell holds the whole title on one line: %v", lines)
	}
	strip := func(s string) string { return strings.ReplaceAll(s, " ", "") }
	if strip(all.String()) != strip(cell) {
		t.Errorf("laid-out text %q lost characters of %q", all.String(), cell)
	}
	// Japanese without spaces wraps between characters and keeps them all.
	jp := "大雨の影響でチアン水力発電所が放流を続け、下流の集落で浸水被害が出ている。"
	all.Reset()
	for _, line := range w.layout(jp, "", 10, 30) {
		for _, r := range line {
			all.WriteString(r.text)
		}
	}
	if all.String() != jp {
		t.Errorf("Japanese after wrapping = %q, want %q", all.String(), jp)
	}
}

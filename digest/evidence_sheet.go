package digest

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansitalic"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"

	"github.com/dongnai/presswatch/store"
)

// EvidenceSheetData is what an evidence sheet shows of one capture.
type EvidenceSheetData struct {
	Snapshot  store.Snapshot
	Title     string
	Outlet    string
	Published time.Time
}

// EvidenceSheet writes the PDF "evidence sheet" of a capture: title, URL,
// capture time, HTTP status, SHA-256 of the body as fetched, the change
// against the capture before and the text as captured, in the same embedded
// fonts as the reports (Vietnamese and CJK). Times are shown in loc.
func EvidenceSheet(d EvidenceSheetData, loc *time.Location) ([]byte, error) {
	sn := d.Snapshot
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(pdfMarginLeft, pdfMarginTop, pdfMarginRight)
	p.SetAutoPageBreak(true, pdfMarginBottom)
	p.AddUTF8FontFromBytes(fontLatin, "", liberationsansregular.TTF)
	p.AddUTF8FontFromBytes(fontLatin, "B", liberationsansbold.TTF)
	p.AddUTF8FontFromBytes(fontLatin, "I", liberationsansitalic.TTF)
	p.AddUTF8FontFromBytes(fontCJK, "", cjkFont())
	p.SetTitle("Phiếu lưu bằng chứng "+sn.ID, true)
	p.SetCreator("presswatch", true)
	p.SetCreationDate(sn.CapturedAt)
	p.SetModificationDate(sn.CapturedAt)
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont(fontLatin, "", 8)
		p.SetTextColor(120, 120, 120)
		p.CellFormat(0, 5, fmt.Sprintf("Phiếu lưu bằng chứng · %s · trang %d/{nb}", sn.ID, p.PageNo()), "", 0, "C", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()
	w := &pdfWriter{p: p}
	p.SetFont(fontLatin, "B", 14)
	p.MultiCell(0, 7, "PHIẾU LƯU BẰNG CHỨNG TIN, BÀI BÁO CHÍ NƯỚC NGOÀI", "", "C", false)
	p.SetFont(fontLatin, "I", 9.5)
	p.MultiCell(0, 5, "Evidence sheet — the page as fetched; verify the file's SHA-256 against the WARC.", "", "C", false)
	p.Ln(3)
	when := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(loc).Format("15:04:05 02/01/2006") + " (giờ Việt Nam)"
	}
	status := "không tải được"
	if sn.Status != 0 {
		status = strconv.Itoa(sn.Status)
	}
	w.table(table{Header: []string{"Mục", "Nội dung"}, Widths: []float64{1.3, 4.2}, Rows: [][]string{
		{"Tiêu đề", d.Title},
		{"Cơ quan báo chí", d.Outlet},
		{"Địa chỉ (URL)", sn.URL},
		{"Địa chỉ sau chuyển hướng", sn.FinalURL},
		{"Ngày đăng", when(d.Published)},
		{"Thời điểm lưu", when(sn.CapturedAt)},
		{"Mã HTTP", status},
		{"SHA-256 của trang", sn.SHA256},
		{"Lần lưu", strconv.Itoa(sn.Seq)},
		{"Thay đổi so với lần trước", sn.ChangeDetail},
		{"Tệp WARC", sn.WARCPath},
	}})
	if sn.Text != "" {
		w.block(heading{1, "Nội dung như khi lưu"})
		w.block(heading{2, sn.Title})
		w.block(para{Text: sn.Text})
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("evidence sheet %s: %w", sn.ID, err)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("evidence sheet %s: %w", sn.ID, err)
	}
	return buf.Bytes(), nil
}

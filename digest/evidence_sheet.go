package digest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/dongnai/presswatch/store"
)

// EvidenceSheetData is what an evidence sheet shows of one capture.
type EvidenceSheetData struct {
	Snapshot  store.Snapshot
	Title     string
	Outlet    string
	Published time.Time
	// Screenshot is the full-page PNG of the page as archived (already
	// checked against its recorded SHA-256); nil when none was taken.
	Screenshot []byte
	// ScreenshotNote says in Vietnamese why there is no screenshot.
	ScreenshotNote string
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
	p.AddUTF8FontFromBytes(fontLatin, "", latinRegular())
	p.AddUTF8FontFromBytes(fontLatin, "B", latinBold())
	p.AddUTF8FontFromBytes(fontLatin, "I", latinItalic())
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
		{"SHA-256 của tệp WARC", firstNonEmptyStr(sn.WARCSHA256, "—")},
		{"SHA-256 của ảnh màn hình", firstNonEmptyStr(sn.ScreenshotSHA256, "—")},
	}})
	w.block(heading{1, "Ảnh chụp màn hình trang đã lưu"})
	if len(d.Screenshot) > 0 {
		p.SetFont(fontLatin, "I", 9)
		p.MultiCell(0, 4.5, "Trang hiển thị lại từ tệp WARC đã lưu, không tải lại từ mạng; kịch bản (script) và tài nguyên bên ngoài tệp không được tải.", "", "L", false)
		p.Ln(1)
		if err := screenshotPages(p, sn.ID, d.Screenshot); err != nil {
			return nil, fmt.Errorf("evidence sheet %s: %w", sn.ID, err)
		}
	} else {
		note := d.ScreenshotNote
		if note == "" {
			note = "Không có ảnh chụp màn hình cho lần lưu này."
		}
		w.block(para{Text: note})
	}
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

func firstNonEmptyStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// screenshotPages draws a full-page screenshot at the text width, cut into
// slices that each fill at most the rest of a page, so a long page is
// printed at a readable scale over several pages.
func screenshotPages(p *fpdf.Fpdf, id string, data []byte) error {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	b := img.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		return fmt.Errorf("screenshot: empty image")
	}
	pageW, pageH := p.GetPageSize()
	left, _, right, _ := p.GetMargins()
	width := pageW - left - right
	mmPerPx := width / float64(b.Dx())
	sub, ok := img.(interface {
		SubImage(r image.Rectangle) image.Image
	})
	for y, n := b.Min.Y, 0; y < b.Max.Y; n++ {
		avail := pageH - pdfMarginBottom - p.GetY() - 2
		if avail < 40 {
			p.AddPage()
			avail = pageH - pdfMarginBottom - p.GetY() - 2
		}
		rows := min(b.Max.Y-y, int(avail/mmPerPx))
		if rows <= 0 {
			rows = 1
		}
		var part []byte
		if y == b.Min.Y && rows == b.Dy() {
			part = data
		} else {
			if !ok {
				return fmt.Errorf("screenshot: image cannot be sliced")
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, sub.SubImage(image.Rect(b.Min.X, y, b.Max.X, y+rows))); err != nil {
				return fmt.Errorf("screenshot: %w", err)
			}
			part = buf.Bytes()
		}
		name := fmt.Sprintf("screenshot-%s-%d", id, n)
		p.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(part))
		h := float64(rows) * mmPerPx
		p.ImageOptions(name, left, p.GetY(), width, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		p.SetDrawColor(150, 150, 150)
		p.Rect(left, p.GetY(), width, h, "D")
		p.SetY(p.GetY() + h)
		y += rows
	}
	p.Ln(2)
	return p.Error()
}

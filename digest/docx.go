package digest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"strings"
	"time"
)

// AgencyHeader is who issues a report, for the administrative layout of
// the DOCX and the header of the PDF (Nghị định 30/2020/NĐ-CP, Phụ lục I).
type AgencyHeader struct {
	// Parent is the governing body, e.g. "UBND tỉnh Đồng Nai".
	Parent string
	// Agency is the issuing agency, e.g. "Sở Ngoại vụ".
	Agency string
	// Symbol is the document symbol after the number, e.g. "BC-SNgV".
	Symbol string
	// Place is the place name in the date line, e.g. "Đồng Nai".
	Place string
	// SignerTitle is the signer's position, e.g. "Giám đốc"; SignerName may
	// stay empty for the officer to fill in.
	SignerTitle string
	SignerName  string
	// Recipients are listed under "Nơi nhận:".
	Recipients []string
}

// DefaultAgencyHeader is the header shipped for Đồng Nai.
func DefaultAgencyHeader() AgencyHeader {
	return AgencyHeader{
		Parent: "UBND tỉnh Đồng Nai", Agency: "Sở Ngoại vụ", Symbol: "BC-SNgV", Place: "Đồng Nai",
		SignerTitle: "Giám đốc",
		Recipients:  []string{"UBND tỉnh (để báo cáo)", "Ban Chỉ đạo công tác thông tin đối ngoại tỉnh", "Lưu: VT"},
	}
}

func (h AgencyHeader) orDefault() AgencyHeader {
	d := DefaultAgencyHeader()
	if h.Parent == "" {
		h.Parent = d.Parent
	}
	if h.Agency == "" {
		h.Agency = d.Agency
	}
	if h.Symbol == "" {
		h.Symbol = d.Symbol
	}
	if h.Place == "" {
		h.Place = d.Place
	}
	if h.SignerTitle == "" {
		h.SignerTitle = d.SignerTitle
	}
	if len(h.Recipients) == 0 {
		h.Recipients = d.Recipients
	}
	return h
}

// Number is the "Số:" line with the number left blank for the clerk who
// registers the outgoing document: "     /BC-SNgV".
func (h AgencyHeader) Number(Kind) string { return "      /" + h.Symbol }

// PlaceDate is the place and date line: "Đồng Nai, ngày 05 tháng 02 năm 2026".
// Days below 10 and months below 3 take a leading zero (Nghị định 30).
func (h AgencyHeader) PlaceDate(t time.Time) string {
	day := fmt.Sprint(t.Day())
	if t.Day() < 10 {
		day = "0" + day
	}
	month := fmt.Sprint(int(t.Month()))
	if t.Month() < 3 {
		month = "0" + month
	}
	return fmt.Sprintf("%s, ngày %s tháng %s năm %d", h.Place, day, month, t.Year())
}

// DOCX lengths are in twentieths of a point (twips); 1 mm = 56.7 twips.
const (
	docxMarginTop    = 1134 // 20 mm
	docxMarginBottom = 1134 // 20 mm
	docxMarginLeft   = 1701 // 30 mm
	docxMarginRight  = 850  // 15 mm
	docxPageWidth    = 11906
	docxPageHeight   = 16838
	docxTextWidth    = docxPageWidth - docxMarginLeft - docxMarginRight
	docxBodyHalfPt   = 28 // Times New Roman 14 for the body (half-points)
	docxSmallHalfPt  = 26 // 13 for tables and the header block
	emuPerTwip       = 635
)

// DOCX writes the report as a Word document in the administrative layout
// for the People's Committee: national motto and agency header side by side,
// number and symbol, place and date, the title, the body in Times New Roman
// 14, then "Nơi nhận" and the signature block, on A4 with the decree's
// margins — so officers can edit it before signing.
func DOCX(r *Report, charts []Chart, h AgencyHeader) ([]byte, error) {
	h = h.orDefault()
	doc := buildDocument(r, charts, r.Generated.Location())
	vietnameseOnly(doc)
	w := &docxWriter{}
	w.header(doc, h)
	for _, b := range doc.Blocks {
		w.block(b)
	}
	w.signature(h)
	body := w.body.String()

	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	files := []struct{ name, content string }{
		{"[Content_Types].xml", docxContentTypes},
		{"_rels/.rels", docxRootRels},
		{"docProps/core.xml", docxCore(doc, h)},
		{"word/styles.xml", docxStyles},
		{"word/settings.xml", docxSettings},
		{"word/header1.xml", docxPageNumberHeader},
		{"word/_rels/document.xml.rels", w.rels()},
		{"word/document.xml", docxDocument(body)},
	}
	for _, f := range files {
		fw, err := z.Create(f.name)
		if err != nil {
			return nil, fmt.Errorf("write docx: %w", err)
		}
		if _, err := fw.Write([]byte(f.content)); err != nil {
			return nil, fmt.Errorf("write docx: %w", err)
		}
	}
	for i, img := range w.images {
		fw, err := z.Create(fmt.Sprintf("word/media/image%d.png", i+1))
		if err != nil {
			return nil, fmt.Errorf("write docx: %w", err)
		}
		if _, err := fw.Write(img); err != nil {
			return nil, fmt.Errorf("write docx: %w", err)
		}
	}
	if err := z.Close(); err != nil {
		return nil, fmt.Errorf("write docx: %w", err)
	}
	return buf.Bytes(), nil
}

// vietnameseOnly drops the English glosses of the document's headings
// ("Tóm tắt · Summary") and notes: the DOCX is the draft an office edits,
// signs and files, in Vietnamese as Decree 30/2020/NĐ-CP has it (an
// outside reading). The PDF and HTML keep them for readers of English.
func vietnameseOnly(doc *document) {
	for i, b := range doc.Blocks {
		switch b := b.(type) {
		case heading:
			if vi, _, ok := strings.Cut(b.Text, " · "); ok {
				b.Text = vi
				doc.Blocks[i] = b
			}
		case para:
			if vi, ok := strings.CutSuffix(b.Text, " "+ProvisionalEN); ok {
				b.Text = vi
				doc.Blocks[i] = b
			}
		}
	}
}

type docxWriter struct {
	body   strings.Builder
	images [][]byte
}

func esc(s string) string {
	var b strings.Builder
	// EscapeText also drops characters XML cannot carry.
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// runProps are a run's properties: Times New Roman for every script slot so
// Word does not substitute a CJK font for Vietnamese text.
func runProps(bold, italic, underline bool, halfPt int) string {
	var b strings.Builder
	b.WriteString(`<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="Times New Roman"/>`)
	if bold {
		b.WriteString(`<w:b/>`)
	}
	if italic {
		b.WriteString(`<w:i/>`)
	}
	if underline {
		b.WriteString(`<w:u w:val="single"/>`)
	}
	fmt.Fprintf(&b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr>`, halfPt, halfPt)
	return b.String()
}

func runText(text string, bold, italic, underline bool, halfPt int) string {
	return `<w:r>` + runProps(bold, italic, underline, halfPt) + `<w:t xml:space="preserve">` + esc(text) + `</w:t></w:r>`
}

// paragraph writes one paragraph; align is left, center, right or both.
func paragraph(align string, before, after int, indentFirst int, runs ...string) string {
	return styledParagraph("", align, before, after, indentFirst, runs...)
}

// styledParagraph is paragraph in the named paragraph style (docxStyles);
// "" is Normal.
func styledParagraph(style, align string, before, after int, indentFirst int, runs ...string) string {
	ind, ps := "", ""
	if indentFirst > 0 {
		ind = fmt.Sprintf(`<w:ind w:firstLine="%d"/>`, indentFirst)
	}
	if style != "" {
		ps = `<w:pStyle w:val="` + style + `"/>`
	}
	return fmt.Sprintf(`<w:p><w:pPr>%s<w:spacing w:before="%d" w:after="%d"/>%s<w:jc w:val="%s"/></w:pPr>%s</w:p>`,
		ps, before, after, ind, align, strings.Join(runs, ""))
}

// header writes the two-column header block (agency left, motto right), the
// number and the place-date line, then the report's name.
func (w *docxWriter) header(doc *document, h AgencyHeader) {
	left := paragraph("center", 0, 0, 0, runText(strings.ToUpper(h.Parent), false, false, false, docxSmallHalfPt)) +
		paragraph("center", 0, 120, 0, runText(strings.ToUpper(h.Agency), true, false, true, docxSmallHalfPt)) +
		paragraph("center", 0, 0, 0, runText("Số: "+h.Number(doc.Kind), false, false, false, docxSmallHalfPt))
	right := paragraph("center", 0, 0, 0, runText("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", true, false, false, docxSmallHalfPt)) +
		paragraph("center", 0, 120, 0, runText("Độc lập - Tự do - Hạnh phúc", true, false, true, docxBodyHalfPt)) +
		paragraph("center", 0, 0, 0, runText(h.PlaceDate(doc.Date), false, true, false, docxBodyHalfPt))
	leftW, rightW := docxTextWidth*4/10, docxTextWidth-docxTextWidth*4/10
	fmt.Fprintf(&w.body, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:tblLayout w:type="fixed"/>`+
		`<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>`+
		`</w:tblPr><w:tblGrid><w:gridCol w:w="%d"/><w:gridCol w:w="%d"/></w:tblGrid>`+
		`<w:tr><w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>%s</w:tc><w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>%s</w:tc></w:tr></w:tbl>`,
		docxTextWidth, leftW, rightW, leftW, left, rightW, right)
	w.body.WriteString(paragraph("center", 360, 0, 0, runText("BÁO CÁO", true, false, false, docxBodyHalfPt)))
	w.body.WriteString(paragraph("center", 0, 0, 0, runText(doc.Title, true, false, false, docxBodyHalfPt)))
	w.body.WriteString(paragraph("center", 0, 240, 0, runText(doc.Subtitle, true, false, false, docxBodyHalfPt)))
}

func (w *docxWriter) block(b block) {
	switch b := b.(type) {
	case heading:
		// The heading styles carry the outline (Word's navigation pane, a
		// table of contents); the run keeps the look set here.
		style := "Heading1"
		if b.Level > 1 {
			style = "Heading2"
		}
		w.body.WriteString(styledParagraph(style, "both", 120, 60, 567, runText(b.Text, true, b.Level > 1, false, docxBodyHalfPt)))
	case para:
		w.body.WriteString(paragraph("both", 0, 120, 567, runText(b.Text, false, b.Italic, false, docxBodyHalfPt)))
	case list:
		for _, it := range b.Items {
			w.body.WriteString(paragraph("both", 0, 60, 567, runText("- "+it, false, false, false, docxBodyHalfPt)))
		}
	case table:
		w.table(b)
	case figure:
		w.figure(b)
	}
}

func (w *docxWriter) table(t table) {
	cols := len(t.Header)
	total := 0.0
	widths := make([]int, cols)
	for i := 0; i < cols; i++ {
		f := 1.0
		if i < len(t.Widths) {
			f = t.Widths[i]
		}
		total += f
	}
	for i := 0; i < cols; i++ {
		f := 1.0
		if i < len(t.Widths) {
			f = t.Widths[i]
		}
		widths[i] = int(float64(docxTextWidth) * f / total)
	}
	b := &w.body
	fmt.Fprintf(b, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders>`+
		`<w:top w:val="single" w:sz="4" w:color="000000"/><w:left w:val="single" w:sz="4" w:color="000000"/>`+
		`<w:bottom w:val="single" w:sz="4" w:color="000000"/><w:right w:val="single" w:sz="4" w:color="000000"/>`+
		`<w:insideH w:val="single" w:sz="4" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:color="000000"/>`+
		`</w:tblBorders></w:tblPr><w:tblGrid>`, docxTextWidth)
	for _, wd := range widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, wd)
	}
	b.WriteString(`</w:tblGrid>`)
	row := func(cells []string, header bool) {
		b.WriteString(`<w:tr>`)
		if header {
			b.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
		}
		for i := 0; i < cols; i++ {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			align := "left"
			if header {
				align = "center"
			} else if i < len(t.Num) && t.Num[i] {
				align = "right"
			}
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>%s</w:tc>`, widths[i],
				paragraph(align, 20, 20, 0, runText(c, header, false, false, docxSmallHalfPt)))
		}
		b.WriteString(`</w:tr>`)
	}
	row(t.Header, true)
	for _, r := range t.Rows {
		row(r, false)
	}
	b.WriteString(`</w:tbl>`)
	b.WriteString(paragraph("left", 0, 120, 0))
}

func (w *docxWriter) figure(f figure) {
	cfg, err := png.DecodeConfig(bytes.NewReader(f.PNG))
	if err != nil || cfg.Width == 0 {
		return
	}
	w.images = append(w.images, f.PNG)
	n := len(w.images)
	cx := int64(docxTextWidth) * 85 / 100 * emuPerTwip
	cy := cx * int64(cfg.Height) / int64(cfg.Width)
	drawing := fmt.Sprintf(`<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">`+
		`<wp:extent cx="%d" cy="%d"/><wp:docPr id="%d" name="Biểu đồ %d" descr="%s"/>`+
		`<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">`+
		`<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">`+
		`<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">`+
		`<pic:nvPicPr><pic:cNvPr id="%d" name="image%d.png"/><pic:cNvPicPr/></pic:nvPicPr>`+
		`<pic:blipFill><a:blip r:embed="rIdImg%d"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`+
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`+
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>`,
		cx, cy, n, n, esc(f.Caption), n, n, n, cx, cy)
	w.body.WriteString(paragraph("center", 120, 0, 0, drawing))
	w.body.WriteString(paragraph("center", 0, 120, 0, runText(f.Caption, false, true, false, docxSmallHalfPt)))
}

// signature writes "Nơi nhận" (left, 12 pt) and the signer's block (right).
func (w *docxWriter) signature(h AgencyHeader) {
	var left strings.Builder
	left.WriteString(paragraph("left", 240, 0, 0, runText("Nơi nhận:", true, true, false, 24)))
	for i, r := range h.Recipients {
		end := ";"
		if i == len(h.Recipients)-1 {
			end = "."
		}
		left.WriteString(paragraph("left", 0, 0, 0, runText("- "+r+end, false, false, false, 22)))
	}
	right := paragraph("center", 240, 0, 0, runText(strings.ToUpper(h.SignerTitle), true, false, false, docxBodyHalfPt)) +
		paragraph("center", 0, 1200, 0, runText("(Ký, ghi rõ họ tên và đóng dấu)", false, true, false, docxSmallHalfPt)) +
		paragraph("center", 0, 0, 0, runText(h.SignerName, true, false, false, docxBodyHalfPt))
	half := docxTextWidth / 2
	fmt.Fprintf(&w.body, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:tblLayout w:type="fixed"/>`+
		`<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>`+
		`</w:tblPr><w:tblGrid><w:gridCol w:w="%d"/><w:gridCol w:w="%d"/></w:tblGrid>`+
		`<w:tr><w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>%s</w:tc><w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>%s</w:tc></w:tr></w:tbl>`,
		docxTextWidth, half, half, half, left.String(), half, right)
}

func (w *docxWriter) rels() string {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	b.WriteString(`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`)
	b.WriteString(`<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>`)
	b.WriteString(`<Relationship Id="rIdHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>`)
	for i := range w.images {
		fmt.Fprintf(&b, `<Relationship Id="rIdImg%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image%d.png"/>`, i+1, i+1)
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

func docxDocument(body string) string {
	return xml.Header + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"` +
		` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"` +
		` xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"` +
		` xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"` +
		` xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>` + body +
		fmt.Sprintf(`<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/><w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="567" w:footer="567" w:gutter="0"/><w:titlePg/></w:sectPr>`,
			docxPageWidth, docxPageHeight, docxMarginTop, docxMarginRight, docxMarginBottom, docxMarginLeft) +
		`</w:body></w:document>`
}

func docxCore(doc *document, h AgencyHeader) string {
	return xml.Header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + esc(doc.Title+" — "+doc.Subtitle) + `</dc:title><dc:creator>` + esc(h.Agency) + `</dc:creator>` +
		`<dc:language>vi-VN</dc:language>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + doc.Date.UTC().Format(time.RFC3339) + `</dcterms:created>` +
		`</cp:coreProperties>`
}

const docxContentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Default Extension="png" ContentType="image/png"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const docxRootRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

const docxStyles = xml.Header + `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="Times New Roman"/>` +
	`<w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>` +
	// Word's built-in heading names, so that the navigation pane and a
	// table of contents find the report's sections; the look is the
	// report's own (bold, 14 pt, Times New Roman), set on the runs.
	`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:i/></w:rPr></w:style>` +
	`</w:styles>`

// docxPageNumberHeader numbers the pages as Decree 30/2020/NĐ-CP asks of
// administrative documents: Arabic numerals, 13–14 pt upright, centred in
// the top margin, none on the first page (the section's w:titlePg gives the
// first page an empty header). A PAGE field, so Word renumbers as officers
// edit.
const docxPageNumberHeader = xml.Header + `<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:p><w:pPr><w:jc w:val="center"/></w:pPr>` +
	`<w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>` +
	`<w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>` +
	`<w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>` +
	`<w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:t>2</w:t></w:r>` +
	`<w:r><w:rPr><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>`

const docxSettings = xml.Header + `<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/></w:settings>`

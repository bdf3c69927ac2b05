package digest

import (
	"bytes"
	_ "embed" // the fonts
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"

	"github.com/andybalholm/brotli"

	"codeberg.org/go-pdf/fpdf"
)

// cjkFontBr is Droid Sans Fallback, which covers Chinese, Japanese and
// Korean, brotli-compressed; see fonts/README.md.
//
//go:embed fonts/DroidSansFallback.ttf.br
var cjkFontBr []byte

// cjkFont returns the decompressed CJK font, decompressing it on the first
// call: most processes never write a PDF, and the 3.4 MB font would
// otherwise be in every binary and every process's memory.
var cjkFont = sync.OnceValue(func() []byte { return unbrotli("CJK", cjkFontBr) })

// Liberation Sans (regular, bold, italic) covers Latin and Vietnamese; the
// PDFs and the charts use it. It is kept brotli-compressed like the CJK
// font (0.5 MB instead of 1.2 MB in the binary) and decompressed on first
// use; see fonts/README.md.
var (
	//go:embed fonts/LiberationSans-Regular.ttf.br
	latinRegularBr []byte
	//go:embed fonts/LiberationSans-Bold.ttf.br
	latinBoldBr []byte
	//go:embed fonts/LiberationSans-Italic.ttf.br
	latinItalicBr []byte

	latinRegular = sync.OnceValue(func() []byte { return unbrotli("Liberation Sans", latinRegularBr) })
	latinBold    = sync.OnceValue(func() []byte { return unbrotli("Liberation Sans Bold", latinBoldBr) })
	latinItalic  = sync.OnceValue(func() []byte { return unbrotli("Liberation Sans Italic", latinItalicBr) })
)

func unbrotli(name string, br []byte) []byte {
	b, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
	if err != nil {
		// The embedded bytes are fixed at build time and checked by
		// TestEmbeddedFonts, so this cannot happen in a released binary.
		panic(fmt.Sprintf("digest: embedded font %s: %v", name, err))
	}
	return b
}

// Page geometry of the native PDF, in millimetres: A4 with the margins of
// an administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I: top and
// bottom 20–25, left 30–35, right 15–20).
const (
	pdfMarginTop    = 20.0
	pdfMarginBottom = 20.0
	pdfMarginLeft   = 30.0
	pdfMarginRight  = 15.0
	pdfBodySize     = 10.5 // pt
	pdfLine         = 5.2  // mm per line of body text
)

const (
	fontLatin = "latin" // Liberation Sans: Latin, Vietnamese, Cyrillic, Greek
	fontCJK   = "cjk"   // Droid Sans Fallback: Han, Kana, Hangul
)

// NativePDF writes the report as a PDF without a browser: text is real text
// (searchable, copyable) in embedded, subsetted fonts that cover Vietnamese
// and CJK, and the charts are the same PNGs as in the HTML.
func NativePDF(r *Report, charts []Chart, h AgencyHeader) ([]byte, error) {
	loc := r.Generated.Location()
	doc := buildDocument(r, charts, loc)
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(pdfMarginLeft, pdfMarginTop, pdfMarginRight)
	p.SetAutoPageBreak(true, pdfMarginBottom)
	p.AddUTF8FontFromBytes(fontLatin, "", latinRegular())
	p.AddUTF8FontFromBytes(fontLatin, "B", latinBold())
	p.AddUTF8FontFromBytes(fontLatin, "I", latinItalic())
	p.AddUTF8FontFromBytes(fontCJK, "", cjkFont())
	p.SetTitle(doc.Title+" — "+doc.Subtitle, true)
	p.SetAuthor(h.Agency, true)
	p.SetCreator("presswatch", true)
	p.SetCreationDate(r.Generated)
	p.SetModificationDate(r.Generated)
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont(fontLatin, "", 8)
		p.SetTextColor(120, 120, 120)
		p.CellFormat(0, 5, fmt.Sprintf("%s · %s · trang %d/{nb}", doc.Title, r.Period, p.PageNo()), "", 0, "C", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()
	w := &pdfWriter{p: p}
	w.header(doc, h)
	for _, b := range doc.Blocks {
		w.block(b)
	}
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("write pdf %s %s: %w", r.Kind, r.Period, err)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("write pdf %s %s: %w", r.Kind, r.Period, err)
	}
	return buf.Bytes(), nil
}

type pdfWriter struct {
	p       *fpdf.Fpdf
	figures int // images registered so far, for their names
}

func (w *pdfWriter) width() float64 {
	pw, _ := w.p.GetPageSize()
	return pw - pdfMarginLeft - pdfMarginRight
}

// header writes the agency block and the national motto side by side, then
// the report's name and period.
func (w *pdfWriter) header(doc *document, h AgencyHeader) {
	p := w.p
	col := w.width() / 2
	x, y := p.GetX(), p.GetY()
	p.SetFont(fontLatin, "", 9.5)
	p.MultiCell(col-4, 4.6, strings.ToUpper(h.Parent), "", "C", false)
	p.SetFont(fontLatin, "B", 9.5)
	p.SetX(x)
	p.MultiCell(col-4, 4.6, strings.ToUpper(h.Agency), "", "C", false)
	p.SetX(x)
	p.SetFont(fontLatin, "", 9.5)
	p.MultiCell(col-4, 6, "Số: "+h.Number(doc.Kind), "", "C", false)
	leftEnd := p.GetY()
	p.SetXY(x+col, y)
	p.SetFont(fontLatin, "B", 9.5)
	p.MultiCell(col, 4.6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", "C", false)
	p.SetX(x + col)
	p.MultiCell(col, 4.6, "Độc lập - Tự do - Hạnh phúc", "", "C", false)
	p.SetX(x + col)
	p.SetFont(fontLatin, "I", 9.5)
	p.MultiCell(col, 6, h.PlaceDate(doc.Date), "", "C", false)
	if p.GetY() < leftEnd {
		p.SetY(leftEnd)
	}
	p.Ln(4)
	p.SetFont(fontLatin, "B", 14)
	p.MultiCell(0, 7, strings.ToUpper(doc.Title), "", "C", false)
	p.SetFont(fontLatin, "", 11)
	w.mixed(doc.Subtitle, "", 11, 5.5, "C")
	p.Ln(3)
}

func (w *pdfWriter) block(b block) {
	p := w.p
	switch b := b.(type) {
	case heading:
		size := 12.5
		if b.Level > 1 {
			size = 11
		}
		_, pageH := p.GetPageSize()
		if p.GetY() > pageH-pdfMarginBottom-25 { // keep a heading with what follows
			p.AddPage()
		}
		p.Ln(2)
		w.mixed(b.Text, "B", size, size*0.5, "L")
		p.Ln(1)
	case para:
		style := ""
		if b.Italic {
			style = "I"
		}
		if b.Muted {
			p.SetTextColor(90, 90, 90)
		}
		w.mixed(b.Text, style, pdfBodySize, pdfLine, "L")
		p.SetTextColor(0, 0, 0)
		p.Ln(1.5)
	case list:
		for _, it := range b.Items {
			p.SetFont(fontLatin, "", pdfBodySize)
			p.CellFormat(5, pdfLine, "•", "", 0, "L", false, 0, "")
			left, _, _, _ := p.GetMargins()
			p.SetLeftMargin(left + 5)
			w.mixed(it, "", pdfBodySize, pdfLine, "L")
			p.SetLeftMargin(left)
			p.SetX(left)
		}
		p.Ln(1.5)
	case table:
		w.table(b)
	case figure:
		w.figure(b)
	}
}

// mixed writes text that may hold CJK runs, switching font per run, wrapped
// within the margins. align "C" centres it line by line (single-font runs
// only: centred lines are headings in one script).
func (w *pdfWriter) mixed(text, style string, size, lineH float64, align string) {
	p := w.p
	runs := scriptRuns(text)
	if align == "C" || len(runs) == 1 && runs[0].cjk {
		font, st := fontLatin, style
		if hasCJK(text) {
			font, st = fontCJK, ""
		}
		p.SetFont(font, st, size)
		p.MultiCell(0, lineH, text, "", align, false)
		return
	}
	left, _, right, _ := p.GetMargins()
	pw, _ := p.GetPageSize()
	p.SetX(left)
	for _, line := range w.layout(text, style, size, pw-left-right) {
		w.drawLine(line, style, size, lineH, left, 0, "L")
		p.SetXY(left, p.GetY()+lineH)
	}
}

// layout wraps text into lines of at most width mm, each a list of runs in
// one font: CJK runs may break between any two characters, other text
// between words (a word longer than a line between letters). fpdf's own
// wrapping measured a mixed cell in one font (the CJK one, which has no
// Vietnamese letters: boxes, and rows drawn past their border) and dropped
// a CJK character at a line end (an outside reading of the PDF).
func (w *pdfWriter) layout(text, style string, size, width float64) [][]run {
	p := w.p
	var lines [][]run
	var cur []run
	curW := 0.0
	setFont := func(cjk bool) {
		if cjk {
			p.SetFont(fontCJK, "", size)
		} else {
			p.SetFont(fontLatin, style, size)
		}
	}
	add := func(tok string, cjk bool) {
		if n := len(cur); n > 0 && cur[n-1].cjk == cjk {
			cur[n-1].text += tok
		} else {
			cur = append(cur, run{tok, cjk})
		}
	}
	newLine := func() {
		if len(cur) > 0 {
			lines = append(lines, cur)
		}
		cur, curW = nil, 0
	}
	place := func(tok string, cjk bool) {
		setFont(cjk)
		tw := p.GetStringWidth(tok)
		fit := tw - p.GetStringWidth(tok[len(strings.TrimRight(tok, " ")):])
		if curW > 0 && curW+fit > width {
			newLine()
			tok = strings.TrimLeft(tok, " ")
			tw = p.GetStringWidth(tok)
		}
		if tw > width && !cjk {
			// A word wider than a line (a URL): break it between letters.
			for _, r := range tok {
				rw := p.GetStringWidth(string(r))
				if curW > 0 && curW+rw > width {
					newLine()
				}
				add(string(r), false)
				curW += rw
			}
			return
		}
		add(tok, cjk)
		curW += tw
	}
	for _, para := range strings.Split(text, "\n") {
		for _, r := range scriptRuns(para) {
			if r.cjk {
				for _, c := range r.text {
					place(string(c), true)
				}
				continue
			}
			for _, word := range strings.SplitAfter(r.text, " ") {
				if word != "" {
					place(word, false)
				}
			}
		}
		newLine()
	}
	if len(lines) == 0 {
		lines = [][]run{{{"", false}}}
	}
	return lines
}

// drawLine draws one laid-out line at x (right-aligned in a cell of width
// cellW when align is "R"), each run in its font, and leaves the position
// at the line's end.
func (w *pdfWriter) drawLine(line []run, style string, size, lineH, x, cellW float64, align string) {
	p := w.p
	setFont := func(cjk bool) {
		if cjk {
			p.SetFont(fontCJK, "", size)
		} else {
			p.SetFont(fontLatin, style, size)
		}
	}
	if align == "R" {
		total := 0.0
		for _, r := range line {
			setFont(r.cjk)
			total += p.GetStringWidth(r.text)
		}
		x += cellW - total
	}
	p.SetX(x)
	for _, r := range line {
		setFont(r.cjk)
		p.CellFormat(p.GetStringWidth(r.text), lineH, r.text, "", 0, "L", false, 0, "")
	}
}

// table draws a table with wrapped cells; a row never splits across pages
// and the header is repeated on a new page.
func (w *pdfWriter) table(t table) {
	p := w.p
	cols := len(t.Header)
	widths := make([]float64, cols)
	total := 0.0
	for i := range widths {
		widths[i] = 1
		if i < len(t.Widths) {
			widths[i] = t.Widths[i]
		}
		total += widths[i]
	}
	for i := range widths {
		widths[i] *= w.width() / total
	}
	const size, lineH = 9.0, 4.4
	_, pageH := p.GetPageSize()
	style := func(bold bool) string {
		if bold {
			return "B"
		}
		return ""
	}
	row := func(cells []string, bold bool, fill bool) {
		lines := make([][][]run, cols)
		n := 1
		for i := 0; i < cols; i++ {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			lines[i] = w.layout(c, style(bold), size, widths[i]-2*pad)
			if len(lines[i]) > n {
				n = len(lines[i])
			}
		}
		h := float64(n)*lineH + 1.6
		if p.GetY()+h > pageH-pdfMarginBottom {
			p.AddPage()
			if !bold {
				w.tableHeader(t, widths, size, lineH)
			}
		}
		x, y := p.GetX(), p.GetY()
		for i := 0; i < cols; i++ {
			align := "L"
			if i < len(t.Num) && t.Num[i] {
				align = "R"
			}
			if fill {
				p.SetFillColor(232, 238, 245)
			}
			p.Rect(x, y, widths[i], h, map[bool]string{true: "FD", false: "D"}[fill])
			for k, line := range lines[i] {
				p.SetY(y + 0.8 + float64(k)*lineH)
				w.drawLine(line, style(bold), size, lineH, x+pad, widths[i]-2*pad, align)
			}
			x += widths[i]
		}
		p.SetXY(pdfMarginLeft, y+h)
	}
	p.SetDrawColor(170, 170, 170)
	if p.GetY()+3*lineH > pageH-pdfMarginBottom {
		p.AddPage()
	}
	row(t.Header, true, true)
	for _, r := range t.Rows {
		row(r, false, false)
	}
	p.SetDrawColor(0, 0, 0)
	p.Ln(3)
}

// pad is the room inside a table cell's border, left and right, in mm: at
// 1 mm numbers read as touching the border (an outside reading of the PDF).
const pad = 1.8

// tableHeader repeats t's header row at the top of a new page, laid out as
// the first one.
func (w *pdfWriter) tableHeader(t table, widths []float64, size, lineH float64) {
	p := w.p
	x, y := p.GetX(), p.GetY()
	lines := make([][][]run, len(t.Header))
	n := 1
	for i, c := range t.Header {
		lines[i] = w.layout(c, "B", size, widths[i]-2*pad)
		n = max(n, len(lines[i]))
	}
	h := float64(n)*lineH + 1.6
	for i := range t.Header {
		align := "L"
		if i < len(t.Num) && t.Num[i] {
			align = "R"
		}
		p.SetFillColor(232, 238, 245)
		p.Rect(x, y, widths[i], h, "FD")
		for k, line := range lines[i] {
			p.SetY(y + 0.8 + float64(k)*lineH)
			w.drawLine(line, "B", size, lineH, x+pad, widths[i]-2*pad, align)
		}
		x += widths[i]
	}
	p.SetXY(pdfMarginLeft, y+h)
}

func (w *pdfWriter) figure(f figure) {
	p := w.p
	w.figures++
	name := fmt.Sprintf("figure-%d", w.figures)
	info := p.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(f.PNG))
	if info == nil || p.Error() != nil {
		return
	}
	wmm := w.width() * 0.85
	hmm := wmm * info.Height() / info.Width()
	_, pageH := p.GetPageSize()
	if p.GetY()+hmm+8 > pageH-pdfMarginBottom {
		p.AddPage()
	}
	x := pdfMarginLeft + (w.width()-wmm)/2
	p.ImageOptions(name, x, p.GetY(), wmm, hmm, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	p.SetY(p.GetY() + hmm + 1)
	p.SetTextColor(90, 90, 90)
	w.mixed(f.Caption, "I", 8.5, 4.2, "C")
	p.SetTextColor(0, 0, 0)
	p.Ln(2)
}

type run struct {
	text string
	cjk  bool
}

// isCJK reports whether r is drawn with the CJK font: Han, Kana, Hangul,
// CJK punctuation and full-width forms.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef
}

func hasCJK(s string) bool {
	return strings.IndexFunc(s, isCJK) >= 0
}

// scriptRuns splits s into maximal runs of CJK and other text. Spaces and
// punctuation that are not CJK's own belong to the other text: the CJK
// font has no Vietnamese letters and measures a space as nothing, so "东方时报
// (Trung Quốc)" drawn as one CJK run printed boxes and overprinted "(" on
// "T" (an outside reading of the PDF).
func scriptRuns(s string) []run {
	var out []run
	start, cur := 0, false
	first := true
	for i, r := range s {
		c := isCJK(r)
		if first {
			cur, first = c, false
			continue
		}
		if c != cur {
			out = append(out, run{s[start:i], cur})
			start, cur = i, c
		}
	}
	if start < len(s) {
		out = append(out, run{s[start:], cur})
	}
	return out
}

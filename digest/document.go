package digest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A document is a report laid out as a sequence of blocks — headings,
// paragraphs, lists, tables and charts — independent of the output format.
// The PDF and the DOCX are both written from it, so they say the same thing
// in the same order as the HTML.
type document struct {
	Kind     Kind
	Title    string // the report's name, e.g. "Điểm tin báo chí nước ngoài hằng tuần"
	Subtitle string // what and when it covers
	Date     time.Time
	Blocks   []block
}

// block is one of heading, para, list, table or figure.
type block interface{ isBlock() }

type heading struct {
	Level int // 1 or 2
	Text  string
}

type para struct {
	Text   string
	Italic bool
	Muted  bool
}

type list struct{ Items []string }

type table struct {
	Header []string
	Rows   [][]string
	// Widths are the columns' relative widths; nil shares the width equally.
	Widths []float64
	// Num marks the right-aligned (numeric) columns.
	Num []bool
}

type figure struct {
	PNG     []byte
	Caption string
}

func (heading) isBlock() {}
func (para) isBlock()    {}
func (list) isBlock()    {}
func (table) isBlock()   {}
func (figure) isBlock()  {}

// Definitions are printed on every report so that its figures can be matched
// with the search screen (issue 14): what is counted, by which date.
const definitionText = "Cách tính: số liệu gồm các tin, bài của báo chí nước ngoài đã được phân loại, " +
	"viết về tỉnh Đồng Nai (“viết về”) hoặc có nhắc đến tỉnh (“có nhắc đến”), tính theo thời điểm hệ thống thu thập " +
	"(giờ Việt Nam). Trên màn hình tìm kiếm, chọn phạm vi “Liên quan Đồng Nai (như báo cáo)” và lọc theo ngày thu thập để có cùng con số. " +
	"Cảnh báo chỉ tính những cảnh báo đã gửi hoặc chờ gửi cho cán bộ, không tính mục chỉ đưa vào bản tin."

// attentionMoreVI says that the attention list was cut: stories left out,
// items in all.
const attentionMoreVI = "Danh sách trên chỉ gồm 10 câu chuyện; còn %s câu chuyện khác cần lưu ý (tổng cộng %s tin, bài): xem trong Tìm kiếm, lọc “Cần xem xét”."

// publishedEarlierVI is the summary's note on articles published before
// the period (Report.PublishedEarlier): count, then total.
const publishedEarlierVI = "%s trong số %s tin, bài được đăng trước kỳ báo cáo và thu thập muộn (thường khi một nguồn tin mới được thêm); cột “Ngày đăng” ở mục Tin, bài cần lưu ý cho biết ngày đăng."

// buildDocument lays out r in Vietnamese (short English glosses in headings),
// with charts as figures.
func buildDocument(r *Report, charts []Chart, loc *time.Location) *document {
	d := &document{Kind: r.Kind, Title: r.Kind.Name(), Subtitle: r.Title, Date: r.Generated.In(loc)}
	add := func(b ...block) { d.Blocks = append(d.Blocks, b...) }
	vndate := func(t time.Time) string { return t.In(loc).Format("02/01/2006") }
	// Sections are numbered as they are written: a report without quotes
	// went from IV to VI, which reads as a missing page in a signed
	// document (an outside reading).
	n := 0
	section := func(title string) heading {
		n++
		return heading{1, romanNumeral(n) + ". " + title}
	}

	add(para{Text: fmt.Sprintf("Kỳ báo cáo: %s (từ %s đến %s). Lập lúc %s.", r.Period, vndate(r.Start),
		vndate(r.End.Add(-time.Nanosecond)), r.Generated.In(loc).Format("15:04 02/01/2006")), Italic: true})
	if r.Provisional() {
		add(para{Text: fmt.Sprintf(ProvisionalVI, r.Generated.In(loc).Format("15:04 02/01/2006")) + " " + ProvisionalEN, Italic: true})
	}
	add(para{Text: definitionText, Muted: true})

	if r.Empty() {
		add(section("Tóm tắt · Summary"))
		msg := "Trong kỳ này hệ thống không ghi nhận tin, bài nào của báo chí nước ngoài viết về hoặc nhắc đến tỉnh Đồng Nai."
		if r.NotWatched() {
			msg = NotWatchedVI
		}
		if r.PrevTotal > 0 {
			msg += fmt.Sprintf(" Kỳ trước (%s): %s tin, bài.", r.PrevLabel, formatInt(r.PrevTotal))
		}
		add(para{Text: msg})
		if len(r.SilentSources) > 0 {
			add(para{Text: "Nguồn im lặng hoặc lỗi trong kỳ: " + sourceNames(r.SilentSources) + "."})
		}
		return d
	}

	add(section("Tóm tắt · Summary"))
	tone := fmt.Sprintf("Sắc thái: tích cực %s, trung lập %s, tiêu cực %s; chỉ số sắc thái %s",
		formatInt(r.Tone.Positive), formatInt(r.Tone.Neutral), formatInt(r.Tone.Negative), signed(r.Tone.Index))
	if r.Tone.HasPrev {
		tone += fmt.Sprintf(" (kỳ trước %s)", signed(r.Tone.PrevIndex))
	}
	add(list{Items: []string{
		fmt.Sprintf("%s tin, bài (kỳ trước %s, %s); %s viết về tỉnh, %s có nhắc đến.",
			formatInt(r.Total), formatInt(r.PrevTotal), changeText(r.Total, r.PrevTotal), formatInt(r.About), formatInt(r.Mentions)),
		tone + ".",
		fmt.Sprintf("%s quốc gia, %s ngôn ngữ, %s cơ quan báo chí; %s tin, bài cần xem xét.",
			formatInt(len(r.Countries)), formatInt(len(r.Languages)), formatInt(len(r.Outlets)), formatInt(r.NeedsReview)),
	}})
	if r.PublishedEarlier > 0 {
		add(para{Text: fmt.Sprintf(publishedEarlierVI, formatInt(r.PublishedEarlier), formatInt(r.Total)), Italic: true})
	}
	for _, c := range charts {
		add(figure{PNG: c.PNG, Caption: c.Alt})
	}

	add(section("Theo quốc gia và ngôn ngữ · Countries and languages"))
	add(breakdownTable("Quốc gia", r.Countries, true))
	add(breakdownTable("Ngôn ngữ", r.Languages, false))
	if len(r.Outlets) > 0 {
		add(breakdownTable("Cơ quan báo chí", r.Outlets, false))
	}

	add(section("Chủ đề · Topics"))
	if len(r.TopTopics) == 0 {
		add(para{Text: "Chưa có chủ đề nào được xác định trong kỳ.", Muted: true})
	} else {
		t := table{Header: []string{"Chủ đề", "Số tin, bài", "Kỳ trước"}, Widths: []float64{3, 1, 1}, Num: []bool{false, true, true}}
		for _, tc := range r.TopTopics {
			t.Rows = append(t.Rows, []string{tc.Label, formatInt(tc.Count), formatInt(tc.Prev)})
		}
		add(t)
	}
	if len(r.RisingTopics) > 0 {
		var items []string
		for _, tc := range r.RisingTopics {
			items = append(items, fmt.Sprintf("%s: %s → %s", tc.Label, formatInt(tc.Prev), formatInt(tc.Count)))
		}
		add(para{Text: "Chủ đề tăng mạnh: " + strings.Join(items, "; ") + "."})
	}

	add(section("Câu chuyện nổi bật · Top stories"))
	if r.TranslationError != "" {
		add(para{Text: r.TranslationError, Muted: true})
	}
	if len(r.Stories) == 0 {
		add(para{Text: "Không có câu chuyện nào được nhiều cơ quan báo chí cùng đưa tin.", Muted: true})
	}
	for i, s := range r.Stories {
		add(heading{2, fmt.Sprintf("%d. %s", i+1, s.Title)})
		if s.TitleVI != "" {
			add(para{Text: "Dịch máy: " + s.TitleVI, Italic: true})
		}
		add(para{Text: fmt.Sprintf("%s cơ quan báo chí · %s quốc gia · %s tin, bài · từ %s đến %s",
			formatInt(s.Outlets), formatInt(s.Countries), formatInt(s.Articles), vndate(s.First), vndate(s.Last)), Italic: true})
		if len(s.Summary) > 0 {
			add(para{Text: strings.Join(s.Summary, " ")})
		}
		if len(s.SummaryVI) > 0 {
			add(para{Text: "Dịch máy: " + strings.Join(s.SummaryVI, " "), Muted: true})
		}
		var links []string
		for _, l := range s.Links {
			links = append(links, fmt.Sprintf("%s (%s): %s", l.Outlet, countryName(l.Country), l.URL))
		}
		if len(links) > 0 {
			add(list{Items: links})
		}
	}

	if len(r.Quotes) > 0 {
		add(section("Trích dẫn đáng chú ý · Notable quotes"))
		var items []string
		for _, q := range r.Quotes {
			// The sentence carries its own quotation marks (as in the
			// HTML): wrapped in more, it read ““Long Thanh … ”.
			items = append(items, fmt.Sprintf("%s — %s", q.Text, q.Link.Outlet))
		}
		add(list{Items: items})
	}

	add(section("Tin, bài cần lưu ý · Items needing attention"))
	if len(r.Attention) == 0 {
		add(para{Text: "Không có tin, bài nào có dấu hiệu sai lệch hoặc cần phản hồi.", Muted: true})
	} else {
		t := table{Header: []string{"Tin, bài", "Cơ quan báo chí", "Ngày đăng", "Rủi ro", "Sắc thái"},
			Widths: []float64{4.4, 2.0, 1.2, 0.8, 1.2}, Num: []bool{false, false, false, true, false}}
		for _, l := range r.Attention {
			title := l.Title
			if l.Review {
				title += " (cần xem xét)"
			}
			t.Rows = append(t.Rows, []string{title, strings.TrimSuffix(l.Outlet+", "+countryName(l.Country), ", "), vndate(l.Published),
				strconv.Itoa(l.Risk), toneName(l.Tone)})
		}
		add(t)
		if r.AttentionMore > 0 {
			add(para{Text: fmt.Sprintf(attentionMoreVI, formatInt(r.AttentionMore), formatInt(r.AttentionItems)), Italic: true})
		}
	}

	add(section("Cảnh báo và kết quả xử lý · Alerts"))
	recorded := ""
	if r.Alerts.Recorded > 0 {
		recorded = fmt.Sprintf(" Ngoài ra %s mục chỉ được ghi nhận cho bản tin, không gửi cảnh báo.", formatInt(r.Alerts.Recorded))
	}
	if r.Alerts.Total == 0 {
		add(para{Text: "Không có cảnh báo nào được gửi cho cán bộ trong kỳ." + recorded, Muted: true})
	} else {
		add(para{Text: fmt.Sprintf("%s cảnh báo gửi ngay được ghi nhận trong kỳ, mỗi tuyến nhận một cảnh báo; gồm cả cảnh báo đã tạm tắt và đang chờ gửi (xem bảng trạng thái).", formatInt(r.Alerts.Total)) + recorded})
		add(countTable("Trạng thái xử lý", r.Alerts.ByState))
		add(countTable("Tuyến cảnh báo", r.Alerts.ByRoute))
	}

	add(section("Nguồn tin · Sources"))
	src := fmt.Sprintf("%s nguồn đang theo dõi.", formatInt(r.Sources))
	if len(r.NewSources) > 0 {
		src += " Nguồn mới: " + sourceNames(r.NewSources) + "."
	}
	if len(r.SilentSources) > 0 {
		src += " Nguồn im lặng hoặc lỗi: " + sourceNames(r.SilentSources) + "."
	}
	add(para{Text: src})

	if r.Kind != Weekly || len(r.Responses) > 0 {
		add(section("Thông tin sai lệch và kết quả phản hồi · False reports and responses"))
		if len(r.Responses) == 0 {
			add(para{Text: "Trong kỳ không ghi nhận phản hồi nào của cơ quan đối với thông tin sai lệch.", Muted: true})
		} else {
			t := table{Header: []string{"Ngày", "Tin, bài", "Hình thức", "Nội dung phản hồi", "Kết quả"},
				Widths: []float64{1.35, 2.3, 1.2, 2.6, 2.3}} // outcomes carry notes: a narrow column wrapped one over 20 lines
			for _, x := range r.Responses {
				res := x.Outcome
				if x.Note != "" {
					res += " — " + x.Note
				}
				t.Rows = append(t.Rows, []string{vndate(x.Date), strings.TrimSuffix(x.Title+" ("+x.Outlet+")", " ()"), x.Channel, x.Text, res})
			}
			add(t)
		}
	}

	if len(r.Committee) > 0 {
		add(section("Bảng tổng hợp báo cáo Ủy ban nhân dân tỉnh"))
		t := table{Header: []string{"Chỉ tiêu", "Kỳ này", "Kỳ trước", "Thay đổi"}, Widths: []float64{3.4, 1.6, 1.6, 1.2},
			Num: []bool{false, true, true, true}}
		for _, c := range r.Committee {
			t.Rows = append(t.Rows, []string{c.Label, c.Value, c.Prev, c.Change})
		}
		add(t)
	}
	return d
}

func breakdownTable(name string, rows []Breakdown, withTone bool) table {
	t := table{Header: []string{name, "Số tin, bài", "Tỷ lệ", "Kỳ trước"}, Widths: []float64{3, 1.1, 1, 1.1},
		Num: []bool{false, true, true, true}}
	if withTone {
		t.Header = append(t.Header, "Chỉ số sắc thái")
		t.Widths = append(t.Widths, 1.3)
		t.Num = append(t.Num, true)
	}
	for _, b := range rows {
		row := []string{b.Label, formatInt(b.Count), formatPercent(b.Share), formatInt(b.Prev)}
		if withTone {
			row = append(row, signed(b.Tone.Index))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func countTable(name string, rows []Count) table {
	t := table{Header: []string{name, "Số cảnh báo"}, Widths: []float64{4, 1}, Num: []bool{false, true}}
	for _, c := range rows {
		t.Rows = append(t.Rows, []string{c.Label, formatInt(c.Count)})
	}
	return t
}

func sourceNames(rows []SourceRow) string {
	names := make([]string, 0, len(rows))
	for _, s := range rows {
		// The outlet, as the HTML shows it: a source's name is an internal
		// ID ("sim-asialedger") that leadership cannot read.
		if s.Outlet != "" && s.Outlet != s.Name {
			names = append(names, s.Outlet+" ("+s.Name+")")
		} else {
			names = append(names, s.Name)
		}
	}
	return strings.Join(names, ", ")
}

// formatInt writes n the Vietnamese way, with dots between thousands: 4.200.000.
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatPercent writes a share with a decimal comma: 12,5%.
func formatPercent(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1) + "%"
}

func signed(f float64) string {
	return strings.Replace(fmt.Sprintf("%+.1f", f), ".", ",", 1)
}

func changeText(a, b int) string {
	if b == 0 {
		if a == 0 {
			return "không đổi"
		}
		return "không so sánh được"
	}
	return fmt.Sprintf("%+.0f%%", float64(a-b)*100/float64(b))
}

// romanNumeral writes n (1–39) in Roman numerals, as Vietnamese
// administrative documents number their sections.
func romanNumeral(n int) string {
	var b strings.Builder
	for _, x := range []struct {
		v int
		s string
	}{{10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}} {
		for n >= x.v {
			b.WriteString(x.s)
			n -= x.v
		}
	}
	return b.String()
}

package extract

import (
	"strings"
	"testing"

	"github.com/dongnai/presswatch/crawler/charset"
)

// TestExtractStripsBidi: bidi controls in a page's title, author and text
// never reach the result.
func TestExtractStripsBidi(t *testing.T) {
	para := "Tỉnh Đồng Nai \u202Eexe.gnp\u202C khởi công dự án mới với tổng vốn đầu tư lớn, thu hút nhiều doanh nghiệp nước ngoài. "
	page := `<html><head><title>Invoice ` + "\u202Egnp.exe\u202C" + `</title><meta name="author" content="` + "\u2067An\u2069" + `"></head><body><article><h1>Invoice ` +
		"\u202Egnp.exe\u202C" + `</h1><p>` + strings.Repeat(para, 4) + `</p><p>` + strings.Repeat("Dự án \u200Fsân bay\u200E Long Thành \u061C tiếp tục. ", 6) + `</p></article></body></html>`
	res, err := New(Options{}).Extract([]byte(page), "https://news.example.com/a")
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{"title": res.Title, "author": res.Author, "text": res.Text} {
		if strings.IndexFunc(s, charset.IsBidiControl) >= 0 {
			t.Errorf("%s keeps bidi controls: %q", name, s)
		}
	}
	if res.Title != "Invoice gnp.exe" || !strings.Contains(res.Text, "Tỉnh Đồng Nai exe.gnp khởi công") {
		t.Errorf("title %q, text %q", res.Title, res.Text)
	}
}

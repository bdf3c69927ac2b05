package evidence

import (
	"regexp"
	"strings"
)

// The notes this package (Classify, the screenshot step) and the classifier
// stage (a response's "repeated elsewhere" note) store are Vietnamese, the
// office's language. NoteIn gives a reader of the English UI each one in
// English; the patterns follow the formats where they are written.
var noteEN = []struct {
	re *regexp.Regexp
	en string
}{
	{regexp.MustCompile(`^Lần lưu đầu tiên\.$`), "First capture."},
	{regexp.MustCompile(`^Không thay đổi\.$`), "No change."},
	{regexp.MustCompile(`^Không thấy thay đổi sau lần kiểm tra cuối\.$`), "No change seen by the last check."},
	{regexp.MustCompile(`^Bài viết bị sửa: thêm (\d+) từ, bỏ (\d+) từ\.$`), "Edited: $1 words added, $2 removed."},
	{regexp.MustCompile(`^Trang trả về HTTP (\d+) \(bài đã bị gỡ\)\.$`), "The page answers HTTP $1 (the article was taken down)."},
	{regexp.MustCompile(`^Trang trả về HTTP (\d+)\.$`), "The page answers HTTP $1."},
	{regexp.MustCompile(`^Không tải được trang: (.*)$`), "The page could not be loaded: $1"},
	{regexp.MustCompile(`^Địa chỉ bài viết chuyển hướng về trang chủ (.*)\.$`), "The article's address now redirects to the home page $1."},
	{regexp.MustCompile(`^Bài viết có đính chính: (.*)$`), "The article now carries a correction: $1"},
	{regexp.MustCompile(`^Bài viết ghi nhận rút lại: (.*)$`), "The article now says it was retracted: $1"},
	{regexp.MustCompile(`^Luận điểm đã phản hồi lặp lại trong bài (.*)$`), "The claim the office answered is repeated in $1"},
	{regexp.MustCompile(`^Luận điểm (“.*”) lặp lại trong bài (.*)$`), "The claim $1 is repeated in $2"},
	{regexp.MustCompile(`^Không chụp ảnh màn hình: trang không tải được nội dung \(không có HTTP 200\)\.$`), "No screenshot: the page gave no content (no HTTP 200)."},
	{regexp.MustCompile(`^Không chụp ảnh màn hình: không đọc được trang trong tệp WARC\.$`), "No screenshot: the page could not be read from the WARC file."},
	{regexp.MustCompile(`^Không chụp được ảnh màn hình: trình duyệt gặp lỗi khi hiển thị trang đã lưu\.$`), "No screenshot: the browser failed to render the captured page."},
	{regexp.MustCompile(`^Không lưu được ảnh màn hình vào kho lưu trữ\.$`), "The screenshot could not be stored."},
	{regexp.MustCompile(`^Không đọc được ảnh màn hình đã lưu\.$`), "The stored screenshot could not be read."},
}

// NoteIn returns note for a reader of lang: as written for Vietnamese (and
// for a note of a form it does not know), in English for "en".
func NoteIn(lang, note string) string {
	if lang != "en" {
		return note
	}
	n := strings.TrimSpace(note)
	for _, p := range noteEN {
		if m := p.re.FindStringSubmatchIndex(n); m != nil {
			return string(p.re.ExpandString(nil, p.en, n, m))
		}
	}
	return note
}

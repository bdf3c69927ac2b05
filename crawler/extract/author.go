package extract

import (
	"regexp"
	"strings"
	"unicode"
)

// firstAuthor returns the first of the candidate authors (in order of trust)
// that reads as a name once cleaned by cleanAuthor.
func firstAuthor(cands ...string) string {
	for _, c := range cands {
		if a := cleanAuthor(c); a != "" {
			return a
		}
	}
	return ""
}

// bylineLabel matches a leading byline label ("作者 王立", "記者：佐藤健",
// "Tác giả: Minh Anh") that extractors leave in front of the name. The label
// must be followed by a separator, so that a name that merely begins with
// the same characters is kept.
var bylineLabel = regexp.MustCompile(`^(?i:作者|记者|記者|撰文|笔者|筆者|기자|글|tác giả|bởi|phóng viên|by)\s*[:：/／|｜]?\s+|^(?i:作者|记者|記者|撰文|笔者|筆者|기자|tác giả|phóng viên)\s*[:：/／|｜]\s*`)

// cleanAuthor trims whitespace and a leading byline label from a candidate
// author and returns "" when what is left is not a name: empty, or only a
// date or time. Bylines often hold the publication time next to the name or
// instead of it ("<div class=byline><time>05/12/2026 20:48 UTC</time></div>"),
// and readability takes such a block's text as the byline.
func cleanAuthor(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if t := bylineLabel.ReplaceAllString(s, ""); t != "" {
		s = t
	}
	if s == "" || isDateOnly(s) {
		return ""
	}
	return s
}

// dateWords are the words besides numbers that a written date or time is
// made of: time zones, am/pm, month and weekday names (English, Vietnamese
// and their abbreviations), "updated"/"published" labels, and the date
// characters of Chinese, Japanese and Korean (年 月 日 時 分, 午前, 오후, …,
// Chinese characters and kana taken one at a time).
var dateWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		utc gmt z t h am pm a p m ict cet cest est edt cst cdt mst mdt pst pdt bst ist jst kst hkt sgt aest
		st nd rd th on at of the published updated posted last modified
		jan january feb february mar march apr april may jun june jul july aug august
		sep sept september oct october nov november dec december
		mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday sun sunday
		ngày tháng năm giờ phút giây lúc thứ hai ba tư sáu bảy chủ nhật cập đăng sáng chiều tối
		年 月 日 时 時 分 秒 点 點 上 下 午 前 後 星 期 周 週 曜 火 水 木 金 土 更 新 发 發 布 佈 公 開 开 表
		년 월 일 시 분 초 오전 오후 요일 입력 수정 승인 기사입력 최종수정 화 수 목 금 토
		월요일 화요일 수요일 목요일 금요일 토요일 일요일`) {
		m[w] = true
	}
	return m
}()

// isDateOnly reports whether s holds a number and otherwise only the words
// of a date or time ("05/12/2026 20:48 UTC", "Published 3 May 2024, 10:12
// GMT", "2026年3月20日 11:00", "2026.03.20 오후 3:00").
func isDateOnly(s string) bool {
	digits := false
	for _, tok := range Tokens(strings.ToLower(s)) {
		// Split each token into numbers, single Chinese characters or kana,
		// and runs of other letters: "20h48", "2026年3月20日", "1st".
		start := -1
		known := func(end int) bool {
			ok := start < 0 || dateWords[tok[start:end]]
			start = -1
			return ok
		}
		for i, r := range tok {
			switch {
			case unicode.IsNumber(r):
				digits = true
				if !known(i) {
					return false
				}
			case isSyllabicCJK(r) && !unicode.Is(unicode.Hangul, r):
				if !known(i) || !dateWords[string(r)] {
					return false
				}
			case start < 0:
				start = i
			}
		}
		if !known(len(tok)) {
			return false
		}
	}
	return digits
}

package classifier

import (
	"testing"

	"github.com/dongnai/presswatch/article"
)

// TestHangulNamesWithSpaces: a Korean name written with spaces between its
// words, as Korean is and as the gazetteer's aliases are (롱탄 국제공항),
// is found; it was not, and Korean articles about the airport named only
// the district. A name is not found across a space when it would begin
// inside a Hangul word: 동나이 in 활동 나이 ("activity age").
func TestHangulNamesWithSpaces(t *testing.T) {
	e := newTestEngine(t, nil)
	entities := func(title string) map[string]bool {
		t.Helper()
		c, err := e.Classify(t.Context(), &article.Article{ID: title, Lang: "ko", Title: title, Text: "기사 본문입니다."})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, en := range c.Entities {
			m[en.Canonical] = true
		}
		return m
	}
	for _, title := range []string{"베트남 롱탄 국제공항, 첫 비행 점검 성공", "롱탄  국제공항에서 시험 비행", "롱타인 신공항 개항"} {
		if got := entities(title); !got["Long Thành International Airport"] {
			t.Errorf("%q: entities %v, want the airport", title, got)
		}
	}
	for _, title := range []string{"청년 활동 나이 제한 완화", "롱탄, 국제공항 건설 논의"} {
		got := entities(title)
		if got["Đồng Nai"] || got["Long Thành International Airport"] {
			t.Errorf("%q: entities %v: a name matched across a word boundary or a comma", title, got)
		}
	}
}

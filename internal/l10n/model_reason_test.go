package l10n

import (
	"regexp"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
)

// TestModelReasonsAreSentences: a new user found the learned layer's reason
// shown to officers as "model 6d4f66b1ddf9: p=0.53 (threshold 0.17);
// strongest: rule:concern_x_negative +0.59 …". It must read as a sentence,
// with no feature codes.
func TestModelReasonsAreSentences(t *testing.T) {
	codes := regexp.MustCompile(`\b(rule|text|lexicon|topic_\w+|risk_rule|concern|feature#\d+|p=|threshold [0-9]\.|strongest|model [0-9a-f])`)
	for _, tc := range []struct {
		r        article.Reason
		vi, en   []string
		notInAny []string
	}{
		{article.Reason{Signal: "model:needs_review", Detail: "model 6d4f66b1ddf9: p=0.53 (threshold 0.17); strongest: rule:concern_x_negative +0.59, lexicon:alarm:đình công +0.70, text:no luong +0.40, topic_rule:investment -0.31, feature#123 +0.20"},
			[]string{"53%", "17%", "sự việc cần xem xét kèm từ ngữ tiêu cực", "“đình công”", "“no luong”", "Yếu tố làm giảm: chủ đề Đầu tư."},
			[]string{"53%", "threshold 17%", "Raised by:", "Lowered by: the topic Investment."}, nil},
		{article.Reason{Signal: "model:tone", Detail: "negative p=0.71; strongest: rule:tone_negative +0.9, topic_tone:industry_labor=negative +0.3, country:KR -0.1"},
			[]string{"Tiêu cực", "71%", "từ ngữ tiêu cực", "chủ đề Công nghiệp, lao động viết với sắc thái tiêu cực"},
			[]string{"Negative", "71%", "negative words"}, nil},
		{article.Reason{Signal: "model:tone", Detail: "positive p=0.34; strongest: place:Bình Phước (former province) +0.2"},
			[]string{"Bình Phước (tỉnh cũ)"}, []string{"Bình Phước (former province)"}, nil},
		{article.Reason{Signal: "model:topics", Detail: "environment p=0.81, infrastructure p=0.55"},
			[]string{"Môi trường (81%)", "Hạ tầng, giao thông (55%)"}, []string{"Environment (81%)"}, nil},
		{article.Reason{Signal: "model:topics", Detail: ""}, []string{"không xếp"}, []string{"no topic"}, nil},
		// Most probable first, whatever the detail's order (by code).
		{article.Reason{Signal: "model:topics", Detail: "disaster_weather p=0.78, infrastructure p=0.79"},
			[]string{"Hạ tầng, giao thông (79%), Thiên tai, thời tiết (78%)"}, []string{"Infrastructure and transport (79%), Disasters and weather (78%)"}, nil},
	} {
		for lang, want := range map[string][]string{"vi": tc.vi, "en": tc.en} {
			s := Sentence(lang, tc.r)
			for _, w := range want {
				if !strings.Contains(s, w) {
					t.Errorf("%s %s: %q lacks %q", lang, tc.r.Signal, s, w)
				}
			}
			if m := codes.FindString(s); m != "" {
				t.Errorf("%s %s: %q shows the code %q", lang, tc.r.Signal, s, m)
			}
		}
	}
}

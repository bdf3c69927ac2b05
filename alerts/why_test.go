package alerts

import (
	"slices"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/l10n"
)

// Why names the conditions of the route, and of the routes above it, that
// sent an article to an office: of an OR only the sides that held.
func TestRouterWhy(t *testing.T) {
	rt, err := NewRouter(Route{Receiver: "analysts", Severity: SeverityDigest, Routes: []Route{
		{Name: "province", Match: "about:true", Receiver: "analysts", Continue: true, Routes: []Route{
			{Name: "security", Match: "topic:security_crime OR ((topic:land_dispute OR topic:industry_labor) AND tone:negative AND risk>=40)",
				Receiver: "police", Severity: SeverityImmediate},
		}},
		{Name: "words", Match: `strike OR "biểu tình" OR NOT topic:sport`, Receiver: "analysts"},
	}}, []string{"analysts", "police"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(topics []string, tone string, risk int) *article.Article {
		return &article.Article{ID: "x", Title: "Workers strike in Biên Hòa", Lang: "en", Classification: &article.Classification{
			About: true, Mentions: true, Topics: topics, Tone: tone, Risk: risk}}
	}
	for _, tc := range []struct {
		name  string
		a     *article.Article
		route string
		want  []string
	}{
		{"a crime story", mk([]string{"security_crime", "health_disease"}, "negative", 10), "security",
			[]string{"about:true", "topic:security_crime"}},
		{"a labour dispute, negative and risky", mk([]string{"industry_labor"}, "negative", 55), "security",
			[]string{"about:true", "topic:industry_labor", "tone:negative", "risk>=40"}},
		{"both sides of the OR", mk([]string{"security_crime", "land_dispute"}, "negative", 40), "security",
			[]string{"about:true", "topic:security_crime", "topic:land_dispute", "tone:negative", "risk>=40"}},
		{"a word of the text, a NOT left unsaid", mk(nil, "neutral", 0), "words", []string{"strike"}},
		{"a route the tree does not have", mk(nil, "neutral", 0), "saved/abc", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rt.Why(tc.a, tc.route); !slices.Equal(got, tc.want) {
				t.Errorf("Why = %q, want %q", got, tc.want)
			}
		})
	}
}

// The reason reads as a sentence in each language, without query syntax.
func TestRouteMatchSentence(t *testing.T) {
	r := article.Reason{Signal: RouteMatchSignal, Detail: "about:true; topic:security_crime; tone:negative; risk>=40; strike"}
	vi, en := l10n.Sentence("vi", r), l10n.Sentence("en", r)
	for _, want := range []string{"bài viết về Đồng Nai", "chủ đề “" + l10n.Topic("vi", "security_crime") + "”", "sắc thái tiêu cực", "mức rủi ro ≥ 40", "có từ “strike”"} {
		if !strings.Contains(vi, want) {
			t.Errorf("vi %q lacks %q", vi, want)
		}
	}
	for _, want := range []string{"about Đồng Nai", "topic “" + l10n.Topic("en", "security_crime") + "”", "negative tone", "risk ≥ 40"} {
		if !strings.Contains(en, want) {
			t.Errorf("en %q lacks %q", en, want)
		}
	}
	for _, s := range []string{vi, en} {
		if strings.Contains(s, "topic:") || strings.Contains(s, ">=") || strings.Contains(s, " OR ") {
			t.Errorf("query syntax shown to officers: %q", s)
		}
	}
}

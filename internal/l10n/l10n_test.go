package l10n

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
)

func TestCatalogueComplete(t *testing.T) {
	if bad := Incomplete(); len(bad) > 0 {
		t.Errorf("messages without both languages: %v", bad)
	}
	// Formats take the same verbs in both languages.
	verbs := regexp.MustCompile(`%[sdv]`)
	for k, v := range catalog {
		if a, b := len(verbs.FindAllString(v[0], -1)), len(verbs.FindAllString(v[1], -1)); a != b {
			t.Errorf("%s: %d verbs in Vietnamese, %d in English", k, a, b)
		}
	}
}

// TestConfigNamesTranslated reads the shipped configs and fails on any
// topic, receiver, route, narrative, stale fact, fact or implicit reference
// that has no catalogue entry: adding one to a YAML file without naming it
// here would leak its code into the UI and the emails.
func TestConfigNamesTranslated(t *testing.T) {
	root := filepath.Join("..", "..", "configs")
	cases := []struct {
		file, pattern, prefix string
	}{
		{"topics.yaml", `(?m)^  - name: (\S+)`, "topic_"},
		{"concerns.yaml", `(?m)^  - name: (\S+)`, "concern_"},
		{"alerts.yaml", `(?m)^  - name: (\S+)`, "receiver_"},
		{"alerts.yaml", `(?m)^    - name: (\S+)`, "route_"},
		{"narratives.yaml", `(?m)^  - id: (\S+)`, "narrative_"},
		{"facts.yaml", `(?m)^  - id: (\S+)`, "stale_"},
		{"facts.yaml", `(?m)^  - name: (\S+)`, "fact_"},
		{"facts.yaml", `(?m)^    unit: (\S+)`, "unit_"},
		{"gazetteer/implicit.yaml", `(?m)^  - id: (\S+)`, "implicit_"},
	}
	for _, c := range cases {
		b, err := os.ReadFile(filepath.Join(root, c.file))
		if err != nil {
			t.Fatal(err)
		}
		ms := regexp.MustCompile(c.pattern).FindAllStringSubmatch(string(b), -1)
		if len(ms) == 0 {
			t.Errorf("%s: no %s names found; the pattern is stale", c.file, c.prefix)
		}
		for _, m := range ms {
			if !Has(c.prefix + m[1]) {
				t.Errorf("%s: %s has no catalogue entry %q", c.file, m[1], c.prefix+m[1])
			}
			if strings.HasPrefix(c.prefix, "narrative_") && !Has(c.prefix+m[1]+"_fix") {
				t.Errorf("%s: narrative %s has no correction %q", c.file, m[1], c.prefix+m[1]+"_fix")
			}
		}
	}
}

func TestNum(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{{VI, 4200000, "4.200.000"}, {EN, 4200000, "4,200,000"}, {VI, 12, "12"}} {
		if got := Num(c.lang, c.n); got != c.want {
			t.Errorf("Num(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
	if got := Float(VI, 3.5, 1); got != "3,5" {
		t.Errorf("Float(vi, 3.5) = %q", got)
	}
	if got := Float(EN, 3.0, 1); got != "3" {
		t.Errorf("Float(en, 3.0) = %q", got)
	}
}

// The details below are what classifier/risk.go writes.
func TestSentence(t *testing.T) {
	cases := []struct {
		r        article.Reason
		vi, en   string // substrings expected
		notShown []string
	}{
		{article.Reason{Signal: "narrative:airport-abandoned", Detail: `matches claim ("Long Thành" OR 隆城) NEAR/10 (abandoned OR scrapped); official correction: Long Thành Intern…`},
			"sân bay Long Thành bị hủy bỏ", "Long Thành airport project has been abandoned", []string{"NEAR/", "airport-abandoned", " OR "}},
		{article.Reason{Signal: "fact_contradiction:population", Detail: `population given as "2.5 million"; official 4200000–4600000 people`},
			"dân số là “2.5 million”, trong khi số liệu chính thức là 4.200.000–4.600.000 người", "official figure is 4,200,000–4,600,000 people", []string{"4200000"}},
		{article.Reason{Signal: "stale_fact:merger-pending", Detail: "the Bình Phước merger is described as pending; it took effect on 1 July 2025 (published 2026-03-02, after 2025-07-01)"},
			"(bài đăng ngày 02/03/2026)", "(published on 02/03/2026)", []string{"merger-pending"}},
		{article.Reason{Signal: "alarm_terms", Detail: "vỡ đê, thảm họa"}, "gây hoang mang gần tên tỉnh: “vỡ đê”, “thảm họa”", "Alarm words", nil},
		{article.Reason{Signal: "sensitive_negative", Detail: "topics disaster_weather, environment with negative tone"},
			"Chủ đề nhạy cảm (Thiên tai, thời tiết, Môi trường)", "(Disasters and weather, Environment)", []string{"disaster_weather"}},
		{article.Reason{Signal: "rapid_spread", Detail: "6 outlets carry this story within 72h0m0s"}, "6 cơ quan báo chí đưa câu chuyện này trong vòng 3 ngày", "within 3 days", []string{"72h"}},
		{article.Reason{Signal: "outlet_tier", Detail: "outlet tier 3 (least reliable)"}, "kém tin cậy nhất", "least reliable", nil},
		{article.Reason{Signal: "relevance", Detail: "named as Đồng Nai, Biên Hòa (score 3.5; other places 1, strongest 1.0; tone +0.0/-1.0)"}, "Bài nêu tên Đồng Nai, Biên Hòa (điểm liên quan 3,5)", "names Đồng Nai, Biên Hòa (relevance score 3.5)", []string{"strongest"}},
		{article.Reason{Signal: "relevance", Detail: "not named, but matches implicit reference new-airport-near-hcmc"}, "nói tới Cảng hàng không quốc tế Long Thành", "refers to Long Thành International Airport", []string{"new-airport"}},
		{article.Reason{Signal: "unattributed", Detail: "unattributed sourcing: sources say"}, "“sources say”", "“sources say”", nil},
		{article.Reason{Signal: "new_signal:x", Detail: `a NEAR/3 b`}, "Tín hiệu khác.", "Other signal.", []string{"NEAR"}},
	}
	for _, c := range cases {
		vi, en := Sentence(VI, c.r), Sentence(EN, c.r)
		if !strings.Contains(vi, c.vi) {
			t.Errorf("%s vi = %q, want it to contain %q", c.r.Signal, vi, c.vi)
		}
		if !strings.Contains(en, c.en) {
			t.Errorf("%s en = %q, want it to contain %q", c.r.Signal, en, c.en)
		}
		for _, bad := range c.notShown {
			if strings.Contains(vi, bad) || strings.Contains(en, bad) {
				t.Errorf("%s shows %q: %q / %q", c.r.Signal, bad, vi, en)
			}
		}
		for _, s := range []string{vi, en} {
			if strings.Contains(s, "%!") {
				t.Errorf("%s: bad format: %q", c.r.Signal, s)
			}
		}
	}
}

func TestQueryError(t *testing.T) {
	for msg, want := range map[string]string{
		`unterminated quote`:                         "thiếu dấu ngoặc kép đóng",
		`missing value after "topic:"`:               `thiếu giá trị sau "topic:"`,
		`bad NEAR distance "x" (want 0..50)`:         `khoảng cách NEAR "x" không hợp lệ (từ 0 đến 50)`,
		`unknown field "foo" (text fields: title…`:   `không có trường "foo"`,
		`since: want a date YYYY-MM-DD`:              "ngày phải có dạng YYYY-MM-DD",
		`something the catalogue has never seen yet`: "câu truy vấn không hợp lệ",
	} {
		got := QueryError(VI, msg)
		if !strings.Contains(got, want) || strings.Contains(got, "%!") {
			t.Errorf("QueryError(%q) = %q, want %q", msg, got, want)
		}
	}
	_ = fmt.Sprint
}

func TestConcernReasonIsASentence(t *testing.T) {
	r := article.Reason{Signal: "concern:labour_unrest", Detail: "đình công, nợ lương"}
	vi := Sentence("vi", r)
	if vi != "Bài viết nói về tranh chấp lao động (đình công, nợ lương, mất việc): “đình công”, “nợ lương”." {
		t.Errorf("vi: %q", vi)
	}
	en := Sentence("en", r)
	if !strings.HasPrefix(en, "The article reports labour unrest") || strings.Contains(en, "labour_unrest") {
		t.Errorf("en: %q", en)
	}
}

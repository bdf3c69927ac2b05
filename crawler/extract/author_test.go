package extract

import (
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Dong Nai, 2026", []string{"Dong", "Nai", "2026"}},
		{"同奈省2500万", []string{"同", "奈", "省", "2500", "万"}},
		{"ロンタイン空港で", []string{"ロ", "ン", "タ", "イ", "ン", "空", "港", "で"}},
		{"동나이성 공항", []string{"동", "나", "이", "성", "공", "항"}},
		{"Đồng Nai", []string{"Đồng", "Nai"}},
	} {
		if got := words(c.in); !slices.Equal(got, c.want) {
			t.Errorf("words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanAuthor(t *testing.T) {
	for in, want := range map[string]string{
		"05/12/2026 20:48 UTC":            "",
		"2026-03-20T11:00:00Z":            "",
		"Published 3 May 2024, 10:12 GMT": "",
		"Updated: Friday, March 20, 2026": "",
		"2026年3月20日 11:00":                "",
		"2026年3月20日（金）午前11時":              "",
		"2026.03.20 오후 3:00":              "",
		"14:05 ngày 20/3/2026":            "",
		"  ":                              "",
		"Daniel Hart":                     "Daniel Hart",
		"作者 王立":                           "王立",
		"記者：佐藤健":                          "佐藤健",
		"Tác giả: Minh Anh":               "Minh Anh",
		"金":                               "金",
		"Staff writer":                    "Staff writer",
		"May Nguyen":                      "May Nguyen",
		"Agent 47":                        "Agent 47",
		"作者":                              "作者",
	} {
		if got := cleanAuthor(in); got != want {
			t.Errorf("cleanAuthor(%q) = %q, want %q", in, got, want)
		}
	}
	if got := firstAuthor("", "20/03/2026 07:30 UTC", "Minh Anh"); got != "Minh Anh" {
		t.Errorf("firstAuthor skipped to %q, want the name after the date", got)
	}
}

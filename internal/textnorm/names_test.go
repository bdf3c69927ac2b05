package textnorm

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCJKNamesCoverGazetteer keeps cjk_names.txt in step with the
// gazetteer: every alias written only in CJK (with spaces or middle dots)
// must be a known name, so that text writing it with a space inside still
// matches it.
func TestCJKNamesCoverGazetteer(t *testing.T) {
	files, _ := filepath.Glob("../../configs/gazetteer/*.yaml")
	files = append(files, "../../configs/dongnai.yaml")
	known := CJKNames()
	quoted := regexp.MustCompile(`"([^"]*)"`)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Skipf("configs not found: %v", err)
		}
		for _, m := range quoted.FindAllStringSubmatch(string(b), -1) {
			s := m[1]
			if !onlyCJK(s) {
				continue
			}
			n++
			name := Fold(strings.NewReplacer(" ", "", "・", "").Replace(s))
			if !slices.Contains(known, name) {
				t.Errorf("%s: CJK name %q is not in cjk_names.txt (add it and raise index.MappingVersion)", f, s)
			}
		}
	}
	if n < 50 {
		t.Errorf("found only %d CJK names in the gazetteer", n)
	}
}

func onlyCJK(s string) bool {
	cjk := false
	for _, r := range s {
		switch {
		case IsCJK(r):
			cjk = true
		case r == ' ' || r == '・':
		default:
			return false
		}
	}
	return cjk
}

// Analysis of CJK: bigrams in order, gaps where characters are separated,
// middle dots and known names joined.
func TestAnalyzeCJK(t *testing.T) {
	terms := func(s string) string {
		var out []string
		for _, t := range QueryTerms(s) {
			out = append(out, t.Text+"@"+string(rune('0'+t.Pos)))
		}
		return strings.Join(out, " ")
	}
	tests := []struct{ in, want string }{
		{"동나이", "동나@0 나이@1"},
		{"동 나이", "동나@0 나이@1"},       // a known name with a space
		{"활동 나이", "활동@0 나이@3"},      // ordinary words: a gap
		{"ﾄﾞﾝﾅｲ", "ドン@0 ンナ@1 ナイ@2"}, // half-width
		{"ドン・ナイ", "ドン@0 ンナ@1 ナイ@2"}, // middle dot
		{"同 … 奈", "同@0 奈@2"},
		{"同奈", "同奈@0"},
		{"省", "省@0"},
		{"Đồng-Nai", "dong@0 nai@1"},
	}
	for _, tt := range tests {
		if got := terms(tt.in); got != tt.want {
			t.Errorf("QueryTerms(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	// Every character of a text is a unigram, every adjacent pair a bigram.
	var got []string
	for _, t := range Analyze("越南同奈") {
		got = append(got, t.Text)
	}
	if want := []string{"越", "越南", "南", "南同", "同", "同奈", "奈"}; !slices.Equal(got, want) {
		t.Errorf("Analyze(越南同奈) = %v, want %v", got, want)
	}
}

func TestStems(t *testing.T) {
	s := "Protesters protested; Đồng workers"
	var got []string
	for _, t := range Stems(s, Analyze(s)) {
		got = append(got, t.Text)
	}
	if want := []string{"protest", "protest", "worker"}; !slices.Equal(got, want) {
		t.Errorf("Stems = %v, want %v", got, want)
	}
}

package l10n

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
)

func TestPlaceVietnamese(t *testing.T) {
	for name, want := range map[string]string{
		"Trấn Biên ward":                      "phường Trấn Biên",
		"Bảo Hàm commune":                     "xã Bảo Hàm",
		"Bình Phước (former province)":        "Bình Phước (tỉnh cũ)",
		"Trị An hydropower and lake":          "Thủy điện và hồ Trị An",
		"Amata Biên Hòa industrial park":      "khu công nghiệp Amata Biên Hòa",
		"Nhơn Trạch industrial parks":         "các khu công nghiệp Nhơn Trạch",
		"Thị Vải river":                       "sông Thị Vải",
		"Cát Tiên National Park":              "Vườn quốc gia Cát Tiên",
		"Long Thành International Airport":    "Cảng hàng không quốc tế Long Thành",
		"Đồng Nai People's Committee":         "Ủy ban nhân dân tỉnh Đồng Nai",
		"Đồng Nai Industrial Zones Authority": "Ban Quản lý các khu công nghiệp Đồng Nai",
		"Biên Hòa":                            "Biên Hòa",
		"Tân Phú (Đồng Nai)":                  "Tân Phú (Đồng Nai)",
		"Sonadezi":                            "Sonadezi",
	} {
		if got := Place(VI, name); got != want {
			t.Errorf("Place(vi, %q) = %q, want %q", name, got, want)
		}
		if got := Place(EN, name); got != name {
			t.Errorf("Place(en, %q) = %q, want it unchanged", name, got)
		}
	}
}

// TestGazetteerPlacesVietnamese reads every canonical name of the shipped
// gazetteer and fails on one that still shows an English kind word in
// Vietnamese: a new entry "X township" needs its word in placeSuffixes.
func TestGazetteerPlacesVietnamese(t *testing.T) {
	english := regexp.MustCompile(`(?i)\b(ward|commune|province|district|city|town|township|river|lake|dam|park|parks|zone|zones|airport|base|former|hydropower|committee|authority|reservoir|port)\b`)
	canon := regexp.MustCompile(`canonical:\s*([^,}\n]+)`)
	files, err := filepath.Glob(filepath.Join("..", "..", "configs", "gazetteer", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no gazetteer files: %v", err)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range canon.FindAllStringSubmatch(string(b), -1) {
			name := strings.Trim(strings.TrimSpace(m[1]), `"'`)
			if strings.HasPrefix(name, "#") || name == "" {
				continue
			}
			n++
			if vi := Place(VI, name); english.MatchString(vi) {
				t.Errorf("%s: %q is shown as %q in Vietnamese", filepath.Base(f), name, vi)
			}
		}
	}
	if n < 50 {
		t.Errorf("found only %d canonical names; the scan is broken", n)
	}
}

func TestReasonNamesPlacesInVietnamese(t *testing.T) {
	r := article.Reason{Signal: "relevance", Detail: "named as Trấn Biên ward, Bình Phước (former province) (score 2.0; other places 0)"}
	if vi := Sentence(VI, r); !strings.Contains(vi, "phường Trấn Biên, Bình Phước (tỉnh cũ)") {
		t.Errorf("vi = %q", vi)
	}
	if en := Sentence(EN, r); !strings.Contains(en, "Trấn Biên ward, Bình Phước (former province)") {
		t.Errorf("en = %q", en)
	}
}

func TestResponseNarrativeHidesID(t *testing.T) {
	r := article.Reason{Signal: "narrative:resp-merger", Detail: "from response demo-response-merger: Bình Phước merged into Đồng Nai is a rumour"}
	for _, lang := range []string{VI, EN} {
		s := Sentence(lang, r)
		if strings.Contains(s, "demo-response-merger") || strings.Contains(s, "resp-merger") {
			t.Errorf("%s: the reason shows an internal ID: %q", lang, s)
		}
		if !strings.Contains(s, "“Bình Phước merged into Đồng Nai is a rumour”") {
			t.Errorf("%s: the reason lost its claim: %q", lang, s)
		}
		// A claim the classifier cut for length keeps its "…".
		cut := Sentence(lang, article.Reason{Signal: r.Signal, Detail: "from response x: Việc sáp nhập vẫn chưa được…"})
		if !strings.Contains(cut, "“Việc sáp nhập vẫn chưa được…”") {
			t.Errorf("%s: a cut claim does not say it was cut: %q", lang, cut)
		}
	}
}

func TestRouteDefaultNamed(t *testing.T) {
	for _, lang := range []string{VI, EN} {
		if got := Route(lang, "default"); got == "default" {
			t.Errorf("Route(%s, default) shows the code", lang)
		}
	}
}

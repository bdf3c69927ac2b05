package textnorm

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Đồng Nai", "dong nai"},
		{"ĐỒNG NAI", "dong nai"},
		{"Biên Hòa", "bien hoa"},
		{"Bie\u0302n Ho\u0300a", "bien hoa"}, // decomposed input
		{"Trảng Bom", "trang bom"},
		{"Nhơn Trạch", "nhon trach"},
		{"Xuân Lộc", "xuan loc"},
		{"同奈省", "同奈省"},
		{"ドンナイ", "ドンナイ"}, // dakuten kept
		{"동나이", "동나이"},
		{"Донгнай", "донгнай"},
		{"डोंग नाई", "डोंग नाई"},
		{"ＤＯＮＧ", "dong"},
		{"Công\u00a0an", "cong an"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFoldMap(t *testing.T) {
	s := "Tỉnh Đồng Nai và Biên Hòa"
	f, offs := FoldMap(s)
	if len(offs) != len(f)+1 {
		t.Fatalf("len(offs) = %d, want %d", len(offs), len(f)+1)
	}
	i := strings.Index(f, "dong nai")
	if i < 0 {
		t.Fatalf("folded %q lacks dong nai", f)
	}
	if got := s[offs[i]:offs[i+len("dong nai")]]; got != "Đồng Nai" {
		t.Errorf("mapped back = %q, want Đồng Nai", got)
	}
	j := strings.Index(f, "bien hoa")
	if got := s[offs[j]:offs[j+len("bien hoa")]]; got != "Biên Hòa" {
		t.Errorf("mapped back = %q, want Biên Hòa", got)
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Đồng-Nai, Biên Hòa!", []string{"dong", "nai", "bien", "hoa"}},
		{"同奈省の工場", []string{"同", "奈", "省", "の", "工", "場"}},
		{"동나이성에서 공장", []string{"동", "나", "이", "성", "에", "서", "공", "장"}},
		{"ドンナイ省", []string{"ド", "ン", "ナ", "イ", "省"}},
		{"Hyosung's 2025 plant", []string{"hyosung", "s", "2025", "plant"}},
		{"डोंग नाई प्रांत", []string{"डोंग", "नाई", "प्रांत"}},
		{"", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Words(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzFoldMap(f *testing.F) {
	for _, s := range []string{"Đồng Nai", "Bie\u0302n", "同奈", "\xff\xfe", "ＡＢ", "e\u0301\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded, offs := FoldMap(s)
		if len(offs) != len(folded)+1 {
			t.Fatalf("len(offs) = %d for folded length %d", len(offs), len(folded))
		}
		for i := 1; i < len(offs); i++ {
			if offs[i] < offs[i-1] || offs[i] > len(s) {
				t.Fatalf("offsets not monotonic within [0,%d]: %v", len(s), offs)
			}
		}
		if folded != Fold(s) {
			t.Fatalf("FoldMap and Fold disagree")
		}
		if !utf8.ValidString(folded) {
			t.Fatalf("folded %q is not valid UTF-8", folded)
		}
		if Fold(folded) != folded {
			t.Fatalf("Fold not idempotent: %q -> %q", folded, Fold(folded))
		}
		for _, tok := range Tokens(folded) {
			if tok.Text == "" || folded[tok.Start:tok.End] != tok.Text {
				t.Fatalf("bad token %+v", tok)
			}
		}
	})
}

func TestPositions(t *testing.T) {
	toks := Tokens(Fold("同奈，省 Dong-Nai 河"))
	got := Positions(toks)
	want := []int{0, 1, 3, 5, 6, 8} // 同奈 | 省 | dong nai | 河: a gap wherever a CJK character meets a separator
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Positions = %v (tokens %v), want %v", got, toks, want)
	}
}

func TestSpelling(t *testing.T) {
	cases := []struct{ a, b string }{
		{"hoà", "hòa"}, {"Thuỷ", "thủy"}, {"BÃO", "bão"}, {"Ðồng", "đồng"},
		{"ho\u0300a", "hòa"}, // decomposed input
	}
	for _, c := range cases {
		if Spelling(c.a) != Spelling(c.b) || Spelling(c.a) == "" {
			t.Errorf("Spelling(%q)=%q, Spelling(%q)=%q: want equal, non-empty", c.a, Spelling(c.a), c.b, Spelling(c.b))
		}
	}
	for _, w := range []string{"bao", "Dong", "storm", "洪水", "2025"} {
		if s := Spelling(w); s != "" {
			t.Errorf("Spelling(%q) = %q, want \"\" (no diacritic)", w, s)
		}
	}
	for _, p := range [][2]string{{"bão", "bao"}, {"bão", "bảo"}, {"lũ", "lữ"}, {"báo", "bảo"}} {
		if Spelling(p[0]) == Spelling(p[1]) {
			t.Errorf("Spelling(%q) == Spelling(%q): different words must differ", p[0], p[1])
		}
	}
}

func TestWrittenWithMarks(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{"Đồng Nai có bao nhiêu xã, phường sau sáp nhập", true},
		{"Dong Nai co bao nhieu xa, phuong sau sap nhap", false},
		{"Workers at a factory in Đồng Nai went on strike on Monday over unpaid wages", false},
		{"同奈省 洪水", false},
	}
	for _, c := range cases {
		l, m := CountMarked(c.text)
		if got := WrittenWithMarks(l, m); got != c.want {
			t.Errorf("%q: latin %d marked %d → %v, want %v", c.text, l, m, got, c.want)
		}
	}
}

func TestSpellingFullWidth(t *testing.T) {
	if s := Spelling("ＤＯＮＧ"); s != "" {
		t.Errorf("Spelling of a full-width word = %q, want \"\" (width is not a diacritic)", s)
	}
}

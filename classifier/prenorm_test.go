package classifier

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"github.com/dongnai/presswatch/article"
)

// TestEvasiveSpellings: names written to dodge matching match like the plain
// name, with entity offsets into the original text.
func TestEvasiveSpellings(t *testing.T) {
	e := newTestEngine(t, nil)
	tests := []struct{ name, title, canonical string }{
		{"zero-width space", "Công nhân Đồ\u200bng Nai đình công", "Đồng Nai"},
		{"zero-width joiner", "Strike in Bien\u200dHoa? No: in Dong\u200d Nai", "Đồng Nai"},
		{"soft hyphen", "Protest at Biên\u00adHòa and Đồng\u00adNai", "Đồng Nai"},
		{"word joiner and BOM", "Đồng\u2060 Nai\ufeff: tin mới", "Đồng Nai"},
		{"Cyrillic look-alikes", "Workers protest in Dоng Nаi", "Đồng Nai"},                          // о, а Cyrillic
		{"Greek look-alikes", "Fire at Lοng Thanh airport site", "Long Thành International Airport"}, // ο Greek
		{"full-width", "Ｄｏｎｇ　Ｎａｉ workers strike", "Đồng Nai"},
		{"mixed tricks", "Ｄ\u200bоng\u00ad Nаi", "Đồng Nai"},
		// A whole word in Cyrillic letters that look Latin, beside a Latin
		// word (Н, о, а Cyrillic): read as "Biên Hoa".
		{"Cyrillic word beside a Latin one", "Công nhân Biên Ноа đình công", "Biên Hòa"},
		{"dotless i", "Workers strike in Dong Naı", "Đồng Nai"},
		{"African D", "Ɖồng Nai: công nhân đình công", "Đồng Nai"},
		{"small capitals", "ᴅᴏɴɢ ɴᴀɪ workers strike", "Đồng Nai"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.Classify(context.Background(), &article.Article{ID: tt.name, Lang: "en", Title: tt.title, Text: tt.title})
			if err != nil {
				t.Fatal(err)
			}
			full := tt.title + "\n\n" + tt.title
			found := false
			for _, ent := range c.Entities {
				if full[ent.Start:ent.End] != ent.Text {
					t.Errorf("entity %+v: offsets point at %q", ent, full[ent.Start:ent.End])
				}
				found = found || ent.Canonical == tt.canonical
			}
			if !c.Mentions || !found {
				t.Errorf("mentions=%v entities %+v, want %s", c.Mentions, c.Entities, tt.canonical)
			}
		})
	}
}

// TestPrenormKeepsScripts: Vietnamese diacritics, CJK, Russian and Greek
// text pass through unchanged.
func TestPrenormKeepsScripts(t *testing.T) {
	for _, s := range []string{
		"Tỉnh Đồng Nai thu hút vốn đầu tư nước ngoài, người lao động ổn định.",
		"越南同奈省吸引外资。ドンナイ省の工業団地。동나이성 공단.",
		"Провинция Донгнай привлекает инвестиции.",
		"Η επαρχία Ντονγκ Νάι στο Βιετνάμ.",
		"डोंग नाई में आग",
		"ด่งนาย – ข้อมูลจังหวัด",
		// Cyrillic words beside Latin ones that do not look Latin, or
		// are one letter, stay Russian.
		"Компания Samsung открыла завод в Донгнае.",
		"Tổng thống Путин nói",
		"Samsung в Вьетнаме",
	} {
		if got, _ := prenormalize(s); got != s {
			t.Errorf("prenormalize(%q) = %q", s, got)
		}
	}
	in := "a\u200bb Dоng Донг"
	got, offs := prenormalize(in)
	if got != "ab Dong Донг" {
		t.Errorf("got %q", got)
	}
	if len(offs) != len(got)+1 || offs[len(got)] != len(in) || offs[2] != strings.Index(in, " ") {
		t.Errorf("offsets %v", offs)
	}
}

// TestSuspectRuneFastPath checks suspectRune's fast path against the
// general rule on every rune.
func TestSuspectRuneFastPath(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := isFormat(r) || unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Greek, r) || latinImitation(r) != ""
		if got := suspectRune(r); got != want {
			t.Fatalf("suspectRune(%U) = %v, want %v", r, got, want)
		}
	}
}

// TestNeedsPrenormFastPath: needsPrenorm answers as a scan that decodes
// every rune, for every one- to three-byte sequence (valid or not) alone
// and between ASCII letters, and for text cut inside a sequence.
func TestNeedsPrenormFastPath(t *testing.T) {
	slow := func(s string) bool {
		for _, r := range s {
			if suspectRune(r) {
				return true
			}
		}
		return false
	}
	check := func(s string) {
		if got, want := needsPrenorm(s), slow(s); got != want {
			t.Fatalf("needsPrenorm(%q) = %v, want %v", s, got, want)
		}
	}
	suspect := 0
	for a := 0x80; a < 0x100; a++ {
		for b := 0; b < 0x100; b++ {
			check(string([]byte{byte(a), byte(b)}))
			check("x" + string([]byte{byte(a), byte(b)}) + "y")
			if a >= 0xE0 && a < 0xF0 && b >= 0x80 && b < 0xC0 {
				for c := 0x70; c < 0xC8; c++ {
					seq := string([]byte{byte(a), byte(b), byte(c)})
					check(seq)
					check("a" + seq)
					if slow(seq) {
						suspect++
					}
				}
			} else if slow(string([]byte{byte(a), byte(b)})) {
				suspect++
			}
		}
		check(string([]byte{byte(a)}))
	}
	if suspect == 0 {
		t.Fatal("no suspect sequence met: the check cannot fail")
	}
	check("Đồng Nai đình công \u00ad ở Biên Hòa")
}

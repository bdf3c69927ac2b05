package digest

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"One. Two! Three?", []string{"One.", "Two!", "Three?"}},
		{"Mr. Smith went to Bien Hoa. He stayed.", []string{"Mr. Smith went to Bien Hoa.", "He stayed."}},
		{"The U.S. embassy said so. Then it left.", []string{"The U.S. embassy said so.", "Then it left."}},
		{"“Đồng Nai is ready,” he said. Investors agreed.", []string{"“Đồng Nai is ready,” he said.", "Investors agreed."}},
		{"Title line\n\nFirst para. Second sentence.", []string{"Title line", "First para.", "Second sentence."}},
		{"同奈省发生洪水。道路被淹没！", []string{"同奈省发生洪水。", "道路被淹没！"}},
		{"Version 1.5 was released.", []string{"Version 1.5 was released."}},
		{"", nil},
	}
	for _, tt := range tests {
		got := splitSentences(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("splitSentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuoted(t *testing.T) {
	tests := []struct{ in, want string }{
		{`“We chose Dong Nai for its workforce,” the director said.`, "We chose Dong Nai for its workforce,"},
		{`He said "no".`, ""}, // too short to be a quote
		{`「同奈省は重要な投資先です」と述べた。`, "同奈省は重要な投資先です"}, // each Han or Kana character is a word
		{`«Dong Nai est une province dynamique», a-t-il dit.`, "Dong Nai est une province dynamique"},
		{`No quotation here.`, ""},
		{`An unclosed “quotation mark here`, ""},
	}
	for _, tt := range tests {
		got := quoted(tt.in)
		if got != tt.want {
			t.Errorf("quoted(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFindQuoteNeedsMention(t *testing.T) {
	text := "“Prices will rise next year for everyone,” an economist said. Markets fell.\n\n" +
		"Officials in Bien Hoa met investors. “We will finish the road before Tet,” the chairman said."
	got := findQuote(text, []string{"Bien Hoa"})
	if !strings.Contains(got, "finish the road") {
		t.Fatalf("findQuote = %q, want the quote next to the mention", got)
	}
	if q := findQuote("“Prices will rise next year for everyone,” an economist said.", []string{"Dong Nai"}); q != "" {
		t.Fatalf("a quote far from any mention was taken: %q", q)
	}
}

func TestSummarize(t *testing.T) {
	text := "Vietnam's Long Thanh airport in Dong Nai began trial flights on Monday. " +
		"The weather was fine. " +
		"The $16 billion Long Thanh airport project will relieve Tan Son Nhat. " +
		"Officials said commercial flights at Long Thanh would start in December. " +
		"Separately, a football match ended in a draw."
	ctx := map[string]int{}
	for _, w := range words("Long Thanh airport trial flights Dong Nai commercial") {
		ctx[w] = 3
	}
	got := summarize("Long Thanh airport begins trial flights", text, ctx, []string{"Dong Nai"}, 3)
	if len(got) != 3 || !strings.HasPrefix(got[0], "Vietnam's Long Thanh") {
		t.Fatalf("summary %q", got)
	}
	for _, s := range got {
		if strings.Contains(s, "football") || strings.Contains(s, "weather") {
			t.Errorf("off-topic sentence in the summary: %q", s)
		}
	}
}

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{"One. Two!", "“A,” he said. B.", "同奈。洪水！", "a\n\nb", "Mr. X.", "\xff\xfe.", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sents := splitSentences(s)
		for _, x := range sents {
			if x == "" || strings.TrimSpace(x) != x {
				t.Fatalf("untrimmed or empty sentence %q", x)
			}
		}
		if utf8.ValidString(s) {
			for _, x := range sents {
				if !utf8.ValidString(x) {
					t.Fatalf("invalid UTF-8 from valid input: %q", x)
				}
			}
		}
		_ = quoted(s)
		_ = findQuote(s, provinceTerms)
		_ = summarize("t", s, map[string]int{}, provinceTerms, 3)
		_ = clip(s, 10)
	})
}

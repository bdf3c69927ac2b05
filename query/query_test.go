package query

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dongnai/presswatch/internal/textnorm"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // String of the AST
	}{
		{`dong nai`, `dong AND nai`},
		{`a AND b OR c`, `a AND b OR c`},
		{`a OR b AND c`, `a OR b AND c`},
		{`(a OR b) c`, `(a OR b) AND c`},
		{`NOT a b`, `NOT a AND b`},
		{`-a b`, `NOT a AND b`},
		{`a -(b OR c)`, `a AND NOT (b OR c)`},
		{`"Đồng Nai" NEAR/5 airport`, `"Đồng Nai" NEAR/5 airport`},
		{`a NEAR b NEAR c`, `a NEAR/10 b NEAR/10 c`},
		{`invest*`, `invest*`},
		{`lang:vi topic:investment`, `lang:vi AND topic:investment`},
		{`title:"long thanh"`, `title:"long thanh"`},
		{`risk>=60 AND tier<3`, `risk>=60 AND tier<3`},
		{`risk=5`, `risk=5`},
		{`"single"`, `"single"`}, // a quoted word is a Phrase: exact
		{`and or not`, `and AND or AND not`},
		{`"OR"`, `"OR"`},
		{`同奈 OR 동나이`, `同奈 OR 동나이`},
		{`a OR (b OR c)`, `a OR (b OR c)`},
		{`a (b c)`, `a AND (b AND c)`},
		{`"x\"y"`, `"x\"y"`},
		{`"a:b"*`, `"a:b"*`},
		{`a NEAR/3 (b OR "c d")`, `a NEAR/3 b OR a NEAR/3 "c d"`},
		{`(a OR b) NEAR/2 (c OR d) x`, `(a NEAR/2 c OR a NEAR/2 d OR b NEAR/2 c OR b NEAR/2 d) AND x`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := String(n); got != tt.want {
				t.Errorf("String(Parse(%q)) = %q, want %q", tt.in, got, tt.want)
			}
			n2, err := Parse(String(n))
			if err != nil {
				t.Fatalf("reparse %q: %v", String(n), err)
			}
			if !reflect.DeepEqual(n, n2) {
				t.Errorf("reparse of %q differs: %#v vs %#v", String(n), n, n2)
			}
		})
	}
}

func TestParseAST(t *testing.T) {
	n, err := Parse(`title:"long thanh" NEAR/3 airport* OR risk>=60`)
	if err != nil {
		t.Fatal(err)
	}
	want := &Or{
		Left: &Near{Dist: 3, Terms: []Node{
			&Phrase{Field: "title", Words: []string{"long", "thanh"}},
			&Term{Value: "airport", Prefix: true},
		}},
		Right: &Compare{Field: "risk", Op: ">=", Value: "60"},
	}
	if !reflect.DeepEqual(n, want) {
		t.Errorf("got %#v", n)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in  string
		pos int
	}{
		{``, 0},
		{`   `, 3},
		{`a AND`, 2},
		{`OR a`, 0},
		{`(a b`, 0},
		{`a b)`, 3},
		{`"abc`, 0},
		{`a NEAR/x b`, 2},
		{`a NEAR/3 (b c)`, 9},
		{`(a -b) NEAR c`, 0},
		{`a NEAR/3 b NEAR/4 c`, 11},
		{`lang:`, 5},
		{`risk>=`, 6},
		{`()`, 0},
		{`NOT`, 0},
		{`""`, 0},
		{`"a b"*`, 0},
		{`risk>5 NEAR a`, 0},
		// "*" only ends a word.
		{`dong *nai*`, 5},
		{`a*b`, 1},
		{`title:*nai`, 6},
		// A chain of more than MaxNearOperands (a hostile 100-word chain ran
		// a server out of memory); the error points at the ninth operand's NEAR.
		{`a NEAR b NEAR c NEAR d NEAR e NEAR f NEAR g NEAR h NEAR i`, 51},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tt.in, err)
			}
			if se.Pos != tt.pos {
				t.Errorf("Parse(%q) pos = %d (%v), want %d", tt.in, se.Pos, se, tt.pos)
			}
		})
	}
}

func TestParseDeep(t *testing.T) {
	s := ""
	for range 10000 {
		s += "("
	}
	if _, err := Parse(s + "a"); err == nil {
		t.Fatal("deep nesting accepted")
	}
}

func TestEval(t *testing.T) {
	d := NewDocument()
	d.AddText("title", "Sân bay Long Thành khởi công", true)
	d.AddText("text", "Tỉnh Đồng Nai đang đẩy nhanh tiến độ. 同奈省的工厂. Investment investors.", true)
	d.AddKeyword("lang", "vi")
	d.AddKeyword("topic", "infrastructure", "investment")
	d.SetNumber("risk", 65)
	tests := []struct {
		q    string
		want bool
	}{
		{`dong nai`, true},
		{`"dong nai"`, true},
		{`"Đồng Nai"`, true},
		{`"nai dong"`, false},
		{`"Đồng-Nai"`, true},
		{`同奈`, true},
		{`"同奈省"`, true},
		{`奈同`, false},
		{`title:"long thanh"`, true},
		{`text:"long thanh"`, false},
		{`"khoi cong tinh"`, false}, // phrases never span fields
		{`invest*`, true},
		{`invests*`, false},
		{`lang:vi`, true},
		{`lang:en`, false},
		{`topic:invest*`, true},
		{`risk>=60`, true},
		{`risk>65`, false},
		{`risk=65`, true},
		{`risk<=x`, false},
		{`nosuch:foo`, false},
		{`nosuch>1`, false},
		{`dong NEAR/2 "tien do"`, false},
		{`tinh NEAR/1 dong`, true},
		{`nai NEAR/1 tinh`, false},
		{`nai NEAR/2 tinh`, true},
		{`dong NEAR/3 nai NEAR/3 tinh`, true},
		{`"long thanh" NEAR/1 san`, false},
		{`"long thanh" NEAR/2 san`, true},
		{`-hanoi dong`, true},
		{`NOT dong`, false},
		{`hanoi OR "dong nai"`, true},
		{`(hanoi OR danang) dong`, false},
		{`"工厂"`, true},
		{`"省的"`, true},
		{`"厂investment"`, false}, // CJK separated by punctuation is not adjacent
		{`"厂 investment"`, true}, // … as the query says with its space
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			n, err := Parse(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := Eval(n, d); got != tt.want {
				t.Errorf("Eval(%q) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`a AND b`, `"x y" NEAR/3 z*`, `risk>=60 OR -lang:vi`, `(a OR (b c))`, `"a\"b"*`, `NEAR/2`, `a:b:c*`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("Parse(%q) error %v is not a SyntaxError within the input", s, err)
			}
			return
		}
		out := String(n)
		n2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(String(Parse(%q))) = Parse(%q): %v", s, out, err)
		}
		if out2 := String(n2); out2 != out {
			t.Fatalf("unstable: %q -> %q -> %q", s, out, out2)
		}
		if !reflect.DeepEqual(n, n2) {
			t.Fatalf("AST changed through %q", out)
		}
		d := NewDocument()
		d.AddText("title", "Đồng Nai: sân bay Long Thành 同奈省", true)
		d.AddKeyword("lang", "vi")
		d.SetNumber("risk", 50)
		if Eval(n, d) != Prepare(n).Match(d) {
			t.Fatalf("Eval and Prepare disagree on %q", s)
		}
	})
}

// A text always matches itself quoted, and every unquoted word of it: query
// terms and document terms come from the one analysis.
func FuzzTextMatchesItself(f *testing.F) {
	for _, s := range []string{"Đồng Nai", "동 나이성", "ﾄﾞﾝﾅｲ省", "ドン・ナイ", "同奈省 2025", "Protesters gathered", "a\u2029b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, "\"\\") || !utf8.ValidString(s) {
			return
		}
		d := NewDocument()
		d.AddTextLang("text", s, "en", true)
		if len(textnorm.QueryTerms(s)) == 0 || strings.ContainsRune(s, textnorm.PartSep) {
			return
		}
		n, err := Parse(`"` + s + `"`)
		if err != nil {
			return
		}
		if !Eval(n, d) {
			t.Errorf("%q does not match its own text", String(n))
		}
	})
}

// A word written with diacritics matches that word in text written with
// diacritics, not the other words it folds to; text written without them
// still matches folded.
func TestEvalDiacritics(t *testing.T) {
	accented := NewDocument()
	accented.AddText("title", "Đồng Nai có bao nhiêu xã, phường sau khi bảo đảm", true)
	accented.AddText("text", "Chính quyền đảm bảo Đồng Nai phát triển; hoà bình và ổn định.", true)
	plain := NewDocument()
	plain.AddText("text", "Dong Nai: bao lon gay ngap o Bien Hoa, bao dong muc 3", true)
	stormy := NewDocument()
	stormy.AddText("text", "Cơn bão số 9 gây mưa lớn, báo động lũ cấp 2 trên sông Đồng Nai", true)
	cases := []struct {
		q    string
		d    *Document
		want bool
	}{
		{`"bão"`, accented, false},      // bao nhiêu, bảo đảm
		{`"báo động"`, accented, false}, // đảm bảo Đồng Nai
		{`bao`, accented, true},         // a word without diacritics matches folded
		{`"bão"`, plain, true},
		{`"báo động"`, plain, true},
		{`"bão" AND "báo động" AND "lũ"`, stormy, true},
		{`"hòa bình"`, accented, true},      // old and new tone placement
		{`text:"bảo đảm"`, accented, false}, // the field: the title has it
		{`"bão nhiêu"`, accented, false},    // a phrase: "bao nhiêu" is not spelled so
		{`"bao nhiêu"`, accented, true},
		{`title:"bảo đảm"`, accented, true},
		{`"đảm bảo" NEAR/2 "Đồng Nai"`, accented, true},
	}
	for _, c := range cases {
		if got := Eval(MustParse(c.q), c.d); got != c.want {
			t.Errorf("%s: got %v, want %v", c.q, got, c.want)
		}
	}
}

// TestTermMatchAgreesWithOccurrences: a term's match (which builds no list)
// says what its list of occurrences says, for words, stems, prefixes,
// phrases, spellings and keyword and numeric fields.
func TestTermMatchAgreesWithOccurrences(t *testing.T) {
	accented := NewDocument()
	accented.AddText("title", "Đồng Nai có bao nhiêu xã, phường sau khi bảo đảm", true)
	accented.AddTextLang("text", "Chính quyền đảm bảo Đồng Nai phát triển; hoà bình. Investors invested in 同奈省的工厂.", "en", true)
	accented.AddKeyword("lang", "vi")
	accented.SetNumber("risk", 65)
	plain := NewDocument()
	plain.AddTextLang("text", "Dong Nai: bao lon gay ngap o Bien Hoa, bao dong muc 3. Investment grows.", "en", true)
	queries := []string{`dong`, `"dong nai"`, `"Đồng Nai"`, `"nai dong"`, `"bão"`, `"báo động"`, `bao`, `"hòa bình"`,
		`text:"bảo đảm"`, `title:"bảo đảm"`, `"bão nhiêu"`, `"bao nhiêu"`, `invest*`, `investing`, `"investing"`,
		`同奈`, `"同奈省"`, `奈同`, `"省的工"`, `lang:vi`, `lang:v*`, `lang:en`, `risk:65`, `risk:64`, `title:nai`, `text:phuong`,
		`"dong nai bao"`, `"xa phuong sau*"`, `"phat trien hoa"`}
	for _, d := range []*Document{accented, plain} {
		for _, q := range queries {
			tm, ok := Prepare(MustParse(q)).root.(*pterm)
			if !ok {
				t.Fatalf("%s: not a term", q)
			}
			if got, want := tm.match(d), len(tm.occurrences(d)) > 0; got != want {
				t.Errorf("%s: match %v, occurrences say %v", q, got, want)
			}
		}
	}
}

package charset

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

const (
	viText = "Tỉnh Đồng Nai nằm ở vùng Đông Nam Bộ, có sân bay quốc tế Long Thành đang được xây dựng. " +
		"Những khu công nghiệp lớn của tỉnh thu hút nhiều nhà đầu tư nước ngoài từ Hàn Quốc, Nhật Bản và Đài Loan."
	jaText = "ドンナイ省はベトナム南部に位置し、ロンタイン国際空港の建設が進んでいます。多くの日本企業が工業団地に進出しており、" +
		"地域経済の発展に貢献しています。省政府は外国からの投資を積極的に誘致しています。"
	koText = "동나이성은 베트남 남부에 위치하며 롱탄 국제공항이 건설 중입니다. 많은 한국 기업이 공업단지에 진출해 있으며 " +
		"지역 경제 발전에 기여하고 있습니다. 성 정부는 외국인 투자를 적극적으로 유치하고 있습니다."
	zhText = "同奈省位于越南南部，龙城国际机场正在建设中。许多外国企业进入工业园区，为地区经济发展做出了贡献。" +
		"省政府积极吸引外国投资，改善营商环境，推动基础设施建设和产业升级。"
	twText = "同奈省位於越南南部，龍城國際機場正在建設中。許多外國企業進入工業園區，為地區經濟發展做出了貢獻。" +
		"省政府積極吸引外國投資，改善營商環境，推動基礎設施建設和產業升級。"
	deText = "Die Provinz Đồng Nai liegt im Süden Vietnams. Größere Industrieparks ziehen ausländische Investoren an; " +
		"der Flughafen Long Thành wird gebaut und soll die Region stärken. Über Jahre hinweg wächst die Wirtschaft."
)

func mustEncode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode test text: %v", err)
	}
	return b
}

// encode1258 writes Vietnamese in windows-1258 the way legacy software did:
// precomposed where the code page has the letter, otherwise the letter without
// its tone mark followed by a combining tone mark.
func encode1258(t *testing.T, s string) []byte {
	t.Helper()
	var out []byte
	enc := charmap.Windows1258.NewEncoder()
	for _, r := range s {
		if b, err := enc.Bytes([]byte(string(r))); err == nil {
			out = append(out, b...)
			continue
		}
		var base, tones []rune
		for _, d := range norm.NFD.String(string(r)) {
			switch d {
			case 0x300, 0x301, 0x303, 0x309, 0x323:
				tones = append(tones, d)
			default:
				base = append(base, d)
			}
		}
		b, err := enc.Bytes([]byte(norm.NFC.String(string(base)) + string(tones)))
		if err != nil {
			t.Fatalf("windows-1258 cannot encode %q: %v", r, err)
		}
		out = append(out, b...)
	}
	return out
}

func TestDecode(t *testing.T) {
	latin := mustEncode(t, charmap.Windows1252, "Größere Städte im Süden, café crème, naïve façade.")
	tests := []struct {
		name     string
		body     []byte
		ct       string
		wantEnc  string
		wantText string
	}{
		{"utf8 plain", []byte(viText), "", UTF8, viText},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, viText...), "text/html; charset=iso-8859-1", UTF8, viText},
		{"utf16le bom", append([]byte{0xFF, 0xFE}, mustEncode(t, xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM), viText)...), "", UTF16LE, viText},
		{"utf16be bom", append([]byte{0xFE, 0xFF}, mustEncode(t, xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM), viText)...), "", UTF16BE, viText},
		{"nfd utf8 becomes nfc", []byte(norm.NFD.String(viText)), "text/html; charset=utf-8", UTF8, viText},
		{"windows-1258 declared", encode1258(t, viText), "text/html; charset=windows-1258", Windows1258, viText},
		{"windows-1258 undeclared", encode1258(t, viText), "", Windows1258, viText},
		{"windows-1258 declared utf-8 (wrong)", encode1258(t, viText), "text/html; charset=UTF-8", Windows1258, viText},
		{"shift_jis header", mustEncode(t, japanese.ShiftJIS, jaText), "text/html; charset=Shift_JIS", "shift_jis", jaText},
		{"shift_jis undeclared", mustEncode(t, japanese.ShiftJIS, jaText), "", "shift_jis", jaText},
		{"euc-jp undeclared", mustEncode(t, japanese.EUCJP, jaText), "", "euc-jp", jaText},
		{"euc-kr meta", append([]byte(`<html><head><meta charset="euc-kr"></head><body>`), mustEncode(t, korean.EUCKR, koText)...), "text/html", "euc-kr", `<html><head><meta charset="euc-kr"></head><body>` + koText},
		{"euc-kr undeclared", mustEncode(t, korean.EUCKR, koText), "", "euc-kr", koText},
		{"gbk http-equiv", append([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`), mustEncode(t, simplifiedchinese.GBK, zhText)...), "", "gbk", `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">` + zhText},
		{"gbk undeclared", mustEncode(t, simplifiedchinese.GBK, zhText), "", "gb18030", zhText},
		{"big5 xml decl", append([]byte(`<?xml version="1.0" encoding="big5"?><t>`), mustEncode(t, traditionalchinese.Big5, twText)...), "", "big5", `<?xml version="1.0" encoding="big5"?><t>` + twText},
		{"big5 undeclared", mustEncode(t, traditionalchinese.Big5, twText), "", "big5", twText},
		{"xml decl after whitespace", append([]byte("\n  <?xml version='1.0' encoding='ISO-8859-1'?>"), latin...), "", Windows1252, "\n  <?xml version='1.0' encoding='ISO-8859-1'?>Größere Städte im Süden, café crème, naïve façade."},
		{"latin-1 undeclared", latin, "", Windows1252, "Größere Städte im Süden, café crème, naïve façade."},
		{"latin-1 declared, body utf-8 (wrong)", []byte(deText), "application/rss+xml; charset=ISO-8859-1", UTF8, deText},
		{"windows-1252 declared, body utf-8 euro", []byte(`<?xml version="1.0" encoding="windows-1252"?><p>€ 5</p>`), "", UTF8, `<?xml version="1.0" encoding="windows-1252"?><p>€ 5</p>`},
		{"koi8-r declared", mustEncode(t, charmap.KOI8R, "Провинция Донгнай на юге Вьетнама"), "text/xml; charset=koi8-r", "koi8-r", "Провинция Донгнай на юге Вьетнама"},
		{"windows-1251 undeclared", mustEncode(t, charmap.Windows1251, "Провинция Донгнай расположена на юге Вьетнама, рядом с городом Хошимин."), "", "windows-1251", "Провинция Донгнай расположена на юге Вьетнама, рядом с городом Хошимин."},
		{"unknown label falls back to detection", []byte(`<?xml version="1.0" encoding="invalid"?><p>Café</p>`), "", UTF8, `<?xml version="1.0" encoding="invalid"?><p>Café</p>`},
		{"c1 smart quote repaired", []byte("It\u0092s"), "", UTF8, "It\u2019s"},
		{"sloppy header", []byte("abc"), "text/html; charset=gbk;;", "gbk", "abc"},
		{"empty", nil, "", UTF8, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc, err := Decode(tt.body, tt.ct)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if enc != tt.wantEnc {
				t.Errorf("encoding = %q, want %q", enc, tt.wantEnc)
			}
			if string(got) != tt.wantText {
				t.Errorf("text = %q, want %q", got, tt.wantText)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(viText), "")
	f.Add([]byte{0xFF, 0xFE, 0x41}, "")
	f.Add([]byte(`<?xml version="1.0" encoding="shift_jis"?>`), "text/xml")
	f.Add([]byte(`<meta charset="utf-16">x`), "text/html; charset=utf-16")
	f.Add([]byte("Gr\xf6\xdfe \x92x\x80"), "text/html; charset=iso-8859-1")
	f.Add([]byte("\xb0\xa1\xb0\xa2"), "")
	f.Add([]byte("0"), "\xf9ChArset=") // used to panic: ToLower changed byte offsets
	f.Add(brokenUTF8(`<?xml version="1.0"?>`), "application/rss+xml; charset=utf-8")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		out, enc, err := Decode(body, ct)
		if err != nil {
			return
		}
		if enc == "" {
			t.Fatal("empty encoding name")
		}
		if !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 out of %s", enc)
		}
		if !norm.NFC.IsNormal(out) {
			t.Fatalf("output not NFC (%s)", enc)
		}
		if bytes.ContainsFunc(out, func(r rune) bool { return r >= 0x80 && r <= 0x9f }) {
			t.Fatalf("C1 control left in output")
		}
	})
}

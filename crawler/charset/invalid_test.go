package charset

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// brokenUTF8 returns a short UTF-8 feed whose few non-ASCII titles are mixed
// with stray bytes: one invalid byte for every two valid sequences, so the old
// "ten valid per invalid" rule read the whole document as windows-1252.
func brokenUTF8(decl string) []byte {
	var b bytes.Buffer
	b.WriteString(decl)
	b.WriteString("<rss version=\"2.0\"><channel><title>News</title>")
	titles := []string{"Đồng Nai", "Biên Hòa", "Long Thành"}
	for _, ti := range titles {
		b.WriteString("<item><title>")
		b.WriteString(ti)
		b.WriteString("</title><description>broken \xff byte</description></item>")
	}
	b.WriteString("</channel></rss>")
	return b.Bytes()
}

func TestFewInvalidBytesStayUTF8(t *testing.T) {
	cases := []struct {
		name, ct string
		body     []byte
	}{
		{"header", "application/rss+xml; charset=utf-8", brokenUTF8("")},
		{"xml declaration", "", brokenUTF8(`<?xml version="1.0" encoding="UTF-8"?>`)},
		{"xml default", "", brokenUTF8(`<?xml version="1.0"?>`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := utf8Stats(tc.body)
			if st.multi >= 10*st.invalid {
				t.Fatalf("fixture not hostile enough: %+v", st)
			}
			out, name, err := Decode(tc.body, tc.ct)
			if err != nil {
				t.Fatal(err)
			}
			if name != UTF8 {
				t.Fatalf("read as %s, want utf-8", name)
			}
			for _, ti := range []string{"Đồng Nai", "Biên Hòa", "Long Thành"} {
				if !bytes.Contains(out, []byte(ti)) {
					t.Errorf("title %q lost (mojibake?): %q", ti, out)
				}
			}
			if !utf8.Valid(out) || !bytes.Contains(out, []byte("broken \uFFFD byte")) {
				t.Errorf("invalid bytes not replaced by U+FFFD: %q", out)
			}
		})
	}
}

// TestMostlyUTF8Undeclared: an undeclared document that is mostly valid
// UTF-8 is UTF-8 with replacements; a legacy document stays legacy.
func TestMostlyUTF8Undeclared(t *testing.T) {
	body := []byte("<html><body><p>" + strings.Repeat("Tỉnh Đồng Nai ", 3) + "\xff\xfe</p></body></html>")
	if st := utf8Stats(body); st.multi >= 10*st.invalid {
		t.Fatalf("fixture not hostile enough: %+v", st)
	}
	out, name, _ := Decode(body, "text/html")
	if name != UTF8 || !bytes.Contains(out, []byte("Tỉnh Đồng Nai")) {
		t.Fatalf("mostly-UTF-8 page read as %s: %q", name, out)
	}
	legacy := mustEncodeBytes(t, []byte("<?xml version=\"1.0\"?><rss><channel><title>Größere Straße über Köln, schöne Grüße</title></channel></rss>"))
	if _, name, _ := Decode(legacy, ""); name == UTF8 {
		t.Fatalf("windows-1252 XML without a declaration read as UTF-8")
	}
}

func mustEncodeBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	for _, r := range string(b) {
		if r < 0x100 {
			out = append(out, byte(r))
		} else {
			t.Fatalf("rune %q not in Latin-1", r)
		}
	}
	return out
}

package charset

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/dongnai/presswatch/internal/testenv"
)

// TestDetectSharedFeeds strips nothing but ignores declarations: Detect alone
// must recognise the encoding of each real feed from the chardet corpus.
func TestDetectSharedFeeds(t *testing.T) {
	dir := testenv.Testdata(t, "feeds")
	want := map[string][]string{
		"Big5":                   {"big5"},
		"CP932":                  {"shift_jis"},
		"EUC-JP":                 {"euc-jp"},
		"EUC-KR":                 {"euc-kr"},
		"GB2312":                 {"gb18030", "gbk"},
		"KOI8-R":                 {"koi8-r"},
		"SHIFT_JIS":              {"shift_jis"},
		"TIS-620":                {"windows-874"},
		"iso-8859-2-hungarian":   {"iso-8859-2", "windows-1250"},
		"iso-8859-7-greek":       {"iso-8859-7"},
		"windows-1250-hungarian": {"windows-1250", "iso-8859-2"},
		"windows-1251-russian":   {"windows-1251"},
		"windows-1255-hebrew":    {"windows-1255"},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "real", "chardet__*"))
	if len(files) == 0 {
		t.Skip("no chardet feeds")
	}
	for _, f := range files {
		parts := strings.Split(filepath.Base(f), "__")
		exp := want[parts[1]]
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, name := Detect(body)
			ok := false
			for _, e := range exp {
				ok = ok || e == name
			}
			if !ok {
				t.Errorf("Detect = %s, want one of %v", name, exp)
			}
		})
	}
}

func TestDecodeVietnameseLegacy(t *testing.T) {
	dir := testenv.Testdata(t, "encoding-vi")
	want, err := os.ReadFile(filepath.Join(dir, "utf-8.txt"))
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := os.ReadFile(filepath.Join(dir, "windows-1258.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"", "text/plain; charset=windows-1258", "text/html"} {
		got, name, err := Decode(legacy, ct)
		if err != nil {
			t.Fatal(err)
		}
		if name != Windows1258 || !bytes.Equal(got, want) {
			t.Errorf("Content-Type %q: Decode = %s %q, want windows-1258 %q", ct, name, got, want)
		}
	}
	got, name, _ := Decode(want, "")
	if name != UTF8 || !bytes.Equal(got, want) {
		t.Errorf("utf-8 sample: %s %q", name, got)
	}

	// VISCII (RFC 1456): declared, undeclared, and labelled ISO-8859-1 by
	// a server that knows no better; the same sentence in windows-1258
	// labelled VISCII stays windows-1258.
	viscii, err := os.ReadFile(filepath.Join(dir, "viscii.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"", "text/plain; charset=VISCII", "text/html; charset=iso-8859-1", "text/html; charset=windows-1252"} {
		got, name, err := Decode(viscii, ct)
		if err != nil {
			t.Fatal(err)
		}
		if name != VISCII || !bytes.Equal(got, want) {
			t.Errorf("VISCII sample, Content-Type %q: Decode = %s %q, want viscii %q", ct, name, got, want)
		}
	}
	if _, name, _ := Decode(legacy, "text/html; charset=viscii"); name != Windows1258 {
		t.Errorf("windows-1258 sample labelled VISCII read as %s", name)
	}
}

// TestVISCIIRoundTrip: every byte decodes to one rune, and the encoder
// gives the byte back for every rune but the six C0 letters' controls.
func TestVISCIIRoundTrip(t *testing.T) {
	var all [256]byte
	for i := range all {
		all[i] = byte(i)
	}
	dec, err := Viscii.NewDecoder().Bytes(all[:])
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCount(dec); n != 256 {
		t.Fatalf("256 bytes decoded to %d runes", n)
	}
	enc, err := Viscii.NewEncoder().Bytes(dec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, all[:]) {
		t.Errorf("round trip changed bytes: %x", enc)
	}
	if !bytes.HasPrefix(dec, []byte("\x00\x01Ẳ")) {
		t.Errorf("bytes 0x00–0x02 decode to %q, want NUL, SOH, Ẳ", dec[:8])
	}
}

// TestDetectKeepsWesternText: German, French and other Latin text read
// without a label is never taken for VISCII (its ü, ö, ä, ß are ủ, ỏ, ả, ư
// there), and feeds that declare their encoding keep it.
func TestDetectKeepsWesternText(t *testing.T) {
	dir := testenv.Testdata(t, "feeds")
	files, _ := filepath.Glob(filepath.Join(dir, "real", "*"))
	checked := 0
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil || strings.Contains(f, "compressed") {
			continue
		}
		if _, name := Detect(body); name == VISCII {
			t.Errorf("%s detected as VISCII", filepath.Base(f))
		}
		checked++
	}
	if checked == 0 {
		t.Skip("no shared feeds")
	}
	for _, s := range []string{
		"Die Spieler wünschen sich Funktionen für Kanalbetreiber; künftig Übertragungen, große Straße, Grüße.",
		"L'été à Paris: où est la forêt? Très naïf, même sûr, garçon, Noël, cœur.",
		"Sicherheitslücke: Microsoft® Windows™ kostet 25°C mehr; don´t panic.",
	} {
		if _, name := Detect(mustEncode(t, charmap.Windows1252, s)); name != Windows1252 {
			t.Errorf("%q in windows-1252 detected as %s", s, name)
		}
	}
}

// TestDecodeSharedFeedsValid decodes every shared feed with its declarations
// and checks the output is valid UTF-8 without replacement characters where
// the source had none.
func TestDecodeSharedFeedsValid(t *testing.T) {
	dir := testenv.Testdata(t, "feeds")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	for _, f := range files {
		if strings.HasSuffix(f, ".tsv") || strings.HasSuffix(f, ".md") || strings.Contains(f, "compressed") {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, name, err := Decode(body, "")
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if !utf8.Valid(got) {
			t.Errorf("%s: invalid UTF-8 output", filepath.Base(f))
		}
		if n := bytes.Count(got, []byte("\uFFFD")); n > 0 {
			t.Logf("%s: %s, %d replacement characters", filepath.Base(f), name, n)
		}
	}
}

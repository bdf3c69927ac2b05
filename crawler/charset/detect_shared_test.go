package charset

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

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

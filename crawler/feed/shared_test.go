package feed

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dongnai/presswatch/internal/testenv"
)

// unreadable are the shared feeds that truly cannot be read: both are cut off
// in the middle of the document. They must fail with a clear error.
var unreadable = map[string]string{
	"real/feedrs__rss_2.0_invalid_1.xml":             "malformed feed XML",
	"synthetic/feedparser__rss_incomplete_cdata.xml": "malformed feed XML",
}

// repeatedGUIDs counts the items of real feeds that repeat an earlier item's
// GUID (podcast and blog CMSs re-listing an entry): Parse keeps one item per
// GUID, gofeed keeps them all.
var repeatedGUIDs = map[string]int{
	"real/rsparser__scriptingNews.rss":         2,
	"real/rssparser__itunes-missing-image.rss": 1,
}

// contains are texts that prove the encoding was read right.
var contains = map[string]string{
	"real/laminas__laut.de-rdf.xml":                             "ü",
	"synthetic/feedparser__demoronize-1.xml":                    "\u2019",
	"synthetic/miniflux__enc_windows-1252-incorrect-prolog.xml": "€",
	"synthetic/miniflux__enc_windows-1252.xml":                  "€",
	"synthetic/miniflux__enc_utf8-incorrect-prolog.xml":         "Café",
	"synthetic/feedparser__euc-kr-declared.xml":                 "\ub144",
	"real/nodefp__compressed.xml":                               "в",
	"real/miniflux__no_encoding_ISO-8859-1.xml":                 "études",
	"real/chardet__KOI8-R__newsru.com.xml":                      "Россия",
	"synthetic/feedparser__chardet_undeclared_koi8r.xml":        "\u0430",
}

// mojibake are sequences that appear when an encoding was misread.
var mojibake = []string{"Ã¼", "Ã©", "Â©", "â‚¬", "\ufffd"}

type manifestRow struct {
	file, result string
	items        int
}

func readManifest(t *testing.T, dir string) []manifestRow {
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []manifestRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 8 {
			continue
		}
		r := manifestRow{file: cols[0], result: cols[7], items: -1}
		if i := strings.Index(r.result, "items="); i >= 0 {
			n, _ := strconv.Atoi(strings.Fields(r.result[i+len("items="):])[0])
			r.items = n
		}
		rows = append(rows, r)
	}
	return rows
}

func TestSharedFeeds(t *testing.T) {
	dir := testenv.Testdata(t, "feeds")
	rows := readManifest(t, dir)
	if len(rows) < 100 {
		t.Fatalf("manifest has %d rows", len(rows))
	}
	for _, r := range rows {
		t.Run(r.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, r.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(body, "", "https://feeds.example.org/"+filepath.Base(r.file))
			if want, bad := unreadable[r.file]; bad {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("want error %q, got %v", want, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if r.items > 0 && len(f.Items)+repeatedGUIDs[r.file] != r.items {
				t.Errorf("%d items (%d repeating a GUID), gofeed found %d", len(f.Items), repeatedGUIDs[r.file], r.items)
			}
			if r.items < 0 && len(f.Items) == 0 && !strings.HasPrefix(r.file, "synthetic/") {
				t.Errorf("no items from a real feed gofeed could not read")
			}
			if strings.Contains(r.file, "ScriptingNews.json") && len(f.Items) == 0 {
				t.Errorf("RSS-in-JSON gave no items")
			}
			all := f.Title
			for _, it := range f.Items {
				all += "\n" + it.Title + "\n" + it.Summary + "\n" + it.Content + "\n" + it.Author
				if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
					t.Errorf("relative link %q", it.Link)
				}
				if it.DateText != "" {
					t.Errorf("date %q not parsed", it.DateText)
				}
				if !it.Published.IsZero() && (it.Published.Year() < 1995 || it.Published.Year() > 2030) {
					t.Errorf("implausible date %s", it.Published)
				}
			}
			if !utf8.ValidString(all) {
				t.Errorf("invalid UTF-8")
			}
			if want, ok := contains[r.file]; ok && !strings.Contains(all, want) {
				t.Errorf("text lacks %q (read as %s)", want, f.Encoding)
			}
			src := string(body)
			for _, m := range mojibake {
				if strings.Contains(all, m) && !strings.Contains(src, m) {
					t.Errorf("mojibake %q (read as %s)", m, f.Encoding)
				}
			}
		})
	}
}

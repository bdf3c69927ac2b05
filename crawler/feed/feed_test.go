package feed

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dongnai/presswatch/crawler/charset"
)

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file      string
		ct        string
		wantItems int
		wantTitle string // first item's title
		wantLinks []string
		wantErr   string
	}{
		{file: "latin1_undeclared.xml", wantItems: 1, wantTitle: "Größere Städte, café crème"},
		{file: "wrong_charset.xml", wantItems: 1, wantTitle: "Café in Biên Hòa"},
		{file: "wrong_charset.xml", ct: "text/xml; charset=iso-8859-1", wantItems: 1, wantTitle: "Café in Biên Hòa"},
		{file: "headerless_gzip.xml", wantItems: 1, wantTitle: "Nhơn Trạch port"},
		{file: "bom_whitespace.xml", wantItems: 1, wantTitle: "Long Thành airport"},
		{file: "xmlbase.atom", wantItems: 2, wantTitle: "Relative one", wantLinks: []string{
			"https://base.example.net/news/2024/dong-nai-floods", "https://base.example.net/world/asia/bien-hoa"}},
		{file: "rss_in_json.json", wantItems: 2, wantTitle: "One", wantLinks: []string{
			"http://scripting.example/2017/06/26/one.html", "http://scripting.example/2017/06/26/two.html"}},
		{file: "jsonfeed_loose.json", wantItems: 2, wantTitle: "Tags as string", wantLinks: []string{
			"https://loose.example/p/1", "https://loose.example/p/2"}},
		{file: "lying_extension.rss", wantItems: 1, wantTitle: "Atom entry"},
		{file: "dates.rss", wantItems: 10, wantTitle: "it"},
		{file: "truncated.xml", wantErr: "malformed feed XML"},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.ct, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(body, tt.ct, "https://fetched.example/feed")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != tt.wantItems {
				t.Fatalf("%d items, want %d", len(f.Items), tt.wantItems)
			}
			if f.Items[0].Title != tt.wantTitle {
				t.Errorf("title %q, want %q", f.Items[0].Title, tt.wantTitle)
			}
			for i, l := range tt.wantLinks {
				if f.Items[i].Link != l {
					t.Errorf("item %d link %q, want %q", i, f.Items[i].Link, l)
				}
			}
			for _, it := range f.Items {
				if it.Published.IsZero() || it.DateText != "" {
					t.Errorf("item %q: date not read (%q)", it.Title, it.DateText)
				}
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339 in UTC; "" = unparseable
	}{
		{"Mon, 02 Jan 2006 15:04:05 GMT", "2006-01-02T15:04:05Z"},
		{"mer, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Sat, Dec 16 2023 02:02:33 PM", "2023-12-16T14:02:33Z"},
		{"2020/1/10 14:33:00", "2020-01-10T14:33:00Z"},
		{"26 Sept 2005", "2005-09-26T00:00:00Z"},
		{"Mon, 26 Sept 2005 21:46:23+0900", "2005-09-26T12:46:23Z"},
		{"Thu, 01 Aug 2019 16:15 EDT", "2019-08-01T20:15:00Z"},
		{"07 Nov 2015 12:00:00 EST", "2015-11-07T17:00:00Z"},
		{"2018-01-06T08:00", "2018-01-06T08:00:00Z"},
		{"Thu, 07 Dec 17 10:00:29 -0800", "2017-12-07T18:00:29Z"},
		{"Tue, 15 Nov 2022 20:15:04 Z", "2022-11-15T20:15:04Z"},
		{"2005-5-28 16:05:36", "2005-05-28T16:05:36Z"},
		{"03 Apr 02 1500 GMT", "2002-04-03T15:00:00Z"},
		{"2024-03-02T10:00:00+07:00", "2024-03-02T03:00:00Z"},
		{"Mon, 02 Jan 2006 15:04:05 +05:30", "2006-01-02T09:34:05Z"},
		{"", ""},
		{"yesterday-ish", ""},
		{"Τετ, 01 Ιαν 2003 00:00:00 GMT", "2003-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		got, ok := ParseDate(tt.in, nil)
		if tt.want == "" {
			if ok {
				t.Errorf("ParseDate(%q) = %s, want failure", tt.in, got)
			}
			continue
		}
		if !ok || got.Format(time.RFC3339) != tt.want {
			t.Errorf("ParseDate(%q) = %s %v, want %s", tt.in, got.Format(time.RFC3339), ok, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "")
		}
	}
	f.Add([]byte(`{"rss":{"channel":{"item":{"title":1}}}}`), "application/json")
	f.Add([]byte(`<rss><channel><item><link>/x</link><pubDate>32 Foo 99</pubDate></item></channel></rss>`), "text/xml; charset=utf-16")
	// Hostile documents (issue 13): NUL and references to controls, bidi
	// overrides, repeated GUIDs, over-deep JSON, bad bytes in UTF-8.
	f.Add(rssDoc(rssItem("g", "/a\x00", "t\x00&#0;&#x1b;\u202Eexe"), rssItem("g", "/b", "u\uFFFE")), "application/rss+xml")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":1,"url":"/a","title":"\u202eA"},{"id":2,"x":`+deep(80)+`}],"_x":`+deep(70)+`}`), "application/feed+json")
	f.Add([]byte(`{"rss":{"channel":{"item":[{"link":"/a"},`+deep(100)+`]}}}`), "")
	f.Add([]byte("<?xml version=\"1.0\"?><rss><channel><item><title>Đồng \xff Nai</title><link>/a</link></item></channel></rss>"), "application/rss+xml; charset=utf-8")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		fd, err := Parse(body, ct, "https://fuzz.example/feed")
		if err != nil {
			return
		}
		guids := map[string]bool{}
		for _, it := range fd.Items {
			if !utf8.ValidString(it.Title) {
				t.Fatalf("invalid UTF-8 title")
			}
			if strings.IndexFunc(it.Title+it.Summary+it.Content+it.Author, charset.IsBidiControl) >= 0 {
				t.Fatalf("bidi control kept in %q", it.Title)
			}
			if it.GUID != "" && guids[it.GUID] {
				t.Fatalf("GUID %q kept twice", it.GUID)
			}
			guids[it.GUID] = true
			if it.Link != "" && !strings.HasPrefix(it.Link, "http") {
				t.Fatalf("non-http link %q", it.Link)
			}
		}
	})
}

// FuzzXMLCleanReader: the output holds only XML 1.0 characters and no short
// reference to a forbidden one, cleaning it again changes nothing, and reads
// of any size give the same bytes.
func FuzzXMLCleanReader(f *testing.F) {
	f.Add([]byte("a\x00b&#0;c&#x41;đ😀\uFFFF&#65;&#x;&#99999999999;&#x110000;e"), 3)
	f.Add([]byte("&#\xff&#x0000000000000000000000000000041;\xe4\xb8"), 1)
	f.Fuzz(func(t *testing.T, in []byte, chunk int) {
		out, err := io.ReadAll(&xmlCleanReader{src: in})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range string(out) {
			if !xmlChar(r) {
				t.Fatalf("forbidden rune %U kept in %q", r, out)
			}
		}
		again, _ := io.ReadAll(&xmlCleanReader{src: out})
		if string(again) != string(out) {
			t.Fatalf("not idempotent: %q → %q", out, again)
		}
		if chunk < 1 || chunk > 64 {
			chunk = 1
		}
		r := &xmlCleanReader{src: in}
		var got []byte
		buf := make([]byte, chunk)
		for {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if n == 0 {
				t.Fatal("Read returned 0 bytes without EOF")
			}
		}
		if string(got) != string(out) {
			t.Fatalf("reads of %d bytes give %q, one read %q", chunk, got, out)
		}
	})
}

// FuzzDecodeBounded: within the depth bound, decodeBounded is
// json.Unmarshal; beyond it, it never panics or recurses without bound.
func FuzzDecodeBounded(f *testing.F) {
	f.Add([]byte(`{"items":[{"a":1},` + deep(70) + `,"x"]}`))
	f.Add([]byte(`[1, "a\"]", {"b": [null, true]}]`))
	f.Add([]byte(deep(100)))
	f.Fuzz(func(t *testing.T, in []byte) {
		got, dropped, err := decodeBounded(in)
		var want any
		werr := json.Unmarshal(in, &want)
		if len(dropped) > 0 || err != nil && werr == nil {
			// Either too deep for the bound (json.Unmarshal allows 10,000) or
			// an error the standard decoder also reports.
			return
		}
		if werr != nil {
			if err == nil {
				t.Fatalf("accepted what json.Unmarshal rejects (%v): %q", werr, in)
			}
			return
		}
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) {
			t.Fatalf("decodeBounded %s, json.Unmarshal %s", gb, wb)
		}
	})
}

func TestFirstImage(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"", ""},
		{"<p>no image here</p>", ""},
		{"a < b and i <im not a tag", ""},
		{`<p>x</p><img src="/a.jpg"><img src="/b.jpg">`, "/a.jpg"},
		{`<IMG SRC="/upper.png" alt="x">`, "/upper.png"},
		{`<img alt="no src"><img src="/second.gif"/>`, "/second.gif"},
		{`<img data-src="/lazy.jpg">`, ""},
		{`<img src="/q?a=1&amp;b=2">`, "/q?a=1&b=2"},
		{`<script>var s = "<img src='/in-script.png'>";</script><img src="/real.png">`, "/real.png"},
	} {
		if got := firstImage(tc.doc); got != tc.want {
			t.Errorf("firstImage(%q) = %q, want %q", tc.doc, got, tc.want)
		}
	}
}

// An RSS item without an enclosure or media image takes the first <img> of
// its content, then of its description (as gofeed's own content scan did).
func TestRSSImageFromContent(t *testing.T) {
	const doc = `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title><link>https://example.com/</link>
<item><title>a</title><link>https://example.com/a</link><description>&lt;img src="/d.jpg"&gt;</description><content:encoded><![CDATA[<p>x</p><img src="/c.jpg">]]></content:encoded></item>
<item><title>b</title><link>https://example.com/b</link><description>&lt;p&gt;&lt;IMG src="https://cdn.example.com/d.png"&gt;&lt;/p&gt;</description></item>
<item><title>c</title><link>https://example.com/c</link><description>plain text</description></item>
</channel></rss>`
	f, err := Parse([]byte(doc), "application/rss+xml", "https://example.com/feed")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://example.com/c.jpg", "https://cdn.example.com/d.png", ""}
	if len(f.Items) != len(want) {
		t.Fatalf("%d items, want %d", len(f.Items), len(want))
	}
	for i, it := range f.Items {
		if it.ImageURL != want[i] {
			t.Errorf("item %d: image %q, want %q", i, it.ImageURL, want[i])
		}
	}
}

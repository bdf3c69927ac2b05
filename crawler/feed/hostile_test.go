package feed

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/dongnai/presswatch/crawler/charset"
)

func rssDoc(items ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title><link>https://x.example/</link>` +
		strings.Join(items, "") + `</channel></rss>`)
}

func rssItem(guid, link, title string) string {
	g := ""
	if guid != "" {
		g = "<guid isPermaLink=\"false\">" + guid + "</guid>"
	}
	return "<item>" + g + "<link>" + link + "</link><title>" + title + "</title></item>"
}

// TestIllegalXMLCharacters: a NUL, other C0 controls, U+FFFE and character
// references to them no longer reject the whole feed.
func TestIllegalXMLCharacters(t *testing.T) {
	body := rssDoc(
		rssItem("", "https://x.example/1", "Đồng\x00 Nai\x1b"),
		rssItem("", "https://x.example/2", "Biên&#0; Hòa&#x1F;\uFFFE"),
		rssItem("", "https://x.example/3", "Long Thành &#233;&#x1F600;"),
	)
	f, err := Parse(body, "application/rss+xml", "https://x.example/feed")
	if err != nil {
		t.Fatalf("one NUL rejected the feed: %v", err)
	}
	want := []string{"Đồng Nai", "Biên Hòa", "Long Thành é😀"}
	if len(f.Items) != len(want) {
		t.Fatalf("%d items, want %d", len(f.Items), len(want))
	}
	for i, w := range want {
		if f.Items[i].Title != w {
			t.Errorf("item %d title %q, want %q", i, f.Items[i].Title, w)
		}
	}
	if len(f.Warnings) == 0 || !strings.Contains(f.Warnings[0], "removed 5 character") {
		t.Errorf("warnings %q, want the removed characters counted", f.Warnings)
	}
}

// TestXMLCleanReaderStreams: the filter gives the same output through
// one-byte reads (runes split across reads) as in one read.
func TestXMLCleanReaderStreams(t *testing.T) {
	in := []byte("a\x00b&#0;c&#x41;đ😀\uFFFF&#65;&#x;&#99999999999;&#x110000;e")
	want := "abc&#x41;đ😀&#65;&#x;e"
	all, err := io.ReadAll(&xmlCleanReader{src: in})
	if err != nil || string(all) != want {
		t.Fatalf("ReadAll = %q, %v; want %q", all, err, want)
	}
	one, err := io.ReadAll(iotest.OneByteReader(&xmlCleanReader{src: in}))
	if err != nil || string(one) != want {
		t.Fatalf("one byte at a time = %q, %v", one, err)
	}
	if err := iotest.TestReader(&xmlCleanReader{src: in}, []byte(want)); err != nil {
		t.Fatal(err)
	}
}

func deep(n int) string {
	return strings.Repeat("[", n) + strings.Repeat("]", n)
}

// TestOverDeepJSON: an item nested deeper than MaxJSONDepth is dropped with
// a warning naming it; every other item is kept. A whole document that deep
// is an error, not a crash.
func TestOverDeepJSON(t *testing.T) {
	var items []string
	for i := range 5 {
		items = append(items, fmt.Sprintf(`{"id":"%d","url":"https://j.example/%d","title":"item %d"}`, i, i, i))
	}
	items[2] = `{"id":"2","url":"https://j.example/2","title":"deep","x":` + deep(100000) + `}`
	items = append(items, deep(20000))
	doc := `{"version":"https://jsonfeed.org/version/1.1","title":"J","_ext":` + deep(50000) + `,"items":[` + strings.Join(items, ",") + `]}`
	f, err := Parse([]byte(doc), "application/feed+json", "https://j.example/feed.json")
	if err != nil {
		t.Fatalf("an over-deep item lost the whole feed: %v", err)
	}
	var titles []string
	for _, it := range f.Items {
		titles = append(titles, it.Title)
	}
	if got := strings.Join(titles, ","); got != "item 0,item 1,item 3,item 4" {
		t.Fatalf("items %q", got)
	}
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "$._ext") || !strings.Contains(f.Warnings[0], "$.items[5]") ||
		!strings.Contains(f.Warnings[0], "$.items[2]") || !strings.Contains(f.Warnings[0], "dropped 3 value") {
		t.Fatalf("warnings %q", f.Warnings)
	}
	if _, err := Parse([]byte(deep(1000000)), "application/json", "https://j.example/"); err == nil {
		t.Fatal("a bare over-deep array parsed as a feed")
	}
	rss := `{"rss":{"channel":{"title":"R","item":[{"link":"https://r.example/1","title":"one"},{"link":"https://r.example/2","title":` + deep(70) + `}]}}}`
	f, err = Parse([]byte(rss), "", "https://r.example/")
	if err != nil || len(f.Items) != 1 || f.Items[0].Title != "one" || len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "$.rss.channel.item[1]") {
		t.Fatalf("RSS-in-JSON with one deep field: %+v, %v", f, err)
	}
}

// TestGUIDDedupe: within one document, items repeating a GUID with another
// link are one entry; a GUID shared by most items is not an identifier.
func TestGUIDDedupe(t *testing.T) {
	f, err := Parse(rssDoc(
		rssItem("g-1", "https://x.example/new-slug", "Corrected"),
		rssItem("g-1", "https://x.example/old-slug", "Original"),
		rssItem("g-2", "https://x.example/2", "Two"),
	), "", "https://x.example/feed")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 2 || f.Items[0].Link != "https://x.example/new-slug" || f.Items[1].GUID != "g-2" {
		t.Fatalf("items %+v", f.Items)
	}
	var items []string
	for i := range 6 {
		items = append(items, rssItem("https://x.example/", fmt.Sprintf("https://x.example/%d", i), "t"))
	}
	f, err = Parse(rssDoc(items...), "", "https://x.example/feed")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 6 || f.Items[0].GUID != "" {
		t.Fatalf("a GUID shared by every item collapsed the feed: %d items", len(f.Items))
	}
}

// TestBidiStripped: bidi controls leave titles, summaries and authors.
func TestBidiStripped(t *testing.T) {
	title := "Invoice \u202Egnp.exe\u202C \u2066x\u2069\u200E\u200F\u061C"
	f, err := Parse(rssDoc(`<item><link>https://x.example/1</link><title>`+title+`</title><description>a`+"\u202B"+`b</description><author>`+"\u202Dm\u202C"+`</author></item>`), "", "https://x.example/")
	if err != nil {
		t.Fatal(err)
	}
	it := f.Items[0]
	if it.Title != "Invoice gnp.exe x" || it.Summary != "ab" || it.Author != "m" {
		t.Fatalf("bidi controls kept: %+q %+q %+q", it.Title, it.Summary, it.Author)
	}
	if bytes.ContainsRune([]byte(it.Title), 0x202E) {
		t.Fatal("override kept")
	}
}

// TestJSONFeedWrongTypes: a number where a URL belongs is no link (it was
// stored as the made-up article "<feed>/12345"), items that are not
// objects and an "items" that is not a list are reported, not silent.
func TestJSONFeedWrongTypes(t *testing.T) {
	f, err := Parse([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[
		{"id":"1","url":12345,"title":"number url"},
		{"id":"2","url":"https://x.example/2","title":"good","image":7},
		"a bare string", null, 42]}`), "application/feed+json", "https://x.example/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 2 || f.Items[0].Link != "" || f.Items[1].Link != "https://x.example/2" || f.Items[1].ImageURL != "" {
		t.Errorf("items %+v", f.Items)
	}
	if w := strings.Join(f.Warnings, "; "); !strings.Contains(w, "dropped 3 item(s) that are not objects") {
		t.Errorf("warnings %q", w)
	}
	f, err = Parse([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"J","items":{"id":"1","url":"https://x.example/1"}}`),
		"application/feed+json", "https://x.example/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(f.Warnings, "; "); len(f.Items) != 0 || !strings.Contains(w, `"items" is an object, not a list`) {
		t.Errorf("items %+v, warnings %q", f.Items, w)
	}
}

// TestVISCIIFeed: a feed written in VISCII (RFC 1456), the 8-bit encoding
// of older overseas Vietnamese sites, reads as Vietnamese whether it says
// so, says nothing, or claims ISO-8859-1.
func TestVISCIIFeed(t *testing.T) {
	const (
		title = "Đồng Nai: công nhân đình công đòi tăng lương"
		desc  = "Hàng nghìn công nhân tại khu công nghiệp Nhơn Trạch ngừng việc từ sáng thứ Hai, yêu cầu doanh nghiệp trả đủ tiền lương và tiền thưởng cuối năm; chính quyền tỉnh đã cử đoàn đến đối thoại."
	)
	for _, tc := range []struct{ name, decl, contentType string }{
		{"declared in the document", `<?xml version="1.0" encoding="VISCII"?>`, "application/rss+xml"},
		{"declared by the server", `<?xml version="1.0"?>`, "application/rss+xml; charset=viscii"},
		{"undeclared", `<?xml version="1.0"?>`, "application/rss+xml"},
		{"labelled ISO-8859-1", `<?xml version="1.0" encoding="ISO-8859-1"?>`, "application/rss+xml; charset=ISO-8859-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.decl + `<rss version="2.0"><channel><title>Tin</title><link>https://x.example/</link><item><link>https://x.example/1</link><title>` +
				title + `</title><description>` + desc + `</description></item></channel></rss>`
			body, err := charset.Viscii.NewEncoder().Bytes([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(body, []byte(doc)) || bytes.Count(body, []byte("?")) != strings.Count(doc, "?") {
				t.Fatal("the fixture is not VISCII (nothing encoded, or a letter VISCII lacks)")
			}
			f, err := Parse(body, tc.contentType, "https://x.example/feed")
			if err != nil {
				t.Fatal(err)
			}
			if f.Encoding != charset.VISCII || len(f.Items) != 1 || f.Items[0].Title != title || !strings.Contains(f.Items[0].Summary, "Nhơn Trạch") {
				t.Errorf("read as %s: %+v", f.Encoding, f.Items)
			}
		})
	}
}

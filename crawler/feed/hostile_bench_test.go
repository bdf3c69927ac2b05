package feed

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// BenchmarkHostileJSONDepth parses a JSON feed with 100 good items and one
// item nested a million levels deep (2 MB).
func BenchmarkHostileJSONDepth(b *testing.B) {
	var items []string
	for i := range 100 {
		items = append(items, fmt.Sprintf(`{"id":"%d","url":"https://j.example/%d","title":"item %d"}`, i, i, i))
	}
	items = append(items, deep(1000000))
	doc := []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[` + strings.Join(items, ",") + `]}`)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		f, err := Parse(doc, "application/feed+json", "https://j.example/")
		if err != nil || len(f.Items) != 100 {
			b.Fatalf("%v, %d items", err, len(f.Items))
		}
	}
}

// BenchmarkXMLCleanReader measures the illegal-character filter alone on
// 1 MB of feed text with a NUL every kilobyte.
func BenchmarkXMLCleanReader(b *testing.B) {
	chunk := strings.Repeat("<item><title>Đồng Nai &amp; Biên Hòa</title></item>", 20)[:1023] + "\x00"
	src := []byte(strings.Repeat(chunk, 1024))
	b.SetBytes(int64(len(src)))
	var sink bytes.Buffer
	for b.Loop() {
		sink.Reset()
		if _, err := io.Copy(&sink, &xmlCleanReader{src: src}); err != nil {
			b.Fatal(err)
		}
	}
}

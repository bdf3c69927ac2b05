//go:build ignore

// Command gen_lists writes lists.txt.br, the ranked word lists the strength
// estimator matches against: the six frequency lists of zxcvbn (common
// passwords, English Wikipedia words, US film and television words,
// surnames, female and male first names), as published in
// github.com/trustelem/zxcvbn v1.0.1 (MIT licence, see LICENSE-zxcvbn.txt).
// Run from this directory:
//
//	go run gen_lists.go
//
// The file holds the lists one after another, most frequent word first, one
// word a line, each list ended by an empty line; it is brotli-compressed
// (about 0.35 MB instead of the 0.8 MB of words, and instead of the 2.5 MB
// the lists took in the binary as Go string literals).
package main

import (
	"bytes"
	"log"
	"os"
	"sort"

	"github.com/andybalholm/brotli"
	"github.com/trustelem/zxcvbn/frequency"
)

func main() {
	names := make([]string, 0, len(frequency.FrequencyLists))
	for name := range frequency.FrequencyLists {
		names = append(names, name)
	}
	sort.Strings(names) // a stable file from run to run
	var raw bytes.Buffer
	for _, name := range names {
		for _, w := range frequency.FrequencyLists[name] {
			if w == "" {
				continue
			}
			raw.WriteString(w)
			raw.WriteByte('\n')
		}
		raw.WriteByte('\n')
	}
	var out bytes.Buffer
	w := brotli.NewWriterLevel(&out, brotli.BestCompression)
	if _, err := w.Write(raw.Bytes()); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("lists.txt.br", out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("lists.txt.br: %d lists, %d bytes of words, %d compressed", len(names), raw.Len(), out.Len())
}

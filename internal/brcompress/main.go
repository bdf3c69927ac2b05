// Command brcompress writes the brotli-compressed copy of a file that the
// binary embeds instead of the file itself: the classifier model
// (configs/classifier_model.json.br, `go generate ./configs`) and the fonts
// of digest/fonts. From the repository root:
//
//	go run ./internal/brcompress configs/classifier_model.json configs/classifier_model.json.br
//	go run ./internal/brcompress /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf digest/fonts/DroidSansFallback.ttf.br
package main

import (
	"log"
	"os"

	"github.com/andybalholm/brotli"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: go run ./internal/brcompress IN OUT.br")
	}
	src, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	w := brotli.NewWriterLevel(f, brotli.BestCompression)
	if _, err := w.Write(src); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

//go:build ignore

// Command compress writes the brotli-compressed copy of a font that the
// binary embeds: DroidSansFallback.ttf.br by default (1.3 MB instead of
// 3.4 MB), or the file named second. Run from this directory with the
// font's path (Debian's fonts-droid-fallback installs Droid Sans Fallback
// under /usr/share/fonts/truetype/droid/):
//
//	go run compress.go /path/to/DroidSansFallbackFull.ttf
//	go run compress.go /path/to/LiberationSans-Bold.ttf LiberationSans-Bold.ttf.br
package main

import (
	"log"
	"os"

	"github.com/andybalholm/brotli"
)

func main() {
	if len(os.Args) != 2 && len(os.Args) != 3 {
		log.Fatal("usage: go run compress.go FONT.ttf [OUT.ttf.br]")
	}
	out := "DroidSansFallback.ttf.br"
	if len(os.Args) == 3 {
		out = os.Args[2]
	}
	src, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(out)
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

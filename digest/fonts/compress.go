//go:build ignore

// Command compress writes DroidSansFallback.ttf.br, the brotli-compressed
// copy of DroidSansFallback.ttf that the binary embeds (1.3 MB instead of
// 3.4 MB). Run from this directory with the font's path (Debian's
// fonts-droid-fallback installs it under /usr/share/fonts/truetype/droid/):
//
//	go run compress.go /path/to/DroidSansFallbackFull.ttf
package main

import (
	"log"
	"os"

	"github.com/andybalholm/brotli"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go run compress.go DroidSansFallback.ttf")
	}
	src, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create("DroidSansFallback.ttf.br")
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

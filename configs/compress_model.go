//go:build ignore

// Command compress_model writes classifier_model.json.br, the
// brotli-compressed copy of classifier_model.json that the binary embeds
// (0.49 MB instead of 0.89 MB). Run it after `presswatch train --out
// configs/classifier_model.json`, from this directory or with
// `go generate ./configs`; TestShippedModelCompressed fails until the two
// files agree.
package main

import (
	"log"
	"os"

	"github.com/andybalholm/brotli"
)

func main() {
	src, err := os.ReadFile("classifier_model.json")
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create("classifier_model.json.br")
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

//go:build ignore

// pairwords_gen writes pairwords.txt, the common words whose adjacent pairs
// the index keeps as terms of text_pair (see pairs.go):
//
//	PRESSWATCH_TESTDATA=../shared/testdata go run pairwords_gen.go
//
// run in the index directory. A word is common when it occurs in at least
// pairMinShare of the labelled corpus's items (the dev file and the grown
// file, title and text analysed as the index analyses them). Changing the
// list changes what the index holds: raise MappingVersion with it.
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dongnai/presswatch/internal/textnorm"
)

const pairMinShare = 0.05

func main() {
	td := os.Getenv("PRESSWATCH_TESTDATA")
	if td == "" {
		td = "../../shared/testdata"
	}
	files := []string{filepath.Join(td, "corpus", "dev.jsonl"), filepath.Join("..", "classifier", "testdata", "corpus", "grown.jsonl")}
	df := map[string]int{}
	items := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			log.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			var it struct{ Title, Text string }
			if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
				log.Fatalf("%s: %v", name, err)
			}
			items++
			seen := map[string]bool{}
			for _, t := range textnorm.Analyze(it.Title + string(textnorm.PartSep) + it.Text) {
				if t.Kind == textnorm.Word && !seen[t.Text] {
					seen[t.Text] = true
					df[t.Text]++
				}
			}
		}
		if err := sc.Err(); err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		f.Close()
	}
	type word struct {
		w  string
		df int
	}
	var words []word
	for w, n := range df {
		if float64(n) >= pairMinShare*float64(items) {
			words = append(words, word{w, n})
		}
	}
	slices.SortFunc(words, func(a, b word) int {
		return cmp.Or(cmp.Compare(b.df, a.df), strings.Compare(a.w, b.w))
	})
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by pairwords_gen.go: the %d folded words in at least %.0f %% of the %d items\n", len(words), 100*pairMinShare, items)
	fmt.Fprintf(&b, "# of the labelled corpus (dev + grown), by the number of items holding them.\n")
	fmt.Fprintf(&b, "# Two of them side by side are kept as one term of text_pair (pairs.go).\n")
	for _, w := range words {
		fmt.Fprintf(&b, "%s\t%d\n", w.w, w.df)
	}
	if err := os.WriteFile("pairwords.txt", []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

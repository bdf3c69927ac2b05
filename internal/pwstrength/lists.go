package pwstrength

import (
	"bytes"
	_ "embed" // the word lists
	"fmt"
	"io"
	"sync"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
)

// listsBr holds zxcvbn's ranked word lists, brotli-compressed; see
// gen_lists.go for the format and README.md for the source.
//
//go:embed lists.txt.br
var listsBr []byte

// wordLists is the decompressed lists, merged: a word's rank is its best
// position (1 = most common) in any list. Only the rank enters the guesses,
// so the merged map scores exactly as the separate lists would.
type wordLists struct {
	ranks   map[string]int32
	maxWord int // longest word, in runes
	lists   int
}

// lists decompresses the word lists on the first estimate: most processes
// never check a password, and the map costs some 10 MB.
var lists = sync.OnceValue(func() *wordLists {
	l, err := parseLists(listsBr)
	if err != nil {
		// The embedded bytes are fixed at build time and checked by
		// TestEmbeddedLists, so this cannot happen in a released binary.
		panic(fmt.Sprintf("pwstrength: embedded word lists: %v", err))
	}
	return l
})

func parseLists(br []byte) (*wordLists, error) {
	raw, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
	if err != nil {
		return nil, err
	}
	l := &wordLists{ranks: make(map[string]int32, 100_000)}
	rank := int32(0)
	for len(raw) > 0 {
		line, rest, ok := bytes.Cut(raw, []byte{'\n'})
		if !ok {
			return nil, fmt.Errorf("last line not ended")
		}
		raw = rest
		if len(line) == 0 { // end of a list
			l.lists++
			rank = 0
			continue
		}
		rank++
		w := string(line)
		if r, ok := l.ranks[w]; !ok || rank < r {
			l.ranks[w] = rank
		}
		l.maxWord = max(l.maxWord, utf8.RuneCount(line))
	}
	return l, nil
}

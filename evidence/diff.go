package evidence

import (
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// OpKind is what a diff operation does.
type OpKind int

// Diff operations.
const (
	Equal OpKind = iota
	Insert
	Delete
)

// Op is one run of a word diff: text kept, inserted or deleted, with the
// spaces between its words.
type Op struct {
	Kind OpKind
	Text string
}

// Diff compares two texts word by word (a token is a run of letters and
// digits, each CJK character, one punctuation mark or a run of spaces) and
// returns the runs kept, deleted and inserted.
func Diff(before, after string) []Op {
	a, b := words(before), words(after)
	// Map each distinct word to one rune so the library diffs words.
	index := map[string]rune{}
	var table []string
	encode := func(ws []string) string {
		var sb strings.Builder
		for _, w := range ws {
			r, ok := index[w]
			if !ok {
				r = rune(len(table) + 0xE000) // private use area, then beyond
				if r >= 0xF900 {
					r = rune(len(table) + 0xF0000 - (0xF900 - 0xE000))
				}
				index[w] = r
				table = append(table, w)
			}
			sb.WriteRune(r)
		}
		return sb.String()
	}
	ea, eb := encode(a), encode(b)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMain(ea, eb, false))
	decode := func(s string) string {
		var sb strings.Builder
		for _, r := range s {
			sb.WriteString(table[index2(r)])
		}
		return sb.String()
	}
	var out []Op
	for _, d := range diffs {
		k := Equal
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			k = Insert
		case diffmatchpatch.DiffDelete:
			k = Delete
		}
		if n := len(out); n > 0 && out[n-1].Kind == k {
			out[n-1].Text += decode(d.Text)
			continue
		}
		out = append(out, Op{Kind: k, Text: decode(d.Text)})
	}
	return out
}

func index2(r rune) int {
	if r >= 0xF0000 {
		return int(r) - 0xF0000 + (0xF900 - 0xE000)
	}
	return int(r) - 0xE000
}

// words splits s into tokens: words, CJK characters, punctuation, spaces.
func words(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i + 1
		switch r := rs[i]; {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || unicode.Is(unicode.Mn, rs[j])) &&
				!unicode.In(rs[j], unicode.Han, unicode.Hiragana, unicode.Katakana) {
				j++
			}
		}
		if unicode.IsSpace(rs[i]) {
			for j < len(rs) && unicode.IsSpace(rs[j]) {
				j++
			}
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	return out
}

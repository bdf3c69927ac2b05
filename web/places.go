package web

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dongnai/presswatch/internal/textnorm"
	"github.com/dongnai/presswatch/query"
)

// Places expands the province's name, and the name of any place or landmark
// in it, to every spelling and script the gazetteer knows, so that "Dong Nai"
// also finds 同奈, 동나이 and ドンナイ. It reads the classifier's gazetteer
// files (gazetteer/province.yaml, places.yaml, landmarks.yaml); names of
// other provinces (others.yaml) and ambiguous aliases are left out, so an
// expansion never adds a name that can mean something else.
type Places struct {
	byKey  map[string]int // folded words of a name → entry
	names  [][]string     // each entry's names as written: canonical first
	canon  []string
	maxLen int // the most words in a name
}

// placeFiles are the gazetteer files of places inside the province.
var placeFiles = []string{"gazetteer/province.yaml", "gazetteer/places.yaml", "gazetteer/landmarks.yaml"}

type placeFile struct {
	Entries []struct {
		Canonical string `yaml:"canonical"`
		Kind      string `yaml:"kind"`
		Ambiguous bool   `yaml:"ambiguous"`
		Aliases   []struct {
			Text      string `yaml:"text"`
			Ambiguous bool   `yaml:"ambiguous"`
		} `yaml:"aliases"`
	} `yaml:"entries"`
}

// LoadPlaces reads the gazetteer from rules (laid out as the classifier's
// RulesDir). A missing file is skipped; a file that does not parse is an error.
func LoadPlaces(rules fs.FS) (*Places, error) {
	p := &Places{byKey: map[string]int{}}
	for _, name := range placeFiles {
		b, err := fs.ReadFile(rules, name)
		if err != nil {
			continue
		}
		var f placeFile
		if err := yaml.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("read gazetteer %s: %w", name, err)
		}
		for _, e := range f.Entries {
			if e.Ambiguous || e.Canonical == "" {
				continue
			}
			idx := len(p.names)
			names := []string{e.Canonical}
			seen := map[string]bool{e.Canonical: true}
			for _, a := range e.Aliases {
				if a.Ambiguous || a.Text == "" || seen[a.Text] {
					continue
				}
				seen[a.Text] = true
				names = append(names, a.Text)
			}
			p.names = append(p.names, names)
			p.canon = append(p.canon, e.Canonical)
			for _, n := range names {
				words := textnorm.Words(textnorm.Fold(n))
				if len(words) == 0 {
					continue
				}
				k := strings.Join(words, " ")
				if _, dup := p.byKey[k]; !dup {
					p.byKey[k] = idx
				}
				p.maxLen = max(p.maxLen, len(words))
			}
		}
	}
	return p, nil
}

// Expansion is one place name found in a query and what it was widened to.
type Expansion struct {
	Typed     string   // the words as typed
	Canonical string   // the place's name
	Names     []string // the spellings searched besides the typed words (see searchNames)
	Known     []string // every spelling the gazetteer knows, found through Names or the typed words
}

// SameWord returns each expansion's spellings, the words as typed first,
// for index.Request.SameWord: an article naming the place ranks the same
// whichever of its names, in whichever script, it uses.
func SameWord(exps []Expansion) [][]string {
	var out [][]string
	for _, e := range exps {
		out = append(out, append([]string{e.Typed}, e.Names...))
	}
	return out
}

// searchNames leaves out of names each one that contains another as a run of
// its folded words (CJK and Hangul fold to one word per character), and
// later ones equal to an earlier one: "tỉnh Đồng Nai", "ドンナイ省" and
// "Dong-Nai" are found through "Đồng Nai" and "ドンナイ". An article matching
// the longer name matches the shorter one, so the hit set is the same, and
// an article naming ドンナイ省 does not score ドンナイ twice.
func searchNames(names []string) []string {
	words := make([][]string, len(names))
	for i, n := range names {
		words[i] = textnorm.Words(textnorm.Fold(n))
	}
	var out []string
	for i, n := range names {
		redundant := len(words[i]) == 0
		for j := range names {
			if j == i || len(words[j]) == 0 || len(words[j]) > len(words[i]) {
				continue
			}
			if len(words[j]) == len(words[i]) && j > i {
				continue // of two equal names the first stays
			}
			if containsRun(words[i], words[j]) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, n)
		}
	}
	return out
}

// containsRun reports whether run occurs in ws as consecutive words.
func containsRun(ws, run []string) bool {
	for i := 0; i+len(run) <= len(ws); i++ {
		if slices.Equal(ws[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// Expand rewrites q so that each place name in it (a run of bare words or a
// phrase that is a known name) matches any of the place's names, or an
// article whose entities include the place. The words as typed stay in the
// query, so an expansion only ever widens it. It returns q unchanged and no
// expansions when nothing was found or q does not parse.
func (p *Places) Expand(q string) (string, []Expansion) {
	if p == nil || strings.TrimSpace(q) == "" {
		return q, nil
	}
	n, err := query.Parse(q)
	if err != nil {
		return q, nil
	}
	var exps []Expansion
	out := p.expand(n, &exps)
	if len(exps) == 0 {
		return q, nil
	}
	return query.String(out), exps
}

func (p *Places) expand(n query.Node, exps *[]Expansion) query.Node {
	switch n := n.(type) {
	case *query.And:
		parts := flattenAndNodes(n, nil)
		var out []query.Node
		for i := 0; i < len(parts); {
			if run, idx, ok := p.matchRun(parts[i:]); ok {
				typed := make([]string, run)
				for k := 0; k < run; k++ {
					typed[k] = parts[i+k].(*query.Term).Value
				}
				orig := parts[i]
				for k := 1; k < run; k++ {
					orig = &query.And{Left: orig, Right: parts[i+k]}
				}
				out = append(out, p.alternatives(orig, idx, strings.Join(typed, " "), exps))
				i += run
				continue
			}
			out = append(out, p.expand(parts[i], exps))
			i++
		}
		res := out[0]
		for _, x := range out[1:] {
			res = &query.And{Left: res, Right: x}
		}
		return res
	case *query.Or:
		return &query.Or{Left: p.expand(n.Left, exps), Right: p.expand(n.Right, exps)}
	case *query.Not:
		// Excluding a place excludes it as typed: widening a NOT would
		// narrow the result, against what the user wrote.
		return n
	case *query.Term:
		if run, idx, ok := p.matchRun([]query.Node{n}); ok && run == 1 {
			return p.alternatives(n, idx, n.Value, exps)
		}
	case *query.Phrase:
		if n.Field != "" && !strings.EqualFold(n.Field, "text") {
			return n
		}
		if idx, ok := p.byKey[strings.Join(textnorm.Words(textnorm.Fold(strings.Join(n.Words, " "))), " ")]; ok {
			return p.alternatives(n, idx, strings.Join(n.Words, " "), exps)
		}
	}
	return n
}

// matchRun finds the longest run of bare words at the start of parts that
// is a place name, and the place.
func (p *Places) matchRun(parts []query.Node) (run, idx int, ok bool) {
	var words []string
	for k := 0; k < len(parts) && k < p.maxLen; k++ {
		t, isTerm := parts[k].(*query.Term)
		if !isTerm || t.Prefix || (t.Field != "" && !strings.EqualFold(t.Field, "text")) {
			break
		}
		words = append(words, textnorm.Words(textnorm.Fold(t.Value))...)
		if i, hit := p.byKey[strings.Join(words, " ")]; hit {
			run, idx, ok = k+1, i, true
		}
	}
	return run, idx, ok
}

// alternatives is orig OR each name of place idx as a phrase OR the place as
// an entity.
func (p *Places) alternatives(orig query.Node, idx int, typed string, exps *[]Expansion) query.Node {
	var res query.Node = orig
	// The words as typed find every name that holds them (as bare words,
	// anywhere; as a phrase, in order): those are not searched again.
	names := searchNames(append([]string{typed}, p.names[idx]...))
	if len(names) > 0 && names[0] == typed {
		names = names[1:]
	}
	for _, name := range names {
		res = &query.Or{Left: res, Right: &query.Phrase{Words: strings.Fields(name)}}
	}
	res = &query.Or{Left: res, Right: &query.Term{Field: "entity", Value: p.canon[idx]}}
	*exps = append(*exps, Expansion{Typed: typed, Canonical: p.canon[idx], Names: names, Known: p.names[idx]})
	return res
}

func flattenAndNodes(n query.Node, out []query.Node) []query.Node {
	if a, ok := n.(*query.And); ok {
		out = flattenAndNodes(a.Left, out)
		return flattenAndNodes(a.Right, out)
	}
	return append(out, n)
}

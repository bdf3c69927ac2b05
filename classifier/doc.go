package classifier

import (
	"sort"
	"strings"

	"github.com/dongnai/presswatch/internal/textnorm"
	"github.com/dongnai/presswatch/query"
)

// tokDoc is the query.Doc topic rules, narratives and facts run against: the
// article's folded tokens in one map, title positions first, text positions
// after a gap so that phrases never span the two. Fields: title, text, ""
// (both); keywords lang, country, outlet, entity; numbers relevance, tier.
type tokDoc struct {
	pos      map[string][]int
	titleEnd int // the title's tokens have positions below titleEnd
	keywords map[string][]string
	numbers  map[string]float64
	vocab    []string // sorted keys of pos, built on the first prefix query
}

const textGap = query.MaxNear + 1

func newTokDoc(toks []textnorm.Token, titleToks int) *tokDoc {
	d := &tokDoc{pos: make(map[string][]int, len(toks)/2+1), keywords: map[string][]string{}, numbers: map[string]float64{}}
	pos := textnorm.Positions(toks)
	if titleToks > 0 {
		d.titleEnd = pos[titleToks-1] + 1
	}
	for i, t := range toks {
		p := pos[i]
		if i >= titleToks {
			p += d.titleEnd + textGap
		}
		d.pos[t.Text] = append(d.pos[t.Text], p)
	}
	return d
}

func (d *tokDoc) addKeyword(field string, values ...string) {
	for _, v := range values {
		d.keywords[field] = append(d.keywords[field], textnorm.Fold(v))
	}
	if d.keywords[field] == nil {
		d.keywords[field] = []string{}
	}
}

// Kind implements query.Doc.
func (d *tokDoc) Kind(field string) query.FieldKind {
	switch field {
	case "", "title", "text":
		return query.KindText
	}
	if _, ok := d.keywords[field]; ok {
		return query.KindKeyword
	}
	if _, ok := d.numbers[field]; ok {
		return query.KindNumber
	}
	return query.KindUnknown
}

// Positions implements query.Doc.
func (d *tokDoc) Positions(field, word string, prefix bool) []int {
	if !prefix && field == "" {
		return d.pos[word]
	}
	var out []int
	add := func(ps []int) {
		for _, p := range ps {
			switch {
			case field == "title" && p >= d.titleEnd:
				continue
			case field == "text" && p < d.titleEnd:
				continue
			}
			out = append(out, int(p))
		}
	}
	if !prefix {
		add(d.pos[word])
		return out
	}
	if d.vocab == nil {
		d.vocab = make([]string, 0, len(d.pos))
		for k := range d.pos {
			d.vocab = append(d.vocab, k)
		}
		sort.Strings(d.vocab)
	}
	for i := sort.SearchStrings(d.vocab, word); i < len(d.vocab) && strings.HasPrefix(d.vocab[i], word); i++ {
		add(d.pos[d.vocab[i]])
	}
	sort.Ints(out)
	return out
}

// Keywords implements query.Doc.
func (d *tokDoc) Keywords(field string) []string { return d.keywords[field] }

// Number implements query.Doc.
func (d *tokDoc) Number(field string) (float64, bool) {
	v, ok := d.numbers[field]
	return v, ok
}

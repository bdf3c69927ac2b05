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
	// title and text as analysed, for WrittenAs; marked (0 not decided
	// yet, 1 yes, -1 no) says whether the article is written with
	// diacritics.
	parts  [2]spellPart
	marked int8
}

// spellPart is the title or the text of a tokDoc as written.
type spellPart struct {
	text  string
	terms []textnorm.Term
	base  int // position of its first token in the tokDoc
}

const textGap = query.MaxNear + 1

// newTokDoc analyses title and text as the search index does
// (textnorm.Analyze, and textnorm.Stems for English), so that a topic rule
// matches what a search with the same query finds.
func newTokDoc(title, text string, english bool) *tokDoc {
	tt, bt := textnorm.Analyze(title), textnorm.Analyze(text)
	d := &tokDoc{pos: make(map[string][]int, (len(tt)+len(bt))/2+1), keywords: map[string][]string{}, numbers: map[string]float64{}}
	for _, t := range tt {
		d.titleEnd = max(d.titleEnd, t.Pos+1)
	}
	add := func(terms []textnorm.Term, prefix string, base int) {
		for _, t := range terms {
			k := prefix + t.Text
			d.pos[k] = append(d.pos[k], base+t.Pos)
		}
	}
	add(tt, "", 0)
	add(bt, "", d.titleEnd+textGap)
	d.parts = [2]spellPart{{text: title, terms: tt}, {text: text, terms: bt, base: d.titleEnd + textGap}}
	if english {
		add(textnorm.Stems(title, tt), textnorm.StemPrefix, 0)
		add(textnorm.Stems(text, bt), textnorm.StemPrefix, d.titleEnd+textGap)
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

// WrittenAs implements query.SpelledDoc: when the article (title and text
// together) is written with diacritics (textnorm.WrittenWithMarks, as the
// index decides it), a rule word with diacritics matches only as written;
// otherwise, and in the title field, folded.
func (d *tokDoc) WrittenAs(field string, pos int, spelling string) bool {
	if field == "title" {
		return true
	}
	if d.marked == 0 {
		l1, m1 := textnorm.CountMarked(d.parts[0].text)
		l2, m2 := textnorm.CountMarked(d.parts[1].text)
		d.marked = -1
		if textnorm.WrittenWithMarks(l1+l2, m1+m2) {
			d.marked = 1
		}
	}
	if d.marked < 0 {
		return true
	}
	part := &d.parts[0]
	if pos >= d.titleEnd {
		part = &d.parts[1]
	}
	p := pos - part.base
	terms := part.terms
	for i := sort.Search(len(terms), func(i int) bool { return terms[i].Pos >= p }); i < len(terms) && terms[i].Pos == p; i++ {
		if terms[i].Kind == textnorm.Word {
			return textnorm.Spelling(part.text[terms[i].Start:terms[i].End]) == spelling
		}
	}
	return true // not a word (CJK): nothing to compare
}

// Keywords implements query.Doc.
func (d *tokDoc) Keywords(field string) []string { return d.keywords[field] }

// Number implements query.Doc.
func (d *tokDoc) Number(field string) (float64, bool) {
	v, ok := d.numbers[field]
	return v, ok
}

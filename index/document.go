package index

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm"
)

// Documents are built here rather than by the mapping from a map (issue 15:
// the indexer was the pipeline's bottleneck). The text fields (text, title,
// text_spell, text_en) are the costly part: given as strings, Bleve would run
// textnorm.Analyze once per field — three times on the same text for a
// Vietnamese or English article — and turn every term into a Bleve token
// (two allocations each) before counting them. Here the text is analysed
// once per article, and each field's term frequencies are counted straight
// from textnorm's terms. The small fields (keywords, dates, numbers, stored
// values) still go through the mapping, which knows their encoding.
//
// The result is the document the mapping makes from the same article with
// the text fields as strings, term for term (TestBuildDocMatchesMapping),
// except that term vectors keep positions only: the byte offsets of the
// terms are left at zero (mapping version 7). Nothing reads them — phrases,
// NEAR and the bitmap path read positions, and snippets are cut by
// analysing the stored body again (highlight.go) — and they were a tenth
// of the index's bytes.

// textFieldNames are the fields buildDoc analyses itself (text_pair from
// text's terms: pairs.go).
var textFieldNames = []string{fText, fTitle, fSpell, fTextEN, fPair}

// docBuilder builds Bleve documents for one mapping.
type docBuilder struct {
	im *mapping.IndexMappingImpl
	// opts are the indexing options of each text field, from the mapping.
	opts map[string]bindex.FieldIndexingOptions
}

func newDocBuilder(im *mapping.IndexMappingImpl) (*docBuilder, error) {
	b := &docBuilder{im: im, opts: map[string]bindex.FieldIndexingOptions{}}
	for _, name := range textFieldNames {
		fm := im.DefaultMapping.Properties[name]
		if fm == nil || len(fm.Fields) != 1 {
			return nil, fmt.Errorf("index mapping: text field %q missing", name)
		}
		b.opts[name] = fm.Fields[0].Options()
	}
	return b, nil
}

// build turns an article into its Bleve document.
func (b *docBuilder) build(a *article.Article) (*document.Document, error) {
	d, parts := docFields(a)
	doc := document.NewDocument(a.ID)
	if err := b.im.MapDocument(doc, d); err != nil {
		return nil, err
	}
	// parts is analysed once, by the first of its fields that Bleve's
	// analysis worker reaches; the others reuse the terms.
	shared := &sharedAnalysis{s: parts}
	doc.AddField(b.textField(fText, parts, shared.fold))
	doc.AddField(b.textField(fPair, parts, shared.pairs))
	doc.AddField(b.textField(fTitle, a.Title, func() []textnorm.Term { return textnorm.Analyze(a.Title) }))
	if d[fWritten] == writtenMarked {
		doc.AddField(b.textField(fSpell, parts, shared.spell))
	}
	if f := langField(d[fLang].(string)); f == fTextEN {
		doc.AddField(b.textField(f, parts, shared.stems))
	}
	return doc, nil
}

// sharedAnalysis is one analysis of a document's text that its text fields
// share. Bleve analyses the fields of one document on one goroutine, but the
// Once keeps it right whatever the order or the goroutine.
type sharedAnalysis struct {
	s     string
	once  sync.Once
	terms []textnorm.Term
}

func (sa *sharedAnalysis) fold() []textnorm.Term {
	sa.once.Do(func() { sa.terms = textnorm.Analyze(sa.s) })
	return sa.terms
}

// spell are the text's terms with the words that carry a diacritic as
// written (termsSpell).
func (sa *sharedAnalysis) spell() []textnorm.Term {
	terms := sa.fold()
	out := make([]textnorm.Term, len(terms))
	copy(out, terms)
	for i, t := range out {
		if t.Kind == textnorm.Word {
			if sp := textnorm.Spelling(sa.s[t.Start:t.End]); sp != "" {
				out[i].Text = sp
			}
		}
	}
	return out
}

// pairs are the text's pairs of common words (pairTerms).
func (sa *sharedAnalysis) pairs() []textnorm.Term { return pairTerms(sa.fold()) }

// stems are the English stems of the text's words (termsStem).
func (sa *sharedAnalysis) stems() []textnorm.Term { return textnorm.Stems(sa.s, sa.fold()) }

// textField is an analysed text field whose terms come from textnorm.
func (b *docBuilder) textField(name, value string, terms func() []textnorm.Term) *termsField {
	return &termsField{name: name, value: value, opts: b.opts[name], terms: terms}
}

// termsField implements Bleve's document.Field for a text field analysed by
// textnorm: Analyze counts the terms' frequencies (and, with term vectors,
// their locations) as Bleve's analysis.TokenFrequency does for the tokens
// of the mapping's analyzers, without making tokens first.
type termsField struct {
	name   string
	value  string
	opts   bindex.FieldIndexingOptions
	terms  func() []textnorm.Term
	length int
	freqs  bindex.TokenFrequencies
}

var termsFieldSize = int(reflect.TypeFor[termsField]().Size())

func (f *termsField) Name() string                                      { return f.name }
func (f *termsField) ArrayPositions() []uint64                          { return nil }
func (f *termsField) Options() bindex.FieldIndexingOptions              { return f.opts }
func (f *termsField) Value() []byte                                     { return []byte(f.value) }
func (f *termsField) NumPlainTextBytes() uint64                         { return uint64(len(f.value)) }
func (f *termsField) EncodedFieldType() byte                            { return 't' }
func (f *termsField) AnalyzedLength() int                               { return f.length }
func (f *termsField) AnalyzedTokenFrequencies() bindex.TokenFrequencies { return f.freqs }
func (f *termsField) Size() int                                         { return termsFieldSize + len(f.value) }

// Analyze implements document.Field.
func (f *termsField) Analyze() {
	terms := f.terms()
	f.length = len(terms)
	f.freqs = tokenFrequencies(terms, f.opts)
}

// tokenFrequencies counts terms as analysis.TokenFrequency counts tokens:
// one entry per distinct term, its frequency unless the field skips it,
// and with term vectors every location, positions counted from 1, without
// byte offsets. It allocates in blocks (the entries, the terms' bytes, the
// locations and one slice of location pointers cut per term by a first
// count), because the allocations per term were the largest share of the
// indexer's garbage.
func tokenFrequencies(terms []textnorm.Term, opts bindex.FieldIndexingOptions) bindex.TokenFrequencies {
	rv := make(bindex.TokenFrequencies, len(terms)/2+1)
	vectors, freq := opts.IncludeTermVectors(), !opts.SkipFreqNorm()
	var (
		entries []bindex.TokenFreq
		text    []byte
		owner   []*bindex.TokenFreq // each term's entry, for the locations
		counts  map[*bindex.TokenFreq]int
	)
	if vectors {
		owner = make([]*bindex.TokenFreq, len(terms))
		if !freq {
			counts = make(map[*bindex.TokenFreq]int, len(terms)/2+1)
		}
	}
	for i, t := range terms {
		tf, ok := rv[t.Text]
		if !ok {
			if len(entries) == cap(entries) {
				entries = make([]bindex.TokenFreq, 0, min(max(len(terms)-i, 1), 256))
			}
			if len(text)+len(t.Text) > cap(text) {
				text = make([]byte, 0, max(len(t.Text), 4096))
			}
			start := len(text)
			text = append(text, t.Text...)
			entries = append(entries, bindex.TokenFreq{Term: text[start:len(text):len(text)]})
			tf = &entries[len(entries)-1]
			rv[t.Text] = tf
		}
		if freq {
			tf.SetFrequency(tf.Frequency() + 1)
		}
		if vectors {
			owner[i] = tf
			if counts != nil {
				counts[tf]++
			}
		}
	}
	if !vectors {
		return rv
	}
	// Every entry's locations are a slice of one array of pointers, sized by
	// its count, so appending never reallocates.
	locs := make([]bindex.TokenLocation, len(terms))
	ptrs := make([]*bindex.TokenLocation, len(terms))
	next := 0
	for i, t := range terms {
		tf := owner[i]
		if tf.Locations == nil {
			n := tf.Frequency()
			if counts != nil {
				n = counts[tf]
			}
			tf.Locations = ptrs[next : next : next+n]
			next += n
		}
		locs[i] = bindex.TokenLocation{Position: t.Pos + 1}
		tf.Locations = append(tf.Locations, &locs[i])
	}
	return rv
}

var _ document.Field = (*termsField)(nil)

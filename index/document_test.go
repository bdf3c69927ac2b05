package index

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/dongnai/presswatch/article"
)

// mappedDoc is the document Bleve's mapping makes from the article given as
// a map with the text fields as strings (how IndexArticles built documents
// before docBuilder).
func mappedDoc(t *testing.T, b *docBuilder, a *article.Article) *document.Document {
	t.Helper()
	d, parts := docFields(a)
	d[fText] = parts
	d[fPair] = parts
	d[fTitle] = a.Title
	if f := langField(d[fLang].(string)); f != "" {
		d[f] = parts
	}
	if d[fWritten] == writtenMarked {
		d[fSpell] = parts
	}
	doc := document.NewDocument(a.ID)
	if err := b.im.MapDocument(doc, d); err != nil {
		t.Fatal(err)
	}
	return doc
}

// fieldSummary is everything of an analysed field that reaches the segment.
type fieldSummary struct {
	opts   bindex.FieldIndexingOptions
	typ    byte
	value  string
	arrays int
	length int
	freqs  map[string]string
}

// summarise analyses doc's fields and sums them up; zeroOffsets sums the
// term vectors up as if their byte offsets were zero (docBuilder's).
func summarise(doc *document.Document, zeroOffsets bool) map[string][]fieldSummary {
	out := map[string][]fieldSummary{}
	doc.VisitFields(func(f bindex.Field) {
		if f.Options().IsIndexed() {
			f.Analyze()
		}
		s := fieldSummary{opts: f.Options(), typ: f.EncodedFieldType(), value: string(f.Value()),
			arrays: len(f.ArrayPositions()), length: f.AnalyzedLength(), freqs: map[string]string{}}
		for term, tf := range f.AnalyzedTokenFrequencies() {
			v := fmt.Sprintf("term=%q freq=%d", tf.Term, tf.Frequency())
			for _, l := range tf.Locations {
				start, end := l.Start, l.End
				if zeroOffsets {
					start, end = 0, 0
				}
				v += fmt.Sprintf(" %d:%d-%d/%d", l.Position, start, end, len(l.ArrayPositions))
			}
			s.freqs[term] = v
		}
		out[f.Name()] = append(out[f.Name()], s)
	})
	return out
}

// TestBuildDocMatchesMapping holds docBuilder to what Bleve's mapping makes
// of the same article with the text fields given as strings and analysed by
// the registered analyzers: the same fields, options, stored values,
// lengths, terms, frequencies and positions; the term vectors' byte
// offsets are zero (mapping version 7).
func TestBuildDocMatchesMapping(t *testing.T) {
	im, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	b, err := newDocBuilder(im)
	if err != nil {
		t.Fatal(err)
	}
	arts := genArticles(60)
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	arts = append(arts,
		&article.Article{ID: "empty", Lang: "vi", Collected: at},
		&article.Article{ID: "summary", Lang: "EN", Title: "Floods hit Đồng Nai", Summary: "Flooded roads, protesters", Text: "The floods. Protests continued", Published: at},
		&article.Article{ID: "vi", Lang: "vi", Title: "Đồng Nai: Hoà và Hòa", Summary: "ĐỒNG NAI", Text: "ﾄﾞﾝﾅｲ tỉnh Đồng Nai, Ð và đ", Published: at},
		&article.Article{ID: "cjk", Lang: "ko", Title: "동 나이 同奈省", Text: "ドン・ナイ 활동 나이", Published: at,
			Classification: &article.Classification{Topics: []string{"a", "b"}, Risk: 40, Tone: "Negative"}},
	)
	for _, a := range arts {
		want := summarise(mappedDoc(t, b, a), true)
		got, err := b.build(a)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID() != a.ID {
			t.Fatalf("%s: document ID %q", a.ID, got.ID())
		}
		gs := summarise(got, false)
		names := func(m map[string][]fieldSummary) []string {
			var n []string
			for k := range m {
				n = append(n, k)
			}
			slices.Sort(n)
			return n
		}
		if !slices.Equal(names(gs), names(want)) {
			t.Fatalf("%s: fields %v, mapping makes %v", a.ID, names(gs), names(want))
		}
		for name, ws := range want {
			g := gs[name]
			if len(g) != len(ws) {
				t.Fatalf("%s %s: %d fields, mapping makes %d", a.ID, name, len(g), len(ws))
			}
			for i := range ws {
				w, g := ws[i], g[i]
				if g.opts != w.opts || g.typ != w.typ || g.value != w.value || g.arrays != w.arrays || g.length != w.length {
					t.Errorf("%s %s: opts %v type %c value %.40q arrays %d length %d; mapping: %v %c %.40q %d %d",
						a.ID, name, g.opts, g.typ, g.value, g.arrays, g.length, w.opts, w.typ, w.value, w.arrays, w.length)
				}
				if len(g.freqs) != len(w.freqs) {
					t.Errorf("%s %s: %d terms, mapping makes %d", a.ID, name, len(g.freqs), len(w.freqs))
				}
				for term, wv := range w.freqs {
					if gv := g.freqs[term]; gv != wv {
						t.Errorf("%s %s: %.200s\nmapping: %.200s", a.ID, name, gv, wv)
					}
				}
			}
		}
	}
}

// TestTokenFrequenciesMatchBleve holds tokenFrequencies to Bleve's
// analysis.TokenFrequency on the same terms for every combination of term
// vectors and frequencies (offsets aside: tokenFrequencies keeps none).
func TestTokenFrequenciesMatchBleve(t *testing.T) {
	texts := []string{"", "a", "the cat and the hat and the cat", "Đồng Nai đồng nai DONG", "同奈省 동나이 ドン・ナイ 同奈"}
	for _, a := range genArticles(5) {
		texts = append(texts, a.Text)
	}
	for _, opts := range []bindex.FieldIndexingOptions{
		bindex.IndexField,
		bindex.IndexField | bindex.IncludeTermVectors,
		bindex.IndexField | bindex.SkipFreqNorm,
		bindex.IndexField | bindex.IncludeTermVectors | bindex.SkipFreqNorm,
	} {
		for _, s := range texts {
			terms := termsFold(s)
			got := tokenFrequencies(terms, opts)
			want := analysis.TokenFrequency(analysisTokenizer(termsFold).Tokenize([]byte(s)), nil, opts)
			if len(got) != len(want) {
				t.Fatalf("%v %.30q: %d terms, Bleve %d", opts, s, len(got), len(want))
			}
			for term, w := range want {
				g := got[term]
				if g == nil || string(g.Term) != string(w.Term) || g.Frequency() != w.Frequency() || len(g.Locations) != len(w.Locations) {
					t.Fatalf("%v %.30q: term %q: got %+v, Bleve %+v", opts, s, term, g, w)
				}
				for i, wl := range w.Locations {
					if gl := g.Locations[i]; gl.Position != wl.Position || gl.Start != 0 || gl.End != 0 || len(gl.ArrayPositions) != 0 {
						t.Fatalf("%v %.30q: term %q location %d: got %+v, Bleve %+v", opts, s, term, i, *gl, *wl)
					}
				}
			}
		}
	}
}

package index

import (
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm"
)

// MappingVersion is the version of the index mapping built by this code. An
// index written with another version is rebuilt when it is opened. Raise it
// whenever the mapping, the analysis (internal/textnorm, its CJK names) or
// the way documents are built changes.
//
// 5: one analysis with the rule evaluator (textnorm.Analyze): NFKC width
// normalisation, CJK bigrams and unigrams, middle dots and known names
// joined, text_en holds textnorm's stems; text_cjk and text_vi_fold dropped.
// 6: 5 together with the relevance keyword field and sortable risk (the
// search page's "about the province" scope and sort by risk).
// 7: term vectors without byte offsets (positions only: nothing read the
// offsets, and they were a tenth of the index); documents built by
// docBuilder, the text analysed once per article.
// 8: text_vi (Vietnamese words as written, a ranking boost) replaced by
// text_spell (documents written with diacritics, as spelled, with positions)
// and the written keyword: words with diacritics decide matches.
// 9: 36 more CJK names joined (the Korean 롱타인 spellings of Long Thành and
// its airport, katakana names of other provinces).
// 10: the Japanese ロンタン spellings of Long Thành airport joined.
// 11: text_pair, the pairs of common words side by side (pairs.go).
// 12: invisible format characters (soft hyphen, zero-width joiners, …)
// dropped inside words and the zero-width space read as a word break
// (textnorm.invisibleInWord), so "H\u00adòa" and "Đồng\u200bNai" are found;
// the day facet counts Vietnam days, not UTC days.
const MappingVersion = 12

// Analyzer and tokenizer names registered with Bleve.
const (
	foldTokenizerName  = "pw_fold"  // textnorm.Analyze terms; offsets into the original
	spellTokenizerName = "pw_spell" // textnorm.Analyze terms, words with diacritics as written (textnorm.Spelling)
	stemTokenizerName  = "pw_stem"  // textnorm.Stems of the words
	pairTokenizerName  = "pw_pair"  // pairs of common words side by side (pairTerms)
	analyzerFold       = "pw_fold"  // language-neutral: the fold tokenizer alone
	analyzerSpell      = "pw_spell" // the spell tokenizer alone
	analyzerEN         = "pw_en"    // English stems
	analyzerPair       = "pw_pair"  // the pair tokenizer alone
)

// Index field names.
const (
	fText      = "text"       // language-neutral folded: title, summary, text
	fTitle     = "title"      // folded title, stored original
	fBody      = "body"       // stored only: the original text snippets come from
	fSpell     = "text_spell" // documents written with diacritics: text as spelled (textnorm.Spelling)
	fWritten   = "written"    // "marked" (written with diacritics: fSpell holds the text) or "plain"
	fTextEN    = "text_en"    // English documents, stemmed
	fPair      = "text_pair"  // text's common words side by side, one term a pair (pairs.go)
	fURL       = "url"
	fSource    = "source"
	fOutlet    = "outlet"      // as written, for facets and hits
	fOutletF   = "outlet_fold" // folded, for outlet:value
	fCountry   = "country"
	fLang      = "lang"
	fTopics    = "topics"
	fEntities  = "entities"
	fTone      = "tone"
	fReview    = "needs_review"
	fCluster   = "cluster"
	fRisk      = "risk"
	fRelevance = "relevance" // the classifier's class: about, mentions, none
	fPublished = "published" // Published, or Collected when unknown
	fCollected = "collected"
	fSample    = "sample" // hash(ID) mod sampleBuckets, for sampled facets
	fFacets    = "facets" // every facet value as "group:value", the only doc-values field besides published
)

// Values of fWritten.
const (
	writtenMarked = "marked"
	writtenPlain  = "plain"
)

// dayLayout is the layout of the day field.
const dayLayout = "2006-01-02"

func init() {
	// Bleve looks analysis components up by name in its own registry, so they
	// have to be registered once per process; this is Bleve's mechanism, not
	// state of ours.
	_ = registry.RegisterTokenizer(foldTokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return analysisTokenizer(termsFold), nil
	})
	_ = registry.RegisterTokenizer(spellTokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return analysisTokenizer(termsSpell), nil
	})
	_ = registry.RegisterTokenizer(stemTokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return analysisTokenizer(termsStem), nil
	})
	_ = registry.RegisterTokenizer(pairTokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return analysisTokenizer(termsPair), nil
	})
}

// partSep separates the parts of a text field (title, summary, text) given
// as one string; textnorm.Analyze leaves a gap of textnorm.PartGap
// positions there, so that phrases and NEAR never span two parts, as in
// query.Eval.
const partSep = string(textnorm.PartSep)

// analysisTokenizer turns text into Bleve tokens with one of the terms
// functions: the index is analysed by textnorm alone, exactly as the rule
// evaluator analyses an article (TestTokenizersMatchTextnorm holds them
// together).
type analysisTokenizer func(s string) []textnorm.Term

// Tokenize implements analysis.Tokenizer.
func (f analysisTokenizer) Tokenize(input []byte) analysis.TokenStream {
	terms := f(string(input))
	toks := make([]analysis.Token, len(terms))
	out := make(analysis.TokenStream, len(terms))
	for i, t := range terms {
		typ := analysis.AlphaNumeric
		if t.Kind != textnorm.Word {
			typ = analysis.Ideographic
		}
		toks[i] = analysis.Token{Term: []byte(t.Text), Start: t.Start, End: t.End, Position: t.Pos + 1, Type: typ}
		out[i] = &toks[i]
	}
	return out
}

// termsFold are the terms of the text field: textnorm.Analyze.
func termsFold(s string) []textnorm.Term { return textnorm.Analyze(s) }

// termsSpell are the terms of the text field with every word that carries
// a diacritic as written (textnorm.Spelling) instead of folded, at the same
// positions, so that a phrase whose words carry diacritics matches as
// written (query.SpelledDoc).
func termsSpell(s string) []textnorm.Term {
	terms := textnorm.Analyze(s)
	for i, t := range terms {
		if t.Kind == textnorm.Word {
			if sp := textnorm.Spelling(s[t.Start:t.End]); sp != "" {
				terms[i].Text = sp
			}
		}
	}
	return terms
}

// termsStem are the English stems of the words of s.
func termsStem(s string) []textnorm.Term { return textnorm.Stems(s, textnorm.Analyze(s)) }

// newMapping builds the index mapping. Nothing is dynamic, nothing goes to
// _all, term vectors are kept only where phrases and NEAR run, doc values only
// where facets and sorting need them.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	if err := im.AddCustomAnalyzer(analyzerFold, map[string]any{
		"type":      custom.Name,
		"tokenizer": foldTokenizerName,
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(analyzerSpell, map[string]any{
		"type":      custom.Name,
		"tokenizer": spellTokenizerName,
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(analyzerEN, map[string]any{
		"type":      custom.Name,
		"tokenizer": stemTokenizerName,
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(analyzerPair, map[string]any{
		"type":      custom.Name,
		"tokenizer": pairTokenizerName,
	}); err != nil {
		return nil, err
	}
	im.DefaultAnalyzer = analyzerFold
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false

	text := func(analyzer string, store, vectors bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.IncludeTermVectors = vectors
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func(store, docValues bool) *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = docValues
		f.SkipFreqNorm = true
		return f
	}
	stored := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	num := func(store, docValues bool) *mapping.FieldMapping {
		f := mapping.NewNumericFieldMapping()
		f.Store = store
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}
	date := func(store, docValues bool) *mapping.FieldMapping {
		f := mapping.NewDateTimeFieldMapping()
		f.Store = store
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}

	dm := mapping.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fText, text(analyzerFold, false, true))
	dm.AddFieldMappingsAt(fTitle, text(analyzerFold, true, true))
	dm.AddFieldMappingsAt(fBody, stored())
	dm.AddFieldMappingsAt(fSpell, text(analyzerSpell, false, true))
	dm.AddFieldMappingsAt(fWritten, kw(false, false))
	dm.AddFieldMappingsAt(fTextEN, text(analyzerEN, false, false))
	// Pairs only say which documents hold them: no frequencies or norms.
	pair := text(analyzerPair, false, false)
	pair.SkipFreqNorm = true
	dm.AddFieldMappingsAt(fPair, pair)
	dm.AddFieldMappingsAt(fURL, stored())
	dm.AddFieldMappingsAt(fSource, kw(false, false))
	dm.AddFieldMappingsAt(fOutlet, kw(true, false))
	dm.AddFieldMappingsAt(fOutletF, kw(false, false))
	dm.AddFieldMappingsAt(fCountry, kw(true, false))
	dm.AddFieldMappingsAt(fLang, kw(true, false))
	dm.AddFieldMappingsAt(fTopics, kw(true, false))
	dm.AddFieldMappingsAt(fEntities, kw(false, false))
	dm.AddFieldMappingsAt(fTone, kw(true, false))
	dm.AddFieldMappingsAt(fReview, kw(true, false))
	dm.AddFieldMappingsAt(fCluster, kw(true, false))
	dm.AddFieldMappingsAt(fRisk, num(true, true)) // doc values: sort by risk
	dm.AddFieldMappingsAt(fRelevance, kw(false, false))
	dm.AddFieldMappingsAt(fPublished, date(true, true))
	dm.AddFieldMappingsAt(fCollected, date(false, false))
	dm.AddFieldMappingsAt(fFacets, kw(false, true))
	dm.AddFieldMappingsAt(fSample, kw(false, false))
	// No _all composite field: every query names its fields.
	dm.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
	im.DefaultMapping = dm
	return im, nil
}

// langField returns the language-specific text field for an ISO 639-1 code,
// or "" when the language has none (the neutral field still covers it).
func langField(lang string) string {
	switch lang {
	case "en":
		return fTextEN
	}
	return ""
}

// docFields turns an article into the fields Bleve's mapping indexes, all
// but the text fields (text, title, text_spell, text_en, text_pair: see
// docBuilder), and
// returns the text those analyse: title, summary (when it differs) and
// text, joined by partSep.
func docFields(a *article.Article) (map[string]any, string) {
	body := a.Text
	if body == "" {
		body = a.Summary
	}
	// One string, not an array: Bleve merges the term maps of array values
	// at a high cost; partSep keeps phrases from spanning the parts.
	var pb strings.Builder
	pb.Grow(len(a.Title) + len(a.Summary) + len(a.Text) + 2*len(partSep))
	pb.WriteString(a.Title)
	if a.Summary != "" && a.Summary != a.Text && a.Summary != a.Title {
		pb.WriteString(partSep)
		pb.WriteString(a.Summary)
	}
	if a.Text != "" {
		pb.WriteString(partSep)
		pb.WriteString(a.Text)
	}
	parts := pb.String()
	lang := strings.ToLower(a.Lang)
	pub := a.Published
	if pub.IsZero() {
		pub = a.Collected
	}
	pub = pub.UTC()
	d := map[string]any{
		fBody:      body,
		fURL:       a.URL,
		fLang:      lang,
		fPublished: pub,
	}
	if !a.Collected.IsZero() {
		d[fCollected] = a.Collected.UTC()
	}
	// Written with diacritics or not, decided as query.Document and the
	// classifier decide it (textnorm.CountMarked over the whole text); a
	// document written with them also gets text_spell (docBuilder).
	d[fWritten] = writtenPlain
	if textnorm.WrittenWithMarks(textnorm.CountMarked(parts)) {
		d[fWritten] = writtenMarked
	}
	sources := make([]string, 0, 1+len(a.Sources))
	if a.Source != "" {
		sources = append(sources, a.Source)
	}
	for _, s := range a.Sources {
		if s != "" && s != a.Source {
			sources = append(sources, s)
		}
	}
	if len(sources) > 0 {
		d[fSource] = sources
	}
	if a.Outlet != "" {
		d[fOutlet] = a.Outlet
		d[fOutletF] = textnorm.Fold(a.Outlet)
	}
	if a.Country != "" {
		d[fCountry] = strings.ToUpper(a.Country)
	}
	if c := a.Classification; c != nil {
		if len(c.Topics) > 0 {
			d[fTopics] = c.Topics
		}
		if len(c.Entities) > 0 {
			ents := make([]string, 0, len(c.Entities))
			seen := map[string]bool{}
			for _, e := range c.Entities {
				v := e.Canonical
				if v == "" {
					v = e.Text
				}
				v = textnorm.Fold(v)
				if v != "" && !seen[v] {
					seen[v] = true
					ents = append(ents, v)
				}
			}
			d[fEntities] = ents
		}
		if c.Tone != "" {
			d[fTone] = strings.ToLower(c.Tone)
		}
		d[fReview] = boolString(c.NeedsReview)
		if c.Cluster != "" {
			d[fCluster] = c.Cluster
		}
		d[fRisk] = float64(c.Risk)
		d[fRelevance] = c.RelevanceClass()
	}
	d[fFacets] = facetValues(d)
	d[fSample] = sampleOf(a.ID)
	return d, parts
}

// sampleBuckets splits the articles into this many uniform buckets by ID;
// bucket "0" is the facet sample.
const sampleBuckets = 16

func sampleOf(id string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return strconv.Itoa(int(h.Sum32() % sampleBuckets))
}

func sampleQuery() bq.Query {
	q := bq.NewTermQuery("0")
	q.SetField(fSample)
	return q
}

// Facet groups: Result.Facets names, and the histogram's.
const (
	facetTopic   = "topic"
	facetLang    = "lang"
	facetCountry = "country"
	facetOutlet  = "outlet"
	facetTone    = "tone"
	facetReview  = "needs_review"
	facetRel     = "relevance"
	facetDay     = "day"
)

// facetCodes are the one-letter prefixes the facets field stores for each
// group: short values make the doc-values chunks a search decodes smaller.
var facetCodes = map[string]string{
	facetTopic: "t", facetLang: "l", facetCountry: "c", facetOutlet: "o",
	facetTone: "n", facetReview: "r", facetDay: "d", facetRel: "a",
}

// facetValues lists a document's facet values as "group:value". One
// multi-valued doc-values field costs a search one doc-values visit per hit
// instead of one per facet, which is most of the cost of faceting.
func facetValues(d map[string]any) []string {
	out := make([]string, 0, 10)
	add := func(group string, v any) {
		group = facetCodes[group]
		switch v := v.(type) {
		case string:
			if v != "" {
				out = append(out, group+":"+v)
			}
		case []string:
			for _, x := range v {
				if x != "" {
					out = append(out, group+":"+x)
				}
			}
		}
	}
	add(facetTopic, d[fTopics])
	add(facetLang, d[fLang])
	add(facetCountry, d[fCountry])
	add(facetOutlet, d[fOutlet])
	add(facetTone, d[fTone])
	add(facetReview, d[fReview])
	add(facetRel, d[fRelevance])
	if t, ok := d[fPublished].(time.Time); ok {
		// The Vietnam day, as every page shows dates: by UTC days the
		// dashboard put the articles of 00:00–07:00 under the day before,
		// and its bar led to an empty search (an outside reading).
		add(facetDay, t.In(vietnam).Format(dayLayout))
	}
	return out
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// storedFields are the fields a hit list loads.
var hitFields = []string{fTitle, fURL, fOutlet, fCountry, fLang, fTone, fCluster, fPublished, fRisk, fReview, fTopics}

// timeOrZero converts a stored date value.
func timeOrZero(v any) time.Time {
	switch v := v.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		if err == nil {
			return t.UTC()
		}
	case time.Time:
		return v.UTC()
	}
	return time.Time{}
}

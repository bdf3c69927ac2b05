package index

import (
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm"
)

// MappingVersion is the version of the index mapping built by this code. An
// index written with another version is rebuilt when it is opened. Raise it
// whenever the mapping or the way documents are built changes.
const MappingVersion = 5

// Analyzer and tokenizer names registered with Bleve.
const (
	foldTokenizerName = "pw_fold"        // textnorm words, folded; offsets into the original
	wordTokenizerName = "pw_words"       // the same words, as written
	analyzerFold      = "pw_fold"        // language-neutral: the fold tokenizer alone
	analyzerVI        = "pw_vi"          // words, lower case, diacritics kept
	analyzerEN        = "pw_en"          // words, possessive, lower case, English stop words, Porter stemmer
	analyzerCJK       = cjk.AnalyzerName // unicode, width, lower case, CJK bigrams
)

// Index field names.
const (
	fText      = "text"    // language-neutral folded: title, summary, text
	fTitle     = "title"   // folded title, stored original
	fBody      = "body"    // stored only: the original text snippets come from
	fTextVI    = "text_vi" // Vietnamese documents, diacritics kept
	fTextVIF   = "text_vi_fold"
	fTextEN    = "text_en"  // English documents, stemmed
	fTextCJK   = "text_cjk" // Chinese, Japanese and Korean documents, bigrams
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

// dayLayout is the layout of the day field.
const dayLayout = "2006-01-02"

func init() {
	// Bleve looks analysis components up by name in its own registry, so they
	// have to be registered once per process; this is Bleve's mechanism, not
	// state of ours. Each constructed tokenizer or filter owns its own cache.
	_ = registry.RegisterTokenizer(foldTokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return &foldTokenizer{cache: newFoldCache()}, nil
	})
	_ = registry.RegisterTokenizer(wordTokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return wordTokenizer{}, nil
	})
}

// foldCacheMax bounds a fold cache; past it, words are folded without caching.
const foldCacheMax = 1 << 18

// foldCache memoises textnorm.Fold of single words: words repeat a lot, and
// folding a non-ASCII Latin letter is costly.
type foldCache struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func newFoldCache() *foldCache { return &foldCache{m: make(map[string][]byte, 4096)} }

// fold returns textnorm.Fold(word) as bytes the caller must not modify.
func (c *foldCache) fold(word []byte) []byte {
	c.mu.RLock()
	f, ok := c.m[string(word)]
	c.mu.RUnlock()
	if ok {
		return f
	}
	f = []byte(textnorm.Fold(string(word)))
	c.mu.Lock()
	if len(c.m) < foldCacheMax {
		c.m[string(word)] = f
	}
	c.mu.Unlock()
	return f
}

// partSep separates the parts of a text field (title, summary, text) given
// as one string; the tokenizers leave a gap of positions there so that
// phrases and NEAR never span two parts, as in query.Eval.
const (
	partSep = "\u2029" // PARAGRAPH SEPARATOR
	partGap = 1000 + 1
)

// splitWords calls emit for every word of input by textnorm.Tokens' rule:
// maximal runs of letters, digits and marks, and one token per CJK
// character. Invalid UTF-8 separates words, as textnorm.Fold turns it into a
// space. At each partSep it calls gap.
func splitWords(input []byte, emit func(start, end int, cjk bool), gap func()) {
	start := -1
	for i := 0; i < len(input); {
		c := input[i]
		if c < utf8.RuneSelf {
			if ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z') {
				if start < 0 {
					start = i
				}
			} else if start >= 0 {
				emit(start, i, false)
				start = -1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(input[i:])
		switch {
		case r == utf8.RuneError || r == '\u2029':
			if start >= 0 {
				emit(start, i, false)
				start = -1
			}
			if r == '\u2029' {
				gap()
			}
		case textnorm.IsCJK(r):
			if start >= 0 {
				emit(start, i, false)
				start = -1
			}
			emit(i, i+size, true)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				emit(start, i, false)
				start = -1
			}
		}
		i += size
	}
	if start >= 0 {
		emit(start, len(input), false)
	}
}

// tokenize splits input with splitWords and maps each word's bytes with
// term (nil = the word itself), using one backing array for the tokens.
func tokenize(input []byte, term func([]byte) []byte) analysis.TokenStream {
	toks := make([]analysis.Token, 0, len(input)/5+1)
	pos := 0
	splitWords(input, func(start, end int, cjk bool) {
		typ := analysis.AlphaNumeric
		if cjk {
			typ = analysis.Ideographic
		}
		w := input[start:end]
		if term != nil {
			w = term(w)
		}
		pos++
		toks = append(toks, analysis.Token{Term: w, Start: start, End: end, Position: pos, Type: typ})
	}, func() { pos += partGap })
	out := make(analysis.TokenStream, len(toks))
	for i := range toks {
		out[i] = &toks[i]
	}
	return out
}

// foldTokenizer splits text exactly as textnorm.Tokens(textnorm.Fold(text))
// does and folds each word with textnorm.Fold, so that search and topic
// rules agree on what a word is (TestFoldTokenizerMatchesTextnorm and
// FuzzFoldTokenizer hold the two together). Splitting before folding gives
// offsets into the original text for free and lets repeated words be folded
// once. Folding maps runes one to one apart from dropping combining marks and
// mapping odd spaces and invalid bytes to spaces, none of which moves a word
// boundary.
type foldTokenizer struct{ cache *foldCache }

func (t *foldTokenizer) Tokenize(input []byte) analysis.TokenStream {
	return tokenize(input, func(w []byte) []byte {
		for _, c := range w {
			if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
				return t.cache.fold(w)
			}
		}
		return w
	})
}

// wordTokenizer splits text like foldTokenizer but keeps the words as
// written, for analyzers that lower-case, stem or keep diacritics.
type wordTokenizer struct{}

func (wordTokenizer) Tokenize(input []byte) analysis.TokenStream { return tokenize(input, nil) }

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
	if err := im.AddCustomAnalyzer(analyzerVI, map[string]any{
		"type":          custom.Name,
		"tokenizer":     wordTokenizerName,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(analyzerEN, map[string]any{
		"type":          custom.Name,
		"tokenizer":     wordTokenizerName,
		"token_filters": []string{en.PossessiveName, lowercase.Name, en.StopName, porter.Name},
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
	// The Vietnamese diacritic-folded sub-field: the same words as text_vi,
	// folded with textnorm.Fold (the fold analyzer is exactly that).
	viFold := text(analyzerFold, false, false)
	viFold.Name = fTextVIF
	dm.AddFieldMappingsAt(fTextVI, text(analyzerVI, false, false), viFold)
	dm.AddFieldMappingsAt(fTextEN, text(analyzerEN, false, false))
	dm.AddFieldMappingsAt(fTextCJK, text(analyzerCJK, false, false))
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
	case "vi":
		return fTextVI
	case "en":
		return fTextEN
	case "zh", "ja", "ko":
		return fTextCJK
	}
	return ""
}

// docOf turns an article into the document Bleve indexes.
func docOf(a *article.Article) map[string]any {
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
		fText:      parts,
		fTitle:     a.Title,
		fBody:      body,
		fURL:       a.URL,
		fLang:      lang,
		fPublished: pub,
	}
	if !a.Collected.IsZero() {
		d[fCollected] = a.Collected.UTC()
	}
	if f := langField(lang); f != "" {
		d[f] = parts
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
	return d
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
		add(facetDay, t.Format(dayLayout))
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

package index

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"github.com/dongnai/presswatch/query"
)

// Paging limits.
const (
	DefaultSize = 20
	// MaxSize is the largest page Search returns.
	MaxSize = 500
	// MaxFrom is the deepest offset Search pages to; use Export beyond it.
	MaxFrom = 10_000
	// exportPage is the page size Export reads with.
	exportPage = 500
)

// Sort orders accepted in Request.Sort.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortOldest    = "oldest"
	// SortRisk orders by the classifier's risk, highest first, then newest.
	SortRisk = "risk"
)

// Date bases: which time Since and Until bound.
const (
	// DatePublished is the publication time (the collection time when the
	// article gives none): what a reader means by "articles of last week".
	DatePublished = "published"
	// DateCollected is the time presswatch first collected the article: the
	// basis of the reports (digest), so that a report's figures can be
	// reproduced in search.
	DateCollected = "collected"
)

// ErrBadRequest marks a request the caller got wrong (bad filter, sort or
// paging); a bad query is a *query.SyntaxError instead.
var ErrBadRequest = errors.New("bad search request")

// Request is one search.
type Request struct {
	// Query is in the query language of package query; empty matches every article.
	Query string
	// Filters restrict keyword fields: field → values (any of them); fields are
	// ANDed. Keys: lang, country, outlet, topic, tone, needs_review, relevance, source,
	// entity, cluster.
	Filters map[string][]string
	// Since and Until bound the publication time (Until exclusive); zero = open.
	Since, Until time.Time
	// DateBasis is the time Since and Until bound: DatePublished (default,
	// "") or DateCollected (the reports' basis).
	DateBasis string
	// Sort is "relevance" (default), "newest", "oldest" or "risk".
	Sort string
	// From and Size page through the hits (Size 0 = DefaultSize).
	From, Size int
	// Facets asks for facet counts and the daily histogram.
	Facets bool
	// Highlight asks for snippets of the original text with the matches marked.
	Highlight bool
	// SameWord lists groups of spellings — words or phrases of Query, as
	// written there — that rank as one word: each group's words are weighted
	// with the rarity of its commonest term, and a spelling's terms share
	// one word's weight. A group's first spelling may also stand in Query as
	// separate bare words (the words as typed). The search page's place
	// expansion sends what was typed and each other name of the place as a
	// group, so that an article naming the province in Japanese (three
	// bigram terms, rare in a mostly Vietnamese index) ranks neither above
	// nor below one naming it in the words typed. Matching is unchanged.
	// Only the bitmap path ranks by it (not prefixes or comparisons).
	SameWord [][]string
}

// Result is one page of hits with totals and facets.
type Result struct {
	Total     uint64
	Hits      []Hit
	Facets    map[string][]FacetCount // topic, lang, country, outlet, tone, needs_review
	Histogram []DateCount             // matching articles per published day (Vietnam days: Day is its midnight in Vietnam), ascending
	// FacetsSampled reports that the result was too large to count facets
	// exactly: Facets and Histogram are estimates from a 1/16 sample of the
	// matching articles, scaled up (show them as approximate). Total is exact.
	FacetsSampled bool
	Took          time.Duration
}

// Hit is one matching article as the hit list shows it.
type Hit struct {
	ID          string
	Score       float64
	Title       string
	URL         string
	Outlet      string
	Country     string
	Lang        string
	Tone        string
	Cluster     string
	Published   time.Time // publication time (UTC), or collection time when unknown
	Risk        int
	NeedsReview bool
	Topics      []string
	// Snippets are fragments of the original text, HTML-escaped, with the
	// matches wrapped in <mark>.
	Snippets []template.HTML
}

// FacetCount is one value of a facet and how many matching articles have it.
type FacetCount struct {
	Term  string
	Count int
}

// DateCount is the number of matching articles published on Day (UTC midnight).
type DateCount struct {
	Day   time.Time
	Count int
}

// facetSizes are the facet groups of Result.Facets and how many values of
// each are returned (the most frequent first).
var facetSizes = map[string]int{
	facetTopic: 30, facetLang: 20, facetCountry: 30, facetOutlet: 30, facetTone: 5, facetReview: 2, facetRel: 3,
}

// facetGroups maps the facets field's codes back to group names.
var facetGroups = func() map[string]string {
	m := make(map[string]string, len(facetCodes))
	for g, c := range facetCodes {
		m[c] = g
	}
	return m
}()

// DefaultExactFacetMax is the largest estimated result whose facets are
// counted exactly; larger results get sampled facets (Result.FacetsSampled).
const DefaultExactFacetMax = 50_000

// facetTermsMax bounds the distinct facet values counted per search; it
// covers every outlet, country, topic and more than two years of days.
const facetTermsMax = 20000

// histogramDays bounds the daily histogram (the most recent days are kept).
const histogramDays = 800

// compiled is a request translated for Bleve.
type compiled struct {
	q      bq.Query
	fast   *fastPlan // nil when the bitmap path cannot answer it
	terms  []hlTerm
	sort   []string
	phrase []string // bare words whose phrase ranks first (relevance only)
}

func (ix *Index) compile(r Request) (*compiled, error) {
	c := &compiled{}
	var (
		parts []bq.Query
		n     query.Node
	)
	if strings.TrimSpace(r.Query) != "" {
		var err error
		n, err = query.Parse(r.Query)
		if err != nil {
			return nil, err
		}
		t := &translator{src: r.Query, dict: ix.prefixTerms}
		q, err := t.node(n)
		if err != nil {
			return nil, err
		}
		if words := bareWords(n); len(words) > 1 {
			c.phrase = words
		}
		parts = append(parts, q)
		c.terms = t.terms
		if c.phrase != nil {
			// Bare words are highlighted as the phrase where it occurs
			// (see matchSpans), so "Dong Nai" does not mark "động".
			c.terms = append(c.terms, hlTerm{toks: c.phrase})
		}
	}
	keys := make([]string, 0, len(r.Filters))
	for k := range r.Filters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals := r.Filters[k]
		if len(vals) == 0 {
			continue
		}
		kind, f := queryField(k)
		if kind != kindKeyword {
			return nil, fmt.Errorf("%w: cannot filter on %q", ErrBadRequest, k)
		}
		var qs []bq.Query
		for _, v := range vals {
			kq, err := keywordQueries(f, v, false)
			if err != nil {
				return nil, fmt.Errorf("%w: filter %s: %v", ErrBadRequest, k, err)
			}
			qs = append(qs, kq...)
		}
		parts = append(parts, filter(bq.NewDisjunctionQuery(qs)))
	}
	if !r.Since.IsZero() || !r.Until.IsZero() {
		if !r.Since.IsZero() && !r.Until.IsZero() && !r.Until.After(r.Since) {
			// Named as the reader sent them: Vietnam days, until inclusive
			// (it arrives as the start of the next day).
			return nil, fmt.Errorf("%w: until %s is not after since %s", ErrBadRequest,
				r.Until.Add(-time.Nanosecond).In(vietnam).Format(dayLayout), r.Since.In(vietnam).Format(dayLayout))
		}
		yes, no := true, false
		dq := bq.NewDateRangeInclusiveQuery(r.Since.UTC(), r.Until.UTC(), &yes, &no)
		dq.SetField(fPublished)
		if r.DateBasis == DateCollected {
			dq.SetField(fCollected)
		}
		parts = append(parts, filter(dq))
	}
	switch len(parts) {
	case 0:
		c.q = bq.NewMatchAllQuery()
	case 1:
		c.q = parts[0]
	default:
		c.q = bq.NewConjunctionQuery(parts)
	}
	// Ties are broken by document ID, on both paths, so that an order never
	// depends on how the index happens to be split into segments. On
	// Bleve's path the extra key costs an ID lookup per matching article;
	// that path now answers only what the bitmap path cannot (NEAR,
	// prefixes, comparisons) and exports of those.
	switch r.DateBasis {
	case "", DatePublished, DateCollected:
	default:
		return nil, fmt.Errorf("%w: date basis %q is not published or collected", ErrBadRequest, r.DateBasis)
	}
	switch r.Sort {
	case "", SortRelevance:
		c.sort = []string{"-_score", "_id"}
	case SortNewest:
		c.sort = []string{"-" + fPublished, "_id"}
	case SortOldest:
		c.sort = []string{fPublished, "_id"}
	case SortRisk:
		c.sort = []string{"-" + fRisk, "-" + fPublished, "_id"}
	default:
		return nil, fmt.Errorf("%w: sort %q is not relevance, newest, oldest or risk", ErrBadRequest, r.Sort)
	}
	if plan, err := ix.planFast(r, n); err == nil {
		c.fast = plan
	}
	return c, nil
}

// rerankDepth is how many of the best hits a relevance search re-ranks so
// that articles holding a query's bare words as a phrase come first.
// Checking the phrase on every matching article instead (a should clause)
// was measured at 40% of the time of a two-word search.
const rerankDepth = 100

// bareWords returns the folded words of a query that is only bare words of
// spaced scripts (a AND b AND c, no fields, prefixes, operators or CJK),
// else nil.
func bareWords(n query.Node) []string {
	var out []string
	for _, c := range flattenAnd(n, nil) {
		t, ok := c.(*query.Term)
		if !ok || t.Prefix || (t.Field != "" && !strings.EqualFold(t.Field, "text")) {
			return nil
		}
		qt := analyzeQuery(t.Value)
		if !qt.word {
			return nil
		}
		out = append(out, qt.toks[0])
	}
	return out
}

// prefixTerms lists up to max terms of field starting with prefix.
func (ix *Index) prefixTerms(field, prefix string, max int) ([]string, error) {
	d, err := ix.bi.FieldDictPrefix(field, []byte(prefix))
	if err != nil {
		return nil, fmt.Errorf("expand prefix %q: %w", prefix, err)
	}
	defer d.Close()
	var out []string
	for len(out) < max {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("expand prefix %q: %w", prefix, err)
		}
		if e == nil {
			break
		}
		out = append(out, e.Term)
	}
	return out, nil
}

// Search runs r and returns one page of hits. A query that does not parse or
// names an unknown field returns an error wrapping *query.SyntaxError, whose
// Pos is the byte offset of the problem; a bad filter, sort or page returns an
// error wrapping ErrBadRequest.
func (ix *Index) Search(ctx context.Context, r Request) (*Result, error) {
	ctx, stop := ix.withSearchTimeout(ctx)
	defer stop()
	res, err := ix.search(ctx, r)
	return res, ix.timedOut(ctx, err)
}

// withSearchTimeout bounds ctx by the index's search timeout.
func (ix *Index) withSearchTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if ix.searchTimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, ix.searchTimeout, ErrSearchTimeout)
}

// timedOut turns err into ErrSearchTimeout when ctx ran out of the search
// timeout (and not of the caller's own deadline or cancellation).
func (ix *Index) timedOut(ctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), ErrSearchTimeout) {
		return fmt.Errorf("search: %w (%s)", ErrSearchTimeout, ix.searchTimeout)
	}
	return err
}

func (ix *Index) search(ctx context.Context, r Request) (*Result, error) {
	start := time.Now()
	if r.Size == 0 {
		r.Size = DefaultSize
	}
	if r.Size < 0 || r.Size > MaxSize || r.From < 0 || r.From > MaxFrom {
		return nil, fmt.Errorf("search: %w: from %d size %d (size 1..%d, from 0..%d; use export for more)", ErrBadRequest, r.From, r.Size, MaxSize, MaxFrom)
	}
	c, err := ix.compile(r)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if c.fast != nil {
		res, err := ix.searchFast(ctx, r, c, c.fast)
		if !errors.Is(err, errFastUnavailable) {
			if err != nil {
				ix.metrics.errors.WithLabelValues("search").Inc()
			}
			return res, err
		}
	}
	from, size := r.From, r.Size
	rerank := len(c.phrase) > 1 && c.sort[0] == "-_score" && r.From+r.Size <= rerankDepth
	if rerank {
		from, size = 0, rerankDepth
	}
	req := bleve.NewSearchRequestOptions(c.q, size, from, false)
	req.SortBy(c.sort)
	if c.sort[0] != "-_score" {
		req.Score = "none" // date order: skip scoring
	}
	req.Fields = ix.fields(r.Highlight)
	var sampled *search.FacetResult
	if r.Facets {
		// Estimate the result's size on one sample bucket first: a large
		// result gets its facets from the sample, scaled up, and the main
		// search skips the per-hit doc-values visit that dominates its cost.
		sreq := bleve.NewSearchRequestOptions(bq.NewConjunctionQuery([]bq.Query{c.q, sampleQuery()}), 0, 0, false)
		sreq.Score = "none"
		sreq.AddFacet(fFacets, bleve.NewFacetRequest(fFacets, facetTermsMax))
		sres, err := ix.bi.SearchInContext(ctx, sreq)
		if err != nil {
			ix.metrics.errors.WithLabelValues("search").Inc()
			return nil, fmt.Errorf("search %q: %w", r.Query, err)
		}
		if sres.Total*sampleBuckets > uint64(ix.exactFacetMax) {
			sampled = sres.Facets[fFacets]
		} else {
			req.AddFacet(fFacets, bleve.NewFacetRequest(fFacets, facetTermsMax))
		}
	}
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		ix.metrics.errors.WithLabelValues("search").Inc()
		return nil, fmt.Errorf("search %q: %w", r.Query, err)
	}
	hits := res.Hits
	if rerank {
		if hits, err = ix.phraseFirst(ctx, hits, c.phrase); err != nil {
			return nil, err
		}
		hits = hits[min(r.From, len(hits)):min(r.From+r.Size, len(hits))]
	}
	out := &Result{Total: res.Total}
	if out.Hits, err = toHits(ctx, hits, c.terms, r.Highlight); err != nil {
		return nil, err
	}
	switch {
	case sampled != nil:
		out.Facets, out.Histogram = splitFacets(sampled, sampleBuckets)
		out.FacetsSampled = true
	case r.Facets:
		out.Facets, out.Histogram = splitFacets(res.Facets[fFacets], 1)
	}
	out.Took = time.Since(start)
	ix.metrics.searches.WithLabelValues("search").Observe(out.Took.Seconds())
	return out, nil
}

// phraseFirst stably moves the hits that contain words as a phrase (in the
// text field) before the others.
func (ix *Index) phraseFirst(ctx context.Context, hits search.DocumentMatchCollection, words []string) (search.DocumentMatchCollection, error) {
	if len(hits) < 2 {
		return hits, nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	q := bq.NewConjunctionQuery([]bq.Query{bq.NewDocIDQuery(ids), bq.NewPhraseQuery(words, fText)})
	req := bleve.NewSearchRequestOptions(q, len(ids), 0, false)
	req.Score = "none"
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search phrase %q: %w", strings.Join(words, " "), err)
	}
	if len(res.Hits) == 0 || len(res.Hits) == len(hits) {
		return hits, nil
	}
	has := make(map[string]bool, len(res.Hits))
	for _, h := range res.Hits {
		has[h.ID] = true
	}
	out := make(search.DocumentMatchCollection, 0, len(hits))
	for _, h := range hits {
		if has[h.ID] {
			out = append(out, h)
		}
	}
	for _, h := range hits {
		if !has[h.ID] {
			out = append(out, h)
		}
	}
	return out, nil
}

// splitFacets turns the counts of the combined facets field into the
// per-group facets and the daily histogram.
func splitFacets(fr *search.FacetResult, scale int) (map[string][]FacetCount, []DateCount) {
	facets := make(map[string][]FacetCount, len(facetSizes))
	for g := range facetSizes {
		facets[g] = []FacetCount{}
	}
	var hist []DateCount
	if fr == nil || fr.Terms == nil {
		return facets, hist
	}
	for _, tf := range fr.Terms.Terms() {
		code, value, ok := strings.Cut(tf.Term, ":")
		if !ok {
			continue
		}
		group := facetGroups[code]
		if group == facetDay {
			if d, err := time.ParseInLocation(dayLayout, value, vietnam); err == nil {
				hist = append(hist, DateCount{Day: d, Count: tf.Count * scale})
			}
			continue
		}
		if _, known := facetSizes[group]; known {
			facets[group] = append(facets[group], FacetCount{Term: value, Count: tf.Count * scale})
		}
	}
	for g, fc := range facets {
		sort.Slice(fc, func(i, j int) bool {
			if fc[i].Count != fc[j].Count {
				return fc[i].Count > fc[j].Count
			}
			return fc[i].Term < fc[j].Term
		})
		if len(fc) > facetSizes[g] {
			facets[g] = fc[:facetSizes[g]]
		}
	}
	sort.Slice(hist, func(i, j int) bool { return hist[i].Day.Before(hist[j].Day) })
	if len(hist) > histogramDays {
		hist = hist[len(hist)-histogramDays:]
	}
	return facets, hist
}

func (ix *Index) fields(highlight bool) []string {
	f := append([]string(nil), hitFields...)
	if highlight {
		f = append(f, fBody)
	}
	return f
}

// Export streams every hit of r (ignoring From and Size) to fn in r's sort
// order, reading the index a page at a time, so memory does not grow with the
// result set. It stops at the first error from fn or the context. Exports
// sorted by date cost the same for every page; a relevance export re-ranks up
// to the page's offset for every page, so prefer "newest" for large sets.
func (ix *Index) Export(ctx context.Context, r Request, fn func(Hit) error) error {
	start := time.Now()
	defer func() { ix.metrics.searches.WithLabelValues("export").Observe(time.Since(start).Seconds()) }()
	c, err := ix.compile(r)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if c.fast != nil {
		// The bitmap path answers Search for this query, so it exports it
		// too: the same order as the hit list.
		err := ix.exportFast(ctx, r, c, c.fast, fn)
		if !errors.Is(err, errFastUnavailable) {
			if err != nil && ctx.Err() == nil {
				ix.metrics.errors.WithLabelValues("export").Inc()
			}
			return err
		}
	}
	// Bleve cannot search after a score, so a relevance export pages by
	// offset (each page costs the offset again); date orders search after the
	// last hit's sort values and cost the same for every page.
	byScore := c.sort[0] == "-_score"
	var after []string
	from := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		req := bleve.NewSearchRequestOptions(c.q, exportPage, from, false)
		req.SortBy(c.sort)
		if !byScore {
			req.Score = "none"
		}
		req.Fields = ix.fields(r.Highlight)
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := ix.bi.SearchInContext(ctx, req)
		if err != nil {
			ix.metrics.errors.WithLabelValues("export").Inc()
			return fmt.Errorf("export %q: %w", r.Query, err)
		}
		for _, h := range res.Hits {
			if err := fn(toHit(h, c.terms, r.Highlight)); err != nil {
				return err
			}
		}
		if len(res.Hits) < exportPage {
			return nil
		}
		if byScore {
			from += len(res.Hits)
		} else {
			after = res.Hits[len(res.Hits)-1].Sort
		}
	}
}

// toHits turns loaded documents into hits, cutting the snippets on all
// CPUs: analysing each hit's text for them is most of a page's cost.
func toHits(ctx context.Context, docs []*search.DocumentMatch, terms []hlTerm, highlight bool) ([]Hit, error) {
	out := make([]Hit, len(docs))
	for i, d := range docs {
		out[i] = toHit(d, terms, false)
	}
	if !highlight || len(docs) == 0 {
		return out, nil
	}
	err := parallel(ctx, len(docs), func(i int) error {
		out[i].Snippets = highlightHit(str(docs[i].Fields[fBody]), terms, out[i].Lang == "en")
		return nil
	})
	return out, err
}

func toHit(h *search.DocumentMatch, terms []hlTerm, highlight bool) Hit {
	hit := Hit{
		ID:          h.ID,
		Score:       h.Score,
		Title:       str(h.Fields[fTitle]),
		URL:         str(h.Fields[fURL]),
		Outlet:      str(h.Fields[fOutlet]),
		Country:     str(h.Fields[fCountry]),
		Lang:        str(h.Fields[fLang]),
		Tone:        str(h.Fields[fTone]),
		Cluster:     str(h.Fields[fCluster]),
		Published:   timeOrZero(h.Fields[fPublished]),
		NeedsReview: str(h.Fields[fReview]) == "true",
		Topics:      strs(h.Fields[fTopics]),
	}
	if v, ok := h.Fields[fRisk].(float64); ok {
		hit.Risk = int(v)
	}
	if highlight {
		hit.Snippets = highlightHit(str(h.Fields[fBody]), terms, hit.Lang == "en")
	}
	return hit
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		if len(v) > 0 {
			return str(v[0])
		}
	}
	return ""
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// noScore is a query that selects what its query selects and adds nothing
// to a hit's score. Keyword, number and date conditions are filters: the
// keyword fields keep neither term frequencies nor norms, and Bleve's
// tf-idf gave their terms tf 0 × norm +Inf = NaN, which made every score of
// a query with one of them NaN (a prefix or a comparison beside a filter
// or a scope) and the API's JSON encoder fail after the status line: an
// empty 200 (an outside search review).
type noScore struct{ q bq.Query }

// filter wraps q so that it does not score.
func filter(q bq.Query) bq.Query { return noScore{q: q} }

func (n noScore) Searcher(ctx context.Context, i bindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	options.Explain = false
	s, err := n.q.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	return &noScoreSearcher{Searcher: s}, nil
}

type noScoreSearcher struct{ search.Searcher }

func (s *noScoreSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Next(ctx)
	if d != nil {
		d.Score, d.Expl = 0, nil
	}
	return d, err
}

func (s *noScoreSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := s.Searcher.Advance(ctx, id)
	if d != nil {
		d.Score, d.Expl = 0, nil
	}
	return d, err
}

// Weight is 0: the filter takes no share of the query norm.
func (s *noScoreSearcher) Weight() float64 { return 0 }

func (s *noScoreSearcher) SetQueryNorm(float64) {}

package classifier

import (
	"sync"

	"github.com/dongnai/presswatch/internal/textnorm"
)

// scratch holds the working buffers of one classification: large slices
// (several per kilobyte of text) and the query document's index, which
// nothing in the result refers to. The Engine classifies concurrently, so
// each analysis takes its own from scratchPool and gives it back when its
// classification is built.
type scratch struct {
	offs     []int            // folded byte → byte in the article
	toks     []textnorm.Token // the folded tokens
	sentence []int            // sentence of each token
	terms    []textnorm.Term  // terms of title and text while the query document is built
	occ      []termPos        // term occurrences while the query document is built
	// The query document's index, lent to it for the classification:
	table         termTable // term → number
	termCounts    []int     // occurrences of each term
	positions     []int     // all positions, cut per term into termPositions
	termPositions [][]int
	gaz, lex      []hit    // matcher hits
	candidates    []dnHit  // the province's names found, before ambiguity is judged
	dn            []dnHit  // those that count
	hashes        []uint32 // text feature indices, in order of occurrence
	counts        []uint16 // per text feature dimension; all zero between uses
	distinct      []uint32 // text feature indices, each once, in order of first occurrence
	near          []bool   // sentences near a mention of the province (toneOf)
	// The query document's prefix buckets and English stems, lent to it
	// like its index.
	buckets  termBuckets
	bucketOf []int32 // while the buckets are built: each term's
	next     []int32 // and each bucket's next free slot
	stems    map[string]string
	named    namedFeatures // the learned layer's named features
	vec      vec           // and its input vector, while the model runs
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// release gives the analysis's scratch back to the pool. The analysis must
// not be used afterwards.
func (an *analysis) release() {
	sc := an.sc
	if sc == nil {
		return
	}
	an.sc = nil
	// Drop the references into the article's text so a pooled buffer does
	// not keep it alive.
	clear(sc.toks)
	clear(sc.terms)
	clear(sc.occ)
	clear(sc.table.terms)
	clear(sc.buckets.terms)
	clear(sc.stems)
	clear(sc.named.parts)
	sc.offs, sc.toks, sc.sentence = an.offs[:0], an.toks[:0], an.sentence[:0]
	sc.gaz, sc.lex, sc.dn = an.gaz[:0], an.lex[:0], an.dn[:0]
	an.offs, an.toks, an.sentence, an.gaz, an.lex, an.dn = nil, nil, nil, nil, nil, nil
	scratchPool.Put(sc)
}

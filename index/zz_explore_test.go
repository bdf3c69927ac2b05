package index

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

func TestZZExplore(t *testing.T) {
	dir := os.Getenv("ZZ_DIR")
	if dir == "" {
		t.Skip()
	}
	ix, err := Open(context.Background(), Options{Dir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	adv, _ := ix.bi.Advanced()
	r, _ := adv.Reader()
	defer r.Close()
	snap := r.(*scorch.IndexSnapshot)
	segs := snap.Segments()
	t.Logf("segments %d", len(segs))
	bm := func(s segment.Segment, field, term string) *roaring.Bitmap {
		d, err := s.Dictionary(field)
		if err != nil {
			t.Fatal(err)
		}
		pl, err := d.PostingsList([]byte(term), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := roaring.New()
		pl.(interface{ OrInto(*roaring.Bitmap) }).OrInto(out)
		return out
	}
	for rep := 0; rep < 3; rep++ {
		start := time.Now()
		var total uint64
		var facetTerms int
		var fc = map[string]uint64{}
		var scored int
		var tScore time.Duration
		for _, ss := range segs {
			s := ss.Segment()
			m := roaring.Or(bm(s, fText, "dong"), bm(s, fTextEN, "dong"))
			m.And(roaring.Or(bm(s, fText, "nai"), bm(s, fTextEN, "nai")))
			if del := ss.Deleted(); del != nil {
				m.AndNot(del)
			}
			total += m.GetCardinality()
			d, _ := s.Dictionary(fFacets)
			it := d.AutomatonIterator(nil, nil, nil)
			for e, err := it.Next(); e != nil && err == nil; e, err = it.Next() {
				facetTerms++
				fc[e.Term] += m.AndCardinality(bm(s, fFacets, e.Term))
			}
			t0 := time.Now()
			for _, term := range []string{"dong", "nai"} {
				d, _ := s.Dictionary(fText)
				pl, _ := d.PostingsList([]byte(term), nil, nil)
				pi := pl.Iterator(true, true, false, nil)
				for p, err := pi.Next(); p != nil && err == nil; p, err = pi.Next() {
					if m.Contains(uint32(p.Number())) {
						_ = p.Frequency()
						_ = p.Norm()
						scored++
					}
				}
			}
			tScore += time.Since(t0)
		}
		t.Logf("total %d facetTerms %d distinct %d scored %d took %v (score loop %v)", total, facetTerms, len(fc), scored, time.Since(start), tScore)
	}
}

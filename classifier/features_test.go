package classifier

import (
	"math"
	"slices"
	"testing"

	"github.com/dongnai/presswatch/article"
)

// TestTextHashesSameAsWalk: appendTextHashes, which the model's vector is
// built from, gives the hashes walkTextFeatures (whose names explain a
// model's features) visits, in the same order, on every corpus item and on
// words that take each of its paths: ASCII, folded and not, CJK, short.
func TestTextHashesSameAsWalk(t *testing.T) {
	e, err := New(Options{Now: evalNow, NoModel: true})
	if err != nil {
		t.Fatal(err)
	}
	r := e.Rules()
	arts := []*article.Article{
		{Title: "Đồng Nai", Text: "Biên Hòa airport, Long Thành: xuất khẩu tăng 12%. 同奈省的工业园区。동나이성 산업단지. ドンナイ省の工業団地。 abcd abcde Ωmega ωμέγα naïve Ünïcödé"},
	}
	for _, it := range loadDevCorpus(t) {
		arts = append(arts, &article.Article{Title: it.Title, Text: it.Text, Lang: it.Lang})
	}
	checked, four := 0, 0
	for _, a := range arts {
		an := e.analyze(r, a)
		var want []uint32
		walkTextFeatures(an.toks, an.sentence, func(h uint32, name func() string) {
			want = append(want, h)
			if len([]rune(name())) == 4 {
				four++ // 4-grams, and words of four letters
			}
		})
		got := appendTextHashes(nil, an.toks, an.sentence)
		if !slices.Equal(got, want) {
			t.Fatalf("%q: %d hashes, the walk %d; first difference at %d", a.Title, len(got), len(want), firstDiff(got, want))
		}
		checked += len(got)
		an.release()
	}
	if checked < 100000 || four < 10000 {
		t.Fatalf("%d hashes compared, %d of them with a four-character name: too few to mean anything", checked, four)
	}
}

func firstDiff(a, b []uint32) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestLog1pCount: the table gives math.Log1p's value, bit for bit, for
// every count.
func TestLog1pCount(t *testing.T) {
	for n := range math.MaxUint16 + 1 {
		if got, want := log1pCount(uint16(n)), math.Log1p(float64(n)); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("log1pCount(%d) = %v, want %v", n, got, want)
		}
	}
}

package classifier

import (
	"math"
	"testing"
)

// nbRatios leaves named dimensions at 1, gives a text feature seen only in
// positives a positive weight and one seen only in negatives a negative one
// of the same size, a feature seen equally in both none, and keeps the
// power's sign.
func TestNBRatios(t *testing.T) {
	const named, dim = 4, 12
	v := func(idx ...int32) vec {
		x := vec{idx: idx, val: make([]float32, len(idx))}
		for k := range x.val {
			x.val[k] = 1
		}
		return x
	}
	xs := []vec{v(0, 5, 7), v(1, 5, 7), v(0, 6, 7), v(2, 6, 7)}
	ys := []bool{true, true, false, false}
	for _, power := range []float64{1, 2} {
		r := nbRatios(xs, ys, dim, named, power)
		for j := 0; j < named; j++ {
			if r[j] != 1 {
				t.Errorf("power %v: named dimension %d weighted %v, want 1", power, j, r[j])
			}
		}
		if !(r[5] > 0 && r[6] < 0) {
			t.Errorf("power %v: positive-only feature %v, negative-only %v", power, r[5], r[6])
		}
		if math.Abs(r[5]+r[6]) > 1e-12 || math.Abs(r[7]) > 1e-12 {
			t.Errorf("power %v: symmetric features %v, %v; shared feature %v", power, r[5], r[6], r[7])
		}
		// Mean magnitude 1 over the text dimensions present (5, 6, 7).
		if m := (math.Abs(r[5]) + math.Abs(r[6]) + math.Abs(r[7])) / 3; math.Abs(m-1) > 1e-9 {
			t.Errorf("power %v: mean magnitude %v, want 1", power, m)
		}
	}
}

// A task fitted with the weighting scores an unweighted vector as the
// model fitted on weighted vectors scores the weighted one: the weighting
// is folded into the weights, so classification needs nothing new.
func TestNBWeightingFoldsIntoWeights(t *testing.T) {
	fc := DefaultFeatureConfig()
	fc.NamedBits, fc.NgramBits = 6, 8
	dim := fc.Dim()
	named := 1 << fc.NamedBits
	var ex []*Example
	var ys []bool
	for i := 0; i < 40; i++ {
		y := i%2 == 0
		x := vec{idx: []int32{int32(i % 3), int32(named + i%7), int32(named + 20 + i%2)}, val: []float32{1, 0.5, 0.8}}
		ex = append(ex, &Example{x: x})
		ys = append(ys, y)
	}
	o := TrainOptions{Features: fc}
	o.defaults()
	tk := task{label: "t", nbPower: 2, ex: ex, ys: ys}
	folded, err := tk.fit(dim, &o, nil)
	if err != nil {
		t.Fatal(err)
	}
	var xs []vec
	for _, x := range ex {
		xs = append(xs, x.x)
	}
	r := nbRatios(xs, ys, dim, named, 2)
	var scaled []vec
	for _, x := range xs {
		scaled = append(scaled, scaleVec(x, r))
	}
	plain, err := fitLogReg(scaled, ys, dim, o.Lambda, o.MaxIter)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if a, b := folded.score(x), plain.score(scaled[i]); math.Abs(a-b) > 1e-4 {
			t.Fatalf("example %d: folded model scores %v, model on weighted vectors %v", i, a, b)
		}
	}
	if folded.score(xs[0]) <= folded.score(xs[1]) {
		t.Errorf("the separable feature did not separate: %v <= %v", folded.score(xs[0]), folded.score(xs[1]))
	}
}

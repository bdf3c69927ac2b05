package classifier

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/optimize"
)

// TestLBFGSRosenbrock: the minimiser finds the minimum of a classic
// badly-conditioned function.
func TestLBFGSRosenbrock(t *testing.T) {
	fg := func(x, g []float64) float64 {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
		return a*a + 100*b*b
	}
	x := minimizeLBFGS(fg, []float64{-1.2, 1}, 1e-8, 500)
	if math.Abs(x[0]-1) > 1e-5 || math.Abs(x[1]-1) > 1e-5 {
		t.Fatalf("minimum at %v, want (1, 1)", x)
	}
}

// TestLBFGSSameAsGonum fits class-balanced, L2-regularised logistic
// regressions on random sparse data with minimizeLBFGS and with
// gonum/optimize's LBFGS under the settings fitLogReg used before
// (gradient threshold 1e-5, the same iteration limits), and checks that
// both reach the same minimum: equal loss and the same weights.
func TestLBFGSSameAsGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		n, m    int
		lambda  float64
		maxIter int
	}{{400, 300, DefaultLambda, 150}, {200, 1000, DefaultLambda, 150}, {300, 50, 0.5, 150}, {1000, 2000, DefaultLambda, 40}, {500, 100, 0.01, 150}} {
		rows := make([]sparseRow, tc.n)
		ys := make([]bool, tc.n)
		truth := make([]float64, tc.m)
		for i := range truth {
			truth[i] = rng.NormFloat64()
		}
		npos := 0
		for k := range rows {
			var z float64
			for range 12 {
				i := rng.IntN(tc.m)
				v := rng.Float64()
				rows[k].idx = append(rows[k].idx, i)
				rows[k].val = append(rows[k].val, v)
				z += truth[i] * v
			}
			ys[k] = rng.Float64() < sigmoid(z-1)
			if ys[k] {
				npos++
			}
		}
		cpos := float64(tc.n) / (2 * float64(npos))
		cneg := float64(tc.n) / (2 * float64(tc.n-npos))
		loss := func(x []float64) float64 {
			f, _ := lossGrad(x, nil, tc.m, tc.lambda, rows, ys, cpos, cneg)
			return f
		}
		mine := minimizeLBFGS(func(x, g []float64) float64 {
			f, _ := lossGrad(x, g, tc.m, tc.lambda, rows, ys, cpos, cneg)
			return f
		}, make([]float64, tc.m+1), 1e-5, tc.maxIter)
		res, err := optimize.Minimize(optimize.Problem{
			Func: loss,
			Grad: func(g, x []float64) { lossGrad(x, g, tc.m, tc.lambda, rows, ys, cpos, cneg) },
		}, make([]float64, tc.m+1), &optimize.Settings{MajorIterations: tc.maxIter, GradientThreshold: 1e-5}, &optimize.LBFGS{})
		if err != nil && res == nil {
			t.Fatal(err)
		}
		fm, fgon := loss(mine), loss(res.X)
		if fm > fgon+1e-6*math.Abs(fgon) {
			t.Errorf("%+v: loss %.10g, gonum %.10g", tc, fm, fgon)
		}
		var maxDiff float64
		for i := range mine {
			maxDiff = math.Max(maxDiff, math.Abs(mine[i]-res.X[i]))
		}
		if maxDiff > 1e-3 {
			t.Errorf("%+v: weights differ from gonum's by up to %.3g (loss %.10g, gonum %.10g)", tc, maxDiff, fm, fgon)
		}
		t.Logf("%+v: loss %.10g, gonum %.10g, max weight difference %.2g", tc, fm, fgon, maxDiff)
	}
}

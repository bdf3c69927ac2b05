package classifier

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"
)

// logReg is an L2-regularised binary logistic regression over sparse
// vectors, fitted with L-BFGS (gonum/optimize). The bias is not penalised.
type logReg struct {
	w    []float32
	bias float64
}

// fitLogReg minimises Σ cᵢ·logloss(yᵢ, σ(w·xᵢ+b)) + λ/2·‖w‖², where the
// example weights cᵢ balance the classes (each class carries half the total
// weight, so rare topics are not ignored).
func fitLogReg(xs []vec, ys []bool, dim int, lambda float64, maxIter int) (*logReg, error) {
	if len(xs) != len(ys) || len(xs) == 0 {
		return nil, errors.New("fit logistic regression: no examples")
	}
	npos := 0
	for _, y := range ys {
		if y {
			npos++
		}
	}
	n := len(ys)
	cpos, cneg := 1.0, 1.0
	if npos > 0 && npos < n {
		cpos = float64(n) / (2 * float64(npos))
		cneg = float64(n) / (2 * float64(n-npos))
	}
	// A class seen not at all: the model is the constant prior.
	if npos == 0 || npos == n {
		b := -8.0
		if npos == n {
			b = 8
		}
		return &logReg{w: make([]float32, dim), bias: b}, nil
	}
	// Only the dimensions some example uses can move away from zero; fit in
	// that compact space.
	used := map[int32]int{}
	var cols []int32
	for _, x := range xs {
		for _, i := range x.idx {
			if _, ok := used[i]; !ok {
				used[i] = len(cols)
				cols = append(cols, i)
			}
		}
	}
	rows := make([]sparseRow, n)
	for k, x := range xs {
		r := sparseRow{idx: make([]int, len(x.idx)), val: make([]float64, len(x.idx))}
		for j, i := range x.idx {
			r.idx[j], r.val[j] = used[i], float64(x.val[j])
		}
		rows[k] = r
	}
	m := len(cols)
	p := optimize.Problem{
		Func: func(theta []float64) float64 {
			f, _ := lossGrad(theta, nil, m, lambda, rows, ys, cpos, cneg)
			return f
		},
		Grad: func(grad, theta []float64) {
			lossGrad(theta, grad, m, lambda, rows, ys, cpos, cneg)
		},
	}
	res, err := optimize.Minimize(p, make([]float64, m+1), &optimize.Settings{
		MajorIterations:   maxIter,
		GradientThreshold: 1e-5,
	}, &optimize.LBFGS{})
	if err != nil && res == nil {
		return nil, fmt.Errorf("fit logistic regression: %w", err)
	}
	lr := &logReg{w: make([]float32, dim), bias: res.X[m]}
	for j, i := range cols {
		lr.w[i] = float32(res.X[j])
	}
	return lr, nil
}

type sparseRow struct {
	idx []int
	val []float64
}

func lossGrad(theta, grad []float64, m int, lambda float64, rows []sparseRow, ys []bool, cpos, cneg float64) (float64, []float64) {
	for i := range grad {
		grad[i] = 0
	}
	var f float64
	b := theta[m]
	for k, r := range rows {
		z := b
		for j, i := range r.idx {
			z += theta[i] * r.val[j]
		}
		c, y := cneg, 0.0
		if ys[k] {
			c, y = cpos, 1
		}
		// log(1+e^z) - y·z, computed stably.
		var lse float64
		if z > 0 {
			lse = z + math.Log1p(math.Exp(-z))
		} else {
			lse = math.Log1p(math.Exp(z))
		}
		f += c * (lse - y*z)
		if grad != nil {
			g := c * (sigmoid(z) - y)
			for j, i := range r.idx {
				grad[i] += g * r.val[j]
			}
			grad[m] += g
		}
	}
	for i := 0; i < m; i++ {
		f += lambda / 2 * theta[i] * theta[i]
		if grad != nil {
			grad[i] += lambda * theta[i]
		}
	}
	return f, grad
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// score is the model's decision value w·x + b.
func (lr *logReg) score(x vec) float64 { return x.dot(lr.w) + lr.bias }

// platt fits p = σ(a·s + b) to scores s and labels y by Newton's method on
// the log loss, with Platt's smoothed targets (n₊+1)/(n₊+2) and 1/(n₋+2),
// which keep the fit finite when the scores separate the classes.
func platt(scores []float64, ys []bool) (a, b float64) {
	npos, nneg := 0.0, 0.0
	for _, y := range ys {
		if y {
			npos++
		} else {
			nneg++
		}
	}
	hi, lo := (npos+1)/(npos+2), 1/(nneg+2)
	a, b = 1, 0
	for iter := 0; iter < 100; iter++ {
		var g1, g2, h11, h12, h22 float64
		for k, s := range scores {
			t := lo
			if ys[k] {
				t = hi
			}
			p := sigmoid(a*s + b)
			d := p - t
			w := math.Max(p*(1-p), 1e-12)
			g1 += d * s
			g2 += d
			h11 += w * s * s
			h12 += w * s
			h22 += w
		}
		h11 += 1e-9
		h22 += 1e-9
		det := h11*h22 - h12*h12
		if det <= 0 {
			break
		}
		da := (h22*g1 - h12*g2) / det
		db := (h11*g2 - h12*g1) / det
		a -= da
		b -= db
		if math.Abs(da)+math.Abs(db) < 1e-9 {
			break
		}
	}
	return a, b
}

package classifier

import "math"

// minimizeLBFGS minimises a smooth function f from x0 (changed in place and
// returned) with limited-memory BFGS: the last 15 steps and gradient
// changes, the two-loop recursion for the direction, and a line search
// that meets the weak Wolfe conditions (sufficient decrease 1e-4,
// curvature 0.9) by bracketing and bisection. It stops when the largest
// gradient component is at most gradTol, after maxIter iterations, when no
// step decreases f, or when f has improved by less than 1e-10 in 100
// iterations. This is the same method and the same stopping rules as
// gonum/optimize's LBFGS with the settings fitLogReg used; it replaces
// gonum (about 2 MB of the binary, issue 15) for this one convex problem.
//
// fg returns f(x) and writes its gradient into grad.
func minimizeLBFGS(fg func(x, grad []float64) float64, x0 []float64, gradTol float64, maxIter int) []float64 {
	const (
		store     = 15
		decrease  = 1e-4
		curvature = 0.9
	)
	n := len(x0)
	x := x0
	g := make([]float64, n)
	f := fg(x, g)
	var (
		ss, ys [][]float64
		rhos   []float64
		alpha  = make([]float64, store)
		d      = make([]float64, n)
		xt     = make([]float64, n)
		gt     = make([]float64, n)
	)
	bestF, bestIter := f, 0
	for iter := 0; iter < maxIter; iter++ {
		if normInf(g) <= gradTol {
			break
		}
		// Direction: −H·g by the two-loop recursion.
		copy(d, g)
		for i := len(ss) - 1; i >= 0; i-- {
			alpha[i] = rhos[i] * dot(ss[i], d)
			axpy(-alpha[i], ys[i], d)
		}
		gamma := 1.0
		if k := len(ss) - 1; k >= 0 {
			gamma = dot(ss[k], ys[k]) / dot(ys[k], ys[k])
		} else {
			// First step: the steepest descent scaled to unit length.
			gamma = 1 / math.Sqrt(dot(g, g))
		}
		for i := range d {
			d[i] *= gamma
		}
		for i := range ss {
			b := rhos[i] * dot(ys[i], d)
			axpy(alpha[i]-b, ss[i], d)
		}
		for i := range d {
			d[i] = -d[i]
		}
		g0d := dot(g, d)
		if g0d >= 0 { // not a descent direction: start again from steepest descent
			ss, ys, rhos = ss[:0], ys[:0], rhos[:0]
			for i := range d {
				d[i] = -g[i]
			}
			g0d = dot(g, d)
		}
		// Line search (weak Wolfe).
		t, lo, hi := 1.0, 0.0, math.Inf(1)
		var ft float64
		ok := false
		for range 40 {
			for i := range x {
				xt[i] = x[i] + t*d[i]
			}
			ft = fg(xt, gt)
			switch {
			case ft > f+decrease*t*g0d || math.IsNaN(ft):
				hi = t
			case dot(gt, d) < curvature*g0d:
				lo = t
			default:
				ok = true
			}
			if ok {
				break
			}
			if math.IsInf(hi, 1) {
				t = 2 * lo
			} else {
				t = (lo + hi) / 2
			}
		}
		if !ok {
			break
		}
		// Keep the step and the gradient change.
		var s, y []float64
		if len(ss) == store {
			s, y = ss[0], ys[0]
			ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
		} else {
			s, y = make([]float64, n), make([]float64, n)
		}
		for i := range x {
			s[i] = xt[i] - x[i]
			y[i] = gt[i] - g[i]
		}
		if sy := dot(s, y); sy > 0 {
			ss, ys, rhos = append(ss, s), append(ys, y), append(rhos, 1/sy)
		}
		copy(x, xt)
		copy(g, gt)
		f = ft
		if f < bestF-1e-10 {
			bestF, bestIter = f, iter
		} else if iter-bestIter >= 100 {
			break
		}
	}
	return x
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// axpy sets y to a·x + y.
func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func normInf(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

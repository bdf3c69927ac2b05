package classifier

import (
	"fmt"
	"math"
	"slices"
)

// Topic experiments (issue 11, topics micro-F1 0.778 → goal 0.80), all off:
// this file is kept in history only, the next commit removes it. Measured
// with TestTopicExperiments (PW_TOPICEXP=1), outer 10-fold / 5-fold CV,
// baseline topics 0.778 / 0.766:
//
//   - a topic second stage (one LR per topic over the log-odds of every
//     first-stage tone and topic probability, trained on inner out-of-fold
//     probabilities like the tone stack): λ 1 0.695/0.734, λ 5 0.736/0.751,
//     λ 20 0.767/0.759, λ 50 0.767/0.761; with rule-topic indicators
//     0.762/0.755; without tone inputs 0.758/0.751. Always worse.
//   - per-topic reporting thresholds on inner OOF, shrunk to the global one
//     with pseudo-count 5/20/50: 0.774/0.763, 0.775/0.766, 0.775/0.765.
//   - a ratio to the top topic's probability: 0.778/0.766.
//   - per-topic keep thresholds (shrink 5/20/50, with topic_hits):
//     −0.002 at 10 folds, +0.002…+0.006 at 5: noise.
//   - finer grids (keep up to 0.4, threshold step 0.025): ±0.002.
//   - topic-task λ 2/10/20 (first stage): 0.782/0.764, 0.778/0.770,
//     0.772/0.769; tone moves with it (0.753–0.758). Noise.
//   - class balance of the topic LRs tempered (power 0.5, 0): 0.783, 0.779
//     with topic_hits (0.785 at full balance).
//   - title n-grams as separate features: 0.784/0.770 with topic_hits, no gain.
//   - topic_hits (log1p of the alternatives of each topic rule matched):
//     0.785/0.771 (+0.007/+0.005), needs_review P 0.576 → 0.597 at 10 folds.

// Experiment knobs.
var (
	topicStackOn      = false
	topicStackLambda  = DefaultLambda
	topicStackRules   = false // rule-topic indicators as further inputs
	topicStackTone    = true  // tone log-odds as inputs
	topicPerThreshold = false
	topicShrink       = 20.0 // pseudo-count of positives pulling a topic's threshold to the global one
	topicRatioOn      = false
	topicFirstLambda  = 0.0
	topicKeepGrid     = []float64{0, 0.05, 0.1, 0.2}
	topicStep         = 0.05
	topicBalance      = 1.0
	topicHitFeatures  = false
	titleFeatures     = false
	topicPerKeep      = false
	topicKeepShrink   = 20.0
)

// topicStackInput is the topic second stage's input for one item: the
// log-odds of the tone probabilities, then of the topic probabilities, then
// (topicStackRules) 1 for each topic the rules found.
func topicStackInput(tone, topics []float64, ruled []bool) []float64 {
	var z []float64
	if topicStackTone {
		z = stackInput(tone, topics)
	} else {
		z = stackInput(nil, topics)
	}
	if topicStackRules {
		for _, r := range ruled {
			if r {
				z = append(z, 1)
			} else {
				z = append(z, 0)
			}
		}
	}
	return z
}

// topicDecision returns which topics are reported given their
// probabilities q: those at or above their threshold, those the rules found
// at or above keep, and the most probable when none is; with a ratio,
// only those at least ratio times the most probable's probability.
func topicDecision(q []float64, ruled func(k int) bool, thr []float64, global, keep, ratio float64) []bool {
	return topicDecisionK(q, ruled, thr, global, nil, keep, ratio)
}

func topicDecisionK(q []float64, ruled func(k int) bool, thr []float64, global float64, keeps []float64, keep, ratio float64) []bool {
	out := make([]bool, len(q))
	arg, argP, any := 0, -1.0, false
	for k, p := range q {
		t := global
		if thr != nil {
			t = thr[k]
		}
		kp := keep
		if keeps != nil {
			kp = keeps[k]
		}
		if p >= t || (p >= kp && ruled(k)) {
			out[k] = true
			any = true
		}
		if p > argP {
			arg, argP = k, p
		}
	}
	if !any && len(q) > 0 {
		out[arg] = true
	}
	if ratio > 0 {
		for k, p := range q {
			if out[k] && k != arg && p < ratio*argP {
				out[k] = false
			}
		}
	}
	return out
}

// fitTopicStage sets the topic second stage and the topic thresholds from
// the first stage's out-of-fold probabilities.
func (m *Model) fitTopicStage(fs *firstStage, o TrainOptions) error {
	topic := fs.topic
	probs := fs.topicProbs()
	if topicStackOn && len(topic) > 0 && len(topic[0].ex) > 0 && toneLabelsMatch(fs.tone, m.Tone) {
		stack, sprobs, err := trainTopicStack(fs, o)
		if err != nil {
			return err
		}
		if stack != nil {
			m.TopicStack = stack
			probs = sprobs
		}
	}
	m.TopicThreshold, m.TopicKeep = topicThreshold(probs, topic)
	if topicPerThreshold {
		m.TopicThresholds = perTopicThresholds(probs, topic, m.TopicThreshold, m.TopicKeep)
	}
	if topicPerKeep {
		m.TopicKeeps = perTopicKeeps(probs, topic, m.TopicThreshold, m.TopicKeep)
	}
	if topicRatioOn {
		m.TopicRatio = topicRatio(probs, topic, m.TopicThresholds, m.TopicThreshold, m.TopicKeep)
	}
	return nil
}

// trainTopicStack fits one model per topic over topicStackInput on the
// inner out-of-fold probabilities and returns it with its own out-of-fold
// probabilities over the same inner folds.
func trainTopicStack(fs *firstStage, o TrainOptions) ([]StackModel, [][]float64, error) {
	tone, topic := fs.tone, fs.topic
	toneProbs, topicProbs := fs.toneProbs(), fs.topicProbs()
	row := make(map[*Example]int, len(tone[0].ex))
	for i, x := range tone[0].ex {
		row[x] = i
	}
	n := len(topic[0].ex)
	zs := make([]vec, n)
	dim := 0
	for i, x := range topic[0].ex {
		r, ok := row[x]
		if !ok {
			return nil, nil, nil
		}
		tp := make([]float64, len(tone))
		for k := range tone {
			tp[k] = toneProbs[k][r]
		}
		op := make([]float64, len(topic))
		ruled := make([]bool, len(topic))
		for k := range topic {
			op[k] = topicProbs[k][i]
			ruled[k] = slices.Contains(x.rules.Topics, topic[k].label)
		}
		z := topicStackInput(tp, op, ruled)
		dim = len(z)
		zs[i] = denseVec(z)
	}
	out := make([]StackModel, len(topic))
	oofProbs := make([][]float64, len(topic))
	for k := range topic {
		oof := make([]float64, n)
		for f := 0; f < o.InnerFolds; f++ {
			var xs []vec
			var ys []bool
			for i, x := range topic[k].ex {
				if fs.fold[x] != f {
					xs = append(xs, zs[i])
					ys = append(ys, topic[k].ys[i])
				}
			}
			if len(xs) == 0 {
				continue
			}
			lr, err := fitLogReg(xs, ys, dim, topicStackLambda, o.MaxIter)
			if err != nil {
				return nil, nil, fmt.Errorf("train topic stack %s: %w", topic[k].label, err)
			}
			for i, x := range topic[k].ex {
				if fs.fold[x] == f {
					oof[i] = lr.score(zs[i])
				}
			}
		}
		a, b := platt(oof, topic[k].ys)
		oofProbs[k] = make([]float64, n)
		for i, s := range oof {
			oofProbs[k][i] = sigmoid(a*s + b)
		}
		lr, err := fitLogReg(zs, topic[k].ys, dim, topicStackLambda, o.MaxIter)
		if err != nil {
			return nil, nil, fmt.Errorf("train topic stack %s: %w", topic[k].label, err)
		}
		w := make([]float64, dim)
		for i := range w {
			w[i] = float64(lr.w[i])
		}
		out[k] = StackModel{Label: topic[k].label, Weights: w, Bias: lr.bias, PlattA: a, PlattB: b}
	}
	return out, oofProbs, nil
}

// topicF1 is the micro-F1 of topicDecision over the out-of-fold
// probabilities.
func topicF1(probs [][]float64, topic []task, thr []float64, global, keep, ratio float64) float64 {
	return topicF1K(probs, topic, thr, global, nil, keep, ratio)
}

func topicF1K(probs [][]float64, topic []task, thr []float64, global float64, keeps []float64, keep, ratio float64) float64 {
	n := len(topic[0].ex)
	var tp, fp, fn float64
	q := make([]float64, len(topic))
	for i := 0; i < n; i++ {
		ruled := topic[0].ex[i].rules.Topics
		for k := range topic {
			q[k] = probs[k][i]
		}
		pred := topicDecisionK(q, func(k int) bool { return slices.Contains(ruled, topic[k].label) }, thr, global, keeps, keep, ratio)
		for k := range topic {
			gold := topic[k].ys[i]
			switch {
			case pred[k] && gold:
				tp++
			case pred[k]:
				fp++
			case gold:
				fn++
			}
		}
	}
	return 2 * tp / (2*tp + fp + fn)
}

// perTopicThresholds chooses each topic's threshold (0.05 steps) by
// coordinate ascent on out-of-fold micro-F1, then shrinks it toward the
// global threshold by the topic's number of positives n: t = g + (t*−g)·n/(n+topicShrink).
func perTopicThresholds(probs [][]float64, topic []task, global, keep float64) []float64 {
	thr := make([]float64, len(topic))
	for k := range thr {
		thr[k] = global
	}
	for pass := 0; pass < 2; pass++ {
		for k := range topic {
			best, bestF := thr[k], topicF1(probs, topic, thr, global, keep, 0)
			orig := thr[k]
			for t := 0.10; t <= 0.901; t += 0.05 {
				thr[k] = t
				if f := topicF1(probs, topic, thr, global, keep, 0); f > bestF+1e-9 {
					best, bestF = t, f
				}
			}
			_ = orig
			thr[k] = best
		}
	}
	for k := range topic {
		npos := 0
		for _, y := range topic[k].ys {
			if y {
				npos++
			}
		}
		w := float64(npos) / (float64(npos) + topicShrink)
		thr[k] = math.Round((global+(thr[k]-global)*w)*1000) / 1000
	}
	return thr
}

// topicRatio chooses the ratio (0 or 0.1 to 0.9) to the most probable
// topic's probability under which a further topic is not reported.
func topicRatio(probs [][]float64, topic []task, thr []float64, global, keep float64) float64 {
	best, bestF := 0.0, topicF1(probs, topic, thr, global, keep, 0)
	for r := 0.1; r <= 0.901; r += 0.1 {
		if f := topicF1(probs, topic, thr, global, keep, r); f > bestF+1e-9 {
			best, bestF = math.Round(r*10)/10, f
		}
	}
	return best
}

// stackTopics returns the second stage's topic probabilities.
func (m *Model) stackTopics(tone, topics []float64, ruleTopics []string) []float64 {
	ruled := make([]bool, len(m.Topics))
	for k := range m.Topics {
		ruled[k] = slices.Contains(ruleTopics, m.Topics[k].Label)
	}
	z := topicStackInput(tone, topics, ruled)
	out := make([]float64, len(m.TopicStack))
	for k := range m.TopicStack {
		out[k] = m.TopicStack[k].prob(z)
	}
	return out
}

// perTopicKeeps chooses each topic's keep threshold by coordinate ascent on
// out-of-fold micro-F1, shrunk toward the global keep like
// perTopicThresholds.
func perTopicKeeps(probs [][]float64, topic []task, global, keep float64) []float64 {
	keeps := make([]float64, len(topic))
	for k := range keeps {
		keeps[k] = keep
	}
	for pass := 0; pass < 2; pass++ {
		for k := range topic {
			best, bestF := keeps[k], topicF1K(probs, topic, nil, global, keeps, keep, 0)
			for _, c := range []float64{0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5} {
				keeps[k] = c
				if f := topicF1K(probs, topic, nil, global, keeps, keep, 0); f > bestF+1e-9 {
					best, bestF = c, f
				}
			}
			keeps[k] = best
		}
	}
	for k := range topic {
		npos := 0
		for _, y := range topic[k].ys {
			if y {
				npos++
			}
		}
		w := float64(npos) / (float64(npos) + topicKeepShrink)
		keeps[k] = math.Round((keep+(keeps[k]-keep)*w)*1000) / 1000
	}
	return keeps
}

package classifier

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
)

// Signals of the learned layer's reasons.
const (
	SignalModelReview = "model:needs_review"
	SignalModelTone   = "model:tone"
	SignalModelTopics = "model:topics"
)

// explainFeatures is how many of the strongest features a model reason
// names.
const explainFeatures = 5

// features computes the learned layer's input from an analysis and the
// rules' reasons (spread across outlets is left out: it depends on what else
// the process has seen, which training cannot reproduce).
//
// With lend the vector and the named features are the analysis's scratch's
// (see featureVector); training, which keeps its vectors, does not lend.
func (an *analysis) features(r *Rules, fc FeatureConfig, reasons []article.Reason, lend bool) (vec, *namedFeatures) {
	var risk float64
	var signals []string
	for _, rs := range reasons {
		if rs.Signal == SignalSpread || rs.Signal == SignalRelevance {
			continue
		}
		risk += rs.Weight
		signals = append(signals, rs.Signal)
	}
	nf := an.ruleFeatures(r, risk, signals)
	if fc.TopicHits {
		// How many alternatives of a topic rule matched: one passing
		// mention and a story full of the topic's words are one rule hit
		// but not the same evidence; and a headline names what the story
		// is mainly about.
		hits, inTitle := an.topicCounts(r)
		for ti, h := range hits {
			nf.add2("topic_hits:", r.topics[ti].Name, math.Log1p(float64(h)))
			nf.add2("topic_title:", r.topics[ti].Name, math.Log1p(float64(inTitle[ti])))
		}
	}
	return an.featureVector(fc, nf, nil, lend), nf
}

// topicCounts returns, per topic rule (the rules' order), how many of its
// alternatives match the article and how many of its words and phrases
// match the title. The rules stop at min_hits; the counts, wanted only by
// a model with FeatureConfig.TopicHits, are taken here.
func (an *analysis) topicCounts(r *Rules) (hits, inTitle []int) {
	hits = make([]int, len(r.topics))
	inTitle = make([]int, len(r.topics))
	hit := func(ti, i int) {
		hits[ti]++
		if ta := r.topics[ti].titleAlts[i]; ta != nil && ta.Match(an.doc) {
			inTitle[ti]++
		}
	}
	// What the rules already matched (analyze) is not matched again.
	scanned := an.topicScanned
	if len(scanned) != len(r.topics) {
		scanned = make([]int, len(r.topics))
	} else {
		for _, h := range an.topicAltHits {
			hit(int(h[0]), int(h[1]))
		}
	}
	for ti, t := range r.topics {
		for i := scanned[ti]; i < len(t.alts); i++ {
			if t.alts[i].Match(an.doc) {
				hit(ti, i)
			}
		}
	}
	return hits, inTitle
}

// hasEvidence reports whether an evidence signal fired: a claim the office
// has already answered (narrative), a figure outside the official range
// (fact_contradiction), a completed event described as pending
// (stale_fact). These are checked against what the office knows, not
// learned from how stories are worded, and the corpus the model learns
// from holds few of them; so the model may lower the risk of an ordinary
// story, but the risk of one with evidence is at least the rules' own,
// and an article about the province with evidence needs review whatever
// the model says (the guidelines flag possibly false or outdated claims;
// on the 715-item dev corpus the checks fire on 5 items about the
// province, 4 of them labelled for review).
func hasEvidence(reasons []article.Reason) bool {
	for _, rs := range reasons {
		sig, _, _ := strings.Cut(rs.Signal, ":")
		switch sig {
		case SignalNarrative, SignalFact, SignalStale:
			return true
		}
	}
	return false
}

// applyModel lets the model decide needs_review, tone and topics of an
// article that names the province, and adds its reasons. The risk becomes
// the calibrated review probability in percent (halved for a passing
// mention, as the rules do), but for an article with evidence never less
// than the rules' own risk (hasEvidence); the model reason's weight is the change from
// the rules' risk, so the weights still add up to the risk.
func (e *Engine) applyModel(r *Rules, an *analysis, c *article.Classification) {
	m := e.model
	x, nf := an.features(r, m.Features, c.Reasons, true)
	p := m.predict(x, c.Topics)
	prob := p.review
	if !an.about {
		prob /= mentionOnlyDiscount
	}
	newRisk := int(math.Round(100 * prob))
	var ruleSum float64
	for _, rs := range c.Reasons {
		ruleSum += rs.Weight
	}
	if an.about && hasEvidence(c.Reasons) && ruleSum > float64(newRisk) {
		newRisk = int(math.Round(min(ruleSum, 100)))
	}
	if ruleSum > 100 {
		// The rules' reasons add up past the scale: what is over 100 is
		// taken off in a reason of its own, so that the model's weight
		// below is only what the model changed (a new user read a
		// model row "p 99 %, −50" as the model arguing against review).
		c.Reasons = append(c.Reasons, article.Reason{Signal: SignalRiskCap,
			Detail: fmt.Sprintf("the reasons add up to %.0f; risk is at most 100", ruleSum), Weight: 100 - ruleSum})
		ruleSum = 100
	}
	review := m.NeedsReview.strongest(x, explainFeatures)
	var tone []contribution
	var toneModel *BinaryModel
	for i := range m.Tone {
		if m.Tone[i].Label == p.tone {
			toneModel = &m.Tone[i]
		}
	}
	if an.about && toneModel != nil {
		tone = toneModel.strongest(x, 3)
	}
	want := map[int32]string{}
	for _, cs := range [][]contribution{review, tone} {
		for _, c := range cs {
			want[c.idx] = ""
		}
	}
	an.featureVector(m.Features, nf, want, false)
	for _, cs := range [][]contribution{review, tone} {
		for i := range cs {
			cs[i].name = want[cs[i].idx]
		}
	}
	c.Reasons = append(c.Reasons, article.Reason{
		Signal: SignalModelReview,
		Detail: describeLong(fmt.Sprintf("model %s: p=%.2f (threshold %.2f); strongest: %s", m.ID(), prob, m.ReviewThreshold, describeContributions(review))),
		Weight: float64(newRisk) - ruleSum,
	})
	c.Risk = newRisk
	c.NeedsReview = an.about && (prob >= m.ReviewThreshold || ruleSum >= float64(e.opts.ReviewThreshold) || hasEvidence(c.Reasons))
	if an.about {
		c.Tone = p.tone
		c.Reasons = append(c.Reasons, article.Reason{
			Signal: SignalModelTone,
			Detail: describeLong(fmt.Sprintf("%s p=%.2f; strongest: %s", p.tone, p.toneProb, describeContributions(tone))),
		})
	}
	c.Topics = p.topics
	parts := make([]string, 0, len(p.topics))
	for _, t := range p.topics {
		parts = append(parts, fmt.Sprintf("%s p=%.2f", t, p.topicProbs[t]))
	}
	sort.Strings(parts)
	c.Reasons = append(c.Reasons, article.Reason{Signal: SignalModelTopics, Detail: describe(strings.Join(parts, ", "))})
}

// describeLong is describe with room for a model's strongest features.
func describeLong(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		i := 397
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}

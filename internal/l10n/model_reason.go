package l10n

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The learned layer's reasons (classifier/apply.go) carry the model's
// probability and its strongest features as codes ("model 6d4f…: p=0.53
// (threshold 0.17); strongest: rule:concern_x_negative +0.59, text:no luong
// +0.40"). Officers read them as a sentence: the probability as a
// percentage, and the features named in words, those that raised it apart
// from those that lowered it. Features with no name an officer would
// understand (hashed n-grams' numbers, place kinds) are left out.
var (
	modelReviewRE = regexp.MustCompile(`^model \S+: p=([\d.]+) \(threshold ([\d.]+)\); strongest: (.*)$`)
	modelToneRE   = regexp.MustCompile(`^(\w+) p=([\d.]+); strongest: (.*)$`)
	modelTopicRE  = regexp.MustCompile(`(\w+) p=([\d.]+)`)
	featureRE     = regexp.MustCompile(`^(.*) ([+-][\d.]+)$`)
)

// modelSentence writes a model:<kind> reason; ok is false for a detail of
// another shape.
func modelSentence(lang, kind, d string) (string, bool) {
	f := func(key string, args ...any) string { return fmt.Sprintf(T(lang, key), args...) }
	switch kind {
	case "needs_review":
		m := modelReviewRE.FindStringSubmatch(d)
		if m == nil {
			return "", false
		}
		return f("reason_model_review", percent(lang, m[1]), percent(lang, m[2])) + features(lang, m[3]), true
	case "tone":
		m := modelToneRE.FindStringSubmatch(d)
		if m == nil {
			return "", false
		}
		return f("reason_model_tone", Tone(lang, m[1]), percent(lang, m[2])) + features(lang, m[3]), true
	case "topics":
		// Most probable first (the detail lists them by code).
		ms := modelTopicRE.FindAllStringSubmatch(d, -1)
		sort.SliceStable(ms, func(i, j int) bool {
			pi, _ := strconv.ParseFloat(ms[i][2], 64)
			pj, _ := strconv.ParseFloat(ms[j][2], 64)
			return pi > pj
		})
		var parts []string
		for _, m := range ms {
			parts = append(parts, Topic(lang, m[1])+" ("+percent(lang, m[2])+")")
		}
		if len(parts) == 0 {
			return T(lang, "reason_model_no_topic"), true
		}
		return f("reason_model_topics", strings.Join(parts, ", ")), true
	}
	return "", false
}

// percent writes a probability "0.53" as "53%".
func percent(lang, p string) string {
	v, err := strconv.ParseFloat(p, 64)
	if err != nil {
		return p
	}
	return Num(lang, int64(v*100+0.5)) + "%"
}

// features writes " Raised by …; lowered by …." from "name +0.59, name
// -0.20", naming each feature in words; "" when none has a name.
func features(lang, list string) string {
	var up, down []string
	seen := map[string]bool{}
	for _, part := range strings.Split(list, ", ") {
		m := featureRE.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			continue
		}
		name, ok := featureName(lang, m[1])
		if !ok || seen[name] {
			continue
		}
		seen[name] = true
		if strings.HasPrefix(m[2], "-") {
			down = append(down, name)
		} else {
			up = append(up, name)
		}
	}
	var s string
	if len(up) > 0 {
		s += " " + fmt.Sprintf(T(lang, "reason_model_up"), strings.Join(up, "; "))
	}
	if len(down) > 0 {
		s += " " + fmt.Sprintf(T(lang, "reason_model_down"), strings.Join(down, "; "))
	}
	return s
}

// featureName names one of the learned layer's features (classifier/
// features.go) in words.
func featureName(lang, code string) (string, bool) {
	f := func(key string, args ...any) string { return fmt.Sprintf(T(lang, key), args...) }
	quote := func(w string) string { return quoteList(lang, []string{w}) }
	kind, rest, _ := strings.Cut(code, ":")
	switch kind {
	case "text":
		return quote(rest), rest != ""
	case "lexicon":
		_, w, ok := strings.Cut(rest, ":")
		return quote(w), ok && w != ""
	case "concern":
		return label(lang, "concern_", rest), true
	case "topic_rule", "topic_hits", "topic_title", "topic_partial":
		return f("feat_topic", Topic(lang, rest)), true
	case "topic_tone":
		t, tone, _ := strings.Cut(rest, "=")
		return f("feat_topic_tone", Topic(lang, t), strings.ToLower(Tone(lang, tone))), true
	case "risk_rule":
		return Signal(lang, rest), true
	case "place":
		return Place(lang, rest), rest != ""
	case "lang":
		return f("feat_lang", Language(lang, rest)), true
	case "country":
		return f("feat_country", Country(lang, rest)), true
	case "tier":
		return f("feat_tier", rest), true
	case "rule":
		if k, v, ok := strings.Cut(rest, "="); ok {
			switch k {
			case "tone":
				return f("feat_rule_tone", strings.ToLower(Tone(lang, v))), true
			case "concern_tone":
				return f("feat_concern_tone", strings.ToLower(Tone(lang, v))), true
			}
			return "", false
		}
		if s, ok := Lookup(lang, "feat_rule_"+rest); ok {
			return s, true
		}
	}
	return "", false
}

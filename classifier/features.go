package classifier

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dongnai/presswatch/internal/textnorm"
)

// FeatureConfig is the feature-hash configuration of a model: a model can
// only be used with the configuration it was trained with, so it is stored in
// the model file and checked when the model is loaded.
//
// Features live in one hashed space of NamedDim()+NgramDim() dimensions:
//
//   - named features [0, 2^NamedBits): what the rules found — topic-rule
//     hits, lexicon entries, gazetteer names, narrative/fact/stale reasons,
//     tone scores, relevance, language, outlet country and tier;
//   - text features [2^NamedBits, +2^NgramBits): language-independent
//     hashed n-grams over the folded tokens (internal/textnorm): every token,
//     every pair of adjacent tokens (CJK is one token per character, so these
//     are character uni- and bigrams in Han, Kana and Hangul, and syllable
//     bigrams in Vietnamese) and character 4-grams inside words of five or
//     more letters. Only the first MaxTokens tokens count: a story's lead says
//     what it is, and the cost stays bounded on long articles. The block is
//     log-scaled, L2-normalised and multiplied by NgramScale.
type FeatureConfig struct {
	NamedBits  int     `json:"named_bits"`
	NgramBits  int     `json:"ngram_bits"`
	MaxTokens  int     `json:"max_tokens"`
	NgramScale float64 `json:"ngram_scale"`
	// Hash names the hash function ("fnv1a32"); a model trained with another
	// is incompatible.
	Hash string `json:"hash"`
	// TopicHits adds, per topic rule, log(1 + the number of its
	// alternatives that matched) as a named feature (topic_hits:NAME), and
	// log(1 + the number of its words and phrases that matched in the
	// title) (topic_title:NAME). False in models trained before it
	// existed, which therefore see the features they were trained on.
	TopicHits bool `json:"topic_hits,omitempty"`
}

// DefaultFeatureConfig is the configuration `presswatch train` uses. 2^14
// text dimensions keep the model file near 1 MB while collisions stay rare
// for a corpus of a few thousand items; see docs/classifier.md for how
// NgramScale was chosen.
func DefaultFeatureConfig() FeatureConfig {
	return FeatureConfig{NamedBits: 11, NgramBits: 14, MaxTokens: 600, NgramScale: 2, Hash: "fnv1a32", TopicHits: true}
}

// Dim is the number of dimensions of the feature space.
func (fc FeatureConfig) Dim() int { return 1<<fc.NamedBits + 1<<fc.NgramBits }

func (fc FeatureConfig) valid() bool {
	return fc.Hash == "fnv1a32" && fc.NamedBits >= 6 && fc.NamedBits <= 16 && fc.NgramBits >= 8 && fc.NgramBits <= 20 &&
		fc.MaxTokens > 0 && fc.NgramScale > 0
}

// walkTextFeatures calls visit with the hash of each text feature of toks
// (sentence numbers each token's sentence), in order, and a function that
// gives the feature's name: the word (hash "u" + word), two words of one
// sentence written together (hash "b" + word + " " + word), and the
// character 4-grams of a word of five letters or more not in a CJK script,
// with "<" and ">" around it (hash "c" + 4-gram). appendTextHashes gives
// the same hashes, faster; the names are only for explaining a model.
func walkTextFeatures(toks []textnorm.Token, sentence []int, visit func(h uint32, name func() string)) {
	var padded []byte
	var starts []int
	for k, t := range toks {
		visit(fnvString(fnvString(fnvOffset, "u"), t.Text), func() string { return t.Text })
		if k+1 < len(toks) && joined(t, toks[k+1]) && sentence[k] == sentence[k+1] {
			next := toks[k+1].Text
			visit(fnvString(fnvString(fnvString(fnvString(fnvOffset, "b"), t.Text), " "), next), func() string { return t.Text + " " + next })
		}
		if n := utf8.RuneCountInString(t.Text); n >= 5 {
			r, _ := utf8.DecodeRuneInString(t.Text)
			if textnorm.IsCJK(r) {
				continue
			}
			padded = append(append(append(padded[:0], '<'), t.Text...), '>')
			starts = starts[:0]
			for i := range string(padded) {
				starts = append(starts, i)
			}
			starts = append(starts, len(padded))
			for s := 0; s+4 < len(starts); s++ {
				g := padded[starts[s]:starts[s+4]]
				visit(fnvString(fnvString(fnvOffset, "c"), string(g)), func() string { return string(g) })
			}
		}
	}
}

// Hash states after the features' kind letters.
var (
	fnvU = fnvString(fnvOffset, "u")
	fnvB = fnvString(fnvOffset, "b")
	fnvC = fnvString(fnvOffset, "c")
)

// appendTextHashes appends the hashes walkTextFeatures visits, in the same
// order, to hs: the same features, with a word's hash state reused for its
// pair and no rune decoding for words in ASCII (most words once folded).
func appendTextHashes(hs []uint32, toks []textnorm.Token, sentence []int) []uint32 {
	var padded []byte
	var starts []int
	for k, t := range toks {
		w := t.Text
		hs = append(hs, fnvString(fnvU, w))
		if k+1 < len(toks) && joined(t, toks[k+1]) && sentence[k] == sentence[k+1] {
			h := fnvString(fnvB, w)
			h ^= ' '
			h *= fnvPrime
			hs = append(hs, fnvString(h, toks[k+1].Text))
		}
		if len(w) < 5 {
			continue // fewer than five bytes: fewer than five letters
		}
		ascii := true
		for i := 0; i < len(w); i++ {
			if w[i] >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if ascii {
			// "<" + w + ">": len(w)-1 4-grams of single-byte letters.
			hs = append(hs, fnvString(fnvString(fnvC, "<"), w[:3]))
			for s := 0; s+4 <= len(w); s++ {
				hs = append(hs, fnvString(fnvC, w[s:s+4]))
			}
			h := fnvString(fnvC, w[len(w)-3:])
			h ^= '>'
			h *= fnvPrime
			hs = append(hs, h)
			continue
		}
		if utf8.RuneCountInString(w) < 5 {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(w); textnorm.IsCJK(r) {
			continue
		}
		padded = append(append(append(padded[:0], '<'), w...), '>')
		starts = starts[:0]
		for i := range string(padded) {
			starts = append(starts, i)
		}
		starts = append(starts, len(padded))
		for s := 0; s+4 < len(starts); s++ {
			hs = append(hs, fnvString(fnvC, string(padded[starts[s]:starts[s+4]])))
		}
	}
	return hs
}

// log1pSmall[k] is math.Log1p(k), computed once: a text feature's count
// is most often small.
var log1pSmall = func() (t [256]float64) {
	for k := range t {
		t[k] = math.Log1p(float64(k))
	}
	return t
}()

// log1pCount is math.Log1p(float64(n)).
func log1pCount(n uint16) float64 {
	if int(n) < len(log1pSmall) {
		return log1pSmall[n]
	}
	return math.Log1p(float64(n))
}

// vec is a sparse feature vector: distinct indices, named features first in
// order, text features in order of first occurrence.
type vec struct {
	idx []int32
	val []float32
}

func (v vec) dot(w []float32) float64 {
	var s float64
	for k, i := range v.idx {
		s += float64(w[i]) * float64(v.val[k])
	}
	return s
}

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func fnvString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

// namedFeatures collects the named features of one article. A name is
// kept in up to three pieces ("topic_tone:", topic, "=negative") and joined
// only when a decision is explained: the model needs its hash, which FNV-1a
// computes piece by piece, so an article's features cost no string
// building.
type namedFeatures struct {
	parts [][3]string
	vals  []float64
	kv    []namedValue // featureVector's scratch
}

// namedValue is a named feature's index in the vector and its value.
type namedValue struct {
	i int32
	v float32
}

func (nf *namedFeatures) add(name string, v float64) { nf.add3(name, "", "", v) }

func (nf *namedFeatures) add2(a, b string, v float64) { nf.add3(a, b, "", v) }

func (nf *namedFeatures) add3(a, b, c string, v float64) {
	if v == 0 {
		return
	}
	nf.parts = append(nf.parts, [3]string{a, b, c})
	nf.vals = append(nf.vals, v)
}

// name returns feature k's name.
func (nf *namedFeatures) name(k int) string {
	p := nf.parts[k]
	return p[0] + p[1] + p[2]
}

// hash returns fnvString of feature k's name.
func (nf *namedFeatures) hash(k int) uint32 {
	p := nf.parts[k]
	return fnvString(fnvString(fnvString(fnvOffset, p[0]), p[1]), p[2])
}

// names returns every feature's name, in order.
func (nf *namedFeatures) names() []string {
	out := make([]string, len(nf.parts))
	for k := range nf.parts {
		out[k] = nf.name(k)
	}
	return out
}

// ruleFeatures lists what the rules found in an article as named features.
// ruleRisk is the rules' risk before the model, and signals the risk reasons
// they gave. The features are lent by the analysis's scratch when it has
// one.
func (an *analysis) ruleFeatures(r *Rules, ruleRisk float64, signals []string) *namedFeatures {
	n := 24 + 2*len(an.topics) + len(an.topicsPartial) + len(an.concerns) + len(signals) + 2*len(an.dn) + len(an.lex)
	nf := &namedFeatures{}
	if an.sc != nil {
		nf = &an.sc.named
		nf.parts, nf.vals = nf.parts[:0], nf.vals[:0]
	}
	nf.parts, nf.vals = slices.Grow(nf.parts, n), slices.Grow(nf.vals, n)
	b := func(x bool) float64 {
		if x {
			return 1
		}
		return 0
	}
	nf.add("rule:about", b(an.about))
	nf.add("rule:mentions", b(an.mentions))
	nf.add("rule:implicit", b(an.implicit != ""))
	nf.add("rule:relevance", an.relevance)
	nf.add("rule:province_score", math.Log1p(an.dnScore))
	nf.add("rule:other_places", math.Log1p(float64(len(an.otherHits))))
	nf.add("rule:risk", ruleRisk/50)
	nf.add("rule:tone_positive", math.Log1p(an.tonePos))
	nf.add("rule:tone_negative", math.Log1p(an.toneNeg))
	nf.add2("rule:tone=", an.tone, 1)
	nf.add("rule:alarm_terms", math.Log1p(float64(len(an.alarms))))
	nf.add("rule:hedges", b(len(an.hedges) > 0))
	// A page with no date (travel guides, profiles, tag pages) serves its
	// content as current; the guidelines flag outdated pages. A flag, not
	// the page's age: the age depends on the clock, which training and
	// use do not share.
	nf.add("rule:undated", b(an.undated))
	// The net of the tone words, bounded: one strong word against none is
	// not the same as ten against nine, which the two counts alone cannot
	// tell a linear model.
	nf.add("rule:tone_net", (an.tonePos-an.toneNeg)/(an.tonePos+an.toneNeg+1))
	for _, t := range an.topics {
		nf.add2("topic_rule:", t, 1)
		// What tone words mean depends on the topic (corpus guidelines: a
		// routine solved crime is neutral though its words are negative;
		// infrastructure progress is positive in neutral words), so the
		// model gets each topic together with the rules' tone.
		nf.add3("topic_tone:", t, "="+an.tone, 1)
	}
	// A topic whose rule needs two words and found one is weaker evidence,
	// not none: the model weighs it. On the corpus a third of the rules'
	// topic misses (121 of 361 on items about the province) are such items.
	for _, t := range an.topicsPartial {
		nf.add2("topic_partial:", t, 1)
	}
	for _, c := range an.concerns {
		nf.add2("concern:", r.concerns[c.idx].Name, 1)
	}
	nf.add("rule:concerns", math.Log1p(float64(len(an.concerns))))
	if len(an.concerns) > 0 {
		// Review ≈ a concern told negatively: a linear model needs the
		// conjunction spelled out.
		nf.add2("rule:concern_tone=", an.tone, 1)
		nf.add("rule:concern_x_negative", math.Log1p(an.toneNeg))
	}
	for _, s := range signals {
		nf.add2("risk_rule:", s, 1)
	}
	places := len(nf.parts)
	for _, d := range an.dn {
		if !slices.ContainsFunc(nf.parts[places:], func(p [3]string) bool { return p[0] == "place:" && p[1] == d.entry.Canonical }) {
			nf.add2("place:", d.entry.Canonical, 1)
			nf.add2("place_kind:", d.entry.Kind, 1)
		}
	}
	if len(an.former) > 0 {
		nf.add("rule:former_territory", 1)
	}
	for _, h := range an.lex {
		if h.ref.kind == lexNegator {
			continue
		}
		nf.add(r.lex[h.ref.idx].feature, 1)
	}
	nf.add2("lang:", an.lang, 1)
	if an.a.Country != "" {
		nf.add2("country:", strings.ToUpper(an.a.Country), 1)
	}
	if an.a.Tier > 0 {
		nf.add2("tier:", strconv.Itoa(an.a.Tier), 1)
	}
	return nf
}

// featureVector turns named features and the article's tokens into a vector
// in fc's space. When want is not nil, it instead records in want the name of
// every wanted index it meets (used to explain a decision without naming
// every feature of every article).
//
// With lend, the vector is the analysis's scratch's, valid until the next
// lent vector or the analysis's release (the model's use while
// classifying); without, it is the caller's (training keeps its vectors).
func (an *analysis) featureVector(fc FeatureConfig, nf *namedFeatures, want map[int32]string, lend bool) vec {
	namedDim := uint32(1) << fc.NamedBits
	ngramMask := uint32(1)<<fc.NgramBits - 1
	sc := an.sc
	if sc == nil {
		sc = new(scratch)
	}
	named := sc.named.kv[:0]
	defer func() { sc.named.kv = named[:0] }()
	for k := range nf.parts {
		i := int32(nf.hash(k) & (namedDim - 1))
		if want != nil {
			if _, ok := want[i]; ok && want[i] == "" {
				want[i] = nf.name(k)
			}
			continue
		}
		named = append(named, namedValue{i, float32(nf.vals[k])})
	}
	toks := an.toks
	if len(toks) > fc.MaxTokens {
		toks = toks[:fc.MaxTokens]
	}
	hs := sc.hashes[:0]
	defer func() { sc.hashes = hs[:0] }()
	if want != nil {
		// Names are built only for wanted indices (few: a linear scan
		// beats a map lookup per hash).
		var wantIdx []int32
		for i, n := range want {
			if n == "" && i >= int32(namedDim) {
				wantIdx = append(wantIdx, i)
			}
		}
		if len(wantIdx) == 0 {
			return vec{} // only named features wanted: no need to walk the text
		}
		walkTextFeatures(toks, an.sentence, func(h uint32, name func() string) {
			i := int32(namedDim + (h & ngramMask))
			if slices.Contains(wantIdx, i) && want[i] == "" {
				want[i] = "text:" + name()
			}
		})
		return vec{}
	}
	for _, h := range appendTextHashes(sc.hashes[:0], toks, an.sentence) {
		hs = append(hs, namedDim+(h&ngramMask))
	}
	// Count the text features in a dense scratch array (no sort): the
	// vector's text block is in order of first occurrence, which is all
	// a dot product needs.
	if len(sc.counts) != 1<<fc.NgramBits {
		sc.counts = make([]uint16, 1<<fc.NgramBits)
	}
	counts := sc.counts
	defer func() {
		for _, h := range hs {
			counts[h-namedDim] = 0 // all zero again for the next article
		}
	}()
	distinct := sc.distinct[:0] // the text features, in order of first occurrence
	defer func() { sc.distinct = distinct[:0] }()
	for _, h := range hs {
		i := h - namedDim
		if counts[i] == 0 {
			distinct = append(distinct, h)
		}
		if counts[i] < math.MaxUint16 {
			counts[i]++
		}
	}
	n := len(named) + len(distinct)
	var v vec
	if lend {
		v = vec{idx: slices.Grow(sc.vec.idx[:0], n), val: slices.Grow(sc.vec.val[:0], n)}
		defer func() { sc.vec = v }()
	} else {
		v = vec{idx: make([]int32, 0, n), val: make([]float32, 0, n)}
	}
	slices.SortFunc(named, func(a, b namedValue) int { return int(a.i - b.i) })
	for _, x := range named {
		if n := len(v.idx); n > 0 && v.idx[n-1] == x.i {
			v.val[n-1] += x.v
			continue
		}
		v.idx = append(v.idx, x.i)
		v.val = append(v.val, x.v)
	}
	start := len(v.idx)
	var norm float64
	for _, h := range distinct {
		x := log1pCount(counts[h-namedDim])
		norm += x * x
		v.idx = append(v.idx, int32(h))
		v.val = append(v.val, float32(x))
	}
	if norm > 0 {
		scale := fc.NgramScale / math.Sqrt(norm)
		for k := start; k < len(v.val); k++ {
			v.val[k] *= float32(scale)
		}
	}
	return v
}

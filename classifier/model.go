package classifier

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Model file format. A file whose format or version differs is refused at
// start-up with ErrIncompatibleModel.
const (
	ModelFormat  = "presswatch-classifier-model"
	ModelVersion = 1
)

// ErrIncompatibleModel is returned when a model file cannot be used by this
// build or with these rules.
var ErrIncompatibleModel = errors.New("incompatible classifier model")

// Model is the learned layer beside the rules: calibrated logistic
// regressions for needs_review, tone and topics over the rule features and
// hashed text features (FeatureConfig). It is written by `presswatch train`
// as JSON and loaded with LoadModel.
type Model struct {
	Format   string        `json:"format"`
	Version  int           `json:"version"`
	Features FeatureConfig `json:"features"`
	Training TrainingInfo  `json:"training"`
	// NeedsReview is the needs_review model; an article the rules find to
	// be about the province needs review when its calibrated probability is
	// at least ReviewThreshold (chosen by cross-validation, see TrainModel)
	// or when the rules' risk reaches their own review threshold.
	NeedsReview     BinaryModel `json:"needs_review"`
	ReviewThreshold float64     `json:"needs_review_threshold"`
	// Tone holds one-vs-rest models for positive, neutral and negative; the
	// most probable tone wins, neutral's probability counted with
	// ToneNeutralMargin added (chosen by cross-validation, see
	// toneMargin; 0 in models trained before it existed).
	Tone              []BinaryModel `json:"tone"`
	ToneNeutralMargin float64       `json:"tone_neutral_margin,omitempty"`
	// ToneStack, when present, decides the tone instead: one model each
	// for positive, neutral and negative (Tone's order) over the log-odds
	// of the tone and topic probabilities (classifier/tonestack.go); the
	// most probable wins, neutral's counted with ToneStackMargin added.
	// Absent in models trained before it existed.
	ToneStack       []StackModel `json:"tone_stack,omitempty"`
	ToneStackMargin float64      `json:"tone_stack_margin,omitempty"`
	// Topics holds one model per topic. A topic is reported when its
	// probability is at least TopicThreshold, or when a topic rule matched
	// and its probability is at least TopicKeep; the most probable topic is
	// reported when none is.
	Topics         []BinaryModel `json:"topics"`
	TopicThreshold float64       `json:"topic_threshold"`
	TopicKeep      float64       `json:"topic_keep"`

	id string
	// rows holds the weights of every binary model (NeedsReview, Tone…,
	// Topics…) interleaved by feature: the weights of dimension i are
	// rows[i*n : i*n+n], n the number of models. Made by LoadModel so that
	// predict reads each feature's weights from one place instead of
	// from every model's own array; nil for a model not loaded.
	rows []float32
}

// binaryModels returns the models rows interleaves, in its order.
func (m *Model) binaryModels() []*BinaryModel {
	out := make([]*BinaryModel, 0, 1+len(m.Tone)+len(m.Topics))
	out = append(out, &m.NeedsReview)
	for i := range m.Tone {
		out = append(out, &m.Tone[i])
	}
	for i := range m.Topics {
		out = append(out, &m.Topics[i])
	}
	return out
}

// binaryModel is binaryModels()[j] without making the list.
func (m *Model) binaryModel(j int) *BinaryModel {
	switch {
	case j == 0:
		return &m.NeedsReview
	case j <= len(m.Tone):
		return &m.Tone[j-1]
	}
	return &m.Topics[j-1-len(m.Tone)]
}

// interleave fills rows from the models' weights.
func (m *Model) interleave(dim int) {
	bms := m.binaryModels()
	n := len(bms)
	m.rows = make([]float32, dim*n)
	for j, bm := range bms {
		for i, w := range bm.w {
			m.rows[i*n+j] = w
		}
	}
}

// scores returns every binary model's score (BinaryModel.score) of x, in
// binaryModels' order. Each sum is taken over x's features in the same
// order as vec.dot, so the scores are exactly those.
func (m *Model) scores(x vec) []float64 {
	n := 1 + len(m.Tone) + len(m.Topics)
	out := make([]float64, n)
	if m.rows == nil {
		for j := range out {
			out[j] = m.binaryModel(j).score(x)
		}
		return out
	}
	val := x.val[:len(x.idx)]
	for k, i := range x.idx {
		xv := float64(val[k])
		row := m.rows[int(i)*n : int(i)*n+n]
		acc := out[:len(row)] // the same length: no bounds check per weight
		for j, w := range row {
			acc[j] += float64(w) * xv
		}
	}
	for j := range out {
		out[j] += m.binaryModel(j).Bias
	}
	return out
}

// ID is a short hash of the model file the model was loaded from, named in
// the model's reasons so that precision can be followed per model; a model
// not loaded from a file is "unsaved".
func (m *Model) ID() string {
	if m.id == "" {
		return "unsaved"
	}
	return m.id
}

// TrainingInfo records how a model was trained.
type TrainingInfo struct {
	At           time.Time `json:"at"`
	Corpus       []string  `json:"corpus"`
	Items        int       `json:"items"`
	TriageLabels int       `json:"triage_labels"`
	RulesVersion string    `json:"rules_version"`
	Lambda       float64   `json:"lambda"`
	InnerFolds   int       `json:"inner_folds"`
	ReviewRecall float64   `json:"review_recall_target"`
	// TopicNBPower is TrainOptions.TopicNBPower as trained (0: off, or a
	// model from before it existed). Informational: the weighting is
	// folded into the weights.
	TopicNBPower float64            `json:"topic_nb_power,omitempty"`
	CV           map[string]float64 `json:"cv,omitempty"`
}

// BinaryModel is one calibrated logistic regression: p = σ(PlattA·(w·x +
// Bias) + PlattB). Weights are little-endian int16 values times Scale,
// base64-encoded, one per feature dimension.
type BinaryModel struct {
	Label   string  `json:"label"`
	Bias    float64 `json:"bias"`
	Scale   float64 `json:"scale"`
	Weights string  `json:"weights"`
	PlattA  float64 `json:"platt_a"`
	PlattB  float64 `json:"platt_b"`
	w       []float32
}

func newBinaryModel(label string, lr *logReg, a, b float64) BinaryModel {
	var mx float64
	for _, x := range lr.w {
		mx = math.Max(mx, math.Abs(float64(x)))
	}
	scale := mx / 32767
	if scale == 0 {
		scale = 1
	}
	buf := make([]byte, 2*len(lr.w))
	w := make([]float32, len(lr.w))
	for i, x := range lr.w {
		q := int16(math.Round(float64(x) / scale))
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(q))
		w[i] = float32(float64(q) * scale)
	}
	return BinaryModel{Label: label, Bias: lr.bias, Scale: scale, Weights: base64.StdEncoding.EncodeToString(buf), PlattA: a, PlattB: b, w: w}
}

func (m *BinaryModel) decode(dim int) error {
	buf, err := base64.StdEncoding.DecodeString(m.Weights)
	if err != nil {
		return fmt.Errorf("model %q: weights: %w", m.Label, err)
	}
	if len(buf) != 2*dim {
		return fmt.Errorf("model %q: %d weights, the feature configuration has %d dimensions", m.Label, len(buf)/2, dim)
	}
	if math.IsNaN(m.Scale) || m.Scale <= 0 || math.IsNaN(m.Bias) || math.IsNaN(m.PlattA) || math.IsNaN(m.PlattB) {
		return fmt.Errorf("model %q: bad scale, bias or calibration", m.Label)
	}
	m.w = make([]float32, dim)
	for i := range m.w {
		m.w[i] = float32(float64(int16(binary.LittleEndian.Uint16(buf[2*i:]))) * m.Scale)
	}
	return nil
}

func (m *BinaryModel) score(x vec) float64 { return x.dot(m.w) + m.Bias }

// LoadModel reads and checks a model file. Any problem wraps
// ErrIncompatibleModel and says what is wrong.
func LoadModel(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read classifier model: %w", err)
	}
	var m Model
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: decode: %w", ErrIncompatibleModel, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrIncompatibleModel, fmt.Sprintf(format, args...))
	}
	if m.Format != ModelFormat {
		return nil, bad("format %q, want %q", m.Format, ModelFormat)
	}
	if m.Version != ModelVersion {
		return nil, bad("model file version %d, this build reads version %d (retrain with `presswatch train`)", m.Version, ModelVersion)
	}
	if !m.Features.valid() {
		return nil, bad("unsupported feature configuration %+v", m.Features)
	}
	dim := m.Features.Dim()
	if err := m.NeedsReview.decode(dim); err != nil {
		return nil, bad("%v", err)
	}
	if m.ReviewThreshold <= 0 || m.ReviewThreshold >= 1 || m.TopicThreshold <= 0 || m.TopicThreshold >= 1 || m.TopicKeep < 0 || m.TopicKeep >= 1 ||
		m.ToneNeutralMargin < 0 || m.ToneNeutralMargin >= 1 {
		return nil, bad("thresholds must be between 0 and 1")
	}
	tones := map[string]bool{}
	for i := range m.Tone {
		if err := m.Tone[i].decode(dim); err != nil {
			return nil, bad("%v", err)
		}
		switch m.Tone[i].Label {
		case "positive", "neutral", "negative":
			tones[m.Tone[i].Label] = true
		default:
			return nil, bad("unknown tone %q", m.Tone[i].Label)
		}
	}
	if len(tones) != 3 || len(m.Tone) != 3 {
		return nil, bad("tone needs one model each for positive, neutral and negative")
	}
	if len(m.Topics) == 0 {
		return nil, bad("no topic models")
	}
	for i := range m.Topics {
		if err := m.Topics[i].decode(dim); err != nil {
			return nil, bad("%v", err)
		}
	}
	if err := m.checkToneStack(); err != nil {
		return nil, bad("%v", err)
	}
	m.interleave(dim)
	sum := sha256.Sum256(data)
	m.id = hex.EncodeToString(sum[:6])
	return &m, nil
}

// Encode writes the model as indented JSON.
func (m *Model) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("write classifier model: %w", err)
	}
	return nil
}

// checkRules reports an error when the model predicts a topic the rules do
// not define.
func (m *Model) checkRules(r *Rules) error {
	known := r.Topics()
	for _, t := range m.Topics {
		if !slices.Contains(known, t.Label) {
			return fmt.Errorf("%w: model predicts topic %q, which the rules do not define", ErrIncompatibleModel, t.Label)
		}
	}
	return nil
}

// prediction is what the model says about one article.
type prediction struct {
	review     float64
	tone       string
	toneProb   float64
	topics     []string
	topicProbs map[string]float64
}

func (m *Model) predict(x vec, ruleTopics []string) prediction {
	sc := m.scores(x) // NeedsReview, Tone…, Topics…
	prob := func(bm *BinaryModel, score float64) float64 { return sigmoid(bm.PlattA*score + bm.PlattB) }
	p := prediction{review: prob(&m.NeedsReview, sc[0]), topicProbs: map[string]float64{}}
	toneV := -1.0
	var toneProbs, topicProbs []float64 // the second stage's input, when there is one
	if len(m.ToneStack) > 0 {
		toneProbs = make([]float64, len(m.Tone))
		topicProbs = make([]float64, len(m.Topics))
	}
	for i := range m.Tone {
		q := prob(&m.Tone[i], sc[1+i])
		if toneProbs != nil {
			toneProbs[i] = q
		}
		v := q
		if m.Tone[i].Label == "neutral" {
			v += m.ToneNeutralMargin
		}
		if v > toneV {
			toneV, p.tone, p.toneProb = v, m.Tone[i].Label, q
		}
	}
	best, bestP := "", -1.0
	for i := range m.Topics {
		q := prob(&m.Topics[i], sc[1+len(m.Tone)+i])
		p.topicProbs[m.Topics[i].Label] = q
		if topicProbs != nil {
			topicProbs[i] = q
		}
		if q >= m.TopicThreshold || (q >= m.TopicKeep && slices.Contains(ruleTopics, m.Topics[i].Label)) {
			p.topics = append(p.topics, m.Topics[i].Label)
		}
		if q > bestP {
			best, bestP = m.Topics[i].Label, q
		}
	}
	if len(p.topics) == 0 && best != "" {
		p.topics = []string{best}
	}
	if toneProbs != nil {
		p.tone, p.toneProb = m.stackTone(toneProbs, topicProbs)
	}
	return p
}

// contribution is one feature's share of a decision value.
type contribution struct {
	idx   int32
	value float64
	name  string
}

// strongest returns the k features that push m's decision hardest, either
// way, by |w·x|.
func (m *BinaryModel) strongest(x vec, k int) []contribution {
	// Keep the k largest by |w·x| in a small sorted slice: one pass, no
	// sort of every feature.
	top := make([]contribution, 0, k+1)
	less := func(a, b contribution) bool { // a ranks before b
		if math.Abs(a.value) != math.Abs(b.value) {
			return math.Abs(a.value) > math.Abs(b.value)
		}
		return a.idx < b.idx
	}
	for j, i := range x.idx {
		c := contribution{idx: i, value: float64(m.w[i]) * float64(x.val[j])}
		if c.value == 0 || (len(top) == k && !less(c, top[k-1])) {
			continue
		}
		p := len(top)
		top = append(top, c)
		for p > 0 && less(c, top[p-1]) {
			top[p] = top[p-1]
			p--
		}
		top[p] = c
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}

func describeContributions(cs []contribution) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		name := c.name
		if name == "" {
			name = fmt.Sprintf("feature#%d", c.idx)
		}
		parts[i] = fmt.Sprintf("%s %+.2f", name, c.value)
	}
	return strings.Join(parts, ", ")
}

package extract

// Thresholds are the numbers the selection step (choose.go) and the cleaning
// step (clean.go) decide with. DefaultThresholds gives the shipped values and
// docs/extraction.md says how they were chosen (by cross-validation on the
// Zyte benchmark, see CrossValidate).
type Thresholds struct {
	// ContainedCov: a text whose word 4-gram shingles are at least this share
	// inside the other text is "contained" in it.
	ContainedCov float64
	// ExtraCov: below this share inside the other text, a text carries
	// material the other lacks.
	ExtraCov float64
	// ShortWords: a trafilatura text under this many words that readability's
	// is more than ShortRatio times as long as is taken for a miss
	// (trafilatura's own fallback rule: 100 words, twice as long).
	ShortWords int
	ShortRatio float64
	// MinReadWords: a readability text under this many words never replaces
	// trafilatura's (readability found a fragment, not a tighter article).
	MinReadWords int
	// ProseMinWords is the length from which a paragraph only readability
	// found is taken as article prose (when it also ends like a sentence).
	ProseMinWords int
	// ContinuationShare: readability's extra prose must amount to this share
	// of trafilatura's text before it is added (trafilatura stopped early).
	ContinuationShare float64
	// RepeatedMin short paragraphs of at most RepeatedMaxWords words with the
	// same words make readability's extra text a list of items.
	RepeatedMin      int
	RepeatedMaxWords int
	// MaxCueWords: a paragraph longer than this is text even if it starts
	// with a boilerplate cue ("Read more", "Xem thêm", …).
	MaxCueWords int
}

// DefaultThresholds returns the thresholds an Extractor uses unless
// Options.Thresholds says otherwise: for the searched ones, the per-threshold
// median of the choices of a 10-fold cross-validated grid search on the Zyte
// benchmark (CrossValidate with DefaultGrid; every fold, and the search on
// all 181 pages, chose these same values). ShortRatio and the repeated-line
// rule were not searched: they keep trafilatura's rule and the hand-set
// values.
func DefaultThresholds() Thresholds {
	return Thresholds{
		ContainedCov:      0.85,
		ExtraCov:          0.95,
		ShortWords:        100,
		ShortRatio:        2,
		MinReadWords:      30,
		ProseMinWords:     15,
		ContinuationShare: 0.5,
		RepeatedMin:       3,
		RepeatedMaxWords:  8,
		MaxCueWords:       25,
	}
}

package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Narrative is a false or distorted claim the office has answered, created
// from one of its responses so that later articles repeating it are flagged
// (issue 16). The classifier merges these with configs/narratives.yaml.
type Narrative struct {
	ID string
	// Claim states the false claim in the officer's words.
	Claim string
	// Phrases are words or phrases of the claim, in any language; an
	// article matches when it holds one of them (near a Context name, when
	// Context is set).
	Phrases []string
	// Context are names (places, projects) one of which must be within a
	// few words of the phrase; empty means the phrase alone is enough.
	Context    []string
	Correction string // the fact that refutes the claim
	ResponseID string
	ArticleID  string
	Weight     float64
	CreatedBy  string
	CreatedAt  time.Time
	// RetiredAt is when an officer stopped the narrative from flagging
	// articles (zero: it is in force); RetiredBy and RetireNote say who and
	// why. A retired narrative stays listed: alerts it raised still name it.
	RetiredAt  time.Time
	RetiredBy  string
	RetireNote string
	// Seq increases with every narrative stored.
	Seq int64
}

// Retired reports whether n no longer flags articles.
func (n Narrative) Retired() bool { return !n.RetiredAt.IsZero() }

// NarrativeStore keeps the narratives created from responses.
type NarrativeStore interface {
	// CreateNarrative stores n; storing the same ID again changes nothing.
	CreateNarrative(ctx context.Context, n Narrative) error
	// ListNarratives returns every narrative, oldest first.
	ListNarratives(ctx context.Context) ([]Narrative, error)
	// RetireNarrative stops narrative id from flagging articles, noting
	// who retired it, when and why. It reports false when the narrative was
	// already retired, and wraps ErrNotFound when there is none.
	RetireNarrative(ctx context.Context, id, by, note string, at time.Time) (bool, error)
	// NarrativesVersion is the Seq of the newest narrative plus the number
	// of retired ones (0 when none): it grows whenever one is added or
	// retired.
	NarrativesVersion(ctx context.Context) (int64, error)
	// MarkResponseRepeated sets the outcome of response id to repeated,
	// noting the article that repeated the claim, unless the outcome is
	// already corrected, retracted or repeated, or articleID is the
	// response's own article. It reports whether it changed the outcome.
	MarkResponseRepeated(ctx context.Context, id, articleID, note string, at time.Time) (bool, error)
}

// Both backends implement NarrativeStore.
var (
	_ NarrativeStore = (*sqliteStore)(nil)
	_ NarrativeStore = (*pgStore)(nil)
)

// ErrInvalidNarrative is returned for a narrative that cannot be stored.
var ErrInvalidNarrative = errors.New("invalid narrative")

// Limits of a narrative.
const (
	MaxNarrativePhrases = 40
	maxNarrativeText    = 4000
)

// CheckNarrative reports what is wrong with n, wrapping ErrInvalidNarrative.
func CheckNarrative(n Narrative) error {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrInvalidNarrative, why) }
	switch {
	case n.ID == "" || utf8.RuneCountInString(n.ID) > maxResponseLine:
		return bad("an ID is required")
	case strings.TrimSpace(n.Claim) == "":
		return bad("the claim is empty")
	case strings.TrimSpace(n.Correction) == "":
		return bad("the correcting fact is empty")
	case len(n.Phrases) == 0:
		return bad("at least one phrase is required")
	case len(n.Phrases) > MaxNarrativePhrases || len(n.Context) > MaxNarrativePhrases:
		return bad(fmt.Sprintf("more than %d phrases", MaxNarrativePhrases))
	case utf8.RuneCountInString(n.Claim) > maxNarrativeText || utf8.RuneCountInString(n.Correction) > maxNarrativeText:
		return bad(fmt.Sprintf("a text is longer than %d characters", maxNarrativeText))
	case n.Weight < 0 || n.Weight > 100:
		return bad("the weight is not between 0 and 100")
	}
	for _, p := range append(append([]string{}, n.Phrases...), n.Context...) {
		if strings.TrimSpace(p) == "" || strings.ContainsAny(p, "\n\r\x00") || utf8.RuneCountInString(p) > maxResponseLine {
			return bad(fmt.Sprintf("bad phrase %q", p))
		}
	}
	for _, s := range []string{n.ID, n.Claim, n.Correction, n.ResponseID, n.ArticleID, n.CreatedBy} {
		if strings.ContainsRune(s, 0) {
			return bad("a NUL character")
		}
	}
	return nil
}

func joinLines(xs []string) string { return strings.Join(xs, "\n") }

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// repeatableOutcome reports whether a response with this outcome may become
// "repeated": a correction or retraction by the outlet stays as it is.
func repeatableOutcome(o string) bool { return o == "" || o == OutcomePending || o == OutcomeUnchanged }

// checkRetireNote rejects a retirement note longer than a narrative's texts
// may be.
func checkRetireNote(note string) error {
	if utf8.RuneCountInString(note) > maxNarrativeText {
		return fmt.Errorf("%w: the note is longer than %d characters", ErrInvalidNarrative, maxNarrativeText)
	}
	return nil
}

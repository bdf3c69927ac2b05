package classifier

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/dongnai/presswatch/query"
	"github.com/dongnai/presswatch/store"
)

// NarrativeSource is where narratives created from the office's responses
// are kept (the store). The classifier merges them with narratives.yaml.
type NarrativeSource interface {
	NarrativesVersion(ctx context.Context) (int64, error)
	ListNarratives(ctx context.Context) ([]store.Narrative, error)
}

// narrativeNear is how many words may separate a context name from a phrase.
const narrativeNear = 12

// NarrativeQuery is the claim query of a stored narrative: any of its
// phrases, within a few words of any of its context names when it has
// some. Quotes in phrases are dropped (each phrase is one quoted phrase).
func NarrativeQuery(n store.Narrative) string {
	quote := func(xs []string) string {
		var out []string
		for _, x := range xs {
			x = strings.TrimSpace(strings.ReplaceAll(x, `"`, " "))
			if x != "" {
				out = append(out, `"`+x+`"`)
			}
		}
		return "(" + strings.Join(out, " OR ") + ")"
	}
	q := quote(n.Phrases)
	if len(n.Context) > 0 {
		q = quote(n.Context) + " NEAR/" + strconv.Itoa(narrativeNear) + " " + q
	}
	return q
}

// compileNarrative turns a stored narrative into the rules' form.
func compileNarrative(n store.Narrative) (narrative, error) {
	q, err := query.Parse(NarrativeQuery(n))
	if err != nil {
		return narrative{}, fmt.Errorf("narrative %s: %w", n.ID, err)
	}
	w := n.Weight
	if w <= 0 {
		w = 50
	}
	return narrative{ID: n.ID, Claim: q, claim: query.Prepare(q), Correction: n.Correction, Weight: w,
		ResponseID: n.ResponseID, ClaimText: n.Claim}.withReason(), nil
}

// withNarratives returns a copy of r with extra narratives after the
// file's, versioned by the store's narrative version.
func (r *Rules) withNarratives(extra []narrative, version int64) *Rules {
	if len(extra) == 0 && version == 0 {
		return r
	}
	c := *r
	c.narrs = append(append(make([]narrative, 0, len(r.narrs)+len(extra)), r.narrs...), extra...)
	c.Version = r.Version + "+n" + strconv.FormatInt(version, 10)
	c.fileVersion = r.Version
	return &c
}

// SyncNarratives loads the narratives of src when its version moved since
// the last call and swaps them into the rules in use: a narrative created
// from a response is matched by the next article classified, in this
// process or any other. It reports whether the rules changed; on error the
// rules in use are kept.
func (e *Engine) SyncNarratives(ctx context.Context, src NarrativeSource) (bool, error) {
	v, err := src.NarrativesVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("sync narratives: %w", err)
	}
	e.narrMu.Lock()
	defer e.narrMu.Unlock()
	if v == e.narrVersion {
		return false, nil
	}
	list, err := src.ListNarratives(ctx)
	if err != nil {
		return false, fmt.Errorf("sync narratives: %w", err)
	}
	extra := make([]narrative, 0, len(list))
	for _, n := range list {
		if n.Retired() {
			continue
		}
		c, err := compileNarrative(n)
		if err != nil {
			e.log.Warn("stored narrative skipped", "narrative", n.ID, "err", err)
			continue
		}
		extra = append(extra, c)
	}
	e.extra, e.narrVersion = extra, v
	cur := e.Rules()
	base := cur
	if cur.fileVersion != "" {
		base = &Rules{}
		*base = *cur
		base.Version = cur.fileVersion
		base.narrs = cur.narrs[:len(cur.narrs)-cur.extraCount()]
	}
	e.rules.Store(base.withNarratives(extra, v))
	e.log.Info("narratives from responses loaded", "count", len(extra), "version", v)
	return true, nil
}

// extraCount is how many of r's narratives came from the store.
func (r *Rules) extraCount() int {
	n := 0
	for _, x := range r.narrs {
		if x.ResponseID != "" {
			n++
		}
	}
	return n
}

// NarrativeResponse returns the response a narrative was created from
// (empty for the narratives of narratives.yaml).
func (e *Engine) NarrativeResponse(id string) string {
	for _, n := range e.Rules().narrs {
		if n.ID == id {
			return n.ResponseID
		}
	}
	return ""
}

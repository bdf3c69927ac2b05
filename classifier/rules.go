package classifier

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dongnai/presswatch/internal/textnorm"
	"github.com/dongnai/presswatch/query"
)

// Rules is one compiled, immutable set of classifier rules: the gazetteer,
// topic rules, tone lexicons, narratives and facts. An Engine swaps whole
// Rules on reload, so a classification never sees half of two versions.
type Rules struct {
	Version string // short hash of every rule file's bytes (+n<seq> with stored narratives)
	// fileVersion is the rule files' version when stored narratives were
	// added to them.
	fileVersion string

	entries []gazEntry
	traps   []gazTrapEntry
	others  []string // canonical names of other places
	topics  []topic
	// concerns: kinds of event an officer must see (concerns.yaml).
	concerns []topic
	lex      []lexEntry
	narrs    []narrative
	facts    []fact
	stale    []staleRule
	implied  []implicitRule
	trie     trie
}

type gazEntry struct {
	Canonical string
	folded    string // textnorm.Fold(Canonical), the entity keyword of the query document
	Kind      string
	Weight    float64
	Ambiguous bool
	Mention   bool
	Since     time.Time
}

type gazTrapEntry struct {
	Text, Kind, Reason string
}

type topic struct {
	Name      string
	Query     query.Node
	alts      []*query.Prepared // the alternatives of the top-level OR
	altTerms  []string          // alts[i] as an officer reads it: its query text without quotes or * (concerns only)
	altFolded []string          // altTerms[i] folded (concerns only)
	titleAlts []*query.Prepared // alts[i] in the title only (nil: not a word or phrase)
	Sensitive bool
	MinHits   int // distinct alternatives of the top-level OR that must match
	// Weight is a concern's share of the rules' risk (concerns.yaml only).
	Weight float64
}

type lexEntry struct {
	Text    string
	Weight  float64
	feature string // its named feature: "lexicon:<kind>:<text>"
}

// lexKinds names the lexicon kinds (lexPos …) in feature names.
var lexKinds = [...]string{"positive", "negative", "alarm", "hedge", "negator"}

type narrative struct {
	ID         string
	Claim      query.Node
	claim      *query.Prepared
	Correction string
	Weight     float64
	// ResponseID and ClaimText are set for a narrative created from one of
	// the office's responses (kept in the store, not in narratives.yaml).
	ResponseID string
	ClaimText  string
	reason     string // the reason's detail when the claim matches (withReason)
}

// withReason sets what an officer reads when the claim matches: the
// response it came from, or the claim's query and the official correction.
// Built once when the rules load, not for every article that matches.
func (n narrative) withReason() narrative {
	if n.ResponseID != "" {
		n.reason = describe("from response " + n.ResponseID + ": " + n.ClaimText)
	} else {
		n.reason = describe("matches claim " + query.String(n.Claim) + "; official correction: " + n.Correction)
	}
	return n
}

type fact struct {
	Name      string
	Keywords  query.Node // context that must be near the number
	keywords  *query.Prepared
	Unit      string // million, km2, percent, …
	Periods   []factPeriod
	Tolerance float64 // relative
	Weight    float64
	Window    int // tokens between keyword and number
	kwTokens  [][]string
}

type factPeriod struct {
	From, Until time.Time
	Min, Max    float64
}

type implicitRule struct {
	ID, Canonical string
	query         *query.Prepared
}

type staleRule struct {
	ID     string
	Query  query.Node
	query  *query.Prepared
	After  time.Time
	Detail string
	Weight float64
}

// RuleError is a problem in a rule file; it names the file and the rule.
type RuleError struct {
	File string
	Rule string
	Err  error
}

// Error returns "file: rule NAME: problem".
func (e *RuleError) Error() string {
	if e.Rule == "" {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: rule %q: %v", e.File, e.Rule, e.Err)
}

// Unwrap returns the underlying error.
func (e *RuleError) Unwrap() error { return e.Err }

// YAML shapes of the rule files.
type (
	gazFile struct {
		Entries []struct {
			Canonical string     `yaml:"canonical"`
			Kind      string     `yaml:"kind"`
			Weight    *float64   `yaml:"weight"`
			Ambiguous bool       `yaml:"ambiguous"`
			Mention   *bool      `yaml:"mention"`
			Since     string     `yaml:"since"`
			Aliases   []aliasDef `yaml:"aliases"`
		} `yaml:"entries"`
		Traps []struct {
			Text   string `yaml:"text"`
			Kind   string `yaml:"kind"`
			Reason string `yaml:"reason"`
		} `yaml:"traps"`
		Implicit []struct {
			ID        string `yaml:"id"`
			Canonical string `yaml:"canonical"`
			Query     string `yaml:"query"`
		} `yaml:"implicit"`
		Others []struct {
			Canonical string   `yaml:"canonical"`
			Aliases   []string `yaml:"aliases"`
		} `yaml:"others"`
	}
	aliasDef struct {
		Text      string   `yaml:"text"`
		Lang      string   `yaml:"lang"`
		Kind      string   `yaml:"kind"`
		Weight    *float64 `yaml:"weight"`
		Ambiguous *bool    `yaml:"ambiguous"`
	}
	topicsFile struct {
		Topics []struct {
			Name      string `yaml:"name"`
			Query     string `yaml:"query"`
			Sensitive bool   `yaml:"sensitive"`
			MinHits   int    `yaml:"min_hits"`
		} `yaml:"topics"`
	}
	concernsFile struct {
		Concerns []struct {
			Name    string  `yaml:"name"`
			Query   string  `yaml:"query"`
			Weight  float64 `yaml:"weight"`
			MinHits int     `yaml:"min_hits"`
		} `yaml:"concerns"`
	}
	toneFile struct {
		Lang      string   `yaml:"lang"`
		Positive  []string `yaml:"positive"`
		Negative  []string `yaml:"negative"`
		Alarm     []string `yaml:"alarm"`
		Hedges    []string `yaml:"hedges"`
		Negators  []string `yaml:"negators"`
		Intensify []string `yaml:"intensifiers"`
	}
	narrFile struct {
		Narratives []struct {
			ID         string  `yaml:"id"`
			Claim      string  `yaml:"claim"`
			Correction string  `yaml:"correction"`
			Weight     float64 `yaml:"weight"`
		} `yaml:"narratives"`
	}
	factsFile struct {
		Facts []struct {
			Name      string  `yaml:"name"`
			Keywords  string  `yaml:"keywords"`
			Unit      string  `yaml:"unit"`
			Tolerance float64 `yaml:"tolerance"`
			Weight    float64 `yaml:"weight"`
			Window    int     `yaml:"window"`
			Periods   []struct {
				From  string  `yaml:"from"`
				Until string  `yaml:"until"`
				Min   float64 `yaml:"min"`
				Max   float64 `yaml:"max"`
			} `yaml:"periods"`
		} `yaml:"facts"`
		Stale []struct {
			ID     string  `yaml:"id"`
			Query  string  `yaml:"query"`
			After  string  `yaml:"after"`
			Detail string  `yaml:"detail"`
			Weight float64 `yaml:"weight"`
		} `yaml:"stale"`
	}
)

var validKinds = map[string]bool{"province": true, "place": true, "landmark": true, "org": true, "company": true, "person": true, "river": true}

func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02", s)
}

// LoadRules reads and compiles the rule files in fsys: gazetteer/*.yaml,
// topics.yaml, narratives.yaml, facts.yaml and tone/*.yaml. Every problem is
// a *RuleError naming the file and the rule; all are returned joined.
func LoadRules(fsys fs.FS) (*Rules, error) {
	r := &Rules{}
	h := sha256.New()
	var errs []error
	read := func(name string) []byte {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, &RuleError{File: name, Err: err})
			return nil
		}
		h.Write([]byte(name))
		h.Write(data)
		return data
	}
	glob := func(pattern string) []string {
		names, err := fs.Glob(fsys, pattern)
		if err != nil || len(names) == 0 {
			errs = append(errs, &RuleError{File: pattern, Err: errors.New("no rule files found")})
		}
		sort.Strings(names)
		return names
	}

	for _, name := range glob("gazetteer/*.yaml") {
		data := read(name)
		var f gazFile
		if err := decodeStrict(data, &f); err != nil {
			errs = append(errs, &RuleError{File: name, Err: err})
			continue
		}
		errs = append(errs, r.addGazetteer(name, &f)...)
	}
	if data := read("topics.yaml"); data != nil {
		var f topicsFile
		if err := decodeStrict(data, &f); err != nil {
			errs = append(errs, &RuleError{File: "topics.yaml", Err: err})
		}
		seen := map[string]bool{}
		for i, t := range f.Topics {
			name := t.Name
			if name == "" {
				name = fmt.Sprintf("#%d", i+1)
				errs = append(errs, &RuleError{File: "topics.yaml", Rule: name, Err: errors.New("missing name")})
				continue
			}
			if seen[name] {
				errs = append(errs, &RuleError{File: "topics.yaml", Rule: name, Err: errors.New("defined twice")})
			}
			seen[name] = true
			q, err := query.Parse(t.Query)
			if err != nil {
				errs = append(errs, &RuleError{File: "topics.yaml", Rule: name, Err: fmt.Errorf("query: %w", err)})
				continue
			}
			if t.MinHits < 0 {
				errs = append(errs, &RuleError{File: "topics.yaml", Rule: name, Err: errors.New("min_hits must not be negative")})
			}
			r.topics = append(r.topics, topic{Name: name, Query: q, alts: orAlternatives(q), titleAlts: titleAlternatives(q), Sensitive: t.Sensitive, MinHits: max(1, t.MinHits)})
		}
	}
	// concerns.yaml is optional: rule folders written before it existed
	// still load.
	if _, err := fs.Stat(fsys, "concerns.yaml"); err == nil {
		if data := read("concerns.yaml"); data != nil {
			errs = append(errs, r.addConcerns(data)...)
		}
	}
	for _, name := range glob("tone/*.yaml") {
		data := read(name)
		var f toneFile
		if err := decodeStrict(data, &f); err != nil {
			errs = append(errs, &RuleError{File: name, Err: err})
			continue
		}
		if f.Lang == "" {
			errs = append(errs, &RuleError{File: name, Err: errors.New("missing lang")})
			continue
		}
		for _, set := range []struct {
			kind  uint8
			words []string
		}{{lexPos, f.Positive}, {lexNeg, f.Negative}, {lexAlarm, f.Alarm}, {lexHedge, f.Hedges}, {lexNegator, f.Negators}} {
			for _, w := range set.words {
				text, weight := splitWeight(w)
				idx := int32(len(r.lex))
				r.lex = append(r.lex, lexEntry{Text: text, Weight: weight, feature: "lexicon:" + lexKinds[set.kind] + ":" + text})
				if !r.trie.add(text, patRef{layer: layerLex, kind: set.kind, idx: idx, lang: f.Lang}) {
					errs = append(errs, &RuleError{File: name, Rule: w, Err: errors.New("no words to match")})
				}
			}
		}
	}
	if data := read("narratives.yaml"); data != nil {
		var f narrFile
		if err := decodeStrict(data, &f); err != nil {
			errs = append(errs, &RuleError{File: "narratives.yaml", Err: err})
		}
		for i, n := range f.Narratives {
			id := n.ID
			if id == "" {
				id = fmt.Sprintf("#%d", i+1)
				errs = append(errs, &RuleError{File: "narratives.yaml", Rule: id, Err: errors.New("missing id")})
				continue
			}
			q, err := query.Parse(n.Claim)
			if err != nil {
				errs = append(errs, &RuleError{File: "narratives.yaml", Rule: id, Err: fmt.Errorf("claim: %w", err)})
				continue
			}
			if n.Correction == "" {
				errs = append(errs, &RuleError{File: "narratives.yaml", Rule: id, Err: errors.New("missing correction")})
			}
			w := n.Weight
			if w <= 0 {
				w = 50
			}
			r.narrs = append(r.narrs, narrative{ID: id, Claim: q, claim: query.Prepare(q), Correction: n.Correction, Weight: w}.withReason())
		}
	}
	if data := read("facts.yaml"); data != nil {
		var f factsFile
		if err := decodeStrict(data, &f); err != nil {
			errs = append(errs, &RuleError{File: "facts.yaml", Err: err})
		}
		for i, fc := range f.Facts {
			name := fc.Name
			if name == "" {
				name = fmt.Sprintf("#%d", i+1)
			}
			bad := func(format string, args ...any) {
				errs = append(errs, &RuleError{File: "facts.yaml", Rule: name, Err: fmt.Errorf(format, args...)})
			}
			kw, err := query.Parse(fc.Keywords)
			if err != nil {
				bad("keywords: %w", err)
				continue
			}
			out := fact{Name: name, Keywords: kw, keywords: query.Prepare(kw), Unit: fc.Unit, Tolerance: fc.Tolerance, Weight: fc.Weight, Window: fc.Window}
			if out.Window <= 0 {
				out.Window = 12
			}
			if out.Weight <= 0 {
				out.Weight = 25
			}
			if out.Tolerance < 0 || out.Tolerance > 1 {
				bad("tolerance %v is not between 0 and 1", out.Tolerance)
			}
			out.kwTokens = termTokens(kw)
			if len(fc.Periods) == 0 {
				bad("no periods")
			}
			for _, p := range fc.Periods {
				from, err1 := parseDate(p.From)
				until, err2 := parseDate(p.Until)
				if err := errors.Join(err1, err2); err != nil {
					bad("period: %w", err)
					continue
				}
				if p.Min > p.Max {
					bad("period min %v > max %v", p.Min, p.Max)
				}
				out.Periods = append(out.Periods, factPeriod{From: from, Until: until, Min: p.Min, Max: p.Max})
			}
			r.facts = append(r.facts, out)
		}
		for i, s := range f.Stale {
			id := s.ID
			if id == "" {
				id = fmt.Sprintf("#%d", i+1)
			}
			q, err := query.Parse(s.Query)
			if err != nil {
				errs = append(errs, &RuleError{File: "facts.yaml", Rule: id, Err: fmt.Errorf("query: %w", err)})
				continue
			}
			after, err := parseDate(s.After)
			if err != nil || after.IsZero() {
				errs = append(errs, &RuleError{File: "facts.yaml", Rule: id, Err: fmt.Errorf("after %q is not YYYY-MM-DD", s.After)})
				continue
			}
			w := s.Weight
			if w <= 0 {
				w = 45
			}
			r.stale = append(r.stale, staleRule{ID: id, Query: q, query: query.Prepare(q), After: after, Detail: s.Detail, Weight: w})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r.Version = hex.EncodeToString(h.Sum(nil))[:12]
	return r, nil
}

// orAlternatives prepares each alternative of n's top-level OR.
// addConcerns compiles concerns.yaml.
func (r *Rules) addConcerns(data []byte) []error {
	const file = "concerns.yaml"
	var f concernsFile
	if err := decodeStrict(data, &f); err != nil {
		return []error{&RuleError{File: file, Err: err}}
	}
	var errs []error
	seen := map[string]bool{}
	for i, c := range f.Concerns {
		name := c.Name
		if name == "" {
			errs = append(errs, &RuleError{File: file, Rule: fmt.Sprintf("#%d", i+1), Err: errors.New("missing name")})
			continue
		}
		if seen[name] {
			errs = append(errs, &RuleError{File: file, Rule: name, Err: errors.New("defined twice")})
		}
		seen[name] = true
		q, err := query.Parse(c.Query)
		if err != nil {
			errs = append(errs, &RuleError{File: file, Rule: name, Err: fmt.Errorf("query: %w", err)})
			continue
		}
		if c.Weight < 0 || c.MinHits < 0 {
			errs = append(errs, &RuleError{File: file, Rule: name, Err: errors.New("weight and min_hits must not be negative")})
			continue
		}
		alts := orAlternatives(q)
		terms, folded := make([]string, len(alts)), make([]string, len(alts))
		for i, alt := range alts {
			terms[i] = strings.Trim(query.String(alt.Node()), `"*`)
			folded[i] = textnorm.Fold(terms[i])
		}
		r.concerns = append(r.concerns, topic{Name: name, Query: q, alts: alts, altTerms: terms, altFolded: folded, Weight: c.Weight, MinHits: max(1, c.MinHits)})
	}
	return errs
}

// Concerns returns the names of the concerns in concerns.yaml, in file order.
func (r *Rules) Concerns() []string {
	out := make([]string, len(r.concerns))
	for i, c := range r.concerns {
		out[i] = c.Name
	}
	return out
}

func orAlternatives(n query.Node) []*query.Prepared {
	if o, ok := n.(*query.Or); ok {
		return append(orAlternatives(o.Left), orAlternatives(o.Right)...)
	}
	return []*query.Prepared{query.Prepare(n)}
}

// titleAlternatives returns, for each alternative of n's top-level OR
// (orAlternatives' order), the same word or phrase restricted to the title,
// or nil for an alternative that is neither.
func titleAlternatives(n query.Node) []*query.Prepared {
	switch o := n.(type) {
	case *query.Or:
		return append(titleAlternatives(o.Left), titleAlternatives(o.Right)...)
	case *query.Term:
		if o.Field == "" {
			return []*query.Prepared{query.Prepare(&query.Term{Field: "title", Value: o.Value, Prefix: o.Prefix})}
		}
	case *query.Phrase:
		if o.Field == "" {
			return []*query.Prepared{query.Prepare(&query.Phrase{Field: "title", Words: o.Words})}
		}
	}
	return []*query.Prepared{nil}
}

// splitWeight reads "word|2.5" as word with weight 2.5; default weight 1.
func splitWeight(s string) (string, float64) {
	if i := strings.LastIndexByte(s, '|'); i > 0 {
		var w float64
		if _, err := fmt.Sscanf(s[i+1:], "%g", &w); err == nil && w > 0 {
			return strings.TrimSpace(s[:i]), w
		}
	}
	return strings.TrimSpace(s), 1
}

func (r *Rules) addGazetteer(file string, f *gazFile) []error {
	var errs []error
	for i, e := range f.Entries {
		name := e.Canonical
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		bad := func(format string, args ...any) {
			errs = append(errs, &RuleError{File: file, Rule: name, Err: fmt.Errorf(format, args...)})
		}
		if e.Canonical == "" {
			bad("missing canonical")
			continue
		}
		if !validKinds[e.Kind] {
			bad("kind %q is not one of province, place, landmark, org, company, person, river", e.Kind)
			continue
		}
		since, err := parseDate(e.Since)
		if err != nil {
			bad("since %q is not YYYY-MM-DD", e.Since)
			continue
		}
		w := 1.0
		if e.Weight != nil {
			w = *e.Weight
		}
		if w < 0 || w > 1 {
			bad("weight %v is not between 0 and 1", w)
		}
		mention := true
		if e.Mention != nil {
			mention = *e.Mention
		}
		base := gazEntry{Canonical: e.Canonical, folded: textnorm.Fold(e.Canonical), Kind: e.Kind, Weight: w, Ambiguous: e.Ambiguous, Mention: mention, Since: since}
		if len(e.Aliases) == 0 {
			bad("no aliases")
		}
		// Each alias may override kind, weight and ambiguity: it becomes an
		// entry of its own sharing the canonical name.
		for _, a := range e.Aliases {
			ent := base
			if a.Kind != "" {
				if !validKinds[a.Kind] {
					bad("alias %q: kind %q is not valid", a.Text, a.Kind)
					continue
				}
				ent.Kind = a.Kind
			}
			if a.Weight != nil {
				ent.Weight = *a.Weight
			}
			if a.Ambiguous != nil {
				ent.Ambiguous = *a.Ambiguous
			}
			idx := int32(len(r.entries))
			r.entries = append(r.entries, ent)
			if !r.trie.add(a.Text, patRef{layer: layerGaz, kind: gazAlias, idx: idx, lang: a.Lang}) {
				bad("alias %q has no words to match", a.Text)
			}
		}
		// The canonical name itself is an alias too, unless an alias already
		// spells it (and so decides its kind, weight and ambiguity).
		canon := textnorm.Fold(stripParen(e.Canonical))
		spelled := false
		for _, a := range e.Aliases {
			spelled = spelled || textnorm.Fold(a.Text) == canon
		}
		if !spelled {
			idx := int32(len(r.entries))
			r.entries = append(r.entries, base)
			r.trie.add(canon, patRef{layer: layerGaz, kind: gazAlias, idx: idx})
		}
	}
	for i, t := range f.Traps {
		name := t.Text
		if name == "" {
			errs = append(errs, &RuleError{File: file, Rule: fmt.Sprintf("trap #%d", i+1), Err: errors.New("missing text")})
			continue
		}
		idx := int32(len(r.traps))
		r.traps = append(r.traps, gazTrapEntry{Text: t.Text, Kind: t.Kind, Reason: t.Reason})
		r.trie.add(t.Text, patRef{layer: layerGaz, kind: gazTrap, idx: idx})
	}
	for i, im := range f.Implicit {
		id := im.ID
		if id == "" {
			id = fmt.Sprintf("implicit #%d", i+1)
		}
		q, err := query.Parse(im.Query)
		if err != nil {
			errs = append(errs, &RuleError{File: file, Rule: id, Err: fmt.Errorf("query: %w", err)})
			continue
		}
		if im.Canonical == "" {
			errs = append(errs, &RuleError{File: file, Rule: id, Err: errors.New("missing canonical")})
			continue
		}
		r.implied = append(r.implied, implicitRule{ID: id, Canonical: im.Canonical, query: query.Prepare(q)})
	}
	for i, o := range f.Others {
		if o.Canonical == "" {
			errs = append(errs, &RuleError{File: file, Rule: fmt.Sprintf("other #%d", i+1), Err: errors.New("missing canonical")})
			continue
		}
		idx := int32(len(r.others))
		r.others = append(r.others, o.Canonical)
		for _, a := range append([]string{o.Canonical}, o.Aliases...) {
			r.trie.add(a, patRef{layer: layerGaz, kind: gazOther, idx: idx})
		}
	}
	return errs
}

// stripParen drops a trailing " (qualifier)" from a canonical name.
func stripParen(s string) string {
	if i := strings.Index(s, " ("); i > 0 {
		return s[:i]
	}
	return s
}

// termTokens lists the folded token sequences of the terms and phrases in n.
func termTokens(n query.Node) [][]string {
	var out [][]string
	var walk func(query.Node)
	walk = func(n query.Node) {
		switch n := n.(type) {
		case *query.And:
			walk(n.Left)
			walk(n.Right)
		case *query.Or:
			walk(n.Left)
			walk(n.Right)
		case *query.Near:
			for _, t := range n.Terms {
				walk(t)
			}
		case *query.Term:
			out = append(out, textnorm.Words(n.Value))
		case *query.Phrase:
			out = append(out, textnorm.Words(strings.Join(n.Words, " ")))
		}
	}
	walk(n)
	return out
}

// Topics returns the names of the topic rules in order.
func (r *Rules) Topics() []string {
	out := make([]string, len(r.topics))
	for i, t := range r.topics {
		out[i] = t.Name
	}
	return out
}

package l10n

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
)

// The classifier writes a reason's detail in English for the log and the
// API (see classifier/risk.go). Sentence rewrites each known shape as a
// sentence in the reader's language, naming rules by their catalogue names,
// never by their IDs or their queries.
var (
	factRE      = regexp.MustCompile(`^(\S+) given as "(.*)"; official ([\d.]+)–([\d.]+) (\S+)$`)
	staleRE     = regexp.MustCompile(`\(published (\d{4}-\d\d-\d\d), after (\d{4}-\d\d-\d\d)\)$`)
	spreadRE    = regexp.MustCompile(`^(\d+) outlets carry this story within (\S+)$`)
	tierRE      = regexp.MustCompile(`^outlet tier (\d)`)
	namedRE     = regexp.MustCompile(`^named as (.*?) \(score ([\d.]+)`)
	implicitRE  = regexp.MustCompile(`^not named, but matches implicit reference (\S+)`)
	respNarrRE  = regexp.MustCompile(`^from response (\S+): (.+)$`)
	sensitiveRE = regexp.MustCompile(`^topics (.*) with negative tone$`)
	// querySyntax spots raw query text, which is never shown to officers.
	querySyntax = regexp.MustCompile(`NEAR/\d|\b(AND|OR|NOT)\b|\w:["(]|\bsaved/`)
)

// NarrativeCountedOnce ends the detail of a narrative reason that adds
// nothing to the risk because a stronger narrative on the same article
// already counts (the classifier writes it; Sentence says it in the
// reader's language).
const NarrativeCountedOnce = " (another answered claim already counts; counted once)"

// Sentence writes one reason as a sentence in lang.
func Sentence(lang string, r article.Reason) string {
	kind, rule, _ := strings.Cut(r.Signal, ":")
	d := strings.TrimSpace(r.Detail)
	f := func(key string, args ...any) string { return fmt.Sprintf(T(lang, key), args...) }
	switch kind {
	case "narrative":
		// A second narrative on one article adds nothing to the risk
		// (classifier/risk.go) and its detail says so at the end.
		var once string
		if rest, ok := strings.CutSuffix(d, NarrativeCountedOnce); ok {
			d, once = strings.TrimSpace(rest), " "+T(lang, "reason_counted_once")
		}
		if name, ok := Lookup(lang, "narrative_"+rule); ok {
			fix, _ := Lookup(lang, "narrative_"+rule+"_fix")
			return f("reason_narrative", name, fix) + once
		}
		// A narrative created from one of the office's responses: its
		// claim is in the officer's own words. The response's ID is
		// internal and is not shown.
		if m := respNarrRE.FindStringSubmatch(d); m != nil {
			// A claim cut for length keeps its "…": the reader must see
			// that it goes on.
			return f("reason_narrative_response", m[2]) + once
		}
		return T(lang, "reason_narrative_unknown") + once
	case "stale_fact":
		var when string
		if m := staleRE.FindStringSubmatch(d); m != nil {
			when = f("reason_published_on", date(m[1]))
		}
		if s, ok := Lookup(lang, "stale_"+rule); ok {
			return s + when + "."
		}
		return T(lang, "reason_stale_unknown") + when + "."
	case "fact_contradiction":
		if m := factRE.FindStringSubmatch(d); m != nil {
			lo, _ := strconv.ParseFloat(m[3], 64)
			hi, _ := strconv.ParseFloat(m[4], 64)
			return f("reason_fact", label(lang, "fact_", m[1]), m[2], Float(lang, lo, 2), Float(lang, hi, 2), label(lang, "unit_", m[5]))
		}
		return f("reason_fact_unknown", label(lang, "fact_", rule))
	case "alarm_terms":
		return f("reason_alarm", quoteList(lang, splitList(d)))
	case "concern":
		return f("reason_concern", label(lang, "concern_", rule), quoteList(lang, splitList(d)))
	case "sensitive_negative":
		var topics []string
		if m := sensitiveRE.FindStringSubmatch(d); m != nil {
			for _, t := range splitList(m[1]) {
				topics = append(topics, Topic(lang, t))
			}
		}
		return f("reason_sensitive", strings.Join(topics, ", "))
	case "unattributed":
		_, q, found := strings.Cut(d, ": ")
		if !found && !querySyntax.MatchString(d) {
			q = d
		}
		q = strings.Trim(q, "“”\" ")
		if q == "" {
			return T(lang, "reason_unattributed_plain")
		}
		return f("reason_unattributed", q)
	case "rapid_spread":
		if m := spreadRE.FindStringSubmatch(d); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			return f("reason_spread", Num(lang, n), duration(lang, m[2]))
		}
		return T(lang, "reason_spread_plain")
	case "outlet_tier":
		if m := tierRE.FindStringSubmatch(d); m != nil {
			switch m[1] {
			case "1":
				return T(lang, "reason_tier_1")
			case "3":
				return T(lang, "reason_tier_3")
			}
			return f("reason_tier", m[1])
		}
		return T(lang, "signal_outlet_tier") + "."
	case "risk_cap":
		return T(lang, "reason_risk_cap")
	case "route_match":
		var conds []string
		for _, c := range strings.Split(d, "; ") {
			if c = condition(lang, c); c != "" {
				conds = append(conds, c)
			}
		}
		if len(conds) == 0 {
			return Signal(lang, r.Signal) + "."
		}
		return f("reason_route_match", strings.Join(conds, "; "))
	case "model":
		if s, ok := modelSentence(lang, rule, d); ok {
			return s
		}
		return Signal(lang, r.Signal) + "."
	case "relevance":
		if m := implicitRE.FindStringSubmatch(d); m != nil {
			return f("reason_implicit", label(lang, "implicit_", m[1]))
		}
		if m := namedRE.FindStringSubmatch(d); m != nil {
			score, _ := strconv.ParseFloat(m[2], 64)
			return f("reason_named", Places(lang, m[1]), Float(lang, score, 1))
		}
		return T(lang, "signal_relevance") + "."
	}
	// A signal this catalogue does not know yet: its name, and its detail
	// only when it is plain words.
	name := Signal(lang, r.Signal)
	if d != "" && !querySyntax.MatchString(d) {
		return name + ": " + d
	}
	return name + "."
}

// condRE is one condition of an alert route as Router.Why writes it:
// field:value or a comparison.
var condRE = regexp.MustCompile(`^([a-z_]+)(:|>=|<=|>|<|=)(.+)$`)

// operators are comparison operators as a reader writes them.
var operators = map[string]string{">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}

// condition writes one route condition ("topic:security_crime",
// "risk>=40") in lang; "" for one that cannot be said without query syntax.
func condition(lang, c string) string {
	m := condRE.FindStringSubmatch(strings.TrimSpace(c))
	if m == nil {
		if c = strings.Trim(c, `"`); c != "" && !querySyntax.MatchString(c) && !strings.ContainsAny(c, ":<>=()") {
			return fmt.Sprintf(T(lang, "cond_words"), c) // a word of the text
		}
		return ""
	}
	field, op, v := m[1], m[2], strings.Trim(m[3], `"`)
	switch {
	case field == "about" && op == ":" && v == "true":
		return T(lang, "cond_about")
	case field == "needs_review" && op == ":" && v == "true":
		return T(lang, "cond_needs_review")
	case field == "topic" && op == ":":
		return fmt.Sprintf(T(lang, "cond_topic"), Topic(lang, v))
	case field == "tone" && op == ":":
		return fmt.Sprintf(T(lang, "cond_tone"), strings.ToLower(Tone(lang, v)))
	case field == "signal" && op == ":":
		return fmt.Sprintf(T(lang, "cond_signal"), Signal(lang, v))
	case field == "risk" && op != ":":
		return fmt.Sprintf(T(lang, "cond_risk"), operators[op], v)
	}
	if querySyntax.MatchString(c) {
		return ""
	}
	return field + op + v
}

// splitList splits "a, b, c".
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func quoteList(lang string, ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = "“" + w + "”"
	}
	return strings.Join(q, ", ")
}

// date turns 2006-01-02 into 02/01/2006, the way both languages read it here.
func date(iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return t.Format("02/01/2006")
}

// duration writes a Go duration as days or hours.
func duration(lang, s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return s
	}
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf(T(lang, "n_days"), Num(lang, int64(d/(24*time.Hour))))
	}
	return fmt.Sprintf(T(lang, "n_hours"), Float(lang, d.Hours(), 1))
}

// Duration writes a duration as days, hours or minutes in lang.
func Duration(lang string, d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf(T(lang, "n_days"), Num(lang, int64(d/(24*time.Hour))))
	case d >= time.Hour:
		return fmt.Sprintf(T(lang, "n_hours"), Float(lang, d.Hours(), 1))
	}
	return fmt.Sprintf(T(lang, "n_minutes"), Num(lang, int64(d/time.Minute)))
}

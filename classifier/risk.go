package classifier

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/l10n"
)

// Risk signals and their names in reasons.
const (
	SignalNarrative   = "narrative"          // matches a narrative the office has answered
	SignalFact        = "fact_contradiction" // a figure outside the official range
	SignalStale       = "stale_fact"         // describes as pending what has happened
	SignalSensitive   = "sensitive_negative" // sensitive topic with negative tone
	SignalConcern     = "concern"            // a kind of event the office must see (concerns.yaml)
	SignalAlarm       = "alarm_terms"        // alarm words near the province's name
	SignalUnattrib    = "unattributed"       // hedged, unattributed sourcing on a sensitive topic
	SignalSpread      = "rapid_spread"       // many outlets carry the story within the window
	SignalOutletTier  = "outlet_tier"        // the outlet's reliability tier
	SignalRiskCap     = "risk_cap"           // what the reasons add up to beyond 100, taken off
	SignalRelevance   = "relevance"          // not a risk: why about/mentions was decided
	maxDetailEntities = 3
)

// riskAndCluster adds the story cluster and the rules' risk with its reasons
// to c.
func (e *Engine) riskAndCluster(r *Rules, an *analysis, c *article.Classification) (string, []article.Reason) {
	cluster, outlets := e.clusters.assign(an, c)
	if !an.mentions && !an.about {
		c.Risk = 0
		c.NeedsReview = false
		return cluster, []article.Reason{}
	}
	risk, reasons := e.ruleRisk(r, an, c.Topics, outlets)
	c.Risk = int(math.Round(risk))
	c.NeedsReview = an.about && c.Risk >= e.opts.ReviewThreshold
	// The relevance reason explains about/mentions; weight 0 keeps the sum of
	// weights equal to the risk.
	reasons = append(reasons, article.Reason{Signal: SignalRelevance, Detail: describe(an.relevanceDetail()), Weight: 0})
	return cluster, reasons
}

// Rule risk weights. Each was set by an analyst as "how much of the way to
// the review threshold (40) this signal alone should go" and then checked
// against the dev corpus; since the learned layer decides needs_review when
// a model is loaded, they now matter mostly as features (rule:risk,
// risk_rule:*) and for the rules-only mode.
const (
	alarmWeightPerWord  = 15 // one alarm word near the name: a third of the way
	alarmWeightMax      = 45 // three distinct alarm words alone reach review
	sensitiveNegWeight  = 25 // a sensitive topic told negatively
	unattributedWeight  = 15 // …and sourced to nobody
	spreadWeight        = 15 // many outlets within the cluster window
	tierWeight          = 10 // outlet tier 3 adds, tier 1 subtracts
	mentionOnlyDiscount = 2  // a passing mention: risk halved
	concernWeightMax    = 30 // concerns together: three quarters of the way
)

// ruleRisk is the rules' risk (0..100) and its reasons, from narratives,
// stale facts, contradicted figures, alarm words, sensitive topics told
// negatively, unattributed sourcing, spread across outlets and outlet tier.
func (e *Engine) ruleRisk(r *Rules, an *analysis, topics []string, outlets int) (float64, []article.Reason) {
	reasons := []article.Reason{}
	add := func(signal, detail string, w float64) {
		reasons = append(reasons, article.Reason{Signal: signal, Detail: describe(detail), Weight: w})
	}
	var risk float64
	// Narratives count once: the strongest one's weight. Two that match one
	// article are most often one false claim answered twice (a shipped
	// narrative and the one an officer made from a response to it), and the
	// article needs one review however many answered claims it repeats;
	// the others are listed with weight 0 and say so.
	first, strongest := len(reasons), -1
	for _, n := range r.narrs {
		if n.claim.Match(an.doc) {
			if strongest < 0 || n.Weight > reasons[strongest].Weight {
				strongest = len(reasons)
			}
			reasons = append(reasons, article.Reason{Signal: SignalNarrative + ":" + n.ID, Detail: n.reason, Weight: n.Weight})
		}
	}
	for i := first; i < len(reasons); i++ {
		if i == strongest {
			risk += reasons[i].Weight
			continue
		}
		reasons[i].Weight = 0
		reasons[i].Detail += l10n.NarrativeCountedOnce
	}
	for _, s := range r.stale {
		if !an.published.Before(s.After) && s.query.Match(an.doc) {
			add(SignalStale+":"+s.ID, fmt.Sprintf("%s (published %s, after %s)", s.Detail, an.published.Format("2006-01-02"), s.After.Format("2006-01-02")), s.Weight)
			risk += s.Weight
		}
	}
	if an.about {
		for _, f := range r.facts {
			if detail, ok := an.checkFact(&f); ok {
				add(SignalFact+":"+f.Name, detail, f.Weight)
				risk += f.Weight
			}
		}
	}
	sensitive := []string{}
	for _, t := range r.topics {
		for _, name := range topics {
			if name == t.Name && t.Sensitive {
				sensitive = append(sensitive, name)
			}
		}
	}
	if len(an.alarms) > 0 {
		seen := map[string]bool{}
		var words []string
		for _, h := range an.alarms {
			w := strings.ToLower(an.text(h))
			if !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
		w := math.Min(alarmWeightPerWord*float64(len(words)), alarmWeightMax)
		add(SignalAlarm, strings.Join(words, ", "), w)
		risk += w
	}
	if an.about {
		left := float64(concernWeightMax)
		for _, c := range an.concerns {
			w := math.Min(r.concerns[c.idx].Weight, left)
			left -= w
			add(SignalConcern+":"+r.concerns[c.idx].Name, strings.Join(c.terms, ", "), w)
			risk += w
		}
	}
	if len(sensitive) > 0 && an.tone == "negative" {
		add(SignalSensitive, "topics "+strings.Join(sensitive, ", ")+" with negative tone", sensitiveNegWeight)
		risk += sensitiveNegWeight
		if len(an.hedges) > 0 {
			add(SignalUnattrib, "unattributed sourcing: "+an.text(an.hedges[0]), unattributedWeight)
			risk += unattributedWeight
		}
	}
	if outlets >= e.opts.SpreadOutlets {
		add(SignalSpread, fmt.Sprintf("%d outlets carry this story within %s", outlets, e.opts.ClusterWindow), spreadWeight)
		risk += spreadWeight
	}
	switch an.a.Tier {
	case 3:
		add(SignalOutletTier, "outlet tier 3 (least reliable)", tierWeight)
		risk += tierWeight
	case 1:
		add(SignalOutletTier, "outlet tier 1 (most reliable)", -tierWeight)
		risk -= tierWeight
	}
	if !an.about {
		// A passing mention seldom needs an officer: halve what was found.
		risk /= mentionOnlyDiscount
	}
	return math.Max(0, math.Min(100, risk)), reasons
}

func (an *analysis) relevanceDetail() string {
	if an.implicit != "" {
		return "not named, but matches implicit reference " + an.implicit
	}
	seen := map[string]bool{}
	var names []string
	for _, d := range an.dn {
		if !seen[d.entry.Canonical] && len(names) < maxDetailEntities {
			seen[d.entry.Canonical] = true
			names = append(names, d.entry.Canonical)
		}
	}
	return fmt.Sprintf("named as %s (score %.1f; other places %d, strongest %.1f; tone +%.1f/-%.1f)", strings.Join(names, ", "), an.dnScore, len(an.otherHits), an.otherMax, an.tonePos, an.toneNeg)
}

// numberRE matches a figure and its scale word. In Chinese, Japanese and
// Korean 万/만 (10^4) and 億/억 (10^8) scale a figure, and the rest of it may
// follow the scale: 1万2737, 1만 2737 (12,737), taken whole.
var numberRE = regexp.MustCompile(`(\d[\d.,]*\d|\d)\s*(million|millions|trieu|mio|millionen|万\d{1,4}|만\s?\d{1,4}|万|만|億|억|billion|ty|nghin|thousand)?`)

// checkFact looks for a number near one of the fact's keywords and reports
// one outside the official range (widened by the tolerance) for the
// article's date.
//
// Which number is the keyword's: one written right before it ("5,907 km²",
// "2.7 million residents"), else the first within the window after it
// ("population: 2,721,000"), else the last within the window before it. A
// figure in another unit ("8.000 m2", "507 ha") or out of all proportion to
// the province (factScale) describes something else — a plot, a park, a
// ward — and is skipped.
//
// Dates are often known only to the month or year, so for a dated article
// every period within a year of the published date is acceptable. An
// undated page presents its figures as current: it is held to the period in
// force at the reference time (an.published is then the engine's clock), so
// a travel page still giving the pre-merger area is outdated whether it is
// judged in March or December 2026.
func (an *analysis) checkFact(f *fact) (string, bool) {
	lo, hi := an.published.AddDate(-1, 0, 0), an.published.AddDate(1, 0, 0)
	if an.undated {
		lo, hi = an.published, an.published
	}
	var periods []*factPeriod
	least, most := math.Inf(1), 0.0
	for i := range f.Periods {
		p := &f.Periods[i]
		least, most = math.Min(least, p.Min), math.Max(most, p.Max)
		if (p.From.IsZero() || !p.From.After(hi)) && (p.Until.IsZero() || p.Until.After(lo)) {
			periods = append(periods, p)
		}
	}
	if len(periods) == 0 || !f.keywords.Match(an.doc) {
		return "", false
	}
	for _, kw := range f.kwTokens {
		// The first word's length and first byte rule out most tokens
		// before tokensAt compares strings.
		first := ""
		if len(kw) > 0 {
			first = kw[0]
		}
		for i := 0; i+len(kw) <= len(an.toks); i++ {
			if t := an.toks[i].Text; first != "" && (len(t) != len(first) || t[0] != first[0]) || !tokensAt(an, i, kw) {
				continue
			}
			m, after := an.factNumber(i, len(kw), f.Window)
			if m == nil {
				continue
			}
			if otherUnit(an.folded[after:], f.Unit) {
				continue
			}
			v, ok := parseNumber(m[1], m[2], f.Unit)
			if !ok || v < least/factScale || v > most*factScale {
				continue
			}
			inside := false
			for _, p := range periods {
				if v >= p.Min*(1-f.Tolerance) && v <= p.Max*(1+f.Tolerance) {
					inside = true
				}
			}
			if inside {
				return "", false
			}
			p := periods[len(periods)-1]
			// Quoted as written ("7 triệu"), not as folded ("7 trieu").
			written := strings.TrimSpace(an.full[an.offs[after-len(m[0])]:an.offs[after]])
			return fmt.Sprintf("%s given as %q; official %s–%s %s", f.Name, written, fmtNum(p.Min), fmtNum(p.Max), f.Unit), true
		}
	}
	return "", false
}

// factScale bounds the figures taken as the province's own: within a factor
// of 3 of the smallest and largest official values of the fact. The
// province's area and population over its history (5,860–12,780 km²,
// 2.5–4.6 million) span a factor of about two, so a figure off by a factor
// of three is still caught, while a ward's population (~200,000) or a
// national park's area (720 km²) is not taken for the province's.
const factScale = 3

// factNumber returns the numberRE match that belongs to the keyword at
// token i (n tokens long) and the folded offset just after the number, or
// nil.
func (an *analysis) factNumber(i, n, window int) ([]string, int) {
	// Right before the keyword, nothing but spaces between (six tokens back
	// hold "2.405.112 million" whole).
	start := an.toks[max(0, i-6)].Start
	before := an.folded[start:an.toks[i].Start]
	if loc := standaloneNumbers(before); len(loc) > 0 {
		l := loc[len(loc)-1]
		if strings.TrimSpace(before[l[1]:]) == "" {
			return submatches(before, l), start + l[1]
		}
	}
	from := an.toks[i+n-1].End
	end := min(len(an.toks)-1, i+n-1+window)
	if loc := standaloneNumbers(an.folded[from:an.toks[end].End]); len(loc) > 0 {
		return submatches(an.folded[from:], loc[0]), from + loc[0][1]
	}
	start = an.toks[max(0, i-window)].Start
	if loc := standaloneNumbers(an.folded[start:an.toks[i].Start]); len(loc) > 0 {
		l := loc[len(loc)-1]
		return submatches(an.folded[start:], l), start + l[1]
	}
	return nil, 0
}

// standaloneNumbers returns the numberRE matches in s that are numbers of
// their own, not the digits ending a Latin word such as "km2" or "covid-19"
// (s is folded: lower case, no diacritics; a figure right after a Han or
// Kana word, 約720, is a figure).
func standaloneNumbers(s string) [][]int {
	var out [][]int
	for _, l := range numberRE.FindAllStringSubmatchIndex(s, -1) {
		if l[0] > 0 {
			r, _ := utf8.DecodeLastRuneInString(s[:l[0]])
			if (r >= 'a' && r <= 'z') || r == '-' {
				continue
			}
		}
		out = append(out, l)
	}
	return out
}

func submatches(s string, loc []int) []string {
	out := make([]string, len(loc)/2)
	for k := range out {
		if loc[2*k] >= 0 {
			out[k] = s[loc[2*k]:loc[2*k+1]]
		}
	}
	return out
}

// otherUnits are units written after a figure that make it something other
// than the fact's quantity: smaller areas (square metres, hectares, the
// Vietnamese mẫu and sào) for an area in km², households for a population.
var otherUnits = map[string][]string{
	"km2": {"m2", "m²", "ha", "hecta", "hectare", "hectares", "mau", "sao", "acres",
		"平方メートル", "平方米", "平米", "ヘクタール", "公顷", "公頃", "헥타르", "제곱미터", "평"},
	"people": {"ho", "households", "hogares", "menages", "世帯", "户", "戸", "가구", "세대"},
}

// otherUnit reports whether the folded text right after a figure starts
// with a unit of otherUnits[unit]: a whole word for units in Latin letters,
// a prefix for Han, Kana and Hangul ones (written without a space before
// what follows: 3万平方メートルの).
func otherUnit(rest, unit string) bool {
	rest = strings.TrimLeft(rest, " ")
	w := rest
	if i := strings.IndexFunc(rest, func(r rune) bool { return r == ' ' || r == ',' || r == '.' || r == ')' || r == '\n' }); i >= 0 {
		w = rest[:i]
	}
	for _, u := range otherUnits[unit] {
		if u == w || (u[0] >= utf8.RuneSelf && strings.HasPrefix(rest, u)) {
			return true
		}
	}
	return false
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func tokensAt(an *analysis, i int, kw []string) bool {
	for k, w := range kw {
		if an.toks[i+k].Text != w {
			return false
		}
	}
	return true
}

// parseNumber reads "4,491,000", "4.5", "4,5" (decimal comma) with an
// optional scale word, in the fact's unit: "people" values are absolute.
func parseNumber(digits, scale, unit string) (float64, bool) {
	s := digits
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case lastDot >= 0 && lastComma >= 0:
		if lastDot > lastComma {
			s = strings.ReplaceAll(s, ",", "")
		} else {
			s = strings.ReplaceAll(s, ".", "")
			s = strings.Replace(s, ",", ".", 1)
		}
	case lastComma >= 0:
		groups := strings.Split(s, ",")
		thousands := scale == ""
		for _, g := range groups[1:] {
			if len(g) != 3 {
				thousands = false
			}
		}
		if thousands || len(groups) > 2 {
			s = strings.ReplaceAll(s, ",", "")
		} else {
			s = strings.Replace(s, ",", ".", 1)
		}
	case lastDot >= 0:
		if len(s)-lastDot-1 == 3 && scale == "" {
			s = strings.ReplaceAll(s, ".", "")
		} else if strings.Count(s, ".") > 1 {
			s = strings.ReplaceAll(s, ".", "")
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	cjk := false // a CJK scale: written for areas as for populations
	for _, unit := range []string{"万", "만"} {
		if rest, ok := strings.CutPrefix(scale, unit); ok {
			cjk = true
			scale = unit
			if rest = strings.TrimSpace(rest); rest != "" {
				low, err := strconv.Atoi(rest)
				if err != nil {
					return 0, false
				}
				v = v*1e4 + float64(low)
				scale = ""
			}
		}
	}
	switch scale {
	case "million", "millions", "trieu", "mio", "millionen":
		v *= 1e6
	case "万", "만":
		v *= 1e4
	case "億", "억":
		cjk = true
		v *= 1e8
	case "billion", "ty":
		v *= 1e9
	case "nghin", "thousand":
		v *= 1e3
	}
	if unit == "people" && v < 100000 {
		return 0, false // a year, a percentage, a count of units: not a population
	}
	if unit != "people" && scale != "" && !cjk {
		return 0, false // an area or a ratio is not given in millions
	}
	return v, true
}

package classifier

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
)

// EvalItem is one labelled item of the corpus (shared/testdata/corpus
// format).
type EvalItem struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	Outlet    string `json:"outlet"`
	Country   string `json:"country_of_outlet"`
	Lang      string `json:"lang"`
	Published string `json:"published"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	// Story optionally names the story an item is a copy of; copies stay in
	// one cross-validation fold.
	Story  string     `json:"story,omitempty"`
	Labels ItemLabels `json:"labels"`
}

// ItemLabels are one reading of a corpus item.
type ItemLabels struct {
	About       bool     `json:"about_dong_nai"`
	Mentions    bool     `json:"mentions_dong_nai"`
	Topics      []string `json:"topics"`
	Tone        string   `json:"tone"`
	NeedsReview bool     `json:"needs_review"`
	Why         string   `json:"why"`
}

// ReadEvalItems reads a JSON Lines corpus.
func ReadEvalItems(r io.Reader) ([]EvalItem, error) {
	var out []EvalItem
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var it EvalItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			return nil, fmt.Errorf("read corpus line %d: %w", line, err)
		}
		out = append(out, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	return out, nil
}

// ParseLooseDate reads YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 time; ""
// and "null" are the zero time.
func ParseLooseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q is not YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339", s)
}

// Article turns the item into the article the classifier sees.
func (it *EvalItem) Article() *article.Article {
	pub, _ := ParseLooseDate(it.Published)
	return &article.Article{ID: it.ID, URL: it.URL, Outlet: it.Outlet, Country: CountryCode(it.Country), Lang: it.Lang, Title: it.Title, Text: it.Text, Published: pub}
}

// PRF is precision, recall and F1 with the counts behind them.
type PRF struct {
	TP, FP, FN        int
	Precision, Recall float64
	F1                float64
}

func (p *PRF) add(pred, gold bool) {
	switch {
	case pred && gold:
		p.TP++
	case pred:
		p.FP++
	case gold:
		p.FN++
	}
}

func (p *PRF) finish() {
	if p.TP+p.FP > 0 {
		p.Precision = float64(p.TP) / float64(p.TP+p.FP)
	} else {
		p.Precision = 1
	}
	if p.TP+p.FN > 0 {
		p.Recall = float64(p.TP) / float64(p.TP+p.FN)
	} else {
		p.Recall = 1
	}
	if p.Precision+p.Recall > 0 {
		p.F1 = 2 * p.Precision * p.Recall / (p.Precision + p.Recall)
	}
}

// EvalReport is the outcome of Evaluate.
type EvalReport struct {
	Items        int
	About        PRF
	Mentions     PRF
	NeedsReview  PRF
	Topics       PRF // micro-averaged over items labelled about
	ToneAccuracy float64
	ToneItems    int
	Misses       []Miss
}

// Miss is one misclassified item with what was wrong and the classifier's
// reasons.
type Miss struct {
	ID, Lang, Title string
	Problems        []string
	Result          *article.Classification
}

// Evaluate classifies every item with e and compares with the labels.
func Evaluate(ctx context.Context, e *Engine, items []EvalItem) (*EvalReport, error) {
	var acc evalAcc
	for i := range items {
		it := &items[i]
		c, err := e.Classify(ctx, it.Article())
		if err != nil {
			return nil, fmt.Errorf("evaluate %s: %w", it.ID, err)
		}
		acc.add(it, c)
	}
	return acc.finish(), nil
}

// evalAcc accumulates the comparison of classifications with labels.
type evalAcc struct {
	rep    EvalReport
	toneOK int
}

func (acc *evalAcc) add(it *EvalItem, c *article.Classification) {
	rep := &acc.rep
	rep.Items++
	var problems []string
	rep.About.add(c.About, it.Labels.About)
	rep.Mentions.add(c.Mentions, it.Labels.Mentions)
	rep.NeedsReview.add(c.NeedsReview, it.Labels.NeedsReview)
	if c.About != it.Labels.About {
		problems = append(problems, fmt.Sprintf("about=%v want %v", c.About, it.Labels.About))
	}
	if c.Mentions != it.Labels.Mentions {
		problems = append(problems, fmt.Sprintf("mentions=%v want %v", c.Mentions, it.Labels.Mentions))
	}
	if c.NeedsReview != it.Labels.NeedsReview {
		problems = append(problems, fmt.Sprintf("needs_review=%v (risk %d) want %v", c.NeedsReview, c.Risk, it.Labels.NeedsReview))
	}
	if it.Labels.About {
		gold := map[string]bool{}
		for _, t := range it.Labels.Topics {
			gold[t] = true
		}
		pred := map[string]bool{}
		for _, t := range c.Topics {
			pred[t] = true
		}
		var extra, missing []string
		for t := range pred {
			rep.Topics.add(true, gold[t])
			if !gold[t] {
				extra = append(extra, t)
			}
		}
		for t := range gold {
			if !pred[t] {
				rep.Topics.add(false, true)
				missing = append(missing, t)
			}
		}
		sort.Strings(extra)
		sort.Strings(missing)
		if len(extra)+len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("topics +%v -%v", extra, missing))
		}
		rep.ToneItems++
		if c.Tone == it.Labels.Tone {
			acc.toneOK++
		} else {
			problems = append(problems, fmt.Sprintf("tone=%s want %s", c.Tone, it.Labels.Tone))
		}
	}
	if len(problems) > 0 {
		rep.Misses = append(rep.Misses, Miss{ID: it.ID, Lang: it.Lang, Title: it.Title, Problems: problems, Result: c})
	}
}

func (acc *evalAcc) finish() *EvalReport {
	rep := &acc.rep
	for _, p := range []*PRF{&rep.About, &rep.Mentions, &rep.NeedsReview, &rep.Topics} {
		p.finish()
	}
	if rep.ToneItems > 0 {
		rep.ToneAccuracy = float64(acc.toneOK) / float64(rep.ToneItems)
	}
	return rep
}

// Write prints the report as a table followed by the misclassified items.
func (rep *EvalReport) Write(w io.Writer, verbose bool) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "items: %d\n\n", rep.Items)
	fmt.Fprintf(bw, "%-14s %9s %9s %9s %5s %5s %5s\n", "measure", "precision", "recall", "F1", "TP", "FP", "FN")
	for _, row := range []struct {
		name string
		p    PRF
	}{{"about", rep.About}, {"mentions", rep.Mentions}, {"needs_review", rep.NeedsReview}, {"topics(micro)", rep.Topics}} {
		fmt.Fprintf(bw, "%-14s %9.3f %9.3f %9.3f %5d %5d %5d\n", row.name, row.p.Precision, row.p.Recall, row.p.F1, row.p.TP, row.p.FP, row.p.FN)
	}
	fmt.Fprintf(bw, "%-14s %9.3f  (over %d items labelled about)\n", "tone accuracy", rep.ToneAccuracy, rep.ToneItems)
	if len(rep.Misses) > 0 {
		fmt.Fprintf(bw, "\nmisclassified (%d):\n", len(rep.Misses))
	}
	for _, m := range rep.Misses {
		fmt.Fprintf(bw, "%s [%s] %s\n    %s\n", m.ID, m.Lang, describe(m.Title), strings.Join(m.Problems, "; "))
		if verbose {
			for _, r := range m.Result.Reasons {
				fmt.Fprintf(bw, "    reason %s (%+.0f): %s\n", r.Signal, r.Weight, r.Detail)
			}
			if len(m.Result.Topics) > 0 {
				fmt.Fprintf(bw, "    topics: %s; tone %s; relevance %.2f\n", strings.Join(m.Result.Topics, ","), m.Result.Tone, m.Result.Relevance)
			}
		}
	}
	return bw.Flush()
}

// countryCodes maps the outlet countries the corpus names to the ISO 3166-1
// codes the crawler records.
var countryCodes = map[string]string{
	"vietnam": "VN", "viet nam": "VN", "united states": "US", "usa": "US", "japan": "JP", "south korea": "KR",
	"korea": "KR", "china": "CN", "taiwan": "TW", "hong kong": "HK", "france": "FR", "germany": "DE",
	"united kingdom": "GB", "uk": "GB", "india": "IN", "bangladesh": "BD", "spain": "ES", "thailand": "TH",
	"cambodia": "KH", "brazil": "BR", "portugal": "PT", "russia": "RU", "singapore": "SG", "australia": "AU",
	"netherlands": "NL", "italy": "IT", "canada": "CA", "switzerland": "CH", "belgium": "BE", "qatar": "QA",
	"malaysia": "MY", "indonesia": "ID", "philippines": "PH", "mexico": "MX", "argentina": "AR", "laos": "LA",
}

// CountryCode returns the ISO 3166-1 alpha-2 code for a country name or
// code ("Japan", "jp" → "JP"), or "" when it is unknown.
func CountryCode(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 2 {
		return strings.ToUpper(s)
	}
	return countryCodes[strings.ToLower(s)]
}

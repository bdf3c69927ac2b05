package digest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// ReportStore is what the report builder reads. Both store backends satisfy
// it (store.Store together with store.DigestStore).
type ReportStore interface {
	ScanDigestRows(ctx context.Context, since, until time.Time, fn func(store.DigestRow) error) error
	DigestAlerts(ctx context.Context, since, until time.Time) ([]store.DigestAlertCount, error)
	GetArticles(ctx context.Context, ids []string) ([]*article.Article, error)
	ListSources(ctx context.Context) ([]store.Source, error)
	ListSourceStates(ctx context.Context) ([]store.SourceState, error)
	ListResponses(ctx context.Context, f store.ResponseFilter) ([]store.Response, error)
}

// Translator puts foreign story titles and summaries into Vietnamese
// (*translate.Translator satisfies it).
type Translator interface {
	Configured() bool
	Translate(ctx context.Context, source string, texts []string) ([]string, error)
}

// BuilderOptions configures a Builder.
type BuilderOptions struct {
	Store ReportStore
	// Translator, when configured, adds Vietnamese machine translations of
	// foreign stories; nil or unconfigured leaves them in their language.
	Translator Translator
	// Location is the zone days are counted in; nil means Asia/Ho_Chi_Minh.
	Location *time.Location
	// BaseURL is the web UI's address, for links to stories; "" leaves them out.
	BaseURL string
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Builder computes reports from the store.
type Builder struct {
	opts BuilderOptions
	loc  *time.Location
	log  *slog.Logger
}

// NewBuilder validates opts and returns a Builder.
func NewBuilder(opts BuilderOptions) (*Builder, error) {
	if opts.Store == nil {
		return nil, errors.New("digest: BuilderOptions.Store is required")
	}
	loc := opts.Location
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation(DefaultTimezone); err != nil {
			return nil, fmt.Errorf("digest: load time zone %q: %w", DefaultTimezone, err)
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	return &Builder{opts: opts, loc: loc, log: opts.Logger.With("component", "digest")}, nil
}

// Location returns the zone the builder reckons periods in.
func (b *Builder) Location() *time.Location { return b.loc }

// Report is a computed report: every figure, list and table a rendering
// shows. It is stored as JSON beside the rendered HTML.
type Report struct {
	Kind      Kind      `json:"kind"`
	Period    string    `json:"period"`
	Title     string    `json:"title"`    // Vietnamese
	TitleEN   string    `json:"title_en"` // English
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	PrevLabel string    `json:"prev_period"`
	Generated time.Time `json:"generated"`
	Timezone  string    `json:"timezone"`
	BaseURL   string    `json:"base_url,omitempty"`

	Total     int `json:"total"`
	About     int `json:"about"`
	Mentions  int `json:"mentions"`
	PrevTotal int `json:"prev_total"`

	Days  []Bucket `json:"days"`            // one per calendar day
	Trend []Bucket `json:"trend,omitempty"` // weeks (quarterly) or months (annual)

	Countries []Breakdown `json:"countries"`
	Languages []Breakdown `json:"languages"`
	Outlets   []Breakdown `json:"outlets"`
	Tone      Tone        `json:"tone"`

	TopTopics    []TopicCount `json:"top_topics"`
	RisingTopics []TopicCount `json:"rising_topics"`
	Stories      []Story      `json:"stories"`
	Quotes       []Quote      `json:"quotes"`
	Attention    []Link       `json:"attention"` // needs review or high risk
	// PublishedEarlier counts the period's articles published before it
	// began: pages collected late, most often the archive of a source just
	// added. They are in the period's figures (periods go by collection
	// time), and the report says how many, so that a leader does not read
	// months-old coverage as this week's (an outside reading).
	PublishedEarlier int `json:"published_earlier"`
	// AttentionMore is how many stories needing attention the list leaves
	// out; AttentionItems how many items need attention in all.
	AttentionMore  int `json:"attention_more,omitempty"`
	AttentionItems int `json:"attention_items,omitempty"`
	NeedsReview    int `json:"needs_review"`

	Alerts        AlertSummary `json:"alerts"`
	Sources       int          `json:"sources"`   // configured sources
	Monitored     int          `json:"monitored"` // enabled sources added before the period ended
	NewSources    []SourceRow  `json:"new_sources"`
	SilentSources []SourceRow  `json:"silent_sources"`

	Committee []CommitteeRow `json:"committee,omitempty"` // quarterly and annual

	// Responses are the office's answers to false or distorted reports
	// recorded in the period, with their outcome (every kind; a weekly
	// report shows the section only when there are some).
	Responses []ResponseRow `json:"responses,omitempty"`

	// TranslationError says, in Vietnamese, why foreign stories are not
	// translated although a service is configured.
	TranslationError string `json:"translation_error,omitempty"`
}

// Empty reports whether no coverage was found in the period.
func (r *Report) Empty() bool { return r.Total == 0 }

// Bucket is the coverage of one day, week or month.
type Bucket struct {
	Start    time.Time `json:"start"`
	Label    string    `json:"label"`
	Count    int       `json:"count"`
	Positive int       `json:"positive"`
	Neutral  int       `json:"neutral"`
	Negative int       `json:"negative"`
}

// Tone is the tone toward the province of a set of articles. Index is
// (positive − negative) / total × 100, from −100 to 100.
type Tone struct {
	Positive  int     `json:"positive"`
	Neutral   int     `json:"neutral"`
	Negative  int     `json:"negative"`
	Index     float64 `json:"index"`
	HasPrev   bool    `json:"has_prev"`
	PrevIndex float64 `json:"prev_index"`
	Delta     float64 `json:"delta"`
}

func (t *Tone) add(tone string) {
	switch tone {
	case "positive":
		t.Positive++
	case "negative":
		t.Negative++
	default:
		t.Neutral++
	}
}

func (t *Tone) total() int { return t.Positive + t.Neutral + t.Negative }

func (t *Tone) finish(prev *Tone) {
	if n := t.total(); n > 0 {
		t.Index = round1(float64(t.Positive-t.Negative) * 100 / float64(n))
	}
	if prev != nil && prev.total() > 0 {
		prev.finish(nil)
		t.HasPrev, t.PrevIndex = true, prev.Index
		t.Delta = round1(t.Index - prev.Index)
	}
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// Breakdown is the coverage of one country, language or outlet.
type Breakdown struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Count int     `json:"count"`
	Prev  int     `json:"prev"`
	Share float64 `json:"share"` // percent of the period's total
	Tone  Tone    `json:"tone"`
}

// TopicCount is a topic's number of articles in the period and the one before.
type TopicCount struct {
	Topic  string  `json:"topic"`
	Label  string  `json:"label"`
	Count  int     `json:"count"`
	Prev   int     `json:"prev"`
	Growth float64 `json:"growth"` // Count / Prev, smoothed; 0 when Prev is 0
	New    bool    `json:"new"`    // not seen in the previous period
}

// Story is a cluster of articles about one event, ranked by reach.
type Story struct {
	Cluster   string    `json:"cluster"`
	Title     string    `json:"title"`
	URL       string    `json:"url,omitempty"` // the story page in the web UI
	Articles  int       `json:"articles"`
	Outlets   int       `json:"outlets"`
	Countries int       `json:"countries"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	Tone      Tone      `json:"tone"`
	Summary   []string  `json:"summary"`
	// Lang is the language of the title and summary; TitleVI and SummaryVI
	// are their machine translation into Vietnamese when it is not vi and a
	// translation service is configured.
	Lang      string   `json:"lang,omitempty"`
	TitleVI   string   `json:"title_vi,omitempty"`
	SummaryVI []string `json:"summary_vi,omitempty"`
	Links     []Link   `json:"links"`
}

// Link is one article shown in a report.
type Link struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Outlet    string    `json:"outlet"`
	Country   string    `json:"country"`
	Lang      string    `json:"lang"`
	Published time.Time `json:"published"`
	Tone      string    `json:"tone,omitempty"`
	Risk      int       `json:"risk,omitempty"`
	Review    bool      `json:"needs_review,omitempty"`
	Cluster   string    `json:"cluster,omitempty"`
}

// Quote is a sentence with a quotation near a mention of the province.
type Quote struct {
	Text string `json:"text"`
	Link Link   `json:"link"`
}

// AlertSummary counts the period's alerts and their triage outcome.
type AlertSummary struct {
	// Total counts the alerts sent to officers; digest-only matches are in
	// Recorded.
	Total    int     `json:"total"`
	Recorded int     `json:"recorded_digest_only"`
	ByState  []Count `json:"by_state"`
	ByRoute  []Count `json:"by_route"`
}

// Count is a labelled number.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// SourceRow is a source listed as new or silent.
type SourceRow struct {
	Name        string    `json:"name"`
	Outlet      string    `json:"outlet"`
	Country     string    `json:"country"`
	Added       time.Time `json:"added,omitzero"`
	LastNewItem time.Time `json:"last_new_item,omitzero"`
	Errors      int       `json:"errors,omitempty"`
	Reason      string    `json:"reason,omitempty"`
}

// CommitteeRow is one line of the table for the report to the People's Committee.
type CommitteeRow struct {
	Label  string `json:"label"`
	Value  string `json:"value"`
	Prev   string `json:"prev"`
	Change string `json:"change"`
}

// ResponseRow is one response of the office in a report.
type ResponseRow struct {
	Date    time.Time `json:"date"`
	Title   string    `json:"title"` // the article answered
	Outlet  string    `json:"outlet"`
	URL     string    `json:"url"`
	Channel string    `json:"channel"` // Vietnamese
	Text    string    `json:"text"`
	Outcome string    `json:"outcome"` // Vietnamese
	Note    string    `json:"note,omitempty"`
}

var channelNames = map[string]string{
	store.ChannelPressRelease: "Thông cáo báo chí", store.ChannelLetter: "Thư gửi cơ quan báo chí",
	store.ChannelStatement: "Tuyên bố", store.ChannelOther: "Khác",
}

var outcomeNames = map[string]string{
	store.OutcomePending: "Đang theo dõi", store.OutcomeCorrected: "Đã đính chính", store.OutcomeRetracted: "Đã gỡ, rút bài",
	store.OutcomeUnchanged: "Không thay đổi", store.OutcomeRepeated: "Lặp lại ở nơi khác",
}

// responses lists the period's responses. A response whose story was
// carried by further articles after it, and not corrected or retracted, is
// reported as repeated elsewhere.
func (b *Builder) responses(ctx context.Context, p Period, cur *agg) ([]ResponseRow, error) {
	list, err := b.opts.Store.ListResponses(ctx, store.ResponseFilter{Since: p.Start, Until: p.End})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(list))
	for _, r := range list {
		ids = append(ids, r.ArticleID)
	}
	arts, err := b.opts.Store.GetArticles(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]*article.Article{}
	for _, a := range arts {
		byID[a.ID] = a
	}
	var out []ResponseRow
	for i := len(list) - 1; i >= 0; i-- { // oldest first
		r := list[i]
		row := ResponseRow{Date: r.RespondedOn, Channel: channelNames[r.Channel], Text: clip(r.Text, 300),
			Outcome: outcomeNames[r.Outcome], Note: r.OutcomeNote}
		if a := byID[r.ArticleID]; a != nil {
			row.Title, row.Outlet, row.URL = a.Title, a.Outlet, article.WithoutTracking(a.URL)
		}
		if r.Outcome == store.OutcomePending || r.Outcome == store.OutcomeUnchanged {
			if c := cur.clusters[r.Cluster]; c != nil && r.Cluster != "" {
				later := 0
				for _, x := range c.rows {
					if x.ID != r.ArticleID && when(x).After(r.RespondedOn) {
						later++
					}
				}
				if later > 0 {
					row.Outcome = outcomeNames[store.OutcomeRepeated]
					row.Note = fmt.Sprintf("%d tin, bài khác đưa lại câu chuyện sau ngày phản hồi.", later)
				}
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// Limits of the lists in a report.
const (
	maxQuoteCandidates = 150 // articles whose text is read for quotes
	maxStoryMembers    = 6   // articles of a story whose text is read
	highRisk           = 60  // risk at which an article needs attention
)

func (k Kind) limits() (stories, quotes, outlets int) {
	if k == Weekly {
		return 5, 5, 10
	}
	return 10, 10, 15
}

// agg accumulates one period's rows.
type agg struct {
	total, about, mentions int
	tone                   Tone
	days                   map[string]*Bucket
	countries, langs, outs map[string]*Breakdown
	topics                 map[string]int
	clusters               map[string]*cluster
	attention              []Link
	review                 int
	aboutRows              []store.DigestRow
	// start is when the period begins: stories published wholly before it
	// (collected late) rank after the period's own (rankedClusters).
	start time.Time
}

type cluster struct {
	key                string
	rows               []store.DigestRow
	outlets, countries map[string]bool
	tone               Tone
	first, last        time.Time
}

func newAgg() *agg {
	return &agg{days: map[string]*Bucket{}, countries: map[string]*Breakdown{}, langs: map[string]*Breakdown{},
		outs: map[string]*Breakdown{}, topics: map[string]int{}, clusters: map[string]*cluster{}}
}

func (a *agg) add(r store.DigestRow, loc *time.Location, full bool) {
	a.total++
	if r.About {
		a.about++
	} else {
		a.mentions++
	}
	a.tone.add(r.Tone)
	bd := func(m map[string]*Breakdown, key string) {
		if key == "" {
			key = "?"
		}
		b := m[key]
		if b == nil {
			b = &Breakdown{Key: key}
			m[key] = b
		}
		b.Count++
		b.Tone.add(r.Tone)
	}
	bd(a.countries, r.Country)
	for _, t := range r.Topics {
		a.topics[t]++
	}
	if !full {
		return
	}
	bd(a.langs, r.Lang)
	bd(a.outs, outletOf(r))
	// Days are collection days (the period is selected by collection time),
	// normally within hours of publication.
	day := r.Collected.In(loc).Format("2006-01-02")
	b := a.days[day]
	if b == nil {
		b = &Bucket{}
		a.days[day] = b
	}
	b.Count++
	switch r.Tone {
	case "positive":
		b.Positive++
	case "negative":
		b.Negative++
	default:
		b.Neutral++
	}
	key := r.Cluster
	if key == "" {
		key = "article:" + r.ID
	}
	c := a.clusters[key]
	if c == nil {
		c = &cluster{key: key, outlets: map[string]bool{}, countries: map[string]bool{}}
		a.clusters[key] = c
	}
	c.rows = append(c.rows, r)
	c.outlets[outletOf(r)] = true
	if r.Country != "" {
		c.countries[r.Country] = true
	}
	c.tone.add(r.Tone)
	w := when(r)
	if c.first.IsZero() || w.Before(c.first) {
		c.first = w
	}
	if w.After(c.last) {
		c.last = w
	}
	if r.NeedsReview {
		a.review++
	}
	if r.NeedsReview || r.Risk >= highRisk {
		a.attention = append(a.attention, linkOf(r))
	}
	if r.About {
		a.aboutRows = append(a.aboutRows, r)
	}
}

func outletOf(r store.DigestRow) string {
	if r.Outlet != "" {
		return r.Outlet
	}
	return r.Source
}

func linkOf(r store.DigestRow) Link {
	return Link{ID: r.ID, Title: r.Title, URL: r.URL, Outlet: outletOf(r), Country: r.Country, Lang: r.Lang,
		Published: when(r), Tone: r.Tone, Risk: r.Risk, Review: r.NeedsReview, Cluster: r.Cluster}
}

// Build computes the report of period p. A period without coverage gives a
// short report, not an error.
func (b *Builder) Build(ctx context.Context, p Period) (*Report, error) {
	loc := b.loc
	p.Start, p.End = p.Start.In(loc), p.End.In(loc)
	prev := p.Prev()
	cur, old := newAgg(), newAgg()
	cur.start, old.start = p.Start, prev.Start
	earlier := 0
	if err := b.opts.Store.ScanDigestRows(ctx, p.Start, p.End, func(r store.DigestRow) error {
		cur.add(r, loc, true)
		if !r.Published.IsZero() && r.Published.Before(p.Start) {
			earlier++
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("build %s report %s: %w", p.Kind, p.Label, err)
	}
	if err := b.opts.Store.ScanDigestRows(ctx, prev.Start, prev.End, func(r store.DigestRow) error {
		old.add(r, loc, false)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("build %s report %s: previous period: %w", p.Kind, p.Label, err)
	}
	rep := &Report{
		Kind: p.Kind, Period: p.Label, Title: p.Title(), TitleEN: p.TitleEN(), Start: p.Start, End: p.End,
		PrevLabel: prev.Label, Generated: b.opts.Now().In(loc), Timezone: loc.String(), BaseURL: b.opts.BaseURL,
		Total: cur.total, About: cur.about, Mentions: cur.mentions, PrevTotal: old.total, NeedsReview: cur.review,
		PublishedEarlier: earlier,
	}
	rep.Tone = cur.tone
	rep.Tone.finish(&old.tone)
	rep.Days = dayBuckets(p, cur.days)
	switch p.Kind {
	case Quarterly:
		rep.Trend = trendBuckets(rep.Days, func(t time.Time) (time.Time, string) {
			w := weekOf(t)
			_, n := w.Start.ISOWeek()
			// "Tuần 40", not "T40": T is tháng (month) to a Vietnamese
			// reader, and T40 read as a month (an outside reading).
			return w.Start, fmt.Sprintf("Tuần %d", n)
		})
	case Annual:
		rep.Trend = trendBuckets(rep.Days, func(t time.Time) (time.Time, string) {
			m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
			return m, m.Format("01/2006")
		})
	}
	nStories, nQuotes, nOutlets := p.Kind.limits()
	rep.Countries = breakdowns(cur.countries, old.countries, cur.total, countryName, 0)
	rep.Languages = breakdowns(cur.langs, nil, cur.total, languageName, 0)
	rep.Outlets = breakdowns(cur.outs, nil, cur.total, func(s string) string { return s }, nOutlets)
	rep.TopTopics, rep.RisingTopics = topics(cur.topics, old.topics)
	if old.total == 0 {
		// Nothing to compare with (monitoring began this period): every
		// topic would read "new", which says nothing.
		rep.RisingTopics = nil
	}
	rep.Attention = attention(cur.attention, 10)
	rep.AttentionMore, rep.AttentionItems = attentionRest(cur.attention, rep.Attention)

	texts, err := b.texts(ctx, cur, nStories)
	if err != nil {
		return nil, fmt.Errorf("build %s report %s: %w", p.Kind, p.Label, err)
	}
	rep.Stories = b.stories(cur, texts, nStories)
	rep.Quotes = quotes(cur, texts, nQuotes)
	b.translateStories(ctx, rep)

	alerts, err := b.opts.Store.DigestAlerts(ctx, p.Start, p.End)
	if err != nil {
		return nil, fmt.Errorf("build %s report %s: %w", p.Kind, p.Label, err)
	}
	rep.Alerts = alertSummary(alerts)
	if err := b.sources(ctx, rep, p); err != nil {
		return nil, fmt.Errorf("build %s report %s: %w", p.Kind, p.Label, err)
	}
	// The office's responses: a section of every quarterly and annual
	// report, and of a weekly one when the week had any (leadership read
	// the week's answers to false reports nowhere but in the quarter's).
	if rep.Responses, err = b.responses(ctx, p, cur); err != nil {
		return nil, fmt.Errorf("build %s report %s: %w", p.Kind, p.Label, err)
	}
	if p.Kind != Weekly {
		rep.Committee = committee(rep, cur, old)
	}
	return rep, nil
}

// attention lists the riskiest items, one per story, reviews first.
// attentionRest counts the stories (an article without one is its own) of
// links that the listed ones leave out, and all the items: a list cut at ten
// said nothing of the 16 other stories (an outside reading).
func attentionRest(links, listed []Link) (more, items int) {
	key := func(l Link) string {
		if l.Cluster != "" {
			return "c:" + l.Cluster
		}
		return "a:" + l.ID
	}
	shown := map[string]bool{}
	for _, l := range listed {
		shown[key(l)] = true
	}
	rest := map[string]bool{}
	for _, l := range links {
		if k := key(l); !shown[k] {
			rest[k] = true
		}
	}
	return len(rest), len(links)
}

func attention(links []Link, n int) []Link {
	sort.SliceStable(links, func(i, j int) bool {
		if links[i].Review != links[j].Review {
			return links[i].Review
		}
		return links[i].Risk > links[j].Risk
	})
	var out []Link
	seen := map[string]bool{}
	for _, l := range links {
		if len(out) == n {
			break
		}
		if l.Cluster != "" && seen[l.Cluster] {
			continue
		}
		seen[l.Cluster] = true
		out = append(out, l)
	}
	return out
}

func dayBuckets(p Period, days map[string]*Bucket) []Bucket {
	var out []Bucket
	for d := p.Start; d.Before(p.End); d = d.AddDate(0, 0, 1) {
		b := Bucket{}
		if x := days[d.Format("2006-01-02")]; x != nil {
			b = *x
		}
		b.Start, b.Label = d, d.Format("02/01")
		out = append(out, b)
	}
	return out
}

func trendBuckets(days []Bucket, key func(time.Time) (time.Time, string)) []Bucket {
	var out []Bucket
	for _, d := range days {
		start, label := key(d.Start)
		if len(out) == 0 || out[len(out)-1].Label != label {
			out = append(out, Bucket{Start: start, Label: label})
		}
		b := &out[len(out)-1]
		b.Count += d.Count
		b.Positive += d.Positive
		b.Neutral += d.Neutral
		b.Negative += d.Negative
	}
	return out
}

func breakdowns(cur, prev map[string]*Breakdown, total int, label func(string) string, limit int) []Breakdown {
	out := make([]Breakdown, 0, len(cur))
	for k, b := range cur {
		x := *b
		x.Label = label(k)
		if total > 0 {
			x.Share = round1(float64(x.Count) * 100 / float64(total))
		}
		var pt *Tone
		if p := prev[k]; p != nil {
			x.Prev = p.Count
			pt = &p.Tone
		}
		x.Tone.finish(pt)
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func topics(cur, prev map[string]int) (top, rising []TopicCount) {
	for t, n := range cur {
		tc := TopicCount{Topic: t, Label: topicName(t), Count: n, Prev: prev[t], New: prev[t] == 0}
		if tc.Prev > 0 {
			tc.Growth = round1(float64(n) / float64(tc.Prev))
		}
		top = append(top, tc)
		// Rising: at least three articles and clearly more than before.
		if n >= 3 && n-tc.Prev >= 2 && float64(n+1)/float64(tc.Prev+1) >= 1.5 {
			rising = append(rising, tc)
		}
	}
	sort.Slice(top, func(i, j int) bool {
		if top[i].Count != top[j].Count {
			return top[i].Count > top[j].Count
		}
		return top[i].Topic < top[j].Topic
	})
	sort.Slice(rising, func(i, j int) bool {
		gi := float64(rising[i].Count+1) / float64(rising[i].Prev+1)
		gj := float64(rising[j].Count+1) / float64(rising[j].Prev+1)
		if gi != gj {
			return gi > gj
		}
		return rising[i].Topic < rising[j].Topic
	})
	return top[:min(len(top), 10)], rising[:min(len(rising), 5)]
}

// rankedClusters orders the period's clusters: the period's own stories
// before those whose every article was published before the period began
// (a new source's archive, collected late: it led a week's report with a
// story from July 2025, an outside reading by leadership), then by reach:
// outlets, then countries, then articles, then the one with the newest
// article.
func rankedClusters(a *agg) []*cluster {
	cs := make([]*cluster, 0, len(a.clusters))
	for _, c := range a.clusters {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool {
		x, y := cs[i], cs[j]
		if xo, yo := x.last.Before(a.start), y.last.Before(a.start); xo != yo {
			return yo
		}
		if len(x.outlets) != len(y.outlets) {
			return len(x.outlets) > len(y.outlets)
		}
		if len(x.countries) != len(y.countries) {
			return len(x.countries) > len(y.countries)
		}
		if len(x.rows) != len(y.rows) {
			return len(x.rows) > len(y.rows)
		}
		// A tie goes to the story with the newest article: oldest-first put
		// a 2025 story found in a new source's archive above the week's own
		// (an outside reading by leadership).
		if !x.last.Equal(y.last) {
			return x.last.After(y.last)
		}
		return x.key < y.key
	})
	return cs
}

// representative picks the article that stands for a story: Vietnamese,
// then English, then the most relevant.
func representative(rows []store.DigestRow) store.DigestRow {
	best := rows[0]
	rank := func(r store.DigestRow) int {
		switch r.Lang {
		case "vi":
			return 2
		case "en":
			return 1
		}
		return 0
	}
	for _, r := range rows[1:] {
		if rank(r) > rank(best) || rank(r) == rank(best) && r.Relevance > best.Relevance {
			best = r
		}
	}
	return best
}

// texts reads the full articles the report quotes and summarises: a few per
// top story and the most relevant articles about the province.
func (b *Builder) texts(ctx context.Context, a *agg, nStories int) (map[string]*article.Article, error) {
	var ids []string
	seen := map[string]bool{}
	want := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, c := range rankedClusters(a)[:min(len(a.clusters), nStories)] {
		want(representative(c.rows).ID)
		for _, r := range c.rows[:min(len(c.rows), maxStoryMembers)] {
			want(r.ID)
		}
	}
	about := append([]store.DigestRow(nil), a.aboutRows...)
	sort.SliceStable(about, func(i, j int) bool { return about[i].Relevance > about[j].Relevance })
	for _, r := range about[:min(len(about), maxQuoteCandidates)] {
		want(r.ID)
	}
	out := make(map[string]*article.Article, len(ids))
	for i := 0; i < len(ids); i += 200 {
		arts, err := b.opts.Store.GetArticles(ctx, ids[i:min(i+200, len(ids))])
		if err != nil {
			return nil, fmt.Errorf("read article texts: %w", err)
		}
		for _, x := range arts {
			out[x.ID] = x
		}
	}
	return out, nil
}

// provinceTerms are the names looked for when an article's classification
// lists no entity.
var provinceTerms = []string{"Đồng Nai", "Dong Nai", "Biên Hòa", "Bien Hoa", "Long Thành", "Long Thanh", "同奈", "동나이", "ドンナイ"}

func termsOf(x *article.Article) []string {
	terms := append([]string(nil), provinceTerms...)
	if x != nil && x.Classification != nil {
		for _, e := range x.Classification.Entities {
			if e.Kind != "person" && e.Text != "" {
				terms = append(terms, e.Text)
			}
		}
	}
	return terms
}

func (b *Builder) stories(a *agg, texts map[string]*article.Article, n int) []Story {
	var out []Story
	for _, c := range rankedClusters(a)[:min(len(a.clusters), n)] {
		rep := representative(c.rows)
		s := Story{Cluster: c.key, Title: rep.Title, Lang: rep.Lang, Articles: len(c.rows), Outlets: len(c.outlets),
			Countries: len(c.countries), First: c.first, Last: c.last, Tone: c.tone}
		s.Tone.finish(nil)
		if !strings.HasPrefix(c.key, "article:") && b.opts.BaseURL != "" {
			s.URL = b.opts.BaseURL + "/stories/" + c.key
		}
		context := map[string]int{}
		for _, r := range c.rows[:min(len(c.rows), maxStoryMembers)] {
			seen := map[string]bool{}
			txt := r.Title
			if x := texts[r.ID]; x != nil {
				txt += " " + x.Text
			}
			for _, w := range words(txt) {
				if !seen[w] {
					seen[w] = true
					context[w]++
				}
			}
		}
		if x := texts[rep.ID]; x != nil {
			body := x.Text
			if strings.TrimSpace(body) == "" {
				body = x.Summary
			}
			s.Summary = summarize(x.Title, body, context, termsOf(x), 3)
		}
		rows := append([]store.DigestRow(nil), c.rows...)
		sort.SliceStable(rows, func(i, j int) bool { return when(rows[i]).Before(when(rows[j])) })
		seenOutlet := map[string]bool{}
		for _, r := range rows {
			if seenOutlet[outletOf(r)] || len(s.Links) >= 5 {
				continue
			}
			seenOutlet[outletOf(r)] = true
			s.Links = append(s.Links, linkOf(r))
		}
		out = append(out, s)
	}
	return out
}

// translateStories adds the Vietnamese machine translation of every story
// not in Vietnamese. A failing service leaves the report untranslated (and
// says so in the log): a report is never held back by it.
func (b *Builder) translateStories(ctx context.Context, rep *Report) {
	t := b.opts.Translator
	if t == nil || !t.Configured() {
		return
	}
	for i := range rep.Stories {
		s := &rep.Stories[i]
		if s.Lang == "vi" || s.Lang == "" && isVietnamese(s.Title) {
			continue
		}
		got, err := t.Translate(ctx, s.Lang, append([]string{s.Title}, s.Summary...))
		if err != nil {
			b.log.WarnContext(ctx, "story not translated", "cluster", s.Cluster, "err", err)
			rep.TranslationError = "Dịch máy không dùng được khi lập báo cáo; các câu chuyện để nguyên ngôn ngữ gốc."
			return
		}
		s.TitleVI, s.SummaryVI = got[0], got[1:]
	}
}

// isVietnamese guesses from the letters only Vietnamese uses.
func isVietnamese(s string) bool {
	return strings.ContainsAny(s, "ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
}

func quotes(a *agg, texts map[string]*article.Article, n int) []Quote {
	about := append([]store.DigestRow(nil), a.aboutRows...)
	sort.SliceStable(about, func(i, j int) bool { return about[i].Relevance > about[j].Relevance })
	var out []Quote
	seen := map[string]bool{}
	for _, r := range about {
		if len(out) >= n {
			break
		}
		x := texts[r.ID]
		if x == nil {
			continue
		}
		q := findQuote(x.Text, termsOf(x))
		if q == "" || seen[q] {
			continue
		}
		seen[q] = true
		out = append(out, Quote{Text: q, Link: linkOf(r)})
	}
	return out
}

// alertSummary counts the alerts officers were sent (or will be, after a
// quiet-hours hold); digest-only matches, recorded for this report and never
// mailed, are counted apart in Recorded.
func alertSummary(counts []store.DigestAlertCount) AlertSummary {
	var s AlertSummary
	byState, byRoute := map[string]int{}, map[string]int{}
	for _, c := range counts {
		if c.Severity == "digest" {
			s.Recorded += c.Count
			continue
		}
		s.Total += c.Count
		byState[c.State] += c.Count
		byRoute[c.Route] += c.Count
	}
	s.ByState = sortedCounts(byState, alertStateName)
	s.ByRoute = sortedCounts(byRoute, routeName)
	return s
}

func sortedCounts(m map[string]int, label func(string) string) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, Label: label(k), Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// NotWatched reports whether the period ended before any source on record
// was added: nothing in it says what foreign press wrote, and the report
// must not read as "nothing was written" (an outside reading of a fresh
// demo's report for the week before it started).
func (r *Report) NotWatched() bool { return r.Monitored == 0 && r.Sources > 0 }

// Provisional reports whether the period was not over when the report was
// made: its figures are so far, and the days after are not zeros.
func (r *Report) Provisional() bool { return r.Generated.Before(r.End) }

// Texts of the two notes, shared by the HTML, text, PDF and DOCX forms.
const (
	NotWatchedVI  = "Trong kỳ này hệ thống chưa theo dõi nguồn tin nào (các nguồn hiện có được thêm sau khi kỳ kết thúc), nên báo cáo không cho biết báo chí nước ngoài đã viết gì trong kỳ."
	NotWatchedEN  = "No source was monitored in this period (the sources on record were added after it ended), so the report cannot say what foreign press wrote."
	ProvisionalVI = "Số liệu tạm tính đến %s: kỳ báo cáo chưa kết thúc."
	ProvisionalEN = "Provisional: the period is not over."
)

// The notes for the templates (which cannot read constants).
func (r *Report) NotWatchedVI() string  { return NotWatchedVI }
func (r *Report) NotWatchedEN() string  { return NotWatchedEN }
func (r *Report) ProvisionalVI() string { return ProvisionalVI }
func (r *Report) ProvisionalEN() string { return ProvisionalEN }

// sources lists the sources added in the period, and the enabled sources
// that brought nothing new during it (coverage gaps).
func (b *Builder) sources(ctx context.Context, rep *Report, p Period) error {
	srcs, err := b.opts.Store.ListSources(ctx)
	if err != nil {
		return fmt.Errorf("list sources: %w", err)
	}
	states, err := b.opts.Store.ListSourceStates(ctx)
	if err != nil {
		return fmt.Errorf("list source states: %w", err)
	}
	rep.Sources = len(srcs)
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Source] = st
	}
	for _, s := range srcs {
		row := SourceRow{Name: s.Name, Outlet: s.Outlet, Country: s.Country, Added: s.AddedAt}
		if !s.AddedAt.Before(p.Start) && s.AddedAt.Before(p.End) {
			rep.NewSources = append(rep.NewSources, row)
		}
		if !s.Enabled || !s.AddedAt.Before(p.End) {
			continue
		}
		rep.Monitored++
		st, ok := byName[s.Name]
		row.LastNewItem, row.Errors = st.LastNewItem, st.ConsecutiveErrors
		switch {
		case !ok || st.LastSuccess.IsZero():
			row.Reason = "chưa thu thập được lần nào · never collected"
		case st.ConsecutiveErrors >= 3:
			row.Reason = fmt.Sprintf("lỗi liên tiếp %d lần · %d consecutive errors", st.ConsecutiveErrors, st.ConsecutiveErrors)
		case st.Silent:
			row.Reason = "im lặng bất thường · unusually silent"
		case st.LastNewItem.Before(p.Start):
			row.Reason = "không có tin mới trong kỳ · nothing new in the period"
		default:
			continue
		}
		rep.SilentSources = append(rep.SilentSources, row)
	}
	return nil
}

func committee(rep *Report, cur, old *agg) []CommitteeRow {
	pct := func(n, total int) string {
		if total == 0 {
			return "0"
		}
		return fmt.Sprintf("%d (%.0f%%)", n, float64(n)*100/float64(total))
	}
	change := func(a, b int) string {
		switch {
		case b == 0 && a == 0:
			return "—"
		case b == 0:
			return "mới · new"
		}
		return fmt.Sprintf("%+.0f%%", float64(a-b)*100/float64(b))
	}
	stories := 0
	for _, c := range cur.clusters {
		if len(c.outlets) >= 2 {
			stories++
		}
	}
	var topTopics []string
	for _, t := range rep.TopTopics[:min(len(rep.TopTopics), 3)] {
		topTopics = append(topTopics, fmt.Sprintf("%s (%d)", t.Label, t.Count))
	}
	oldTone := old.tone
	oldTone.finish(nil)
	// Decimal comma, as everywhere else in the report ("-40.0" read oddly
	// beside "−40,0" in the summary: an outside reading).
	prevIndex, indexChange := signed(oldTone.Index), signed(rep.Tone.Index-oldTone.Index)
	if old.total == 0 {
		prevIndex, indexChange = "—", "—"
	}
	rows := []CommitteeRow{
		{"Tổng số tin, bài của báo chí nước ngoài về tỉnh", fmt.Sprint(cur.total), fmt.Sprint(old.total), change(cur.total, old.total)},
		{"— trong đó viết về tỉnh", fmt.Sprint(cur.about), fmt.Sprint(old.about), change(cur.about, old.about)},
		{"— trong đó có nhắc đến tỉnh", fmt.Sprint(cur.mentions), fmt.Sprint(old.mentions), change(cur.mentions, old.mentions)},
		{"Tin, bài tích cực", pct(cur.tone.Positive, cur.total), pct(old.tone.Positive, old.total), change(cur.tone.Positive, old.tone.Positive)},
		{"Tin, bài trung lập", pct(cur.tone.Neutral, cur.total), pct(old.tone.Neutral, old.total), change(cur.tone.Neutral, old.tone.Neutral)},
		{"Tin, bài tiêu cực", pct(cur.tone.Negative, cur.total), pct(old.tone.Negative, old.total), change(cur.tone.Negative, old.tone.Negative)},
		{"Chỉ số sắc thái (−100 … +100)", signed(rep.Tone.Index), prevIndex, indexChange},
		{"Số quốc gia có báo chí đưa tin", fmt.Sprint(len(rep.Countries)), fmt.Sprint(len(old.countries)), change(len(rep.Countries), len(old.countries))},
		{"Số cơ quan báo chí đưa tin", fmt.Sprint(len(cur.outs)), "", ""},
		{"Câu chuyện có từ hai cơ quan báo chí trở lên đưa tin", fmt.Sprint(stories), "", ""},
		// Every item flagged for an officer's review, not only possible
		// misinformation: the label says so (leadership read it as a
		// count of false reports).
		{"Tin, bài cần cán bộ xem xét (sự việc nhạy cảm, thông tin có thể sai lệch, xuyên tạc)", fmt.Sprint(cur.review), "", ""},
		// Alert records, one per rule an article matched, silenced and
		// waiting ones included: not emails sent (an outside reading took
		// "đã phát" for messages).
		{"Cảnh báo gửi ngay được ghi nhận (mỗi quy tắc khớp một cảnh báo; gồm cả cảnh báo đã tạm tắt, đang chờ gửi)", fmt.Sprint(rep.Alerts.Total), "", ""},
		{"Chủ đề nổi bật", strings.Join(topTopics, "; "), "", ""},
	}
	return rows
}

// when returns when the article appeared: its publication time when known
// and plausible, else when it was collected.
func when(r store.DigestRow) time.Time {
	if !r.Published.IsZero() && !r.Published.After(r.Collected) {
		return r.Published
	}
	return r.Collected
}

// JSON returns the report's figures as indented JSON (stored with the
// archived report).
func (r *Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode report %s %s: %w", r.Kind, r.Period, err)
	}
	return b, nil
}

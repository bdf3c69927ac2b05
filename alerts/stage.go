package alerts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/query"
	"github.com/dongnai/presswatch/store"
)

// Receiver is who alerts are sent to: email addresses and/or a webhook.
type Receiver struct {
	Name, DisplayName string
	Email             []string
	WebhookURL        string
	WebhookSecret     []byte
	QuietHours        *QuietHours
}

// QuietHours is a daily window, as offsets from local midnight in the
// stage's zone, during which non-critical alerts wait for End. Start > End
// wraps midnight.
type QuietHours struct {
	Start, End time.Duration
}

// InhibitRule suppresses alerts of route Target while an alert of route Source
// exists whose Equal fields have the same values (default: cluster), e.g. a
// story alert suppresses the per-article alerts inside the story.
type InhibitRule struct {
	Source, Target string
	Equal          []string
}

// StageStore is what the stage needs from the store.
type StageStore interface {
	RecordAlerts(ctx context.Context, alerts []store.NewAlert) error
	HasAlert(ctx context.Context, route string, eq map[string]string) (bool, error)
	ListSilences(ctx context.Context, now time.Time, expired bool) ([]store.Silence, error)
}

// StageOptions configure a Stage.
type StageOptions struct {
	Bus          *bus.Bus // nil: only Process can be used
	Store        StageStore
	Router       *Router
	Receivers    []Receiver
	Inhibit      []InhibitRule
	CriticalRisk int            // 0 means 80
	Location     *time.Location // quiet hours' zone; nil means Asia/Ho_Chi_Minh
	Durable      string         // 0 means "alerter"
	BatchSize    int
	Now          func() time.Time
	// Notified, when set, is called after a batch that created notifications
	// is committed; in one process it wakes the Sender (Sender.Wake) so an
	// immediate alert does not wait for the next poll.
	Notified   func()
	Logger     *slog.Logger
	Registerer prometheus.Registerer

	// Saved, when set, adds the alert routes users made from saved searches
	// to the tree's matches (see SavedRoutes); whoever owns it runs its Run.
	Saved *SavedRoutes
}

// Stage decides alerts for classified articles and writes them to the outbox.
type Stage struct {
	opts      StageOptions
	receivers map[string]Receiver
	log       *slog.Logger

	mu       sync.Mutex
	silences map[string]*query.Prepared // by silence ID + query

	alertsTotal *prometheus.CounterVec
}

// DefaultCriticalRisk is the risk from which an alert is critical.
const DefaultCriticalRisk = 80

// LoadLocation returns the zone alerts use, Asia/Ho_Chi_Minh when name is
// empty, falling back to a fixed UTC+7 when the zone database is missing.
func LoadLocation(name string) *time.Location {
	if name == "" {
		name = "Asia/Ho_Chi_Minh"
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}

// NewStage validates opts and returns a stage.
func NewStage(opts StageOptions) (*Stage, error) {
	if opts.Store == nil || opts.Router == nil {
		return nil, errors.New("alerts stage: Store and Router are required")
	}
	if opts.CriticalRisk <= 0 {
		opts.CriticalRisk = DefaultCriticalRisk
	}
	if opts.Location == nil {
		opts.Location = LoadLocation("")
	}
	if opts.Durable == "" {
		opts.Durable = "alerter"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	s := &Stage{opts: opts, receivers: map[string]Receiver{}, log: opts.Logger.With("component", "alerter"),
		silences: map[string]*query.Prepared{}}
	for _, r := range opts.Receivers {
		s.receivers[r.Name] = r
	}
	routes := map[string]bool{}
	for _, n := range opts.Router.Routes() {
		routes[n] = true
	}
	for _, ir := range opts.Inhibit {
		if !routes[ir.Source] || !routes[ir.Target] {
			return nil, fmt.Errorf("alerts stage: inhibit rule %s → %s names an unknown route", ir.Source, ir.Target)
		}
	}
	s.alertsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "presswatch_alerts_total", Help: "Alerts decided, by outcome (notified, digest, silenced, inhibited).",
	}, []string{"outcome"})
	if err := opts.Registerer.Register(s.alertsTotal); err != nil {
		return nil, fmt.Errorf("alerts stage metrics: %w", err)
	}
	return s, nil
}

// Run consumes PW_CLASSIFIED until ctx is done. A batch is acknowledged only
// after its alerts and deliveries are committed.
func (s *Stage) Run(ctx context.Context) error {
	if s.opts.Bus == nil {
		return errors.New("alerts stage: no bus")
	}
	spec := bus.ConsumerSpec{Stream: bus.StreamClassified, Durable: s.opts.Durable, BatchSize: s.opts.BatchSize}
	return s.opts.Bus.Consume(ctx, spec, func(ctx context.Context, msgs []*bus.Message) error {
		arts := make([]*article.Article, 0, len(msgs))
		for _, m := range msgs {
			a, err := article.Unmarshal(m.Data)
			if err != nil {
				return bus.Permanent(fmt.Errorf("decode %s: %w", m.Subject, err))
			}
			arts = append(arts, a)
		}
		// A store that is down or busy is transient: the bus holds the batch
		// and retries it without spending deliveries.
		return store.Classify(s.Process(ctx, arts))
	})
}

// AlertID returns the ID of route's alert about an article.
func AlertID(route, articleID string) string {
	sum := sha256.Sum256([]byte(route + "\x00" + articleID))
	return hex.EncodeToString(sum[:16])
}

// decided is an alert of the current batch, for inhibition within the batch.
type decided struct {
	route string
	art   *article.Article
}

// Process decides the alerts of arts and records them, with their deliveries,
// in one transaction. Articles neither about nor mentioning the province,
// and unclassified ones, raise no alert.
func (s *Stage) Process(ctx context.Context, arts []*article.Article) error {
	now := s.opts.Now()
	sil, err := s.activeSilences(ctx, now)
	if err != nil {
		return err
	}
	var batch []store.NewAlert
	var done []decided
	outcomes := map[string]int{}
	for _, a := range arts {
		c := a.Classification
		if c == nil || c.RelevanceClass() == article.RelevanceNone {
			continue
		}
		doc := articleDoc(a) // one document for routes, saved searches, silences and reasons
		matches := s.opts.Router.MatchDoc(doc)
		if s.opts.Saved != nil {
			matches = append(matches, s.opts.Saved.matchDoc(doc, c.Risk)...)
		}
		silenced := ""
		for id, q := range sil {
			if q.Match(doc) {
				silenced = id
				break
			}
		}
		// sentBy is which alert of batch already notifies a channel's
		// recipient about this article: one article matched by several routes to the same office
		// (a saved search beside the tree, two `continue` routes) is mailed
		// once; the other routes' alerts are recorded without a delivery.
		sentBy := map[string]int{}
		for _, m := range matches {
			na, outcome, err := s.decide(ctx, a, doc, m, now, silenced, done)
			if err != nil {
				return err
			}
			if len(na.Notify) > 0 {
				na.Notify, outcome = onePerRecipient(&na, outcome, batch, sentBy)
			}
			batch = append(batch, na)
			outcomes[outcome]++
			if outcome != store.AlertSilenced && outcome != store.AlertInhibited {
				done = append(done, decided{route: m.Route, art: a})
			}
		}
	}
	if err := s.opts.Store.RecordAlerts(ctx, batch); err != nil {
		return fmt.Errorf("alerts stage: %w", err)
	}
	for o, n := range outcomes {
		s.alertsTotal.WithLabelValues(o).Add(float64(n))
	}
	if outcomes["notified"] > 0 && s.opts.Notified != nil {
		s.opts.Notified()
	}
	return nil
}

// onePerRecipient drops na's notifications to recipients that an earlier
// route's alert about the same article already notifies (sentBy, keyed by
// channel and recipient, gives that alert's index in batch), and records
// na's own; na will be batch's next entry. The earlier alert's message goes
// out as soon as either route asks: it takes the shorter group_wait. An alert left with no notification is
// "merged": it stays in the inbox for triage, with a note naming the route
// whose message carries the article.
func onePerRecipient(na *store.NewAlert, outcome string, batch []store.NewAlert, sentBy map[string]int) ([]store.Notification, string) {
	kept := na.Notify[:0]
	by := ""
	for _, n := range na.Notify {
		k := n.Channel + "\x00" + n.Recipient
		if i, ok := sentBy[k]; ok {
			first := &batch[i]
			by = first.Alert.Route
			first.GroupWait = min(first.GroupWait, na.GroupWait)
			continue
		}
		sentBy[k] = len(batch)
		kept = append(kept, n)
	}
	if len(kept) == 0 {
		na.Alert.Note = mergedNote + by + " (cùng bài, cùng người nhận) / sent in route " + by + "'s message (same article, same recipient)"
		return nil, OutcomeMerged
	}
	return kept, outcome
}

// RouteMatchSignal is the signal of the reason an alert carries besides
// the classifier's: the conditions of its route that held (Router.Why),
// joined with "; ".
const RouteMatchSignal = "route_match"

// mergedNote opens the note of a merged alert.
const mergedNote = "Đã gửi trong thư của tuyến "

// IsMerged reports whether a is an alert whose recipients another route's
// message about the same article notified (its note says so, unless an
// officer has since rewritten it).
func IsMerged(a store.Alert) bool { return strings.HasPrefix(a.Note, mergedNote) }

// OutcomeMerged is the presswatch_alerts_total outcome of an alert whose
// recipients another route's alert about the same article already notifies.
const OutcomeMerged = "merged"

func (s *Stage) decide(ctx context.Context, a *article.Article, doc query.Doc, m Match, now time.Time, silenced string, done []decided) (store.NewAlert, string, error) {
	c := a.Classification
	// Old coverage found now (a new source's archive) is not urgent however
	// risky: it waits for quiet hours and is not marked KHẨN (the police
	// were woken at 01:22 by seven year-old articles: an outside reading).
	critical := c.Risk >= s.opts.CriticalRisk && OldCoverageDays(a) == 0
	al := store.Alert{
		ID: AlertID(m.Route, a.ID), Route: m.Route, ArticleID: a.ID, Cluster: c.Cluster, GroupKey: m.GroupKey(a),
		Severity: m.Severity, State: store.AlertNew, Risk: c.Risk, Title: a.Title, Outlet: a.Outlet,
		Country: a.Country, Lang: a.Lang, Source: a.Source, Receivers: []string{m.Receiver}, Reasons: c.Reasons,
	}
	if why := s.opts.Router.WhyDoc(doc, m.Route); len(why) > 0 {
		// Why this office: the route's conditions that held, so that an
		// officer who gets an article that is not theirs sees which call of
		// the classifier sent it (an outside reading: a dengue article at
		// the police under "public order").
		al.Reasons = append(slices.Clip(c.Reasons), article.Reason{Signal: RouteMatchSignal, Detail: strings.Join(why, "; ")})
	}
	if critical {
		al.Priority = 1
	}
	na := store.NewAlert{Alert: al, GroupWait: m.GroupWait, GroupInterval: m.GroupInterval,
		GroupIntervalMax: m.GroupIntervalMax, RepeatInterval: m.RepeatInterval, Now: now}
	outcome := "notified"
	switch inhibited, err := s.inhibited(ctx, a, m.Route, done); {
	case err != nil:
		return na, "", err
	case silenced != "":
		na.Alert.State, outcome = store.AlertSilenced, store.AlertSilenced
		na.Alert.Note = "silence " + silenced
	case inhibited:
		na.Alert.State, outcome = store.AlertInhibited, store.AlertInhibited
	case m.Severity == SeverityDigest:
		outcome = SeverityDigest
	default:
		r := s.receivers[m.Receiver]
		for _, addr := range r.Email {
			na.Notify = append(na.Notify, store.Notification{Receiver: r.Name, Channel: ChannelEmail, Recipient: addr})
		}
		if r.WebhookURL != "" {
			// The URL often carries a token: the outbox (shown to officers)
			// names the receiver; the notifier knows the URL.
			na.Notify = append(na.Notify, store.Notification{Receiver: r.Name, Channel: ChannelWebhook, Recipient: "webhook:" + r.Name})
		}
		if !critical && r.QuietHours != nil {
			na.NotBefore = r.QuietHours.Until(now, s.opts.Location)
		}
	}
	return na, outcome, nil
}

// Channels of a notification.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

func (s *Stage) inhibited(ctx context.Context, a *article.Article, route string, done []decided) (bool, error) {
	for _, ir := range s.opts.Inhibit {
		if ir.Target != route {
			continue
		}
		equal := ir.Equal
		if len(equal) == 0 {
			equal = []string{"cluster"}
		}
		eq := map[string]string{}
		for _, f := range equal {
			eq[storeEqKey(f)] = groupValue(a, f)
		}
		if c := a.Classification; eq["cluster"] != "" && (c == nil || c.Cluster == "") {
			continue // an article without a story is inhibited by nothing
		}
	batch:
		for _, d := range done {
			if d.route != ir.Source {
				continue
			}
			for _, f := range equal {
				if groupValue(d.art, f) != groupValue(a, f) {
					continue batch
				}
			}
			return true, nil
		}
		ok, err := s.opts.Store.HasAlert(ctx, ir.Source, eq)
		if err != nil {
			return false, fmt.Errorf("alerts stage: inhibition: %w", err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// activeSilences returns the silences active at now, parsed (and cached).
func (s *Stage) activeSilences(ctx context.Context, now time.Time) (map[string]*query.Prepared, error) {
	list, err := s.opts.Store.ListSilences(ctx, now, false)
	if err != nil {
		return nil, fmt.Errorf("alerts stage: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]*query.Prepared, len(list))
	for _, sl := range list {
		key := sl.ID + "\x00" + sl.Query
		p, ok := s.silences[key]
		if !ok {
			n, err := query.Parse(sl.Query)
			if err != nil {
				s.log.WarnContext(ctx, "ignoring a silence whose query does not parse", "silence", sl.ID, "err", err)
				continue
			}
			p = query.Prepare(n)
			s.silences[key] = p
		}
		out[sl.ID] = p
	}
	return out, nil
}

// Until returns when the quiet hours holding t end, or the zero time when t
// is outside them.
func (q *QuietHours) Until(t time.Time, loc *time.Location) time.Time {
	if q == nil || q.Start == q.End {
		return time.Time{}
	}
	lt := t.In(loc)
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	off := lt.Sub(midnight)
	switch {
	case q.Start < q.End && off >= q.Start && off < q.End:
		return midnight.Add(q.End)
	case q.Start > q.End && off >= q.Start:
		return time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, loc).Add(q.End)
	case q.Start > q.End && off < q.End:
		return midnight.Add(q.End)
	}
	return time.Time{}
}

// ParseClock parses "HH:MM" into an offset from midnight.
func ParseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("parse clock %q: want HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

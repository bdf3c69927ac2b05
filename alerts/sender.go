package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/l10n"
	"github.com/dongnai/presswatch/store"
)

// SenderStore is what the sender needs from the store.
type SenderStore interface {
	ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Delivery, error)
	DeliveryAlerts(ctx context.Context, deliveryID string) ([]store.Alert, error)
	DeliveryMessage(ctx context.Context, deliveryID string) ([]byte, error)
	MarkDeliverySent(ctx context.Context, id, subject string, at time.Time) error
	MarkDeliveryRetry(ctx context.Context, id string, next time.Time, lastErr string) error
	MarkDeliveryFailed(ctx context.Context, id string, at time.Time, lastErr string) error
	MarkDeliverySkipped(ctx context.Context, id string, at time.Time, why string) error
	GetArticles(ctx context.Context, ids []string) ([]*article.Article, error)
	CountDeliveries(ctx context.Context) (map[string]int64, error)
	ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
}

// savedRouteNames is implemented by stores that keep saved searches: the
// sender names a saved-search route by its search's name.
type savedRouteNames interface {
	ListSavedSearchRoutes(ctx context.Context) ([]store.SavedSearch, error)
}

// outboxCollector exports the number of deliveries in each state at scrape time.
type outboxCollector struct {
	st   SenderStore
	desc *prometheus.Desc
	log  *slog.Logger
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.st.CountDeliveries(ctx)
	if err != nil {
		c.log.Warn("counting the outbox for metrics", "err", err)
		return
	}
	for _, state := range []string{store.DeliveryPending, store.DeliverySending, store.DeliverySent, store.DeliveryFailed, store.DeliverySkipped} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[state]), state)
	}
}

// SenderOptions configure a Sender.
type SenderOptions struct {
	Store     SenderStore
	Notifiers map[string]Notifier // by channel: "email", "webhook"
	Templates *Templates
	Receivers []Receiver // for display names
	BaseURL   string     // of the UI, for links
	Ack       *AckSigner // nil: no acknowledge link
	Location  *time.Location
	// Translator adds the Vietnamese machine translation of foreign titles
	// and snippets to emails; nil or unconfigured: none. A failing service
	// never holds back an alert.
	Translator Translator

	PollInterval   time.Duration // 0 means 1s
	Lease          time.Duration // how long a claimed delivery is ours; 0 means 2m
	BatchSize      int           // deliveries claimed at once; 0 means 50
	MaxAttempts    int           // 0 means 10
	BackoffInitial time.Duration // 0 means 30s
	BackoffMax     time.Duration // 0 means 30m

	Now        func() time.Time
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Translator translates texts into Vietnamese (*translate.Translator).
type Translator interface {
	Configured() bool
	Translate(ctx context.Context, source string, texts []string) ([]string, error)
}

// SetTranslator sets the translator of emails rendered from now on (before
// Run).
func (s *Sender) SetTranslator(t Translator) { s.opts.Translator = t }

// translateItem adds the Vietnamese machine translation of a foreign item,
// waiting at most a few seconds.
func (s *Sender) translateItem(ctx context.Context, it *EmailItem) {
	t := s.opts.Translator
	if t == nil || !t.Configured() || it.Lang == "vi" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	got, err := t.Translate(ctx, it.Lang, []string{it.Title, it.Snippet})
	if err != nil {
		s.log.WarnContext(ctx, "alert email not translated", "err", err)
		return
	}
	it.TitleVI, it.SnippetVI = HeaderSafe(got[0], 0), got[1]
}

// Sender is the outbox worker.
type Sender struct {
	opts      SenderOptions
	receivers map[string]Receiver
	log       *slog.Logger
	wake      chan struct{}

	sent     *prometheus.CounterVec
	failures *prometheus.CounterVec
	latency  prometheus.Histogram
}

// NewSender validates opts and returns a sender.
func NewSender(opts SenderOptions) (*Sender, error) {
	if opts.Store == nil || opts.Templates == nil || len(opts.Notifiers) == 0 {
		return nil, errors.New("alerts sender: Store, Templates and Notifiers are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.PollInterval, time.Second)
	def(&opts.Lease, 2*time.Minute)
	def(&opts.BackoffInitial, 30*time.Second)
	def(&opts.BackoffMax, 30*time.Minute)
	if opts.BatchSize <= 0 {
		opts.BatchSize = 50
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	if opts.Location == nil {
		opts.Location = LoadLocation("")
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
	s := &Sender{opts: opts, receivers: map[string]Receiver{}, log: opts.Logger.With("component", "alert-sender"),
		wake: make(chan struct{}, 1)}
	for _, r := range opts.Receivers {
		s.receivers[r.Name] = r
	}
	s.sent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "presswatch_alert_deliveries_total", Help: "Alert deliveries finished, by channel and result (sent, failed).",
	}, []string{"channel", "result"})
	s.failures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "presswatch_alert_delivery_attempt_errors_total", Help: "Failed delivery attempts, by channel.",
	}, []string{"channel"})
	s.latency = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "presswatch_alert_delivery_delay_seconds", Help: "Time from a delivery's due time to its acceptance.",
		Buckets: prometheus.ExponentialBuckets(0.05, 2, 14),
	})
	outbox := &outboxCollector{st: opts.Store, log: s.log, desc: prometheus.NewDesc("presswatch_alert_outbox_deliveries",
		"Deliveries in the outbox by state (pending, sending, sent, failed).", []string{"state"}, nil)}
	for _, c := range []prometheus.Collector{s.sent, s.failures, s.latency, outbox} {
		if err := opts.Registerer.Register(c); err != nil {
			return nil, fmt.Errorf("alerts sender metrics: %w", err)
		}
	}
	return s, nil
}

// Wake makes the sender look for due deliveries now instead of at its next poll.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers due deliveries until ctx is done.
func (s *Sender) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
		n, err := s.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "delivering alerts", "err", err)
		}
		wait := s.opts.PollInterval
		if n == s.opts.BatchSize {
			wait = 0 // more may be due
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(wait)
	}
}

// SendDue claims one batch of due deliveries and delivers them in order of
// urgency; it returns how many it claimed.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	ds, err := s.opts.Store.ClaimDeliveries(ctx, s.opts.Now(), s.opts.BatchSize, s.opts.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim deliveries: %w", err)
	}
	var errs []error
	for _, d := range ds {
		if ctx.Err() != nil {
			break
		}
		if s.opts.Now().After(d.NextAttempt) {
			// Our lease ran out while earlier deliveries of the batch were
			// slow: another sender may have it now. It will be claimed again.
			continue
		}
		if err := s.deliver(ctx, d); err != nil {
			errs = append(errs, err)
		}
	}
	return len(ds), errors.Join(errs...)
}

// backoff returns the wait after the attempt-th failed attempt, with ±10% jitter.
func (s *Sender) backoff(attempt int) time.Duration {
	d := s.opts.BackoffInitial
	for i := 1; i < attempt && d < s.opts.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.opts.BackoffMax)
	return d + time.Duration((rand.Float64()-0.5)*0.2*float64(d))
}

// errHandled is build's answer for a delivery whose alerts were all handled
// (acknowledged or triaged) before it was due.
var errHandled = errors.New("every alert of the delivery was handled before it was due")

// handledNote is what a delivery skipped for that reason says, in the
// outbox and on the alert's page.
const handledNote = "Không gửi: mọi cảnh báo trong thư đã được xử lý trước giờ gửi / not sent: every alert in it was handled before it was due"

// handled reports whether an officer has taken an alert up: its message,
// not yet sent, would tell the office nothing it does not know.
func handled(state string) bool {
	switch state {
	case store.AlertAcknowledged, store.AlertConfirmed, store.AlertFalsePositive, store.AlertResponded:
		return true
	}
	return false
}

func (s *Sender) deliver(ctx context.Context, d store.Delivery) error {
	m, err := s.build(ctx, d)
	if errors.Is(err, errHandled) {
		// An officer acknowledged the story before its message was due
		// (an outside reading: the email still went out, with no word of
		// it). Nothing is sent; the outbox says why.
		if err := s.opts.Store.MarkDeliverySkipped(ctx, d.ID, s.opts.Now(), handledNote); err != nil {
			return fmt.Errorf("mark delivery %s skipped: %w", d.ID, err)
		}
		s.sent.WithLabelValues(d.Channel, store.DeliverySkipped).Inc()
		s.log.InfoContext(ctx, "alert delivery not sent: its alerts were handled", "delivery", d.ID, "receiver", d.Receiver)
		return nil
	}
	if err == nil {
		n, ok := s.opts.Notifiers[d.Channel]
		if !ok {
			err = fmt.Errorf("no notifier for channel %q", d.Channel)
			return s.fail(ctx, d, err, false)
		}
		var retry bool
		retry, err = n.Notify(ctx, m)
		if err == nil {
			now := s.opts.Now()
			// The receiver has the message. If this mark is lost (a crash),
			// the lease runs out and the same Message-ID is sent again.
			if err := s.markSent(ctx, d.ID, m.Subject, now); err != nil {
				return fmt.Errorf("delivery %s accepted but not marked sent: %w", d.ID, err)
			}
			s.sent.WithLabelValues(d.Channel, "sent").Inc()
			if !d.ScheduledAt.IsZero() {
				s.latency.Observe(now.Sub(d.ScheduledAt).Seconds())
			}
			s.log.DebugContext(ctx, "alert delivered", "delivery", d.ID, "receiver", d.Receiver, "channel", d.Channel, "attempt", d.Attempts)
			return nil
		}
		return s.fail(ctx, d, err, retry)
	}
	return s.fail(ctx, d, err, true)
}

// markSent marks a delivery the receiver accepted as sent. While the store is
// unavailable (store.IsTransient) it keeps trying, with backoff up to 2s,
// until ctx ends: giving up would send the same message again once the lease
// runs out.
func (s *Sender) markSent(ctx context.Context, id, subject string, at time.Time) error {
	wait := 100 * time.Millisecond
	for {
		err := s.opts.Store.MarkDeliverySent(ctx, id, subject, at)
		if err == nil || !store.IsTransient(err) || ctx.Err() != nil {
			return err
		}
		s.log.WarnContext(ctx, "store unavailable: retrying to mark an accepted delivery sent", "delivery", id, "err", err, "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
	}
}

func (s *Sender) fail(ctx context.Context, d store.Delivery, cause error, retry bool) error {
	s.failures.WithLabelValues(d.Channel).Inc()
	now := s.opts.Now()
	msg := cause.Error()
	if !retry || d.Attempts >= s.opts.MaxAttempts {
		if err := s.opts.Store.MarkDeliveryFailed(ctx, d.ID, now, msg); err != nil {
			return fmt.Errorf("mark delivery %s failed: %w", d.ID, err)
		}
		s.sent.WithLabelValues(d.Channel, "failed").Inc()
		s.log.ErrorContext(ctx, "alert delivery failed for good", "delivery", d.ID, "receiver", d.Receiver,
			"channel", d.Channel, "attempts", d.Attempts, "err", cause)
		return nil
	}
	next := now.Add(s.backoff(d.Attempts))
	if err := s.opts.Store.MarkDeliveryRetry(ctx, d.ID, next, msg); err != nil {
		return fmt.Errorf("mark delivery %s for retry: %w", d.ID, err)
	}
	s.log.WarnContext(ctx, "alert delivery will be retried", "delivery", d.ID, "receiver", d.Receiver,
		"attempt", d.Attempts, "next", next, "err", cause)
	return nil
}

// build renders a delivery from its alerts and their articles, or loads the
// message a prebuilt delivery (a report) carries.
func (s *Sender) build(ctx context.Context, d store.Delivery) (*Message, error) {
	if d.Prebuilt {
		raw, err := s.opts.Store.DeliveryMessage(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		if len(raw) == 0 {
			return nil, fmt.Errorf("delivery %s carries an empty message", d.ID)
		}
		return &Message{DeliveryID: d.ID, MessageID: d.MessageID, Receiver: d.Receiver, To: d.Recipient,
			Critical: d.Priority > 0, Rendered: Rendered{Subject: d.Subject}, Raw: raw}, nil
	}
	als, err := s.opts.Store.DeliveryAlerts(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	if len(als) == 0 {
		return nil, fmt.Errorf("delivery %s carries no alert", d.ID)
	}
	// Alerts an officer has already taken up are left out of the message;
	// a message with nothing left is not sent (deliver).
	open := make([]store.Alert, 0, len(als))
	for _, a := range als {
		if !handled(a.State) {
			open = append(open, a)
		}
	}
	if len(open) == 0 {
		return nil, errHandled
	}
	als = open
	ids := make([]string, len(als))
	for i, a := range als {
		ids[i] = a.ArticleID
	}
	arts, err := s.opts.Store.GetArticles(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("articles of delivery %s: %w", d.ID, err)
	}
	byID := make(map[string]*article.Article, len(arts))
	for _, a := range arts {
		byID[a.ID] = a
	}
	now := s.opts.Now()
	data := EmailData{Receiver: d.Receiver, Route: als[0].Route, Critical: d.Priority > 0}
	if r, ok := s.receivers[d.Receiver]; ok && r.DisplayName != "" {
		data.Receiver = r.DisplayName
	}
	data.ReceiverEN = data.Receiver
	if vi, ok := l10n.Lookup(l10n.VI, "receiver_"+d.Receiver); ok && vi == data.Receiver {
		data.ReceiverEN = l10n.T(l10n.EN, "receiver_"+d.Receiver) // an office renamed in alerts.yaml keeps its own name
	}
	if data.Critical {
		data.SeverityVI, data.SeverityEN = "KHẨN", "CRITICAL"
	} else {
		data.SeverityVI, data.SeverityEN = "Cần xem xét", "Review"
	}
	payload := WebhookPayload{Version: 1, DeliveryID: d.ID, Receiver: d.Receiver, Route: als[0].Route, Critical: data.Critical}
	base := strings.TrimRight(s.opts.BaseURL, "/")
	also := s.alsoMatched(ctx, als)
	// Most urgent first: highest risk, then oldest.
	for _, al := range sortAlerts(als) {
		a := byID[al.ArticleID]
		if a == nil {
			a = &article.Article{ID: al.ArticleID, Title: al.Title, Outlet: al.Outlet, Country: al.Country, Lang: al.Lang}
		}
		it := EmailItem{Title: HeaderSafe(a.Title, 0), Outlet: a.Outlet, Country: a.Country, Lang: a.Lang, URL: article.WithoutTracking(a.URL),
			ArticleURL: base + "/articles/" + a.ID, Risk: al.Risk, Snippet: snippet(firstNonEmpty(a.Summary, a.Text), 300),
			Also: also[al.ID]}
		if !a.Published.IsZero() {
			at := a.Published.In(s.opts.Location)
			// As the UI writes dates: day first in Vietnamese, the month's
			// name in English (01/02 reads as 2 January to one, 1 February
			// to the other).
			it.Published, it.PublishedEN = at.Format("02/01/2006 15:04"), at.Format("2 Jan 2006 15:04")
			it.OldDays = OldCoverageDays(a)
		} else {
			it.Published, it.PublishedEN = "?", "?"
		}
		for _, r := range al.Reasons {
			if r.Signal == "relevance" && len(al.Reasons) > 1 {
				continue
			}
			it.Reasons = append(it.Reasons, Reason{Signal: r.Signal, Detail: r.Detail, Weight: r.Weight})
		}
		s.translateItem(ctx, &it)
		data.Items = append(data.Items, it)
		wi := WebhookItem{AlertID: al.ID, ArticleID: a.ID, Title: it.Title, Outlet: a.Outlet,
			Country: a.Country, Lang: a.Lang, URL: it.URL, ArticleURL: it.ArticleURL, Risk: al.Risk, Reasons: it.Reasons}
		for _, r := range it.Also {
			wi.AlsoRoutes = append(wi.AlsoRoutes, r.ID)
		}
		payload.Alerts = append(payload.Alerts, wi)
	}
	data.More = len(data.Items) - 1
	if s.opts.Ack != nil {
		link, exp := s.opts.Ack.Link(base, d.ID, now)
		local := exp.In(s.opts.Location)
		data.AckURL, data.AckExpires, data.AckExpiresVI = link, local.Format("2 Jan 2006 15:04"), local.Format("02/01/2006 15:04")
	}
	// One story: the message links its page and joins its thread.
	thread := ""
	if cluster := als[0].Cluster; cluster != "" && !slices.ContainsFunc(als, func(a store.Alert) bool { return a.Cluster != cluster }) {
		data.StoryURL = base + "/stories/" + cluster
		thread = StoryThread(cluster, d.Recipient)
	}
	r, err := s.opts.Templates.Render(data)
	if err != nil {
		return nil, err
	}
	payload.Subject, payload.Text, payload.AckURL = r.Subject, r.Text, data.AckURL
	return &Message{DeliveryID: d.ID, MessageID: d.MessageID, Receiver: d.Receiver, To: d.Recipient, Thread: thread,
		Critical: data.Critical, Rendered: r, Payload: payload}, nil
}

// alsoMatched names, for each alert a delivery carries, the other routes
// whose alerts about the same article, for the same receivers, this message
// carries for them (onePerRecipient merged them into it), so that the
// officer sees every rule that matched. A lookup that fails leaves the
// names out: the message still goes.
func (s *Sender) alsoMatched(ctx context.Context, als []store.Alert) map[string][]AlsoRoute {
	in := make(map[string]bool, len(als))
	for _, a := range als {
		in[a.ID] = true
	}
	out := map[string][]AlsoRoute{}
	var names map[string]string
	for _, a := range als {
		sib, err := siblings(ctx, s.opts.Store, a)
		if err != nil {
			s.log.Warn("alert email: routes that also matched", "alert", a.ID, "err", err)
			continue
		}
		for _, x := range sib {
			if in[x.ID] || x.State == store.AlertSilenced || x.State == store.AlertInhibited {
				continue
			}
			r := AlsoRoute{ID: x.Route}
			if id, ok := strings.CutPrefix(x.Route, SavedRoutePrefix); ok {
				if names == nil {
					names = s.savedNames(ctx)
				}
				r.Name = names[id]
			}
			out[a.ID] = append(out[a.ID], r)
		}
	}
	return out
}

// savedNames maps saved-search IDs to their names ({} when the store keeps
// none or cannot list them).
func (s *Sender) savedNames(ctx context.Context) map[string]string {
	out := map[string]string{}
	l, ok := s.opts.Store.(savedRouteNames)
	if !ok {
		return out
	}
	ss, err := l.ListSavedSearchRoutes(ctx)
	if err != nil {
		s.log.Warn("alert email: saved-search names", "err", err)
		return out
	}
	for _, x := range ss {
		out[x.ID] = x.Name
	}
	return out
}

func sortAlerts(als []store.Alert) []store.Alert {
	out := append([]store.Alert(nil), als...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Risk > out[j-1].Risk; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

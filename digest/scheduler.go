package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/store"
)

// ArchiveStore is the part of the store the scheduler and the archive use.
type ArchiveStore interface {
	ClaimDigest(ctx context.Context, c store.DigestClaim) (bool, error)
	SaveDigest(ctx context.Context, d store.Digest) error
	MarkDigestSent(ctx context.Context, id string, at time.Time) error
	GetDigest(ctx context.Context, id string) (store.Digest, error)
	ListDigests(ctx context.Context, kind string, limit int) ([]store.Digest, error)
}

// Schedule is when one kind of report is sent and to whom.
type Schedule struct {
	Kind Kind
	// Weekday (weekly) is the day of the week after the period the report
	// goes out.
	Weekday time.Weekday
	// Day (quarterly, annual) is the day of the month after the period ends.
	Day          int
	Hour, Minute int
	Recipients   []string
}

// DefaultSchedules returns the shipped schedules: weekly on Monday 07:30,
// quarterly on the 1st of the next quarter at 08:00, annual on 2 November at
// 08:00 (the report is due before 5 November).
func DefaultSchedules() []Schedule {
	return []Schedule{
		{Kind: Weekly, Weekday: time.Monday, Hour: 7, Minute: 30},
		{Kind: Quarterly, Day: 1, Hour: 8},
		{Kind: Annual, Day: 2, Hour: 8},
	}
}

// DueAt returns when the report of period p is due under schedule sc.
func (sc Schedule) DueAt(p Period) time.Time {
	end := p.End
	loc := end.Location()
	switch sc.Kind {
	case Weekly:
		// p.End is the Monday after the week.
		days := (int(sc.Weekday) - int(time.Monday) + 7) % 7
		d := end.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), sc.Hour, sc.Minute, 0, 0, loc)
	default:
		day := max(sc.Day, 1)
		return time.Date(end.Year(), end.Month(), day, sc.Hour, sc.Minute, 0, 0, loc)
	}
}

// Latest returns the most recent period of sc's kind whose report is due at
// now: after downtime this is the period that was missed.
func (sc Schedule) Latest(now time.Time, loc *time.Location) Period {
	p := PeriodOf(sc.Kind, now, loc).Prev()
	for now.Before(sc.DueAt(p)) {
		p = p.Prev()
	}
	return p
}

// SchedulerOptions configures a Scheduler.
type SchedulerOptions struct {
	Generator *Generator
	Store     ArchiveStore
	// Mailer hands the emails to the outbox; nil archives reports without
	// sending them (logged as a warning).
	Mailer    Mailer
	Schedules []Schedule
	// Owner names this scheduler in the claim; "" means host name and process ID.
	Owner string
	// Lease is how long a claim protects a period being built and sent; 0 means 15m.
	Lease time.Duration
	// Interval is how often due reports are looked for; 0 means 1m.
	Interval time.Duration
	// MailDomain is the right-hand side of Message-IDs; "" means presswatch.local.
	MailDomain string
	// Now is the clock; nil means time.Now.
	Now        func() time.Time
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Scheduler sends each due report once. Several schedulers (processes) may
// run against one store: the claim in the store lets exactly one build and
// send a period, and a claim left by a crashed scheduler lapses after its lease.
type Scheduler struct {
	opts    SchedulerOptions
	log     *slog.Logger
	reports *prometheus.CounterVec
	seconds *prometheus.HistogramVec
}

// NewScheduler validates opts.
func NewScheduler(opts SchedulerOptions) (*Scheduler, error) {
	if opts.Generator == nil || opts.Store == nil {
		return nil, errors.New("digest: SchedulerOptions.Generator and Store are required")
	}
	if opts.Owner == "" {
		host, _ := os.Hostname()
		opts.Owner = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if opts.Lease <= 0 {
		opts.Lease = 15 * time.Minute
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Minute
	}
	if opts.MailDomain == "" {
		opts.MailDomain = "presswatch.local"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	for _, sc := range opts.Schedules {
		if _, err := ParseKind(string(sc.Kind)); err != nil {
			return nil, fmt.Errorf("digest: schedule: %w", err)
		}
	}
	s := &Scheduler{opts: opts, log: opts.Logger.With("component", "digest")}
	s.reports = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "presswatch_digest_reports_total",
		Help: "Reports handled by this scheduler, by kind and outcome (sent, archived, failed).",
	}, []string{"kind", "outcome"})
	s.seconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "presswatch_digest_generation_seconds",
		Help:    "Time to build, draw, render and print one report.",
		Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"kind"})
	if opts.Registerer != nil {
		for _, c := range []prometheus.Collector{s.reports, s.seconds} {
			if err := opts.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("digest: register metrics: %w", err)
			}
		}
	}
	return s, nil
}

// Run sends due reports until ctx is done: at once (catching up on a period
// missed while the process was down), then every Interval. A failed report
// is logged and retried after the claim's lease.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		if err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "report run failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce delivers the latest due period of every schedule that has not been
// delivered yet, and returns the errors of those that failed.
func (s *Scheduler) RunOnce(ctx context.Context) error {
	now := s.opts.Now()
	var errs []error
	for _, sc := range s.opts.Schedules {
		p := sc.Latest(now, s.opts.Generator.Location())
		if _, err := s.Deliver(ctx, p, sc.Recipients); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Deliver claims period p, generates its report, archives it and enqueues one
// email per recipient, then marks it sent. It returns false without error
// when the period is already sent or another scheduler holds it.
func (s *Scheduler) Deliver(ctx context.Context, p Period, recipients []string) (bool, error) {
	id := store.DigestID(string(p.Kind), p.Label)
	ok, err := s.opts.Store.ClaimDigest(ctx, store.DigestClaim{
		Kind: string(p.Kind), Period: p.Label, PeriodStart: p.Start, PeriodEnd: p.End,
		Owner: s.opts.Owner, Now: s.opts.Now(), Lease: s.opts.Lease,
	})
	if err != nil {
		return false, fmt.Errorf("report %s: %w", id, err)
	}
	if !ok {
		return false, nil
	}
	log := s.log.With("digest", id)
	start := time.Now()
	o, err := s.opts.Generator.Generate(ctx, p)
	s.seconds.WithLabelValues(string(p.Kind)).Observe(time.Since(start).Seconds())
	if err != nil {
		return false, s.fail(ctx, store.Digest{ID: id, Kind: string(p.Kind)}, err)
	}
	if o.PDFError != nil {
		log.WarnContext(ctx, "report without PDF", "err", o.PDFError)
	}
	d, err := o.Digest()
	if err != nil {
		return false, s.fail(ctx, store.Digest{ID: id, Kind: string(p.Kind)}, err)
	}
	outcome := "sent"
	since, err := s.opts.Generator.MonitoringSince(ctx)
	if err != nil {
		return false, s.fail(ctx, store.Digest{ID: id, Kind: string(p.Kind)}, err)
	}
	switch {
	case !since.IsZero() && !p.End.After(since):
		// A first start must not mail reports of weeks nobody was watching
		// (they could only say "nothing recorded").
		outcome = "archived"
		log.InfoContext(ctx, "report archived, not sent: the period ended before monitoring began", "monitoring_since", since)
	case len(recipients) == 0:
		outcome = "archived"
		log.InfoContext(ctx, "report archived; it has no recipients")
	case s.opts.Mailer == nil:
		outcome = "archived"
		log.WarnContext(ctx, "report archived but not sent: no mailer is wired in this build", "recipients", len(recipients))
	}
	if outcome == "archived" {
		// Archived on purpose is final: no scheduler builds it again.
		d.State = store.DigestArchived
	}
	if err := s.opts.Store.SaveDigest(ctx, d); err != nil {
		return false, fmt.Errorf("report %s: %w", id, err)
	}
	if outcome == "sent" {
		for _, to := range recipients {
			if err := s.opts.Mailer.Enqueue(ctx, messageFor(o, to, s.opts.MailDomain)); err != nil {
				return false, s.fail(ctx, d, fmt.Errorf("enqueue for %s: %w", to, err))
			}
		}
		if err := s.opts.Store.MarkDigestSent(ctx, id, s.opts.Now()); err != nil {
			return false, fmt.Errorf("report %s: %w", id, err)
		}
	}
	s.reports.WithLabelValues(string(p.Kind), outcome).Inc()
	log.InfoContext(ctx, "report done", "outcome", outcome, "articles", o.Report.Total,
		"recipients", len(recipients), "pdf", len(o.PDF) > 0, "took", time.Since(start).Round(time.Millisecond))
	return true, nil
}

// fail records a failed attempt on the digest and returns the error. The
// claim stays until its lease ends; then a scheduler tries again.
func (s *Scheduler) fail(ctx context.Context, d store.Digest, cause error) error {
	s.reports.WithLabelValues(d.Kind, "failed").Inc()
	d.State, d.LastError = store.DigestFailed, clip(cause.Error(), 1000)
	if err := s.opts.Store.SaveDigest(ctx, d); err != nil {
		return fmt.Errorf("report %s: %w (and recording the failure: %v)", d.ID, cause, err)
	}
	return fmt.Errorf("report %s: %w", d.ID, cause)
}

// Digest returns the archive row of o: title, self-contained HTML, text,
// figures as JSON and PDF.
func (o *Output) Digest() (store.Digest, error) {
	data, err := o.Report.JSON()
	if err != nil {
		return store.Digest{}, err
	}
	title := o.Report.Kind.Name() + " — " + o.Report.Title
	return store.Digest{
		ID: o.DigestID, Kind: string(o.Period.Kind), Period: o.Period.Label,
		PeriodStart: o.Period.Start, PeriodEnd: o.Period.End, Lang: "vi", Title: title,
		BodyHTML: string(o.HTML), BodyText: o.Text, Data: data, PDF: o.PDF, State: store.DigestBuilt,
		LastError: errText(o.PDFError),
	}, nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return "pdf: " + strings.TrimSpace(clip(err.Error(), 500))
}

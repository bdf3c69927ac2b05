package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/store"
)

// digestConfig returns the report settings.
//
// Once configs.Config has the field Digest (yaml key "digest"), this becomes
// "return cfg.Digest". Until then the defaults apply: scheduler off, no
// recipients; `presswatch report --out` works.
func digestConfig(cfg *configs.Loaded) configs.DigestConfig {
	return cfg.Digest
}

// digestMailer returns what reports are sent through: the alerts outbox in
// the store (each recipient's email is one delivery, sent by the alerter's
// sender with retries and one Message-ID; enqueueing is idempotent), or nil
// when no SMTP host is configured.
func digestMailer(cfg *configs.Loaded, st store.Store) (digest.Mailer, error) {
	c := cfg.SMTP
	if c.Host == "" {
		return nil, nil
	}
	m, err := digest.NewOutboxMailer(digest.OutboxMailerOptions{Store: st, From: c.From})
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return m, nil
}

// addDigest adds the report scheduler as a processor when reports are
// enabled: it sends each due weekly, quarterly and annual report once, however
// many processes run it.
func addDigest(a *app, cfg *configs.Loaded, st store.Store, log *slog.Logger, reg prometheus.Registerer) error {
	dc := digestConfig(cfg)
	for _, w := range digestWarnings(dc) {
		log.Warn(w)
	}
	if !dc.Enabled {
		return nil
	}
	ds, ok := st.(digest.ArchiveStore)
	if !ok {
		return fmt.Errorf("reports: the %s store cannot archive reports", st.Backend())
	}
	gen, err := newDigestGenerator(cfg, dc, st, log)
	if err != nil {
		return err
	}
	scheds, err := digestSchedules(dc)
	if err != nil {
		return err
	}
	mailer, err := digestMailer(cfg, st)
	if err != nil {
		return err
	}
	if mailer == nil {
		log.Warn("reports will be archived but not sent: smtp.host is not set")
	}
	s, err := digest.NewScheduler(digest.SchedulerOptions{
		Generator: gen, Store: ds, Mailer: mailer, Schedules: scheds,
		Lease: dc.Lease, Interval: dc.CheckInterval, MailDomain: mailDomain(cfg),
		Logger: log, Registerer: reg,
	})
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	a.add("digest", phaseProcessor, s.Run)
	return nil
}

// digestWarnings says what an operator would not otherwise notice about
// the report schedule: that it is off (an outside install followed the
// docs, got no weekly digest and no word about it), or that a kind of
// report has nobody to go to and is only archived.
func digestWarnings(dc configs.DigestConfig) []string {
	if !dc.Enabled {
		return []string{"reports are off (digest.enabled is false): no weekly, quarterly or annual report is built or mailed; set digest.enabled: true and digest.weekly.recipients (docs/reports.md), or make one by hand with presswatch report"}
	}
	var out []string
	for _, k := range []struct {
		name string
		s    configs.DigestSchedule
	}{{"weekly", dc.Weekly}, {"quarterly", dc.Quarterly}, {"annual", dc.Annual}} {
		if !k.s.Disabled && len(k.s.Recipients) == 0 {
			out = append(out, fmt.Sprintf("digest.%s.recipients is empty: the %s report is built and archived (Báo cáo in the UI) but mailed to nobody", k.name, k.name))
		}
	}
	return out
}

// newDigestGenerator builds the report generator from the configuration.
func newDigestGenerator(cfg *configs.Loaded, dc configs.DigestConfig, st store.Store, log *slog.Logger) (*digest.Generator, error) {
	rs, ok := st.(digest.ReportStore)
	if !ok {
		return nil, fmt.Errorf("reports: the %s store cannot compute reports", st.Backend())
	}
	tz := dc.Timezone
	if tz == "" {
		tz = digest.DefaultTimezone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("reports: time zone %q: %w", tz, err)
	}
	// The PDF is written natively unless digest.chromium names a browser
	// ("auto" looks one up) to print the HTML instead.
	var chromium string
	switch dc.Chromium {
	case "", "off":
	case "auto":
		if chromium, err = digest.FindChromium(""); err != nil {
			log.Info("no chromium found: reports use the native PDF writer", "err", err)
		}
	default:
		if chromium, err = digest.FindChromium(dc.Chromium); err != nil {
			return nil, fmt.Errorf("reports: digest.chromium: %w", err)
		}
	}
	gen, err := digest.New(digest.Options{Store: rs, Location: loc, BaseURL: cfg.Web.BaseURL, Chromium: chromium,
		NoPDF: dc.Chromium == "off", Agency: agencyHeader(dc.Agency), Translator: newTranslator(cfg, st, log), Logger: log})
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return gen, nil
}

// digestSchedules turns the configured schedules into the scheduler's.
func digestSchedules(dc configs.DigestConfig) ([]digest.Schedule, error) {
	var out []digest.Schedule
	var errs []error
	for _, x := range []struct {
		kind    digest.Kind
		c       configs.DigestSchedule
		defTime string
		defDay  int
	}{
		{digest.Weekly, dc.Weekly, "07:30", 0},
		{digest.Quarterly, dc.Quarterly, "08:00", 1},
		{digest.Annual, dc.Annual, "08:00", 2},
	} {
		if x.c.Disabled {
			continue
		}
		wd, err := configs.ParseWeekday(x.c.Weekday)
		if err != nil {
			errs = append(errs, fmt.Errorf("digest.%s.weekday: %w", x.kind, err))
		}
		h, m, err := configs.ParseClock(x.c.Time, x.defTime)
		if err != nil {
			errs = append(errs, fmt.Errorf("digest.%s.time: %w", x.kind, err))
		}
		day := x.c.Day
		if day == 0 {
			day = x.defDay
		}
		out = append(out, digest.Schedule{Kind: x.kind, Weekday: wd, Day: day, Hour: h, Minute: m, Recipients: x.c.Recipients})
	}
	return out, errors.Join(errs...)
}

// mailDomain is the right-hand side of report Message-IDs: the web UI's host.
func mailDomain(cfg *configs.Loaded) string {
	if u, err := url.Parse(cfg.Web.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "presswatch.local"
}

// agencyHeader turns the configured issuing agency into the reports' header.
func agencyHeader(a configs.DigestAgency) digest.AgencyHeader {
	return digest.AgencyHeader{Parent: a.Parent, Agency: a.Agency, Symbol: a.Symbol, Place: a.Place,
		SignerTitle: a.SignerTitle, SignerName: a.SignerName, Recipients: a.Recipients}
}

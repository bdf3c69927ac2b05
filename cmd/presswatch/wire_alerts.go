package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/store"
)

// alertsFile is the routing configuration read beside the main config file.
const alertsFile = "alerts.yaml"

// loadAlertsConfig reads alerts.yaml from the configuration's folder, or the
// copy embedded in the binary when there is none. Unknown keys are errors.
func loadAlertsConfig(cfg *configs.Loaded) (*configs.AlertsConfig, error) {
	path := filepath.Join(cfg.Dir, alertsFile)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		path, data = "(embedded alerts.yaml)", configs.AlertsYAML()
	case err != nil:
		return nil, fmt.Errorf("read alerts config: %w", err)
	}
	ac, err := configs.ParseAlerts(path, data)
	if err != nil {
		return nil, err
	}
	return ac, nil
}

// alertsRuntime is the alerts configuration turned into the alerts package's types.
type alertsRuntime struct {
	cfg       *configs.AlertsConfig
	router    *alerts.Router
	receivers []alerts.Receiver
	inhibit   []alerts.InhibitRule
}

func buildAlerts(ac *configs.AlertsConfig) (*alertsRuntime, error) {
	rt := &alertsRuntime{cfg: ac}
	var names []string
	for _, r := range ac.Receivers {
		ar := alerts.Receiver{Name: r.Name, DisplayName: r.DisplayName, Email: r.Email}
		if r.Webhook != nil {
			ar.WebhookURL, ar.WebhookSecret = r.Webhook.URL.Value(), []byte(r.Webhook.Secret.Value())
		}
		if q := r.QuietHours; q != nil {
			start, err := alerts.ParseClock(q.Start)
			if err != nil {
				return nil, fmt.Errorf("receiver %s quiet hours: %w", r.Name, err)
			}
			end, err := alerts.ParseClock(q.End)
			if err != nil {
				return nil, fmt.Errorf("receiver %s quiet hours: %w", r.Name, err)
			}
			ar.QuietHours = &alerts.QuietHours{Start: start, End: end}
		}
		rt.receivers = append(rt.receivers, ar)
		names = append(names, r.Name)
	}
	router, err := alerts.NewRouter(convertRoute(ac.Route), names)
	if err != nil {
		return nil, err
	}
	rt.router = router
	for _, ir := range ac.InhibitRules {
		rt.inhibit = append(rt.inhibit, alerts.InhibitRule{Source: ir.Source, Target: ir.Target, Equal: ir.Equal})
	}
	return rt, nil
}

func convertRoute(r configs.RouteConfig) alerts.Route {
	out := alerts.Route{Name: r.Name, Match: r.Match, Receiver: r.Receiver, Continue: r.Continue, GroupBy: r.GroupBy,
		GroupWait: r.GroupWait, GroupInterval: r.GroupInterval, RepeatInterval: r.RepeatInterval,
		GroupIntervalMax: r.GroupIntervalMax, Severity: r.Severity}
	for _, c := range r.Routes {
		out.Routes = append(out.Routes, convertRoute(c))
	}
	return out
}

// alertStore is the store with its alert methods (until store.Store embeds AlertStore).
type alertStore interface {
	store.Store
	store.AlertStore
}

func asAlertStore(st store.Store) (alertStore, error) {
	as, ok := st.(alertStore)
	if !ok {
		return nil, fmt.Errorf("store %s has no alert tables support", st.Backend())
	}
	return as, nil
}

// addAlerter builds the alerts stage (consumer of PW_CLASSIFIED writing the
// outbox) and the sender (outbox → SMTP / webhooks) and adds them to a.
// Without an SMTP host, email deliveries wait in the outbox and a warning says so.
func addAlerter(a *app, cfg *configs.Loaded, st store.Store, b *bus.Bus, log *slog.Logger, reg prometheus.Registerer) error {
	as, err := asAlertStore(st)
	if err != nil {
		return err
	}
	ac, err := loadAlertsConfig(cfg)
	if err != nil {
		return err
	}
	rt, err := buildAlerts(ac)
	if err != nil {
		return fmt.Errorf("alert routes: %w", err)
	}
	loc := alerts.LoadLocation(ac.Timezone)
	notifiers := map[string]alerts.Notifier{}
	if cfg.SMTP.Host != "" {
		en, err := alerts.NewEmailNotifier(alerts.SMTPOptions{
			Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, TLS: cfg.SMTP.TLS, User: cfg.SMTP.User,
			Password: cfg.SMTP.Password.Value(), From: cfg.SMTP.From, Timeout: cfg.SMTP.Timeout,
		})
		if err != nil {
			return fmt.Errorf("alert email: %w", err)
		}
		notifiers[alerts.ChannelEmail] = en
	}
	endpoints := map[string]alerts.WebhookEndpoint{}
	for _, r := range rt.receivers {
		if r.WebhookURL != "" {
			endpoints[r.Name] = alerts.WebhookEndpoint{URL: r.WebhookURL, Secret: r.WebhookSecret}
		}
	}
	if len(endpoints) > 0 {
		var timeout time.Duration
		for _, r := range ac.Receivers {
			if r.Webhook != nil {
				timeout = max(timeout, r.Webhook.Timeout)
			}
		}
		var allow []netip.Prefix
		for _, n := range ac.WebhookAllowNets {
			p, err := netip.ParsePrefix(n)
			if err != nil {
				return fmt.Errorf("alerts.webhook_allow_nets: %w", err)
			}
			allow = append(allow, p)
		}
		wn, err := alerts.NewWebhookNotifier(alerts.WebhookOptions{Endpoints: endpoints, Timeout: timeout, AllowNets: allow})
		if err != nil {
			return fmt.Errorf("alert webhooks: %w", err)
		}
		notifiers[alerts.ChannelWebhook] = wn
	}
	var wake func()
	if len(notifiers) == 0 {
		log.Warn("no smtp.host configured: alert emails wait in the outbox until one is", "component", "alerter")
	} else {
		sender, err := newAlertSender(cfg, ac, rt, as, notifiers, loc, log, reg)
		if err == nil {
			sender.SetTranslator(newTranslator(cfg, st, log))
		}
		if err != nil {
			return err
		}
		wake = sender.Wake
		a.add("alert-sender", phaseProcessor, sender.Run)
	}
	saved, err := newSavedRoutes(rt, as, log, reg)
	if err != nil {
		return err
	}
	stage, err := alerts.NewStage(alerts.StageOptions{
		Bus: b, Store: as, Router: rt.router, Receivers: rt.receivers, Inhibit: rt.inhibit,
		CriticalRisk: ac.CriticalRisk, Location: loc, Durable: ac.Durable, Notified: wake, Logger: log, Registerer: reg,
		Saved: saved,
	})
	if err != nil {
		return err
	}
	a.add("alerter", phaseProcessor, func(ctx context.Context) error {
		// The saved-search routes are in force before the first article.
		if err := saved.Reload(ctx); err != nil {
			log.Error("saved-search routes", "component", "alerter", "err", err)
		}
		return stage.Run(ctx)
	})
	a.add("alert-saved-routes", phaseProcessor, saved.Run)
	return nil
}

// newSavedRoutes makes the alert routes users made from saved searches
// (reread from the store every 30 s) children of the configured root route.
func newSavedRoutes(rt *alertsRuntime, st alerts.SavedRouteStore, log *slog.Logger, reg prometheus.Registerer) (*alerts.SavedRoutes, error) {
	names := make([]string, 0, len(rt.receivers))
	for _, r := range rt.receivers {
		names = append(names, r.Name)
	}
	return alerts.NewSavedRoutes(alerts.SavedRoutesOptions{
		Store: st, Receivers: names, Parent: rt.router.Root(), Logger: log, Registerer: reg,
	})
}

func newAlertSender(cfg *configs.Loaded, ac *configs.AlertsConfig, rt *alertsRuntime, as alertStore,
	notifiers map[string]alerts.Notifier, loc *time.Location, log *slog.Logger, reg prometheus.Registerer) (*alerts.Sender, error) {
	tmpl, err := alerts.LoadTemplates(resolveDir(cfg, ac.TemplateDir))
	if err != nil {
		return nil, err
	}
	ack, err := ackSigner(cfg, ac)
	if err != nil {
		return nil, err
	}
	base := ac.BaseURL
	if base == "" {
		base = cfg.Web.BaseURL
	}
	return alerts.NewSender(alerts.SenderOptions{
		Store: as, Notifiers: notifiers, Templates: tmpl, Receivers: rt.receivers, BaseURL: base, Ack: ack,
		Location: loc, PollInterval: ac.PollInterval, MaxAttempts: ac.MaxAttempts,
		BackoffInitial: ac.BackoffInitial, BackoffMax: ac.BackoffMax, Logger: log, Registerer: reg,
	})
}

// ackSigner keys the one-click acknowledge links with web.session_secret, so
// the web nodes can check them; without one, emails carry no acknowledge link.
func ackSigner(cfg *configs.Loaded, ac *configs.AlertsConfig) (*alerts.AckSigner, error) {
	key := cfg.Web.SessionSecret.Value()
	if key == "" {
		return nil, nil
	}
	ttl := ac.AckTTL
	if ttl <= 0 {
		ttl = 7 * 24 * time.Hour
	}
	return alerts.NewAckSigner([]byte(key), ttl)
}

func resolveDir(cfg *configs.Loaded, dir string) string {
	if dir == "" || filepath.IsAbs(dir) {
		return dir
	}
	return filepath.Join(cfg.Dir, dir)
}

// addDemoMailbox starts the demo's SMTP sink (saving messages under
// data_dir/mailbox) as a server component of ex and points cfg.SMTP at it.
// The demo calls it before serve; the web's mailbox page lists what it got.
func addDemoMailbox(ex *extras, cfg *configs.Loaded, log *slog.Logger) (*alerts.Mailbox, error) {
	mb, err := alerts.NewMailbox(alerts.MailboxOptions{Addr: "127.0.0.1:0", Dir: filepath.Join(cfg.DataDir, "mailbox"), Logger: log})
	if err != nil {
		return nil, fmt.Errorf("demo mailbox: %w", err)
	}
	host, port := mb.HostPort()
	cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.TLS, cfg.SMTP.User = host, port, alerts.TLSNone, ""
	cfg.SMTP.Password = ""
	if cfg.SMTP.From == "" {
		cfg.SMTP.From = "presswatch-demo@localhost"
	}
	ex.components = append(ex.components, component{name: "mailbox", phase: phaseServer, run: func(ctx context.Context) error {
		return mb.Run(ctx)
	}})
	return mb, nil
}

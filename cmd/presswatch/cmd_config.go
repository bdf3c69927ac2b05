package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/configs"
)

// cmdConfig is `presswatch config check|dump`. dump prints the settings in
// effect: a setting the file and environment leave out, or set to zero,
// shows the default its component uses, marked "# default".
func cmdConfig(ctx context.Context, g *globals, args []string) error {
	if len(args) != 1 || (args[0] != "check" && args[0] != "dump") {
		return fmt.Errorf("%w: presswatch config check|dump", errUsage)
	}
	cfg, err := configs.Load(g.ConfigPath)
	if err != nil {
		return err
	}
	switch args[0] {
	case "check":
		// Object storage is reached now, so a wrong endpoint, bucket or
		// key shows here rather than at the alerter's first capture.
		if cfg.Evidence.S3.Enabled() && !cfg.Evidence.Disabled {
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			_, err := evidenceBlobs(cctx, cfg.Evidence, "")
			cancel()
			if err != nil {
				return err
			}
		}
		fmt.Fprintf(g.Stdout, "%s: ok (%d sources)\n", cfg.Path, len(cfg.Sources))
		// What run would read next: the alert routes beside the file and
		// the classifier's rules and model. A broken alerts.yaml once
		// passed check and stopped run.
		ac, err := loadAlertsConfig(cfg)
		if err != nil {
			return err
		}
		if _, err := buildAlerts(ac); err != nil {
			return fmt.Errorf("%s: %w", alertsSource(cfg), err)
		}
		fmt.Fprintf(g.Stdout, "%s: ok (%d receivers)\n", alertsSource(cfg), len(ac.Receivers))
		opts := classifierOptions(cfg, slog.New(slog.DiscardHandler), nil)
		if _, err := classifier.New(opts); err != nil {
			return fmt.Errorf("classifier rules and model: %w", err)
		}
		fmt.Fprintln(g.Stdout, "classifier rules and model: ok")
		return nil
	default:
		fmt.Fprintf(g.Stdout, "# %s: the settings in effect (secrets redacted; \"# default\": not set, the component's default)\n", cfg.Path)
		if err := configs.DumpEffective(g.Stdout, cfg); err != nil {
			return err
		}
		// The alert routing the alerter would run with: receivers, quiet
		// hours, routes and their conditions (an operator could not see why
		// the police got dengue alerts: an outside reading).
		ac, err := loadAlertsConfig(cfg)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.Stdout, "---\n# %s: alert routing as configured (webhook URLs and secrets redacted)\n", alertsSource(cfg))
		return configs.DumpAlerts(g.Stdout, ac)
	}
}

// errRoleConfig is returned when a web or alerter role is started without
// the settings every node of a deployment must share.
var errRoleConfig = errors.New("web and alerter roles need web.session_secret and web.base_url")

// defaultBaseURL is web.base_url when nothing sets it.
const defaultBaseURL = "http://127.0.0.1:8080"

// checkRoleSecrets refuses to start the web or alerter role as a process of
// its own (not `run`, which plays every role and may make a random secret)
// without a configured session secret and public base URL: otherwise each
// replica makes its own random key, sessions break between them, and the
// acknowledge links the alerter signs never verify on the web.
func checkRoleSecrets(cfg *configs.Config, rs roles) error {
	if len(rs) == len(allRoles) || (!rs[roleWeb] && !rs[roleAlerter]) {
		return nil
	}
	var missing []string
	if len(cfg.Web.SessionSecret.Value()) < 16 {
		missing = append(missing, "web.session_secret (or web.session_secret_file / PRESSWATCH_WEB_SESSION_SECRET_FILE): one random value of at least 16 characters, e.g. `openssl rand -hex 32`, shared by every web node and the alerter")
	}
	if cfg.Web.BaseURL == "" || cfg.Web.BaseURL == defaultBaseURL {
		missing = append(missing, "web.base_url (or PRESSWATCH_WEB_BASE_URL): the public address of the UI, used in the links of alert emails")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w; set:\n  - %s", errRoleConfig, strings.Join(missing, "\n  - "))
	}
	return nil
}

// alertsSource names the alerts.yaml that loadAlertsConfig reads for cfg.
func alertsSource(cfg *configs.Loaded) string {
	path := filepath.Join(cfg.Dir, alertsFile)
	if _, err := os.Stat(path); err != nil {
		return "(embedded alerts.yaml: none beside " + cfg.Path + ")"
	}
	return path
}

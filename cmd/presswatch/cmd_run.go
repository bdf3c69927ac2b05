package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/dongnai/presswatch/bus"
	"github.com/dongnai/presswatch/classifier"
	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/crawler"
	"github.com/dongnai/presswatch/evidence"
	"github.com/dongnai/presswatch/index"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/web"
	"github.com/jackc/pgx/v5/pgconn"
)

// The roles a process can play. `run` plays them all.
const (
	roleCrawler    = "crawler"
	roleClassifier = "classifier"
	roleIndexer    = "indexer"
	roleAlerter    = "alerter"
	roleWeb        = "web"
)

type roles map[string]bool

// allRoles are the roles `run` plays.
var allRoles = []string{roleCrawler, roleClassifier, roleIndexer, roleAlerter, roleWeb}

func roleCommand(rs ...string) func(ctx context.Context, g *globals, args []string) error {
	set := roles{}
	for _, r := range rs {
		set[r] = true
	}
	return func(ctx context.Context, g *globals, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("%w: unexpected arguments %q (settings come from the configuration file and PRESSWATCH_* variables)", errUsage, args)
		}
		if len(set) == 1 && set[roleCrawler] && os.Getenv("GOMEMLIMIT") == "" {
			// The limit only makes the collector return memory sooner. It is
			// set before the configuration is read: decoding 10,000 sources
			// makes tens of MiB of garbage, which would otherwise set the
			// process's peak resident set (issue 18).
			debug.SetMemoryLimit(crawler.DefaultMemoryLimit)
		}
		cfg, err := configs.Load(g.ConfigPath)
		if err != nil {
			return err
		}
		if err := checkRoleSecrets(cfg.Config, set); err != nil {
			return err
		}
		return serve(ctx, g, cfg, set, nil)
	}
}

// extras lets `presswatch demo` add components (presssim, the mail sink) to
// the pipeline; it adjusts the configuration itself before wiring.
type extras struct {
	components []component
	mailbox    web.MailboxLister // the demo's SMTP sink, shown at /demo/mailbox
	// withStore makes components that need the opened store (the demo's
	// evidence story).
	withStore []func(st store.Store) component
}

// serve wires the given roles from cfg and runs them until ctx is done.
func serve(ctx context.Context, g *globals, cfg *configs.Loaded, rs roles, ex *extras) error {
	st, err := startStarting(cfg.Web.Listen)
	if err != nil {
		return err
	}
	gs := *g
	gs.starting = st
	p, err := wire(ctx, &gs, cfg, rs, ex)
	if err != nil {
		_ = st.handOver().Close()
		return err
	}
	// Loading rules, gazetteers and models leaves tens of MiB of garbage that
	// the runtime would hand back to the OS only slowly; return it now so an
	// idle process stays small.
	debug.FreeOSMemory()
	return p.app.run(ctx, cfg.Shutdown.Timeout)
}

// pipeline is a wired process: its app and the shared parts tests look into.
type pipeline struct {
	app   *app
	store store.Store
	bus   *bus.Bus
	index *index.Index // nil without the indexer or web role
	reg   *prometheus.Registry
	addr  func() string // the address health and metrics are served on
}

// linkBaseURL is the base URL a process with roles rs puts in its links. A
// loopback base_url follows a web.listen moved by PRESSWATCH_WEB_LISTEN
// (configs followListen) only where the UI is served: an alerter given its
// own port for metrics that way mailed links to that port, where nothing
// answers them (an outside install).
func linkBaseURL(w configs.WebConfig, rs roles) string {
	if rs[roleWeb] {
		return w.BaseURL
	}
	return w.BaseURLAsWritten()
}

// wire opens the store and the bus and builds the components of the given
// roles. On error everything opened so far is closed again.
func wire(ctx context.Context, g *globals, cfg *configs.Loaded, rs roles, ex *extras) (p *pipeline, err error) {
	log := newLogger(cfg.Log, g.Stderr)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a := newApp(log)
	p = &pipeline{app: a, reg: reg}
	defer func() {
		if err != nil {
			if cerr := a.closeAll(); cerr != nil {
				log.Error("close after failed start", "err", cerr)
			}
		}
	}()
	log.Info("starting presswatch", "version", version, "config", cfg.Path, "roles", strings.Join(rs.names(), ","))
	cfg.Web.BaseURL = linkBaseURL(cfg.Web, rs)
	if rs[roleAlerter] {
		log.Info("alert and report emails link to web.base_url", "base_url", cfg.Web.BaseURL)
	}

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if cfg.Web.SessionSecret == "" && (rs[roleWeb] || rs[roleAlerter]) {
		// One random key for the whole process, so that the alerter's
		// acknowledge links verify on this process's web pages.
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("make a session secret: %w", err)
		}
		cfg.Web.SessionSecret = configs.Secret(hex.EncodeToString(key))
		log.Warn("no web.session_secret configured: using a random one; sessions and the acknowledge links in alert emails end at restart and are not shared between nodes")
	}
	st, err := openStoreWaiting(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a.onStop("store", st.Close)
	p.store = st

	b, err := bus.Open(ctx, busOptions(cfg, log, reg))
	if err != nil {
		return nil, fmt.Errorf("open bus: %w", err)
	}
	a.onStop("bus", b.Close)
	p.bus = b
	// "consumers" is not ready while a stage holds a batch waiting for an
	// unavailable dependency (store down, index disk full); it names why.
	checks := map[string]func(context.Context) error{"store": st.Ping, "bus": b.Ready, "consumers": b.ConsumersReady}

	if rs[roleClassifier] {
		eng, err := classifier.New(classifierOptions(cfg, log, reg))
		if err != nil {
			return nil, fmt.Errorf("load classifier rules: %w", err)
		}
		so := classifier.StageOptions{
			Bus: b, Store: st, Classifier: eng, Durable: cfg.Classifier.Durable,
			BatchSize: cfg.Classifier.BatchSize, Logger: log, Registerer: reg,
		}
		// Narratives created from responses are merged with the rule files
		// now and re-read whenever the store's version moves.
		if ns, ok := st.(store.NarrativeStore); ok {
			so.Narratives, so.Repeats = ns, ns
			if _, err := eng.SyncNarratives(ctx, ns); err != nil {
				return nil, fmt.Errorf("load narratives from responses: %w", err)
			}
		}
		stage, err := classifier.NewStage(so)
		if err != nil {
			return nil, fmt.Errorf("classifier stage: %w", err)
		}
		a.add("classifier", phaseProcessor, stage.Run)
		// Rule files are checked every classifier.reload_interval, 30 s
		// when unset (as the setting documents; unset used to mean never),
		// and never when it is negative.
		if every := cmp.Or(cfg.Classifier.ReloadInterval, configs.DefaultRulesReload); cfg.Classifier.RulesDir != "" && every > 0 {
			a.add("classifier-rules", phaseProcessor, func(ctx context.Context) error {
				return eng.WatchRules(ctx, every)
			})
		}
	}

	var ix *index.Index
	if rs[roleIndexer] || rs[roleWeb] {
		dir := indexDirOf(cfg)
		// A process that serves searches warms the index's per-segment
		// caches in the background, so the first search after a restart is
		// not the one that builds them.
		ix, err = index.Open(ctx, index.Options{Dir: dir, Logger: log, Registerer: reg,
			ImpactCacheBytes: int64(cfg.Index.ImpactCacheMB) << 20, Warm: rs[roleWeb], SearchTimeout: cfg.Index.SearchTimeout})
		if err != nil {
			return nil, fmt.Errorf("open index: %w", err)
		}
		a.onStop("index", ix.Close)
		p.index = ix
		ixr, err := index.NewIndexer(index.IndexerOptions{
			Bus: b, Index: ix, Durable: indexDurable(cfg), BatchSize: cfg.Index.BatchSize,
			FlushInterval: cfg.Index.FlushInterval, Logger: log, Registerer: reg,
		})
		if err != nil {
			return nil, fmt.Errorf("indexer: %w", err)
		}
		a.add("indexer", phaseProcessor, ixr.Run)
		checks["index"] = ix.Ping
		// The healer rebuilds the index from the store when it was emptied
		// (mapping change, folder deleted), damaged (disk full) or trails the
		// store; the indexer keeps up with new items meanwhile (upserts are
		// idempotent), and /readyz says not ready until it is whole.
		a.add("index-healer", phaseProcessor, func(ctx context.Context) error {
			return ix.Heal(ctx, healerOptions(st, log))
		})
	}

	if rs[roleCrawler] {
		if err := addCrawler(a, cfg, st, b, log, reg); err != nil {
			return nil, err
		}
	}
	// Evidence: the alerter captures alerted articles and re-checks them;
	// web nodes capture what officers open and serve the captures.
	var arch *evidence.Archive
	if rs[roleAlerter] || rs[roleWeb] {
		if arch, err = newEvidence(ctx, cfg, st, log); err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
	}
	if rs[roleAlerter] {
		if err := addAlerter(a, cfg, st, b, log, reg); err != nil {
			return nil, err
		}
		if arch != nil {
			a.add("evidence", phaseProcessor, arch.Run)
		}
		// Reports are scheduled beside the alerter: each period is claimed
		// atomically in the store, so any number of alerters is safe.
		if err := addDigest(a, cfg, st, log, reg); err != nil {
			return nil, err
		}
	}
	if ex != nil {
		a.components = append(a.components, ex.components...)
		for _, fn := range ex.withStore {
			a.components = append(a.components, fn(st))
		}
	}

	if rs[roleWeb] {
		// The first-start password is printed last, after the start-up
		// warnings and the offline banner (startupNotice).
		var pw strings.Builder
		if _, err := web.Bootstrap(ctx, st, &pw, passwdHint(g, cfg)); err != nil {
			return nil, fmt.Errorf("create first account: %w", err)
		}
		uiURL := cfg.Web.BaseURL
		if uiURL == "" {
			uiURL = "http://" + cfg.Web.Listen
		}
		n := &startupNotice{st: st, out: g.Stderr, password: pw.String(), crawling: rs[roleCrawler], uiURL: uiURL,
			wait: 45 * time.Second, poll: time.Second}
		a.add("startup-notice", phaseServer, n.run)
		// Saved searches live in the store (shared by every web node); the
		// alerts config's receivers are what one can be routed to.
		ac, err := loadAlertsConfig(cfg)
		if err != nil {
			return nil, err
		}
		var receivers []string
		for _, r := range ac.Receivers {
			receivers = append(receivers, r.Name)
		}
		// Reports can be made on demand from the web UI (any period, HTML,
		// PDF or DOCX) wherever the store can compute them.
		var reports web.ReportMaker
		if gen, err := newDigestGenerator(cfg, digestConfig(cfg), st, log); err == nil {
			reports = gen
		} else {
			log.Warn("reports cannot be made from the web UI", "err", err)
		}
		// Searches widen place names with the classifier's gazetteer.
		rules := classifierOptions(cfg, log, nil).Rules
		if rules == nil {
			rules = configs.ClassifierRules()
		}
		places, err := web.LoadPlaces(rules)
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		srv, err := web.New(web.Options{
			Places: places, SourceAllowHosts: cfg.Crawler.AllowHosts,
			Listen: cfg.Web.Listen, BaseURL: cfg.Web.BaseURL, SessionSecret: []byte(cfg.Web.SessionSecret.Value()),
			Store: st, Search: ix, Saved: web.NewStoreSaved(st), AlertReceivers: receivers, Gatherer: reg, Checks: checks,
			Demo: ex != nil, Mailbox: demoMailbox(ex), Reports: reports, Translator: newTranslator(cfg, st, log), Evidence: webEvidence(arch),
			Logger: log, Registerer: reg,
			Login: web.LoginLimits{ConcurrentHashes: cfg.Web.Login.ConcurrentHashes,
				PerIPPerMinute: cfg.Web.Login.PerIPPerMinute, PerIPBurst: int(cfg.Web.Login.PerIPPerMinute),
				GlobalPerSecond: cfg.Web.Login.GlobalPerSecond, GlobalBurst: int(2 * cfg.Web.Login.GlobalPerSecond)},
		})
		if err != nil {
			return nil, fmt.Errorf("web server: %w", err)
		}
		if g.starting != nil {
			ln := g.starting.handOver()
			a.add("web", phaseServer, func(ctx context.Context) error { return srv.Serve(ctx, ln) })
		} else {
			a.add("web", phaseServer, srv.Run)
		}
		p.addr = func() string { return cfg.Web.Listen }
	} else {
		ops := newOpsServer(cfg.Web.Listen, reg, checks, log)
		if g.starting != nil {
			ops.ln = g.starting.handOver()
		} else if err := ops.listen(); err != nil {
			return nil, err
		}
		a.add("ops", phaseServer, ops.run)
		p.addr = func() string { return ops.ln.Addr().String() }
	}
	return p, nil
}

// webEvidence hands the archive to the web server, or nil (not a typed nil).
func webEvidence(arch *evidence.Archive) web.EvidenceArchive {
	if arch == nil {
		return nil
	}
	return arch
}

func demoMailbox(ex *extras) web.MailboxLister {
	if ex == nil || ex.mailbox == nil {
		return nil
	}
	return ex.mailbox
}

func (rs roles) names() []string {
	var out []string
	for _, r := range []string{roleCrawler, roleClassifier, roleIndexer, roleAlerter, roleWeb} {
		if rs[r] {
			out = append(out, r)
		}
	}
	return out
}

// openStore opens the configured store. The embedded SQLite default migrates
// itself so `make run` needs nothing; PostgreSQL refuses an out-of-date schema
// and asks for `presswatch migrate`, unless migrate is set.
func openStore(ctx context.Context, cfg *configs.Loaded, log *slog.Logger, migrate bool) (store.Store, error) {
	opts := storeOptions(cfg, log)
	opts.AutoMigrate = migrate || !isPostgres(opts.URL)
	st, err := store.Open(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return st, nil
}

// openStoreWaiting is openStore for the long-running roles: a database that
// cannot be reached yet (refused, timed out: store.IsTransient) is waited
// for, as the bus is, instead of ending the process: roles started before
// PostgreSQL, or during its restart, used to exit with "connection
// refused" (an outside fault run). Other errors (a wrong password, an
// out-of-date schema) end it at once, as does any failure to open the
// embedded SQLite file: it is local, and a folder the process may not
// write ("permission denied") was waited for for ever (an outside install).
func openStoreWaiting(ctx context.Context, cfg *configs.Loaded, log *slog.Logger) (store.Store, error) {
	wait := time.Second
	for {
		st, err := openStore(ctx, cfg, log, false)
		if err == nil || !store.IsTransient(err) || ctx.Err() != nil {
			return st, err
		}
		if !isPostgres(cfg.Store.URL.Value()) {
			return nil, fmt.Errorf("%w (data_dir %s)", err, cfg.DataDir)
		}
		// The server answered and refused (a wrong password, no such
		// database): waiting will not change that. At run time the store
		// keeps such an error transient, so that rotating a password does
		// not dead-letter anything.
		var pe *pgconn.PgError
		if errors.As(err, &pe) && !store.IsTransient(pe) {
			return nil, err
		}
		log.Warn("store not reachable; waiting for it", "retry_in", wait, "error", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (stopped while waiting: %w)", err, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func storeOptions(cfg *configs.Loaded, log *slog.Logger) store.Options {
	return store.Options{URL: cfg.Store.URL.Value(), DataDir: cfg.DataDir, MaxConns: cfg.Store.MaxConns, Logger: log}
}

func isPostgres(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

func busOptions(cfg *configs.Loaded, log *slog.Logger, reg prometheus.Registerer) bus.Options {
	n := cfg.NATS
	return bus.Options{
		URL: n.URL.Value(), DataDir: cfg.DataDir, Listen: n.Listen, SyncInterval: n.SyncInterval,
		CredsFile: n.CredsFile, User: n.User, Password: n.Password.Value(), Token: n.Token.Value(),
		TLSCA: n.TLSCA, TLSCert: n.TLSCert, TLSKey: n.TLSKey,
		Replicas: n.Replicas, MaxDeliver: n.MaxDeliver, AckWait: n.AckWait,
		DuplicateWindow: n.DuplicateWindow, MaxAge: n.MaxAge,
		Logger: log, Registerer: reg,
	}
}

func classifierOptions(cfg *configs.Loaded, log *slog.Logger, reg prometheus.Registerer) classifier.Options {
	c := cfg.Classifier
	opts := classifier.Options{
		ReviewThreshold: c.ReviewThreshold, Languages: c.Languages, ClusterWindow: c.ClusterWindow,
		SpreadOutlets: c.SpreadOutlets, Logger: log, Registerer: reg,
	}
	if c.RulesDir != "" {
		dir := c.RulesDir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(cfg.Dir, dir)
		}
		opts.Rules = os.DirFS(dir)
	}
	if m := c.Model; m != "" && m != "none" && !filepath.IsAbs(m) {
		opts.ModelPath = filepath.Join(cfg.Dir, m)
	} else {
		opts.ModelPath = m
	}
	return opts
}

var nonDurable = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// indexDurable names this node's index consumer: every web node keeps its own
// replica, so each needs its own durable consumer.
func indexDurable(cfg *configs.Loaded) string {
	if cfg.Index.Durable != "" {
		return cfg.Index.Durable
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "local"
	}
	// The replica is its folder: two on one host (a web node and an
	// indexer, say) each need their own consumer, or each index gets only
	// part of the stream (an outside fault run found search missing
	// articles until both rebuilt).
	dir := indexDirOf(cfg)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	sum := sha256.Sum256([]byte(dir))
	return "indexer-" + strings.Trim(nonDurable.ReplaceAllString(host, "-"), "-") + "-" + hex.EncodeToString(sum[:3])
}

func newLogger(c configs.LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// cmdMigrate applies pending migrations.
func cmdMigrate(ctx context.Context, g *globals, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: presswatch migrate takes no arguments", errUsage)
	}
	cfg, err := configs.Load(g.ConfigPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	from, to, err := store.Migrate(ctx, storeOptions(cfg, newLogger(cfg.Log, g.Stderr)))
	if err != nil {
		return err
	}
	if from == to {
		fmt.Fprintf(g.Stdout, "schema is up to date (version %d)\n", to)
	} else {
		fmt.Fprintf(g.Stdout, "migrated schema from version %d to %d\n", from, to)
	}
	return nil
}

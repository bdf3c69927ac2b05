// Command presswatch watches the foreign press for coverage of Đồng Nai province.
// Every stage runs in one process with `presswatch run`, or one role per process
// for scale-out. See README.md and docs/OPERATIONS.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

func main() { os.Exit(run()) }

// globals is what every subcommand gets: its streams and the global flags.
type globals struct {
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
	ConfigPath string // -config, default configs/dongnai.yaml when present

	// starting, when set, answers on web.listen while wire opens the store
	// and the bus, and hands its listener to the web or ops server.
	starting *startingServer
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, g *globals, args []string) error
}

// errUsage marks an error that is the user's: it prints with usage and exit code 2.
var errUsage = errors.New("usage")

func commands() map[string]command {
	return map[string]command{
		"version":    {"print the version", cmdVersion},
		"config":     {"check|dump: validate the configuration, or print it with secrets redacted", cmdConfig},
		"migrate":    {"apply pending database migrations", cmdMigrate},
		"run":        {"run every stage in one process", roleCommand(roleCrawler, roleClassifier, roleIndexer, roleAlerter, roleWeb)},
		"crawler":    {"run the collection stage only", roleCommand(roleCrawler)},
		"classifier": {"run the classifier stage only", roleCommand(roleClassifier)},
		"indexer":    {"keep a search index replica only", roleCommand(roleIndexer)},
		"alerter":    {"run the alerts stage only", roleCommand(roleAlerter)},
		"web":        {"run the web UI and API with this node's index replica", roleCommand(roleWeb)},
		"presssim":   {"serve the simulated foreign press on 127.0.0.1", cmdPresssim},
		"user":       {"add|passwd|disable|enable|list|token|tokens|revoke: manage accounts and API tokens", cmdUser},
		"classify":   {"classify JSON Lines articles from stdin to stdout", cmdClassify},
		"reclassify": {"re-run the current rules over stored articles: --since DURATION [--dry-run]", cmdReclassify},
		"train":      {"train the classifier's learned layer: [--corpus FILE]... [--from-triage] --out FILE", cmdTrain},
		"reindex":    {"rebuild this node's search index from the store", cmdReindex},
		"extract":    {"extract one saved page: --url URL FILE|-", cmdExtract},
		"eval":       {"extraction|classifier: measure quality on the shared test data", cmdEval},
		"sources":    {"show every source's health, failing and silent first (-problems, -json, -sort)", cmdSources},
		"silence":    {"manage alert silences (add|list|expire)", cmdSilence},
		"alerts":     {"list alerts (alerts list [-state] [-route] [-receiver] [-limit])", cmdAlerts},
		"report":     {"generate a report: --kind weekly|quarterly|annual [--period P] [--send] [--out DIR]", cmdReport},
		"dead":       {"list|show SEQ|replay [--stream] [--since] [--dry-run]: dead-lettered messages", cmdDead},
		"demo":       {"run everything against presssim, a simulated foreign press on 127.0.0.1", cmdDemo},
	}
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runArgs(ctx, &globals{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:])
}

// runArgs runs the command line argv (without the program name) and
// returns the exit status.
func runArgs(ctx context.Context, g *globals, argv []string) int {
	fs := flag.NewFlagSet("presswatch", flag.ContinueOnError)
	fs.StringVar(&g.ConfigPath, "config", os.Getenv("PRESSWATCH_CONFIG"), "configuration file (default configs/dongnai.yaml)")
	cmds := commands()
	fs.Usage = func() { usage(g.Stderr, cmds) }
	fs.SetOutput(g.Stderr)
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	args := fs.Args()
	if len(args) == 0 {
		usage(g.Stderr, cmds)
		return 2
	}
	if cpu, heap := os.Getenv("PRESSWATCH_CPUPROFILE"), os.Getenv("PRESSWATCH_HEAPPROFILE"); cpu != "" || heap != "" {
		defer startProfiles(cpu, heap, g.Stderr)()
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(g.Stderr, "presswatch: unknown command %q\n", args[0])
		usage(g.Stderr, cmds)
		return 2
	}
	if err := c.run(ctx, g, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if len(args) == 2 && isHelpArg(args[1]) {
			// `presswatch silence -h`, `migrate -h`: the command's own usage
			// line, not "unknown silence command \"-h\"" (an outside install).
			fmt.Fprintf(g.Stderr, "usage: presswatch [-config FILE] %s %s\n", args[0], c.summary)
			return 0
		}
		fmt.Fprintf(g.Stderr, "presswatch %s: %v\n", args[0], err)
		if errors.Is(err, errUsage) {
			return 2
		}
		var ec interface{ ExitCode() int }
		if errors.As(err, &ec) {
			return ec.ExitCode()
		}
		return 1
	}
	return 0
}

// isHelpArg reports whether a command's only argument asks for help.
func isHelpArg(a string) bool {
	switch a {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: presswatch [-config FILE] COMMAND [ARGS]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
}

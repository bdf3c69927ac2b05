package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"
)

// phase orders start-up and shutdown. Collectors stop first so nothing new
// enters the pipeline, then the processing stages finish their in-flight
// batches, then the servers close.
type phase int

const (
	phaseServer    phase = iota // web UI, API, metrics: up first, down last
	phaseProcessor              // classifier, indexer, alerter, reports
	phaseCollector              // crawlers: up last, down first
)

func (p phase) String() string {
	return [...]string{"server", "processor", "collector"}[p]
}

// component is one long-running part of the process. run blocks until ctx is
// done and returns nil on a clean stop.
type component struct {
	name  string
	phase phase
	run   func(ctx context.Context) error
}

type cleanup struct {
	name string
	fn   func() error
}

// app starts components in order and stops them in reverse phase order within
// a deadline; cleanups (closing the bus, the store) run last-in-first-out.
type app struct {
	log        *slog.Logger
	components []component
	cleanups   []cleanup
}

func newApp(log *slog.Logger) *app { return &app{log: log.With("component", "app")} }

func (a *app) add(name string, p phase, run func(ctx context.Context) error) {
	a.components = append(a.components, component{name: name, phase: p, run: run})
}

// onStop registers fn to run when the app stops, after every component has.
func (a *app) onStop(name string, fn func() error) {
	a.cleanups = append(a.cleanups, cleanup{name: name, fn: fn})
}

// closeAll runs the cleanups in reverse order and joins their errors.
func (a *app) closeAll() error {
	var errs []error
	for i := len(a.cleanups) - 1; i >= 0; i-- {
		c := a.cleanups[i]
		if err := c.fn(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", c.name, err))
		}
	}
	a.cleanups = nil
	return errors.Join(errs...)
}

// run starts every component and blocks until ctx is done or a component
// fails; then it stops collectors, processors and servers in that order,
// giving the whole stop at most deadline.
func (a *app) run(ctx context.Context, deadline time.Duration) error {
	type running struct {
		component
		ctx    context.Context
		cancel context.CancelFunc
		done   chan struct{}
		err    error
	}
	failed := make(chan string, len(a.components))
	byPhase := map[phase][]*running{}
	for _, c := range a.components {
		// Detached from the signal: a component stops when its phase's turn comes.
		cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		r := &running{component: c, ctx: cctx, cancel: cancel, done: make(chan struct{})}
		byPhase[c.phase] = append(byPhase[c.phase], r)
	}
	// Start servers first, collectors last.
	for p := phaseServer; p <= phaseCollector; p++ {
		for _, r := range byPhase[p] {
			a.log.Info("starting", "name", r.name, "phase", r.phase.String())
			go func() {
				defer close(r.done)
				r.err = r.run(r.ctx)
				if r.ctx.Err() == nil {
					// Stopping on its own is a failure too: components run until told to stop.
					failed <- r.name
				}
			}()
		}
	}
	var cause error
	select {
	case <-ctx.Done():
		a.log.Info("stopping", "reason", "signal")
	case name := <-failed:
		cause = fmt.Errorf("%s stopped unexpectedly", name)
		a.log.Error("stopping", "reason", "component failed", "name", name)
	}

	stopBy := time.Now().Add(deadline)
	var errs []error
	if cause != nil {
		errs = append(errs, cause)
	}
	for p := phaseCollector; p >= phaseServer; p-- {
		rs := byPhase[p]
		for _, r := range rs {
			r.cancel()
		}
		for _, r := range rs {
			select {
			case <-r.done:
				if r.err != nil && !errors.Is(r.err, context.Canceled) {
					errs = append(errs, fmt.Errorf("%s: %w", r.name, r.err))
				}
				a.log.Info("stopped", "name", r.name)
			case <-time.After(time.Until(stopBy)):
				var still []string
				for _, r := range rs {
					select {
					case <-r.done:
					default:
						still = append(still, r.name)
					}
				}
				sort.Strings(still)
				errs = append(errs, fmt.Errorf("shutdown deadline %s exceeded; still running: %s", deadline, strings.Join(still, ", ")))
				// Close what can be closed; the process exits anyway.
				if err := a.closeAll(); err != nil {
					errs = append(errs, err)
				}
				return errors.Join(errs...)
			}
		}
	}
	if err := a.closeAll(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

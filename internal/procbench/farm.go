package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/presssim"
)

// farmHost is the loopback address of farm host i: 127.2.0.1, 127.2.0.2, …
// Linux routes all of 127.0.0.0/8 to the loopback interface, so each is a
// distinct host for the crawler's per-host politeness (and for Miniflux)
// without any configuration, and nothing leaves the machine.
func farmHost(i int) string {
	n := i + 1
	return fmt.Sprintf("127.2.%d.%d", n>>8, n&255)
}

// farmFeedURL is feed i of a farm on port, on its own host.
func farmFeedURL(port, i int) string {
	return "http://" + farmHost(i) + ":" + strconv.Itoa(port) + "/farm/" + strconv.Itoa(i) + "/feed.xml"
}

// runFarmChild is the farm process: presssim's feed farm (control API on
// 127.0.0.1) served on n loopback hosts, one per feed, on one port. It
// prints "READY <port> <control URL>" and runs until it
// is signalled (the parent's death signals it too: Pdeathsig).
func runFarmChild(ctx context.Context, n int, latency time.Duration, port int) error {
	// With PRESSWATCH_PROCBENCH_PROFILE, the farm's CPU profile over its
	// whole life: farm-<port>-<latency>.pprof (port 0: the first farm).
	if pd := os.Getenv("PRESSWATCH_PROCBENCH_PROFILE"); pd != "" {
		f, err := os.Create(filepath.Join(pd, fmt.Sprintf("farm-%d-%s.pprof", port, latency)))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	sim, err := presssim.New(presssim.Options{
		Addr: "127.0.0.1:0", Farm: n, Latency: latency,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	if err := sim.Start(ctx); err != nil {
		return err
	}
	defer sim.Close()
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	var lns []net.Listener
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", net.JoinHostPort(farmHost(i), strconv.Itoa(port)))
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return fmt.Errorf("farm host %d: %w", i, err)
		}
		if port == 0 {
			port = ln.Addr().(*net.TCPAddr).Port
		}
		lns = append(lns, ln)
	}
	for _, ln := range lns {
		go srv.Serve(ln)
	}
	fmt.Printf("READY %d %s\n", port, sim.URL())
	<-ctx.Done()
	return srv.Close()
}

// farm is a running farm process.
type farm struct {
	p       *proc
	port    int
	control string
}

// startFarm starts the farm as a separate process (this program re-executed).
// port 0 picks one; a restart passes the previous port so that the feeds'
// URLs stay the same.
func startFarm(ctx context.Context, self string, n int, latency time.Duration, port int, logPath string) (*farm, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer pw.Close()
	p, err := startProc("farm", os.Environ(), "", logPath, pw, self,
		"-farm-child", "-feeds", strconv.Itoa(n), "-farm-latency", latency.String(), "-farm-port", strconv.Itoa(port))
	if err != nil {
		pr.Close()
		return nil, err
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "READY ") {
				lines <- sc.Text()
			}
		}
		pr.Close()
	}()
	select {
	case l := <-lines:
		f := strings.Fields(l)
		port, _ := strconv.Atoi(f[1])
		return &farm{p: p, port: port, control: f[2]}, nil
	case <-p.done:
		return nil, fmt.Errorf("farm exited: %v: %s", p.err, tail(p.log.String(), 1500))
	case <-time.After(120 * time.Second):
		_ = p.stop(5 * time.Second)
		return nil, fmt.Errorf("farm not ready after 120 s: %s", tail(p.log.String(), 1500))
	case <-ctx.Done():
		_ = p.stop(5 * time.Second)
		return nil, ctx.Err()
	}
}

func (f *farm) stop() error {
	return f.p.stop(10 * time.Second)
}

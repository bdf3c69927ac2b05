package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
)

// startProfiles writes a CPU profile of the whole process to cpuPath until
// the returned function is called (at exit), and a heap profile to heapPath
// when it is (see writeHeapProfile); either may be empty.
// PRESSWATCH_CPUPROFILE and PRESSWATCH_HEAPPROFILE turn them on: it is how the
// process-level benchmarks (internal/procbench) find which stage's code a
// role process spends its time and memory in. Each SIGUSR1 ends the current
// CPU profile and starts the next one (cpuPath.1, cpuPath.2, …) and writes
// the live heap to heapPath.1, heapPath.2, …, so that one phase of a run
// (the 304 window after a first fetch) can be profiled on its own. An error
// is reported and the process runs unprofiled.
func startProfiles(cpuPath, heapPath string, stderr io.Writer) func() {
	var cur *os.File // the CPU profile being written; one goroutine at a time
	begin := func(p string) {
		f, err := os.Create(p)
		if err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "presswatch: cpu profile: %v\n", err)
			return
		}
		cur = f
	}
	end := func() {
		if cur == nil {
			return
		}
		pprof.StopCPUProfile()
		if err := cur.Close(); err != nil {
			fmt.Fprintf(stderr, "presswatch: cpu profile: %v\n", err)
		}
		cur = nil
	}
	if cpuPath != "" {
		begin(cpuPath)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for n := 1; ; n++ {
			select {
			case <-sig:
			case <-quit:
				return
			}
			if heapPath != "" {
				writeHeapProfile(fmt.Sprintf("%s.%d", heapPath, n), stderr)
			}
			if cpuPath != "" {
				end()
				begin(fmt.Sprintf("%s.%d", cpuPath, n))
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		close(quit)
		<-done
		end()
		if heapPath != "" {
			writeHeapProfile(heapPath, stderr)
		}
	}
}

// writeHeapProfile writes what is live on the heap (after a collection) to
// path: at exit, or at a SIGUSR1 (startProfiles). PRESSWATCH_HEAPPROFILE
// turns it on: stopping a crawler with SIGTERM at the end of a first fetch,
// or signalling it while it runs, shows what holds its memory there
// (issue 18). An error is reported, never fatal.
func writeHeapProfile(path string, stderr io.Writer) {
	runtime.GC()
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("heap").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "presswatch: heap profile: %v\n", err)
	}
}

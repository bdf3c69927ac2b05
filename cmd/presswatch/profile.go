package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile of the whole process to path until the
// returned function is called (at exit). PRESSWATCH_CPUPROFILE turns it on:
// it is how the process-level benchmarks (internal/procbench) find which
// stage's code a role process spends its time in. An error is reported and
// the process runs unprofiled.
func startCPUProfile(path string, stderr io.Writer) func() {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "presswatch: cpu profile: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(stderr, "presswatch: cpu profile: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "presswatch: cpu profile: %v\n", err)
		}
	}
}

// writeHeapProfile writes what is live on the heap when the command returns
// (after a collection) to path. PRESSWATCH_HEAPPROFILE turns it on: stopping
// a crawler with SIGTERM at the end of a first fetch shows what holds its
// memory there (issue 18). An error is reported, never fatal.
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

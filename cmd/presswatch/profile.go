package main

import (
	"fmt"
	"io"
	"os"
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

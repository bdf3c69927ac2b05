package classifier

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: on a busy shared machine
// it measures the work per article better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports CPU time per op and articles per CPU-second since start.
func reportCPU(b *testing.B, start time.Duration) {
	d := cpuTime() - start
	if d <= 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(d.Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(b.N)/d.Seconds(), "articles/cpu-s")
}

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dongnai/presswatch/internal/procstat"
)

// proc is a child process whose CPU time and peak memory are read from /proc.
type proc struct {
	name  string
	cmd   *exec.Cmd
	log   *tailBuffer
	done  chan struct{}
	err   error
	start time.Time
}

// tailBuffer keeps the last 8 KiB written to it (a child's stderr).
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 8192 {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-8192:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// startProc starts bin with args; stdout goes to stdout (when not nil), stderr
// to a tail buffer (and to logPath when set).
func startProc(name string, env []string, dir, logPath string, stdout io.Writer, bin string, args ...string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Dir = dir
	p := &proc{name: name, cmd: cmd, log: &tailBuffer{}, done: make(chan struct{})}
	var errW io.Writer = p.log
	if logPath != "" {
		f, err := os.Create(logPath)
		if err == nil {
			errW = io.MultiWriter(p.log, f)
			defer func() { go func() { <-p.done; f.Close() }() }()
		}
	}
	cmd.Stderr = errW
	if stdout != nil {
		cmd.Stdout = stdout
	} else {
		cmd.Stdout = errW
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	return p, nil
}

func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// cpu is the process's user+system CPU time so far (0 once it has ended).
func (p *proc) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may contain spaces) start at ")".
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	// USER_HZ is 100 on every Linux configuration Go supports.
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// status reads a "Vm…" field of /proc/PID/status in KiB.
func (p *proc) status(field string) int64 {
	st, err := procstat.Status(p.cmd.Process.Pid)
	if err != nil {
		return 0
	}
	return st[field]
}

// stop sends SIGTERM and waits up to grace, then kills the process group.
func (p *proc) stop(grace time.Duration) error {
	if !p.alive() {
		return p.err
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(grace):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		return fmt.Errorf("%s did not stop within %s: killed", p.name, grace)
	}
}

// waitHTTP waits until url answers 200 or the process ends.
func waitHTTP(ctx context.Context, p *proc, url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if p != nil && !p.alive() {
			return fmt.Errorf("%s exited: %v: %s", p.name, p.err, tail(p.log.String(), 1500))
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if p != nil {
		return fmt.Errorf("%s not answering %s after %s: %s", p.name, url, limit, tail(p.log.String(), 1500))
	}
	return fmt.Errorf("%s not answering after %s", url, limit)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

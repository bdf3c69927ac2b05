// Package pgtest runs a test-owned PostgreSQL instance that a test may stop
// and start again (to simulate an outage) without touching the shared server.
// It needs the PostgreSQL server binaries (initdb, pg_ctl); when they are
// absent the test is skipped with a clear message. Run as root, the instance
// runs as the postgres user (initdb refuses root).
package pgtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Server is one test-owned PostgreSQL instance on a free loopback port.
type Server struct {
	tb      testing.TB
	bin     string // folder of initdb, pg_ctl
	dir     string // owns data and socket folders
	data    string
	port    int
	asUser  string // "" = run as the current user
	mu      sync.Mutex
	running bool
}

// Start initialises a new cluster in a temporary folder, starts it and
// registers its stop and removal at the end of the test.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := findBin()
	if bin == "" {
		tb.Skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb, pg_ctl) not found: skipping the test that stops its own PostgreSQL")
	}
	s := &Server{tb: tb, bin: bin}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			tb.Skip("running as root without a postgres user: cannot run a test-owned PostgreSQL")
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			tb.Skip("running as root without runuser: cannot run a test-owned PostgreSQL")
		}
		s.asUser = "postgres"
	}
	dir, err := os.MkdirTemp("", "pwpg")
	if err != nil {
		tb.Fatal(err)
	}
	s.dir = dir
	s.data = filepath.Join(dir, "data")
	tb.Cleanup(func() {
		s.Stop()
		_ = os.RemoveAll(dir)
	})
	if s.asUser != "" {
		if out, err := exec.Command("chown", s.asUser, dir).CombinedOutput(); err != nil {
			tb.Fatalf("chown %s: %v: %s", dir, err, out)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	s.port = freePort(tb)
	s.run("initdb", "-D", s.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 50\n", s.port, dir)
	s.run("sh", "-c", fmt.Sprintf("cat >> %s/postgresql.conf <<'EOF'\n%sEOF", s.data, conf))
	s.Start()
	return s
}

func findBin() string {
	ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Strings(ms)
	if len(ms) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p)
		}
		return ""
	}
	return filepath.Dir(ms[len(ms)-1])
}

func freePort(tb testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// run runs a PostgreSQL tool (from bin) or sh, as the instance's user.
func (s *Server) run(name string, args ...string) {
	s.tb.Helper()
	if err := s.exec(name, args...); err != nil {
		s.tb.Fatal(err)
	}
}

func (s *Server) exec(name string, args ...string) error {
	path := name
	if name != "sh" {
		path = filepath.Join(s.bin, name)
	}
	var cmd *exec.Cmd
	if s.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w: %s", name, args, err, out.String())
	}
	return nil
}

// URL is the connection URL of the instance's postgres database.
func (s *Server) URL() string {
	return "postgres://postgres@127.0.0.1:" + strconv.Itoa(s.port) + "/postgres?sslmode=disable"
}

// Start starts the instance (again) and waits until it accepts connections.
func (s *Server) Start() {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return
	}
	s.run("pg_ctl", "-D", s.data, "-l", filepath.Join(s.dir, "log"), "-w", "-t", "120", "start")
	s.running = true
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("test PostgreSQL on port %d not accepting connections: %v", s.port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop stops the instance fast (open connections are cut, as in an outage)
// and waits until it is down. Stopping a stopped instance does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return
	}
	if err := s.exec("pg_ctl", "-D", s.data, "-m", "fast", "-w", "-t", "120", "stop"); err != nil {
		s.tb.Errorf("stop test PostgreSQL: %v", err)
	}
	s.running = false
}

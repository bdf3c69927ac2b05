// Package natstest runs real nats-server nodes in-process for tests: a
// single JetStream server or a JetStream cluster on loopback ports, whose
// nodes can be stopped and started again to simulate faults.
package natstest

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Cluster is a JetStream cluster of in-process nats-server nodes on loopback.
type Cluster struct {
	tb     testing.TB
	name   string
	dir    string
	client []int // client port per node
	route  []int // cluster (route) port per node

	mu    sync.Mutex
	nodes []*server.Server // nil when stopped
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// NewCluster prepares an n-node cluster with its ports and folders under
// tb.TempDir(); no node runs until Start. Every running node is shut down at
// the end of the test.
func NewCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	c := &Cluster{tb: tb, name: "pwtest", dir: tb.TempDir(), nodes: make([]*server.Server, n)}
	for range n {
		c.client = append(c.client, FreePort(tb))
		c.route = append(c.route, FreePort(tb))
	}
	tb.Cleanup(func() {
		for i := range c.nodes {
			c.Stop(i)
		}
	})
	return c
}

// URL is the comma-separated client URL of every node.
func (c *Cluster) URL() string {
	var us []string
	for _, p := range c.client {
		us = append(us, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	return strings.Join(us, ",")
}

// Start starts node i (again, after Stop, on the same ports and store) and
// waits until it accepts connections.
func (c *Cluster) Start(i int) {
	c.tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nodes[i] != nil {
		return
	}
	var routes []string
	for j, p := range c.route {
		if j != i {
			routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
		}
	}
	opts := &server.Options{
		ServerName: fmt.Sprintf("n%d", i+1),
		Host:       "127.0.0.1",
		Port:       c.client[i],
		JetStream:  true,
		StoreDir:   filepath.Join(c.dir, fmt.Sprintf("n%d", i+1)),
		NoSigs:     true,
		NoLog:      true,
		Cluster: server.ClusterOpts{
			Name: c.name,
			Host: "127.0.0.1",
			Port: c.route[i],
		},
		Routes: server.RoutesFromStr(strings.Join(routes, ",")),
	}
	if len(c.nodes) == 1 {
		opts.Cluster = server.ClusterOpts{}
		opts.Routes = nil
	}
	s, err := server.NewServer(opts)
	if err != nil {
		c.tb.Fatalf("nats node %d: %v", i+1, err)
	}
	go s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		c.tb.Fatalf("nats node %d not ready after 30s", i+1)
	}
	c.nodes[i] = s
}

// StartAll starts every node.
func (c *Cluster) StartAll() {
	c.tb.Helper()
	for i := range c.nodes {
		c.Start(i)
	}
}

// Stop shuts node i down (a kill as far as the others can tell: its routes
// drop); its store stays for a later Start.
func (c *Cluster) Stop(i int) {
	c.mu.Lock()
	s := c.nodes[i]
	c.nodes[i] = nil
	c.mu.Unlock()
	if s != nil {
		s.Shutdown()
		s.WaitForShutdown()
	}
}

// Running reports whether node i runs.
func (c *Cluster) Running(i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[i] != nil
}

package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dongnai/presswatch/internal/procstat"
	"github.com/nats-io/nats-server/v2/server"
)

// runNATSChild is the NATS process: a JetStream server on a loopback TCP
// port with file storage in dir, synced every second like presswatch's
// embedded default. It prints "READY <port>" and runs until signalled.
func runNATSChild(ctx context.Context, port int, dir string) error {
	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir,
		SyncInterval: time.Second, NoSigs: true, MaxPayload: 8 << 20,
	})
	if err != nil {
		return err
	}
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		return fmt.Errorf("nats server not ready")
	}
	fmt.Printf("READY %d\n", ns.Addr().(*net.TCPAddr).Port)
	<-ctx.Done()
	ns.Shutdown()
	ns.WaitForShutdown()
	return nil
}

// startNATS runs the NATS server as a separate process on a TCP port.
func startNATS(ctx context.Context, self, dir string) (*proc, string, error) {
	port, err := procstat.FreePort()
	if err != nil {
		return nil, "", err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, "", err
	}
	defer pw.Close()
	p, err := startProc("nats-server", os.Environ(), "", dir+".log", pw, self, "-nats-child", "-nats-port", strconv.Itoa(port), "-nats-dir", dir)
	if err != nil {
		pr.Close()
		return nil, "", err
	}
	ready := make(chan struct{}, 1)
	go func() {
		defer pr.Close()
		buf := make([]byte, 256)
		var got string
		for {
			n, err := pr.Read(buf)
			got += string(buf[:n])
			if strings.Contains(got, "READY ") {
				ready <- struct{}{}
				return
			}
			if err != nil {
				return
			}
		}
	}()
	select {
	case <-ready:
		return p, fmt.Sprintf("nats://127.0.0.1:%d", port), nil
	case <-p.done:
		return nil, "", fmt.Errorf("nats exited: %v: %s", p.err, tail(p.log.String(), 1500))
	case <-time.After(60 * time.Second):
		_ = p.stop(5 * time.Second)
		return nil, "", fmt.Errorf("nats not ready after 60 s")
	case <-ctx.Done():
		_ = p.stop(5 * time.Second)
		return nil, "", ctx.Err()
	}
}

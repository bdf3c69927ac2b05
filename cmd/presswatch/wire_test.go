package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/configs"
)

// TestWireFailureClosesEverything: a start-up error after the store and the
// bus were opened closes them again, promptly, and names the cause.
func TestWireFailureClosesEverything(t *testing.T) {
	cfg := &configs.Loaded{Config: configs.Defaults(), Path: "test", Dir: "."}
	cfg.DataDir = t.TempDir()
	cfg.Web.Listen = "127.0.0.1:0"
	cfg.Sources = []configs.Source{{Name: "too-fast", Kind: "feed", URL: "http://127.0.0.1:1/feed.xml", IntervalMin: time.Second}}
	g := &globals{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}
	done := make(chan error, 1)
	go func() {
		_, err := wire(context.Background(), g, cfg, roles{roleCrawler: true, roleClassifier: true, roleIndexer: true}, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "too-fast") {
			t.Fatalf("err = %v, want one naming the source", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("wire did not return: closing after a failed start hangs")
	}
}

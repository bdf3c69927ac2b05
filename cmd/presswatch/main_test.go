package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestCommandHelp: `presswatch COMMAND -h` prints the command's usage and
// exits 0 for every command, including those with subcommands or no flags
// (silence said `unknown silence command "-h"`, migrate "takes no
// arguments": an outside install).
func TestCommandHelp(t *testing.T) {
	for name := range commands() {
		if name == "version" {
			continue // prints the version, whatever follows
		}
		var out, errOut bytes.Buffer
		g := &globals{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, ConfigPath: "/nonexistent/presswatch.yaml"}
		if code := runArgs(context.Background(), g, []string{name, "-h"}); code != 0 {
			t.Errorf("%s -h: exit %d\n%s", name, code, errOut.String())
			continue
		}
		if !strings.Contains(errOut.String()+out.String(), "usage") && !strings.Contains(errOut.String()+out.String(), "Usage") {
			t.Errorf("%s -h prints no usage:\n%s%s", name, out.String(), errOut.String())
		}
	}
}

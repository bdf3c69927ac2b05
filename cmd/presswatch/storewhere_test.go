package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/store"
)

// TestCommandsNameTheStore: beside `make demo` (data under data/demo), a new
// user ran `presswatch user passwd admin` and `presswatch sources` with the
// default data directory; the first said only `no user "admin"`, the second
// made an empty database and listed 0 sources. Both must now say which
// database they looked at, and neither may create one.
func TestCommandsNameTheStore(t *testing.T) {
	ctx := context.Background()
	cfgPath := filepath.Join("..", "..", "configs", "dongnai.yaml")
	empty := t.TempDir()
	t.Setenv("PRESSWATCH_DATA_DIR", empty)
	g := &globals{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, ConfigPath: cfgPath}
	for _, args := range [][]string{{"passwd", "admin"}, {"list"}} {
		err := cmdUser(ctx, g, args)
		if err == nil || !strings.Contains(err.Error(), "no database at "+filepath.Join(empty, "presswatch.db")) {
			t.Errorf("user %v in an empty data directory: %v", args, err)
		}
	}
	if err := cmdSources(ctx, g, nil); err == nil || !strings.Contains(err.Error(), "PRESSWATCH_DATA_DIR") {
		t.Errorf("sources in an empty data directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(empty, "presswatch.db")); !os.IsNotExist(err) {
		t.Errorf("a read-only command created a database: %v", err)
	}

	// A database without the user: the error names it.
	st, err := store.Open(ctx, store.Options{DataDir: empty, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	err = cmdUser(ctx, g, []string{"passwd", "admin"})
	if err == nil || !strings.Contains(err.Error(), `no user "admin"`) || !strings.Contains(err.Error(), filepath.Join(empty, "presswatch.db")) {
		t.Errorf("passwd of a missing user: %v", err)
	}

	// The first-start hint names the demo's data directory.
	os.Unsetenv("PRESSWATCH_DATA_DIR") // t.Setenv above restores it
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = "data/demo"
	if h := passwdHint(g, cfg); h != "PRESSWATCH_DATA_DIR=data/demo presswatch -config "+cfgPath+" user passwd admin" {
		t.Errorf("hint for the demo: %q", h)
	}
	plain, _ := configs.Load(cfgPath)
	if h := passwdHint(g, plain); h != "presswatch -config "+cfgPath+" user passwd admin" {
		t.Errorf("hint for make run: %q", h)
	}
	// A data folder given by the environment is named too: the command
	// typed without it would change the password in another database.
	t.Setenv("PRESSWATCH_DATA_DIR", "/srv/pw-data")
	fromEnv, err := configs.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if h := passwdHint(g, fromEnv); h != "PRESSWATCH_DATA_DIR=/srv/pw-data presswatch -config "+cfgPath+" user passwd admin" {
		t.Errorf("hint with PRESSWATCH_DATA_DIR: %q", h)
	}
}

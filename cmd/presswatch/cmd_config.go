package main

import (
	"context"
	"fmt"

	"github.com/dongnai/presswatch/configs"
)

// cmdConfig is `presswatch config check|dump`.
func cmdConfig(_ context.Context, g *globals, args []string) error {
	if len(args) != 1 || (args[0] != "check" && args[0] != "dump") {
		return fmt.Errorf("%w: presswatch config check|dump", errUsage)
	}
	cfg, err := configs.Load(g.ConfigPath)
	if err != nil {
		return err
	}
	switch args[0] {
	case "check":
		fmt.Fprintf(g.Stdout, "%s: ok (%d sources)\n", cfg.Path, len(cfg.Sources))
		return nil
	default:
		fmt.Fprintf(g.Stdout, "# %s (secrets redacted)\n", cfg.Path)
		return configs.Dump(g.Stdout, cfg.Config)
	}
}

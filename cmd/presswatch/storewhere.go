package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/dongnai/presswatch/configs"
	"github.com/dongnai/presswatch/store"
)

// sqlitePath returns the SQLite file cfg's store uses, or "" when the store
// is PostgreSQL.
func sqlitePath(cfg *configs.Loaded) string {
	return store.SQLiteFile(store.Options{URL: cfg.Store.URL.Value(), DataDir: cfg.DataDir})
}

// storeWhere names cfg's store for a message: the SQLite file, or
// "PostgreSQL (store.url)" (the URL may hold a password).
func storeWhere(cfg *configs.Loaded) string {
	if p := sqlitePath(cfg); p != "" {
		return p
	}
	return "PostgreSQL (store.url)"
}

// requireExistingStore refuses to go on when cfg's store is a SQLite file
// that does not exist: commands that read what presswatch has recorded
// would otherwise create an empty database beside the real one and report
// nothing (for example beside `make demo`, whose data is under data/demo).
func requireExistingStore(cfg *configs.Loaded) error {
	p := sqlitePath(cfg)
	if p == "" {
		return nil
	}
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s: presswatch has not run with this data directory (%q); set PRESSWATCH_DATA_DIR (make demo uses data/demo) or -config to the one it runs with", p, cfg.DataDir)
	}
	return nil
}

// passwdHint is the command that changes the admin password of cfg's store,
// as the operator would type it: with the data directory when it is not the
// one a plain `presswatch` would use (the demo's), and with -config when one
// was given.
func passwdHint(g *globals, cfg *configs.Loaded) string {
	cmd := "presswatch user passwd admin"
	if g.ConfigPath != "" {
		cmd = "presswatch -config " + g.ConfigPath + " user passwd admin"
	}
	if plain, err := configs.LoadFile(g.ConfigPath); err == nil && plain.DataDir != cfg.DataDir && sqlitePath(cfg) != "" {
		cmd = "PRESSWATCH_DATA_DIR=" + cfg.DataDir + " " + cmd
	}
	return cmd
}

package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrInUse is returned by CheckNotInUse for an index folder another
// process (a web or indexer role) has open.
var ErrInUse = errors.New("the index is in use by another process")

// CheckNotInUse returns ErrInUse when another process holds the on-disk
// index in dir, nil when none does or there is no index there yet. It takes
// a shared lock on the index's root file for a moment and changes nothing.
// `presswatch reindex` builds a new index beside the old one and swaps the
// folders: under a running web node that left it serving a deleted folder
// and rebuilding the whole index at its next start (an outside install).
func CheckNotInUse(dir string) error {
	root := filepath.Join(dir, "store", "root.bolt")
	if _, err := os.Stat(root); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	db, err := bolt.Open(root, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return fmt.Errorf("%s: %w (stop presswatch's web and indexer roles that use it first)", dir, ErrInUse)
	}
	if err != nil {
		return fmt.Errorf("check index %s: %w", dir, err)
	}
	return db.Close()
}

//go:build unix

package index

import (
	"path/filepath"
	"syscall"
)

// lowOnSpace reports whether the file system of dir is nearly full; false for
// an in-memory index or when it cannot be told.
func lowOnSpace(dir string) bool {
	if dir == "" {
		return false
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(filepath.Clean(dir)), &st); err != nil {
		return false
	}
	free := uint64(st.Bavail) * uint64(st.Bsize)
	total := uint64(st.Blocks) * uint64(st.Bsize)
	return free < lowOnSpaceBytes || free < total/20
}

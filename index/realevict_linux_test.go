package index

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// evictDir drops the files under dir from the OS page cache
// (posix_fadvise POSIX_FADV_DONTNEED after fdatasync): only these files, so
// other processes' caches stay as they are. Pages another process has
// mapped stay resident; the benchmark closes its own index first.
func evictDir(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_ = syscall.Fdatasync(int(f.Fd()))
		const fadvDontNeed = 4
		if _, _, e := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0); e != 0 {
			return e
		}
		return nil
	})
}

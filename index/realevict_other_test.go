//go:build !linux

package index

import "errors"

// evictDir is only implemented on Linux.
func evictDir(string) error { return errors.New("page-cache eviction is only implemented on Linux") }

//go:build !unix

package index

// lowOnSpace cannot tell here: batches never run exclusively.
func lowOnSpace(string) bool { return false }

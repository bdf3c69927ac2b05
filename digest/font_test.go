package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestCJKFont checks that the embedded, compressed CJK font decompresses to
// the font fonts/README.md names.
func TestCJKFont(t *testing.T) {
	sum := sha256.Sum256(cjkFont())
	if got, want := hex.EncodeToString(sum[:]), "56d3edfb377a8bc3c4b77f4476405c770173c0e31221ad7c77d0a8e1f3039a3e"; got != want {
		t.Errorf("CJK font SHA-256 = %s, want %s", got, want)
	}
}

package charset

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// IsBidiControl reports whether r is an explicit bidirectional formatting
// character: the embeddings and overrides U+202A–U+202E, the isolates
// U+2066–U+2069, the marks U+200E/U+200F and the Arabic letter mark U+061C.
// In a title they let a publisher reorder what a reader sees ("…gnp.exe"
// shown for "…exe.png") and shift highlight offsets.
func IsBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200E || r == 0x200F || r == 0x061C:
		return true
	}
	return false
}

// StripBidi returns s without bidi control characters (see IsBidiControl),
// in NFC. Direction is the display's business (dir=auto, <bdi>), not the
// collected text's.
func StripBidi(s string) string {
	if strings.IndexFunc(s, IsBidiControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if IsBidiControl(r) {
				return -1
			}
			return r
		}, s)
	}
	return norm.NFC.String(s)
}

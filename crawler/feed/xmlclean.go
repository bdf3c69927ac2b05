package feed

import (
	"io"
	"unicode/utf8"
)

// xmlCleanReader streams UTF-8 XML text to the parser without the
// characters XML 1.0 forbids (§2.2: C0 controls other than tab, LF and CR,
// U+FFFE, U+FFFF, stray invalid bytes) and without character references to
// them (&#0;, &#x1B;): one NUL used to reject the whole feed. It reads src
// in place and holds back at most one rune, so a document is never copied.
type xmlCleanReader struct {
	src     []byte
	pend    []byte // the tail of a rune that did not fit the caller's buffer
	dropped int    // characters and references removed
	// ref tracks whether the output ends inside what could still become a
	// character reference ("&", "&#", "&#x1"): a removal there is replaced
	// by U+FFFD, which no reference can contain, so that removing "\x03"
	// from "&#\x030;" cannot forge "&#0;".
	ref refState
}

type refState uint8

const (
	refNone      refState = iota
	refAmp                // "&"
	refHash               // "&#"
	refHex                // "&#x"
	refDec                // "&#1…"
	refHexDigits          // "&#x1…"
)

func (s refState) next(c byte) refState {
	switch {
	case c == '&':
		return refAmp
	case s == refAmp && c == '#':
		return refHash
	case s == refHash && (c == 'x' || c == 'X'):
		return refHex
	case (s == refHash || s == refDec) && c >= '0' && c <= '9':
		return refDec
	case (s == refHex || s == refHexDigits) && (c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
		return refHexDigits
	}
	return refNone
}

// maxCharRef bounds the length of a character reference looked at
// ("&#x10FFFF;" is 10 bytes, leading zeros may make it longer); a longer one
// is left to the parser.
const maxCharRef = 40

func (r *xmlCleanReader) Read(p []byte) (int, error) {
	n := 0
	if len(r.pend) > 0 {
		k := copy(p, r.pend)
		r.pend = r.pend[k:]
		n += k
	}
	for n < len(p) && len(r.src) > 0 && len(r.pend) == 0 {
		c := r.src[0]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				r.src = r.src[1:]
				n += r.removed(p[n:])
				continue
			}
			if c == '&' && len(r.src) > 2 && r.src[1] == '#' {
				if l, bad := illegalCharRef(r.src); bad {
					r.src = r.src[l:]
					n += r.removed(p[n:])
					continue
				}
			}
			p[n] = c
			n++
			r.src = r.src[1:]
			r.ref = r.ref.next(c)
			continue
		}
		ru, size := utf8.DecodeRune(r.src)
		if ru == utf8.RuneError && size == 1 || !xmlChar(ru) {
			r.src = r.src[size:]
			n += r.removed(p[n:])
			continue
		}
		n += r.emit(p[n:], r.src[:size])
		r.src = r.src[size:]
		r.ref = refNone
	}
	if n == 0 && len(r.src) == 0 && len(r.pend) == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// removed accounts for one removal and, inside a would-be reference,
// writes U+FFFD in its place; it returns the bytes written to p.
func (r *xmlCleanReader) removed(p []byte) int {
	r.dropped++
	if r.ref == refNone {
		return 0
	}
	r.ref = refNone
	return r.emit(p, []byte("\uFFFD"))
}

// emit writes b to p, keeping what does not fit for the next Read.
func (r *xmlCleanReader) emit(p, b []byte) int {
	k := copy(p, b)
	if k < len(b) {
		r.pend = b[k:]
	}
	return k
}

// xmlChar reports whether r is a Char of XML 1.0 (§2.2).
func xmlChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// illegalCharRef looks at a "&#…" at the start of b. It returns the length of
// the reference and whether it names a character XML forbids (or cannot be
// read as a number at all). A reference that is cut off or too long to be
// real is left to the parser.
func illegalCharRef(b []byte) (int, bool) {
	i, base := 2, 10
	if i < len(b) && (b[i] == 'x' || b[i] == 'X') {
		i, base = 3, 16
	}
	start := i
	v := 0
	for ; i < len(b) && i < maxCharRef; i++ {
		c := b[i]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = int(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = int(c-'A') + 10
		case c == ';':
			if i == start {
				return 0, false
			}
			return i + 1, !xmlChar(rune(v))
		default:
			return 0, false
		}
		v = v*base + d
		if v > utf8.MaxRune {
			v = utf8.MaxRune + 1 // saturate: illegal whatever follows
		}
	}
	return 0, false
}

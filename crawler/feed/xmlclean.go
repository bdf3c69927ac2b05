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
	for n < len(p) && len(r.src) > 0 {
		c := r.src[0]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				r.src = r.src[1:]
				r.dropped++
				continue
			}
			if c == '&' && len(r.src) > 2 && r.src[1] == '#' {
				if l, bad := illegalCharRef(r.src); bad {
					r.src = r.src[l:]
					r.dropped++
					continue
				}
			}
			p[n] = c
			n++
			r.src = r.src[1:]
			continue
		}
		ru, size := utf8.DecodeRune(r.src)
		if ru == utf8.RuneError && size == 1 || !xmlChar(ru) {
			r.src = r.src[size:]
			r.dropped++
			continue
		}
		k := copy(p[n:], r.src[:size])
		if k < size {
			r.pend = r.src[k:size]
		}
		n += k
		r.src = r.src[size:]
	}
	if n == 0 && len(r.src) == 0 && len(r.pend) == 0 {
		return 0, io.EOF
	}
	return n, nil
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

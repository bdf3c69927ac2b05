package textnorm

import "unicode/utf8"

// decodeAt is utf8.DecodeRuneInString(s[i:]) for a non-ASCII s[i]: the
// two- and three-byte forms of the Latin, Vietnamese, CJK and Hangul text
// the classifier reads most are decoded here without the table lookups of
// the general decoder, and everything else (four-byte forms, the leads
// 0xE0 and 0xED that need a narrower second byte, invalid or cut
// sequences) is left to it (TestDecodeAt checks every one- to three-byte
// sequence).
func decodeAt(s string, i int) (rune, int) {
	c := s[i]
	switch {
	case 0xC2 <= c && c <= 0xDF && i+1 < len(s):
		if d := s[i+1]; d&0xC0 == 0x80 {
			return rune(c&0x1F)<<6 | rune(d&0x3F), 2
		}
	case 0xE1 <= c && c <= 0xEF && c != 0xED && i+2 < len(s):
		if d, e := s[i+1], s[i+2]; d&0xC0 == 0x80 && e&0xC0 == 0x80 {
			return rune(c&0x0F)<<12 | rune(d&0x3F)<<6 | rune(e&0x3F), 3
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

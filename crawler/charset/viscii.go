package charset

import (
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// VISCII is the name Decode gives text read as VISCII.
const VISCII = "viscii"

// VISCII (RFC 1456) is the 8-bit Vietnamese encoding of the 1990s and of
// overseas Vietnamese sites that never moved to Unicode: ASCII with six
// rare C0 controls and most of the upper half replaced by the 134
// precomposed Vietnamese letters, keeping Latin-1's à, á, â, ã, è, é, ê,
// ì, í, ò, ó, ô, õ, ù, ú, ý (and capitals) where Latin-1 has them. Neither
// golang.org/x/text nor the WHATWG encodings have it. The table below lists
// the bytes that are not the same code point; it was produced with glibc's
// iconv and matches the uchardet sample in testdata/encoding-vi
// (TestDecodeVietnameseLegacy).
var visciiDiff = map[byte]rune{
	0x02: 'Ẳ', 0x05: 'Ẵ', 0x06: 'Ẫ', 0x14: 'Ỷ', 0x19: 'Ỹ', 0x1E: 'Ỵ', 0x80: 'Ạ', 0x81: 'Ắ',
	0x82: 'Ằ', 0x83: 'Ặ', 0x84: 'Ấ', 0x85: 'Ầ', 0x86: 'Ẩ', 0x87: 'Ậ', 0x88: 'Ẽ', 0x89: 'Ẹ',
	0x8A: 'Ế', 0x8B: 'Ề', 0x8C: 'Ể', 0x8D: 'Ễ', 0x8E: 'Ệ', 0x8F: 'Ố', 0x90: 'Ồ', 0x91: 'Ổ',
	0x92: 'Ỗ', 0x93: 'Ộ', 0x94: 'Ợ', 0x95: 'Ớ', 0x96: 'Ờ', 0x97: 'Ở', 0x98: 'Ị', 0x99: 'Ỏ',
	0x9A: 'Ọ', 0x9B: 'Ỉ', 0x9C: 'Ủ', 0x9D: 'Ũ', 0x9E: 'Ụ', 0x9F: 'Ỳ', 0xA0: 'Õ', 0xA1: 'ắ',
	0xA2: 'ằ', 0xA3: 'ặ', 0xA4: 'ấ', 0xA5: 'ầ', 0xA6: 'ẩ', 0xA7: 'ậ', 0xA8: 'ẽ', 0xA9: 'ẹ',
	0xAA: 'ế', 0xAB: 'ề', 0xAC: 'ể', 0xAD: 'ễ', 0xAE: 'ệ', 0xAF: 'ố', 0xB0: 'ồ', 0xB1: 'ổ',
	0xB2: 'ỗ', 0xB3: 'Ỡ', 0xB4: 'Ơ', 0xB5: 'ộ', 0xB6: 'ờ', 0xB7: 'ở', 0xB8: 'ị', 0xB9: 'Ự',
	0xBA: 'Ứ', 0xBB: 'Ừ', 0xBC: 'Ử', 0xBD: 'ơ', 0xBE: 'ớ', 0xBF: 'Ư', 0xC4: 'Ả', 0xC5: 'Ă',
	0xC6: 'ẳ', 0xC7: 'ẵ', 0xCB: 'Ẻ', 0xCE: 'Ĩ', 0xCF: 'ỳ', 0xD0: 'Đ', 0xD1: 'ứ', 0xD5: 'ạ',
	0xD6: 'ỷ', 0xD7: 'ừ', 0xD8: 'ử', 0xDB: 'ỹ', 0xDC: 'ỵ', 0xDE: 'ỡ', 0xDF: 'ư', 0xE4: 'ả',
	0xE5: 'ă', 0xE6: 'ữ', 0xE7: 'ẫ', 0xEB: 'ẻ', 0xEE: 'ĩ', 0xEF: 'ỉ', 0xF0: 'đ', 0xF1: 'ự',
	0xF6: 'ỏ', 0xF7: 'ọ', 0xF8: 'ụ', 0xFB: 'ũ', 0xFC: 'ủ', 0xFE: 'ợ', 0xFF: 'Ữ',
}

// visciiTable is every byte's rune.
var visciiTable = func() (t [256]rune) {
	for b := range t {
		t[b] = rune(b)
	}
	for b, r := range visciiDiff {
		t[b] = r
	}
	return t
}()

// visciiEncoding is VISCII as an encoding.Encoding. Only decoding is used;
// the encoder exists to satisfy the interface and writes '?' for what VISCII
// cannot hold.
type visciiEncoding struct{}

// Viscii is the VISCII encoding.
var Viscii encoding.Encoding = visciiEncoding{}

func (visciiEncoding) NewDecoder() *encoding.Decoder {
	return &encoding.Decoder{Transformer: visciiDecoder{}}
}

func (visciiEncoding) NewEncoder() *encoding.Encoder {
	return &encoding.Encoder{Transformer: visciiEncoder{}}
}

// DecodeByte returns the rune of one byte, as charmap.Charmap does.
func (visciiEncoding) DecodeByte(b byte) rune { return visciiTable[b] }

type visciiDecoder struct{ transform.NopResetter }

func (visciiDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		r := visciiTable[src[nSrc]]
		if r < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = byte(r)
			nDst++
		} else {
			if nDst+utf8.RuneLen(r) > len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			nDst += utf8.EncodeRune(dst[nDst:], r)
		}
		nSrc++
	}
	return nDst, nSrc, nil
}

// visciiReverse maps the runes VISCII holds back to their bytes.
var visciiReverse = func() map[rune]byte {
	m := make(map[rune]byte, 256)
	for b, r := range visciiTable {
		m[r] = byte(b)
	}
	return m
}()

type visciiEncoder struct{ transform.NopResetter }

func (visciiEncoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		r, size := utf8.DecodeRune(src[nSrc:])
		if r == utf8.RuneError && size < 2 && !atEOF && !utf8.FullRune(src[nSrc:]) {
			return nDst, nSrc, transform.ErrShortSrc
		}
		if nDst >= len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		b, ok := visciiReverse[r]
		if !ok {
			b = '?'
		}
		dst[nDst] = b
		nDst++
		nSrc += size
	}
	return nDst, nSrc, nil
}

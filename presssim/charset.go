package presssim

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"
)

// legacyEncoding returns the encoder for a charset name used by the outlets.
func legacyEncoding(name string) encoding.Encoding {
	switch strings.ToLower(name) {
	case "windows-1258":
		return charmap.Windows1258
	case "shift_jis":
		return japanese.ShiftJIS
	case "euc-kr":
		return korean.EUCKR
	case "gbk":
		return simplifiedchinese.GBK
	default:
		return charmap.Windows1252
	}
}

// vietToneMarks are the combining tone marks windows-1258 encodes as
// separate bytes after the base letter.
var vietToneMarks = map[rune]bool{0x0300: true, 0x0301: true, 0x0303: true, 0x0309: true, 0x0323: true}

// EncodeLegacy returns utf8 text in the named legacy charset (windows-1258,
// Shift_JIS, EUC-KR, GBK, else windows-1252). Characters the charset cannot
// represent become '?'. For windows-1258 letters with a tone are written
// as the toneless letter followed by the combining tone mark, as Vietnamese
// legacy pages do.
func EncodeLegacy(text []byte, charset string) []byte { return encodeLegacy(text, charset) }

func encodeLegacy(text []byte, charset string) []byte {
	enc := legacyEncoding(charset)
	if strings.EqualFold(charset, "windows-1258") {
		text = vietDecompose(text)
	}
	if out, err := enc.NewEncoder().Bytes(text); err == nil {
		return out
	}
	e := enc.NewEncoder()
	var out bytes.Buffer
	out.Grow(len(text))
	var tmp [utf8.UTFMax]byte
	for _, r := range string(text) {
		n := utf8.EncodeRune(tmp[:], r)
		b, err := e.Bytes(tmp[:n])
		if err != nil {
			out.WriteByte('?')
			continue
		}
		out.Write(b)
	}
	return out.Bytes()
}

// vietDecompose rewrites precomposed Vietnamese letters that windows-1258
// lacks as base letter (with its circumflex, breve or horn) + tone mark.
func vietDecompose(text []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(text) + len(text)/4)
	enc := charmap.Windows1258.NewEncoder()
	for _, r := range string(text) {
		if r < 0xC0 {
			out.WriteRune(r)
			continue
		}
		if _, err := enc.String(string(r)); err == nil {
			out.WriteRune(r)
			continue
		}
		d := norm.NFD.String(string(r))
		var base, tones strings.Builder
		for _, m := range d {
			if vietToneMarks[m] {
				tones.WriteRune(m)
			} else {
				base.WriteRune(m)
			}
		}
		out.WriteString(norm.NFC.String(base.String()))
		out.WriteString(tones.String())
	}
	return out.Bytes()
}

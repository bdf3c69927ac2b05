// Package charset turns fetched bytes of any encoding into UTF-8 in Unicode NFC.
//
// The encoding is taken, in order, from a byte-order mark, the HTTP
// Content-Type charset, an XML declaration or an HTML <meta> declaration; a
// declaration is checked against the bytes (a legacy label on a body that is
// valid UTF-8, or a declaration whose decoding is full of errors, is
// overruled) and, when nothing usable is declared, the encoding is detected:
// CJK multi-byte encodings by the ICU recogniser (github.com/saintfish/chardet),
// single-byte encodings — windows-1258 Vietnamese included — by a letter
// frequency and letter-case score of their decodings.
package charset

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/saintfish/chardet"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

// Encoding names returned by Decode for the commonest cases. Other encodings
// are named by their WHATWG name (htmlindex.Name).
const (
	UTF8        = "utf-8"
	UTF16LE     = "utf-16le"
	UTF16BE     = "utf-16be"
	Windows1252 = "windows-1252"
	Windows1258 = "windows-1258"
)

// xmlDefault is what docCharset returns for an XML declaration without an
// encoding: the document is UTF-8 by default.
const xmlDefault = "\x00xml-default"

// prescanLen is how much of the body is searched for an in-document declaration.
const prescanLen = 2048

var (
	xmlDeclRe = regexp.MustCompile(`(?i)^<\?xml[^>]*?\sencoding\s*=\s*["']\s*([a-z0-9._:\-]+)\s*["']`)
	metaRe    = regexp.MustCompile(`(?i)<meta[^>]+?charset\s*=\s*["']?\s*([a-z0-9._:\-]+)`)
)

// Decode converts body to UTF-8 NFC and names the encoding it was read as.
// contentType is the HTTP Content-Type header value, possibly empty. Decoding
// never fails on bad bytes (they become U+FFFD); the error reports only a
// failure of the converter itself.
func Decode(body []byte, contentType string) ([]byte, string, error) {
	enc, name, rest := Determine(body, contentType)
	var out []byte
	if name == UTF8 {
		out = bytes.ToValidUTF8(rest, []byte("\uFFFD"))
	} else {
		var err error
		out, err = enc.NewDecoder().Bytes(rest)
		if err != nil {
			return nil, name, fmt.Errorf("decode %s: %w", name, err)
		}
	}
	out = fixC1(out)
	return norm.NFC.Bytes(out), name, nil
}

// Determine chooses the encoding of body without converting it. It returns the
// encoding, its name and body with any byte-order mark removed.
func Determine(body []byte, contentType string) (encoding.Encoding, string, []byte) {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return encoding.Nop, UTF8, body[3:]
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM), UTF16LE, body[2:]
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		return xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM), UTF16BE, body[2:]
	}
	if label := headerCharset(contentType); label != "" {
		if enc, name, ok := lookup(label); ok {
			if name == UTF16LE || name == UTF16BE {
				if looksUTF16(body) {
					return enc, name, body
				}
			} else {
				e, n := checkDeclared(body, enc, name)
				return e, n, body
			}
		}
	}
	if label := docCharset(body); label == xmlDefault {
		// XML 1.0 §4.3.3: no declaration and no BOM means UTF-8. Still checked
		// against the bytes: many legacy feeds omit the declaration.
		e, n := checkDeclared(body, encoding.Nop, UTF8)
		return e, n, body
	} else if label != "" {
		if enc, name, ok := lookup(label); ok {
			if name == UTF16LE || name == UTF16BE {
				// An ASCII-compatible document cannot truly be UTF-16: WHATWG reads it as UTF-8.
				enc, name = encoding.Nop, UTF8
			}
			e, n := checkDeclared(body, enc, name)
			return e, n, body
		}
	}
	e, n := Detect(body)
	return e, n, body
}

// headerCharset returns the charset parameter of a Content-Type value.
func headerCharset(ct string) string {
	if ct == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		// Tolerate sloppy headers such as "text/html; charset=gbk;".
		// ASCII-only lower-casing: strings.ToLower would turn an invalid
		// byte into a three-byte U+FFFD and shift the index (a hostile
		// header used to panic here).
		i := strings.Index(asciiLower(ct), "charset=")
		if i < 0 {
			return ""
		}
		v := ct[i+len("charset="):]
		if j := strings.IndexAny(v, "; "); j >= 0 {
			v = v[:j]
		}
		return strings.Trim(v, `"' `)
	}
	return strings.TrimSpace(params["charset"])
}

// asciiLower lower-cases ASCII letters only, keeping every byte offset.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// docCharset finds an XML declaration's encoding (after leading whitespace)
// or an HTML <meta charset> / http-equiv declaration in the first bytes.
func docCharset(body []byte) string {
	head := body
	if len(head) > prescanLen {
		head = head[:prescanLen]
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if m := xmlDeclRe.FindSubmatch(trimmed); m != nil {
		return string(m[1])
	}
	if bytes.HasPrefix(trimmed, []byte("<?xml")) {
		// An XML document without an encoding is UTF-8 unless it says otherwise;
		// do not look at <meta> inside (X)HTML content of a feed.
		return xmlDefault
	}
	// A comment may precede the XML declaration in broken feeds.
	if i := bytes.Index(head, []byte("<?xml")); i >= 0 {
		if m := xmlDeclRe.FindSubmatch(head[i:]); m != nil {
			return string(m[1])
		}
	}
	if m := metaRe.FindSubmatch(head); m != nil {
		return string(m[1])
	}
	return ""
}

// lookup maps a label to an encoding with the WHATWG rules (latin1 →
// windows-1252, gb2312 → gbk, tis-620 → windows-874, …).
func lookup(label string) (encoding.Encoding, string, bool) {
	l := strings.ToLower(strings.TrimSpace(label))
	switch l {
	case "utf8", "utf-8", "unicode-1-1-utf-8":
		return encoding.Nop, UTF8, true
	case "utf-16", "utf-16le":
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM), UTF16LE, true
	case "utf-16be":
		return xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM), UTF16BE, true
	case "windows-1258", "cp1258", "x-cp1258":
		return charmap.Windows1258, Windows1258, true
	case "gb18030":
		return simplifiedchinese.GB18030, "gb18030", true
	case "viscii", "csviscii", "viscii1.1-1", "x-viscii":
		return Viscii, VISCII, true
	}
	enc, err := htmlindex.Get(l)
	if err != nil || enc == nil {
		return nil, "", false
	}
	name, err := htmlindex.Name(enc)
	if err != nil {
		return nil, "", false
	}
	if name == "replacement" {
		return nil, "", false
	}
	if name == "utf-8" {
		return encoding.Nop, UTF8, true
	}
	return enc, name, true
}

// looksUTF16 reports whether body plausibly is UTF-16 without a BOM: many NUL
// bytes.
func looksUTF16(body []byte) bool {
	n := min(len(body), 512)
	if n < 2 {
		return false
	}
	zeros := bytes.Count(body[:n], []byte{0})
	return zeros*4 >= n
}

// checkDeclared accepts a declared encoding unless the bytes contradict it.
func checkDeclared(body []byte, enc encoding.Encoding, name string) (encoding.Encoding, string) {
	st := utf8Stats(body)
	if name == UTF8 {
		// Declared UTF-8 stays UTF-8 while the bytes are at least half valid
		// multi-byte sequences: a few bad bytes become U+FFFD, they never tip
		// the whole document into a single-byte reading (mojibake in every
		// title). Legacy CJK and single-byte text, read as UTF-8, shows at most
		// one valid sequence for every three invalid bytes (0.35 on the shared
		// chardet corpus), so a wrong declaration is still overruled.
		if st.invalid == 0 || st.multi >= st.invalid {
			return enc, name
		}
		return Detect(body)
	}
	if st.invalid == 0 && st.multi > 0 {
		// A legacy label on a body that is valid UTF-8 with non-ASCII text: the
		// label is wrong (legacy text is practically never valid UTF-8).
		return encoding.Nop, UTF8
	}
	if st.multi == 0 && st.invalid == 0 {
		return enc, name // pure ASCII: any ASCII-compatible label is right
	}
	if isMultiByte(name) {
		bad := replacementsAdded(body, enc)
		nonASCII := countNonASCII(body)
		if bad > 0 && bad*50 > nonASCII/2 { // more than ~2% of characters broken
			if e, n := Detect(body); n != name {
				if replacementsAdded(body, e) < bad {
					return e, n
				}
			}
		}
		return enc, name
	}
	// A single-byte label: overrule it only when its decoding is implausible and
	// the detector's choice is clearly better.
	best, bestName := Detect(body)
	if bestName == name {
		return enc, name
	}
	declScore := singleByteScore(body, enc, name)
	if isMultiByte(bestName) {
		if replacementsAdded(body, best) == 0 && declScore < 0.3 {
			return best, bestName
		}
		return enc, name
	}
	if bestScore := singleByteScore(body, best, bestName); declScore < 0.3 && bestScore > declScore+0.3 {
		return best, bestName
	}
	// Symbols inside words ("Qu¯c ngæ là h® chæ", VISCII labelled
	// ISO-8859-1) are what no text in its own encoding shows: a label whose
	// decoding has them, where the detector's has none, is wrong.
	if n, share := symbolsInWords(body, enc); n >= 3 && share >= 0.05 {
		if bn, _ := symbolsInWords(body, best); bn == 0 {
			return best, bestName
		}
	}
	return enc, name
}

// symbolsInWords counts the non-ASCII characters of body read with enc (a
// single-byte encoding) that are symbols between two ASCII letters, and
// their share of its non-ASCII characters.
func symbolsInWords(body []byte, enc encoding.Encoding) (int, float64) {
	cm, ok := enc.(interface{ DecodeByte(b byte) rune })
	if !ok {
		return 0, 0
	}
	n, non := 0, 0
	for i, c := range body {
		if c < 0x80 {
			continue
		}
		non++
		if r := cm.DecodeByte(c); unicode.IsSymbol(r) && r != '´' && asciiLetterAt(body, i-1) && asciiLetterAt(body, i+1) {
			n++
		}
	}
	if non == 0 {
		return 0, 0
	}
	return n, float64(n) / float64(non)
}

type u8stats struct{ multi, invalid int }

func utf8Stats(b []byte) u8stats {
	var st u8stats
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			// A sequence cut off at the end of a truncated body is not evidence.
			if len(b)-i < utf8.UTFMax && !utf8.FullRune(b[i:]) {
				break
			}
			st.invalid++
			i++
			continue
		}
		st.multi++
		i += size
	}
	return st
}

func countNonASCII(b []byte) int {
	n := 0
	for _, c := range b {
		if c >= 0x80 {
			n++
		}
	}
	return n
}

func isMultiByte(name string) bool {
	switch name {
	case "shift_jis", "euc-jp", "iso-2022-jp", "euc-kr", "gbk", "gb18030", "big5", UTF16LE, UTF16BE:
		return true
	}
	return false
}

// replacementsAdded counts the U+FFFD characters a decoding introduces.
func replacementsAdded(body []byte, enc encoding.Encoding) int {
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return len(body)
	}
	return bytes.Count(out, []byte("\uFFFD")) - bytes.Count(body, []byte("\uFFFD"))
}

// fixC1 replaces C1 control characters (U+0080–U+009F), which in practice are
// windows-1252 punctuation mis-decoded as Latin-1, with their windows-1252
// meaning, and drops the rest of the C1 range.
func fixC1(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x80 && r <= 0x9F }) {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r >= 0x80 && r <= 0x9F {
			if d := charmap.Windows1252.DecodeByte(byte(r)); d != utf8.RuneError && (d < 0x80 || d > 0x9F) {
				out = utf8.AppendRune(out, d)
			}
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}

// mostlyUTF8 is how many valid multi-byte sequences per invalid byte make an
// undeclared document UTF-8 with a few broken bytes rather than a legacy
// encoding: legacy text read as UTF-8 stays below 0.35 on the shared corpus.
const mostlyUTF8 = 2

// Detect guesses the encoding of body when nothing trustworthy is declared.
// Valid UTF-8 is UTF-8; CJK multi-byte encodings are recognised by ICU's
// statistics; otherwise the best-scoring single-byte encoding wins, with
// windows-1252 as the default.
func Detect(body []byte) (encoding.Encoding, string) {
	st := utf8Stats(body)
	if st.invalid == 0 {
		return encoding.Nop, UTF8
	}
	if st.multi >= mostlyUTF8*st.invalid {
		return encoding.Nop, UTF8
	}
	sample := body
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
	}
	if enc, name, ok := detectMultiByte(sample); ok {
		return enc, name
	}
	best, bestName, bestScore := encoding.Encoding(charmap.Windows1252), Windows1252, -1e9
	for _, c := range singleByte {
		s := singleByteScore(sample, c.enc, c.name)
		if s > bestScore+1e-9 {
			best, bestName, bestScore = c.enc, c.name, s
		}
	}
	return best, bestName
}

var icuNames = map[string]struct {
	enc  encoding.Encoding
	name string
}{
	"Shift_JIS":   {japanese.ShiftJIS, "shift_jis"},
	"EUC-JP":      {japanese.EUCJP, "euc-jp"},
	"ISO-2022-JP": {japanese.ISO2022JP, "iso-2022-jp"},
	"EUC-KR":      {korean.EUCKR, "euc-kr"},
	"GB-18030":    {simplifiedchinese.GB18030, "gb18030"},
	"Big5":        {traditionalchinese.Big5, "big5"},
	"UTF-16LE":    {xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM), UTF16LE},
	"UTF-16BE":    {xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM), UTF16BE},
}

func detectMultiByte(b []byte) (encoding.Encoding, string, bool) {
	res, err := chardet.NewTextDetector().DetectBest(b)
	if err != nil || res == nil || res.Confidence < 50 {
		return nil, "", false
	}
	m, ok := icuNames[res.Charset]
	if !ok {
		return nil, "", false
	}
	// Reject a guess whose decoding is broken: better a single-byte reading.
	if bad := replacementsAdded(b, m.enc); bad*20 > countNonASCII(b)/2+1 {
		return nil, "", false
	}
	return m.enc, m.name, true
}

type sbCandidate struct {
	enc  encoding.Encoding
	name string
	freq string // the commonest non-ASCII letters of the languages written with it
}

// singleByte lists the single-byte encodings considered by Detect, in order of
// preference on a tie.
var singleByte = []sbCandidate{
	{charmap.Windows1252, Windows1252, "éèàüöäçáóíñãêú"},
	{charmap.Windows1258, Windows1258, "\u0300\u0301\u0303\u0309\u0323ươđăâêô"},
	{charmap.ISO8859_2, "iso-8859-2", "áéíóöüúőűčřšžěłąęśż"},
	{charmap.Windows1250, "windows-1250", "áéíóöüúőűčřšžěłąęśż"},
	{charmap.Windows1251, "windows-1251", "оеаинтсрвл"},
	{charmap.KOI8R, "koi8-r", "оеаинтсрвл"},
	{charmap.ISO8859_7, "iso-8859-7", "αοιετσνηκρά"},
	{charmap.Windows1255, "windows-1255", "יוהלרמתאבנ"},
	{charmap.Windows1256, "windows-1256", "اليمونرهتب"},
	{charmap.Windows874, "windows-874", "านรอกเงมยล\u0e48\u0e49\u0e31\u0e34\u0e35"},
	// The Vietnamese letters Latin-1 does not have. Where VISCII keeps
	// Latin-1's letters (é, à, ô …) it reads like windows-1252 and scores
	// the same (visciiShared). Its own letters count only between two ASCII
	// letters, as inside a Vietnamese syllable ("Qu·ố·c"), and only at bytes
	// 0x80–0xBF, where windows-1252 has symbols: German read as VISCII turns
	// ü, ö, ä, ß into ủ, ỏ, ả, ư, and "Microsoft®" or "25°C" into
	// "Microsoftệ" and "25ồC", which must not outscore the German.
	{Viscii, VISCII, "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹươđăĩũ"},
}

// singleByteScore rates how plausible the decoding of body with enc is:
// frequent letters of the encoding's languages count +1, other letters 0,
// symbols between two ASCII letters, controls and unmapped bytes −1, a
// lower-to-upper case change inside a word −1; windows-1258 combining tone
// marks count only after a vowel, VISCII's letters only beside an ASCII
// letter. The result is per non-ASCII character, in [−2, 1].
func singleByteScore(body []byte, enc encoding.Encoding, name string) float64 {
	var freq string
	for _, c := range singleByte {
		if c.name == name {
			freq = c.freq
		}
	}
	cm, ok := enc.(interface{ DecodeByte(b byte) rune })
	if !ok {
		return -2
	}
	var score, n float64
	var prev rune
	for i, c := range body {
		if c < 0x80 {
			prev = rune(c)
			continue
		}
		r := cm.DecodeByte(c)
		n++
		switch {
		case r == utf8.RuneError || (r >= 0x80 && r <= 0x9F):
			score--
		case unicode.Is(unicode.Mn, r):
			if name != Windows1258 && unicode.IsLetter(prev) {
				if strings.ContainsRune(freq, r) {
					score++
				}
			} else if isVowel(prev) && strings.ContainsRune(freq, r) {
				score++
			} else {
				score--
			}
		case unicode.IsLetter(r):
			if l := unicode.ToLower(r); name == VISCII && strings.ContainsRune(visciiShared, l) ||
				strings.ContainsRune(freq, l) && (name != VISCII || visciiTelling(c) && asciiLetterAt(body, i-1) && asciiLetterAt(body, i+1)) {
				score++
			}
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				score--
			}
		case unicode.IsSymbol(r) && r != '´' && asciiLetterAt(body, i-1) && asciiLetterAt(body, i+1):
			// A symbol inside a word ("Qu¯c", "h®"): the letter of another
			// encoding (VISCII text read as Latin-1). '´' stands for an
			// apostrophe in careless text ("don´t").
			score--
		case r == 0xA0 || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r) || unicode.IsDigit(r):
			// Neutral: quotes, dashes, currency signs, NBSP.
		default:
			score--
		}
		prev = r
	}
	if n == 0 {
		return 0
	}
	return score / n
}

// asciiLetterAt reports whether body[i] is an ASCII letter (false outside body).
func asciiLetterAt(body []byte, i int) bool {
	if i < 0 || i >= len(body) {
		return false
	}
	c := body[i] | 0x20
	return 'a' <= c && c <= 'z'
}

// visciiShared are the letters that VISCII and windows-1252 both have, at
// the same byte, and that windows-1252's score counts: VISCII counts them
// too, so that the two compare on the bytes they read differently.
const visciiShared = "éèàáóíãêú"

// visciiTelling reports whether byte c tells VISCII from the Western
// single-byte encodings: 0x80–0xBF, where VISCII has its commonest letters
// (ố, ệ, ế, ấ, ộ, ờ, ơ …) and windows-1252 and ISO-8859-1 symbols.
func visciiTelling(c byte) bool { return c >= 0x80 && c < 0xC0 }

func isVowel(r rune) bool {
	base := []rune(norm.NFD.String(string(unicode.ToLower(r))))
	if len(base) == 0 {
		return false
	}
	switch base[0] {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'ư', 'ơ', 'ă':
		return true
	}
	return r == 'ư' || r == 'ơ' || r == 'ă' || r == 'â' || r == 'ê' || r == 'ô' || r == 'Ư' || r == 'Ơ' || r == 'Ă' || r == 'Â' || r == 'Ê' || r == 'Ô'
}

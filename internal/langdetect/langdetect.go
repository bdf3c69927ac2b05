// Package langdetect guesses the language of an article's text. Scripts that
// identify a language by themselves are decided by counting characters
// (Hangul → ko, Kana → ja, Han → zh, Devanagari → hi, Bengali → bn, Thai →
// th, …); Latin and Cyrillic text is decided by the function words of the
// configured languages when they clearly point to one (see wordVote), else
// by whatlanggo's trigram profiles restricted to the configured languages,
// over a prefix of the text. whatlanggo's profiles are ~300 trigrams per
// language compiled into the binary (~180 KB for all 84 languages); lingua-go,
// used before, embedded ~128 MB of models for 75 languages whichever were
// configured, and ~9 MiB of heap for the default languages. A
// declared language (the page's lang attribute or the source's language) is
// trusted when it is plausible for the script found, which is the common case
// and costs no model lookup at all.
package langdetect

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/RadhiFadlillah/whatlanggo"
)

// PrefixBytes is how much of the text is examined.
const PrefixBytes = 300

// Detector detects languages. It is safe for concurrent use.
type Detector struct {
	langs    map[string]bool
	latin    func(text string) (string, bool) // nil when fewer than two Latin/Cyrillic languages are configured
	only     string                           // the single Latin-script language when latin is nil
	cyrillic string
	words    map[string]string // function word → language, see wordVote
}

// scriptOf names the script that decides each of these languages alone.
var scriptOf = map[string]string{
	"ko": "hangul", "ja": "kana", "zh": "han", "hi": "devanagari", "bn": "bengali",
	"th": "thai", "ar": "arabic", "he": "hebrew", "km": "khmer", "lo": "lao",
}

// New returns a Detector for the ISO 639-1 codes in langs. Unknown codes are
// ignored; an empty list means a default set of the languages the Đồng Nai
// press watch sees (vi en fr de es ru ja ko zh hi bn nl it pt id).
func New(langs []string) *Detector {
	if len(langs) == 0 {
		langs = []string{"vi", "en", "fr", "de", "es", "ru", "ja", "ko", "zh", "hi", "bn", "nl", "it", "pt", "id"}
	}
	d := &Detector{langs: map[string]bool{}}
	white := map[whatlanggo.Lang]bool{}
	var codes []string
	for _, l := range langs {
		l = strings.ToLower(strings.TrimSpace(l))
		d.langs[l] = true
		if _, ok := scriptOf[l]; ok {
			continue
		}
		w, ok := whatlangOf(l)
		if !ok {
			continue
		}
		if isCyrillicLang(l) && d.cyrillic == "" {
			d.cyrillic = l
		}
		if !white[w] {
			white[w] = true
			codes = append(codes, l)
		}
	}
	switch len(codes) {
	case 0:
	case 1:
		d.only = codes[0]
	default:
		d.words = wordIndex(codes)
		opts := whatlanggo.Options{Whitelist: white}
		d.latin = func(text string) (string, bool) {
			info := whatlanggo.DetectWithOptions(text, opts)
			if info.Lang < 0 || !white[info.Lang] {
				return "", false
			}
			return info.Lang.Iso6391(), true
		}
	}
	return d
}

type counts struct {
	latin, viMarks, cyrillic, han, kana, hangul, deva, beng, thai, arabic, hebrew, khmer, lao, total int
}

func count(s string) counts {
	var c counts
	for _, r := range s {
		if r < utf8.RuneSelf {
			if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
				c.latin++
				c.total++
			}
			continue
		}
		switch {
		case unicode.Is(unicode.Latin, r):
			c.latin++
			if isVietnamese(r) {
				c.viMarks++
			}
		case unicode.Is(unicode.Hangul, r):
			c.hangul++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			c.kana++
		case unicode.Is(unicode.Han, r):
			c.han++
		case unicode.Is(unicode.Cyrillic, r):
			c.cyrillic++
		case unicode.Is(unicode.Devanagari, r):
			c.deva++
		case unicode.Is(unicode.Bengali, r):
			c.beng++
		case unicode.Is(unicode.Thai, r):
			c.thai++
		case unicode.Is(unicode.Arabic, r):
			c.arabic++
		case unicode.Is(unicode.Hebrew, r):
			c.hebrew++
		case unicode.Is(unicode.Khmer, r):
			c.khmer++
		case unicode.Is(unicode.Lao, r):
			c.lao++
		default:
			continue
		}
		c.total++
	}
	return c
}

// isVietnamese reports letters found in Vietnamese and (almost) nowhere else.
func isVietnamese(r rune) bool {
	switch r {
	case 'đ', 'Đ', 'ơ', 'Ơ', 'ư', 'Ư', 'ă', 'Ă':
		return true
	}
	return r >= 0x1EA0 && r <= 0x1EF9
}

// prefix returns at most n bytes of s, cut at a rune boundary.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Detect returns the ISO 639-1 code of text's language, or "" when it cannot
// tell. hint is the declared language, trusted when plausible for the script.
func (d *Detector) Detect(text, hint string) string {
	hint = normHint(hint)
	p := prefix(text, PrefixBytes)
	c := count(p)
	if c.total == 0 {
		return hint
	}
	// Script-decided languages.
	switch {
	case c.hangul*4 >= c.total:
		return "ko"
	case c.kana*10 >= c.total && c.kana > 0:
		return "ja"
	case c.han*4 >= c.total:
		if hint == "ja" || hint == "zh" {
			return hint
		}
		return "zh"
	case c.deva*2 >= c.total:
		if hint == "mr" || hint == "ne" {
			return hint
		}
		return "hi"
	case c.beng*2 >= c.total:
		return "bn"
	case c.thai*2 >= c.total:
		return "th"
	case c.arabic*2 >= c.total:
		return "ar"
	case c.hebrew*2 >= c.total:
		return "he"
	case c.khmer*2 >= c.total:
		return "km"
	case c.lao*2 >= c.total:
		return "lo"
	}
	if c.cyrillic*2 >= c.total {
		if hint != "" && isCyrillicLang(hint) {
			return hint
		}
		if d.latin == nil {
			return d.cyrillic
		}
	}
	// Latin script: Vietnamese is recognisable by its letters.
	vi := c.latin > 0 && c.viMarks*20 >= c.latin
	if hint != "" && c.latin*2 >= c.total {
		if hint == "vi" {
			if vi || c.latin < 40 {
				return "vi"
			}
		} else if !vi && !isCyrillicLang(hint) && scriptOf[hint] == "" {
			return hint
		}
	}
	if vi && d.langs["vi"] {
		return "vi"
	}
	if d.latin == nil {
		return d.only
	}
	if l := wordVote(d.words, p); l != "" {
		return l
	}
	if l, ok := d.latin(p); ok {
		return l
	}
	return hint
}

// whatlangCodes maps ISO 639-1 codes to whatlanggo's languages (each code
// names one of them).
var whatlangCodes = sync.OnceValue(func() map[string]whatlanggo.Lang {
	m := make(map[string]whatlanggo.Lang, len(whatlanggo.Langs))
	for l := range whatlanggo.Langs {
		if c := l.Iso6391(); c != "" {
			m[c] = l
		}
	}
	return m
})

// whatlangOf maps an ISO 639-1 code to whatlanggo's language, for the
// languages whatlanggo tells apart by trigrams (Latin and Cyrillic script).
func whatlangOf(code string) (whatlanggo.Lang, bool) {
	l, ok := whatlangCodes()[code]
	return l, ok
}

func isCyrillicLang(l string) bool {
	switch l {
	case "ru", "uk", "bg", "sr", "mk", "be", "kk", "mn":
		return true
	}
	return false
}

func normHint(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if i := strings.IndexAny(h, "-_"); i >= 0 {
		h = h[:i]
	}
	if len(h) != 2 {
		return ""
	}
	return h
}

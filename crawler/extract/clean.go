package extract

import (
	"regexp"
	"strings"
)

// boilerplateCue matches the start of a short paragraph that is a page's own
// furniture rather than article text ("Read more: …", "Advertisement",
// "Xem thêm", "関連記事", …).
var boilerplateCue = regexp.MustCompile(`(?i)^\W*(read more|see more|see also|don'?t miss|related (stories|articles|content|news|coverage)|advertisement|advertising|continue reading( below)?|you may also like|also read|recommended for you|more from|sign up for|subscribe to|share this|click here|most popular|trending now|xem thêm|đọc thêm|tin liên quan|bài liên quan|quảng cáo|lire aussi|à lire aussi|lesen sie auch|mehr zum thema|lee también|te puede interesar|관련기사|관련 기사|関連記事|相关阅读|延伸阅读|相關閱讀|延伸閱讀)`)

// cleanText removes leading paragraphs that repeat the headline (the title is
// a field of its own) and short paragraphs (at most maxCueWords words) that
// begin with a boilerplate cue.
func cleanText(text string, maxCueWords int, titles ...string) string {
	keys := make([]string, 0, len(titles))
	for _, t := range titles {
		if k := wordKey(t); k != "" {
			keys = append(keys, k)
		}
	}
	paras := strings.Split(text, "\n")
	out := paras[:0]
	leading := true
	for _, p := range paras {
		if strings.TrimSpace(p) == "" {
			if len(out) > 0 {
				out = append(out, p)
			}
			continue
		}
		if leading && isTitle(wordKey(p), keys) {
			continue
		}
		leading = false
		if boilerplateCue.MatchString(p) && len(words(p)) <= maxCueWords {
			continue
		}
		out = append(out, p)
	}
	return normalizeText(strings.Join(out, "\n"))
}

// isTitle reports whether the paragraph key k is one of the titles, or the
// start of one ("Headline | Site name"), ignoring case and punctuation.
func isTitle(k string, titles []string) bool {
	if k == "" {
		return false
	}
	for _, t := range titles {
		if k == t || (len(k) > 15 && strings.HasPrefix(t, k+" ")) {
			return true
		}
	}
	return false
}

// wordKey is s lower-cased with only its word tokens, space-separated.
func wordKey(s string) string {
	return strings.Join(Tokens(strings.ToLower(s)), " ")
}

package digest

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Extractive text helpers: sentence splitting, story summaries and quotes.
// They work on any script: sentences end at . ! ? and their CJK forms, and
// words are runs of letters and digits (each Han/Kana character is a word).

// splitSentences splits text into trimmed sentences.
func splitSentences(text string) []string {
	var (
		out   []string
		start int
	)
	flush := func(end int) {
		s := strings.Join(strings.Fields(text[start:end]), " ")
		if s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		end := i + n
		switch r {
		case '\n':
			// A blank line (paragraph) always ends a sentence.
			if strings.HasPrefix(text[end:], "\n") || strings.HasPrefix(text[end:], "\r\n") {
				flush(end)
			}
		case '。', '！', '？':
			end = skipClosers(text, end)
			flush(end)
		case '.', '!', '?':
			j := skipClosers(text, end)
			next, _ := utf8.DecodeRuneInString(text[j:])
			if j == len(text) || unicode.IsSpace(next) {
				if r != '.' || !abbreviation(text[start:i]) {
					flush(j)
				}
			}
			end = j
		}
		i = end
	}
	flush(len(text))
	return out
}

// skipClosers moves past closing quotes and brackets after a full stop.
func skipClosers(s string, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !strings.ContainsRune(`"')]”’»」』）`, r) {
			break
		}
		i += n
	}
	return i
}

// abbreviation reports whether the text before a full stop ends in a common
// abbreviation or an initial ("Mr", "TP", "U.S"), which does not end a sentence.
func abbreviation(before string) bool {
	f := strings.Fields(before)
	if len(f) == 0 {
		return false
	}
	w := strings.TrimLeft(f[len(f)-1], `"'(“‘«`)
	if utf8.RuneCountInString(w) == 1 {
		return true
	}
	switch strings.ToLower(w) {
	case "mr", "mrs", "ms", "dr", "prof", "st", "no", "tp", "u.s", "u.k", "e.g", "i.e", "vs", "inc", "co", "ltd", "jr", "sr", "gen", "col":
		return true
	}
	return false
}

// words returns the lower-cased words of s: runs of letters and digits, and
// every Han, Hiragana, Katakana or Hangul character alone.
func words(s string) []string {
	var (
		out []string
		cur strings.Builder
	)
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			cur.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// clip shortens s to at most max runes at a word boundary, adding "…".
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \u3000"); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// summarize picks up to n sentences of text that best represent a story: they
// share words with the other articles of the story (context), name the
// province (terms), and come early. They are returned in their original order.
func summarize(title, text string, context map[string]int, terms []string, n int) []string {
	sents := splitSentences(text)
	if len(sents) == 0 {
		return nil
	}
	titleWords := map[string]bool{}
	for _, w := range words(title) {
		titleWords[w] = true
	}
	type scored struct {
		i        int
		score    float64
		relevant bool // names the province or shares two words with the title
	}
	var cands []scored
	for i, s := range sents {
		if len(sents) > 1 && utf8.RuneCountInString(s) < 25 || utf8.RuneCountInString(s) > 600 {
			continue
		}
		ws := words(s)
		if len(ws) == 0 {
			continue
		}
		var sc float64
		inTitle := 0
		seen := map[string]bool{}
		for _, w := range ws {
			if seen[w] {
				continue
			}
			seen[w] = true
			if context[w] > 1 {
				sc += 1
			}
			if titleWords[w] {
				sc += 0.5
				inTitle++
			}
		}
		sc /= float64(len(ws)) + 8 // favour dense sentences, not long ones
		mention := mentionsAny(s, terms)
		if mention {
			sc += 0.5
		}
		sc += 0.4 / float64(i+1) // the lead is usually the summary
		cands = append(cands, scored{i, sc, mention || inTitle >= 2})
	}
	// Relevant sentences first, by score; others only to reach two sentences.
	sort.SliceStable(cands, func(a, b int) bool {
		if cands[a].relevant != cands[b].relevant {
			return cands[a].relevant
		}
		return cands[a].score > cands[b].score
	})
	keep := 0
	for keep < len(cands) && keep < n && (cands[keep].relevant || keep < 2) {
		keep++
	}
	cands = cands[:keep]
	sort.Slice(cands, func(a, b int) bool { return cands[a].i < cands[b].i })
	out := make([]string, 0, len(cands))
	total := 0
	for _, c := range cands {
		s := clip(sents[c.i], 320)
		total += utf8.RuneCountInString(s)
		if total > 750 && len(out) >= 2 {
			break
		}
		out = append(out, s)
	}
	return out
}

// mentionsAny reports whether s contains one of terms, ignoring case.
func mentionsAny(s string, terms []string) bool {
	ls := strings.ToLower(s)
	for _, t := range terms {
		if t != "" && strings.Contains(ls, strings.ToLower(t)) {
			return true
		}
	}
	return false
}

// quotePairs are the quotation marks a quote may be set in.
var quotePairs = [][2]string{{"“", "”"}, {"\"", "\""}, {"«", "»"}, {"「", "」"}, {"『", "』"}, {"„", "“"}, {"‘", "’"}}

// quoted returns the longest quotation in s of at least 4 words, if any.
func quoted(s string) string {
	best := ""
	for _, p := range quotePairs {
		rest := s
		for {
			i := strings.Index(rest, p[0])
			if i < 0 {
				break
			}
			rest = rest[i+len(p[0]):]
			j := strings.Index(rest, p[1])
			if j < 0 {
				break
			}
			q := strings.TrimSpace(rest[:j])
			rest = rest[j+len(p[1]):]
			if len(words(q)) >= 4 && len(q) > len(best) {
				best = q
			}
		}
	}
	return best
}

// findQuote returns the first sentence of text that holds a quotation and
// names the province in it or in the sentence before or after.
func findQuote(text string, terms []string) string {
	sents := splitSentences(text)
	for i, s := range sents {
		if quoted(s) == "" {
			continue
		}
		near := mentionsAny(s, terms) ||
			i > 0 && mentionsAny(sents[i-1], terms) ||
			i+1 < len(sents) && mentionsAny(sents[i+1], terms)
		if near {
			return clip(s, 400)
		}
	}
	return ""
}

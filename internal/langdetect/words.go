package langdetect

import (
	"strings"
	"unicode"
)

// functionWords are the most frequent short words of each Latin/Cyrillic
// language the detector tells apart: articles, prepositions, conjunctions
// and copulas, from general grammars of each language (not trained on any
// corpus). Words shared by two of the languages ("de", "en", "la", "a", "e",
// "in", "i", "o") are left out so that every hit points to one language. On
// text of a few words — headlines, teasers — they decide better than
// trigram profiles, which need more text; see wordVote.
var functionWords = map[string][]string{
	"en": {"the", "of", "and", "to", "is", "for", "on", "with", "at", "by", "from", "was", "are", "this", "that", "has", "have", "its", "will", "were", "after", "over", "into"},
	"fr": {"le", "les", "des", "du", "et", "est", "une", "pour", "dans", "sur", "au", "aux", "qui", "que", "avec", "par", "ce", "sont", "été", "plus"},
	"de": {"der", "die", "das", "und", "ist", "den", "dem", "des", "mit", "von", "zu", "auf", "für", "nicht", "sich", "ein", "eine", "im", "nach", "wird", "auch", "bei"},
	"es": {"el", "los", "las", "del", "y", "que", "por", "con", "para", "una", "es", "su", "al", "se", "lo", "como", "más"},
	"pt": {"os", "as", "do", "da", "dos", "das", "em", "um", "uma", "para", "com", "não", "no", "na", "ao", "pelo", "pela", "são", "foi"},
	"it": {"il", "della", "di", "che", "è", "per", "una", "nel", "nella", "dei", "delle", "gli", "con", "alla", "sono", "del"},
	"nl": {"het", "een", "van", "en", "op", "voor", "met", "zijn", "dat", "niet", "aan", "ook", "bij", "wordt", "naar"},
	"id": {"yang", "dan", "di", "ini", "itu", "dengan", "untuk", "dari", "dalam", "tidak", "akan", "pada", "adalah", "ke"},
	"vi": {"của", "và", "các", "những", "được", "cho", "với", "trong", "không", "là", "có", "này", "người", "một"},
	"ru": {"и", "в", "не", "на", "что", "с", "по", "как", "для", "из", "это", "от", "к", "о"},
}

// wordIndex maps each function word to the configured languages it belongs
// to; a word listed for two configured languages is dropped.
func wordIndex(langs []string) map[string]string {
	idx := map[string]string{}
	seen := map[string]int{}
	for _, l := range langs {
		for _, w := range functionWords[l] {
			seen[w]++
			idx[w] = l
		}
	}
	for w, n := range seen {
		if n > 1 {
			delete(idx, w)
		}
	}
	return idx
}

// wordVote returns the language whose function words occur most often in s,
// when it leads the runner-up by at least two occurrences; "" otherwise.
func wordVote(idx map[string]string, s string) string {
	hits := map[string]int{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		if l, ok := idx[strings.ToLower(w)]; ok {
			hits[l]++
		}
	}
	best, bestN, second := "", 0, 0
	for l, n := range hits {
		switch {
		case n > bestN || (n == bestN && l < best):
			best, bestN, second = l, n, max(bestN, second)
		case n > second:
			second = n
		}
	}
	if bestN-second >= 2 {
		return best
	}
	return ""
}

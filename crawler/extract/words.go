package extract

import "unicode"

// words splits s into the units the selection and cleaning steps measure
// text in: like Tokens, maximal runs of word characters, except that every
// character of a script written without spaces between words (Han,
// Hiragana, Katakana) is a unit of its own. Tokens keeps the benchmark's
// `\w+` (a Chinese or Japanese sentence is one token there, up to the next
// punctuation mark), which would make a 200-character Chinese article
// measure like ten words: too short to be an article, and its shingles too
// coarse to compare. One character per unit is what CJK-aware tokenizers do
// (Lucene's CJK analyzers for Han, kana and Hangul, BERT's basic tokenizer
// for Han). Korean does put spaces between its words, but a Korean word
// (eojeol: a stem with its particles or endings) holds what takes two or
// three English words, so counted by spaces a short Korean article also
// measured as a fragment; its syllables are units too.
func words(s string) []string { return tokenize(s, true) }

// isSyllabicCJK reports whether r is a character measured on its own:
// Chinese characters (with 々 and 〆), kana with the prolonged sound mark ー,
// and Hangul syllables.
func isSyllabicCJK(r rune) bool {
	if r < 0x2e80 {
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == 'ー' || r == '〆'
}

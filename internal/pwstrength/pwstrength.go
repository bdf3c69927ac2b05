// Package pwstrength estimates how many guesses an attacker needs to find a
// password, the way zxcvbn does (Wheeler, "zxcvbn: Low-Budget Password
// Strength Estimation", USENIX Security 2016): the password is covered by
// the cheapest sequence of patterns — common passwords and words (also
// capitalised, reversed or in l33t), keyboard walks, repeats, sequences,
// years and dates, the user's own words — and whatever no pattern covers is
// counted as brute force.
//
// It replaces github.com/trustelem/zxcvbn in the binary: that package held
// its word lists as Go string literals, 2.5 MB of the release binary, where
// this one embeds the same lists brotli-compressed (0.35 MB) and reads them
// on the first estimate. The lists and the algorithm's constants are
// zxcvbn's, so scores agree with it (TestAgreesWithZxcvbn checks that a
// password zxcvbn rejects is rejected here too).
package pwstrength

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Score thresholds, in guesses (zxcvbn's): below 10^3 a password is "too
// guessable" (0), below 10^6 "very guessable" (1), below 10^8 "somewhat
// guessable" (2), below 10^10 "safely unguessable" against an offline
// slow hash (3), and above "very unguessable" (4).
const scoreDelta = 5

// Score turns a guess count into zxcvbn's score from 0 to 4.
func Score(guesses float64) int {
	switch {
	case guesses < 1e3+scoreDelta:
		return 0
	case guesses < 1e6+scoreDelta:
		return 1
	case guesses < 1e8+scoreDelta:
		return 2
	case guesses < 1e10+scoreDelta:
		return 3
	default:
		return 4
	}
}

// Guesses estimates the number of guesses needed to find pw, given words an
// attacker would try first (the user's name, email, the product's name).
// Years count as recent relative to the current year.
func Guesses(pw string, userInputs []string) float64 {
	return newEstimator(userInputs, time.Now().Year()).guesses([]rune(pw))
}

// Constants of zxcvbn's scoring.
const (
	bruteforceCardinality = 10    // guesses per character no pattern covers
	minGuessesSingleChar  = 10    // floor for a one-character pattern inside a longer password
	minGuessesMultiChar   = 50    // floor for a longer pattern inside a longer password
	minSequenceGrowth     = 10000 // each extra pattern in a sequence multiplies by at least this
	minYearSpace          = 20    // years around the reference year count alike
)

// estimator holds what one estimate needs: the ranked words (the shared
// lists and this call's user inputs) and the reference year.
type estimator struct {
	ranks     map[string]int32 // shared, read-only
	userRanks map[string]int32
	maxWord   int // longest word in runes, to bound dictionary matching
	year      int
}

func newEstimator(userInputs []string, year int) *estimator {
	l := lists()
	e := &estimator{ranks: l.ranks, maxWord: l.maxWord, year: year, userRanks: make(map[string]int32, len(userInputs))}
	for i, in := range userInputs {
		w := lowerRunes([]rune(in))
		if len(w) == 0 {
			continue
		}
		s := string(w)
		if _, ok := e.userRanks[s]; !ok {
			e.userRanks[s] = int32(i + 1)
		}
		e.maxWord = max(e.maxWord, len(w))
	}
	return e
}

// rank returns the best (lowest) rank of a lower-case word in any list, or 0.
func (e *estimator) rank(w string) int32 {
	r, ok := e.ranks[w]
	if u, uok := e.userRanks[w]; uok && (!ok || u < r) {
		return u
	}
	if !ok {
		return 0
	}
	return r
}

// match is one pattern found in the password, covering runes i..j
// (inclusive), with the guesses the pattern alone needs.
type match struct {
	i, j    int
	guesses float64
	brute   bool
}

// guesses finds every pattern in pw and returns the guesses of the cheapest
// sequence covering it.
func (e *estimator) guesses(pw []rune) float64 {
	return e.mostGuessable(pw, e.omnimatch(pw))
}

func (e *estimator) omnimatch(pw []rune) []match {
	var ms []match
	ms = e.dictionaryMatches(ms, pw)
	ms = e.reverseDictionaryMatches(ms, pw)
	ms = e.l33tMatches(ms, pw)
	ms = spatialMatches(ms, pw)
	ms = e.repeatMatches(ms, pw)
	ms = sequenceMatches(ms, pw)
	ms = e.yearMatches(ms, pw)
	ms = e.dateMatches(ms, pw)
	return ms
}

// mostGuessable is zxcvbn's dynamic programme: for every prefix of the
// password and every number l of patterns, keep the sequence minimising
// l! · Π guesses + 10000^(l-1), where runes no pattern covers are brute
// force; the answer is the best over l for the whole password.
func (e *estimator) mostGuessable(pw []rune, ms []match) float64 {
	n := len(pw)
	if n == 0 {
		return 1
	}
	byEnd := make([][]match, n)
	for _, m := range ms {
		byEnd[m.j] = append(byEnd[m.j], m)
	}
	for _, b := range byEnd {
		slices.SortFunc(b, func(x, y match) int { return x.i - y.i })
	}
	type step struct {
		m  match
		pi float64 // product of the sequence's guesses
		g  float64 // the sequence's total
	}
	best := make([]map[int]step, n) // best[k][l]: best sequence of l patterns covering runes 0..k
	for k := range best {
		best[k] = map[int]step{}
	}
	estimate := func(m match) float64 {
		floor := 1.0
		if m.j-m.i+1 < n {
			if m.j == m.i {
				floor = minGuessesSingleChar
			} else {
				floor = minGuessesMultiChar
			}
		}
		return max(m.guesses, floor)
	}
	update := func(m match, l int) {
		k := m.j
		pi := estimate(m)
		if l > 1 {
			pi *= best[m.i-1][l-1].pi
		}
		g := factorial(l)*pi + math.Pow(minSequenceGrowth, float64(l-1))
		// A sequence with fewer patterns that is no worse wins.
		for cl, c := range best[k] {
			if cl <= l && c.g <= g {
				return
			}
		}
		best[k][l] = step{m: m, pi: pi, g: g}
	}
	bruteUpdate := func(k int) {
		update(bruteforceMatch(0, k), 1)
		for i := 1; i <= k; i++ {
			m := bruteforceMatch(i, k)
			for l, last := range best[i-1] {
				// Two brute-force runs next to each other are one run, tried elsewhere.
				if last.m.brute {
					continue
				}
				update(m, l+1)
			}
		}
	}
	for k := range n {
		for _, m := range byEnd[k] {
			if m.i > 0 {
				for l := range best[m.i-1] {
					update(m, l+1)
				}
			} else {
				update(m, 1)
			}
		}
		bruteUpdate(k)
	}
	g := math.Inf(1)
	for _, s := range best[n-1] {
		g = min(g, s.g)
	}
	return g
}

func bruteforceMatch(i, j int) match {
	g := math.Pow(bruteforceCardinality, float64(j-i+1))
	if math.IsInf(g, 1) {
		g = math.MaxFloat64
	}
	// A brute-force run must cost more than a pattern of the same length,
	// or the programme would prefer it to real patterns.
	if i == j {
		g = max(g, minGuessesSingleChar+1)
	} else {
		g = max(g, minGuessesMultiChar+1)
	}
	return match{i: i, j: j, guesses: g, brute: true}
}

func factorial(n int) float64 {
	f := 1.0
	for i := 2; i <= n; i++ {
		f *= float64(i)
	}
	return f
}

// nCk is the binomial coefficient, in floating point as zxcvbn computes it.
func nCk(n, k int) float64 {
	if k > n {
		return 0
	}
	r := 1.0
	nn := float64(n)
	for d := 1; d <= k; d++ {
		r *= nn
		r /= float64(d)
		nn--
	}
	return r
}

func lowerRunes(rs []rune) []rune {
	out := make([]rune, len(rs))
	for i, r := range rs {
		out[i] = unicode.ToLower(r)
	}
	return out
}

// dictionaryGuesses is a word's rank times the ways to capitalise it, the
// l33t substitutions it has, and two if it is reversed.
func dictionaryGuesses(rank int32, token []rune, subs map[rune]rune, reversed bool) float64 {
	g := float64(rank) * uppercaseVariations(token) * l33tVariations(token, subs)
	if reversed {
		g *= 2
	}
	return g
}

// uppercaseVariations counts the capitalisations an attacker tries before
// this one: none for all lower case, two for a capital first or last letter
// or all capitals, otherwise every choice of up to min(U, L) capitals.
func uppercaseVariations(token []rune) float64 {
	var upper, lower int
	for _, r := range token {
		if unicode.IsUpper(r) {
			upper++
		} else if unicode.IsLower(r) {
			lower++
		}
	}
	if upper == 0 {
		return 1
	}
	n := len(token)
	if lower == 0 || (n > 1 && unicode.IsUpper(token[0]) && upper == 1) || (n > 1 && unicode.IsUpper(token[n-1]) && upper == 1) {
		return 2
	}
	var v float64
	for i := 1; i <= min(upper, lower); i++ {
		v += nCk(upper+lower, i)
	}
	return v
}

// l33tVariations counts the ways to apply the substitutions in subs (l33t
// rune → letter) to the token's letters.
func l33tVariations(token []rune, subs map[rune]rune) float64 {
	if len(subs) == 0 {
		return 1
	}
	low := lowerRunes(token)
	v := 1.0
	for subbed, unsubbed := range subs {
		var s, u int
		for _, r := range low {
			switch r {
			case subbed:
				s++
			case unsubbed:
				u++
			}
		}
		if s == 0 || u == 0 {
			v *= 2
			continue
		}
		var p float64
		for i := 1; i <= min(u, s); i++ {
			p += nCk(u+s, i)
		}
		v *= p
	}
	return v
}

// dictionaryMatches finds every substring that is a listed word.
func (e *estimator) dictionaryMatches(ms []match, pw []rune) []match {
	low := newRuneString(lowerRunes(pw))
	for i := range low.n {
		for j := i; j < low.n && j-i < e.maxWord; j++ {
			if r := e.rank(low.sub(i, j)); r > 0 {
				ms = append(ms, match{i: i, j: j, guesses: dictionaryGuesses(r, pw[i:j+1], nil, false)})
			}
		}
	}
	return ms
}

// runeString is a string with the byte offset of every rune, so that
// substrings by rune position cost no allocation.
type runeString struct {
	s   string
	off []int // off[k] is the byte offset of rune k; off[n] = len(s)
	n   int
}

func newRuneString(rs []rune) runeString {
	var b strings.Builder
	off := make([]int, 0, len(rs)+1)
	for _, r := range rs {
		off = append(off, b.Len())
		b.WriteRune(r)
	}
	off = append(off, b.Len())
	return runeString{s: b.String(), off: off, n: len(rs)}
}

// sub returns runes i..j (inclusive).
func (r runeString) sub(i, j int) string { return r.s[r.off[i]:r.off[j+1]] }

// reverseDictionaryMatches finds listed words written backwards.
func (e *estimator) reverseDictionaryMatches(ms []match, pw []rune) []match {
	n := len(pw)
	rev := lowerRunes(pw)
	slices.Reverse(rev)
	low := newRuneString(rev)
	for i := range n {
		for j := i; j < n && j-i < e.maxWord; j++ {
			if r := e.rank(low.sub(i, j)); r > 0 {
				oi, oj := n-1-j, n-1-i
				ms = append(ms, match{i: oi, j: oj, guesses: dictionaryGuesses(r, pw[oi:oj+1], nil, true)})
			}
		}
	}
	return ms
}

// l33tTable lists the characters people put in place of letters.
var l33tTable = map[rune][]rune{
	'a': {'4', '@'},
	'b': {'8'},
	'c': {'(', '{', '[', '<'},
	'e': {'3'},
	'g': {'6', '9'},
	'i': {'1', '!', '|'},
	'l': {'1', '|', '7'},
	'o': {'0'},
	's': {'$', '5'},
	't': {'+', '7'},
	'x': {'%'},
	'z': {'2'},
}

// l33tSubs returns the ways to read the password's l33t characters as
// letters, each a map from l33t rune to letter. As in zxcvbn, each letter
// takes one of its look-alikes present in the password, and a look-alike
// stands for one letter per reading ("1" is an "i" in one, an "l" in
// another); so "l3f74d3@d" is read with "@" as the "a" and "4" left alone,
// which finds "left4dead". The reading that replaces every look-alike at
// once is added too: it finds words that use two look-alikes for one
// letter ("p@$5word").
func l33tSubs(pw []rune) []map[rune]rune {
	letters := make([]rune, 0, len(l33tTable))
	for letter := range l33tTable {
		letters = append(letters, letter)
	}
	slices.Sort(letters)
	present := map[rune][]rune{} // letter → its look-alikes in pw
	all := map[rune][]rune{}     // look-alike in pw → letters
	for _, letter := range letters {
		for _, c := range l33tTable[letter] {
			if slices.Contains(pw, c) {
				present[letter] = append(present[letter], c)
				all[c] = append(all[c], letter)
			}
		}
	}
	if len(present) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []map[rune]rune
	add := func(sub map[rune]rune) {
		keys := make([]rune, 0, len(sub))
		for c := range sub {
			keys = append(keys, c)
		}
		slices.Sort(keys)
		var b strings.Builder
		for _, c := range keys {
			b.WriteRune(c)
			b.WriteRune(sub[c])
		}
		if k := b.String(); !seen[k] {
			seen[k] = true
			out = append(out, sub)
		}
	}
	with := func(sub map[rune]rune, c, letter rune) map[rune]rune {
		t := make(map[rune]rune, len(sub)+1)
		for k, v := range sub {
			t[k] = v
		}
		t[c] = letter
		return t
	}
	subs := []map[rune]rune{{}}
	for _, letter := range letters {
		if len(present[letter]) == 0 {
			continue
		}
		var next []map[rune]rune
		for _, c := range present[letter] {
			for _, sub := range subs {
				if _, taken := sub[c]; taken {
					// c already stands for another letter: keep that
					// reading and add the one where it stands for this.
					next = append(next, sub, with(sub, c, letter))
				} else {
					next = append(next, with(sub, c, letter))
				}
			}
		}
		seen = map[string]bool{}
		out = nil
		for _, sub := range next {
			add(sub)
		}
		subs = out
	}
	// Every look-alike replaced at once, each way the ambiguous ones read.
	every := []map[rune]rune{{}}
	chars := make([]rune, 0, len(all))
	for c := range all {
		chars = append(chars, c)
	}
	slices.Sort(chars)
	for _, c := range chars {
		var next []map[rune]rune
		for _, sub := range every {
			for _, letter := range all[c] {
				next = append(next, with(sub, c, letter))
			}
		}
		every = next
	}
	for _, sub := range every {
		add(sub)
	}
	return out
}

// l33tMatches finds listed words with letters replaced by look-alikes.
func (e *estimator) l33tMatches(ms []match, pw []rune) []match {
	low := lowerRunes(pw)
	sw := make([]rune, len(low))
	for _, sub := range l33tSubs(pw) {
		for k, r := range low {
			if l, ok := sub[r]; ok {
				sw[k] = l
			} else {
				sw[k] = r
			}
		}
		ts := newRuneString(sw)
		for i := range sw {
			subbed := 0 // substituted runes in i..j
			if sw[i] != low[i] {
				subbed++
			}
			for j := i + 1; j < len(sw) && j-i < e.maxWord; j++ { // single characters are too noisy
				if sw[j] != low[j] {
					subbed++
				}
				if subbed == 0 {
					continue // a plain word, found without substitution
				}
				r := e.rank(ts.sub(i, j))
				if r == 0 {
					continue
				}
				used := map[rune]rune{}
				for _, c := range low[i : j+1] {
					if l, ok := sub[c]; ok {
						used[c] = l
					}
				}
				ms = append(ms, match{i: i, j: j, guesses: dictionaryGuesses(r, pw[i:j+1], used, false)})
			}
		}
	}
	return ms
}

// repeatMatches finds runs of a repeated unit ("aaaa", "abcabc"); each
// costs the unit's own guesses times the number of copies.
func (e *estimator) repeatMatches(ms []match, pw []rune) []match {
	n := len(pw)
	repeats := func(s, l int) int { // copies of pw[s:s+l] starting at s
		c := 1
		for s+(c+1)*l <= n && slices.Equal(pw[s:s+l], pw[s+c*l:s+(c+1)*l]) {
			c++
		}
		return c
	}
	for last := 0; last < n; {
		start, greedyL, lazyL := -1, 0, 0
		for s := last; s < n && start < 0; s++ {
			for l := 1; s+2*l <= n; l++ {
				if repeats(s, l) >= 2 {
					if start < 0 {
						start, lazyL = s, l
					}
					greedyL = l // the longest unit with a repeat, as a greedy (.+)\1+ finds
				}
			}
		}
		if start < 0 {
			break
		}
		greedyLen := greedyL * repeats(start, greedyL)
		lazyLen := lazyL * repeats(start, lazyL)
		length, unit := lazyLen, lazyL
		if greedyLen > lazyLen {
			// The greedy run is longer ("aabaab"): its unit is the shortest
			// one that tiles the whole run.
			length = greedyLen
			for u := 1; u <= length; u++ {
				if length%u == 0 && tiles(pw[start:start+length], u) {
					unit = u
					break
				}
			}
		}
		base := pw[start : start+unit]
		bg := e.mostGuessable(base, e.omnimatch(base))
		ms = append(ms, match{i: start, j: start + length - 1, guesses: bg * float64(length/unit)})
		last = start + length
	}
	return ms
}

func tiles(rs []rune, u int) bool {
	for k := u; k < len(rs); k++ {
		if rs[k] != rs[k-u] {
			return false
		}
	}
	return true
}

// maxSequenceDelta is the largest step between code points that still
// makes a sequence ("aceg", "9753").
const maxSequenceDelta = 5

// sequenceMatches finds runs with a constant step between code points
// ("abcd", "1357", "zyx").
func sequenceMatches(ms []match, pw []rune) []match {
	n := len(pw)
	if n <= 1 {
		return ms
	}
	add := func(i, j, delta int) {
		if j-i > 1 || abs(delta) == 1 {
			if d := abs(delta); d > 0 && d <= maxSequenceDelta {
				ms = append(ms, match{i: i, j: j, guesses: sequenceGuesses(pw[i:j+1], delta > 0)})
			}
		}
	}
	i := 0
	last, haveLast := 0, false
	for k := 1; k < n; k++ {
		delta := int(pw[k]) - int(pw[k-1])
		if !haveLast {
			last, haveLast = delta, true
		}
		if delta == last {
			continue
		}
		j := k - 1
		add(i, j, last)
		i = j
		last = delta
	}
	add(i, n-1, last)
	return ms
}

func sequenceGuesses(token []rune, ascending bool) float64 {
	var base float64
	switch first := token[0]; {
	case strings.ContainsRune("aAzZ019", first):
		base = 4 // obvious starts
	case first >= '0' && first <= '9':
		base = 10
	default:
		base = 26
	}
	if !ascending {
		base *= 2
	}
	return base * float64(len(token))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// yearGuesses is the distance from the reference year, at least minYearSpace.
func (e *estimator) yearGuesses(year int) float64 {
	return float64(max(abs(year-e.year), minYearSpace))
}

// yearMatches finds four-digit years from 1900 to 2099, overlapping ones
// too ("2020" and "2009" in "202009"): the cheapest cover decides.
func (e *estimator) yearMatches(ms []match, pw []rune) []match {
	for i := 0; i+4 <= len(pw); i++ {
		if y, ok := digits(pw[i : i+4]); ok && y >= 1900 && y <= 2099 {
			ms = append(ms, match{i: i, j: i + 3, guesses: e.yearGuesses(y)})
		}
	}
	return ms
}

func digits(rs []rune) (int, bool) {
	if len(rs) == 0 {
		return 0, false
	}
	v := 0
	for _, r := range rs {
		if r < '0' || r > '9' {
			return 0, false
		}
		v = v*10 + int(r-'0')
	}
	return v, true
}

// Dates: years from dateMinYear to dateMaxYear, with or without separators.
const (
	dateMinYear = 1000
	dateMaxYear = 2050
)

// dateSplits lists, by length, where a run of digits may split into day,
// month and year (in some order).
var dateSplits = map[int][][2]int{
	4: {{1, 2}, {2, 3}},
	5: {{1, 3}, {2, 3}},
	6: {{1, 2}, {2, 4}, {4, 5}},
	7: {{1, 3}, {2, 3}, {4, 5}, {4, 6}},
	8: {{2, 4}, {4, 6}},
}

type dmy struct{ day, month, year int }

// dateMatches finds dates: 4–8 digits ("13111990", "1190") and 6–10
// characters with a repeated separator ("13.11.1990", "1990-11-13").
func (e *estimator) dateMatches(ms []match, pw []rune) []match {
	type dm struct {
		i, j int
		g    float64
	}
	var found []dm
	n := len(pw)
	for i := 0; i+4 <= n; i++ {
		for j := i + 3; j <= i+7 && j < n; j++ {
			tok := pw[i : j+1]
			if _, ok := digits(tok); !ok {
				break
			}
			var best dmy
			ok := false
			for _, sp := range dateSplits[len(tok)] {
				a, _ := digits(tok[:sp[0]])
				b, _ := digits(tok[sp[0]:sp[1]])
				c, _ := digits(tok[sp[1]:])
				if d, valid := mapIntsToDMY(a, b, c); valid {
					if !ok || abs(d.year-e.year) < abs(best.year-e.year) {
						best, ok = d, true
					}
				}
			}
			if ok {
				found = append(found, dm{i, j, e.dateGuesses(best.year, false)})
			}
		}
	}
	for i := 0; i+6 <= n; i++ {
		for j := i + 5; j <= i+9 && j < n; j++ {
			if d, ok := parseSeparatedDate(pw[i : j+1]); ok {
				found = append(found, dm{i, j, e.dateGuesses(d.year, true)})
			}
		}
	}
	// A date inside another date is not a date of its own.
	for x, d := range found {
		inner := false
		for y, o := range found {
			if x != y && o.i <= d.i && o.j >= d.j {
				inner = true
				break
			}
		}
		if !inner {
			ms = append(ms, match{i: d.i, j: d.j, guesses: d.g})
		}
	}
	return ms
}

func (e *estimator) dateGuesses(year int, separator bool) float64 {
	g := e.yearGuesses(year) * 365
	if separator {
		g *= 4
	}
	return g
}

func isDateSeparator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(`/\_.-`, r)
}

// parseSeparatedDate reads d{1,4} S d{1,2} S d{1,4}, the same separator S twice.
func parseSeparatedDate(tok []rune) (dmy, bool) {
	num := func(k, maxLen int) (int, int, bool) { // value, end
		e := k
		for e < len(tok) && e-k < maxLen && tok[e] >= '0' && tok[e] <= '9' {
			e++
		}
		if e == k {
			return 0, k, false
		}
		v, _ := digits(tok[k:e])
		return v, e, true
	}
	a, k, ok := num(0, 4)
	if !ok || k >= len(tok) || !isDateSeparator(tok[k]) {
		return dmy{}, false
	}
	sep := tok[k]
	b, k, ok := num(k+1, 2)
	if !ok || k >= len(tok) || tok[k] != sep {
		return dmy{}, false
	}
	c, k, ok := num(k+1, 4)
	if !ok || k != len(tok) {
		return dmy{}, false
	}
	return mapIntsToDMY(a, b, c)
}

// mapIntsToDMY reads three numbers as a day, a month and a year in one of
// the orders people write them, or reports that they are no date.
func mapIntsToDMY(a, b, c int) (dmy, bool) {
	if b > 31 || b <= 0 {
		return dmy{}, false
	}
	var over12, over31, under1 int
	for _, v := range [3]int{a, b, c} {
		if (v > 99 && v < dateMinYear) || v > dateMaxYear {
			return dmy{}, false
		}
		if v > 31 {
			over31++
		}
		if v > 12 {
			over12++
		}
		if v <= 0 {
			under1++
		}
	}
	if over31 >= 2 || over12 == 3 || under1 >= 2 {
		return dmy{}, false
	}
	splits := [2][3]int{{c, a, b}, {a, b, c}} // year last, year first
	for _, s := range splits {
		if s[0] >= dateMinYear && s[0] <= dateMaxYear {
			d, ok := mapIntsToDM(s[1], s[2])
			if !ok {
				return dmy{}, false // a four-digit year, but no day and month
			}
			return dmy{day: d.day, month: d.month, year: s[0]}, true
		}
	}
	for _, s := range splits {
		if d, ok := mapIntsToDM(s[1], s[2]); ok {
			return dmy{day: d.day, month: d.month, year: twoToFourDigitYear(s[0])}, true
		}
	}
	return dmy{}, false
}

func mapIntsToDM(a, b int) (dmy, bool) {
	for _, p := range [2][2]int{{a, b}, {b, a}} {
		d, m := p[0], p[1]
		if d >= 1 && d <= 31 && m >= 1 && m <= 12 {
			return dmy{day: d, month: m}, true
		}
	}
	return dmy{}, false
}

func twoToFourDigitYear(y int) int {
	switch {
	case y > 99:
		return y
	case y > 50:
		return y + 1900
	default:
		return y + 2000
	}
}

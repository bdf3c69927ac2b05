package classifier

import "slices"

// A national story names a province as an example of what happens across
// the country: "provinces such as Đồng Nai", "y compris la ferme … dans la
// province de Dong Nai", "同奈等省", "ドンナイ省など", "동나이 등". The
// corpus guidelines label such items mention-only ("Vietnam-wide stories
// that list Đồng Nai among provinces"). Foreign press names the country in
// almost every headline, so a national headline alone does not make a
// story national there; a national headline with the province named as an
// example does.

// exampleBefore are, folded, the words that introduce examples, written
// before the name in its sentence (en, fr, de, es, pt, it, zh, ja, ko).
var exampleBefore = [][]string{
	{"such", "as"}, {"including"}, {"among", "them"}, {"for", "example"},
	{"y", "compris"}, {"notamment"}, {"parmi", "lesquelles"}, {"parmi", "lesquels"},
	{"darunter"}, {"unter", "anderem"}, {"zum", "beispiel"},
	{"incluido"}, {"incluida"}, {"incluidos"}, {"incluidas"}, {"entre", "ellas"}, {"entre", "ellos"}, {"por", "ejemplo"},
	{"incluindo"}, {"inclusive"}, {"tra", "cui"}, {"compresa"}, {"compreso"},
	{"包", "括"}, {"例", "如"}, {"含", "む"}, {"포", "함"},
}

// exampleAfter are written right after the name ("and other …"): 等 (zh),
// など (ja), 등 (ko, a word of its own).
var exampleAfter = [][]string{{"等"}, {"な", "ど"}, {"등"}}

// exampleAfterWindow is how many tokens after a name an exampleAfter word
// may come: "同奈(Dong Nai)等省" puts the romanisation in between.
const exampleAfterWindow = 5

// namedAsExample reports whether a counted name of the province is
// introduced as an example in its sentence.
func (an *analysis) namedAsExample() bool {
	at := func(i int, w []string) bool {
		if i < 0 || i+len(w) > len(an.toks) {
			return false
		}
		for k := range w {
			if an.toks[i+k].Text != w[k] {
				return false
			}
		}
		return true
	}
	for _, d := range an.dn {
		start, end := d.h.tok, d.h.tok+d.h.ref.n
		sent := an.sentence[start]
		for i := start - 1; i >= 0 && an.sentence[i] == sent; i-- {
			if slices.ContainsFunc(exampleBefore, func(w []string) bool { return at(i, w) }) {
				return true
			}
		}
		for i := end; i < min(len(an.toks), end+exampleAfterWindow) && an.sentence[i] == sent; i++ {
			for _, w := range exampleAfter {
				if !at(i, w) {
					continue
				}
				if w[0] == "등" && an.toks[i].Start == an.toks[i-1].End {
					continue // part of a longer Korean word (등록, 등급)
				}
				return true
			}
		}
	}
	return false
}

// nationalStory reports whether the article is a story about the country
// in which the province is one instance: the headline names the country
// and either the article is Vietnamese (whose readers need no country in
// a local headline) or the province is named as an example.
func (an *analysis) nationalStory() bool {
	return an.nationalTitle() && (an.lang == "vi" || an.namedAsExample())
}

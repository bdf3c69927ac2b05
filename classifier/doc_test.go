package classifier

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm"
	"github.com/dongnai/presswatch/query"
)

// TestTokDocFoldedSameAsSeparate checks that the query document built from
// the article's one folding (newTokDocFolded) is the one built by analysing
// title and text separately (newTokDoc), term by term and position by
// position, on the dev corpus and on texts that test the cut between title
// and text.
func TestTokDocFoldedSameAsSeparate(t *testing.T) {
	type pair struct{ title, text, lang string }
	cases := []pair{
		{"", "", "en"},
		{"Đồng Nai", "", "vi"},
		{"", "Biên Hòa", "vi"},
		{"Dong Nai\u0301", "\u0300Bien Hoa", "vi"}, // combining marks next to the cut
		{"同奈・省", "\u3000同奈 省 ドン・ナイ 동 나이", "zh"},                      // middle dots and spaces between CJK
		{"ＤＯＮＧ ﾄﾞﾝﾅｲ", "ﾄﾞﾝﾅｲ ＮＡＩ", "ja"},                            // width forms
		{"Workers rallied", "Workers are rallying for wages.", "en"}, // stems
		{"\uFFFD title", "text \uFFFD", "en"},
	}
	for _, it := range loadDevCorpus(t) {
		cases = append(cases, pair{it.Title, it.Text, it.Lang})
	}
	for _, a := range benchArticles() {
		cases = append(cases, pair{a.Title, a.Text, "en"})
	}
	for i, c := range cases {
		full := c.title + "\n\n" + c.text
		if needsPrenorm(full) {
			continue // those keep the separate analysis
		}
		folded, offs := textnorm.FoldMap(full)
		ftl := len(textnorm.Fold(c.title))
		want := newTokDoc(full[:len(c.title)], full[len(c.title):], c.lang == "en")
		got := newTokDocFolded(new(scratch), full, folded, offs, len(c.title), ftl, c.lang == "en")
		if got.titleEnd != want.titleEnd {
			t.Fatalf("case %d: titleEnd %d, want %d", i, got.titleEnd, want.titleEnd)
		}
		gotTerms := slices.Sorted(slices.Values(got.terms.terms))
		wantTerms := slices.Sorted(slices.Values(want.terms.terms))
		if !slices.Equal(gotTerms, wantTerms) {
			t.Fatalf("case %d (%q): terms differ:\n got %q\nwant %q", i, c.title, gotTerms, wantTerms)
		}
		for _, term := range wantTerms {
			if g, w := got.termPositions(term), want.termPositions(term); !slices.Equal(g, w) {
				t.Fatalf("case %d (%q): positions of %q: %v, want %v", i, c.title, term, g, w)
			}
		}
	}
}

// TestAnalyzeFoldedTitleLen checks the folded title length analyze derives
// from the offsets against folding the title alone.
func TestAnalyzeFoldedTitleLen(t *testing.T) {
	e := newTestEngine(t, nil)
	r := e.Rules()
	for _, title := range []string{"", "Đồng Nai", "ＤＯＮＧ ﾄﾞﾝﾅｲ", "Nai\u0301", "同奈", "A\u200bB"} {
		an := e.analyze(r, &article.Article{Title: title, Text: "Biên Hòa"})
		if want := len(textnorm.Fold(first(prenormalize(title)))); an.foldedTitleLen != want {
			t.Errorf("title %q: foldedTitleLen %d, want %d", title, an.foldedTitleLen, want)
		}
	}
}

func first(s string, _ []int) string { return s }

// TestPrefixPositions: a prefix query's positions (looked up through the
// document's term buckets) are those of every term that starts with the
// prefix, found by scanning all terms, for prefixes of one to four bytes
// of the corpus items' own terms (Latin, Vietnamese, CJK, Thai…), for the
// empty prefix, and in the title and text fields.
func TestPrefixPositions(t *testing.T) {
	items := loadDevCorpus(t)
	checked := 0
	for i := range items {
		if i%7 != 0 {
			continue // a seventh of the corpus is every language and enough
		}
		it := &items[i]
		d := newTokDoc(it.Title, it.Text, it.Lang == "en")
		prefixes := map[string]bool{"": true}
		for _, term := range d.terms.terms {
			for n := 1; n <= 4 && n <= len(term); n++ {
				prefixes[term[:n]] = true
			}
		}
		for p := range prefixes {
			for _, field := range []string{"", "title", "text"} {
				var want []int
				for _, term := range d.terms.terms {
					if len(term) >= len(p) && term[:len(p)] == p {
						for _, pos := range d.termPositions(term) {
							if (field == "title" && pos >= d.titleEnd) || (field == "text" && pos < d.titleEnd) {
								continue
							}
							want = append(want, pos)
						}
					}
				}
				slices.Sort(want)
				if got := d.Positions(field, p, true); !slices.Equal(got, want) {
					t.Fatalf("%s: prefix %q in field %q: positions %v, want %v", it.ID, p, field, got, want)
				}
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d prefix lookups checked", checked)
	}
}

// plainDoc is a tokDoc without PositionsHashed: queries matched against
// it take the Positions path.
type plainDoc struct{ d *tokDoc }

func (p plainDoc) Kind(field string) query.FieldKind { return p.d.Kind(field) }
func (p plainDoc) Positions(field, word string, prefix bool) []int {
	return p.d.Positions(field, word, prefix)
}
func (p plainDoc) Keywords(field string) []string      { return p.d.Keywords(field) }
func (p plainDoc) Number(field string) (float64, bool) { return p.d.Number(field) }
func (p plainDoc) WrittenAs(field string, pos int, spelling string) bool {
	return p.d.WrittenAs(field, pos, spelling)
}

// TestHashedDocSameAsPositions: a word found by its hash (the path prepared
// queries take on a tokDoc) is found where Positions finds it, and every
// kind of query (words with and without diacritics, English words with
// their stems, phrases, prefixes, fields, NEAR) matches a tokDoc as it
// matches the same document without the hashed path, on a seventh of the
// corpus.
func TestHashedDocSameAsPositions(t *testing.T) {
	items := loadDevCorpus(t)
	rng := rand.New(rand.NewPCG(3, 4))
	matched, checked, stemmed := 0, 0, 0
	for i := range items {
		if i%7 != 0 {
			continue
		}
		it := &items[i]
		d := newTokDoc(it.Title, it.Text, it.Lang == "en")
		for _, term := range append(slices.Clone(d.terms.terms), "absent-word", "zzzz") {
			if got, want := d.PositionsHashed(term, query.TermHash(term)), d.Positions("", term, false); !slices.Equal(got, want) {
				t.Fatalf("%s: %q by hash: %v, by Positions: %v", it.ID, term, got, want)
			}
		}
		words := strings.Fields(it.Title + " " + it.Text)
		for range 60 {
			k := rng.IntN(len(words))
			w := strings.Trim(words[k], `.,;:!?()"'“”`)
			if w == "" || strings.ContainsAny(w, `"*()-:`) {
				continue
			}
			var q string
			switch rng.IntN(7) {
			case 0, 1:
				q = w
			case 6:
				q = w + "s" // found by its stem only: "strikes" where the text says "strike"
			case 2:
				if k+2 < len(words) {
					q = `"` + strings.Trim(strings.Join(words[k:k+3], " "), `.,;:!?()"'“”*`) + `"`
				}
			case 3:
				if r := []rune(w); len(r) > 2 {
					q = string(r[:2]) + "*"
				}
			case 4:
				q = "title:" + w
			case 5:
				if k+3 < len(words) {
					q = w + " NEAR/4 " + strings.Trim(words[k+3], `.,;:!?()"'“”*-`)
				}
			}
			n, err := query.Parse(q)
			if err != nil {
				continue
			}
			p := query.Prepare(n)
			got, want := p.Match(d), p.Match(plainDoc{d})
			if got && strings.HasSuffix(q, "s") && len(d.Positions("", textnorm.Fold(q), false)) == 0 {
				stemmed++
			}
			if got != want {
				t.Fatalf("%s: query %s: %v with the hashed path, %v without", it.ID, q, got, want)
			}
			checked++
			if got {
				matched++
			}
		}
	}
	if checked < 500 || matched == 0 || matched == checked || stemmed == 0 {
		t.Errorf("%d queries checked, %d matched, %d by a stem only: too few, or one answer only", checked, matched, stemmed)
	}
}

// TestStemCache: the cache gives textnorm's stem term for every word, the
// first time and again, from several goroutines, and starts afresh at its
// bound instead of growing past it.
func TestStemCache(t *testing.T) {
	c := stemCache{m: map[string]string{}}
	words := []string{"strikes", "striking", "workers", "flooded", "investments", "nai", "dong"}
	for i := range stemCacheMax + 10 {
		words = append(words, fmt.Sprintf("word%dings", i))
	}
	done := make(chan error, 2)
	for g := range 2 {
		go func() {
			for i := g; i < len(words); i += 2 {
				for range 2 {
					if got, want := c.term(words[i]), textnorm.StemPrefix+textnorm.Stem(words[i]); got != want {
						done <- fmt.Errorf("term(%q) = %q, want %q", words[i], got, want)
						return
					}
				}
			}
			done <- nil
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.m); n == 0 || n > stemCacheMax {
		t.Fatalf("%d words cached; want 1 to %d", n, stemCacheMax)
	}
}

package classifier

import (
	"slices"
	"testing"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm"
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

package index

import (
	"context"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm"
)

// "Dong Nai" marks the province's name, not every word that folds to
// "dong" (động, đông): the phrase wins where it occurs.
func TestHighlightPhraseNotFoldedWords(t *testing.T) {
	body := "Các hoạt động đầu tư ở Đồng Nai tăng mạnh; cộng đồng doanh nghiệp đông đảo."
	terms := []hlTerm{{toks: []string{"dong"}}, {toks: []string{"nai"}}, {toks: []string{"dong", "nai"}}}
	got := string(highlightHit(body, terms, false)[0])
	if !strings.Contains(got, "<mark>Đồng Nai</mark>") {
		t.Errorf("phrase not marked: %s", got)
	}
	for _, bad := range []string{"<mark>động</mark>", "<mark>đồng</mark>", "<mark>đông</mark>"} {
		if strings.Contains(got, bad) {
			t.Errorf("marks %s: %s", bad, got)
		}
	}
	// Without the phrase in the text, the words are marked on their own.
	got = string(highlightHit("Nai và sông Đồng", terms, false)[0])
	if !strings.Contains(got, "<mark>Nai</mark>") || !strings.Contains(got, "<mark>Đồng</mark>") {
		t.Errorf("lone words not marked: %s", got)
	}
}

// Snippets start and end between words.
func TestSnippetStartsAtWord(t *testing.T) {
	words := strings.Repeat("nghiêng nghiễng khuỷu tay ", 40)
	body := words + "Đồng Nai " + words
	got := string(highlightHit(body, []hlTerm{{toks: []string{"dong", "nai"}}}, false)[0])
	frag := strings.TrimPrefix(strings.TrimSuffix(got, "…"), "…")
	first, last := strings.Fields(frag)[0], strings.Fields(frag)[len(strings.Fields(frag))-1]
	ok := map[string]bool{"nghiêng": true, "nghiễng": true, "khuỷu": true, "tay": true}
	if !ok[first] || !ok[last] {
		t.Errorf("snippet cut mid-word: first %q last %q in %q", first, last, got)
	}
}

// The relevance filter and facet, and sort by risk.
func TestRelevanceFilterAndRiskSort(t *testing.T) {
	ix := openTest(t, t.TempDir())
	mk := func(id string, about, mentions bool, risk int) *article.Article {
		return &article.Article{ID: id, Lang: "en", Title: "Dong Nai " + id, Text: "Dong Nai news " + id, Published: day("2026-11-06"),
			Classification: &article.Classification{About: about, Mentions: mentions, Risk: risk}}
	}
	arts := []*article.Article{mk("a1", true, true, 10), mk("a2", true, true, 70), mk("m1", false, true, 90), mk("n1", false, false, 0)}
	if err := ix.IndexArticles(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	res, err := ix.Search(context.Background(), Request{Query: "Dong Nai", Filters: map[string][]string{"relevance": {"about"}}, Sort: SortRisk, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || len(res.Hits) != 2 || res.Hits[0].ID != "a2" || res.Hits[1].ID != "a1" {
		t.Errorf("about, by risk: total %d hits %+v", res.Total, res.Hits)
	}
	all, err := ix.Search(context.Background(), Request{Sort: SortRisk, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if all.Hits[0].ID != "m1" {
		t.Errorf("highest risk first: %+v", all.Hits)
	}
	// Facets on both search paths (risk order is Bleve's; newest may take the bitmap path).
	newest, err := ix.Search(context.Background(), Request{Sort: SortNewest, Facets: true, Filters: map[string][]string{"relevance": {"about", "mentions"}}})
	if err != nil {
		t.Fatal(err)
	}
	if newest.Total != 3 {
		t.Errorf("about or mentions: %d", newest.Total)
	}
	for _, r := range []*Result{all, newest} {
		counts := map[string]int{}
		for _, fc := range r.Facets["relevance"] {
			counts[fc.Term] = fc.Count
		}
		if counts["about"] != 2 || counts["mentions"] != 1 {
			t.Errorf("relevance facet = %v", r.Facets["relevance"])
		}
	}
}

// TestStemPrefixBound holds matchSpans's shortcut to Porter's rules: a
// word's stem differs from the word's beginning in at most its last
// stemTailMax letters. The words are the suffixes' worst cases and the
// English words of the conformance table's kind.
func TestStemPrefixBound(t *testing.T) {
	words := strings.Fields(`ability sensibilities possibly relational conditional rational
		valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli
		vietnamization operation predication operator feudalism decisiveness hopefulness
		callousness formaliti sensitiviti sensibiliti triplicate formative formalize
		electriciti electrical hopeful goodness agreed plastered motoring conflated troubled
		sized hopping filing happy sky generalizations oscillators flooding protesters
		protested protest investments industrial happily agreement adjustable dependent
		adoption irritant replacement adjustment communism activate angulariti homologous
		effective bowdlerize roll controll ponies caresses cats feed bled sing`)
	if files := realCorpusFiles(); files != nil { // and every word of the dev corpus
		g, err := newRealGen(files, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range g.langs {
			for _, w := range l.vocab[:l.corpusV] {
				if textnorm.Stemmable(w) {
					words = append(words, textnorm.Fold(w))
				}
			}
		}
	}
	for _, w := range words {
		st := textnorm.Stem(w)
		if !strings.HasPrefix(w, st[:max(0, len(st)-stemTailMax)]) {
			t.Errorf("stem %q of %q differs from the word in more than its last %d letters", st, w, stemTailMax)
		}
	}
}

// Words typed with diacritics are marked as written in a text written with
// diacritics, whatever the query's shape: "đình công" OR "Đồng Nai" marked
// "định" and "động" (an outside search review); typed without diacritics
// they still mark every folded form.
func TestHighlightSpelledAsWritten(t *testing.T) {
	body := "Công nhân đình công ở Đồng Nai; tỉnh ra quyết định hỗ trợ người lao động và cộng đồng."
	t.Run("with diacritics", func(t *testing.T) {
		tr := &translator{src: "đình công OR Đồng Nai"}
		for _, w := range []string{"đình", "công", "Đồng", "Nai"} {
			tr.highlight(analyzeQuery(w), false, "")
		}
		got := string(highlightHit(body, tr.terms, false)[0])
		for _, want := range []string{"<mark>đình</mark>", "<mark>Đồng</mark>", "<mark>Nai</mark>"} {
			if !strings.Contains(got, want) {
				t.Errorf("lacks %s: %s", want, got)
			}
		}
		for _, bad := range []string{"<mark>định</mark>", "<mark>động</mark>"} {
			if strings.Contains(got, bad) {
				t.Errorf("marks %s: %s", bad, got)
			}
		}
	})
	t.Run("without diacritics", func(t *testing.T) {
		tr := &translator{src: "dinh"}
		tr.highlight(analyzeQuery("dinh"), false, "")
		got := string(highlightHit(body, tr.terms, false)[0])
		if !strings.Contains(got, "<mark>đình</mark>") || !strings.Contains(got, "<mark>định</mark>") {
			t.Errorf("a word typed without diacritics marks every folded form: %s", got)
		}
	})
	t.Run("text without diacritics", func(t *testing.T) {
		tr := &translator{src: "đình công"}
		tr.highlight(analyzeQuery("đình công"), false, "")
		got := string(highlightHit("Cong nhan dinh cong o Dong Nai, theo quyet dinh moi.", tr.terms, false)[0])
		if !strings.Contains(got, "<mark>dinh cong</mark>") {
			t.Errorf("a text written without diacritics is matched folded: %s", got)
		}
	})
}

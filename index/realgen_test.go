package index

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
)

// The realistic search corpus (issue 15): documents whose words follow the
// dev corpus's text. At benchmark time the generator reads the labelled
// corpus (PRESSWATCH_TESTDATA/corpus/dev.jsonl and
// classifier/testdata/corpus/grown.jsonl; nothing is copied into the repo)
// and learns, per language, the words ranked by their frequency in that
// text, the token sequences (for collocations and phrases), the outlets and
// their countries, the labelled entities and topics. A document then draws
//
//   - its language with the corpus's language mix (vi, en, zh, ja, ko, fr,
//     de, th, …: the counts of the two files);
//   - its outlet and country among that language's corpus items;
//   - a text of about 2.4 KB (log-normal, median 2,400 bytes, clamped to
//     400–12,000) made of sentences whose words are drawn by Zipf's law over
//     the language's frequency ranks (s = 1.07), with a quarter of the words
//     coming as spans of 2–6 consecutive corpus tokens (real collocations),
//     and a long tail of derived words beyond the corpus's vocabulary so
//     that the dictionary grows with the corpus as real text does;
//   - 0–3 of the language's labelled entities, and the province's name in
//     the language's spelling for 8 % of documents (about the province for
//     80 % of those);
//   - a title, dates in arrival order over two years, topics from the
//     labels and a risk score.
//
// Chinese and Japanese text is written without spaces: their "words" are
// runs of one or two characters cut from the corpus text, so the character
// bigrams the index keeps are those of real text.
//
// Every document is a function of (seed, number) alone, so documents can be
// made in parallel and again later (the ground truth, the PostgreSQL peer)
// without keeping them.

// realGenVersion changes whenever the generator's output changes: it keys
// the benchmark's on-disk cache.
const realGenVersion = 1

type rgItem struct {
	Lang    string `json:"lang"`
	Outlet  string `json:"outlet"`
	Country string `json:"country_of_outlet"`
	Title   string `json:"title"`
	Text    string `json:"text"`
	Labels  struct {
		Topics   []string `json:"topics"`
		Entities []any    `json:"entities"`
	} `json:"labels"`
}

type rgOutlet struct{ name, country string }

type rgLang struct {
	lang    string
	items   int
	cjk     bool       // zh, ja: written without spaces
	vocab   []string   // by descending corpus frequency, then the derived tail
	corpusV int        // how many of vocab come from the corpus
	seqs    [][]string // token sequences of the corpus texts
	outlets []rgOutlet
	ents    []string
}

type realGen struct {
	seed uint64
	n    int
	// corpus fingerprints the files learnt from (the first 8 hex digits of
	// the SHA-256 of their contents): growing the corpus changes the
	// generator's output, so it keys the on-disk cache with realGenVersion.
	corpus string
	langs  []*rgLang
	cum    []int // cumulative item counts, for the language draw
	topics []string
}

// realCorpusFiles returns the corpus files the generator learns from, or
// nil when PRESSWATCH_TESTDATA is unset or its dev corpus is absent.
func realCorpusFiles() []string {
	td := os.Getenv("PRESSWATCH_TESTDATA")
	if td == "" {
		return nil
	}
	dev := filepath.Join(td, "corpus", "dev.jsonl")
	if _, err := os.Stat(dev); err != nil {
		return nil
	}
	files := []string{dev}
	if _, err := os.Stat("../classifier/testdata/corpus/grown.jsonl"); err == nil {
		files = append(files, "../classifier/testdata/corpus/grown.jsonl")
	}
	return files
}

// provinceName is how each language writes the province (as the corpus
// does); languages not listed use the ASCII spelling.
var provinceName = map[string]string{
	"vi": "Đồng Nai", "zh": "同奈省", "ja": "ドンナイ省", "ko": "동나이성", "th": "ด่งนาย",
	"ru": "Донгнай", "hi": "डोंग नाई", "bn": "ডং নাই", "km": "ដុងណៃ",
}

func isCJKLang(lang string) bool { return lang == "zh" || lang == "ja" }

// rgTokens splits text into lower-cased words as written (runs of letters,
// digits and marks); for Chinese and Japanese, the runs of Han and kana are
// cut into pieces of one or two characters instead.
func rgTokens(text string, cjk bool) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) == 0 {
			return
		}
		if cjk && isHanKana(cur[0]) {
			for i := 0; i < len(cur); i += 2 {
				out = append(out, string(cur[i:min(i+2, len(cur))]))
			}
		} else {
			out = append(out, strings.ToLower(string(cur)))
		}
		cur = cur[:0]
	}
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
			if cjk && len(cur) > 0 && isHanKana(r) != isHanKana(cur[0]) {
				flush()
			}
			cur = append(cur, r)
			continue
		}
		flush()
	}
	flush()
	return out
}

func isHanKana(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) || r == 'ー'
}

// newRealGen learns the corpus (see above) for a corpus of n documents.
func newRealGen(files []string, seed uint64, n int) (*realGen, error) {
	byLang := map[string]*rgLang{}
	counts := map[string]map[string]int{}
	topicSet := map[string]bool{}
	sum := sha256.New()
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(io.TeeReader(fh, sum))
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var it rgItem
			if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
				fh.Close()
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if it.Lang == "" || it.Text == "" {
				continue
			}
			l := byLang[it.Lang]
			if l == nil {
				l = &rgLang{lang: it.Lang, cjk: isCJKLang(it.Lang)}
				byLang[it.Lang] = l
				counts[it.Lang] = map[string]int{}
			}
			l.items++
			country := it.Country
			if country == "" {
				country = "unknown"
			}
			l.outlets = append(l.outlets, rgOutlet{it.Outlet, country})
			for _, e := range it.Labels.Entities {
				if s, ok := e.(string); ok && s != "" {
					l.ents = append(l.ents, s)
				}
			}
			for _, t := range it.Labels.Topics {
				topicSet[t] = true
			}
			for _, part := range []string{it.Title, it.Text} {
				toks := rgTokens(part, l.cjk)
				if len(toks) == 0 {
					continue
				}
				l.seqs = append(l.seqs, toks)
				for _, t := range toks {
					counts[it.Lang][t]++
				}
			}
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	g := &realGen{seed: seed, n: n, corpus: hex.EncodeToString(sum.Sum(nil))[:8]}
	for t := range topicSet {
		g.topics = append(g.topics, t)
	}
	slices.Sort(g.topics)
	langs := make([]string, 0, len(byLang))
	for k := range byLang {
		langs = append(langs, k)
	}
	slices.Sort(langs)
	total := 0
	for _, k := range langs {
		l := byLang[k]
		c := counts[k]
		for w := range c {
			l.vocab = append(l.vocab, w)
		}
		slices.SortFunc(l.vocab, func(a, b string) int {
			if c[a] != c[b] {
				return c[b] - c[a]
			}
			return strings.Compare(a, b)
		})
		l.corpusV = len(l.vocab)
		extendVocab(l)
		total += l.items
		g.langs = append(g.langs, l)
		g.cum = append(g.cum, total)
	}
	if total == 0 {
		return nil, fmt.Errorf("no corpus items in %v", files)
	}
	return g, nil
}

// extendVocab adds derived words after the corpus's own (the rare words a
// large corpus has and a small one has not): for spaced scripts a corpus
// word with the start of another appended, for Chinese and Japanese pairs of
// corpus characters: eight times the corpus's own vocabulary, at least
// 5,000 and at most 200,000 words per language.
func extendVocab(l *rgLang) {
	v := l.corpusV
	if v == 0 {
		return
	}
	want := min(max(5000, 8*v), 200000)
	if l.cjk {
		var chars []string
		seen := map[string]bool{}
		for _, w := range l.vocab[:v] {
			for _, r := range w {
				s := string(r)
				if !seen[s] {
					seen[s] = true
					chars = append(chars, s)
				}
			}
		}
		have := map[string]bool{}
		for _, w := range l.vocab {
			have[w] = true
		}
		for i := 0; len(l.vocab) < want && i < want*4; i++ {
			w := chars[(i*7919)%len(chars)] + chars[(i*104729/7+i/len(chars))%len(chars)]
			if !have[w] {
				have[w] = true
				l.vocab = append(l.vocab, w)
			}
		}
		return
	}
	have := map[string]bool{}
	for _, w := range l.vocab {
		have[w] = true
	}
	for i := 0; len(l.vocab) < want && i < want*4; i++ {
		a := l.vocab[i%v]
		b := []rune(l.vocab[(i*7+3+i/v)%v])
		w := a + string(b[:min(3, len(b))])
		if !have[w] {
			have[w] = true
			l.vocab = append(l.vocab, w)
		}
	}
}

// realGenBase is the first publication day; documents arrive in order over
// two years whatever the corpus size.
var realGenBase = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

const realGenSpan = 730 * 24 * time.Hour

func rgID(i int) string { return fmt.Sprintf("%064x", i) }

// lang draws document i's language.
func (g *realGen) lang(rng *rand.Rand) *rgLang {
	k := rng.IntN(g.cum[len(g.cum)-1])
	i, _ := slices.BinarySearch(g.cum, k+1)
	return g.langs[i]
}

// doc returns document i; a function of (g.seed, i) alone.
func (g *realGen) doc(i int) *article.Article {
	rng := rand.New(rand.NewPCG(g.seed, uint64(i)))
	l := g.lang(rng)
	zipf := rand.NewZipf(rng, 1.07, 2, uint64(len(l.vocab)-1))
	o := l.outlets[rng.IntN(len(l.outlets))]
	size := int(2400 * math.Exp(rng.NormFloat64()*0.6))
	size = min(max(size, 400), 12000)
	mention := rng.IntN(100) < 8
	about := mention && rng.IntN(10) < 8
	name := provinceName[l.lang]
	if name == "" {
		name = "Dong Nai"
	}
	var b strings.Builder
	b.Grow(size + 200)
	sentence := func(words int, first string) {
		sep := " "
		if l.cjk {
			sep = ""
		}
		k := 0
		put := func(w string) {
			if k > 0 {
				b.WriteString(sep)
			}
			if k == 0 && !l.cjk {
				r, n := utf8.DecodeRuneInString(w)
				w = string(unicode.ToUpper(r)) + w[n:]
			}
			b.WriteString(w)
			k++
		}
		if first != "" {
			put(first)
		}
		for k < words {
			if rng.IntN(4) == 0 && len(l.seqs) > 0 {
				s := l.seqs[rng.IntN(len(l.seqs))]
				span := 2 + rng.IntN(5)
				st := rng.IntN(max(len(s)-span, 0) + 1)
				for _, w := range s[st:min(st+span, len(s))] {
					put(w)
				}
				continue
			}
			put(l.vocab[zipf.Uint64()])
		}
		if l.cjk {
			b.WriteString("。")
		} else {
			b.WriteString(". ")
		}
	}
	ents := rng.IntN(4)
	var entNames []string
	for k := 0; k < ents && len(l.ents) > 0; k++ {
		entNames = append(entNames, l.ents[rng.IntN(len(l.ents))])
	}
	first := true
	for b.Len() < size {
		lead := ""
		switch {
		case first && mention:
			lead = name
		case len(entNames) > 0 && rng.IntN(3) == 0:
			lead, entNames = entNames[0], entNames[1:]
		case mention && rng.IntN(12) == 0:
			lead = name
		}
		first = false
		sentence(8+rng.IntN(16), lead)
	}
	var title strings.Builder
	{
		saved := b
		b = strings.Builder{}
		lead := ""
		if mention && rng.IntN(2) == 0 {
			lead = name
		}
		sentence(5+rng.IntN(8), lead)
		title.WriteString(strings.TrimRight(strings.TrimSpace(b.String()), ".。"))
		b = saved
	}
	pub := realGenBase.Add(time.Duration(float64(realGenSpan) * float64(i) / float64(max(g.n, 1))))
	pub = pub.Add(-time.Duration(rng.Int64N(int64(6 * time.Hour))))
	nt := 1 + rng.IntN(2)
	var ts []string
	for k := 0; k < nt && len(g.topics) > 0; k++ {
		ts = append(ts, g.topics[rng.IntN(len(g.topics))])
	}
	scale := 10.0
	if about {
		scale = 25
	}
	risk := min(int(rng.ExpFloat64()*scale), 100)
	tones := []string{"positive", "neutral", "negative"}
	id := rgID(i)
	return &article.Article{
		ID: id, URL: "https://press.example/" + id[48:], Source: "src-" + o.country, Outlet: o.name,
		Country: o.country, Lang: l.lang, Title: title.String(), Text: b.String(),
		Published: pub, Collected: pub.Add(time.Duration(rng.IntN(3600)) * time.Second),
		Classification: &article.Classification{
			About: about, Mentions: mention, Topics: ts, Tone: tones[rng.IntN(3)], Risk: risk,
			NeedsReview: about && risk >= 60, Cluster: fmt.Sprintf("c%d", i/3),
		},
	}
}

// Package extract turns one article page (UTF-8 HTML) into its main text and
// metadata: title, author, publication date, language, canonical URL, lead
// image and description.
//
// The main text comes from a combination of extractors that run on one parsed
// tree: go-trafilatura (without its slow fallback chain), readeck's
// go-readability and the page's own schema.org articleBody when it has one. A
// small, deterministic selection step picks or merges their outputs (see
// choose.go and docs/extraction.md). The publication date comes from
// go-htmldate with presswatch's own pre-checks (see date.go).
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/dongnai/presswatch/crawler/charset"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Defaults for Options.
const (
	DefaultMaxBytes = 4 << 20
	DefaultMaxNodes = 50_000
	// maxTrafParagraphs: above this many <p> elements trafilatura's work grows
	// with the square of their number (≈ 1 s at 5,000), so only readability
	// runs. Real article pages have a few hundred.
	maxTrafParagraphs = 3_000
)

// ErrTooLarge is returned (wrapped) for a page whose tree has more elements than
// Options.MaxNodes.
var ErrTooLarge = errors.New("page too large")

// ErrNoText is returned (wrapped) when no main text could be found at all.
var ErrNoText = errors.New("no main text found")

// Options configures an Extractor. The zero value is usable.
type Options struct {
	// MaxBytes truncates longer input before parsing (default DefaultMaxBytes;
	// the largest of 743 real pages in the evaluation sets is 1.5 MB).
	MaxBytes int
	// MaxNodes refuses pages whose parsed tree has more nodes than this
	// (default DefaultMaxNodes; the real pages have a median of 1,600 and a
	// maximum of 25,500), bounding the work done on hostile input.
	MaxNodes int
	// Now is the clock used to reject publication dates in the future
	// (default time.Now).
	Now func() time.Time
	// Logger receives a debug record per page: which candidate won and the
	// candidates' sizes (default: discard).
	Logger *slog.Logger
	// Thresholds of the selection and cleaning steps (default:
	// DefaultThresholds(); see docs/extraction.md for how they were chosen).
	Thresholds *Thresholds
}

// Result is what Extract found on a page. Empty fields were not found.
type Result struct {
	Title        string
	Author       string
	Published    time.Time // in the offset the page gave (store it as UTC); zero when unknown
	Lang         string    // declared language (html lang, meta), lower-case primary subtag: "en-GB" → "en"
	CanonicalURL string    // absolute: rel=canonical, else og:url, resolved against the page URL
	ImageURL     string    // absolute lead image: og:image, twitter:image, schema.org image
	Text         string    // main text, paragraphs separated by blank lines
	Description  string
	// Method names where the main text came from (for diagnostics):
	// "trafilatura", "readability", "trafilatura+readability" or "jsonld".
	Method string
}

// Extractor extracts articles from pages. It is safe for concurrent use.
type Extractor struct {
	opts Options
	th   Thresholds
	log  *slog.Logger
}

// New returns an Extractor configured by opts.
func New(opts Options) *Extractor {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxNodes <= 0 {
		opts.MaxNodes = DefaultMaxNodes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	th := DefaultThresholds()
	if opts.Thresholds != nil {
		th = *opts.Thresholds
	}
	return &Extractor{opts: opts, th: th, log: log.With("component", "extract")}
}

// Extract extracts the article in page, a UTF-8 HTML document fetched from
// pageURL (used to resolve relative links; may be empty). It never panics: a
// failure inside a third-party extractor is recovered and returned as an error.
// A page without main text gives an error wrapping ErrNoText together with a
// Result that still holds the page's metadata; a page over the size bounds
// gives one wrapping ErrTooLarge.
func (e *Extractor) Extract(page []byte, pageURL string) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("extract %q: internal error: %v", pageURL, r)
		}
	}()
	p, err := e.prepare(page, pageURL)
	if err != nil {
		return nil, err
	}
	res = p.res
	res.Text, res.Method = p.finish(p.sel.decide(e.th), e.th.MaxCueWords)
	if res.Text == "" {
		return res, fmt.Errorf("extract %q: %w", pageURL, ErrNoText)
	}
	e.log.Debug("extracted", "url", pageURL, "method", res.Method, "chars", len(res.Text),
		"trafilatura_chars", len(p.sel.cs.traf.text), "readability_chars", len(p.sel.cs.read.text))
	return res, nil
}

// prepared is a page with everything done that does not depend on the
// thresholds: the candidates, their measurements and the metadata.
type prepared struct {
	res    *Result // metadata filled in, Text empty
	sel    *selection
	titles []string
}

// prepare parses the page, runs the extractors and fills in the metadata.
func (e *Extractor) prepare(page []byte, pageURL string) (*prepared, error) {
	doc, base, paras, err := e.parse(page, pageURL)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	meta := readMeta(doc, base)
	cands := e.candidates(doc, base, meta, paras <= maxTrafParagraphs)
	e.fillMeta(res, doc, base, meta, cands)
	// Bidi controls (U+202E …) would let a page reorder how its title reads
	// and shift highlight offsets: they never reach the result.
	res.Title, res.Author, res.Description = charset.StripBidi(res.Title), charset.StripBidi(res.Author), charset.StripBidi(res.Description)
	titles := []string{res.Title, charset.StripBidi(meta.title), charset.StripBidi(meta.ogTitle), charset.StripBidi(meta.jsonldHeadline)}
	return &prepared{res: res, sel: newSelection(cands), titles: titles}, nil
}

// finish turns the choice c into the cleaned main text and its method; both
// are empty when nothing that reads as an article remains.
func (p *prepared) finish(c choice, maxCueWords int) (string, string) {
	text, method := p.sel.text(c)
	text = cleanText(charset.StripBidi(text), maxCueWords, p.titles...)
	if len(Tokens(text)) == 0 || text == p.res.Title {
		// Punctuation, stray bytes or the title alone are not an article.
		return "", ""
	}
	return text, method
}

// parse bounds and parses the page; it also returns the number of <p> elements.
func (e *Extractor) parse(page []byte, pageURL string) (*html.Node, *url.URL, int, error) {
	if len(page) > e.opts.MaxBytes {
		page = page[:e.opts.MaxBytes]
	}
	base, _ := parseBase(pageURL)
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		// x/net/html gives up on trees nested deeper than 512 open
		// elements (520 unclosed <font> tags in an old site's footer will
		// do). The page is read again with the elements below
		// flattenDepth dropped and their text kept, so an article before
		// or inside such a tangle is still found.
		doc, err = html.Parse(bytes.NewReader(flatten(page, flattenDepth)))
		if err != nil {
			return nil, nil, 0, fmt.Errorf("parse page %q: %w: nested deeper than the HTML parser allows: %w", pageURL, ErrTooLarge, err)
		}
		e.log.Debug("page nested too deeply: elements below the limit dropped", "url", pageURL, "depth", flattenDepth)
	}
	n, paras := countNodes(doc, e.opts.MaxNodes)
	if n > e.opts.MaxNodes {
		return nil, nil, 0, fmt.Errorf("extract %q: %w: more than %d nodes", pageURL, ErrTooLarge, e.opts.MaxNodes)
	}
	return doc, base, paras, nil
}

// parseBase parses an absolute http(s) page URL; ok is false for anything else.
func parseBase(pageURL string) (*url.URL, bool) {
	u, err := url.Parse(strings.TrimSpace(pageURL))
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	return u, true
}

// countNodes counts nodes and <p> elements in the tree, stopping once limit
// is exceeded.
func countNodes(n *html.Node, limit int) (count, paras int) {
	stack := []*html.Node{n}
	for len(stack) > 0 && count <= limit {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		count++
		if x.Type == html.ElementNode && x.DataAtom == atom.P {
			paras++
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, c)
		}
	}
	return count, paras
}

// candidate is one extractor's opinion of the main text.
type candidate struct {
	method string
	text   string
	err    error
}

// candidateSet holds every extractor's text and what else they found.
type candidateSet struct {
	traf     candidate
	trafMeta *trafilatura.Metadata
	read     candidate
	readArt  *readability.Article
	jsonld   candidate
}

// candidates runs the extractors on doc (each works on its own copy);
// trafilatura only when withTraf.
func (e *Extractor) candidates(doc *html.Node, base *url.URL, meta pageMeta, withTraf bool) *candidateSet {
	cs := &candidateSet{}
	cs.traf = candidate{method: "trafilatura"}
	if withTraf {
		tr, err := trafilatura.ExtractDocument(doc, trafilatura.Options{
			OriginalURL:     base,
			ExcludeComments: true,
			HtmlDateMode:    trafilatura.Disabled,
		})
		if err != nil {
			cs.traf.err = err
		} else {
			cs.traf.text = renderText(tr.ContentNode)
			cs.trafMeta = &tr.Metadata
		}
	}
	cs.read = candidate{method: "readability"}
	p := readability.NewParser()
	art, err := p.ParseDocument(doc, base)
	if err != nil {
		cs.read.err = err
	} else if art.Node != nil {
		cs.read.text = renderText(art.Node)
		cs.readArt = &art
	}
	cs.jsonld = candidate{method: "jsonld", text: normalizeText(meta.articleBody)}
	return cs
}

// normalizeText drops invalid UTF-8, control characters and zero-width
// spaces, trims every line, collapses runs of spaces and keeps at most
// one blank line between paragraphs.
func normalizeText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r < ' ' && r != '\n' && r != '\t' || r == 0x7f || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
	var b strings.Builder
	blank := false
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			if blank {
				b.WriteString("\n\n")
			} else {
				b.WriteString("\n")
			}
		}
		blank = false
		b.WriteString(line)
	}
	return b.String()
}

// flattenDepth is how deep flatten lets elements nest: well under the 512
// open elements x/net/html allows, far over any real article's depth.
const flattenDepth = 256

// flatten rewrites page with every start and end tag below depth open
// elements dropped and everything else (text, comments, the tags above)
// kept as written. The depth is counted naively, a start tag opening and
// an end tag closing one level (void and self-closing elements none),
// which over-counts the parser's own stack where it closes elements
// implicitly: the result nests no deeper than depth.
func flatten(page []byte, depth int) []byte {
	z := html.NewTokenizer(bytes.NewReader(page))
	out := make([]byte, 0, len(page))
	open := 0
	skip := "" // a dropped script or style: its content is dropped too
	for {
		tt := z.Next()
		if skip != "" {
			if name, _ := z.TagName(); tt == html.EndTagToken && string(name) == skip {
				skip = ""
				open--
			}
			if tt != html.ErrorToken {
				continue
			}
		}
		switch tt {
		case html.ErrorToken:
			return out
		case html.StartTagToken:
			name, _ := z.TagName()
			if voidElements[string(name)] {
				break
			}
			open++
			if open > depth {
				if n := string(name); n == "script" || n == "style" {
					skip = n
				}
				continue
			}
		case html.EndTagToken:
			open--
			if open >= depth {
				continue
			}
			open = max(open, 0)
		}
		out = append(out, z.Raw()...)
	}
}

// voidElements never have content or an end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

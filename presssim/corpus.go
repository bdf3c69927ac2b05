package presssim

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

//go:embed corpus/*.json
var corpusFS embed.FS

// Item is one article the simulated press can publish.
//
// Body holds the article's paragraphs as plain text; when HTML is set it is
// inserted into the article page unescaped instead of Body (the hostile
// article uses this). The corpus files in presssim/corpus/*.json are lists of
// Items with their ground truth.
type Item struct {
	ID        string    `json:"id"`                 // stable key; also the URL slug
	Lang      string    `json:"lang"`               // ISO 639-1
	Outlets   []string  `json:"outlets,omitempty"`  // corpus only: sources that carry it (first = original)
	Section   string    `json:"section,omitempty"`  // news, business, world, environment, society
	Title     string    `json:"title"`              //
	Summary   string    `json:"summary,omitempty"`  // feed description and og:description
	Author    string    `json:"author,omitempty"`   //
	Body      []string  `json:"body,omitempty"`     // paragraphs, plain text
	HTML      string    `json:"html,omitempty"`     // raw article body HTML (hostile article); wins over Body
	Published time.Time `json:"published,omitzero"` // zero → the time of publication
	Image     string    `json:"image,omitempty"`    // path or URL of the lead image
	Form      string    `json:"form,omitempty"`     // "", "nfd" (served decomposed) or "ascii" (diacritics removed)
	Hold      bool      `json:"hold,omitempty"`     // corpus only: released by the schedule, not at start
	Truth     Truth     `json:"truth"`              // what a perfect classifier would say
	Tags      []string  `json:"tags,omitempty"`     // free keywords, rendered as <category>
	Hostile   bool      `json:"hostile,omitempty"`  // the item carries active content that must never run
}

// Truth is an item's ground truth for tests and evaluation.
type Truth struct {
	About       bool     `json:"about"`                // the article is about Đồng Nai
	Mentions    bool     `json:"mentions"`             // Đồng Nai is named (true whenever About is)
	Topics      []string `json:"topics,omitempty"`     // e.g. infrastructure, environment, investment
	Tone        string   `json:"tone,omitempty"`       // positive, neutral or negative
	NeedsReview bool     `json:"needs_review"`         // a misinformation analyst should look
	Cluster     string   `json:"cluster,omitempty"`    // items of one story share it
	LookAlike   string   `json:"look_alike,omitempty"` // the place it could be confused with
	Note        string   `json:"note,omitempty"`       // why, for a human reader
}

// Corpus returns the embedded synthetic corpus, in file order (vi, en, zh,
// ko, ja, then the others), with Form already applied to the text. The
// returned slice is a fresh copy.
func Corpus() ([]Item, error) {
	names, err := fs.Glob(corpusFS, "corpus/*.json")
	if err != nil {
		return nil, fmt.Errorf("list corpus: %w", err)
	}
	sort.Strings(names)
	var all []Item
	seen := map[string]string{}
	for _, name := range names {
		data, err := corpusFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read corpus %q: %w", name, err)
		}
		var items []Item
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, fmt.Errorf("decode corpus %q: %w", name, err)
		}
		for i := range items {
			it := &items[i]
			if it.ID == "" || it.Lang == "" || it.Title == "" {
				return nil, fmt.Errorf("corpus %q item %d: id, lang and title are required", path.Base(name), i)
			}
			if prev, dup := seen[it.ID]; dup {
				return nil, fmt.Errorf("corpus %q: duplicate id %q (also in %s)", path.Base(name), it.ID, prev)
			}
			seen[it.ID] = path.Base(name)
			applyForm(it)
		}
		all = append(all, items...)
	}
	return all, nil
}

// applyForm rewrites the item's text to its declared Unicode form.
func applyForm(it *Item) {
	var f func(string) string
	switch it.Form {
	case "nfd":
		f = norm.NFD.String
	case "ascii":
		f = StripDiacritics
	default:
		f = norm.NFC.String
	}
	it.Title = f(it.Title)
	it.Summary = f(it.Summary)
	it.Author = f(it.Author)
	for i := range it.Body {
		it.Body[i] = f(it.Body[i])
	}
}

// StripDiacritics removes combining marks and maps đ/Đ to d/D, the way
// Vietnamese is often typed without diacritics ("Dong Nai").
func StripDiacritics(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return strings.NewReplacer("đ", "d", "Đ", "D").Replace(out)
}

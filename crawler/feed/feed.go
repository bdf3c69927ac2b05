// Package feed parses RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed and
// RSS-in-JSON documents into one Feed type, with the fixes real feeds need on
// top of github.com/mmcdole/gofeed: gzip bodies saved without a header, any
// encoding (declared, wrongly declared or undeclared, see crawler/charset),
// BOMs and whitespace before the XML declaration, relative links resolved
// against xml:base, the feed's own address or the address it was fetched
// from, dates in many non-standard forms, JSON feeds with loosely typed
// fields, and content sniffed rather than trusted from a file extension.
package feed

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/dongnai/presswatch/crawler/charset"
	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"golang.org/x/net/html"
)

// MaxDecompressed bounds the size of a headerless-gzip feed after inflation.
const MaxDecompressed = 32 << 20

// ErrNotAFeed means the document is neither XML nor JSON of a known feed form.
var ErrNotAFeed = errors.New("not an RSS, Atom or JSON feed")

// Feed is a parsed feed, its text in UTF-8 NFC and its links absolute.
type Feed struct {
	Title    string
	Link     string // the site's home page
	Lang     string // declared language, as written (e.g. "en-us"); may be empty
	Format   string // rss, atom or json
	Encoding string // the byte encoding the feed was read as
	Items    []Item
	// Warnings describe what was repaired or dropped to read the document
	// (illegal XML characters removed, over-deep JSON values dropped, items
	// repeating a GUID): the feed was read, but its publisher should know.
	Warnings []string

	selfLink string
}

// Item is one entry.
type Item struct {
	GUID      string
	Link      string // absolute http(s) URL, or "" when the entry has none
	Title     string
	Summary   string // description or summary, as HTML or text
	Content   string // full content when the feed carries it
	Author    string
	ImageURL  string
	Lang      string
	Published time.Time // zero when absent or unreadable (see DateText)
	Updated   time.Time
	DateText  string // the raw date when one was present but could not be read
}

var (
	xmlDeclRe = regexp.MustCompile(`(?s)<\?xml\s.*?\?>`)
	xmlBaseRe = regexp.MustCompile(`(?i)<(?:feed|rss|channel|rdf:RDF)\b[^>]*\sxml:base\s*=\s*["']([^"']+)["']`)
)

// Parse reads a feed fetched from feedURL (used to resolve relative links)
// with the HTTP Content-Type contentType (may be empty).
func Parse(body []byte, contentType, feedURL string) (*Feed, error) {
	body, err := gunzipIfNeeded(body)
	if err != nil {
		return nil, fmt.Errorf("parse feed: %w", err)
	}
	text, enc, err := charset.Decode(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("parse feed: %w", err)
	}
	text = bytes.TrimLeft(text, " \t\r\n\ufeff")
	var f *Feed
	switch {
	case len(text) == 0:
		return nil, fmt.Errorf("parse feed: empty document: %w", ErrNotAFeed)
	case text[0] == '{' || text[0] == '[':
		f, err = parseJSON(text)
	default:
		f, err = parseXML(text)
	}
	if err != nil {
		return nil, fmt.Errorf("parse feed: %w", err)
	}
	f.Encoding = enc
	f.resolve(feedURL, string(text))
	f.sanitize()
	return f, nil
}

// sanitize removes bidi controls from the text fields (see
// charset.StripBidi) and keeps one item per GUID.
func (f *Feed) sanitize() {
	f.Title = charset.StripBidi(f.Title)
	for i := range f.Items {
		it := &f.Items[i]
		for _, p := range []*string{&it.Title, &it.Summary, &it.Content, &it.Author} {
			*p = charset.StripBidi(*p)
		}
		it.Title = clean(it.Title)
		it.Author = clean(it.Author)
	}
	f.dedupeGUID()
}

// dedupeGUID keeps the first item of each GUID: within one source a GUID
// names one entry, whatever link it carries (feeds list the newest version
// first). A GUID shared by most items of a document of four or more is not
// an identifier at all (a CMS writing the site's address into every
// <guid>): it is then ignored rather than collapsing the feed to one item.
func (f *Feed) dedupeGUID() {
	count := map[string]int{}
	for _, it := range f.Items {
		if it.GUID != "" {
			count[it.GUID]++
		}
	}
	repeated := 0
	for g, n := range count {
		if n > 1 && !(len(f.Items) >= 4 && n*2 > len(f.Items)) {
			repeated += n - 1
		} else if n > 1 {
			delete(count, g)
			f.Warnings = append(f.Warnings, fmt.Sprintf("GUID %q is shared by %d of %d items: ignored as an identifier", truncRunes(g, 100), n, len(f.Items)))
			for i := range f.Items {
				if f.Items[i].GUID == g {
					f.Items[i].GUID = ""
				}
			}
		}
	}
	if repeated == 0 {
		return
	}
	seen := map[string]bool{}
	kept := f.Items[:0]
	for _, it := range f.Items {
		if it.GUID != "" && seen[it.GUID] {
			continue
		}
		seen[it.GUID] = it.GUID != ""
		kept = append(kept, it)
	}
	f.Items = kept
	f.Warnings = append(f.Warnings, fmt.Sprintf("%d item(s) repeated an earlier item's GUID: the first of each was kept", repeated))
}

func truncRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}

func gunzipIfNeeded(body []byte) ([]byte, error) {
	if len(body) < 3 || body[0] != 0x1f || body[1] != 0x8b || body[2] != 8 {
		return body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("gzip body without Content-Encoding: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, MaxDecompressed+1))
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("gzip body without Content-Encoding: %w", err)
	}
	if len(out) > MaxDecompressed {
		return nil, fmt.Errorf("gzip body inflates beyond %d bytes", MaxDecompressed)
	}
	return out, nil
}

func parseXML(text []byte) (*Feed, error) {
	// The bytes are UTF-8 now: drop the declaration so that its encoding
	// attribute is not applied a second time. A comment may precede it.
	head := text[:min(len(text), 4096)]
	if loc := xmlDeclRe.FindIndex(head); loc != nil {
		text = append(append([]byte{}, text[:loc[0]]...), text[loc[1]:]...)
	}
	p := gofeed.NewParser()
	// gofeed's fallback image search parses every item's HTML into a tree
	// (7.6 % of a first fetch's CPU, issue 18); firstImage below does the
	// same search with a tokenizer, only in HTML that has an <img.
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	xr := &xmlCleanReader{src: text}
	gf, err := p.Parse(xr)
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, ErrNotAFeed
		}
		return nil, fmt.Errorf("malformed feed XML: %w", err)
	}
	f := &Feed{Title: clean(gf.Title), Link: strings.TrimSpace(gf.Link), Lang: strings.TrimSpace(gf.Language), Format: gf.FeedType}
	for _, l := range gf.Links {
		if f.Link == "" {
			f.Link = strings.TrimSpace(l)
		}
	}
	if xr.dropped > 0 {
		f.Warnings = append(f.Warnings, fmt.Sprintf("removed %d character(s) or character references XML 1.0 forbids (NUL, control characters)", xr.dropped))
	}
	self := strings.TrimSpace(gf.FeedLink)
	for _, gi := range gf.Items {
		if gi == nil {
			continue
		}
		it := Item{
			GUID:    strings.TrimSpace(gi.GUID),
			Link:    strings.TrimSpace(gi.Link),
			Title:   clean(gi.Title),
			Summary: strings.TrimSpace(gi.Description),
			Content: strings.TrimSpace(gi.Content),
		}
		if it.Link == "" {
			for _, l := range gi.Links {
				if l = strings.TrimSpace(l); l != "" {
					it.Link = l
					break
				}
			}
		}
		if it.Link == "" && isHTTP(it.GUID) {
			it.Link = it.GUID
		}
		switch {
		case gi.Author != nil && gi.Author.Name != "":
			it.Author = clean(gi.Author.Name)
		case len(gi.Authors) > 0 && gi.Authors[0] != nil:
			it.Author = clean(gi.Authors[0].Name)
		case gi.DublinCoreExt != nil && len(gi.DublinCoreExt.Creator) > 0:
			it.Author = clean(gi.DublinCoreExt.Creator[0])
		}
		if gi.Image != nil {
			it.ImageURL = strings.TrimSpace(gi.Image.URL)
		}
		for _, e := range gi.Enclosures {
			if it.ImageURL == "" && e != nil && strings.HasPrefix(e.Type, "image/") {
				it.ImageURL = strings.TrimSpace(e.URL)
			}
		}
		if it.ImageURL == "" {
			it.ImageURL = mediaImage(gi.Extensions)
		}
		if it.ImageURL == "" && gf.FeedType == "rss" {
			it.ImageURL = firstImage(gi.Content)
			if it.ImageURL == "" {
				it.ImageURL = firstImage(gi.Description)
			}
		}
		it.Published, it.DateText = pickDate(gi.Published, gi.PublishedParsed, f.Lang)
		if gi.DublinCoreExt != nil && it.Published.IsZero() && it.DateText == "" && len(gi.DublinCoreExt.Date) > 0 {
			it.Published, it.DateText = pickDate(gi.DublinCoreExt.Date[0], nil, f.Lang)
		}
		it.Updated, _ = pickDate(gi.Updated, gi.UpdatedParsed, f.Lang)
		if it.Published.IsZero() && !it.Updated.IsZero() {
			it.Published = it.Updated
			it.DateText = ""
		}
		f.Items = append(f.Items, it)
	}
	if self != "" && f.Link == "" {
		f.Link = self
	}
	f.selfLink = self
	return f, nil
}

// firstImage returns the src of the first <img> with a src attribute in an
// HTML fragment, or "". HTML without "<img" (any case) is not tokenized.
func firstImage(doc string) string {
	if !hasImgTag(doc) {
		return ""
	}
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "img" || !hasAttr {
				continue
			}
			for {
				k, v, more := z.TagAttr()
				if string(k) == "src" {
					return string(v)
				}
				if !more {
					break
				}
			}
		}
	}
}

// hasImgTag reports whether s contains "<img", in any case.
func hasImgTag(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0 && i+4 <= len(s); {
		if strings.EqualFold(s[i+1:i+4], "img") {
			return true
		}
		j := strings.IndexByte(s[i+1:], '<')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func mediaImage(exts ext.Extensions) string {
	for _, name := range []string{"thumbnail", "content"} {
		for _, e := range exts["media"][name] {
			if u := e.Attrs["url"]; u != "" && (name == "thumbnail" || e.Attrs["medium"] == "image" || strings.HasPrefix(e.Attrs["type"], "image/")) {
				return u
			}
		}
	}
	return ""
}

// pickDate prefers this package's reading of the raw date (it knows zone
// abbreviations gofeed reads as UTC) and falls back to gofeed's.
func pickDate(raw string, parsed *time.Time, lang string) (time.Time, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if parsed != nil {
			return parsed.UTC(), ""
		}
		return time.Time{}, ""
	}
	if t, ok := ParseDate(raw, zoneForLang(lang)); ok {
		return t, ""
	}
	if parsed != nil && !parsed.IsZero() {
		return parsed.UTC(), ""
	}
	return time.Time{}, raw
}

// zoneForLang guesses the time zone of a date written without one from the
// feed's language: East Asian forums write local time.
func zoneForLang(lang string) *time.Location {
	l := strings.ToLower(lang)
	switch {
	case strings.HasPrefix(l, "zh"):
		return time.FixedZone("CST", 8*3600)
	case strings.HasPrefix(l, "ja"), strings.HasPrefix(l, "ko"):
		return time.FixedZone("JST", 9*3600)
	case strings.HasPrefix(l, "vi"):
		return time.FixedZone("ICT", 7*3600)
	}
	return time.UTC
}

// resolve makes every link absolute, against xml:base, the feed's own
// address or the address it was fetched from, and drops links that are not
// http(s).
func (f *Feed) resolve(feedURL, text string) {
	bases := []string{}
	if m := xmlBaseRe.FindStringSubmatch(text[:min(len(text), 8192)]); m != nil {
		bases = append(bases, m[1])
	}
	bases = append(bases, f.selfLink, f.Link, feedURL)
	var base *url.URL
	for _, b := range bases {
		u, err := url.Parse(strings.TrimSpace(b))
		if err != nil || !u.IsAbs() {
			if base != nil && err == nil {
				base = base.ResolveReference(u)
			}
			continue
		}
		base = u
		break
	}
	// An xml:base that is itself relative resolves against the feed address.
	if len(bases) > 0 && base != nil {
		if u, err := url.Parse(strings.TrimSpace(bases[0])); err == nil && !u.IsAbs() && bases[0] != "" {
			if fu, err := url.Parse(feedURL); err == nil && fu.IsAbs() {
				base = fu.ResolveReference(u)
			}
		}
	}
	abs := func(s string) string {
		s = strings.TrimSpace(s)
		if s == "" {
			return ""
		}
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		if !u.IsAbs() {
			if base == nil {
				return ""
			}
			u = base.ResolveReference(u)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return ""
		}
		return u.String()
	}
	f.Link = abs(f.Link)
	for i := range f.Items {
		it := &f.Items[i]
		it.Link = abs(it.Link)
		it.ImageURL = abs(it.ImageURL)
	}
}

func isHTTP(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// clean trims a title-like field and collapses inner whitespace.
func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

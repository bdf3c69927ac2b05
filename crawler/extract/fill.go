package extract

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// fillMeta sets the metadata fields of res from the page's own declarations and
// the extractors' findings.
func (e *Extractor) fillMeta(res *Result, doc *html.Node, base *url.URL, meta pageMeta, cs *candidateSet) {
	res.Title = firstNonEmpty(meta.ogTitle, meta.jsonldHeadline, meta.title)
	trafAuthor, readByline := "", ""
	if cs.trafMeta != nil {
		res.Title = firstNonEmpty(cs.trafMeta.Title, res.Title)
		trafAuthor = cs.trafMeta.Author
	}
	if cs.readArt != nil {
		readByline = cs.readArt.Byline()
	}
	// A candidate that is only a date (a byline holding just a <time>) is
	// skipped, not taken for a name.
	res.Author = firstAuthor(trafAuthor, meta.jsonldAuthor, meta.author, readByline)
	res.CanonicalURL = firstNonEmpty(meta.canonical, meta.ogURL)
	res.ImageURL = firstNonEmpty(meta.image, meta.jsonldImage)
	res.Description = meta.description
	res.Lang = normLang(meta.lang)
	pageURL := ""
	if base != nil {
		pageURL = base.String()
	}
	res.Published = e.publishedDate(doc, firstNonEmpty(res.CanonicalURL, pageURL), meta)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// normLang returns the lower-case primary subtag of a declared language tag
// ("en_US" → "en"), or "" for something that is not a plausible tag.
func normLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s, "_", "-")))
	if len(s) < 2 || len(s) > 35 {
		return ""
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return ""
		}
	}
	primary, _, _ := strings.Cut(s, "-")
	return primary
}

package presssim

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"github.com/dongnai/presswatch/article"
)

// ToArticle returns it as a perfect crawler would collect it from outlet
// source of a simulator at base ("http://127.0.0.1:PORT"): canonical URL and
// ID, the outlet's metadata, and the text in NFC (for an HTML item, its text
// without scripts or styles). Collected is the publication time, so that the
// result is deterministic. Tests of later stages (classifier, index, web) use
// it to start from the corpus without crawling; Item.Truth is the expected
// verdict.
func ToArticle(it Item, source, base string) (*article.Article, error) {
	var o *outlet
	for i := range outlets {
		if outlets[i].Name == source {
			o = &outlets[i]
		}
	}
	if o == nil {
		return nil, fmt.Errorf("to article: unknown source %q", source)
	}
	section := it.Section
	if _, ok := o.Sections[section]; !ok {
		section = "news"
	}
	pub := it.Published.UTC()
	raw := fmt.Sprintf("%s/%s/%s/%s/%s.html", strings.TrimRight(base, "/"), o.Name, section, pub.Format("2006/01/02"), it.ID)
	canonical, id, err := article.IDFor(raw)
	if err != nil {
		return nil, fmt.Errorf("to article %q: %w", it.ID, err)
	}
	text := strings.Join(it.Body, "\n\n")
	if it.HTML != "" {
		text = htmlText(it.HTML)
	}
	lang := it.Lang
	if lang == "" {
		lang = o.Lang
	}
	return &article.Article{
		ID: id, URL: raw, CanonicalURL: canonical, Source: o.Name, Sources: []string{o.Name},
		Outlet: o.Outlet, Country: o.Country, Tier: 2, Lang: lang,
		Title: norm.NFC.String(it.Title), Author: norm.NFC.String(it.Author), Summary: norm.NFC.String(it.Summary),
		Text: norm.NFC.String(text), ImageURL: strings.TrimRight(base, "/") + "/" + o.Name + "/img/" + it.ID + ".gif",
		Published: pub, Collected: pub,
	}, nil
}

// htmlText returns the text of an HTML fragment, paragraphs separated by a
// blank line, without the content of script, style and similar elements.
func htmlText(frag string) string {
	z := html.NewTokenizer(strings.NewReader(frag))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "iframe", "object", "noscript", "template", "svg", "math":
				skip++
			case "p", "div", "br", "li":
				b.WriteString("\n\n")
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "iframe", "object", "noscript", "template", "svg", "math":
				if skip > 0 {
					skip--
				}
			}
		case html.TextToken:
			if skip == 0 {
				if t := strings.TrimSpace(string(z.Text())); t != "" {
					if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
						b.WriteByte(' ')
					}
					b.WriteString(t)
				}
			}
		}
	}
}

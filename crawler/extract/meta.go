package extract

import (
	"encoding/json"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxJSONLD bounds the size of one JSON-LD script that is decoded.
const maxJSONLD = 2 << 20

// pageMeta is what the page declares about itself in its head and structured data.
type pageMeta struct {
	title, ogTitle      string
	canonical, ogURL    string
	image               string
	description         string
	lang                string
	author              string
	articleBody         string // longest schema.org articleBody/text of an article object
	published           string // article:published_time, schema.org datePublished, …
	jsonldHeadline      string
	jsonldAuthor        string
	jsonldImage         string
	jsonldDatePublished string
}

// readMeta walks the tree once, reading head elements and JSON-LD scripts.
func readMeta(doc *html.Node, base *url.URL) pageMeta {
	var m pageMeta
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > 512 {
			return
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				if m.lang == "" {
					m.lang = attr(n, "lang")
					if m.lang == "" {
						m.lang = attr(n, "xml:lang")
					}
				}
			case atom.Title:
				if m.title == "" && n.FirstChild != nil && inHead(n) {
					m.title = textOf(n)
				}
			case atom.Link:
				rel := strings.ToLower(attr(n, "rel"))
				if m.canonical == "" && hasToken(rel, "canonical") {
					m.canonical = attr(n, "href")
				}
			case atom.Meta:
				readMetaTag(&m, n)
			case atom.Script:
				if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
					readJSONLD(&m, n.FirstChild.Data)
				}
				return
			case atom.Style, atom.Noscript, atom.Template:
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(doc, 0)
	m.canonical = absURL(base, m.canonical)
	m.ogURL = absURL(base, m.ogURL)
	m.image = absURL(base, m.image)
	m.jsonldImage = absURL(base, m.jsonldImage)
	return m
}

func readMetaTag(m *pageMeta, n *html.Node) {
	key := strings.ToLower(attr(n, "property"))
	if key == "" {
		key = strings.ToLower(attr(n, "name"))
	}
	if key == "" {
		key = strings.ToLower(attr(n, "itemprop"))
	}
	if he := strings.ToLower(attr(n, "http-equiv")); he == "content-language" && m.lang == "" {
		m.lang = strings.TrimSpace(strings.Split(attr(n, "content"), ",")[0])
	}
	val := strings.TrimSpace(attr(n, "content"))
	if val == "" {
		return
	}
	setIf := func(dst *string) {
		if *dst == "" {
			*dst = val
		}
	}
	switch key {
	case "og:title":
		setIf(&m.ogTitle)
	case "og:url":
		setIf(&m.ogURL)
	case "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src":
		setIf(&m.image)
	case "description", "og:description", "twitter:description":
		setIf(&m.description)
	case "author", "article:author", "byl", "dc.creator", "sailthru.author", "parsely-author":
		if !strings.HasPrefix(val, "http") {
			setIf(&m.author)
		}
	case "article:published_time", "datepublished", "og:published_time", "dc.date.issued",
		"publishdate", "pubdate", "date", "sailthru.date", "parsely-pub-date", "dcterms.created":
		setIf(&m.published)
	case "og:locale", "language", "dc.language":
		if m.lang == "" {
			m.lang = val
		}
	}
}

// readJSONLD decodes one JSON-LD script and records article fields from it.
func readJSONLD(m *pageMeta, src string) {
	if len(src) > maxJSONLD {
		return
	}
	src = strings.TrimSpace(src)
	src = strings.TrimPrefix(src, "<!--")
	src = strings.TrimSuffix(src, "-->")
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		return
	}
	visitJSONLD(m, v, 0)
}

func visitJSONLD(m *pageMeta, v any, depth int) {
	if depth > 16 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			visitJSONLD(m, e, depth+1)
		}
	case map[string]any:
		if isArticleType(x["@type"]) {
			body, _ := x["articleBody"].(string)
			if body == "" {
				body, _ = x["text"].(string)
			}
			if len(body) > len(m.articleBody) {
				m.articleBody = body
			}
			if s, ok := x["headline"].(string); ok && m.jsonldHeadline == "" {
				m.jsonldHeadline = strings.TrimSpace(s)
			}
			if s, ok := x["datePublished"].(string); ok && m.jsonldDatePublished == "" {
				m.jsonldDatePublished = strings.TrimSpace(s)
			}
			if m.jsonldAuthor == "" {
				m.jsonldAuthor = jsonldNames(x["author"], 0)
			}
			if m.jsonldImage == "" {
				m.jsonldImage = jsonldURL(x["image"], 0)
			}
		}
		for k, e := range x {
			if k == "@graph" || k == "mainEntity" || k == "mainEntityOfPage" || k == "hasPart" {
				visitJSONLD(m, e, depth+1)
			}
		}
	}
}

func isArticleType(t any) bool {
	switch x := t.(type) {
	case string:
		x = strings.ToLower(x)
		return strings.Contains(x, "article") || strings.Contains(x, "posting") ||
			x == "report" || x == "review"
	case []any:
		for _, e := range x {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

func jsonldNames(v any, depth int) string {
	if depth > 4 {
		return ""
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		if s, ok := x["name"].(string); ok {
			return strings.TrimSpace(s)
		}
	case []any:
		var names []string
		for _, e := range x {
			if s := jsonldNames(e, depth+1); s != "" {
				names = append(names, s)
			}
		}
		return strings.Join(names, ", ")
	}
	return ""
}

func jsonldURL(v any, depth int) string {
	if depth > 4 {
		return ""
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		if s, ok := x["url"].(string); ok {
			return strings.TrimSpace(s)
		}
	case []any:
		for _, e := range x {
			if s := jsonldURL(e, depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasToken(s, tok string) bool {
	for f := range strings.FieldsSeq(s) {
		if f == tok {
			return true
		}
	}
	return false
}

func inHead(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Head {
			return true
		}
		if p.DataAtom == atom.Svg || p.DataAtom == atom.Body {
			return false
		}
	}
	return false
}

// textOf returns the whitespace-collapsed text under n.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > 256 || b.Len() > 1<<16 {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return strings.Join(strings.Fields(b.String()), " ")
}

// absURL resolves ref against base; it returns "" for an unusable reference
// and ref itself when there is no base and ref is absolute.
func absURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.String()
}

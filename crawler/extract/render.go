package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// inlineTags do not break a paragraph. Every other element does (including
// trafilatura's own tag names such as "head", "item" and "quote").
var inlineTags = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true, "code": true,
	"data": true, "del": true, "dfn": true, "em": true, "font": true, "hi": true, "i": true,
	"ins": true, "kbd": true, "label": true, "mark": true, "q": true, "ref": true, "s": true,
	"samp": true, "small": true, "span": true, "strike": true, "strong": true, "sub": true,
	"sup": true, "time": true, "tt": true, "u": true, "var": true, "wbr": true, "nobr": true,
}

// skipTags hold no readable text.
var skipTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "svg": true,
	"math": true, "iframe": true, "object": true, "head": false, "img": true, "graphic": true,
	"button": true, "select": true, "textarea": true, "input": true,
}

// renderText returns the text under n with one blank line between blocks and a
// line break for <br>, whitespace collapsed inside each block.
func renderText(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > 1024 {
			return
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			tag := n.Data
			if skipTags[tag] {
				return
			}
			if tag == "br" || tag == "lb" || tag == "hr" {
				b.WriteByte('\n')
				return
			}
			if !inlineTags[tag] {
				b.WriteString("\n\n")
				defer b.WriteString("\n\n")
			} else if tag == "td" || tag == "th" || tag == "cell" {
				b.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return normalizeText(b.String())
}

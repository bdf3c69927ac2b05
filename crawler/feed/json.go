package feed

import (
	"encoding/json"
	"fmt"
	"strings"
)

// droppedWarning describes the values decodeBounded dropped, naming a few.
func droppedWarning(paths []string) string {
	const show = 5
	list := strings.Join(paths[:min(len(paths), show)], ", ")
	if len(paths) > show {
		list += fmt.Sprintf(" and %d more", len(paths)-show)
	}
	return fmt.Sprintf("JSON feed: dropped %d value(s) nested deeper than %d levels (%s); the other items were kept", len(paths), MaxJSONDepth, list)
}

// parseJSON reads JSON Feed 1.0/1.1 and Dave Winer's RSS-in-JSON, tolerating
// loosely typed fields (tags as a string, numbers as ids, missing ids).
func parseJSON(text []byte) (*Feed, error) {
	x, dropped, err := decodeBounded(text)
	if err != nil {
		return nil, fmt.Errorf("malformed JSON feed: %w", err)
	}
	doc, ok := x.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("malformed JSON feed: the document is not an object: %w", ErrNotAFeed)
	}
	var warnings []string
	if len(dropped) > 0 {
		warnings = append(warnings, droppedWarning(dropped))
	}
	if rss, ok := doc["rss"].(map[string]any); ok {
		f, err := parseRSSInJSON(rss)
		if f != nil {
			f.Warnings = append(f.Warnings, warnings...)
		}
		return f, err
	}
	v := str(doc["version"])
	if !strings.Contains(v, "jsonfeed.org") && doc["items"] == nil {
		return nil, ErrNotAFeed
	}
	f := &Feed{Title: clean(str(doc["title"])), Link: urlStr(doc["home_page_url"]), Lang: str(doc["language"]), Format: "json", selfLink: urlStr(doc["feed_url"]), Warnings: warnings}
	items, isList := doc["items"].([]any)
	if !isList && doc["items"] != nil {
		f.Warnings = append(f.Warnings, fmt.Sprintf("JSON feed: \"items\" is %s, not a list: no entries read", jsonKind(doc["items"])))
	}
	notObjects := 0
	for _, x := range items {
		m, ok := x.(map[string]any)
		if !ok {
			notObjects++
			continue
		}
		// A link is a string: a number where a URL belongs ("url": 12345)
		// is no link, not one made up from the digits.
		it := Item{
			GUID:     str(m["id"]),
			Link:     urlStr(m["url"]),
			Title:    clean(str(m["title"])),
			Summary:  str(m["summary"]),
			Content:  str(m["content_html"]),
			ImageURL: urlStr(m["image"]),
			Lang:     str(m["language"]),
		}
		if it.Link == "" {
			it.Link = urlStr(m["external_url"])
		}
		if it.Content == "" {
			it.Content = str(m["content_text"])
		}
		if it.ImageURL == "" {
			it.ImageURL = urlStr(m["banner_image"])
		}
		if a, ok := m["author"].(map[string]any); ok {
			it.Author = clean(str(a["name"]))
		}
		if as, ok := m["authors"].([]any); ok && it.Author == "" && len(as) > 0 {
			if a, ok := as[0].(map[string]any); ok {
				it.Author = clean(str(a["name"]))
			}
		}
		it.Published, it.DateText = pickDate(str(m["date_published"]), nil, f.Lang)
		it.Updated, _ = pickDate(str(m["date_modified"]), nil, f.Lang)
		if it.Published.IsZero() && it.DateText == "" {
			it.Published = it.Updated
		}
		f.Items = append(f.Items, it)
	}
	if notObjects > 0 {
		f.Warnings = append(f.Warnings, fmt.Sprintf("JSON feed: dropped %d item(s) that are not objects", notObjects))
	}
	return f, nil
}

// urlStr returns a JSON string value trimmed, and "" for any other type.
func urlStr(v any) string {
	if s, ok := v.(string); ok {
		return strings.TrimSpace(s)
	}
	return ""
}

// jsonKind names a decoded JSON value's type for a warning.
func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "another value"
}

func parseRSSInJSON(rss map[string]any) (*Feed, error) {
	ch, ok := rss["channel"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("RSS-in-JSON without a channel: %w", ErrNotAFeed)
	}
	f := &Feed{Title: clean(str(ch["title"])), Link: str(ch["link"]), Lang: str(ch["language"]), Format: "rss-in-json"}
	var items []any
	switch v := ch["item"].(type) {
	case []any:
		items = v
	case map[string]any:
		items = []any{v}
	}
	for _, x := range items {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		it := Item{
			Link:    urlStr(m["link"]),
			Title:   clean(str(m["title"])),
			Summary: str(m["description"]),
			Author:  clean(str(m["author"])),
		}
		switch g := m["guid"].(type) {
		case string:
			it.GUID = g
		case map[string]any:
			it.GUID = str(g["value"])
			if it.GUID == "" {
				it.GUID = str(g["#value"])
			}
		}
		if it.Link == "" && isHTTP(it.GUID) {
			it.Link = it.GUID
		}
		it.Published, it.DateText = pickDate(str(m["pubDate"]), nil, f.Lang)
		f.Items = append(f.Items, it)
	}
	return f, nil
}

// str returns a JSON value as a trimmed string (numbers included).
func str(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%f", x), "0"), ".")
	case json.Number:
		return x.String()
	}
	return ""
}

package presssim

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"
)

// Every render* method is called with s.mu held; it snapshots what it needs
// and returns a renderer that runs without the lock.

const (
	feedItems    = 50 // items in a feed
	listingItems = 20 // items per section page
)

var esc = html.EscapeString

// badDate formats t the way a careless CMS does, varying with i: some can
// be recovered by a lenient parser, some are not dates at all.
func badDate(t time.Time, i int) string {
	switch i % 6 {
	case 0:
		return t.Format("Mon, Jan 2 2006 03:04:05 PM")
	case 1:
		return t.Format("2006/1/2 15:04:05")
	case 2:
		it := []string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}
		return fmt.Sprintf("%d %s %d", t.Day(), it[t.Month()-1], t.Year())
	case 3:
		return "Thứ " + []string{"CN", "hai", "ba", "tư", "năm", "sáu", "bảy"}[t.Weekday()] + ", " + t.Format("02/01/2006 - 15:04")
	case 4:
		return "not a date"
	default:
		return ""
	}
}

func (rc renderCtx) date(t time.Time, layout string, i int) string {
	if rc.badDates {
		return badDate(t, i)
	}
	return t.UTC().Format(layout)
}

func xmlDecl(rc renderCtx) string {
	if rc.charset == "" {
		return `<?xml version="1.0"?>` + "\n"
	}
	return `<?xml version="1.0" encoding="` + rc.charset + `"?>` + "\n"
}

// snapshot returns up to n of src's entries, newest first, optionally of one
// section, skipping the first skip.
func snapshot(src *source, section string, skip, n int) []*entry {
	var out []*entry
	for _, e := range src.entries {
		if section != "" && e.Section != section {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, e)
		if len(out) == n {
			break
		}
	}
	return out
}

// link returns the URL the outlet advertises for e: tracked outlets add
// campaign parameters, as real CMSs do.
func (rc renderCtx) link(src *source, e *entry, medium string) string {
	u := rc.base + e.path
	if src.Tracking {
		u += "?utm_source=" + medium + "&utm_medium=referral&utm_campaign=presssim"
		if medium == "homepage" {
			u += "&fbclid=IwAR0sim" + e.ID
		}
	}
	return u
}

// bodyHTML returns e's article body as HTML paragraphs (or its raw HTML).
func bodyHTML(e *entry) string {
	if e.HTML != "" {
		return e.HTML
	}
	var b strings.Builder
	for _, p := range e.Body {
		b.WriteString("<p>")
		b.WriteString(esc(p))
		b.WriteString("</p>\n")
	}
	return b.String()
}

func cdata(s string) string {
	return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
}

func (s *Server) renderRSS(src *source) renderer {
	items, mod := snapshot(src, "", 0, feedItems), src.modified
	return func(rc renderCtx) doc {
		var b strings.Builder
		b.WriteString(xmlDecl(rc))
		b.WriteString(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">` + "\n<channel>\n")
		base := rc.base + "/" + src.Name
		fmt.Fprintf(&b, "<title>%s</title>\n<link>%s/</link>\n<description>%s</description>\n<language>%s</language>\n",
			esc(src.Outlet), base, esc(src.Tagline), src.Lang)
		fmt.Fprintf(&b, "<atom:link href=\"%s/rss.xml\" rel=\"self\" type=\"application/rss+xml\"/>\n", base)
		fmt.Fprintf(&b, "<lastBuildDate>%s</lastBuildDate>\n<generator>presssim</generator>\n<ttl>5</ttl>\n", rc.date(mod, time.RFC1123Z, 0))
		for i, e := range items {
			b.WriteString("<item>\n")
			fmt.Fprintf(&b, "<title>%s</title>\n<link>%s</link>\n<guid isPermaLink=\"false\">%s:%s</guid>\n",
				esc(e.Title), esc(rc.link(src, e, "rss")), src.Name, e.ID)
			fmt.Fprintf(&b, "<pubDate>%s</pubDate>\n", rc.date(e.published, time.RFC1123Z, i))
			if e.Author != "" {
				fmt.Fprintf(&b, "<dc:creator>%s</dc:creator>\n", esc(e.Author))
			}
			fmt.Fprintf(&b, "<category>%s</category>\n", esc(src.Sections[e.Section]))
			for _, t := range e.Tags {
				fmt.Fprintf(&b, "<category>%s</category>\n", esc(t))
			}
			fmt.Fprintf(&b, "<description>%s</description>\n", esc(e.Summary))
			fmt.Fprintf(&b, "<content:encoded>%s</content:encoded>\n", cdata(bodyHTML(e)))
			fmt.Fprintf(&b, "<media:content url=\"%s/img/%s.gif\" medium=\"image\"/>\n", base, e.ID)
			b.WriteString("</item>\n")
		}
		b.WriteString("</channel>\n</rss>\n")
		return doc{ctype: "application/rss+xml", body: []byte(b.String()), mod: mod}
	}
}

func (s *Server) renderAtom(src *source) renderer {
	items, mod := snapshot(src, "", 0, feedItems), src.modified
	return func(rc renderCtx) doc {
		var b strings.Builder
		b.WriteString(xmlDecl(rc))
		base := rc.base + "/" + src.Name
		fmt.Fprintf(&b, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n", src.Lang)
		fmt.Fprintf(&b, "<title>%s</title>\n<subtitle>%s</subtitle>\n<id>%s/</id>\n<updated>%s</updated>\n",
			esc(src.Outlet), esc(src.Tagline), base, rc.date(mod, time.RFC3339, 0))
		fmt.Fprintf(&b, "<link rel=\"self\" href=\"%s/atom.xml\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"%s/\"/>\n", base, base)
		for i, e := range items {
			b.WriteString("<entry>\n")
			fmt.Fprintf(&b, "<title>%s</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"%s\"/>\n<id>tag:presssim,2025:%s:%s</id>\n",
				esc(e.Title), esc(rc.link(src, e, "atom")), src.Name, e.ID)
			fmt.Fprintf(&b, "<published>%s</published>\n<updated>%s</updated>\n",
				rc.date(e.published, time.RFC3339, i), rc.date(e.published, time.RFC3339, i+1))
			if e.Author != "" {
				fmt.Fprintf(&b, "<author><name>%s</name></author>\n", esc(e.Author))
			}
			fmt.Fprintf(&b, "<category term=\"%s\"/>\n", esc(src.Sections[e.Section]))
			fmt.Fprintf(&b, "<summary type=\"html\">%s</summary>\n", esc(e.Summary))
			fmt.Fprintf(&b, "<content type=\"html\">%s</content>\n", esc(bodyHTML(e)))
			b.WriteString("</entry>\n")
		}
		b.WriteString("</feed>\n")
		return doc{ctype: "application/atom+xml", body: []byte(b.String()), mod: mod}
	}
}

// jsonFeed is JSON Feed 1.1 (https://jsonfeed.org/version/1.1).
type jsonFeed struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url"`
	FeedURL     string         `json:"feed_url"`
	Description string         `json:"description,omitempty"`
	Language    string         `json:"language,omitempty"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonFeedItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	Title         string           `json:"title"`
	Summary       string           `json:"summary,omitempty"`
	ContentHTML   string           `json:"content_html,omitempty"`
	Image         string           `json:"image,omitempty"`
	DatePublished string           `json:"date_published,omitempty"`
	Authors       []jsonFeedAuthor `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
	Language      string           `json:"language,omitempty"`
}

type jsonFeedAuthor struct {
	Name string `json:"name"`
}

func (s *Server) renderJSONFeed(src *source) renderer {
	items, mod := snapshot(src, "", 0, feedItems), src.modified
	return func(rc renderCtx) doc {
		base := rc.base + "/" + src.Name
		f := jsonFeed{Version: "https://jsonfeed.org/version/1.1", Title: src.Outlet, HomePageURL: base + "/",
			FeedURL: base + "/feed.json", Description: src.Tagline, Language: src.Lang, Items: []jsonFeedItem{}}
		for i, e := range items {
			it := jsonFeedItem{ID: src.Name + ":" + e.ID, URL: rc.link(src, e, "jsonfeed"), Title: e.Title, Summary: e.Summary,
				ContentHTML: bodyHTML(e), Image: base + "/img/" + e.ID + ".gif",
				DatePublished: rc.date(e.published, time.RFC3339, i), Tags: e.Tags, Language: e.Lang}
			if e.Author != "" {
				it.Authors = []jsonFeedAuthor{{Name: e.Author}}
			}
			f.Items = append(f.Items, it)
		}
		body, err := json.MarshalIndent(f, "", " ")
		if err != nil { // cannot happen with these types; serve an empty feed rather than panic
			body = []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"error","items":[]}`)
		}
		return doc{ctype: "application/feed+json", body: body, mod: mod, noDecl: true}
	}
}

func (s *Server) renderSitemap(src *source) renderer {
	items, mod := snapshot(src, "", 0, 50000), src.modified
	return func(rc renderCtx) doc {
		var b strings.Builder
		b.WriteString(xmlDecl(rc))
		b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		base := rc.base + "/" + src.Name
		fmt.Fprintf(&b, "<url><loc>%s/</loc><lastmod>%s</lastmod><changefreq>hourly</changefreq></url>\n", base, rc.date(mod, time.RFC3339, 0))
		for _, sec := range sectionOrder {
			fmt.Fprintf(&b, "<url><loc>%s/%s/</loc><changefreq>hourly</changefreq></url>\n", base, sec)
		}
		for i, e := range items {
			fmt.Fprintf(&b, "<url><loc>%s</loc><lastmod>%s</lastmod></url>\n", esc(rc.base+e.path), rc.date(e.published, time.RFC3339, i))
		}
		b.WriteString("</urlset>\n")
		return doc{ctype: "application/xml", body: []byte(b.String()), mod: mod}
	}
}

// renderNewsSitemap writes a Google News sitemap. Google asks for the last two
// days only; the simulator lists the newest 1,000 items whatever their age so
// that tests with an old corpus still see entries.
func (s *Server) renderNewsSitemap(src *source) renderer {
	items, mod := snapshot(src, "", 0, 1000), src.modified
	return func(rc renderCtx) doc {
		var b strings.Builder
		b.WriteString(xmlDecl(rc))
		b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">` + "\n")
		for i, e := range items {
			fmt.Fprintf(&b, "<url>\n<loc>%s</loc>\n<news:news>\n<news:publication><news:name>%s</news:name><news:language>%s</news:language></news:publication>\n",
				esc(rc.base+e.path), esc(src.Outlet), e.Lang)
			fmt.Fprintf(&b, "<news:publication_date>%s</news:publication_date>\n<news:title>%s</news:title>\n</news:news>\n</url>\n",
				rc.date(e.published, time.RFC3339, i), esc(e.Title))
		}
		b.WriteString("</urlset>\n")
		return doc{ctype: "application/xml", body: []byte(b.String()), mod: mod}
	}
}

func (s *Server) renderSitemapIndex() renderer {
	names := append([]string(nil), s.order...)
	var mod time.Time
	for _, n := range names {
		if m := s.sources[n].modified; m.After(mod) {
			mod = m
		}
	}
	return func(rc renderCtx) doc {
		var b strings.Builder
		b.WriteString(xmlDecl(rc))
		b.WriteString(`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		for _, n := range names {
			fmt.Fprintf(&b, "<sitemap><loc>%s/%s/sitemap.xml</loc></sitemap>\n<sitemap><loc>%s/%s/news-sitemap.xml</loc></sitemap>\n", rc.base, n, rc.base, n)
		}
		b.WriteString("</sitemapindex>\n")
		return doc{ctype: "application/xml", body: []byte(b.String()), mod: mod}
	}
}

func (s *Server) renderRobots(src *source) renderer {
	disallow := src.fault != nil && src.fault.f.Kind == FaultRobotsDisallow
	mod := src.modified
	return func(rc renderCtx) doc {
		var b strings.Builder
		b.WriteString("User-agent: *\n")
		if disallow {
			b.WriteString("Disallow: /\n")
		} else {
			b.WriteString("Disallow: /" + src.Name + "/search\nAllow: /\n")
		}
		fmt.Fprintf(&b, "\nSitemap: %s/%s/sitemap.xml\nSitemap: %s/%s/news-sitemap.xml\n", rc.base, src.Name, rc.base, src.Name)
		return doc{ctype: "text/plain", body: []byte(b.String()), mod: mod, noDecl: true}
	}
}

// renderGlobalRobots is the host's robots.txt: it disallows the prefix of
// every source with a robots_disallow fault, since all outlets share a host.
func (s *Server) renderGlobalRobots() renderer {
	var blocked []string
	var mod time.Time
	for _, n := range s.order {
		src := s.sources[n]
		if src.fault != nil && src.fault.f.Kind == FaultRobotsDisallow {
			blocked = append(blocked, n)
		}
		if src.modified.After(mod) {
			mod = src.modified
		}
	}
	names := append([]string(nil), s.order...)
	return func(rc renderCtx) doc {
		var b strings.Builder
		b.WriteString("User-agent: *\nDisallow: /_sim/\n")
		for _, n := range blocked {
			b.WriteString("Disallow: /" + n + "/\n")
		}
		b.WriteString("\n")
		for _, n := range names {
			fmt.Fprintf(&b, "Sitemap: %s/%s/sitemap.xml\n", rc.base, n)
		}
		return doc{ctype: "text/plain", body: []byte(b.String()), mod: mod, noDecl: true}
	}
}

func (s *Server) renderIndex() renderer {
	type row struct{ name, outlet, lang, country string }
	var rows []row
	var mod time.Time
	for _, n := range s.order {
		src := s.sources[n]
		rows = append(rows, row{n, src.Outlet, src.Lang, src.Country})
		if src.modified.After(mod) {
			mod = src.modified
		}
	}
	farm := 0
	if s.farm != nil {
		farm = s.farm.n
	}
	return func(rc renderCtx) doc {
		var b strings.Builder
		b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head>")
		if rc.charset != "" {
			b.WriteString(`<meta charset="` + rc.charset + `">`)
		}
		b.WriteString("<title>presssim — simulated foreign press</title></head><body>\n<h1>presssim</h1>\n<p>A simulated foreign press for presswatch tests. Nothing here is real news.</p>\n<table>\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "<tr><td><a href=\"/%s/\">%s</a></td><td>%s</td><td>%s</td><td><a href=\"/%s/rss.xml\">RSS</a> <a href=\"/%s/atom.xml\">Atom</a> <a href=\"/%s/feed.json\">JSON</a> <a href=\"/%s/sitemap.xml\">sitemap</a></td></tr>\n",
				r.name, esc(r.outlet), r.lang, r.country, r.name, r.name, r.name, r.name)
		}
		fmt.Fprintf(&b, "</table>\n<p>Feed farm: %d feeds at /farm/{i}/feed.xml. Control: /_sim/state.</p>\n</body></html>\n", farm)
		return doc{ctype: "text/html", body: []byte(b.String()), mod: mod}
	}
}

// pageHead writes the common start of an outlet's HTML page.
func pageHead(b *strings.Builder, rc renderCtx, src *source, title string, extra string) {
	b.WriteString("<!DOCTYPE html>\n<html lang=\"" + src.Lang + "\">\n<head>\n")
	if rc.charset != "" {
		b.WriteString(`<meta charset="` + rc.charset + `">` + "\n")
	}
	fmt.Fprintf(b, "<title>%s</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", esc(title))
	b.WriteString(extra)
	base := rc.base + "/" + src.Name
	fmt.Fprintf(b, "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"RSS\" href=\"%s/rss.xml\">\n", base)
	b.WriteString("<link rel=\"stylesheet\" href=\"/" + src.Name + "/static/site.css\">\n")
	b.WriteString("<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());gtag('config','G-SIM0000');</script>\n")
	b.WriteString("</head>\n<body>\n")
	c := chromeFor(src.Lang)
	fmt.Fprintf(b, "<div class=\"topbar\"><a href=\"%s/newsletter\">%s</a> · <a href=\"%s/login\">%s</a></div>\n", base, esc(c.Subscribe), base, esc(c.LoginToComment))
	fmt.Fprintf(b, "<header class=\"site-header\"><a class=\"logo\" href=\"%s/\">%s</a><p class=\"tagline\">%s</p></header>\n", base, esc(src.Outlet), esc(src.Tagline))
	fmt.Fprintf(b, "<nav class=\"main-nav\"><ul><li><a href=\"%s/\">%s</a></li>", base, esc(c.Home))
	for _, sec := range sectionOrder {
		fmt.Fprintf(b, "<li><a href=\"%s/%s/\">%s</a></li>", base, sec, esc(src.Sections[sec]))
	}
	b.WriteString("</ul></nav>\n")
	fmt.Fprintf(b, "<div class=\"ad ad-leaderboard\"><span>%s</span><a href=\"https://ads.presssim.invalid/click?c=leader\" rel=\"sponsored\"><img src=\"%s/img/ad-leader.gif\" alt=\"\"></a></div>\n", esc(c.Advert), base)
}

// pageFoot writes the end of an outlet's HTML page, with a most-read box.
func pageFoot(b *strings.Builder, rc renderCtx, src *source, mostRead []*entry) {
	c := chromeFor(src.Lang)
	base := rc.base + "/" + src.Name
	fmt.Fprintf(b, "<aside class=\"sidebar most-read\"><h2>%s</h2><ol>\n", esc(c.MostRead))
	for _, e := range mostRead {
		fmt.Fprintf(b, "<li><a href=\"%s\">%s</a></li>\n", esc(rc.link(src, e, "mostread")), esc(e.Title))
	}
	b.WriteString("</ol></aside>\n")
	fmt.Fprintf(b, "<div class=\"ad ad-sidebar\"><span>%s</span><iframe src=\"https://ads.presssim.invalid/frame?slot=side\" width=\"300\" height=\"250\" title=\"ad\"></iframe></div>\n", esc(c.Advert))
	fmt.Fprintf(b, "<footer class=\"site-footer\"><p>© %d %s. %s %s.</p><ul><li><a href=\"%s/about\">About</a></li><li><a href=\"%s/contact\">Contact</a></li><li><a href=\"%s/privacy\">Privacy</a></li></ul></footer>\n",
		2026, esc(src.Outlet), esc(c.Copyright), esc(src.Outlet), base, base, base)
	b.WriteString("</body>\n</html>\n")
}

func (s *Server) renderListing(src *source, section string, page int) renderer {
	items := snapshot(src, section, page*listingItems, listingItems+1)
	more := len(items) > listingItems
	if more {
		items = items[:listingItems]
	}
	mostRead := snapshot(src, "", 0, 5)
	mod := src.modified
	return func(rc renderCtx) doc {
		var b strings.Builder
		title := src.Outlet
		if section != "" {
			title = src.Sections[section] + " | " + src.Outlet
		}
		base := rc.base + "/" + src.Name
		pageHead(&b, rc, src, title, "")
		b.WriteString("<main class=\"listing\">\n")
		if section != "" {
			fmt.Fprintf(&b, "<h1>%s</h1>\n", esc(src.Sections[section]))
		}
		for i, e := range items {
			fmt.Fprintf(&b, "<article class=\"teaser\"><h2><a href=\"%s\">%s</a></h2><time datetime=\"%s\">%s</time><p>%s</p></article>\n",
				esc(rc.link(src, e, "homepage")), esc(e.Title), rc.date(e.published, time.RFC3339, i), e.published.Format("02/01/2006 15:04"), esc(e.Summary))
		}
		if more && section != "" {
			fmt.Fprintf(&b, "<nav class=\"pager\"><a rel=\"next\" href=\"%s/%s/page/%d/\">»</a></nav>\n", base, section, page+2)
		}
		b.WriteString("</main>\n")
		pageFoot(&b, rc, src, mostRead)
		return doc{ctype: "text/html", body: []byte(b.String()), mod: mod}
	}
}

func (s *Server) renderArticle(src *source, e *entry) renderer {
	var related []*entry
	for _, x := range src.entries {
		if x != e && len(related) < 4 {
			related = append(related, x)
		}
	}
	mostRead := snapshot(src, "", 0, 5)
	return func(rc renderCtx) doc {
		c := chromeFor(src.Lang)
		canonical := canonicalOf(rc.base + e.path)
		base := rc.base + "/" + src.Name
		img := base + "/img/" + e.ID + ".gif"
		pub := rc.date(e.published, time.RFC3339, 0)
		var meta strings.Builder
		fmt.Fprintf(&meta, "<meta name=\"description\" content=\"%s\">\n", esc(e.Summary))
		if e.Author != "" {
			fmt.Fprintf(&meta, "<meta name=\"author\" content=\"%s\">\n", esc(e.Author))
		}
		fmt.Fprintf(&meta, "<meta property=\"og:type\" content=\"article\">\n<meta property=\"og:site_name\" content=\"%s\">\n<meta property=\"og:title\" content=\"%s\">\n<meta property=\"og:description\" content=\"%s\">\n<meta property=\"og:url\" content=\"%s\">\n<meta property=\"og:image\" content=\"%s\">\n<meta property=\"og:locale\" content=\"%s\">\n",
			esc(src.Outlet), esc(e.Title), esc(e.Summary), esc(canonical), esc(img), e.Lang)
		fmt.Fprintf(&meta, "<meta property=\"article:published_time\" content=\"%s\">\n<meta property=\"article:section\" content=\"%s\">\n", esc(pub), esc(src.Sections[e.Section]))
		fmt.Fprintf(&meta, "<link rel=\"canonical\" href=\"%s\">\n", esc(canonical))
		ld, _ := json.Marshal(map[string]any{
			"@context": "https://schema.org", "@type": "NewsArticle", "headline": e.Title, "datePublished": pub,
			"author": map[string]string{"@type": "Person", "name": e.Author}, "inLanguage": e.Lang,
			"publisher": map[string]string{"@type": "Organization", "name": src.Outlet}, "mainEntityOfPage": canonical,
		})
		fmt.Fprintf(&meta, "<script type=\"application/ld+json\">%s</script>\n", strings.ReplaceAll(string(ld), "</", `<\/`))

		var b strings.Builder
		pageHead(&b, rc, src, e.Title+" | "+src.Outlet, meta.String())
		b.WriteString("<main>\n<article class=\"story\">\n")
		fmt.Fprintf(&b, "<nav class=\"breadcrumb\"><a href=\"%s/\">%s</a> › <a href=\"%s/%s/\">%s</a></nav>\n",
			base, esc(c.Home), base, e.Section, esc(src.Sections[e.Section]))
		fmt.Fprintf(&b, "<h1 class=\"headline\">%s</h1>\n", esc(e.Title))
		b.WriteString("<div class=\"byline\">")
		if e.Author != "" {
			fmt.Fprintf(&b, "%s <span class=\"author\" rel=\"author\">%s</span> · ", esc(c.By), esc(e.Author))
		}
		fmt.Fprintf(&b, "<time class=\"published\" datetime=\"%s\">%s</time></div>\n", esc(pub), e.published.Format("02/01/2006 15:04 UTC"))
		if e.Summary != "" {
			fmt.Fprintf(&b, "<p class=\"lead\"><strong>%s</strong></p>\n", esc(e.Summary))
		}
		fmt.Fprintf(&b, "<figure class=\"lead-image\"><img src=\"%s\" alt=\"%s\" width=\"800\" height=\"450\"></figure>\n", esc(img), esc(e.Title))
		b.WriteString("<div class=\"article-body\">\n")
		if e.HTML != "" {
			b.WriteString(e.HTML)
		} else {
			for i, p := range e.Body {
				fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
				if i == 1 && len(e.Body) > 3 {
					fmt.Fprintf(&b, "<div class=\"ad ad-inline\"><span>%s</span><a href=\"https://ads.presssim.invalid/click?c=inline\" rel=\"sponsored\">%s</a></div>\n", esc(c.Advert), esc(c.Subscribe))
				}
			}
		}
		b.WriteString("</div>\n")
		if len(e.Tags) > 0 {
			b.WriteString("<ul class=\"tags\">")
			for _, t := range e.Tags {
				fmt.Fprintf(&b, "<li>%s</li>", esc(t))
			}
			b.WriteString("</ul>\n")
		}
		fmt.Fprintf(&b, "<div class=\"share\">%s: <a href=\"https://facebook.invalid/sharer?u=%s\">Facebook</a> <a href=\"https://x.invalid/intent?url=%s\">X</a></div>\n",
			esc(c.Share), esc(canonical), esc(canonical))
		b.WriteString("</article>\n")
		fmt.Fprintf(&b, "<aside class=\"related\"><h2>%s</h2><ul>\n", esc(c.Related))
		for _, x := range related {
			fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", esc(rc.link(src, x, "related")), esc(x.Title))
		}
		b.WriteString("</ul></aside>\n")
		fmt.Fprintf(&b, "<section class=\"comments\" id=\"comments\"><h2>%s (%d)</h2>\n", esc(c.Comments), len(c.Comment))
		for i, cm := range c.Comment {
			fmt.Fprintf(&b, "<div class=\"comment\"><b class=\"user\">reader%d</b><p>%s</p><a href=\"#comments\">%s</a></div>\n", 100+i*37, esc(cm), esc(c.Reply))
		}
		fmt.Fprintf(&b, "<p><a href=\"%s/login\">%s</a></p></section>\n</main>\n", base, esc(c.LoginToComment))
		pageFoot(&b, rc, src, mostRead)
		return doc{ctype: "text/html", body: []byte(b.String()), mod: e.published}
	}
}

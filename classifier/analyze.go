package classifier

import (
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/textnorm"
	"github.com/dongnai/presswatch/query"
)

// leadBodyTokens is how many body tokens count as the lead: about the first
// paragraph of a news story (for CJK, where every character is a token,
// about two sentences).
const leadBodyTokens = 80

// analysis holds everything computed from one article in one pass.
type analysis struct {
	a      *article.Article
	full   string // title + "\n\n" + text: entity offsets point into it
	folded string
	offs   []int
	// clean is the pre-normalised full text and cleanOffs maps folded bytes
	// into it (nil: offs does, clean is full); marked says whether it is
	// written with diacritics (0 not decided yet, 1 yes, -1 no). See
	// spelledAs.
	clean     string
	cleanOffs []int
	marked    int8
	toks      []textnorm.Token
	titleToks int // tokens [0, titleToks) are the title's
	titleLen  int // full[:titleLen] is the title
	// foldedTitleLen: folded[:foldedTitleLen] is the folded title.
	foldedTitleLen int
	// titleTerms: without pre-normalisation, the scratch's terms (sc.terms)
	// are the query document's, the first titleTerms the title's.
	titleTerms int
	// prenormed: pre-normalisation changed the text, so folded is not the
	// folding of full (offs still map into full).
	prenormed bool
	lang      string
	published time.Time // published, or now when unknown
	undated   bool      // the article gave no date: published is now
	sentence  []int     // sentence number of each token

	gaz []hit
	lex []hit

	dn        []dnHit // counted mentions of the province
	former    []dnHit // former-territory matches before it joined
	otherHits map[int32]*otherCount
	mentions  bool
	about     bool
	relevance float64
	implicit  string // the implicit rule that made it about the province
	dnScore   float64
	otherMax  float64

	doc           *tokDoc
	topics        []string
	topicsPartial []string // topics with some but fewer than min_hits alternatives matched
	// topicScanned[t] is how many of topic t's alternatives the rules
	// evaluated before they stopped at min_hits, and topicAltHits the
	// (topic, alternative) pairs that matched among them: topicCounts goes
	// on from there instead of matching them again.
	topicScanned     []int
	topicAltHits     [][2]int32
	tone             string
	toneSc           float64
	tonePos, toneNeg float64
	hedges           []hit
	alarms           []hit
	concerns         []concernHit // concerns.yaml entries found (about or mentions only)

	sc *scratch // working buffers, given back by release
}

type dnHit struct {
	h       hit
	entry   *gazEntry
	inTitle bool
}

type otherCount struct {
	n       int
	inTitle bool
	score   float64
}

func (an *analysis) span(h hit) (start, end int) {
	s := an.toks[h.tok].Start
	e := an.toks[h.tok+h.ref.n-1].End
	return an.offs[s], an.offs[e]
}

// spelledAs implements speller over the pre-normalised text: a text
// written with diacritics (textnorm.CountMarked, WrittenWithMarks) must
// spell a token as given; one written without them matches folded.
func (an *analysis) spelledAs(tok int, spelling string) bool {
	offs := an.cleanOffs
	if offs == nil {
		offs = an.offs
	}
	word := func(t textnorm.Token) string { return an.clean[offs[t.Start]:offs[t.End]] }
	if an.writtenWithMarks() < 0 {
		return true
	}
	return textnorm.SpelledAs(word(an.toks[tok]), spelling)
}

// writtenWithMarks decides an.marked, once: 1 when the pre-normalised text
// is written with diacritics, else -1.
func (an *analysis) writtenWithMarks() int8 {
	if an.marked == 0 {
		an.marked = -1
		if textnorm.WrittenWithMarks(textnorm.CountMarked(an.clean)) {
			an.marked = 1
		}
	}
	return an.marked
}

func (an *analysis) text(h hit) string {
	s, e := an.span(h)
	return an.full[s:e]
}

// MaxTextBytes bounds what the analysis of one article reads: the text's
// (or summary's) first 256 KiB, and as much of the title, cut at a
// character boundary. The longest news articles are under 100 KB of text;
// the bound is for what is not an article (a log, a list page, a hostile
// line), whose analysis would otherwise take about 100 times its size in
// memory (tokens, terms, hits) and a CPU-second per megabyte. Entities and
// reasons point into the part read, and their offsets into title + "\n\n"
// + text stay true: a title that had to be cut is read without the text.
const MaxTextBytes = 256 << 10

// cutUTF8 returns s cut to at most max bytes, at a character boundary.
func cutUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

func (e *Engine) analyze(r *Rules, a *article.Article) *analysis {
	body := a.Text
	if body == "" {
		body = a.Summary
	}
	title := a.Title
	if len(title) > MaxTextBytes {
		title, body = cutUTF8(title, MaxTextBytes), ""
	}
	body = cutUTF8(body, MaxTextBytes)
	if !utf8.ValidString(title) || !utf8.ValidString(body) {
		title, body = strings.ToValidUTF8(title, "\uFFFD"), strings.ToValidUTF8(body, "\uFFFD")
	}
	an := &analysis{a: a, full: title + "\n\n" + body, titleLen: len(title), sc: scratchPool.Get().(*scratch)}
	// Pre-normalisation (prenorm.go) undoes evasive spellings; offsets are
	// mapped back so that entities point into the original text.
	clean, cmap := prenormalize(an.full)
	an.folded, an.offs = textnorm.AppendFoldMap(an.sc.offs[:0], clean)
	an.clean = clean
	if cmap != nil {
		an.cleanOffs = slices.Clone(an.offs)
		for i, o := range an.offs {
			an.offs[i] = cmap[o]
		}
	}
	an.prenormed = cmap != nil
	if an.prenormed {
		an.toks = textnorm.AppendTokens(an.sc.toks[:0], an.folded)
		cleanTitle, _ := prenormalize(title)
		an.foldedTitleLen = len(textnorm.Fold(cleanTitle))
	} else {
		// The title folds to the folded bytes that come from it: those before
		// the first byte mapped to the line break after it.
		an.foldedTitleLen = sort.SearchInts(an.offs, len(title))
		// The query document's terms (buildDoc) and the tokens come from
		// one pass over the folded text.
		an.titleTerms, an.toks = analyzeFolded(an.sc, an.folded, an.offs, an.titleLen, an.foldedTitleLen, true)
	}
	for an.titleToks < len(an.toks) && an.toks[an.titleToks].Start < an.foldedTitleLen {
		an.titleToks++
	}
	an.lang = e.det.Detect(prefixAfter(body, 0), a.Lang)
	if an.lang == "" {
		an.lang = a.Lang
	}
	an.published = a.Published
	an.undated = an.published.IsZero()
	if an.undated {
		an.published = e.opts.Now()
	}
	an.sentences()
	an.gaz, an.lex = r.trie.scan(an.toks, an.folded, an.lang, an, an.sc.gaz[:0], an.sc.lex[:0])
	an.relevanceOf(r)
	an.buildDoc(r)
	if !an.mentions {
		for _, im := range r.implied {
			if im.query.Match(an.doc) {
				an.about, an.relevance, an.implicit = true, 0.5, im.ID
				an.doc.numbers["relevance"] = an.relevance
				an.doc.addKeyword("entity", im.Canonical)
				break
			}
		}
	}
	an.topicScanned = make([]int, len(r.topics))
	for ti, t := range r.topics {
		hits := 0
		for i, alt := range t.alts {
			an.topicScanned[ti] = i + 1
			if alt.Match(an.doc) {
				an.topicAltHits = append(an.topicAltHits, [2]int32{int32(ti), int32(i)})
				if hits++; hits >= t.MinHits {
					an.topics = append(an.topics, t.Name)
					break
				}
			}
		}
		if hits > 0 && hits < t.MinHits {
			an.topicsPartial = append(an.topicsPartial, t.Name)
		}
	}
	if an.mentions || an.about {
		an.concerns = findConcerns(r.concerns, an.doc)
	}
	an.toneOf(r)
	return an
}

// concernHit is one concern found and the alternatives of its query that
// matched (as query text, for the reason an officer reads).
type concernHit struct {
	idx   int
	terms []string
}

func findConcerns(cs []topic, d query.Doc) []concernHit {
	var out []concernHit
	var seen []string // the folded terms of the concern's hits (a few)
	for i := range cs {
		var terms []string
		seen = seen[:0]
		for j, alt := range cs[i].alts {
			if alt.Match(d) {
				f := cs[i].altFolded[j]
				if slices.Contains(seen, f) {
					continue // "ngưng việc" and "ngừng việc" fold alike: one word to the officer
				}
				seen = append(seen, f)
				terms = append(terms, cs[i].altTerms[j])
				if len(terms) >= max(3, cs[i].MinHits) {
					break // enough to decide and to show the officer
				}
			}
		}
		if len(terms) >= cs[i].MinHits {
			out = append(out, concernHit{idx: i, terms: terms})
		}
	}
	return out
}

// prefixAfter returns text; detection takes its own prefix.
func prefixAfter(s string, _ int) string { return s }

// sentences numbers the sentence of every token: a sentence ends at . ! ?
// and their CJK forms, and at line breaks.
func (an *analysis) sentences() {
	an.sentence = slices.Grow(an.sc.sentence[:0], len(an.toks))[:len(an.toks)]
	sent := 0
	prevEnd := 0
	for i, t := range an.toks {
		gap := an.folded[prevEnd:t.Start]
		if i > 0 && endsSentence(gap) {
			sent++
		}
		if i == an.titleToks && i > 0 {
			sent++
		}
		an.sentence[i] = sent
		prevEnd = t.End
	}
}

// sentenceEnds are the characters that end a sentence.
const sentenceEnds = ".!?\n。！？;；"

// endsSentence is strings.ContainsAny(gap, sentenceEnds) without decoding
// the ASCII bytes (a gap between words is most often one space).
func endsSentence(gap string) bool {
	for i := 0; i < len(gap); i++ {
		switch c := gap[i]; {
		case c == '.' || c == '!' || c == '?' || c == '\n' || c == ';':
			return true
		case c >= utf8.RuneSelf:
			return strings.ContainsAny(gap[i:], sentenceEnds)
		}
	}
	return false
}

func (an *analysis) relevanceOf(r *Rules) {
	an.otherHits = map[int32]*otherCount{}
	unambiguous := false
	candidates := an.sc.candidates[:0]
	defer func() { an.sc.candidates = candidates[:0] }()
	an.dn = an.sc.dn[:0]
	// An undated page that names the former territory's abolished units
	// was written before it joined (premerger.go).
	preMerger := an.undated && an.namesAbolishedUnit(r)
	for _, h := range an.gaz {
		inTitle := h.tok < an.titleToks
		switch h.ref.kind {
		case gazAlias:
			ent := &r.entries[h.ref.idx]
			d := dnHit{h: h, entry: ent, inTitle: inTitle}
			if !ent.Since.IsZero() && (an.published.Before(ent.Since) || preMerger) {
				an.former = append(an.former, d)
				continue
			}
			candidates = append(candidates, d)
			if !ent.Ambiguous && ent.Mention {
				unambiguous = true
			}
		case gazOther:
			oc := an.otherHits[h.ref.idx]
			if oc == nil {
				oc = &otherCount{}
				an.otherHits[h.ref.idx] = oc
			}
			oc.n++
			w := 1.0
			if inTitle {
				oc.inTitle = true
				w = 3
			}
			oc.score += w
		}
	}
	perCanon := map[string]float64{}
	half := an.titleToks + (len(an.toks)-an.titleToks)/2
	for _, d := range candidates {
		if d.entry.Ambiguous && !unambiguous {
			continue
		}
		if !d.entry.Mention && !unambiguous {
			continue
		}
		an.dn = append(an.dn, d)
		if d.entry.Mention {
			an.mentions = true
		}
		w := d.entry.Weight
		switch d.entry.Kind {
		case "landmark":
			w *= 1.7 // a story about a facility in the province is about it
		case "company":
			if !d.entry.Mention {
				w *= 0.1
			}
		}
		switch {
		case d.inTitle:
			w *= 3
		case d.h.tok < an.titleToks+leadBodyTokens:
			w *= 1.5
		case d.h.tok >= half && d.entry.Kind != "landmark":
			w *= 0.6
		}
		// Diminishing returns for one name repeated.
		w /= 1 + perCanon[d.entry.Canonical]/2
		perCanon[d.entry.Canonical] += d.entry.Weight
		an.dnScore += w
	}
	var otherTotal float64
	for _, oc := range an.otherHits {
		an.otherMax = math.Max(an.otherMax, oc.score)
		otherTotal += oc.score
	}
	if !an.mentions {
		an.relevance = 0
		return
	}
	// Relevance grows with the weight of the province's mentions and shrinks
	// when other places take more of the article.
	titleDN := false
	for _, d := range an.dn {
		if d.inTitle && d.entry.Mention {
			titleDN = true
		}
	}
	others := len(an.otherHits)
	share := an.dnScore / (an.dnScore + 0.5*otherTotal)
	strength := 1 - math.Exp(-an.dnScore/2)
	an.relevance = round3(strength * share)
	switch {
	case titleDN && (others < 4 || an.dnScore >= 0.5*otherTotal):
		an.about = true
		if an.relevance < 0.5 {
			an.relevance = 0.5
		}
	case others >= 3 && an.dnScore < otherTotal:
		// One of a list of provinces.
		an.about = false
		an.relevance = math.Min(an.relevance, 0.45)
	case (others == 0 || an.onlyReferenceCity(r)) && !an.nationalStory():
		// The province or places in it are the only places named, and the
		// headline is not about the whole country: a local story, told
		// where it happened.
		an.about = true
		if an.relevance < 0.5 {
			an.relevance = 0.5
		}
	default:
		// One passing mention of the name in the body is not enough.
		an.about = an.relevance >= 0.5 && an.dnScore >= 1.6
	}
}

// referenceCity is the city the foreign press locates the province by
// ("near Ho Chi Minh City", "32 km north of Saigon", 호찌민시 근처).
const referenceCity = "Ho Chi Minh City"

// onlyReferenceCity reports whether, in a foreign-language article, the
// only other place named is the reference city, and not in the headline:
// it tells foreign readers where the province is, it is not another
// subject of the story. Vietnamese readers need no such pointer, so in
// Vietnamese Ho Chi Minh City is another place like any other.
func (an *analysis) onlyReferenceCity(r *Rules) bool {
	if an.lang == "vi" || len(an.otherHits) != 1 {
		return false
	}
	for k, oc := range an.otherHits {
		return r.others[k] == referenceCity && !oc.inTitle
	}
	return false
}

// urlHosts returns the host of u and every parent domain of two labels or
// more ("longthanh.dongnai.gov.vn", "dongnai.gov.vn", "gov.vn"), lower
// case, so a rule can name a site and its subdomains with host:.
func urlHosts(u string) []string {
	pu, err := url.Parse(strings.TrimSpace(u))
	if err != nil || pu.Hostname() == "" {
		return nil
	}
	h := strings.TrimPrefix(strings.ToLower(pu.Hostname()), "www.")
	var out []string
	for strings.Contains(h, ".") {
		out = append(out, h)
		_, h, _ = strings.Cut(h, ".")
	}
	return out
}

// countryNames are the country's name in the scripts of the corpus, folded;
// a headline naming it is about Vietnam as a whole.
var countryNames = []string{"vietnam", "viet nam", "越南", "ベトナム", "베트남", "вьетнам", "वियतनाम"}

// nationalTitle reports whether the headline names the country.
func (an *analysis) nationalTitle() bool {
	end := len(an.folded)
	if an.titleToks < len(an.toks) {
		end = an.toks[an.titleToks].Start
	}
	title := an.folded[:end]
	for _, n := range countryNames {
		if strings.Contains(title, n) {
			return true
		}
	}
	return false
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// buildDoc makes the query document topic rules and narratives run against.
func (an *analysis) buildDoc(r *Rules) {
	var d *tokDoc
	if an.prenormed {
		// Rules run on the text as written, so fold it again without
		// pre-normalisation.
		d = newTokDoc(an.full[:an.titleLen], an.full[an.titleLen:], an.lang == "en")
	} else {
		d = newTokDocAnalysed(an.sc, an.full, an.titleLen, an.titleTerms, an.lang == "en")
		// Its title and text are an.full (= an.clean) cut at the line
		// break after the title, so their words are counted as one: the
		// decision is the analysis's, made once.
		d.marked = an.writtenWithMarks()
	}
	d.addKeyword("lang", an.lang)
	d.addKeyword("country", an.a.Country)
	d.addKeyword("outlet", an.a.Outlet)
	d.addKeyword("host", urlHosts(an.a.URL)...)
	// addKeyword("entity", canonical names…), with the names folded once
	// when the rules were loaded.
	ents := make([]string, 0, len(an.dn))
	for _, h := range an.dn {
		ents = append(ents, h.entry.folded)
	}
	d.keywords["entity"] = append(d.keywords["entity"], ents...)
	if d.keywords["entity"] == nil {
		d.keywords["entity"] = []string{}
	}
	d.numbers["relevance"] = an.relevance
	if an.a.Tier > 0 {
		d.numbers["tier"] = float64(an.a.Tier)
	}
	an.doc = d
}

// toneOf scores lexicon hits in the sentences near a mention of the province
// (the mention's sentence and its neighbours, and the title), or in the whole
// text when the province is not named. A negator up to three tokens before a
// word flips it.
func (an *analysis) toneOf(r *Rules) {
	// near[s+1] marks sentence s as near a mention (s-1 may be -1).
	var near []bool
	if len(an.dn) > 0 {
		sentences := 1
		if n := len(an.sentence); n > 0 {
			sentences = an.sentence[n-1] + 1
		}
		near = slices.Grow(an.sc.near[:0], sentences+2)[:sentences+2]
		clear(near)
		an.sc.near = near
		for _, d := range an.dn {
			s := an.sentence[d.h.tok]
			near[s], near[s+1], near[s+2] = true, true, true
		}
		if an.titleToks > 0 {
			near[1] = true
		}
	}
	var negators []int
	for _, h := range an.lex {
		if h.ref.kind == lexNegator {
			negators = append(negators, h.tok+h.ref.n-1)
		}
	}
	sort.Ints(negators)
	negated := func(tok int) bool {
		i := sort.SearchInts(negators, tok-3)
		return i < len(negators) && negators[i] < tok
	}
	var pos, neg float64
	for _, h := range an.lex {
		w := r.lex[h.ref.idx].Weight
		inScope := len(near) == 0 || near[an.sentence[h.tok]+1]
		if !inScope {
			w *= 0.25
		}
		if h.tok < an.titleToks {
			w *= 1.5
		}
		switch h.ref.kind {
		case lexPos:
			if negated(h.tok) {
				neg += w * 0.5
			} else {
				pos += w
			}
		case lexNeg, lexAlarm:
			if negated(h.tok) {
				pos += w * 0.3
			} else {
				neg += w
			}
			if h.ref.kind == lexAlarm && inScope {
				an.alarms = append(an.alarms, h)
			}
		case lexHedge:
			an.hedges = append(an.hedges, h)
		}
	}
	an.toneSc = pos - neg
	an.tonePos, an.toneNeg = pos, neg
	switch {
	case neg >= 1.5 && neg >= pos*1.2:
		an.tone = "negative"
	case pos >= 2 && pos >= neg*2:
		an.tone = "positive"
	default:
		an.tone = "neutral"
	}
}

// entities lists the province's names and places found, then other places,
// with offsets into title+"\n\n"+text.
func (an *analysis) entities(r *Rules) []article.Entity {
	n := len(an.dn)
	for _, h := range an.gaz {
		if h.ref.kind == gazOther {
			n++
		}
	}
	out := make([]article.Entity, 0, n)
	for _, d := range an.dn {
		s, e := an.span(d.h)
		kind := d.entry.Kind
		switch kind {
		case "province":
			kind = "place"
		case "company":
			kind = "org"
		}
		out = append(out, article.Entity{Text: an.full[s:e], Kind: kind, Canonical: d.entry.Canonical, Start: s, End: e})
	}
	for _, h := range an.gaz {
		if h.ref.kind != gazOther {
			continue
		}
		s, e := an.span(h)
		out = append(out, article.Entity{Text: an.full[s:e], Kind: "place", Canonical: r.others[h.ref.idx], Start: s, End: e})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func (an *analysis) classification(e *Engine, r *Rules) *article.Classification {
	c := &article.Classification{
		About:     an.about,
		Mentions:  an.mentions,
		Relevance: an.relevance,
		Topics:    []string{},
		Entities:  an.entities(r),
		Tone:      an.tone,
		Reasons:   []article.Reason{},
		Rules:     r.Version,
		At:        e.opts.Now().UTC(),
	}
	if an.mentions || an.about {
		c.Topics = append(c.Topics, an.topics...)
	}
	c.Cluster, c.Reasons = e.riskAndCluster(r, an, c)
	if e.model != nil && (an.mentions || an.about) {
		e.applyModel(r, an, c)
	}
	return c
}

// describe shortens s for a reason's detail.
func describe(s string) string {
	if !tidySpaces(s) {
		s = strings.Join(strings.Fields(s), " ")
	}
	if len(s) > 120 {
		i := 117
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		// At the end of a word where one ends near the cut: a claim quoted
		// as "… vẫn chưa được quyết…" would read as another word.
		if sp := strings.LastIndexByte(s[:i], ' '); sp >= 80 {
			i = sp
		}
		s = s[:i] + "…"
	}
	return s
}

// tidySpaces reports whether s is as strings.Fields and a join with one
// space would leave it (no leading, trailing or repeated space, no other
// white space), so that describe copies nothing for most reasons.
func tidySpaces(s string) bool {
	space := true // a leading space is not tidy
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return false
			}
			i += n - 1
			space = false
		case c == ' ':
			if space {
				return false
			}
			space = true
		case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			return false
		default:
			space = false
		}
	}
	return !space || s == ""
}

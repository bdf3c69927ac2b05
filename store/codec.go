package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/dongnai/presswatch/article"
)

// Helpers shared by both backends: text cleaning, time precision, JSON columns
// and the in-batch merge of articles.

// cleanText returns s as valid UTF-8 in NFC without NUL bytes (PostgreSQL
// rejects both invalid UTF-8 and NUL in text; SQLite would store them, so both
// backends clean alike and round trips are the same everywhere).
func cleanText(s string) string {
	if isCleanFast(s) || utf8.ValidString(s) && !strings.ContainsRune(s, 0) && norm.NFC.IsNormalString(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	return norm.NFC.String(s)
}

// nfcInert lists ranges of runes that are NFC_Quick_Check=Yes, have canonical
// combining class 0 and never compose with a preceding rune. A string made only
// of such runes is in NFC (UAX #15 quick check), whatever their order. The
// ranges cover the scripts presswatch mostly stores (Latin with Vietnamese
// letters, general punctuation, kana, CJK ideographs, Hangul syllables);
// TestNFCInertRanges checks every rune in them against x/text/unicode/norm.
var nfcInert = [...][2]rune{
	{0x00A0, 0x02FF}, // Latin-1 Supplement, Latin Extended-A/B, IPA, modifier letters
	{0x0400, 0x0482}, // Cyrillic letters (before the combining marks)
	{0x1E00, 0x1EFF}, // Latin Extended Additional: precomposed Vietnamese letters
	{0x2010, 0x2027}, // dashes, quotes, bullets, ellipsis
	{0x2030, 0x205E}, // per mille, primes, more punctuation
	{0x20A0, 0x20C0}, // currency signs
	{0x3000, 0x3029}, // CJK symbols and punctuation
	{0x3041, 0x3096}, // hiragana
	{0x30A1, 0x30FA}, // katakana
	{0x3400, 0x4DBF}, // CJK Unified Ideographs Extension A
	{0x4E00, 0x9FFF}, // CJK Unified Ideographs
	{0xAC00, 0xD7A3}, // Hangul syllables
	{0xFF01, 0xFF5E}, // fullwidth ASCII forms
}

// isCleanFast reports whether s is certainly valid UTF-8 in NFC without NUL,
// looking only at which runes it holds: about six times faster than the full
// check on Vietnamese text. false means "use the full check", not "unclean".
func isCleanFast(s string) bool {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b == 0 {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !inertRune(r) {
			return false
		}
		i += n
	}
	return true
}

func inertRune(r rune) bool {
	for _, rg := range nfcInert {
		if r < rg[0] {
			return false
		}
		if r <= rg[1] {
			return true
		}
	}
	return false
}

// utc truncates t to microseconds (the precision both backends keep) in UTC.
// The zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// jsonList encodes a slice as a JSON array ("[]" for nil).
func jsonList[T any](v []T) (string, error) {
	if v == nil {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// parseList decodes a JSON array column.
func parseList[T any](s string) ([]T, error) {
	out := []T{}
	if s == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}

// classRow is a classification with its JSON columns encoded.
type classRow struct {
	id                        string
	c                         *article.Classification
	topics, entities, reasons string
}

func encodeClass(id string, c *article.Classification) (classRow, error) {
	r := classRow{id: id, c: c}
	var err error
	if r.topics, err = jsonList(c.Topics); err != nil {
		return r, fmt.Errorf("encode topics of %q: %w", id, err)
	}
	if r.entities, err = jsonList(c.Entities); err != nil {
		return r, fmt.Errorf("encode entities of %q: %w", id, err)
	}
	if r.reasons, err = jsonList(c.Reasons); err != nil {
		return r, fmt.Errorf("encode reasons of %q: %w", id, err)
	}
	return r, nil
}

// decodeClassJSON fills the JSON-backed fields of c.
func decodeClassJSON(c *article.Classification, topics, entities, reasons string) error {
	var err error
	if c.Topics, err = parseList[string](topics); err != nil {
		return fmt.Errorf("decode topics: %w", err)
	}
	if c.Entities, err = parseList[article.Entity](entities); err != nil {
		return fmt.Errorf("decode entities: %w", err)
	}
	if c.Reasons, err = parseList[article.Reason](reasons); err != nil {
		return fmt.Errorf("decode reasons: %w", err)
	}
	return nil
}

// cleanClass returns a cleaned copy of c (nil stays nil).
func cleanClass(c *article.Classification) *article.Classification {
	if c == nil {
		return nil
	}
	out := *c
	out.Topics = cleanStrings(c.Topics)
	if c.Entities != nil {
		out.Entities = make([]article.Entity, len(c.Entities))
		for i, e := range c.Entities {
			e.Text, e.Kind, e.Canonical = cleanText(e.Text), cleanText(e.Kind), cleanText(e.Canonical)
			out.Entities[i] = e
		}
	}
	if c.Reasons != nil {
		out.Reasons = make([]article.Reason, len(c.Reasons))
		for i, r := range c.Reasons {
			r.Signal, r.Detail = cleanText(r.Signal), cleanText(r.Detail)
			out.Reasons[i] = r
		}
	}
	out.Tone, out.Cluster, out.Rules = cleanText(c.Tone), cleanText(c.Cluster), cleanText(c.Rules)
	out.At = utc(c.At)
	return &out
}

func cleanStrings(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = cleanText(s)
	}
	return out
}

// newerClass reports whether b should replace a (b is not older by At).
func newerClass(a, b *article.Classification) bool {
	return a == nil || a.At.IsZero() || b.At.IsZero() || !b.At.Before(a.At)
}

// prepareArticles validates arts and returns cleaned copies, one per ID (copies
// of the same ID merged with the store's merge rules), sorted by ID so that
// concurrent transactions lock rows in the same order. It never modifies arts.
func prepareArticles(arts []*article.Article, now time.Time) ([]*article.Article, error) {
	byID := make(map[string]*article.Article, len(arts))
	out := make([]*article.Article, 0, len(arts))
	for i, a := range arts {
		if a == nil {
			return nil, fmt.Errorf("article %d: nil", i)
		}
		if a.ID == "" {
			return nil, fmt.Errorf("article %d (%q): empty ID", i, a.URL)
		}
		c := cleanArticle(a, now)
		if prev, ok := byID[c.ID]; ok {
			mergeArticle(prev, c)
			continue
		}
		byID[c.ID] = c
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *article.Article) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func cleanArticle(a *article.Article, now time.Time) *article.Article {
	c := *a
	c.ID = cleanText(a.ID)
	c.URL, c.CanonicalURL = cleanText(a.URL), cleanText(a.CanonicalURL)
	c.Source = cleanText(a.Source)
	c.Outlet, c.Country, c.Lang = cleanText(a.Outlet), cleanText(a.Country), cleanText(a.Lang)
	c.Title, c.Author, c.Summary = cleanText(a.Title), cleanText(a.Author), cleanText(a.Summary)
	c.Text, c.ImageURL = cleanText(a.Text), cleanText(a.ImageURL)
	c.Published = utc(a.Published)
	c.Collected = utc(a.Collected)
	if c.Collected.IsZero() {
		c.Collected = utc(now)
	}
	c.Sources = unionSources(nil, append(cleanStrings(a.Sources), c.Source))
	c.Classification = cleanClass(a.Classification)
	return &c
}

// unionSources returns the sorted union of a and b without empty names.
func unionSources(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	for _, s := range slices.Concat(a, b) {
		if s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// mergeArticle merges b (a later copy of the same article) into a, with the
// same rules the SQL upserts apply.
func mergeArticle(a, b *article.Article) {
	if b.Collected.Before(a.Collected) {
		a.Collected = b.Collected
		if b.Source != "" {
			a.Source = b.Source
		}
	}
	a.Sources = unionSources(a.Sources, b.Sources)
	pick := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	pick(&a.URL, b.URL)
	pick(&a.CanonicalURL, b.CanonicalURL)
	pick(&a.Outlet, b.Outlet)
	pick(&a.Country, b.Country)
	pick(&a.Lang, b.Lang)
	pick(&a.Title, b.Title)
	pick(&a.Author, b.Author)
	pick(&a.Summary, b.Summary)
	pick(&a.Text, b.Text)
	pick(&a.ImageURL, b.ImageURL)
	if b.Tier != 0 {
		a.Tier = b.Tier
	}
	if !b.Published.IsZero() {
		a.Published = b.Published
	}
	if b.Fingerprint != 0 {
		a.Fingerprint = b.Fingerprint
	}
	if b.Classification != nil && newerClass(a.Classification, b.Classification) {
		a.Classification = b.Classification
	}
}

// auditID is the deterministic ID of an audit entry.
func auditID(e AuditEntry) string {
	return HashToken(strings.Join([]string{
		e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Object, e.Detail,
	}, "\x00"))
}

// validTokenHash reports whether h is a lower-case hex SHA-256.
func validTokenHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, r := range h {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

var errBadTokenHash = errors.New("token hash must be the lower-case hex SHA-256 of the token (see store.HashToken)")

// chunks splits ids into pieces of at most n.
func chunks(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// Package article defines the Article that travels between presswatch stages and
// its versioned JSON wire format. It imports nothing of the project's own.
package article

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// WireVersion is the version of the JSON wire format written by Marshal.
// Readers accept every version up to and including it.
const WireVersion = 1

// ErrUnsupportedVersion is returned by Unmarshal for a message written by a newer
// presswatch than this one.
var ErrUnsupportedVersion = errors.New("unsupported article wire version")

// Article is one piece of coverage: what the crawler collected and, once the
// classifier has seen it, what the classifier decided.
//
// Times are UTC. Text is UTF-8 in Unicode NFC. ID is the hex SHA-256 of
// CanonicalURL (see ID and Canonicalize), so the same story collected twice has
// the same ID and every write keyed by it is idempotent.
type Article struct {
	ID           string    `json:"id"`
	URL          string    `json:"url"`
	CanonicalURL string    `json:"canonical_url"`
	Source       string    `json:"source"`            // name of the configured source that found it first
	Sources      []string  `json:"sources,omitempty"` // every source that found it (dedup merges these)
	Outlet       string    `json:"outlet,omitempty"`
	Country      string    `json:"country,omitempty"` // ISO 3166-1 alpha-2 of the outlet, upper case
	Tier         int       `json:"tier,omitempty"`    // outlet reliability tier, 1 (best) .. 3; 0 unknown
	Lang         string    `json:"lang,omitempty"`    // ISO 639-1 of the text
	Title        string    `json:"title"`
	Author       string    `json:"author,omitempty"`
	Summary      string    `json:"summary,omitempty"` // feed description or lead
	Text         string    `json:"text,omitempty"`    // extracted main text
	ImageURL     string    `json:"image_url,omitempty"`
	Published    time.Time `json:"published,omitzero"` // zero when unknown
	Collected    time.Time `json:"collected"`
	Fingerprint  uint64    `json:"fingerprint,omitempty"` // SimHash of the text, for near-duplicate detection
	// Flags are ingestion notes on the data (FlagFutureDate, FlagTitleCut):
	// what the crawler repaired, for later stages and analysts to see.
	Flags []string `json:"flags,omitempty"`

	Classification *Classification `json:"classification,omitempty"`
}

// Classification is the classifier's verdict on an article. Its JSON field names
// are also the output format of `presswatch classify`.
type Classification struct {
	About       bool      `json:"about"`
	Mentions    bool      `json:"mentions"`
	Relevance   float64   `json:"relevance"`
	Topics      []string  `json:"topics"`
	Entities    []Entity  `json:"entities"`
	Tone        string    `json:"tone"` // positive, neutral or negative
	Risk        int       `json:"risk"` // 0..100
	NeedsReview bool      `json:"needs_review"`
	Reasons     []Reason  `json:"reasons"`
	Cluster     string    `json:"cluster"`
	Rules       string    `json:"rules_version,omitempty"` // version of the rules that produced it
	At          time.Time `json:"classified_at,omitzero"`
}

// Relevance classes used in the PW_CLASSIFIED subject (pw.classified.<class>).
const (
	RelevanceAbout    = "about"
	RelevanceMentions = "mentions"
	RelevanceNone     = "none"
)

// RelevanceClass returns the subject token for c: about, mentions or none.
// An article without a classification is "none".
func (c *Classification) RelevanceClass() string {
	switch {
	case c == nil:
		return RelevanceNone
	case c.About:
		return RelevanceAbout
	case c.Mentions:
		return RelevanceMentions
	default:
		return RelevanceNone
	}
}

// Entity is a place, organisation or person found in an article. Start and End
// are byte offsets into the field the entity was found in (title first, then
// text, as "title\n\ntext"), so the original text can be highlighted.
type Entity struct {
	Text      string `json:"text"`
	Kind      string `json:"kind"` // place, org, person, landmark
	Canonical string `json:"canonical"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
}

// Reason is one signal that contributed to a classification, with its weight
// and the matched text, so that every alert can say why it fired.
type Reason struct {
	Signal string  `json:"signal"`
	Detail string  `json:"detail"`
	Weight float64 `json:"weight"`
}

// wire is the envelope written on the bus: the version and the article.
type wire struct {
	V int `json:"v"`
	*Article
}

// Marshal encodes a in the current wire format.
func Marshal(a *Article) ([]byte, error) {
	if a == nil {
		return nil, errors.New("marshal article: nil article")
	}
	return json.Marshal(wire{V: WireVersion, Article: a})
}

// MarshalWithin is Marshal for a message that may carry at most max bytes:
// an article whose wire form is larger has its text cut (at a character,
// at a space when one is near), then its summary, until it fits, and is
// flagged FlagTextCut. a itself is changed, so that what is published and
// what the publisher keeps agree. The cut is a function of the article and
// max alone, so the same page cut twice is cut the same way.
func MarshalWithin(a *Article, max int) ([]byte, error) {
	data, err := Marshal(a)
	if err != nil || max <= 0 || len(data) <= max {
		return data, err
	}
	for _, field := range []*string{&a.Text, &a.Summary} {
		if len(data) <= max || *field == "" {
			continue
		}
		a.AddFlag(FlagTextCut)
		// What the rest of the article takes on the wire, and so what this
		// field may take; escaping makes some text longer on the wire than
		// in memory ("<" is six bytes), so the cut keeps the field's share.
		orig := *field
		*field = ""
		rest, err := Marshal(a)
		if err != nil {
			return nil, err
		}
		*field = orig
		room := max - len(rest)
		if room <= 0 {
			*field, data = "", rest
			continue
		}
		wire := len(data) - len(rest)
		keep := int(int64(len(orig)) * int64(room) / int64(wire))
		for range 20 {
			*field = cutAtRune(orig, keep)
			if data, err = Marshal(a); err != nil {
				return nil, err
			}
			if len(data) <= max {
				break
			}
			keep -= keep/20 + 1
		}
	}
	if len(data) > max {
		return nil, fmt.Errorf("marshal article %s: %d bytes after cutting its text, over the %d a message carries", a.ID, len(data), max)
	}
	return data, nil
}

// cutAtRune cuts s to at most n bytes at a character boundary, at the last
// space of the final 1 % when there is one.
func cutAtRune(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	head := s[:n]
	if sp := strings.LastIndexByte(head, ' '); sp > 0 && sp >= n-n/100 {
		head = head[:sp]
	}
	return head
}

// Unmarshal decodes an article written in any supported wire version. It
// parses the message once: this sits on every stage's hot path.
func Unmarshal(data []byte) (*Article, error) {
	var w struct {
		V int `json:"v"`
		Article
	}
	err := json.Unmarshal(data, &w)
	if err != nil {
		return nil, fmt.Errorf("decode article: %w", err)
	}
	if w.V < 1 || w.V > WireVersion {
		return nil, fmt.Errorf("decode article: version %d: %w", w.V, ErrUnsupportedVersion)
	}
	if w.ID == "" {
		return nil, errors.New("decode article: missing id")
	}
	a := w.Article
	return &a, nil
}

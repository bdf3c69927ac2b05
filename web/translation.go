package web

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"github.com/dongnai/presswatch/article"
)

// Translator puts foreign titles and snippets into Vietnamese
// (*translate.Translator satisfies it, with its store cache).
type Translator interface {
	Configured() bool
	Translate(ctx context.Context, source string, texts []string) ([]string, error)
}

// machineTranslation is what an article page shows beside a foreign
// original: the Vietnamese title and lead, or why there is none.
type machineTranslation struct {
	Configured bool
	Failed     bool
	Title      string
	Lead       string
}

// translationLead is how much of the text is translated for the page.
const translationLead = 600

var stripTags = bluemonday.StrictPolicy()

// translateArticle returns the machine translation of a's title and lead,
// or nil when a is Vietnamese. The page never waits long for it.
func (s *Server) translateArticle(ctx context.Context, a *article.Article) *machineTranslation {
	if a.Lang == "vi" {
		return nil
	}
	t := s.opts.Translator
	if t == nil || !t.Configured() {
		return &machineTranslation{}
	}
	text := a.Text
	if looksLikeHTML(text) {
		text = stripTags.Sanitize(text)
	}
	lead := leadOf(strings.Join(strings.Fields(text), " "), translationLead)
	ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	got, err := t.Translate(ctx, a.Lang, []string{a.Title, lead})
	if err != nil {
		s.log.Warn("translate article", "id", a.ID, "err", err)
		return &machineTranslation{Configured: true, Failed: true}
	}
	return &machineTranslation{Configured: true, Title: got[0], Lead: got[1]}
}

// leadOf returns the first n runes of s, cut after a sentence or word.
func leadOf(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n])
	if i := strings.LastIndexAny(cut, ".!?。！？"); i > len(cut)/2 {
		_, size := utf8.DecodeRuneInString(cut[i:])
		return cut[:i+size]
	}
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

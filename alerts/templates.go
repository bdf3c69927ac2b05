package alerts

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"
	"unicode"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/internal/l10n"
)

//go:embed templates/email.tmpl
var embeddedTemplates embed.FS

// EmailData is what the email template receives.
type EmailData struct {
	Critical               bool
	SeverityVI, SeverityEN string
	Receiver               string // the receiver's display name
	// ReceiverEN names the receiver in the English part: the catalogue's
	// English name of a known office ("Provincial police"), else the
	// display name.
	ReceiverEN string
	Route      string
	Items      []EmailItem
	More       int // len(Items) - 1
	// AckExpires is when the link expires, written for the English part
	// ("14 Dec 2026 16:14") and, AckExpiresVI, for the Vietnamese one
	// ("16:14 14/12/2026"), in the office's time zone.
	AckURL, AckExpires, AckExpiresVI string
	// StoryURL is the story page of the message's alerts, when they are
	// all of one story.
	StoryURL string
}

// EmailItem is one article of an alert email.
type EmailItem struct {
	Title, Outlet, Country, Lang string
	URL, ArticleURL              string
	Published                    string // in the configured zone, "02/01/2006 15:04" (the Vietnamese part)
	PublishedEN                  string // the same, "2 Jan 2006 15:04" (the English part)
	Snippet                      string
	// OldDays is how many days before its collection the article was
	// published, when that is more than oldCoverageDays: the email says it
	// is old coverage found now, not news (0 otherwise).
	OldDays int
	// TitleVI and SnippetVI are the Vietnamese machine translation of a
	// foreign item (empty without a translation service).
	TitleVI, SnippetVI string
	Risk               int
	Reasons            []Reason
	// Also are the other routes that matched the article for the same
	// receiver; this message carries it for them too.
	Also []AlsoRoute
}

// AlsoRoute is a route that also matched an item: its ID and, for a
// saved-search route, the search's name.
type AlsoRoute struct{ ID, Name string }

// Reason is one signal that made the alert fire, with the matched text.
type Reason struct {
	Signal, Detail string
	Weight         float64
}

// Rendered is a rendered email.
type Rendered struct {
	Subject, Text, HTML string
}

// Templates renders alert emails from one template source.
type Templates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// The email speaks through the shared catalogue (internal/l10n), so a
// reason, a topic, a country or a rule reads the same in a mail as on the
// alert page: reasons are sentences, rules have names, never IDs.
func reasonIn(lang string) func(Reason) string {
	return func(r Reason) string {
		return l10n.Sentence(lang, article.Reason{Signal: r.Signal, Detail: r.Detail, Weight: r.Weight})
	}
}

var templateFuncs = map[string]any{
	"add":       func(a, b int) int { return a + b },
	"signalVI":  func(s string) string { return l10n.Signal(l10n.VI, s) },
	"signalEN":  func(s string) string { return l10n.Signal(l10n.EN, s) },
	"reasonVI":  reasonIn(l10n.VI),
	"reasonEN":  reasonIn(l10n.EN),
	"countryVI": func(c string) string { return l10n.Country(l10n.VI, c) },
	"countryEN": func(c string) string { return l10n.Country(l10n.EN, c) },
	"langVI":    func(c string) string { return l10n.Language(l10n.VI, c) },
	"langEN":    func(c string) string { return l10n.Language(l10n.EN, c) },
	"routeVI":   func(r string) string { return l10n.Route(l10n.VI, r) },
	"routeEN":   func(r string) string { return l10n.Route(l10n.EN, r) },
	"numVI":     func(n int) string { return l10n.Num(l10n.VI, int64(n)) },
}

// TemplateFile is the name of the template file, embedded and in an override folder.
const TemplateFile = "email.tmpl"

// LoadTemplates parses the email template: dir/email.tmpl when dir is not
// empty and holds one, else the embedded default. It fails fast on a template
// that does not parse or lacks "subject", "text" or "html".
func LoadTemplates(dir string) (*Templates, error) {
	var src []byte
	var err error
	if dir != "" {
		src, err = os.ReadFile(filepath.Join(dir, TemplateFile))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read email template: %w", err)
		}
	}
	if src == nil {
		if src, err = embeddedTemplates.ReadFile("templates/" + TemplateFile); err != nil {
			return nil, fmt.Errorf("read embedded email template: %w", err)
		}
	}
	return ParseTemplates(string(src))
}

// ParseTemplates parses a template source defining "subject", "text" and "html".
func ParseTemplates(src string) (*Templates, error) {
	tt, err := texttemplate.New("email").Funcs(templateFuncs).Parse(src)
	if err != nil {
		return nil, fmt.Errorf("parse email template: %w", err)
	}
	ht, err := htmltemplate.New("email").Funcs(templateFuncs).Parse(src)
	if err != nil {
		return nil, fmt.Errorf("parse email template: %w", err)
	}
	for _, name := range []string{"subject", "text", "html"} {
		if tt.Lookup(name) == nil {
			return nil, fmt.Errorf("parse email template: no %q template defined", name)
		}
	}
	return &Templates{text: tt, html: ht}, nil
}

// Render renders an email. The subject is cleaned for a mail header.
func (t *Templates) Render(d EmailData) (Rendered, error) {
	if len(d.Items) == 0 {
		return Rendered{}, errors.New("render email: no items")
	}
	var subj, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subj, "subject", d); err != nil {
		return Rendered{}, fmt.Errorf("render email subject: %w", err)
	}
	if err := t.text.ExecuteTemplate(&text, "text", d); err != nil {
		return Rendered{}, fmt.Errorf("render email text: %w", err)
	}
	if err := t.html.ExecuteTemplate(&html, "html", d); err != nil {
		return Rendered{}, fmt.Errorf("render email html: %w", err)
	}
	return Rendered{Subject: HeaderSafe(subj.String(), 250), Text: text.String(), HTML: html.String()}, nil
}

// HeaderSafe returns s fit for a one-line mail header: control characters
// (CR and LF included) and Unicode line/paragraph separators become spaces,
// runs of spaces collapse, invalid UTF-8 is replaced, and the result is cut to
// max runes with an ellipsis.
func HeaderSafe(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	out := b.String()
	if max > 0 && utf8.RuneCountInString(out) > max {
		out = string([]rune(out)[:max-1]) + "…"
	}
	return out
}

// snippet returns the first n runes of the text, on one line.
func snippet(s string, n int) string {
	s = HeaderSafe(s, 0)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > len(string(r))/2 {
		return string(r)[:i] + " …"
	}
	return string(r) + "…"
}

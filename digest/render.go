package digest

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
)

//go:embed templates/report.html templates/report.txt
var templateFS embed.FS

// Images says how a rendered report refers to its charts.
type Images int

const (
	// InlineData embeds each chart as a data: URI: one self-contained file,
	// for the archive, the web UI and the PDF.
	InlineData Images = iota
	// ContentID refers to each chart as cid:ContentID, for an email whose
	// related parts carry the PNGs.
	ContentID
	// Files refers to each chart by its file name, for a folder holding the
	// HTML beside the PNGs.
	Files
)

// Renderer turns reports into HTML and plain text. Its templates are parsed
// once, at NewRenderer.
type Renderer struct {
	html *htmltemplate.Template
	text *texttemplate.Template
	loc  *time.Location
}

// NewRenderer parses the embedded templates; loc is the zone times are shown
// in (nil: Asia/Ho_Chi_Minh).
func NewRenderer(loc *time.Location) (*Renderer, error) {
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation(DefaultTimezone); err != nil {
			return nil, fmt.Errorf("digest: load time zone: %w", err)
		}
	}
	r := &Renderer{loc: loc}
	funcs := map[string]any{
		"vntime": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("02/01/2006 15:04")
		},
		"vndate": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("02/01/2006")
		},
		"lastday": func(t time.Time) time.Time { return t.In(loc).AddDate(0, 0, -1) },
		// Decimals with a comma, as Vietnamese writes them and as the
		// Word and PDF reports do.
		"signed": signed,
		"dec1":   func(f float64) string { return strings.Replace(fmt.Sprintf("%.1f", f), ".", ",", 1) },
		"change": func(a, b int) string {
			if b == 0 {
				if a == 0 {
					return "không đổi"
				}
				return "không so sánh được"
			}
			return fmt.Sprintf("%+.0f%%", float64(a-b)*100/float64(b))
		},
		"toneClass": func(f float64) string {
			switch {
			case f >= 10:
				return "pos"
			case f <= -10:
				return "neg"
			}
			return "neu"
		},
		"tone":    toneName,
		"country": countryName,
		"add":     func(a, b int) int { return a + b },
		"upper":   strings.ToUpper,
		"imgsrc":  func(c Chart) string { return "" }, // replaced per call
	}
	var err error
	r.html, err = htmltemplate.New("report.html").Funcs(funcs).ParseFS(templateFS, "templates/report.html")
	if err != nil {
		return nil, fmt.Errorf("digest: parse report.html: %w", err)
	}
	r.text, err = texttemplate.New("report.txt").Funcs(funcs).ParseFS(templateFS, "templates/report.txt")
	if err != nil {
		return nil, fmt.Errorf("digest: parse report.txt: %w", err)
	}
	return r, nil
}

type renderData struct {
	R      *Report
	Charts []Chart
}

// HTML renders the report as one HTML page, Vietnamese first, printable.
func (rd *Renderer) HTML(r *Report, charts []Chart, images Images) ([]byte, error) {
	t, err := rd.html.Clone()
	if err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	t.Funcs(htmltemplate.FuncMap{"imgsrc": func(c Chart) htmltemplate.URL {
		switch images {
		case ContentID:
			return htmltemplate.URL("cid:" + c.ContentID)
		case Files:
			return htmltemplate.URL(c.Name)
		}
		return htmltemplate.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(c.PNG))
	}})
	var buf bytes.Buffer
	if err := t.Execute(&buf, renderData{R: r, Charts: charts}); err != nil {
		return nil, fmt.Errorf("render report %s %s: %w", r.Kind, r.Period, err)
	}
	return buf.Bytes(), nil
}

// Text renders the plain-text version of the report (the email's text part).
func (rd *Renderer) Text(r *Report) (string, error) {
	var buf bytes.Buffer
	if err := rd.text.Execute(&buf, renderData{R: r}); err != nil {
		return "", fmt.Errorf("render report text %s %s: %w", r.Kind, r.Period, err)
	}
	return buf.String(), nil
}

// Subject returns the email subject of the report.
func Subject(r *Report) string {
	return fmt.Sprintf("[presswatch] %s — %s", r.Kind.Name(), r.Title)
}

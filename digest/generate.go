// Package digest makes presswatch's reports: the weekly press-opinion digest,
// the quarterly "Bản tin đối ngoại" and the annual report to the People's
// Committee. It computes them from the store (volume, countries, languages,
// outlets, tone and its change, topics, top stories with extractive summaries,
// quotes, alerts, source health), draws PNG charts with gonum/plot, renders
// Vietnamese-first HTML and text, prints a PDF with headless Chromium, archives
// each report in the store and sends it through a Mailer on a schedule, once
// per period however many schedulers run.
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/dongnai/presswatch/store"
)

// Options configures a Generator.
type Options struct {
	Store ReportStore
	// Location is the zone periods are reckoned in; nil means Asia/Ho_Chi_Minh.
	Location *time.Location
	// BaseURL is the web UI's address, for links to stories.
	BaseURL string
	// Chromium is the browser that prints PDFs (see FindChromium); "" makes
	// reports without a PDF.
	Chromium string
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Generator builds and renders reports.
type Generator struct {
	b        *Builder
	r        *Renderer
	chromium string
	log      *slog.Logger
}

// New validates opts and parses the templates.
func New(opts Options) (*Generator, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	b, err := NewBuilder(BuilderOptions{Store: opts.Store, Location: opts.Location, BaseURL: opts.BaseURL, Now: opts.Now, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	r, err := NewRenderer(b.Location())
	if err != nil {
		return nil, err
	}
	return &Generator{b: b, r: r, chromium: opts.Chromium, log: b.log}, nil
}

// Location returns the zone the generator reckons periods in.
func (g *Generator) Location() *time.Location { return g.b.Location() }

// Output is a generated report in every form it is archived and sent in.
type Output struct {
	DigestID  string
	Period    Period
	Report    *Report
	Charts    []Chart
	HTML      []byte // self-contained: charts as data: URIs
	EmailHTML []byte // charts as cid: references to the inline parts
	Text      string
	PDF       []byte // nil when it could not be printed; PDFError says why
	PDFError  error
}

// Generate builds the report of p, draws its charts, renders it and prints
// the PDF. A failed PDF is not an error: the report goes out without it and
// PDFError says why.
func (g *Generator) Generate(ctx context.Context, p Period) (*Output, error) {
	rep, err := g.b.Build(ctx, p)
	if err != nil {
		return nil, err
	}
	o := &Output{DigestID: store.DigestID(string(p.Kind), p.Label), Period: p, Report: rep}
	if o.Charts, err = Charts(rep); err != nil {
		return nil, fmt.Errorf("report %s: %w", o.DigestID, err)
	}
	if o.HTML, err = g.r.HTML(rep, o.Charts, InlineData); err != nil {
		return nil, err
	}
	if o.EmailHTML, err = g.r.HTML(rep, o.Charts, ContentID); err != nil {
		return nil, err
	}
	if o.Text, err = g.r.Text(rep); err != nil {
		return nil, err
	}
	if g.chromium == "" {
		o.PDFError = ErrNoChromium
	} else if o.PDF, err = PDF(ctx, g.chromium, o.HTML); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("report %s: %w", o.DigestID, ctx.Err())
		}
		o.PDFError = err
	}
	return o, nil
}

// WriteDir writes the report into dir (created if needed): report.html
// referring to the PNG charts beside it, the charts, report.txt, report.pdf
// when there is one, and report.json with the figures.
func (g *Generator) WriteDir(o *Output, dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	html, err := g.r.HTML(o.Report, o.Charts, Files)
	if err != nil {
		return err
	}
	data, err := o.Report.JSON()
	if err != nil {
		return err
	}
	files := map[string][]byte{"report.html": html, "report.txt": []byte(o.Text), "report.json": data}
	for _, c := range o.Charts {
		files[c.Name] = c.PNG
	}
	if len(o.PDF) > 0 {
		files["report.pdf"] = o.PDF
	}
	var errs []error
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o640); err != nil {
			errs = append(errs, fmt.Errorf("write report: %w", err))
		}
	}
	return errors.Join(errs...)
}

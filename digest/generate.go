// Package digest makes presswatch's reports: the weekly press-opinion digest,
// the quarterly "Bản tin đối ngoại" and the annual report to the People's
// Committee. It computes them from the store (volume, countries, languages,
// outlets, tone and its change, topics, top stories with extractive summaries,
// quotes, alerts, source health), draws PNG charts with gonum/plot, renders
// Vietnamese-first HTML and text, writes a PDF and a DOCX in the
// administrative layout without a browser (headless Chromium can print the
// PDF instead when configured), archives
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
	// Chromium, when set, is a browser that prints the HTML to PDF (see
	// FindChromium); "" writes the PDF natively (NativePDF), which needs no
	// browser. If Chromium fails the native PDF is used.
	Chromium string
	// NoPDF turns the PDF off.
	NoPDF bool
	// Translator adds Vietnamese machine translations of foreign stories;
	// nil leaves them in their language.
	Translator Translator
	// Agency is who issues the reports, for the DOCX's and PDF's header
	// block; zero fields take DefaultAgencyHeader's.
	Agency AgencyHeader
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Generator builds and renders reports.
type Generator struct {
	b        *Builder
	r        *Renderer
	chromium string
	noPDF    bool
	agency   AgencyHeader
	log      *slog.Logger
}

// New validates opts and parses the templates.
func New(opts Options) (*Generator, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	b, err := NewBuilder(BuilderOptions{Store: opts.Store, Translator: opts.Translator, Location: opts.Location, BaseURL: opts.BaseURL,
		Now: opts.Now, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	r, err := NewRenderer(b.Location())
	if err != nil {
		return nil, err
	}
	return &Generator{b: b, r: r, chromium: opts.Chromium, noPDF: opts.NoPDF, agency: opts.Agency.orDefault(), log: b.log}, nil
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
	PDF       []byte // nil when it could not be written; PDFError says why
	PDFError  error
	// DOCX is the report as an editable Word document in the
	// administrative layout (Nghị định 30/2020/NĐ-CP).
	DOCX []byte
}

// Generate builds the report of p, draws its charts, renders it and writes
// the PDF and the DOCX. A failed PDF is not an error: the report goes out
// without it and PDFError says why.
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
	if o.DOCX, err = DOCX(rep, o.Charts, g.agency); err != nil {
		return nil, fmt.Errorf("report %s: %w", o.DigestID, err)
	}
	switch {
	case g.noPDF:
		o.PDFError = ErrPDFOff
	case g.chromium != "":
		if o.PDF, err = PDF(ctx, g.chromium, o.HTML); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("report %s: %w", o.DigestID, ctx.Err())
		}
		g.log.WarnContext(ctx, "chromium could not print the report; writing the PDF natively", "digest", o.DigestID, "err", err)
		fallthrough
	default:
		o.PDF, o.PDFError = NativePDF(rep, o.Charts, g.agency)
	}
	o.Text += attachmentsLine(o)
	return o, nil
}

// WriteDir writes the report into dir (created if needed): report.html
// referring to the PNG charts beside it, the charts, report.txt, report.pdf
// when there is one, report.docx and report.json with the figures.
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
	if len(o.DOCX) > 0 {
		files["report.docx"] = o.DOCX
	}
	var errs []error
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o640); err != nil {
			errs = append(errs, fmt.Errorf("write report: %w", err))
		}
	}
	return errors.Join(errs...)
}

// MonitoringSince returns when monitoring began: the earliest time a
// configured source was added (zero when none records it). Reports of
// periods that ended before it are archived but not sent.
func (g *Generator) MonitoringSince(ctx context.Context) (time.Time, error) {
	srcs, err := g.b.opts.Store.ListSources(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("monitoring start: %w", err)
	}
	var since time.Time
	for _, s := range srcs {
		if !s.AddedAt.IsZero() && (since.IsZero() || s.AddedAt.Before(since)) {
			since = s.AddedAt
		}
	}
	return since, nil
}

// attachmentsLine ends the text version by saying what the email carries,
// only what it really carries.
func attachmentsLine(o *Output) string {
	if len(o.PDF) > 0 {
		return "\nBản đầy đủ có biểu đồ ở phần HTML; tệp PDF và bản Word (DOCX) để biên tập được đính kèm.\n" +
			"The full report with charts is in the HTML part; the PDF and an editable Word (DOCX) copy are attached.\n"
	}
	return "\nBản đầy đủ có biểu đồ ở phần HTML; bản Word (DOCX) để biên tập được đính kèm (không có tệp PDF).\n" +
		"The full report with charts is in the HTML part; an editable Word (DOCX) copy is attached (no PDF).\n"
}

// ErrInvalid marks a request for a report that cannot be made: an unknown
// kind, period or format.
var ErrInvalid = errors.New("invalid report request")

// ErrNotBegun is returned (with ErrInvalid) for a period that starts after
// the report would be made: its report could only say, wrongly, that
// nothing was written and that every source was silent (an outside reading).
var ErrNotBegun = errors.New("the period has not begun")

// File is one form of a report made on demand.
type File struct {
	Name        string // e.g. "weekly-2026-W47.docx"
	ContentType string
	Data        []byte
}

// Make generates the report of kind ("weekly", "quarterly", "annual") for
// the period label ("2026-W47", "2026-Q4", "2026"; "" is the last complete
// period) from the store as it is now, in format "html", "pdf" or "docx". An
// unknown kind, period or format is ErrInvalid.
func (g *Generator) Make(ctx context.Context, kind, label, format string) (File, error) {
	k, err := ParseKind(kind)
	if err != nil {
		return File{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var p Period
	if label == "" {
		p = PeriodOf(k, g.b.opts.Now(), g.Location()).Prev()
	} else if p, err = ParsePeriod(k, label, g.Location()); err != nil {
		return File{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if now := g.b.opts.Now(); !p.Start.Before(now) {
		return File{}, fmt.Errorf("%w: %w: %s starts %s", ErrInvalid, ErrNotBegun, p.Label, p.Start.In(g.Location()).Format("02/01/2006"))
	}
	switch format {
	case "html", "pdf", "docx":
	default:
		return File{}, fmt.Errorf("%w: format %q is not html, pdf or docx", ErrInvalid, format)
	}
	o, err := g.Generate(ctx, p)
	if err != nil {
		return File{}, err
	}
	name := o.DigestID + "." + format
	switch format {
	case "pdf":
		if o.PDFError != nil {
			return File{}, fmt.Errorf("report %s: %w", o.DigestID, o.PDFError)
		}
		return File{Name: name, ContentType: "application/pdf", Data: o.PDF}, nil
	case "docx":
		return File{Name: name, ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: o.DOCX}, nil
	}
	return File{Name: name, ContentType: "text/html; charset=utf-8", Data: o.HTML}, nil
}

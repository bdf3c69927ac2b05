package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/store"
)

// ReportMaker makes a report of any period from the store as it is now.
// *digest.Generator implements it.
type ReportMaker interface {
	Make(ctx context.Context, kind, period, format string) (digest.File, error)
}

// reportArchive is the part of the store the report archive reads. Both
// store backends implement it; a Store without it shows no archive.
type reportArchive interface {
	ListDigests(ctx context.Context, kind string, limit int) ([]store.Digest, error)
	GetDigest(ctx context.Context, id string) (store.Digest, error)
}

// reportCSP lets an archived report's own inline style and data: charts
// through, and nothing else: the report is a self-contained document.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

type reportListPage struct {
	Kind    string
	Digests []store.Digest
	// CanMake says whether reports can be made on demand here.
	CanMake bool
	// MakeKind and MakePeriod refill the "make a report now" form, and
	// MakeError says what was wrong with it, after a request it refused.
	MakeKind, MakePeriod, MakeError string
}

// handleReports is the report archive: /reports lists the weekly, quarterly
// and annual reports (?kind= filters); /reports?id=ID shows one as it was
// sent, and /reports?id=ID&format=pdf downloads its PDF.
func (s *Server) handleReports(w http.ResponseWriter, r *http.Request) {
	arch, ok := s.opts.Store.(reportArchive)
	if !ok {
		s.fail(w, r, false, http.StatusServiceUnavailable)
		return
	}
	q := r.URL.Query()
	if id := q.Get("id"); id != "" {
		s.showReport(w, r, arch, id, q.Get("format"))
		return
	}
	kind := q.Get("kind")
	switch kind {
	case "", "weekly", "quarterly", "annual":
	default:
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	s.renderReportList(w, r, arch, http.StatusOK, reportListPage{Kind: kind})
}

// renderReportList shows the archive (p.Kind filters it) with the form to
// make a report now.
func (s *Server) renderReportList(w http.ResponseWriter, r *http.Request, arch reportArchive, status int, p reportListPage) {
	list, err := arch.ListDigests(r.Context(), p.Kind, 200)
	if err != nil {
		s.log.Error("list reports", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	p.Digests, p.CanMake = list, s.opts.Reports != nil
	title := "Báo cáo"
	if requestLang(r) == langEN {
		title = "Reports"
	}
	s.render(w, r, status, "report_list", "reports", title, p)
}

// reportRequestError says, in the reader's language, what a refused
// "make a report now" request got wrong and what is expected.
func reportRequestError(lang, kind, format string) string {
	en := lang == langEN
	switch {
	case kind != "weekly" && kind != "quarterly" && kind != "annual":
		if en {
			return "Choose the kind of report: weekly, quarterly or annual."
		}
		return "Hãy chọn loại báo cáo: hằng tuần, hằng quý hoặc hằng năm."
	case format != "html" && format != "pdf" && format != "docx":
		if en {
			return "The report can be made as HTML, PDF or DOCX."
		}
		return "Báo cáo chỉ lập được dưới dạng HTML, PDF hoặc DOCX."
	}
	ex := map[string][2]string{
		"weekly":    {"một tuần theo dạng 2026-W47 (năm, chữ W và số tuần hai chữ số)", "an ISO week like 2026-W47 (year, W and a two-digit week)"},
		"quarterly": {"một quý theo dạng 2026-Q4", "a quarter like 2026-Q4"},
		"annual":    {"một năm theo dạng 2026", "a year like 2026"},
	}[kind]
	if en {
		return "The period was not understood. Enter " + ex[1] + ", or leave it empty for the last complete period."
	}
	return "Không hiểu kỳ báo cáo đã nhập. Hãy nhập " + ex[0] + ", hoặc để trống để lập báo cáo của kỳ vừa kết thúc."
}

func (s *Server) showReport(w http.ResponseWriter, r *http.Request, arch reportArchive, id, format string) {
	d, err := arch.GetDigest(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	if err != nil {
		s.log.Error("get report", "id", id, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	switch format {
	case "", "html":
		if d.BodyHTML == "" { // claimed but not (yet) built
			s.fail(w, r, false, http.StatusNotFound)
			return
		}
		// The body was rendered by package digest with html/template from
		// stored data; it is served as its own document under a strict CSP.
		h := w.Header()
		h.Set("Content-Security-Policy", reportCSP)
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(d.BodyHTML))
	case "pdf":
		if len(d.PDF) == 0 {
			s.fail(w, r, false, http.StatusNotFound)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/pdf")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, d.ID+".pdf"))
		http.ServeContent(w, r, d.ID+".pdf", d.UpdatedAt, bytes.NewReader(d.PDF))
	default:
		s.fail(w, r, false, http.StatusBadRequest)
	}
}

// handleReportMake makes a report now, from the store as it is, and sends it
// as a download: /reports/make?kind=weekly&period=2026-W47&format=docx
// (format html, pdf or docx; an empty period is the last complete one).
// Officers use it to regenerate a period after late coverage or triage, and
// to get the editable DOCX of an archived report.
func (s *Server) handleReportMake(w http.ResponseWriter, r *http.Request) {
	if s.opts.Reports == nil {
		s.fail(w, r, false, http.StatusServiceUnavailable)
		return
	}
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "html"
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	f, err := s.opts.Reports.Make(ctx, q.Get("kind"), q.Get("period"), format)
	if errors.Is(err, digest.ErrInvalid) {
		// The form again, filled as it was sent, saying what to change.
		msg := reportRequestError(requestLang(r), q.Get("kind"), format)
		if errors.Is(err, digest.ErrNotBegun) {
			msg = "Kỳ báo cáo này chưa bắt đầu: hãy chọn một kỳ đã hoặc đang diễn ra."
			if requestLang(r) == langEN {
				msg = "This period has not begun: choose one that is over or under way."
			}
		}
		p := reportListPage{MakeKind: q.Get("kind"), MakePeriod: q.Get("period"), MakeError: msg}
		if arch, ok := s.opts.Store.(reportArchive); ok {
			s.renderReportList(w, r, arch, http.StatusBadRequest, p)
			return
		}
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	if err != nil {
		s.log.Error("make report", "kind", q.Get("kind"), "period", q.Get("period"), "format", format, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	if format == "html" {
		h.Set("Content-Security-Policy", reportCSP)
	} else {
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, f.Name))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}

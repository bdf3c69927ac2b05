package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/digest"
	"github.com/dongnai/presswatch/evidence"
	"github.com/dongnai/presswatch/internal/l10n"
	"github.com/dongnai/presswatch/store"
)

// EvidenceArchive captures pages and opens their WARC files
// (*evidence.Archive implements it).
type EvidenceArchive interface {
	Request(ctx context.Context, articleID, pageURL, reason string) error
	// ReadWARC and ReadScreenshot return a capture's files after checking
	// them against their recorded SHA-256 (evidence.ErrTampered when they
	// no longer match; evidence.ErrBlobNotFound when absent).
	ReadWARC(ctx context.Context, sn store.Snapshot) ([]byte, error)
	ReadScreenshot(ctx context.Context, sn store.Snapshot) ([]byte, error)
}

// responders may record the office's responses; every officer may read them.
var responders = []string{RoleAdmin, RoleForeignAffairs}

type evidenceCapture struct {
	store.Snapshot
	// Diff is the word diff against the capture before, as HTML built from
	// escaped text (<ins>/<del> only); empty when there is nothing to show.
	Diff template.HTML
}

type evidencePage struct {
	A          *article.Article
	Captures   []evidenceCapture
	Responses  []store.Response
	CanRespond bool
	Today      string
	// Narratives are those created from the page's responses, by response.
	Narratives map[string][]store.Narrative
	// CanNarrate: the store keeps narratives and the officer may write.
	CanNarrate bool
	// Active says which responses have a narrative in force: a response
	// gets the "create narrative" form only when it has none.
	Active map[string]bool
	// Forms start each response's "create narrative" form: from the terms
	// the classifier matched in the article, or from the response's last
	// retired narrative, so that editing one is retiring it and creating
	// it again.
	Forms map[string]narrativeForm
	// OpenNarrative is the response whose "create narrative" form starts
	// open (?narrative=ID).
	OpenNarrative string
	// Choices are the known false claims a response may answer, by name:
	// the catalogue's and those made from responses, the ones the article
	// repeats ticked. The form asked for IDs the interface never shows (an
	// outside reading).
	Choices []narrativeChoice
	// Edits start each response's edit form: its claims ticked among the
	// choices, codes the choices do not hold, and its date.
	Edits map[string]responseEdit
	// Recorders name who recorded each response, as personName does.
	Recorders map[string]string
	// ClaimNames name the narratives made from responses by their claim:
	// a response listed them by ID.
	ClaimNames map[string]string
}

// narrativeChoice is one false claim offered on the response form.
type narrativeChoice struct {
	ID, Name string
	Checked  bool
}

// narrativeChoices lists the claims a response to a may answer: the
// catalogue's (named in the page's language) and the active ones made from
// responses (named by their claim), those a's classification matched first
// and ticked.
func narrativeChoices(m messages, a *article.Article, made []store.Narrative) []narrativeChoice {
	matched := map[string]bool{}
	if a.Classification != nil {
		for _, r := range a.Classification.Reasons {
			if kind, id, ok := strings.Cut(r.Signal, ":"); ok && kind == "narrative" {
				matched[id] = true
			}
		}
	}
	var out []narrativeChoice
	for _, k := range l10n.Keys() {
		id, ok := strings.CutPrefix(k, "narrative_")
		if !ok || strings.HasSuffix(id, "_fix") {
			continue
		}
		out = append(out, narrativeChoice{ID: id, Name: m.Narrative(id), Checked: matched[id]})
	}
	for _, n := range made {
		if !n.Retired() {
			out = append(out, narrativeChoice{ID: n.ID, Name: n.Claim, Checked: matched[n.ID]})
		}
	}
	slices.SortFunc(out, func(x, y narrativeChoice) int {
		if x.Checked != y.Checked {
			if x.Checked {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Name, y.Name)
	})
	return out
}

// officerRoles are the roles whose opening of an article is captured.
var officerRoles = map[string]bool{RoleAdmin: true, RoleAnalyst: true, RoleForeignAffairs: true, RolePolice: true}

// requestOpenedCapture schedules the capture of an article an officer opens
// (nothing when evidence is off; a failure is logged, the page goes on).
func (s *Server) requestOpenedCapture(r *http.Request, a *article.Article) {
	if s.opts.Evidence == nil || !officerRoles[principalFrom(r.Context()).User.Role] {
		return
	}
	if err := s.opts.Evidence.Request(r.Context(), a.ID, a.URL, store.EvidenceOpened); err != nil {
		s.log.Warn("request evidence", "id", a.ID, "err", err)
	}
}

func (s *Server) evidenceStore(w http.ResponseWriter, r *http.Request) (store.EvidenceStore, bool) {
	es, ok := s.opts.Store.(store.EvidenceStore)
	if !ok || s.opts.Evidence == nil {
		s.fail(w, r, false, http.StatusServiceUnavailable)
		return nil, false
	}
	return es, true
}

// articleResponses returns the responses an article's evidence page shows:
// the article's own, then those to other articles of its story (cluster).
// Narratives are created from and retired under any of them.
func articleResponses(ctx context.Context, es store.EvidenceStore, a *article.Article) ([]store.Response, error) {
	out, err := es.ListResponses(ctx, store.ResponseFilter{ArticleID: a.ID})
	if err != nil {
		return nil, err
	}
	if c := a.Classification; c != nil && c.Cluster != "" {
		more, err := es.ListResponses(ctx, store.ResponseFilter{Cluster: c.Cluster})
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, x := range out {
			seen[x.ID] = true
		}
		for _, x := range more {
			if !seen[x.ID] {
				out = append(out, x)
			}
		}
	}
	return out, nil
}

// handleEvidence shows an article's captures as they were fetched, the
// changes between them word by word, and the office's responses.
func (s *Server) handleEvidence(w http.ResponseWriter, r *http.Request) {
	es, ok := s.evidenceStore(w, r)
	if !ok {
		return
	}
	a, ok := s.pathArticle(w, r)
	if !ok {
		return
	}
	snaps, err := es.ListSnapshots(r.Context(), a.ID)
	if err != nil {
		s.log.Error("list snapshots", "id", a.ID, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	p := &evidencePage{A: a, CanRespond: allowed(responders, principalFrom(r.Context()).User.Role),
		Today: time.Now().In(hcmLocation()).Format("2006-01-02")}
	var last *store.Snapshot
	for i := range snaps {
		c := evidenceCapture{Snapshot: snaps[i]}
		if last != nil && snaps[i].Status == http.StatusOK && snaps[i].Change != store.ChangeUnchanged {
			c.Diff = diffHTML(evidence.Diff(last.Title+"\n"+last.Text, snaps[i].Title+"\n"+snaps[i].Text))
		}
		if snaps[i].Status == http.StatusOK {
			last = &snaps[i]
		}
		p.Captures = append(p.Captures, c)
	}
	if p.Responses, err = articleResponses(r.Context(), es, a); err != nil {
		s.log.Error("list responses", "id", a.ID, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	if ns, ok := s.opts.Store.(store.NarrativeStore); ok {
		p.CanNarrate = p.CanRespond
		all, err := ns.ListNarratives(r.Context())
		if err != nil {
			s.log.Error("list narratives", "err", err)
			s.fail(w, r, false, http.StatusInternalServerError)
			return
		}
		p.Narratives, p.Active, p.Forms = map[string][]store.Narrative{}, map[string]bool{}, map[string]narrativeForm{}
		p.ClaimNames = map[string]string{}
		phrases, context := narrativePrefill(a)
		for _, x := range p.Responses {
			p.Forms[x.ID] = narrativeForm{Phrases: phrases, Context: context, Weight: 50}
		}
		for _, n := range all {
			p.ClaimNames[n.ID] = n.Claim
			p.Narratives[n.ResponseID] = append(p.Narratives[n.ResponseID], n)
			if !n.Retired() {
				p.Active[n.ResponseID] = true
			} else if _, ok := p.Forms[n.ResponseID]; ok {
				p.Forms[n.ResponseID] = narrativeForm{Claim: n.Claim, Phrases: strings.Join(n.Phrases, "\n"),
					Context: strings.Join(n.Context, "\n"), Correction: n.Correction, Weight: n.Weight}
			}
		}
		p.OpenNarrative = r.URL.Query().Get("narrative")
		p.Choices = narrativeChoices(messages{requestLang(r)}, a, all)
	}
	p.Edits = responseEdits(p.Responses, p.Choices)
	p.Recorders = map[string]string{}
	for _, x := range p.Responses {
		if _, ok := p.Recorders[x.CreatedBy]; !ok {
			p.Recorders[x.CreatedBy] = s.personName(r.Context(), x.CreatedBy)
		}
	}
	s.render(w, r, http.StatusOK, "evidence", "search", a.Title, p)
}

// narrativeForm is what a "create narrative" form starts with.
type narrativeForm struct {
	Claim, Phrases, Context, Correction string
	Weight                              float64
}

// narrativePrefill proposes the phrases (alarm words and narratives'
// matched text) and context names (places and projects, as written in the
// article and canonically) of a narrative created from this article, one a
// line; the officer edits them and adds other languages.
func narrativePrefill(a *article.Article) (phrases, context string) {
	c := a.Classification
	if c == nil {
		return "", ""
	}
	var ph, cx []string
	seen := map[string]bool{}
	addTo := func(list *[]string, x string) {
		x = strings.TrimSpace(x)
		if k := strings.ToLower(x); x != "" && !seen[k] && len(*list) < 12 {
			seen[k] = true
			*list = append(*list, x)
		}
	}
	for _, r := range c.Reasons {
		if r.Signal == "alarm_terms" {
			for _, w := range strings.Split(r.Detail, ",") {
				addTo(&ph, w)
			}
		}
	}
	for _, e := range c.Entities {
		if e.Kind == "person" {
			continue
		}
		addTo(&cx, e.Text)
		addTo(&cx, e.Canonical)
	}
	return strings.Join(ph, "\n"), strings.Join(cx, "\n")
}

// splitLines returns the non-empty trimmed lines of a form field.
func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// narrativeRequest gives the narrative handlers the stores and the
// article of the request's path, or answers the request itself (503 when
// the stores cannot keep evidence or narratives, 404 for no article) and
// reports false.
func (s *Server) narrativeRequest(w http.ResponseWriter, r *http.Request) (store.EvidenceStore, store.NarrativeStore, *article.Article, bool) {
	es, ok := s.evidenceStore(w, r)
	if !ok {
		return nil, nil, nil, false
	}
	ns, ok := s.opts.Store.(store.NarrativeStore)
	if !ok {
		s.fail(w, r, false, http.StatusServiceUnavailable)
		return nil, nil, nil, false
	}
	a, ok := s.pathArticle(w, r)
	if !ok {
		return nil, nil, nil, false
	}
	return es, ns, a, true
}

// handleNarrativeCreate creates a narrative from one of the article's
// responses (Foreign Affairs and admins; audited): later articles repeating
// the claim are flagged by the classifier, naming the narrative and the
// response, and the response's outcome becomes "repeated elsewhere".
func (s *Server) handleNarrativeCreate(w http.ResponseWriter, r *http.Request) {
	es, ns, a, ok := s.narrativeRequest(w, r)
	if !ok {
		return
	}
	rid := r.PathValue("rid")
	var resp *store.Response
	list, err := articleResponses(r.Context(), es, a)
	if err != nil {
		s.log.Error("list responses", "id", a.ID, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	for i := range list {
		if list[i].ID == rid {
			resp = &list[i]
		}
	}
	if resp == nil {
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	weight := 50.0
	if v := strings.TrimSpace(r.PostFormValue("weight")); v != "" {
		if _, err := fmt.Sscanf(v, "%g", &weight); err != nil {
			s.fail(w, r, false, http.StatusBadRequest)
			return
		}
	}
	// One narrative in force per response; after a retirement the next one
	// gets the next free ID (n-<response>, n-<response>-2, …).
	existing, err := ns.ListNarratives(r.Context())
	if err != nil {
		s.log.Error("list narratives", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	taken := map[string]bool{}
	for _, x := range existing {
		taken[x.ID] = true
		if x.ResponseID == resp.ID && !x.Retired() {
			// The same form posted twice, or a second narrative while one is
			// in force: the page shows the one there is.
			http.Redirect(w, r, "/articles/"+a.ID+"/evidence", http.StatusSeeOther)
			return
		}
	}
	id := "n-" + resp.ID
	for k := 2; taken[id]; k++ {
		id = fmt.Sprintf("n-%s-%d", resp.ID, k)
	}
	n := store.Narrative{ID: id, Claim: strings.TrimSpace(r.PostFormValue("claim")),
		Phrases: splitLines(r.PostFormValue("phrases")), Context: splitLines(r.PostFormValue("context")),
		Correction: strings.TrimSpace(r.PostFormValue("correction")), ResponseID: resp.ID, ArticleID: resp.ArticleID,
		Weight: weight, CreatedBy: principalFrom(r.Context()).User.Name, CreatedAt: s.now()}
	if err := ns.CreateNarrative(r.Context(), n); errors.Is(err, store.ErrInvalidNarrative) {
		s.fail(w, r, false, http.StatusBadRequest)
		return
	} else if err != nil {
		s.log.Error("create narrative", "response", resp.ID, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.audit(r, "narrative.create", n.ID, resp.ID)
	http.Redirect(w, r, "/articles/"+a.ID+"/evidence", http.StatusSeeOther)
}

// handleNarrativeRetire stops one of the article's narratives from
// flagging articles (Foreign Affairs and admins; audited, with the reason
// required). The narrative stays on the page, marked retired; alerts it
// raised keep naming it. A running classifier notices on its next batch.
func (s *Server) handleNarrativeRetire(w http.ResponseWriter, r *http.Request) {
	es, ns, a, ok := s.narrativeRequest(w, r)
	if !ok {
		return
	}
	nid := r.PathValue("nid")
	all, err := ns.ListNarratives(r.Context())
	if err != nil {
		s.log.Error("list narratives", "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	shown, err := articleResponses(r.Context(), es, a)
	if err != nil {
		s.log.Error("list responses", "id", a.ID, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	// The narrative must hang under a response this article's page shows.
	onPage := func(n store.Narrative) bool {
		return n.ID == nid && slices.ContainsFunc(shown, func(x store.Response) bool { return x.ID == n.ResponseID })
	}
	if !slices.ContainsFunc(all, onPage) {
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if note == "" {
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	changed, err := ns.RetireNarrative(r.Context(), nid, principalFrom(r.Context()).User.Name, note, s.now())
	if errors.Is(err, store.ErrInvalidNarrative) {
		s.fail(w, r, false, http.StatusBadRequest)
		return
	} else if err != nil {
		s.log.Error("retire narrative", "narrative", nid, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	if changed {
		s.audit(r, "narrative.retire", nid, note)
	}
	http.Redirect(w, r, "/articles/"+a.ID+"/evidence", http.StatusSeeOther)
}

// diffHTML renders a word diff with <del> and <ins> around escaped text,
// keeping only 30 words of context around changes.
func diffHTML(ops []evidence.Op) template.HTML {
	var b strings.Builder
	changed := false
	for i, op := range ops {
		t := template.HTMLEscapeString(op.Text)
		if i > 0 && op.Kind != evidence.Equal && ops[i-1].Kind != evidence.Equal && op.Kind != ops[i-1].Kind {
			// A deletion right before an insertion (or after one) shares no
			// space with it: "<del>official</del><ins>in July</ins>" read as
			// "officialin July".
			last, _ := utf8.DecodeLastRuneInString(ops[i-1].Text)
			first, _ := utf8.DecodeRuneInString(op.Text)
			if !unicode.IsSpace(last) && !unicode.IsSpace(first) {
				b.WriteString(" ")
			}
		}
		switch op.Kind {
		case evidence.Insert:
			changed = true
			b.WriteString("<ins>" + t + "</ins>")
		case evidence.Delete:
			changed = true
			b.WriteString("<del>" + t + "</del>")
		default:
			words := strings.Fields(op.Text)
			if len(words) > 60 {
				head, tail := "", ""
				if i > 0 {
					head = strings.Join(words[:30], " ") + " "
				}
				if i < len(ops)-1 {
					tail = " " + strings.Join(words[len(words)-30:], " ")
				}
				// The space at either end of the unchanged run stays: it
				// parts the words of the changes beside it ("official in
				// July" once read "officialin July").
				if strings.TrimLeftFunc(op.Text, unicode.IsSpace) != op.Text {
					head = " " + head
				}
				if strings.TrimRightFunc(op.Text, unicode.IsSpace) != op.Text {
					tail += " "
				}
				t = template.HTMLEscapeString(head) + "<span class=\"muted\">…</span>" + template.HTMLEscapeString(tail)
			}
			b.WriteString(t)
		}
	}
	if !changed {
		return ""
	}
	return template.HTML(b.String()) //nolint:gosec // built from escaped text and fixed tags
}

// handleEvidenceCapture schedules a capture now (an officer's request).
func (s *Server) handleEvidenceCapture(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.evidenceStore(w, r); !ok {
		return
	}
	a, ok := s.pathArticle(w, r)
	if !ok {
		return
	}
	if err := s.opts.Evidence.Request(r.Context(), a.ID, a.URL, store.EvidenceOpened); err != nil {
		s.log.Error("request evidence", "id", a.ID, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.audit(r, "evidence.request", a.ID, "")
	http.Redirect(w, r, "/articles/"+a.ID+"/evidence", http.StatusSeeOther)
}

// handleEvidenceFile serves a capture as WARC (/evidence/{sid}/warc) or as a
// PDF evidence sheet (/evidence/{sid}/pdf).
func (s *Server) handleEvidenceFile(w http.ResponseWriter, r *http.Request) {
	es, ok := s.evidenceStore(w, r)
	if !ok {
		return
	}
	sn, err := es.GetSnapshot(r.Context(), r.PathValue("sid"))
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, false, http.StatusNotFound)
		return
	} else if err != nil {
		s.log.Error("get snapshot", "id", r.PathValue("sid"), "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	name := "presswatch-" + sn.ID
	switch r.PathValue("format") {
	case "warc":
		data, err := s.opts.Evidence.ReadWARC(r.Context(), sn)
		if err != nil {
			s.evidenceFileFailed(w, r, sn, err)
			return
		}
		w.Header().Set("Content-Type", "application/warc")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name+".warc"))
		_, _ = w.Write(data)
	case "pdf":
		// The sheet vouches for the archived file: a WARC that no longer
		// matches its hash gives no sheet.
		if _, err := s.opts.Evidence.ReadWARC(r.Context(), sn); err != nil && !errors.Is(err, evidence.ErrBlobNotFound) {
			s.evidenceFileFailed(w, r, sn, err)
			return
		}
		var a *article.Article
		if a, err = s.opts.Store.GetArticle(r.Context(), sn.ArticleID); err != nil {
			a = &article.Article{ID: sn.ArticleID, URL: sn.URL}
		}
		d := digest.EvidenceSheetData{Snapshot: sn, Outlet: a.Outlet, Published: a.Published,
			Title: firstNonEmpty(sn.Title, a.Title), ScreenshotNote: sn.ScreenshotNote}
		if sn.ScreenshotPath != "" {
			png, err := s.opts.Evidence.ReadScreenshot(r.Context(), sn)
			switch {
			case errors.Is(err, evidence.ErrTampered):
				s.evidenceFileFailed(w, r, sn, err)
				return
			case err != nil:
				s.log.Error("read screenshot", "id", sn.ID, "err", err)
				d.ScreenshotNote = "Không đọc được ảnh màn hình đã lưu."
			default:
				d.Screenshot = png
			}
		}
		pdf, err := digest.EvidenceSheet(d, hcmLocation())
		if err != nil {
			s.log.Error("evidence sheet", "id", sn.ID, "err", err)
			s.fail(w, r, false, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name+".pdf"))
		_, _ = w.Write(pdf)
	default:
		s.fail(w, r, false, http.StatusNotFound)
	}
}

// evidenceFileFailed answers a capture whose file cannot be served: 404
// when it is missing, 409 when it no longer matches the SHA-256 recorded at
// capture (reported in the log and the audit trail, never served), 500
// otherwise (the storage is down; the officer can retry).
func (s *Server) evidenceFileFailed(w http.ResponseWriter, r *http.Request, sn store.Snapshot, err error) {
	switch {
	case errors.Is(err, evidence.ErrTampered):
		s.log.Error("evidence file tampered: not served", "id", sn.ID, "err", err)
		s.audit(r, "evidence.tampered", sn.ID, sn.ArticleID)
		s.fail(w, r, false, http.StatusConflict)
	case errors.Is(err, evidence.ErrBlobNotFound):
		s.log.Error("evidence file missing", "id", sn.ID, "err", err)
		s.fail(w, r, false, http.StatusNotFound)
	default:
		s.log.Error("read evidence file", "id", sn.ID, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
	}
}

// handleResponseCreate records the office's response to an article's story.
func (s *Server) handleResponseCreate(w http.ResponseWriter, r *http.Request) {
	es, ok := s.evidenceStore(w, r)
	if !ok {
		return
	}
	a, ok := s.pathArticle(w, r)
	if !ok {
		return
	}
	f, ok := s.responseForm(r)
	if !ok {
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	cluster := ""
	if a.Classification != nil {
		cluster = a.Classification.Cluster
	}
	resp := f
	resp.ID, resp.Cluster, resp.ArticleID, resp.CreatedBy = "resp-"+hex.EncodeToString(id), cluster, a.ID, principalFrom(r.Context()).User.Name
	if err := es.UpsertResponse(r.Context(), resp); errors.Is(err, store.ErrInvalidResponse) {
		s.fail(w, r, false, http.StatusBadRequest)
		return
	} else if err != nil {
		s.log.Error("record response", "id", a.ID, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	s.audit(r, "response.create", resp.ID, a.ID)
	http.Redirect(w, r, "/articles/"+a.ID+"/evidence", http.StatusSeeOther)
}

// responseEdit is what a response's edit form starts with.
type responseEdit struct {
	Date    string // yyyy-mm-dd, Vietnam time
	Choices []narrativeChoice
	Other   string // the response's claims that are not among the choices
}

// responseEdits starts the edit form of each response: the page's claims
// with the response's own ticked first, and its other codes.
func responseEdits(rs []store.Response, choices []narrativeChoice) map[string]responseEdit {
	out := make(map[string]responseEdit, len(rs))
	for _, x := range rs {
		e := responseEdit{Date: x.RespondedOn.In(hcmLocation()).Format("2006-01-02")}
		known := map[string]bool{}
		for _, c := range choices {
			known[c.ID] = true
			c.Checked = slices.Contains(x.Narratives, c.ID)
			e.Choices = append(e.Choices, c)
		}
		slices.SortStableFunc(e.Choices, func(a, b narrativeChoice) int {
			switch {
			case a.Checked == b.Checked:
				return 0
			case a.Checked:
				return -1
			}
			return 1
		})
		var other []string
		for _, n := range x.Narratives {
			if !known[n] {
				other = append(other, n)
			}
		}
		e.Other = strings.Join(other, ", ")
		out[x.ID] = e
	}
	return out
}

// responseForm reads the fields a response form sets: the date (refused
// when it does not parse or is after today), text, channel, approver and
// the claims answered (ticked, and other codes comma-separated).
func (s *Server) responseForm(r *http.Request) (store.Response, bool) {
	on, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(r.PostFormValue("responded_on")), hcmLocation())
	if err != nil || on.After(s.now()) {
		// A response is recorded once made: a date after today (2027 was
		// accepted and reported as "being followed": an outside reading)
		// is refused like a date that does not parse.
		return store.Response{}, false
	}
	var narratives []string
	for _, v := range append(r.PostForm["narratives"], r.PostFormValue("narratives_other")) {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" && !slices.Contains(narratives, n) {
				narratives = append(narratives, n)
			}
		}
	}
	return store.Response{Text: strings.TrimSpace(r.PostFormValue("text")), RespondedOn: on, Channel: r.PostFormValue("channel"),
		ApprovedBy: strings.TrimSpace(r.PostFormValue("approved_by")), Narratives: narratives}, true
}

// handleResponseEdit corrects a response listed on the article's evidence
// page: its text, date, channel, approver and claims. Who recorded it, when,
// and its outcome stay; the audit log names what changed.
func (s *Server) handleResponseEdit(w http.ResponseWriter, r *http.Request) {
	es, ok := s.evidenceStore(w, r)
	if !ok {
		return
	}
	a, ok := s.pathArticle(w, r)
	if !ok {
		return
	}
	rs, err := articleResponses(r.Context(), es, a)
	if err != nil {
		s.log.Error("list responses", "id", a.ID, "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return
	}
	i := slices.IndexFunc(rs, func(x store.Response) bool { return x.ID == r.PathValue("rid") })
	if i < 0 {
		s.fail(w, r, false, http.StatusNotFound)
		return
	}
	old := rs[i]
	f, ok := s.responseForm(r)
	if !ok {
		s.fail(w, r, false, http.StatusBadRequest)
		return
	}
	edited := old
	edited.Text, edited.RespondedOn, edited.Channel, edited.ApprovedBy, edited.Narratives = f.Text, f.RespondedOn, f.Channel, f.ApprovedBy, f.Narratives
	var changed []string
	for _, c := range []struct {
		name string
		diff bool
	}{
		{"text", old.Text != edited.Text},
		{"date", !old.RespondedOn.Equal(edited.RespondedOn)},
		{"channel", old.Channel != edited.Channel},
		{"approved by", old.ApprovedBy != edited.ApprovedBy},
		{"claims", !slices.Equal(old.Narratives, edited.Narratives)},
	} {
		if c.diff {
			changed = append(changed, c.name)
		}
	}
	if len(changed) > 0 {
		if err := es.UpsertResponse(r.Context(), edited); errors.Is(err, store.ErrInvalidResponse) {
			s.fail(w, r, false, http.StatusBadRequest)
			return
		} else if err != nil {
			s.log.Error("edit response", "id", old.ID, "err", err)
			s.fail(w, r, false, http.StatusInternalServerError)
			return
		}
		s.audit(r, "response.edit", old.ID, strings.Join(changed, ", "))
	}
	http.Redirect(w, r, "/articles/"+a.ID+"/evidence#resp-"+old.ID, http.StatusSeeOther)
}

// pathArticle returns the article named by the {id} path value, or answers
// 404 (unknown) or 500 (store error, logged) and reports false.
func (s *Server) pathArticle(w http.ResponseWriter, r *http.Request) (*article.Article, bool) {
	a, err := s.opts.Store.GetArticle(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, false, http.StatusNotFound)
		return nil, false
	} else if err != nil {
		s.log.Error("get article", "id", r.PathValue("id"), "err", err)
		s.fail(w, r, false, http.StatusInternalServerError)
		return nil, false
	}
	return a, true
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// hcmLocation is Asia/Ho_Chi_Minh, where dates are shown.
func hcmLocation() *time.Location {
	if l, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return l
	}
	return time.FixedZone("ICT", 7*3600)
}

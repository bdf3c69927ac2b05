// Package evidence keeps what was published: every article that raises an
// alert or is opened by an officer is captured as fetched — a WARC file with
// the HTTP request and response, the feed item and the extracted text, a
// SHA-256 of the body, the fetch time and headers — and re-fetched on a
// schedule (1 h, 6 h, 24 h, 7 d, 30 d after the first capture) to detect
// edits, corrections, retractions and deletions. Detected changes set the
// outcome of the office's responses to the story.
//
// Captures are files under one folder (the data directory's evidence/ by
// default) and rows in the store; both are written before a check is moved
// on, so a restart re-captures at most the capture under way.
package evidence

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/nlnwa/gowarc"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// DefaultSchedule is when an article is re-fetched after its first capture.
var DefaultSchedule = []time.Duration{time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// Store is what the archive needs of the store.
type Store interface {
	store.EvidenceStore
	GetArticle(ctx context.Context, id string) (*article.Article, error)
}

// AlertLister finds the alerts raised since a time; every alerted article
// is captured. The alerts store satisfies it.
type AlertLister interface {
	ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
}

// Options configures an Archive.
type Options struct {
	Store Store
	// Alerts, when set, makes every alert (not digest-only) schedule the
	// capture of its article.
	Alerts AlertLister
	// Blobs keeps the WARC files and screenshots; nil means files under Dir.
	Blobs Blobs
	// Dir is the folder evidence files are written under when Blobs is nil.
	Dir string
	// Screenshots renders the page as archived to a PNG; nil means no
	// screenshots, for the reason in NoScreenshot.
	Screenshots Screenshotter
	// NoScreenshot says (in Vietnamese) why no screenshot is taken when
	// Screenshots is nil; it is recorded on each capture and printed on
	// its evidence sheet.
	NoScreenshot string
	// Client fetches pages; it should carry the crawler's dial-time SSRF
	// guard and user agent. nil means a plain client with a 30 s timeout.
	Client *http.Client
	// Extract returns the title and main text of a fetched page; nil keeps
	// the body's visible text only.
	Extract func(body []byte, pageURL string) (title, text string)
	// Schedule is when pages are re-fetched after the first capture; nil
	// means DefaultSchedule.
	Schedule []time.Duration
	// Interval is how often due checks are looked for; 0 means 1m.
	Interval time.Duration
	// MaxBody bounds a fetched body; 0 means 8 MiB.
	MaxBody int64
	// UserAgent is sent with every request.
	UserAgent string
	Now       func() time.Time
	Logger    *slog.Logger
}

// Archive captures pages and follows their changes.
type Archive struct {
	opts  Options
	blobs Blobs
	log   *slog.Logger
	// alertsSince is how far alerts have been looked at (a restart looks
	// back a day: requests are idempotent).
	alertsSince time.Time
}

// New validates opts.
func New(opts Options) (*Archive, error) {
	if opts.Store == nil || (opts.Dir == "" && opts.Blobs == nil) {
		return nil, errors.New("evidence: Options.Store and Blobs or Dir are required")
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Schedule == nil {
		opts.Schedule = DefaultSchedule
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Minute
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 8 << 20
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "presswatch-evidence/1"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	blobs := opts.Blobs
	if blobs == nil {
		fsb, err := NewFSBlobs(opts.Dir)
		if err != nil {
			return nil, err
		}
		blobs = fsb
	}
	if opts.Screenshots == nil && opts.NoScreenshot == "" {
		opts.NoScreenshot = "Không chụp ảnh màn hình: chưa cấu hình trình duyệt."
	}
	return &Archive{opts: opts, blobs: blobs, log: opts.Logger.With("component", "evidence"), alertsSince: opts.Now().Add(-24 * time.Hour)}, nil
}

// requestAlerted schedules the capture of every article alerted since the
// last look.
func (a *Archive) requestAlerted(ctx context.Context) error {
	if a.opts.Alerts == nil {
		return nil
	}
	now := a.opts.Now()
	list, err := a.opts.Alerts.ListAlerts(ctx, store.AlertFilter{Since: a.alertsSince.Add(-time.Minute), Limit: 1000})
	if err != nil {
		return err
	}
	for _, al := range list {
		if al.Severity == "digest" || al.ArticleID == "" {
			continue
		}
		art, err := a.opts.Store.GetArticle(ctx, al.ArticleID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := a.Request(ctx, art.ID, art.URL, store.EvidenceAlert); err != nil {
			return err
		}
	}
	a.alertsSince = now
	return nil
}

// Request schedules the first capture of an article now (reason
// store.EvidenceAlert or store.EvidenceOpened); an article already
// scheduled keeps its schedule.
func (a *Archive) Request(ctx context.Context, articleID, pageURL, reason string) error {
	return a.opts.Store.RequestEvidence(ctx, store.EvidenceCheck{ArticleID: articleID, URL: pageURL, Reason: reason, NextAt: a.opts.Now()})
}

// Run captures due pages every Interval until ctx is done.
func (a *Archive) Run(ctx context.Context) error {
	t := time.NewTicker(a.opts.Interval)
	defer t.Stop()
	for {
		if _, err := a.RunOnce(ctx); err != nil && ctx.Err() == nil {
			a.log.WarnContext(ctx, "evidence run failed; retried next time", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce captures every page due now and returns how many it captured.
func (a *Archive) RunOnce(ctx context.Context) (int, error) {
	if err := a.requestAlerted(ctx); err != nil {
		return 0, err
	}
	due, err := a.opts.Store.DueEvidence(ctx, a.opts.Now(), 50)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, c := range due {
		if err := a.capture(ctx, c); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// fetched is one HTTP exchange as it happened.
type fetched struct {
	req      []byte // the request as sent (head only)
	resp     []byte // status line and headers as received
	body     []byte
	status   int
	finalURL string
	headers  http.Header
	err      error
}

func (a *Archive) fetch(ctx context.Context, pageURL string) fetched {
	var f fetched
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		f.err = err
		return f
	}
	req.Header.Set("User-Agent", a.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	f.req, _ = httputil.DumpRequestOut(req, false)
	resp, err := a.opts.Client.Do(req)
	if err != nil {
		f.err = err
		return f
	}
	defer resp.Body.Close()
	f.status, f.headers, f.finalURL = resp.StatusCode, resp.Header, resp.Request.URL.String()
	f.body, f.err = io.ReadAll(io.LimitReader(resp.Body, a.opts.MaxBody))
	f.resp = responseHead(resp, len(f.body))
	return f
}

// responseHead is the status line and headers of resp as archived with
// the body that was read: the body is stored decoded, so its length replaces
// the transfer's Content-Length and Content-Encoding.
func responseHead(resp *http.Response, n int) []byte {
	var b strings.Builder
	status := resp.Status
	if status == "" {
		status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	fmt.Fprintf(&b, "HTTP/1.1 %s\r\n", status)
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Transfer-Encoding", "Content-Encoding":
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range resp.Header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, strings.NewReplacer("\r", " ", "\n", " ").Replace(v))
		}
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", n)
	return []byte(b.String())
}

// capture fetches c's page, writes its WARC file, compares it with the
// capture before and records it, moving c to its next step.
func (a *Archive) capture(ctx context.Context, c store.EvidenceCheck) error {
	prev, err := a.opts.Store.ListSnapshots(ctx, c.ArticleID)
	if err != nil {
		return err
	}
	seq := c.Step + 1
	if len(prev) > 0 && prev[len(prev)-1].Seq >= seq {
		seq = prev[len(prev)-1].Seq + 1
	}
	now := a.opts.Now().UTC()
	f := a.fetch(ctx, c.URL)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	art, err := a.opts.Store.GetArticle(ctx, c.ArticleID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	sum := sha256.Sum256(f.body)
	sn := store.Snapshot{ID: store.SnapshotID(c.ArticleID, seq), ArticleID: c.ArticleID, Seq: seq, URL: c.URL,
		FinalURL: f.finalURL, Status: f.status, CapturedAt: now, SHA256: hex.EncodeToString(sum[:])}
	if f.err == nil && f.status == http.StatusOK {
		sn.Title, sn.Text = a.extract(f.body, f.finalURL)
	}
	hdr, _ := json.Marshal(flatHeaders(f.headers))
	sn.Headers = string(hdr)
	var last *store.Snapshot
	for i := len(prev) - 1; i >= 0; i-- {
		if prev[i].Status == http.StatusOK {
			last = &prev[i]
			break
		}
	}
	sn.Change, sn.ChangeDetail = Classify(last, c.URL, f.finalURL, f.status, f.err, sn.Title, sn.Text)
	// Each attempt writes its own key: two alerters capturing the same due
	// check (or a retry after a crash) never overwrite the file a saved row
	// names, which would then fail its hash check. The row keeps the key.
	var nonce [4]byte
	_, _ = rand.Read(nonce[:])
	sn.WARCPath = path.Join(safeName(c.ArticleID), fmt.Sprintf("%d-%s.warc", seq, hex.EncodeToString(nonce[:])))
	warc, err := buildWARC(sn, f, art)
	if err != nil {
		return err
	}
	wsum := sha256.Sum256(warc)
	sn.WARCSHA256 = hex.EncodeToString(wsum[:])
	// The file is stored before the row that names it; a failed store
	// (S3 down after the client's retries) leaves the check due, so the
	// capture is made again at the next run rather than lost.
	if err := a.blobs.Put(ctx, sn.WARCPath, warc); err != nil {
		return err
	}
	a.screenshot(ctx, &sn, warc)
	var next time.Time
	if step := seq - 1; step < len(a.opts.Schedule) && sn.Change != store.ChangeDeleted {
		first := now
		if len(prev) > 0 {
			first = prev[0].CapturedAt
		}
		next = first.Add(a.opts.Schedule[step])
		if !next.After(now) {
			next = now.Add(time.Minute) // catching up after downtime: one capture at a time
		}
	}
	if err := a.opts.Store.SaveSnapshot(ctx, sn, next); err != nil {
		return err
	}
	a.log.InfoContext(ctx, "captured", "article", c.ArticleID, "seq", seq, "status", f.status, "change", sn.Change)
	return a.followResponses(ctx, c.ArticleID, sn, next.IsZero())
}

// followResponses sets the outcome of responses to this article from what
// the capture shows: corrected, retracted (or deleted), or unchanged once
// the schedule is over. The article's own correction or retraction also
// replaces "repeated elsewhere" (another outlet repeating the claim), whose
// note is kept: a response whose claim was repeated before the outlet
// corrected it was reported as repeated, and leadership read the letter as
// having failed (an outside reading of the quarterly bulletin).
func (a *Archive) followResponses(ctx context.Context, articleID string, sn store.Snapshot, scheduleOver bool) error {
	all, err := a.opts.Store.ListResponses(ctx, store.ResponseFilter{ArticleID: articleID})
	if err != nil {
		return err
	}
	for _, r := range all {
		open := r.Outcome == "" || r.Outcome == store.OutcomePending
		if !open && r.Outcome != store.OutcomeRepeated {
			continue
		}
		if sn.CapturedAt.Before(r.RespondedOn) {
			continue
		}
		// The note is the capture's own detail: the outcome already says
		// what happened ("Bài viết được đính chính: Bài viết có đính
		// chính: …" said it twice).
		outcome, note := "", ""
		switch sn.Change {
		case store.ChangeCorrected:
			outcome, note = store.OutcomeCorrected, sn.ChangeDetail
		case store.ChangeRetracted, store.ChangeDeleted:
			outcome, note = store.OutcomeRetracted, sn.ChangeDetail
		default:
			if scheduleOver && open {
				outcome, note = store.OutcomeUnchanged, "Không thấy thay đổi sau lần kiểm tra cuối."
			}
		}
		if outcome != "" && r.Outcome == store.OutcomeRepeated && r.OutcomeNote != "" {
			note += " (Trước đó: " + r.OutcomeNote + ")"
		}
		if outcome != "" {
			if err := a.opts.Store.SetResponseOutcome(ctx, r.ID, outcome, note, sn.CapturedAt); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *Archive) extract(body []byte, pageURL string) (string, string) {
	if a.opts.Extract != nil {
		return a.opts.Extract(body, pageURL)
	}
	return "", visibleText(body)
}

var (
	tagRe    = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]+>`)
	spacesRe = regexp.MustCompile(`\s+`)
)

func visibleText(body []byte) string {
	return strings.TrimSpace(spacesRe.ReplaceAllString(tagRe.ReplaceAllString(string(body), " "), " "))
}

func flatHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = strings.Join(v, ", ")
	}
	return out
}

// safeName keeps an article ID usable as a folder name.
func safeName(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// buildWARC returns the capture as one WARC 1.1 file: warcinfo, the
// request, the response (or nothing when unreachable), the feed item as
// metadata and the extracted text as a resource.
func buildWARC(sn store.Snapshot, f fetched, art *article.Article) ([]byte, error) {
	var buf bytes.Buffer
	w := &buf
	date := sn.CapturedAt.UTC().Format(time.RFC3339)
	m := gowarc.NewMarshaler()
	record := func(t gowarc.RecordType, contentType string, body []byte, extra map[string]string) (string, error) {
		b := gowarc.NewRecordBuilder(t, gowarc.WithAddMissingRecordId(true), gowarc.WithAddMissingContentLength(true),
			gowarc.WithAddMissingDigest(true), gowarc.WithFixContentLength(true), gowarc.WithFixDigest(true))
		if _, err := b.Write(body); err != nil {
			return "", err
		}
		b.AddWarcHeader(gowarc.WarcDate, date)
		b.AddWarcHeader(gowarc.ContentType, contentType)
		keys := make([]string, 0, len(extra))
		for k := range extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.AddWarcHeader(k, extra[k])
		}
		rec, _, err := b.Build()
		if err != nil {
			return "", err
		}
		if _, _, err := m.Marshal(w, rec, 0); err != nil {
			return "", err
		}
		return rec.RecordId(), nil
	}
	target := map[string]string{gowarc.WarcTargetURI: sn.URL}
	info := fmt.Sprintf("software: presswatch evidence\r\nformat: WARC File Format 1.1\r\narticle-id: %s\r\nsha256: %s\r\n", sn.ArticleID, sn.SHA256)
	steps := []func() error{
		func() error {
			_, err := record(gowarc.Warcinfo, "application/warc-fields", []byte(info), map[string]string{"WARC-Filename": path.Base(sn.WARCPath)})
			return err
		},
	}
	var respID string
	if f.req != nil {
		steps = append(steps, func() error {
			_, err := record(gowarc.Request, "application/http;msgtype=request", f.req, target)
			return err
		})
	}
	if f.resp != nil {
		steps = append(steps, func() error {
			var err error
			respID, err = record(gowarc.Response, "application/http;msgtype=response", append(append([]byte(nil), f.resp...), f.body...), target)
			return err
		})
	}
	steps = append(steps, func() error {
		meta := map[string]any{"captured_at": date, "sha256": sn.SHA256, "status": sn.Status, "final_url": sn.FinalURL,
			"change": sn.Change, "change_detail": sn.ChangeDetail}
		if f.err != nil {
			meta["fetch_error"] = f.err.Error()
		}
		if art != nil {
			meta["feed_item"] = map[string]any{"id": art.ID, "url": art.URL, "title": art.Title, "summary": art.Summary,
				"published": art.Published, "collected": art.Collected, "source": art.Source, "outlet": art.Outlet}
		}
		js, err := json.MarshalIndent(meta, "", "  ")
		if err != nil {
			return err
		}
		extra := map[string]string{gowarc.WarcTargetURI: sn.URL}
		if respID != "" {
			extra[gowarc.WarcConcurrentTo] = "<" + strings.Trim(respID, "<>") + ">"
		}
		_, err = record(gowarc.Metadata, "application/json", js, extra)
		return err
	})
	if sn.Text != "" {
		steps = append(steps, func() error {
			_, err := record(gowarc.Resource, "text/plain; charset=utf-8", []byte(sn.Title+"\n\n"+sn.Text),
				map[string]string{gowarc.WarcTargetURI: "urn:presswatch:text:" + sn.ID})
			return err
		})
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("evidence: write warc %s: %w", sn.ID, err)
		}
	}
	return buf.Bytes(), nil
}

// ReadWARC returns the WARC file of a capture after checking it against the
// SHA-256 recorded when it was written: a file changed since is reported
// with ErrTampered and not returned.
func (a *Archive) ReadWARC(ctx context.Context, sn store.Snapshot) ([]byte, error) {
	data, err := readVerified(ctx, a.blobs, sn.WARCPath, sn.WARCSHA256)
	if err != nil {
		return nil, fmt.Errorf("evidence: warc of %s: %w", sn.ID, err)
	}
	return data, nil
}

// ReadScreenshot returns the PNG screenshot of a capture, checked against
// its recorded SHA-256; ErrBlobNotFound when none was taken.
func (a *Archive) ReadScreenshot(ctx context.Context, sn store.Snapshot) ([]byte, error) {
	if sn.ScreenshotPath == "" {
		return nil, fmt.Errorf("evidence: screenshot of %s: %w", sn.ID, ErrBlobNotFound)
	}
	data, err := readVerified(ctx, a.blobs, sn.ScreenshotPath, sn.ScreenshotSHA256)
	if err != nil {
		return nil, fmt.Errorf("evidence: screenshot of %s: %w", sn.ID, err)
	}
	return data, nil
}

// Markers of corrections and retractions, as outlets write them.
var (
	correctionMarkers = []string{"correction:", "corrected:", "clarification:", "editor's note", "editor’s note", "this article has been corrected",
		"this story has been corrected", "an earlier version of this", "đính chính", "cải chính", "ghi chú của tòa soạn", "更正", "訂正", "정정"}
	retractionMarkers = []string{"retracted", "retraction", "this article has been removed", "this story has been removed",
		"has been withdrawn", "gỡ bài", "rút bài", "bài viết đã bị gỡ", "撤回", "삭제되었습니다"}
)

// Classify says how a capture differs from the last good one (nil for the
// first capture): deleted (404/410 or a redirect to the home page),
// unreachable, first, unchanged, corrected, retracted or edited, with a
// short detail in Vietnamese.
func Classify(last *store.Snapshot, pageURL, finalURL string, status int, fetchErr error, title, text string) (string, string) {
	switch {
	case fetchErr != nil && status == 0:
		return store.ChangeUnreachable, "Không tải được trang: " + clip(fetchErr.Error(), 200)
	case status == http.StatusNotFound || status == http.StatusGone:
		return store.ChangeDeleted, fmt.Sprintf("Trang trả về HTTP %d (bài đã bị gỡ).", status)
	case status == http.StatusOK && redirectedHome(pageURL, finalURL):
		return store.ChangeDeleted, "Địa chỉ bài viết chuyển hướng về trang chủ " + finalURL + "."
	case status != http.StatusOK:
		return store.ChangeUnreachable, fmt.Sprintf("Trang trả về HTTP %d.", status)
	case last == nil:
		return store.ChangeFirst, "Lần lưu đầu tiên."
	}
	if norm(title) == norm(last.Title) && norm(text) == norm(last.Text) {
		return store.ChangeUnchanged, "Không thay đổi."
	}
	newText, oldText := strings.ToLower(title+"\n"+text), strings.ToLower(last.Title+"\n"+last.Text)
	for _, m := range retractionMarkers {
		if strings.Contains(newText, m) && !strings.Contains(oldText, m) {
			return store.ChangeRetracted, "Bài viết ghi nhận rút lại: “" + sentenceWith(title+"\n"+text, m) + "”"
		}
	}
	for _, m := range correctionMarkers {
		if strings.Contains(newText, m) && !strings.Contains(oldText, m) {
			return store.ChangeCorrected, "Bài viết có đính chính: “" + sentenceWith(title+"\n"+text, m) + "”"
		}
	}
	ins, del := 0, 0
	for _, op := range Diff(last.Title+"\n"+last.Text, title+"\n"+text) {
		switch op.Kind {
		case Insert:
			ins += len(strings.Fields(op.Text))
		case Delete:
			del += len(strings.Fields(op.Text))
		}
	}
	return store.ChangeEdited, fmt.Sprintf("Bài viết bị sửa: thêm %d từ, bỏ %d từ.", ins, del)
}

func redirectedHome(pageURL, finalURL string) bool {
	if finalURL == "" || finalURL == pageURL {
		return false
	}
	p, err1 := url.Parse(pageURL)
	f, err2 := url.Parse(finalURL)
	if err1 != nil || err2 != nil {
		return false
	}
	home := strings.Trim(f.Path, "/") == "" || strings.EqualFold(strings.Trim(f.Path, "/"), "index.html")
	return home && strings.Trim(p.Path, "/") != ""
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

// sentenceWith returns the sentence of s that holds marker (any case).
func sentenceWith(s, marker string) string {
	i := strings.Index(strings.ToLower(s), marker)
	if i < 0 {
		return clip(s, 200)
	}
	start := strings.LastIndexAny(s[:i], ".!?\n。") + 1
	end := len(s)
	if j := strings.IndexAny(s[i:], ".!?\n。"); j >= 0 {
		end = i + j + 1
	}
	return clip(strings.TrimSpace(s[start:end]), 300)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

package evidence

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlnwa/gowarc"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

// outlet is a foreign site on loopback whose article the test edits.
type outlet struct {
	mu     sync.Mutex
	status int
	body   string
	hits   int
}

func (o *outlet) set(status int, body string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.status, o.body = status, body
}

func (o *outlet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.hits++
	switch r.URL.Path {
	case "/":
		_, _ = io.WriteString(w, "<html><body>Home</body></html>")
	case "/news/raid":
		if o.status == http.StatusMovedPermanently {
			http.Redirect(w, r, "/", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", `"v`+strconv.Itoa(len(o.body))+`"`)
		w.WriteHeader(o.status)
		_, _ = io.WriteString(w, o.body)
	default:
		http.NotFound(w, r)
	}
}

func page(title, text string) string {
	return "<html><head><title>" + title + "</title></head><body><h1>" + title + "</h1><p>" + text + "</p></body></html>"
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func extractTitleText(body []byte, _ string) (string, string) {
	s := string(body)
	title := ""
	if i, j := strings.Index(s, "<h1>"), strings.Index(s, "</h1>"); i >= 0 && j > i {
		title = s[i+4 : j]
	}
	text := ""
	if i, j := strings.Index(s, "<p>"), strings.Index(s, "</p>"); i >= 0 && j > i {
		text = s[i+3 : j]
	}
	return title, text
}

// TestLifecycle follows an alerted article through its captures: first
// capture (WARC read back by gowarc and by a second, independent reader),
// an edit, a correction that settles the office's response, then deletion,
// which ends the schedule; a restarted archive captures nothing twice.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	site := &outlet{}
	site.set(200, page("Police detain 40 in Bien Hoa raid", "Police in Dong Nai detained 40 people at a gambling den."))
	srv := httptest.NewServer(site)
	defer srv.Close()
	st := storetest.OpenSQLite(t)
	es := st.(Store)
	pageURL := srv.URL + "/news/raid"
	canon, id, err := article.IDFor(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertArticles(ctx, []*article.Article{{ID: id, URL: pageURL, CanonicalURL: canon, Source: "wire", Outlet: "Wire",
		Title: "Police detain 40 in Bien Hoa raid", Summary: "Feed summary of the raid.", Published: time.Date(2026, 11, 18, 1, 0, 0, 0, time.UTC),
		Collected: time.Date(2026, 11, 18, 1, 5, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	newArchive := func() *Archive {
		a, err := New(Options{Store: es, Dir: dir, Client: srv.Client(), Extract: extractTitleText, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := newArchive()
	if err := a.Request(ctx, id, pageURL, store.EvidenceAlert); err != nil {
		t.Fatal(err)
	}
	run := func(want int) {
		t.Helper()
		n, err := a.RunOnce(ctx)
		if err != nil || n != want {
			t.Fatalf("RunOnce at %s = %d, %v; want %d", clk.Now().Format(time.RFC3339), n, err, want)
		}
	}
	run(1)
	run(0) // nothing due before an hour has passed
	snaps, _ := es.ListSnapshots(ctx, id)
	if len(snaps) != 1 || snaps[0].Change != store.ChangeFirst || snaps[0].Status != 200 || snaps[0].Text == "" {
		t.Fatalf("first capture: %+v", snaps)
	}
	body := page("Police detain 40 in Bien Hoa raid", "Police in Dong Nai detained 40 people at a gambling den.")
	sum := sha256.Sum256([]byte(body))
	if snaps[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("sha256 %s is not the body's", snaps[0].SHA256)
	}
	checkWARC(t, a, snaps[0], body)

	// 1 h: the outlet edits the story.
	clk.Add(time.Hour)
	site.set(200, page("Police detain 40 in Bien Hoa raid", "Police in Dong Nai detained 40 people at an illegal gambling den on Tuesday, officials said."))
	run(1)
	// The office answers the story.
	if err := es.UpsertResponse(ctx, store.Response{ID: "resp-1", Cluster: "c-raid", ArticleID: id, Text: "Sở Ngoại vụ gửi thư đề nghị đính chính số liệu.",
		RespondedOn: clk.Now(), Channel: store.ChannelLetter, ApprovedBy: "Giám đốc Sở", CreatedBy: "officer"}); err != nil {
		t.Fatal(err)
	}
	// A second response whose claim another outlet then repeated: the
	// outlet's own correction below still settles it as corrected.
	if err := es.UpsertResponse(ctx, store.Response{ID: "resp-2", Cluster: "c-raid", ArticleID: id, Text: "Sở Ngoại vụ trả lời phỏng vấn.",
		RespondedOn: clk.Now(), Channel: store.ChannelLetter, ApprovedBy: "Giám đốc Sở", CreatedBy: "officer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.(interface {
		MarkResponseRepeated(ctx context.Context, id, articleID, note string, at time.Time) (bool, error)
	}).MarkResponseRepeated(ctx, "resp-2", "other-article", "Luận điểm lặp lại trong bài khác", clk.Now()); err != nil {
		t.Fatal(err)
	}
	// 6 h after the first capture: a correction.
	clk.Add(5 * time.Hour)
	site.set(200, page("Police detain 40 in Bien Hoa raid", "Correction: an earlier version misstated the number detained. Police in Dong Nai detained 40 people at an illegal gambling den on Tuesday, officials said."))
	run(1)
	// 24 h: the page is gone.
	clk.Add(18 * time.Hour)
	site.set(404, "not found")
	run(1)
	snaps, _ = es.ListSnapshots(ctx, id)
	var kinds []string
	for _, s := range snaps {
		kinds = append(kinds, s.Change)
	}
	if got := strings.Join(kinds, ","); got != "first,edited,corrected,deleted" {
		t.Fatalf("changes %s, want first,edited,corrected,deleted", got)
	}
	if !strings.Contains(snaps[2].ChangeDetail, "Correction: an earlier version misstated") {
		t.Errorf("correction detail %q", snaps[2].ChangeDetail)
	}
	ops := Diff(snaps[0].Title+"\n"+snaps[0].Text, snaps[1].Title+"\n"+snaps[1].Text)
	var ins []string
	for _, op := range ops {
		if op.Kind == Insert {
			ins = append(ins, strings.TrimSpace(op.Text))
		}
	}
	if strings.Join(ins, "|") != "an illegal|on Tuesday, officials said" {
		t.Errorf("inserted runs %q", ins)
	}
	all, _ := es.ListResponses(ctx, store.ResponseFilter{ArticleID: id})
	var resp []store.Response
	for _, r := range all {
		switch r.ID {
		case "resp-1":
			resp = append(resp, r)
		case "resp-2":
			if r.Outcome != store.OutcomeCorrected || !strings.Contains(r.OutcomeNote, "Trước đó: Luận điểm lặp lại") {
				t.Errorf("a repeated response after the outlet's correction: %q %q, want corrected with the repeat noted", r.Outcome, r.OutcomeNote)
			}
		}
	}
	if len(resp) != 1 || resp[0].Outcome != store.OutcomeCorrected {
		t.Fatalf("response outcome: %+v", resp)
	}
	// The note is the capture's detail, said once, and reads in English too.
	if n := resp[0].OutcomeNote; strings.Count(n, "đính chính") != 1 || NoteIn("en", n) == n {
		t.Errorf("outcome note %q", n)
	}
	// Deleted: the schedule is over, even 30 days on.
	clk.Add(40 * 24 * time.Hour)
	run(0)
	// A restarted archive on the same store and folder re-captures nothing.
	a = newArchive()
	run(0)
	if snaps, _ := es.ListSnapshots(ctx, id); len(snaps) != 4 {
		t.Fatalf("%d captures after restart", len(snaps))
	}
}

// checkWARC reads the capture's WARC file with gowarc and with readWARC, an
// independent minimal reader of the format, and checks what it holds.
func checkWARC(t *testing.T, a *Archive, sn store.Snapshot, body string) {
	t.Helper()
	data, err := a.ReadWARC(context.Background(), sn)
	if err != nil {
		t.Fatal(err)
	}
	if sn.WARCSHA256 == "" {
		t.Error("no SHA-256 recorded for the WARC file")
	}
	f := bytes.NewReader(data)
	wr, err := gowarc.NewWarcFileReaderFromStream(f, 0, gowarc.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for {
		rec, _, v, err := wr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("gowarc after %v: %v", types, err)
		}
		if v != nil && !v.Valid() {
			t.Errorf("gowarc validation of %s: %v", rec.Type(), v)
		}
		types = append(types, rec.Type().String())
	}
	if got := strings.Join(types, ","); got != "warcinfo,request,response,metadata,resource" {
		t.Errorf("gowarc read records %s", got)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	recs, err := readWARC(bufio.NewReader(f))
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	if len(recs) != 5 || recs[2].header["WARC-Type"] != "response" || recs[2].header["WARC-Target-URI"] != sn.URL {
		t.Fatalf("second reader: %d records", len(recs))
	}
	if !strings.HasPrefix(string(recs[2].block), "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(string(recs[2].block), body) {
		t.Errorf("response block %.80q", recs[2].block)
	}
	if !strings.Contains(string(recs[3].block), `"summary": "Feed summary of the raid."`) || !strings.Contains(string(recs[3].block), sn.SHA256) {
		t.Errorf("metadata block lacks the feed item or hash: %s", recs[3].block)
	}
	if !strings.Contains(string(recs[4].block), "detained 40 people") {
		t.Errorf("text resource %q", recs[4].block)
	}
}

type warcRecord struct {
	header map[string]string
	block  []byte
}

// readWARC is a deliberately small, independent WARC 1.1 reader: version
// line, header fields up to a blank line, Content-Length bytes of block, then
// the two CRLFs that end a record.
func readWARC(r *bufio.Reader) ([]warcRecord, error) {
	var out []warcRecord
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF && line == "" {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if strings.TrimRight(line, "\r\n") != "WARC/1.1" {
			return nil, fmt.Errorf("record %d: version line %q", len(out), line)
		}
		rec := warcRecord{header: map[string]string{}}
		for {
			h, err := r.ReadString('\n')
			if err != nil {
				return nil, err
			}
			h = strings.TrimRight(h, "\r\n")
			if h == "" {
				break
			}
			k, v, ok := strings.Cut(h, ":")
			if !ok {
				return nil, fmt.Errorf("record %d: header %q", len(out), h)
			}
			rec.header[k] = strings.TrimSpace(v)
		}
		n, err := strconv.Atoi(rec.header["Content-Length"])
		if err != nil {
			return nil, fmt.Errorf("record %d: Content-Length: %w", len(out), err)
		}
		rec.block = make([]byte, n)
		if _, err := io.ReadFull(r, rec.block); err != nil {
			return nil, err
		}
		end := make([]byte, 4)
		if _, err := io.ReadFull(r, end); err != nil || string(end) != "\r\n\r\n" {
			return nil, fmt.Errorf("record %d: no CRLF CRLF after the block", len(out))
		}
		if d := rec.header["WARC-Block-Digest"]; d == "" {
			return nil, fmt.Errorf("record %d: no block digest", len(out))
		}
		out = append(out, rec)
	}
}

func TestClassify(t *testing.T) {
	last := &store.Snapshot{Title: "T", Text: "one two three"}
	for _, tc := range []struct {
		name, url, final string
		status           int
		err              error
		title, text      string
		want             string
	}{
		{"first", "https://x/a", "https://x/a", 200, nil, "T", "x", store.ChangeFirst},
		{"unchanged", "https://x/a", "https://x/a", 200, nil, "T", " one  two three ", store.ChangeUnchanged},
		{"edited", "https://x/a", "https://x/a", 200, nil, "T", "one two four", store.ChangeEdited},
		{"corrected vi", "https://x/a", "https://x/a", 200, nil, "T", "Đính chính: one two three", store.ChangeCorrected},
		{"retracted", "https://x/a", "https://x/a", 200, nil, "T", "This article has been removed.", store.ChangeRetracted},
		{"gone", "https://x/a", "https://x/a", 410, nil, "", "", store.ChangeDeleted},
		{"home", "https://x/news/a", "https://x/", 200, nil, "Home", "", store.ChangeDeleted},
		{"server error", "https://x/a", "https://x/a", 503, nil, "", "", store.ChangeUnreachable},
		{"unreachable", "https://x/a", "", 0, errors.New("dial tcp: connection refused"), "", "", store.ChangeUnreachable},
	} {
		l := last
		if tc.name == "first" {
			l = nil
		}
		if got, detail := Classify(l, tc.url, tc.final, tc.status, tc.err, tc.title, tc.text); got != tc.want || detail == "" {
			t.Errorf("%s: %s (%q), want %s", tc.name, got, detail, tc.want)
		}
	}
}

func TestDiffCJKAndVietnamese(t *testing.T) {
	ops := Diff("同奈省警方拘留40人", "同奈省警方拘留45人")
	var del, ins string
	for _, op := range ops {
		switch op.Kind {
		case Delete:
			del += op.Text
		case Insert:
			ins += op.Text
		}
	}
	if del != "40" || ins != "45" {
		t.Errorf("CJK diff: -%q +%q", del, ins)
	}
	ops = Diff("Công an Đồng Nai bắt 40 người", "Công an tỉnh Đồng Nai bắt 40 người")
	if len(ops) != 3 || ops[1].Kind != Insert || strings.TrimSpace(ops[1].Text) != "tỉnh" {
		t.Errorf("Vietnamese diff: %+v", ops)
	}
}

// TestAlertedArticlesCaptured: an alert raised in the store schedules the
// capture of its article; a digest-only match does not.
func TestAlertedArticlesCaptured(t *testing.T) {
	ctx := context.Background()
	site := &outlet{}
	site.set(200, page("Strike at Changshin plant", "Workers at the Changshin plant in Dong Nai walked out."))
	srv := httptest.NewServer(site)
	defer srv.Close()
	st := storetest.OpenSQLite(t)
	var ids []string
	for _, p := range []string{"/news/raid", "/news/other"} {
		canon, id, err := article.IDFor(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		if err := st.UpsertArticles(ctx, []*article.Article{{ID: id, URL: srv.URL + p, CanonicalURL: canon, Source: "wire", Title: p,
			Published: time.Now().UTC(), Collected: time.Now().UTC()}}); err != nil {
			t.Fatal(err)
		}
	}
	as := st.(store.AlertStore)
	if err := as.RecordAlerts(ctx, []store.NewAlert{
		{Alert: store.Alert{ID: "police/1", Route: "police", ArticleID: ids[0], Severity: "immediate", State: store.AlertNew, Title: "raid"}},
		{Alert: store.Alert{ID: "root/2", Route: "root", ArticleID: ids[1], Severity: "digest", State: store.AlertNew, Title: "other"}},
	}); err != nil {
		t.Fatal(err)
	}
	a, err := New(Options{Store: st.(Store), Alerts: as, Dir: t.TempDir(), Client: srv.Client(), Extract: extractTitleText})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want the alerted article captured", n, err)
	}
	if s, _ := st.(Store).ListSnapshots(ctx, ids[0]); len(s) != 1 || s[0].Text == "" {
		t.Fatalf("alerted article: %+v", s)
	}
	if s, _ := st.(Store).ListSnapshots(ctx, ids[1]); len(s) != 0 {
		t.Fatalf("a digest-only match was captured: %+v", s)
	}
}

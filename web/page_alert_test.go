package web

import (
	"context"
	"fmt"
	htmlstd "html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/store"
	"golang.org/x/net/html"
)

// matrixAlert records an alert routed to the police and foreign affairs and
// a silence, for the role matrix's {id} routes.
func matrixAlert(t testing.TB, f *fixture) (alertID, silenceID string) {
	t.Helper()
	as, ok := f.store.(interface {
		store.AlertStore
	})
	if !ok {
		t.Fatalf("%T has no alert methods", f.store)
	}
	ctx := context.Background()
	a := store.Alert{ID: "al-matrix", Route: "misinformation", ArticleID: f.arts[0].ID, Cluster: "c-airport", GroupKey: "g",
		Severity: "immediate", Risk: 70, Title: f.arts[0].Title, Receivers: []string{"police", "foreign_affairs"}}
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: a}}); err != nil {
		t.Fatal(err)
	}
	sl := store.Silence{ID: "s-matrix", Query: "outlet:x", Reason: "r", ExpiresAt: time.Now().Add(time.Hour)}
	if err := as.CreateSilence(ctx, sl); err != nil {
		t.Fatal(err)
	}
	return a.ID, sl.ID
}

func TestAlertPages(t *testing.T) {
	f := newFixture(t)
	as := f.store.(store.AlertStore)
	ctx := context.Background()
	mk := func(id string, receivers ...string) {
		a := store.Alert{ID: id, Route: "r-" + receivers[0], ArticleID: f.arts[0].ID, GroupKey: id, Severity: "immediate", Cluster: "c-" + id,
			Risk: 70, Title: "Tin " + id + " <script>", Receivers: receivers,
			Reasons: nil}
		if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: a, Notify: []store.Notification{{Receiver: receivers[0], Channel: "email", Recipient: receivers[0] + "@example.org"}}}}); err != nil {
			t.Fatal(err)
		}
	}
	mk("al-police", "police")
	mk("al-fa", "foreign_affairs")

	// The police see only what their routes send them.
	cookie, csrf := f.session(RolePolice)
	resp, body := f.get("/alerts", cookie)
	if resp.StatusCode != 200 || !strings.Contains(body, "Tin al-police") || strings.Contains(body, "Tin al-fa") {
		t.Errorf("police inbox: %d, police alert shown %v, foreign affairs alert shown %v", resp.StatusCode,
			strings.Contains(body, "Tin al-police"), strings.Contains(body, "Tin al-fa"))
	}
	if strings.Contains(body, "<script>") {
		t.Error("inbox shows a title unescaped")
	}
	// The inbox says how many alerts it lists.
	if want := (messages{"vi"}).F("inbox_count", "1", "1"); !strings.Contains(body, want) {
		t.Errorf("police inbox lacks the count %q", want)
	}
	if resp, _ := f.get("/alerts/al-fa", cookie); resp.StatusCode != http.StatusNotFound {
		t.Errorf("police open a foreign affairs alert: %d", resp.StatusCode)
	}

	// Digest-only alerts (kept for the report, never mailed) stay out of the
	// inbox unless asked for.
	dig := store.Alert{ID: "al-digest", Route: "default", ArticleID: f.arts[0].ID, GroupKey: "al-digest", Severity: "digest",
		Title: "Tin al-digest", Receivers: []string{"police"}}
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: dig}}); err != nil {
		t.Fatal(err)
	}
	if _, body := f.get("/alerts", cookie); strings.Contains(body, "Tin al-digest") || !strings.Contains(body, "Tin al-police") {
		t.Errorf("default inbox: digest-only shown %v, immediate shown %v", strings.Contains(body, "Tin al-digest"), strings.Contains(body, "Tin al-police"))
	}
	if _, body := f.get("/alerts?digest=1", cookie); !strings.Contains(body, "Tin al-digest") {
		t.Error("inbox with digest=1 does not list the digest-only alert")
	}

	// Triage from the detail page.
	var lastBody string
	post := func(path string, v url.Values, cookie, csrf string) *http.Response {
		v.Set("csrf", csrf)
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		resp, body := f.do(req)
		lastBody = body
		return resp
	}
	if r := post("/alerts/al-police", url.Values{"state": {"acknowledged"}, "assignee": {"Thiếu tá Minh"}}, cookie, csrf); r.StatusCode != http.StatusSeeOther {
		t.Errorf("acknowledge: %d", r.StatusCode)
	} else if loc := r.Header.Get("Location"); loc != "/alerts/al-police?saved=1" {
		t.Errorf("after a change: redirected to %q", loc)
	} else if _, page := f.get(loc, cookie); !strings.Contains(page, `id="alert-saved"`) {
		t.Error("the page does not say the change was saved")
	}
	if _, page := f.get("/alerts/al-police", cookie); strings.Contains(page, `id="alert-saved"`) {
		t.Error("'saved' shown without a change")
	}
	if r := post("/alerts/al-police", url.Values{"state": {"new"}}, cookie, csrf); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("acknowledged → new: %d, want 422", r.StatusCode)
	}
	if r := post("/alerts/al-police", url.Values{"state": {"confirmed"}, "response_link": {"https://gov.example/dinh-chinh"}}, cookie, csrf); r.StatusCode != http.StatusSeeOther {
		t.Errorf("confirm: %d", r.StatusCode)
	}
	got, _ := as.GetAlert(ctx, "al-police")
	if got.State != store.AlertConfirmed || got.Assignee != "Thiếu tá Minh" || got.AckedBy == "" {
		t.Errorf("after triage: %+v", got)
	}
	audit, _ := f.store.ListAudit(ctx, 10)
	if len(audit) < 2 || audit[0].Action != "alert.update" {
		t.Errorf("audit = %+v", audit)
	}
	// Precision on the rules page.
	acookie, acsrf := f.session(RoleAnalyst)
	if resp, body := f.get("/alerts/rules", acookie); resp.StatusCode != 200 || !strings.Contains(body, "r-police") || !strings.Contains(body, "100%") {
		t.Errorf("rules page: %d\n%.2000s", resp.StatusCode, body)
	}
	// Alert routes made from saved searches are listed with their owner,
	// query, receiver and what they raised.
	ss := f.store.(store.SavedSearchStore)
	route := store.SavedSearch{ID: "ss-rules", Owner: "officer-lan", Name: "Ô nhiễm sông Đồng Nai", Query: `"ô nhiễm" AND sông`,
		AlertReceiver: "police", AlertEnabled: true, AlertMinRisk: 40, CreatedAt: time.Now()}
	off := route
	off.ID, off.Name, off.AlertEnabled = "ss-off", "Tuyến đã tắt", false
	for _, x := range []store.SavedSearch{route, off} {
		if err := ss.UpsertSavedSearch(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	fromSaved := store.Alert{ID: "al-saved", Route: "saved/ss-rules", ArticleID: f.arts[0].ID, GroupKey: "al-saved", Severity: "immediate",
		Title: "Tin al-saved", Receivers: []string{"police"}}
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: fromSaved}}); err != nil {
		t.Fatal(err)
	}
	_, body = f.get("/alerts/rules", acookie)
	for _, want := range []string{"Ô nhiễm sông Đồng Nai", "officer-lan", "&#34;ô nhiễm&#34; AND sông", "Công an tỉnh", ">40<"} {
		if !strings.Contains(body, want) {
			t.Errorf("rules page does not show %q of the saved-search route", want)
		}
	}
	// Rules are named, never shown by their IDs.
	if strings.Contains(body, "saved/ss-rules") {
		t.Error("rules page shows the rule ID saved/ss-rules")
	}
	if i := strings.Index(body, "Tìm kiếm đã lưu: Ô nhiễm sông Đồng Nai</td>"); i < 0 || !strings.Contains(body[i:], `<td class="num">1</td>`) {
		t.Error("rules page does not count the alert the saved-search route raised under the search's name")
	}
	if strings.Contains(body, "Tuyến đã tắt") {
		t.Error("rules page lists a saved search whose route is off")
	}
	// Silences.
	if r := post("/alerts/silences", url.Values{"query": {`outlet:"X"`}, "duration": {"2h"}, "reason": {"thử"}}, acookie, acsrf); r.StatusCode != http.StatusSeeOther {
		t.Errorf("create silence: %d", r.StatusCode)
	}
	// Each mistake gets its own message, and the form keeps what was typed.
	vi := messages{"vi"}
	for _, c := range []struct {
		query, duration, reason, want, kept string
	}{
		{`risk>=(`, "2h", "lý do giữ lại", vi.T("query_error"), "lý do giữ lại"},
		{"", "2h", "lý do giữ lại", vi.T("silence_need_query"), "lý do giữ lại"},
		{`outlet:"Y"`, "2h", "", vi.T("silence_need_reason"), `outlet:&#34;Y&#34;`},
		{`outlet:"Y"`, "hai giờ", "x", vi.T("silence_bad_duration"), "hai giờ"},
		{`outlet:"Y"`, "0d", "x", vi.T("silence_bad_duration"), "0d"},
		{`outlet:"Y"`, "91d", "x", vi.T("silence_too_long"), "91d"},
		{`outlet:"Y"`, "2200h", "x", vi.T("silence_too_long"), "2200h"},
	} {
		r := post("/alerts/silences", url.Values{"query": {c.query}, "duration": {c.duration}, "reason": {c.reason}}, acookie, acsrf)
		b := lastBody
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), htmlstd.EscapeString(c.want)) || !strings.Contains(string(b), c.kept) {
			t.Errorf("silence %q/%q/%q: status %d, message %q shown %v, %q kept %v", c.query, c.duration, c.reason,
				r.StatusCode, c.want, strings.Contains(string(b), htmlstd.EscapeString(c.want)), c.kept, strings.Contains(string(b), c.kept))
		}
	}
	if r := post("/alerts/silences", url.Values{"query": {`outlet:"Z"`}, "duration": {"7d"}, "reason": {"một tuần"}}, acookie, acsrf); r.StatusCode != http.StatusSeeOther {
		t.Errorf("silence for 7d: %d", r.StatusCode)
	}
	// "Silence this story" from the alert fills the form in; officers who
	// may not silence are told whom to ask.
	if _, page := f.get("/alerts/al-police", acookie); !strings.Contains(page, `/alerts/silences?query=cluster%3Ac-al-police`) {
		t.Error("the alert page has no 'silence this story' link for an analyst")
	}
	if _, page := f.get("/alerts/silences?query=cluster%3Ac-al-police", acookie); !strings.Contains(page, `value="cluster:c-al-police"`) {
		t.Error("the silence form is not filled in from the link")
	}
	if _, page := f.get("/alerts/al-police", cookie); strings.Contains(page, "/alerts/silences?") || !strings.Contains(page, htmlstd.EscapeString(vi.T("alert_silence_ask"))) {
		t.Error("the police see a silence link they cannot use, or no hint whom to ask")
	}
	if ss, _ := as.ListSilences(ctx, time.Now(), false); len(ss) != 2 || ss[0].Author == "" {
		t.Errorf("silences = %+v", ss)
	}

	// The one-click link: a forged one is refused, a good one shows a button
	// and acknowledges on POST, without a login.
	ds, _ := as.ListDeliveries(ctx, store.DeliveryFilter{AlertID: "al-fa"})
	signer, _ := alerts.NewAckSigner(f.srv.secret, time.Hour)
	link, _ := signer.Link(f.http.URL, ds[0].ID, f.srv.opts.Now())
	u, _ := url.Parse(link)
	if resp, body := f.get(alerts.AckPath+"?d="+ds[0].ID+"&exp=99999999999&sig=x", ""); resp.StatusCode != http.StatusForbidden ||
		!strings.Contains(body, `id="ack-bad"`) || strings.Contains(body, "ack-form") {
		t.Errorf("forged link: %d; the page does not say the link is bad, or offers the button", resp.StatusCode)
	}
	resp, body = f.get(u.RequestURI(), "")
	if resp.StatusCode != 200 || !strings.Contains(body, "Tin al-fa") {
		t.Errorf("ack page: %d", resp.StatusCode)
	}
	if got, _ := as.GetAlert(ctx, "al-fa"); got.State != store.AlertNew {
		t.Errorf("GET acknowledged the alert: %s", got.State)
	}
	// Post what the page's form posts, as a browser would: its action and
	// its fields (the email's ack button once posted to an action whose
	// query the template had escaped, with nothing in the body: 403).
	action, fields := formOf(t, body, "ack-form")
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+action, strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, _ := f.do(req); resp.StatusCode != 200 {
		t.Errorf("ack POST to %q with %v: %d", action, fields, resp.StatusCode)
	}
	if got, _ := as.GetAlert(ctx, "al-fa"); got.State != store.AlertAcknowledged || got.AckedBy != "email:foreign_affairs@example.org" {
		t.Errorf("after the link: %s by %q", got.State, got.AckedBy)
	}
	// Opened again, the link says the alert is already acknowledged and
	// offers no button.
	if _, again := f.get(u.RequestURI(), ""); !strings.Contains(again, `id="ack-already"`) || strings.Contains(again, "ack-form") {
		t.Errorf("the link opened again still offers to acknowledge")
	}
}

func TestMailboxPages(t *testing.T) {
	f := newFixture(t)
	mb, err := alerts.NewMailbox(alerts.MailboxOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = mb.Run(ctx) }()
	defer func() { cancel(); <-done }()
	host, port := mb.HostPort()
	en, err := alerts.NewEmailNotifier(alerts.SMTPOptions{Host: host, Port: port, TLS: alerts.TLSNone, From: "pw@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	m := &alerts.Message{DeliveryID: "d1", MessageID: "<d1@presswatch>", To: "ca@example.org",
		Rendered: alerts.Rendered{Subject: "Tin <b>nóng</b>", Text: "xin chào", HTML: "<p>xin chào</p>"}}
	if _, err := en.Notify(ctx, m); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /demo/mailbox", f.srv.mailboxList(mb))
	mux.Handle("GET /demo/mailbox/{name}", f.srv.mailboxMessage(mb))
	for _, demo := range []bool{false, true} {
		f.srv.opts.Demo = demo
		rec := httptestRecorder(mux, "/demo/mailbox")
		if !demo {
			if rec.Code != http.StatusNotFound {
				t.Errorf("mailbox outside the demo: %d", rec.Code)
			}
			continue
		}
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Tin &lt;b&gt;nóng&lt;/b&gt;") {
			t.Errorf("mailbox page: %d\n%s", rec.Code, rec.Body.String())
		}
		name := mb.Messages()[0].Name
		// The message page decodes the message: its text and its HTML
		// (sanitised), never the transfer-encoded bytes.
		dec := httptestRecorder(mux, "/demo/mailbox/"+name)
		if b := dec.Body.String(); dec.Code != 200 || !strings.Contains(b, `<pre class="mail-body" id="mail-text">xin chào</pre>`) ||
			!strings.Contains(b, "&lt;d1@presswatch&gt;") || !strings.Contains(b, `<section class="card mail-html" id="mail-html"><p>xin chào</p></section>`) {
			t.Errorf("decoded message: %d\n%s", dec.Code, b)
		}
		raw := httptestRecorder(mux, "/demo/mailbox/"+name+"?raw=1")
		if raw.Code != 200 || raw.Header().Get("Content-Type") != "text/plain; charset=utf-8" || !strings.Contains(raw.Body.String(), "Message-ID: <d1@presswatch>") {
			t.Errorf("raw message: %d %s\n%s", raw.Code, raw.Header().Get("Content-Type"), raw.Body.String())
		}
		if r := httptestRecorder(mux, "/demo/mailbox/nope.eml"); r.Code != http.StatusNotFound {
			t.Errorf("missing message: %d", r.Code)
		}
	}
}

func httptestRecorder(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// TestInboxOneRowPerArticle: an article that two routes sent to the same
// office (one message, the second alert merged into the first) is one row of
// that office's inbox, led by the alert whose message went out and naming
// the other route; its detail page links the sibling, and triage moves both.
func TestInboxOneRowPerArticle(t *testing.T) {
	f := newFixture(t)
	as := f.store.(store.AlertStore)
	ctx := context.Background()
	art := f.arts[1]
	mk := func(id, route, note string, notify bool) {
		a := store.Alert{ID: id, Route: route, ArticleID: art.ID, GroupKey: id, Severity: "immediate", Risk: 70,
			Title: "Tin trùng " + id, Receivers: []string{"police"}, Note: note}
		na := store.NewAlert{Alert: a}
		if notify {
			na.Notify = []store.Notification{{Receiver: "police", Channel: "email", Recipient: "congan@example.org"}}
		}
		if err := as.RecordAlerts(ctx, []store.NewAlert{na}); err != nil {
			t.Fatal(err)
		}
	}
	// The merged alert is recorded first, so list order alone would lead
	// with it.
	mk("al-merged", "route-b", "Đã gửi trong thư của tuyến route-a (cùng bài, cùng người nhận) / sent in route route-a's message", false)
	mk("al-sent", "route-a", "", true)
	// The same article for another office.
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: store.Alert{ID: "al-fa-same", Route: "route-c", ArticleID: art.ID, GroupKey: "x",
		Severity: "immediate", Risk: 70, Title: "Tin ngoại vụ", Receivers: []string{"foreign_affairs"}}}}); err != nil {
		t.Fatal(err)
	}

	cookie, csrf := f.session(RolePolice)
	_, body := f.get("/alerts", cookie)
	if n := strings.Count(body, `href="/alerts/al-`); n != 1 {
		t.Errorf("police inbox lists %d alerts about the article, want one row", n)
	}
	if !strings.Contains(body, `href="/alerts/al-sent"`) {
		t.Error("the row does not lead with the alert whose message went out")
	}
	if !strings.Contains(body, "Cùng bài, cũng khớp: route-b") {
		t.Errorf("the row does not name the other route\n%.3000s", body)
	}

	_, body = f.get("/alerts/al-sent", cookie)
	if !strings.Contains(body, `id="siblings"`) || !strings.Contains(body, `href="/alerts/al-merged"`) {
		t.Error("detail page does not link the same office's other alert about the article")
	}
	if strings.Contains(body, `href="/alerts/al-fa-same"`) {
		t.Error("detail page links another office's alert")
	}

	v := url.Values{"state": {"acknowledged"}, "csrf": {csrf}}
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/alerts/al-sent", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	if resp, _ := f.do(req); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d", resp.StatusCode)
	}
	for id, want := range map[string]string{"al-sent": store.AlertAcknowledged, "al-merged": store.AlertAcknowledged, "al-fa-same": store.AlertNew} {
		if got, _ := as.GetAlert(ctx, id); got.State != want {
			t.Errorf("after acknowledging al-sent: %s is %s, want %s", id, got.State, want)
		}
	}
}

// formOf returns the action and the submitted fields of the form with the
// given id in page, read from the HTML as a browser reads it.
func formOf(t *testing.T, page, id string) (string, url.Values) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) string {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val
			}
		}
		return ""
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" && attr(n, "id") == id {
			form = n
		}
		for c := n.FirstChild; c != nil && form == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if form == nil {
		t.Fatalf("no form %q in the page", id)
	}
	fields := url.Values{}
	var inputs func(*html.Node)
	inputs = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") != "" {
			fields.Add(attr(n, "name"), attr(n, "value"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			inputs(c)
		}
	}
	inputs(form)
	return attr(form, "action"), fields
}

// TestAlertInboxCut: past inboxMax alerts the inbox says it shows only the
// newest, instead of dropping the rest without a word.
func TestAlertInboxCut(t *testing.T) {
	f := newFixture(t)
	as := f.store.(store.AlertStore)
	ctx := context.Background()
	var batch []store.NewAlert
	for i := range inboxMax + 5 {
		id := fmt.Sprintf("al-%03d", i)
		batch = append(batch, store.NewAlert{Alert: store.Alert{ID: id, Route: "r-police", ArticleID: f.arts[i%len(f.arts)].ID, GroupKey: id,
			Severity: "immediate", Risk: 70, Title: "Tin " + id, Receivers: []string{"police"}}})
	}
	if err := as.RecordAlerts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	cookie, _ := f.session(RolePolice)
	_, body := f.get("/alerts", cookie)
	m := messages{"vi"}
	if want := m.F("inbox_cut", m.Num(inboxMax)); !strings.Contains(body, want) {
		t.Errorf("inbox of %d alerts lacks %q", inboxMax+5, want)
	}
}

// TestInboxOneRowPerStory: a story's alerts for one office share a row led
// by the newest, which counts the others, names their highest risk and
// links them; ?story= lists them, ?flat=1 lists every article.
func TestInboxOneRowPerStory(t *testing.T) {
	f := newFixture(t)
	as := f.store.(store.AlertStore)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	mk := func(id string, art int, cluster string, risk int, receiver string) {
		t.Helper()
		at = at.Add(time.Minute) // recorded in this order: the last is the newest
		a := store.Alert{ID: id, Route: "security", ArticleID: f.arts[art].ID, Cluster: cluster, GroupKey: "security/" + cluster,
			Severity: "immediate", Risk: risk, Title: "Tin " + id, Receivers: []string{receiver}}
		if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: a, Now: at}}); err != nil {
			t.Fatal(err)
		}
	}
	mk("al-s1", 0, "c-strike", 60, "police")
	mk("al-s2", 1, "c-strike", 85, "police")
	mk("al-other", 2, "c-flood", 70, "police")
	mk("al-s3", 3, "c-strike", 70, "police")
	mk("al-fa", 4, "c-strike", 90, "foreign_affairs")
	mk("al-s4", 5, "c-strike", 65, "police")

	cookie, _ := f.session(RolePolice)
	rows := func(body string) []string {
		var ids []string
		for _, s := range strings.Split(body, `<a href="/alerts/`)[1:] {
			id, _, _ := strings.Cut(s, `"`)
			if strings.HasPrefix(id, "al-") {
				ids = append(ids, id)
			}
		}
		return ids
	}
	m := messages{"vi"}
	_, body := f.get("/alerts", cookie)
	if got := rows(body); !slices.Equal(got, []string{"al-s4", "al-other"}) {
		t.Errorf("police inbox rows = %v, want the strike led by its newest alert, then the flood", got)
	}
	for _, want := range []string{m.F("inbox_story_more", "3"), m.F("inbox_story_new", "3"), m.F("inbox_story_max", "85"), `href="/alerts?story=c-strike"`, m.T("inbox_count_story")} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("police inbox lacks %q", want)
		}
	}
	_, body = f.get("/alerts?story=c-strike", cookie)
	if got := rows(body); !slices.Equal(got, []string{"al-s4", "al-s3", "al-s2", "al-s1"}) {
		t.Errorf("the story's alerts = %v, want its four police alerts newest first", got)
	}
	if !strings.Contains(body, `id="story-scope"`) || !strings.Contains(body, `href="/stories/c-strike"`) {
		t.Error("the story's list does not say it is one story or link the story page")
	}
	_, body = f.get("/alerts?flat=1", cookie)
	if got := rows(body); len(got) != 5 {
		t.Errorf("one row per article: %v, want 5 rows", got)
	}
	// Another office's alerts of the story are another row.
	admin, _ := f.session(RoleAdmin)
	_, body = f.get("/alerts", admin)
	if got := rows(body); !slices.Equal(got, []string{"al-s4", "al-fa", "al-other"}) {
		t.Errorf("administrator's inbox rows = %v, want the strike for each office and the flood", got)
	}
}

// TestHeldText: a story's next message 40 minutes on is "due at", not "held
// for quiet hours"; a wait of hours is the quiet-hours hold.
func TestHeldText(t *testing.T) {
	s := &Server{loc: time.UTC}
	m := messages{"vi"}
	made := time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		wait time.Duration
		key  string
	}{{40 * time.Minute, "alert_due_at"}, {7 * time.Hour, "alert_held_until"}} {
		d := store.Delivery{State: store.DeliveryPending, CreatedAt: made, NextAttempt: made.Add(tc.wait)}
		at := made.Add(tc.wait).Format("02/01/2006 15:04")
		if got, want := s.heldText(m, d), m.F(tc.key, at); got != want {
			t.Errorf("wait %s: %q, want %q", tc.wait, got, want)
		}
	}
}

package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/alerts"
	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// What an officer needs beside an alert: when the article was published
// (a year-old page found now is not news), why the alert came to this
// office, and from the article page back to the alert (emails link the
// article). Each was missing in an outside reading of the inbox.
func TestAlertContext(t *testing.T) {
	f := newFixture(t)
	as := f.store.(store.AlertStore)
	ctx := context.Background()
	now := f.clock.Now().UTC()
	old := &article.Article{ID: "old-page", URL: "https://example.org/old", CanonicalURL: "https://example.org/old", Source: "s",
		Outlet: "Old Times", Country: "US", Lang: "en", Title: "Dengue in Biên Hòa, a year ago", Text: "Dengue cases rose in Biên Hòa.",
		Published: now.Add(-400 * 24 * time.Hour), Collected: now,
		Classification: &article.Classification{About: true, Mentions: true, Topics: []string{"security_crime"}, Tone: "negative", Risk: 45, At: now}}
	if err := f.store.UpsertArticles(ctx, []*article.Article{old}); err != nil {
		t.Fatal(err)
	}
	why := article.Reason{Signal: alerts.RouteMatchSignal, Detail: "about:true; topic:security_crime"}
	for _, a := range []store.Alert{
		{ID: "al-old-police", Route: "security", Receivers: []string{"police"}},
		{ID: "al-old-fa", Route: "misinformation", Receivers: []string{"foreign_affairs"}},
	} {
		a.ArticleID, a.GroupKey, a.Severity, a.Risk, a.Title = old.ID, a.ID, "immediate", 45, old.Title
		a.Reasons = []article.Reason{{Signal: "concern:health_scare", Detail: "dengue", Weight: 20}, why}
		if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: a}}); err != nil {
			t.Fatal(err)
		}
	}
	m := messages{"vi"}
	oldBadge := m.F("alert_old", "400")
	published := m.T("alert_published") + " " + old.Published.In(vnLoc(t)).Format("02/01/2006")

	police, _ := f.session(RolePolice)
	_, inbox := f.get("/alerts", police)
	for _, want := range []string{oldBadge, published} {
		if !strings.Contains(inbox, want) {
			t.Errorf("police inbox lacks %q", want)
		}
	}

	// An administrator's inbox, which holds every office's alerts, says
	// which office each went to; an officer's, scoped to the office, need not.
	admin, _ := f.session(RoleAdmin)
	if _, all := f.get("/alerts", admin); !strings.Contains(all, "→ "+m.Receiver("police")) || !strings.Contains(all, "→ "+m.Receiver("foreign_affairs")) {
		t.Error("the administrator's inbox does not name each alert's office")
	}
	if strings.Contains(inbox, `class="muted office"`) {
		t.Error("the police's own inbox names the office on every row")
	}

	_, detail := f.get("/alerts/al-old-police", police)
	for _, want := range []string{`id="old-coverage"`, m.F("alert_old_note", "400"),
		"Gửi đến đơn vị này vì bài thỏa điều kiện của quy tắc: bài viết về Đồng Nai; chủ đề “"} {
		if !strings.Contains(detail, want) {
			t.Errorf("alert page lacks %q", want)
		}
	}
	if strings.Contains(detail, "topic:security_crime") {
		t.Error("alert page shows the route's query syntax")
	}

	// The article page links the alerts the reader may see, and no other
	// office's.
	_, page := f.get("/articles/"+old.ID, police)
	if !strings.Contains(page, `id="article-alerts"`) || !strings.Contains(page, `href="/alerts/al-old-police"`) {
		t.Error("article page does not link the police's alert about it")
	}
	if strings.Contains(page, `href="/alerts/al-old-fa"`) {
		t.Error("article page links another office's alert to the police")
	}
	viewer, _ := f.session(RoleViewer)
	if resp, page := f.get("/articles/"+old.ID, viewer); resp.StatusCode != 200 || !strings.Contains(page, "Dengue in Biên Hòa") {
		t.Errorf("viewer's article page: %d", resp.StatusCode)
	} else if strings.Contains(page, `id="article-alerts"`) {
		t.Error("article page lists alerts to a reader who cannot open them")
	}

	// A fresh article has no old-coverage flag.
	fresh := *old
	fresh.ID, fresh.Published = "fresh-page", now.Add(-2*time.Hour)
	if err := f.store.UpsertArticles(ctx, []*article.Article{&fresh}); err != nil {
		t.Fatal(err)
	}
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: store.Alert{ID: "al-fresh", Route: "security", ArticleID: fresh.ID,
		GroupKey: "al-fresh", Severity: "immediate", Risk: 45, Title: "Fresh", Receivers: []string{"police"}}}}); err != nil {
		t.Fatal(err)
	}
	if _, detail := f.get("/alerts/al-fresh", police); strings.Contains(detail, `id="old-coverage"`) {
		t.Error("a fresh article is flagged as old coverage")
	}
}

func vnLoc(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A story's new alerts for the officer's office are acknowledged at once;
// other offices' alerts, other stories and triaged alerts stay as they were.
func TestStoryAcknowledge(t *testing.T) {
	f := newFixture(t)
	as := f.store.(store.AlertStore)
	ctx := context.Background()
	for i, a := range []store.Alert{
		{ID: "s1", Cluster: "c-strike", Receivers: []string{"police"}},
		{ID: "s2", Cluster: "c-strike", Receivers: []string{"police"}},
		{ID: "s3", Cluster: "c-strike", Receivers: []string{"police"}},
		{ID: "s-fa", Cluster: "c-strike", Receivers: []string{"foreign_affairs"}},
		{ID: "other", Cluster: "c-other", Receivers: []string{"police"}},
	} {
		a.Route, a.ArticleID, a.GroupKey, a.Severity, a.Risk, a.Title = "security", f.arts[i%len(f.arts)].ID, a.ID, "immediate", 50, "Đình công "+a.ID
		if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: a}}); err != nil {
			t.Fatal(err)
		}
	}
	fp := store.AlertFalsePositive
	if _, err := as.UpdateAlert(ctx, store.AlertChange{ID: "s3", Actor: "x", State: &fp}); err != nil {
		t.Fatal(err)
	}
	police, csrf := f.session(RolePolice)
	_, inbox := f.get("/alerts", police)
	if !strings.Contains(inbox, `action="/alerts/story/c-strike/ack"`) {
		t.Error("the story's inbox row offers no story-wide acknowledgement")
	}
	post := func(csrf string) *http.Response {
		v := url.Values{}
		if csrf != "" {
			v.Set("csrf", csrf)
		}
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/alerts/story/c-strike/ack", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: police})
		resp, _ := f.do(req)
		return resp
	}
	if resp := post(""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", resp.StatusCode)
	}
	if got, _ := as.GetAlert(ctx, "s1"); got.State != store.AlertNew {
		t.Fatalf("a refused request moved s1 to %s", got.State)
	}
	resp := post(csrf)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/alerts?acked=2&story=c-strike" {
		t.Fatalf("story acknowledgement: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for id, want := range map[string]string{"s1": store.AlertAcknowledged, "s2": store.AlertAcknowledged, "s3": store.AlertFalsePositive,
		"s-fa": store.AlertNew, "other": store.AlertNew} {
		if got, _ := as.GetAlert(ctx, id); got.State != want {
			t.Errorf("%s is %s, want %s", id, got.State, want)
		} else if id == "s1" && got.AckedBy == "" {
			t.Error("the acknowledgement does not name who made it")
		}
	}
	// The alert page names who acknowledged it as people know them.
	if _, detail := f.get("/alerts/s1", police); !strings.Contains(detail, "Test police (police)") {
		t.Error("the alert page does not give the acknowledging officer's display name")
	}
	_, page := f.get(resp.Header.Get("Location"), police)
	if want := (messages{"vi"}).F("inbox_story_acked", "2"); !strings.Contains(page, want) {
		t.Errorf("the story's page does not say %q", want)
	}
	if strings.Contains(page, `id="story-ack"`) {
		t.Error("the story's page still offers to acknowledge with nothing new left")
	}
}

// A refused triage change says which field is wrong and why.
func TestTriageErrorsNameTheField(t *testing.T) {
	f := newFixture(t)
	as := f.store.(store.AlertStore)
	ctx := context.Background()
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: store.Alert{ID: "al-t", Route: "security", ArticleID: f.arts[0].ID,
		GroupKey: "al-t", Severity: "immediate", Risk: 50, Title: "Tin", Receivers: []string{"police"}}}}); err != nil {
		t.Fatal(err)
	}
	police, csrf := f.session(RolePolice)
	post := func(v url.Values) (int, string) {
		v.Set("csrf", csrf)
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/alerts/al-t", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: police})
		resp, body := f.do(req)
		return resp.StatusCode, body
	}
	m := messages{"vi"}
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"assignee": {strings.Repeat("x", alerts.MaxAssigneeLen+1)}}, m.F("alert_too_long", m.T("col_assignee"), m.Num(alerts.MaxAssigneeLen))},
		{url.Values{"note": {strings.Repeat("ghi chú ", 600)}}, m.F("alert_too_long", m.T("alert_note"), m.Num(alerts.MaxNoteLen))},
		{url.Values{"response_link": {"javascript:alert(1)"}}, m.T("alert_bad_link")},
		{url.Values{"state": {"responded"}}, m.F("alert_bad_state", m.State("new"), m.State("responded"))},
		{url.Values{"response_link": {"http://"}}, m.T("alert_bad_link")},
		{url.Values{"state": {"deleted"}}, m.T("alert_unknown_state")},
	} {
		code, body := post(tc.form)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString(tc.want)) {
			t.Errorf("%v: %d, want 422 saying %q", tc.form, code, tc.want)
		}
	}
	// Every problem at once, and what was typed is kept.
	code, body := post(url.Values{"assignee": {strings.Repeat("y", 91)}, "note": {"ghi chú của tôi"}, "response_link": {"javascript:alert(1)"}})
	for _, want := range []string{m.F("alert_too_long", m.T("col_assignee"), m.Num(alerts.MaxAssigneeLen)), m.T("alert_bad_link"),
		">ghi chú của tôi</textarea>", `value="` + strings.Repeat("y", 91) + `"`} {
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString(want)) && !strings.Contains(body, want) {
			t.Errorf("a change with two problems: %d, page lacks %q", code, want)
		}
	}
	if got, _ := as.GetAlert(ctx, "al-t"); got.Note != "" {
		t.Errorf("a refused change saved the note %q", got.Note)
	}
	// Control characters are dropped from an assignee.
	if code, _ := post(url.Values{"assignee": {"Minh\n\x07 Lan"}}); code != http.StatusSeeOther {
		t.Fatalf("assignee with control characters: %d", code)
	}
	if got, _ := as.GetAlert(ctx, "al-t"); got.Assignee != "Minh  Lan" {
		t.Errorf("assignee saved as %q", got.Assignee)
	}
}

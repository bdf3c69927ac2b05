package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// TestAlertHistory: an alert's page lists who changed what and when,
// oldest first, in the page's language: the officer's own changes made in
// the form, and a change recorded under another name (an email
// acknowledgement's address).
func TestAlertHistory(t *testing.T) {
	f := newFixture(t)
	as := f.store.(store.AlertStore)
	ctx := context.Background()
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: store.Alert{ID: "al-h", Route: "security", ArticleID: f.arts[0].ID,
		GroupKey: "al-h", Severity: "immediate", Risk: 50, Title: "Tin", Receivers: []string{"police"}}}}); err != nil {
		t.Fatal(err)
	}
	police, csrf := f.session(RolePolice)
	post := func(v url.Values) {
		t.Helper()
		v.Set("csrf", csrf)
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/alerts/al-h", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: police})
		if resp, body := f.do(req); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("triage %v: %d %s", v, resp.StatusCode, body)
		}
	}
	// Before any change the history holds the alert's creation only.
	_, page := f.get("/alerts/al-h", police)
	m := messages{"vi"}
	section := func(page string) string {
		i := strings.Index(page, `id="history"`)
		if i < 0 {
			t.Fatal("the alert page has no history section")
		}
		page = page[i:]
		if j := strings.Index(page, "</section>"); j >= 0 {
			page = page[:j]
		}
		return page
	}
	if h := section(page); strings.Contains(h, "<b>") {
		t.Errorf("a new alert's history lists changes: %s", h)
	}
	post(url.Values{"state": {"acknowledged"}, "assignee": {"Minh"}})
	post(url.Values{"note": {"Đã báo lãnh đạo"}, "assignee": {"Minh"}})
	ack := store.AlertConfirmed
	if _, err := as.UpdateAlert(ctx, store.AlertChange{ID: "al-h", Actor: "email:lan@congan.example", State: &ack}); err != nil {
		t.Fatal(err)
	}
	_, page = f.get("/alerts/al-h", police)
	h := html.UnescapeString(section(page))
	steps := []string{
		m.F("alert_history_created", ""), // the rule's label follows
		"Test police (police)", m.F("hist_state", m.State("new"), m.State("acknowledged")), m.F("hist_assignee", "Minh"),
		m.T("hist_note"),
		"lan@congan.example (email)", m.F("hist_state", m.State("acknowledged"), m.State("confirmed")),
	}
	at := 0
	for _, want := range steps {
		want = strings.TrimSuffix(want, "“”")
		k := strings.Index(h[at:], want)
		if k < 0 {
			t.Fatalf("the history lacks %q after position %d, or has it out of order:\n%s", want, at, h)
		}
		at += k + len(want)
	}
	if strings.Count(h, "<li>") != 4 {
		t.Errorf("the history has %d steps, want 4 (created, two changes in the form, one by email):\n%s", strings.Count(h, "<li>"), h)
	}
	// The triage block names who set the state the alert is in now, not
	// only who acknowledged it.
	if want := m.F("alert_state_by", m.State("confirmed"), "lan@congan.example (email)", ""); !strings.Contains(html.UnescapeString(page), strings.TrimSuffix(want, " lúc ")) {
		t.Errorf("the triage block does not say %q", want)
	}
	// The administrators' audit log gives the same change in words too.
	admin, _ := f.session(RoleAdmin)
	if _, log := f.get("/admin/users", admin); !strings.Contains(html.UnescapeString(log), m.F("hist_state", m.State("new"), m.State("acknowledged"))) {
		t.Error("the audit log gives the triage change as the store wrote it, not in words")
	}
	_, en := f.get("/alerts/al-h?lang=en", police)
	if h := html.UnescapeString(section(en)); !strings.Contains(h, "Handling history") || !strings.Contains(h, "State: New → Acknowledged") ||
		!strings.Contains(h, "Assigned to: Minh") {
		t.Errorf("the English history is not in English:\n%s", h)
	}
}

func TestDescribeAlertChange(t *testing.T) {
	m := messages{"en"}
	for detail, want := range map[string]string{
		`state new → acknowledged; assignee "Minh"; note changed`: "State: New → Acknowledged|Assigned to: Minh|Notes edited",
		`assignee ""; response link ""`:                           "Unassigned|Response link removed",
		`response link "https://baodongnai.com.vn/x"`:             "Response link: https://baodongnai.com.vn/x",
		`something new`:          "something new",
		`assignee "unterminated`: `assignee "unterminated`,
	} {
		if got := strings.Join(describeAlertChange(m, detail), "|"); got != want {
			t.Errorf("describeAlertChange(%q) = %q, want %q", detail, got, want)
		}
	}
}

// TestAlertLeftOutOfMessage: an alert handled before its office's message
// went is left out of it (alerts.Sender), and its page says so beside the
// delivery instead of only "sent" (an outside reading).
func TestAlertLeftOutOfMessage(t *testing.T) {
	f := newFixture(t)
	as := f.store.(store.AlertStore)
	ctx := context.Background()
	now := time.Now()
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: store.Alert{ID: "al-l", Route: "security", ArticleID: f.arts[0].ID,
		GroupKey: "al-l", Severity: "immediate", Risk: 50, Title: "Tin", Receivers: []string{"police"}},
		Notify: []store.Notification{{Receiver: "police", Channel: "email", Recipient: "canhbao@congan.example"}}, Now: now}}); err != nil {
		t.Fatal(err)
	}
	police, _ := f.session(RolePolice)
	m := messages{"vi"}
	if _, page := f.get("/alerts/al-l", police); strings.Contains(page, "left-out") {
		t.Error("a new alert's delivery says the alert is left out")
	}
	ack := store.AlertAcknowledged
	if _, err := as.UpdateAlert(ctx, store.AlertChange{ID: "al-l", Actor: "police", State: &ack, At: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, page := f.get("/alerts/al-l", police); !strings.Contains(html.UnescapeString(page), m.T("alert_will_leave_out")) {
		t.Error("the waiting delivery of a handled alert does not say the alert will be left out")
	}
	// The inbox agrees: no send time on the handled alert's row.
	if _, inbox := f.get("/alerts?state=acknowledged", police); !strings.Contains(inbox, `href="/alerts/al-l"`) || strings.Contains(inbox, `class="held"`) {
		t.Error("the inbox row of a handled alert gives its waiting message's send time, or the row is missing")
	}
	ds, err := as.ListDeliveries(ctx, store.DeliveryFilter{AlertID: "al-l"})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries: %v, %v", ds, err)
	}
	if err := as.MarkDeliverySent(ctx, ds[0].ID, "Tin", now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	want := m.F("alert_left_out", now.Add(time.Minute).In(hcmLocation()).Format("02/01/2006 15:04"))
	if _, page := f.get("/alerts/al-l", police); !strings.Contains(html.UnescapeString(page), want) {
		t.Errorf("the sent delivery does not say %q", want)
	}
}

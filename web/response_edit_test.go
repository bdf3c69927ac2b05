package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/store"
)

// TestResponseEdit: a Foreign Affairs officer corrects a recorded response
// (text, date, channel, approver, claims) from the evidence page, whose
// form starts with the response's values; who recorded it stays, the
// change is audited, and the police may not edit, nor may anyone date a
// response after today.
func TestResponseEdit(t *testing.T) {
	// The fixture wires an evidence archive whose client reaches nothing.
	f := newFixture(t)
	ctx := context.Background()
	es := f.store.(store.EvidenceStore)
	a := f.arts[0]
	post := func(path string, v url.Values, cookie, csrf string) int {
		resp, _ := f.adminPost(cookie, csrf, path, v)
		return resp.StatusCode
	}
	fa, facsrf := f.session(RoleForeignAffairs)
	police, pcsrf := f.session(RolePolice)
	today := time.Now().In(hcmLocation())
	if code := post("/articles/"+a.ID+"/responses", url.Values{"text": {"Sở Ngoại vụ gửi thư đính chính."},
		"responded_on": {today.Format("2006-01-02")}, "channel": {"statement"}, "approved_by": {"Phó giám đốc"},
		"narratives": {"merger-not-done"}, "narratives_other": {"own-code"}}, fa, facsrf); code != http.StatusSeeOther {
		t.Fatalf("record response: %d", code)
	}
	rs, _ := es.ListResponses(ctx, store.ResponseFilter{ArticleID: a.ID})
	if len(rs) != 1 {
		t.Fatalf("%d responses", len(rs))
	}
	orig := rs[0]
	edit := "/articles/" + a.ID + "/responses/" + orig.ID
	// The edit form starts with the response's values.
	_, page := f.get("/articles/"+a.ID+"/evidence", fa)
	i := strings.Index(page, `action="`+edit+`"`)
	if i < 0 {
		t.Fatal("the evidence page offers no edit form for the response")
	}
	form := html.UnescapeString(page[i : i+strings.Index(page[i:], "</form>")])
	for _, want := range []string{">Sở Ngoại vụ gửi thư đính chính.</textarea>", `value="` + today.Format("2006-01-02") + `"`,
		`value="statement" selected`, `value="Phó giám đốc"`, `value="merger-not-done" checked`, `value="own-code"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the edit form lacks %q:\n%s", want, form)
		}
	}
	if !strings.Contains(page, "Ghi nhận bởi ") || !strings.Contains(page, "(foreign_affairs)") {
		t.Error("the response does not say who recorded it")
	}
	if _, police := f.get("/articles/"+a.ID+"/evidence", police); strings.Contains(police, `action="`+edit+`"`) {
		t.Error("the police see an edit form")
	}
	yesterday := today.AddDate(0, 0, -1).Format("2006-01-02")
	change := url.Values{"text": {"Sở Ngoại vụ gửi thư đề nghị đính chính số liệu dân số."}, "responded_on": {yesterday},
		"channel": {"letter"}, "approved_by": {"Giám đốc Sở"}, "narratives_other": {"own-code"}}
	if code := post(edit, change, police, pcsrf); code != http.StatusForbidden {
		t.Errorf("the police edited a response: %d", code)
	}
	future := url.Values{"text": {"x"}, "responded_on": {today.AddDate(0, 0, 2).Format("2006-01-02")}, "channel": {"letter"}}
	if code := post(edit, future, fa, facsrf); code != http.StatusBadRequest {
		t.Errorf("an edit dating the response after today: %d", code)
	}
	if code := post("/articles/"+a.ID+"/responses/resp-none", change, fa, facsrf); code != http.StatusNotFound {
		t.Errorf("editing a response that does not exist: %d", code)
	}
	if code := post(edit, change, fa, facsrf); code != http.StatusSeeOther {
		t.Fatalf("edit response: %d", code)
	}
	rs, _ = es.ListResponses(ctx, store.ResponseFilter{ArticleID: a.ID})
	if len(rs) != 1 {
		t.Fatalf("%d responses after the edit, want the one edited", len(rs))
	}
	got := rs[0]
	if got.Text != change.Get("text") || got.Channel != "letter" || got.ApprovedBy != "Giám đốc Sở" ||
		got.RespondedOn.In(hcmLocation()).Format("2006-01-02") != yesterday || !slices.Equal(got.Narratives, []string{"own-code"}) {
		t.Errorf("the edit stored %+v", got)
	}
	if got.CreatedBy != orig.CreatedBy || !got.CreatedAt.Equal(orig.CreatedAt) || got.Outcome != orig.Outcome {
		t.Errorf("the edit changed who recorded the response, when, or its outcome: %+v, was %+v", got, orig)
	}
	entries, _ := f.store.ListAudit(ctx, 20)
	i = slices.IndexFunc(entries, func(e store.AuditEntry) bool { return e.Action == "response.edit" })
	if i < 0 || entries[i].Object != orig.ID || entries[i].Detail != "text, date, channel, approved by, claims" {
		t.Errorf("the edit is not audited with what changed: %+v", entries)
	}
	// Saving the form unchanged changes nothing and writes no audit entry.
	if code := post(edit, change, fa, facsrf); code != http.StatusSeeOther {
		t.Fatalf("save unchanged: %d", code)
	}
	again, _ := f.store.ListAudit(ctx, 20)
	if n := len(slices.DeleteFunc(again, func(e store.AuditEntry) bool { return e.Action != "response.edit" })); n != 1 {
		t.Errorf("%d response.edit entries after saving unchanged, want 1", n)
	}
}

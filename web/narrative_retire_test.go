package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// TestNarrativeRetireAndEdit: a Foreign Affairs officer retires a narrative
// that flags wrongly, with a reason (the police may not; audited); the page
// keeps it, marked retired, and offers the "create narrative" form again,
// filled with the retired one's wording, so that editing is retiring and
// creating again under the next ID.
func TestNarrativeRetireAndEdit(t *testing.T) {
	// Nothing is captured here: the fixture wires an evidence archive whose client reaches nothing.
	f := newFixture(t)
	ctx := context.Background()
	es := f.store.(store.EvidenceStore)
	ns := f.store.(store.NarrativeStore)
	// other is an article of another story than a's.
	a, other := f.arts[0], (*article.Article)(nil)
	for _, x := range f.arts[1:] {
		if x.Classification == nil || a.Classification == nil || x.Classification.Cluster != a.Classification.Cluster {
			other = x
			break
		}
	}
	if other == nil {
		t.Fatal("the fixture has no article of another story")
	}
	post := func(path string, v url.Values, cookie, csrf string) int {
		resp, _ := f.adminPost(cookie, csrf, path, v) // any session's form post
		return resp.StatusCode
	}
	fa, facsrf := f.session(RoleForeignAffairs)
	police, pcsrf := f.session(RolePolice)
	if code := post("/articles/"+a.ID+"/responses", url.Values{"text": {"Phà Cát Lái vẫn hoạt động bình thường."},
		"responded_on": {time.Now().Format("2006-01-02")}, "channel": {"statement"}}, fa, facsrf); code != http.StatusSeeOther {
		t.Fatalf("record response: %d", code)
	}
	rs, _ := es.ListResponses(ctx, store.ResponseFilter{ArticleID: a.ID})
	if len(rs) != 1 {
		t.Fatalf("%d responses", len(rs))
	}
	create := "/articles/" + a.ID + "/responses/" + rs[0].ID + "/narrative"
	form := url.Values{"claim": {"Phà Cát Lái bị đình chỉ vĩnh viễn"}, "phrases": {"ferry\r\nphà"},
		"context": {"Cát Lái"}, "correction": {"Phà Cát Lái vẫn hoạt động bình thường."}, "weight": {"40"}}
	if code := post(create, form, fa, facsrf); code != http.StatusSeeOther {
		t.Fatalf("create narrative: %d", code)
	}
	first := "n-" + rs[0].ID
	retire := "/articles/" + a.ID + "/narratives/" + first + "/retire"

	_, page := f.get("/articles/"+a.ID+"/evidence", fa)
	if !strings.Contains(page, retire) || !strings.Contains(page, "Ngừng áp dụng luận điểm này") {
		t.Fatal("no 'retire' form for Foreign Affairs")
	}
	if strings.Contains(page, "narrative-form") {
		t.Error("a second 'create narrative' form while one is in force")
	}
	if _, page := f.get("/articles/"+a.ID+"/evidence", police); strings.Contains(page, "narrative-retire-form") {
		t.Error("the police see the 'retire' form")
	}
	why := url.Values{"note": {"“phà” alone flags every ferry story"}}
	if code := post(retire, why, police, pcsrf); code != http.StatusForbidden {
		t.Errorf("police retired a narrative: %d", code)
	}
	if code := post(retire, url.Values{"note": {"  "}}, fa, facsrf); code != http.StatusBadRequest {
		t.Errorf("retired without a reason: %d", code)
	}
	if code := post("/articles/"+other.ID+"/narratives/"+first+"/retire", why, fa, facsrf); code != http.StatusNotFound {
		t.Errorf("retired through another article: %d", code)
	}
	if code := post("/articles/"+a.ID+"/narratives/n-nope/retire", why, fa, facsrf); code != http.StatusNotFound {
		t.Errorf("retired an unknown narrative: %d", code)
	}
	if list, _ := ns.ListNarratives(ctx); len(list) != 1 || list[0].Retired() {
		t.Fatalf("a refused request changed the narrative: %+v", list)
	}
	if code := post(retire, why, fa, facsrf); code != http.StatusSeeOther {
		t.Fatalf("retire: %d", code)
	}
	list, _ := ns.ListNarratives(ctx)
	if len(list) != 1 || !list[0].Retired() || list[0].RetiredBy == "" || list[0].RetireNote != "“phà” alone flags every ferry story" {
		t.Fatalf("after retiring: %+v", list)
	}
	if entries, _ := f.store.ListAudit(ctx, 20); !hasAudit(entries, "narrative.retire") {
		t.Error("retiring a narrative is not audited")
	}

	// The page keeps the retired narrative and offers the form again, with
	// the retired wording in it.
	_, page = f.get("/articles/"+a.ID+"/evidence", fa)
	for _, want := range []string{"Đã ngừng áp dụng", "“phà” alone flags every ferry story", "narrative-form",
		">Phà Cát Lái bị đình chỉ vĩnh viễn</textarea>", "ferry\nphà</textarea>", `value="40"`} {
		if !strings.Contains(page, want) {
			t.Errorf("evidence page after retiring lacks %q", want)
		}
	}
	if strings.Contains(page, retire) {
		t.Error("a retired narrative still has a 'retire' form")
	}

	// Editing: the new wording under the next ID; posting it twice adds one.
	form.Set("phrases", "ferry suspended for good\r\nphà ngừng hoạt động vĩnh viễn")
	for range 2 {
		if code := post(create, form, fa, facsrf); code != http.StatusSeeOther {
			t.Fatalf("create again: %d", code)
		}
	}
	list, _ = ns.ListNarratives(ctx)
	if len(list) != 2 || list[1].ID != first+"-2" || list[1].Retired() || list[1].Phrases[0] != "ferry suspended for good" {
		t.Fatalf("after editing: %+v", list)
	}
	retiredAt := list[0].RetiredAt
	if code := post(retire, url.Values{"note": {"again"}}, fa, facsrf); code != http.StatusSeeOther {
		t.Errorf("retiring again: %d", code)
	}
	if list, _ := ns.ListNarratives(ctx); !list[0].RetiredAt.Equal(retiredAt) || list[0].RetireNote == "again" || list[1].Retired() {
		t.Errorf("retiring the first again changed it or touched the second: %+v", list)
	}

	// A story told by two articles: the second's page shows the responses
	// to the first, and a narrative is created and retired from there.
	story := *a.Classification
	story.Cluster = "c-ferry-story"
	a.Classification = &story
	sib := *a
	sib.ID, sib.URL, sib.CanonicalURL = a.ID+"-copy", a.URL+"?copy", a.CanonicalURL+"?copy"
	if err := f.store.UpsertArticles(ctx, []*article.Article{a, &sib}); err != nil {
		t.Fatal(err)
	}
	if code := post("/articles/"+a.ID+"/responses", url.Values{"text": {"Thư đề nghị đính chính."},
		"responded_on": {time.Now().Format("2006-01-02")}, "channel": {"letter"}}, fa, facsrf); code != http.StatusSeeOther {
		t.Fatalf("record a second response: %d", code)
	}
	rs, _ = es.ListResponses(ctx, store.ResponseFilter{ArticleID: a.ID})
	second := rs[0].ID
	if second == first[len("n-"):] {
		second = rs[1].ID
	}
	_, page = f.get("/articles/"+sib.ID+"/evidence", fa)
	if !strings.Contains(page, "/articles/"+sib.ID+"/responses/"+second+"/narrative") {
		t.Fatal("the story's other article does not offer a narrative from the first one's response")
	}
	if code := post("/articles/"+sib.ID+"/responses/"+second+"/narrative", form, fa, facsrf); code != http.StatusSeeOther {
		t.Fatalf("create from the story's other article: %d", code)
	}
	listNarratives := func() []store.Narrative {
		l, err := ns.ListNarratives(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	var fromSib store.Narrative
	for _, n := range listNarratives() {
		if n.ResponseID == second {
			fromSib = n
		}
	}
	if fromSib.ID != "n-"+second || fromSib.ArticleID != a.ID {
		t.Fatalf("narrative created from the other article's page: %+v", fromSib)
	}
	if code := post("/articles/"+other.ID+"/narratives/"+fromSib.ID+"/retire", why, fa, facsrf); code != http.StatusNotFound {
		t.Errorf("retired through an article of another story: %d", code)
	}
	if code := post("/articles/"+sib.ID+"/narratives/"+fromSib.ID+"/retire", why, fa, facsrf); code != http.StatusSeeOther {
		t.Fatalf("retire from the story's other article: %d", code)
	}
	for _, n := range listNarratives() {
		if n.ID == fromSib.ID && !n.Retired() {
			t.Error("not retired from the story's other article")
		}
	}
}

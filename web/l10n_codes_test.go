package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
)

// TestArticlePlacesInVietnamese: an entity's gazetteer name is shown with its
// kind in Vietnamese words on the Vietnamese page, as written in English on
// the English page.
func TestArticlePlacesInVietnamese(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.arts[0]
	if a.Classification == nil {
		t.Fatal("fixture article 0 is not classified")
	}
	a.Classification.Entities = append(a.Classification.Entities,
		article.Entity{Kind: "place", Text: "Trấn Biên", Canonical: "Trấn Biên ward"},
		article.Entity{Kind: "place", Text: "Bình Phước", Canonical: "Bình Phước (former province)"},
		article.Entity{Kind: "landmark", Text: "hồ Trị An", Canonical: "Trị An hydropower and lake"})
	if err := f.store.UpsertArticles(ctx, []*article.Article{a}); err != nil {
		t.Fatal(err)
	}
	cookie, _ := f.session(RoleAnalyst)
	_, vi := f.get("/articles/"+a.ID+"?lang=vi", cookie)
	for _, want := range []string{"phường Trấn Biên", "Bình Phước (tỉnh cũ)", "Thủy điện và hồ Trị An"} {
		if !strings.Contains(vi, want) {
			t.Errorf("Vietnamese article page lacks %q", want)
		}
	}
	for _, bad := range []string{"Trấn Biên ward", "(former province)", "hydropower and lake"} {
		if strings.Contains(vi, bad) {
			t.Errorf("Vietnamese article page shows %q", bad)
		}
	}
	_, en := f.get("/articles/"+a.ID+"?lang=en", cookie)
	for _, want := range []string{"Trấn Biên ward", "Bình Phước (former province)", "Trị An hydropower and lake"} {
		if !strings.Contains(en, want) {
			t.Errorf("English article page lacks %q", want)
		}
	}
}

// TestAlertRulesPageLanguage: the rules page names the default route and is
// all in English in English mode.
func TestAlertRulesPageLanguage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	as := f.store.(store.AlertStore)
	cookie, csrf := f.session(RoleAnalyst)
	_, en := f.get("/alerts/rules?lang=en", cookie)
	for _, bad := range []string{"Độ chính xác theo tháng", "Chưa có cảnh báo đã xử lý"} {
		if strings.Contains(en, bad) {
			t.Errorf("English rules page shows %q", bad)
		}
	}
	if !strings.Contains(en, "No triaged alerts yet.") || !strings.Contains(en, "Precision over time") {
		t.Error("English rules page lacks its trend heading or empty state")
	}
	al := store.Alert{ID: "al-default", Route: "default", ArticleID: f.arts[0].ID, GroupKey: "al-default", Severity: "immediate",
		Title: "Tin al-default", Receivers: []string{"analysts"}}
	if err := as.RecordAlerts(ctx, []store.NewAlert{{Alert: al}}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"acknowledged", "confirmed"} {
		v := url.Values{"state": {st}, "csrf": {csrf}}
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/alerts/al-default", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		if resp, body := f.do(req); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %.500s", st, resp.StatusCode, body)
		}
	}
	_, en = f.get("/alerts/rules?lang=en", cookie)
	_, vi := f.get("/alerts/rules?lang=vi", cookie)
	if strings.Count(en, "Default (weekly digest)") < 2 {
		t.Errorf("English rules page does not name the default route in both tables")
	}
	if strings.Count(vi, "Mặc định (bản tin tuần)") < 2 {
		t.Errorf("Vietnamese rules page does not name the default route in both tables")
	}
	for _, body := range []string{en, vi} {
		if strings.Contains(body, ">default<") || strings.Contains(body, "<code>default</code>") {
			t.Error("rules page shows the route ID default")
		}
	}
}

// auditActionPatterns find the actions the code writes to the audit log.
var auditActionPatterns = []*regexp.Regexp{
	regexp.MustCompile(`\baudit\(r, "([a-z_.]+)"`),
	regexp.MustCompile(`\baudit\("([a-z_.]+)"`),
	regexp.MustCompile(`Action:\s*"([a-z_.]+)"`),
	regexp.MustCompile(`appendAudit\(ctx, st, actor, "([a-z_.]+)"`),
	regexp.MustCompile(`auditEntry\([^,]+, [^,]+, "([a-z_.]+)"`),
	regexp.MustCompile(`\baction\s*:?=\s*"([a-z_]+\.[a-z_]+)"`),
}

// codeAuditActions lists every audit action written in the repository's Go
// code (tests aside), with the source actions built from the admin's
// action ("source."+action) read from the switch that allows them.
func codeAuditActions(t *testing.T) []string {
	t.Helper()
	found := map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "third_party", "node_modules", ".git", "testdata", "storetest":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		if !strings.Contains(src, "Audit") && !strings.Contains(src, "audit") {
			return nil
		}
		for _, re := range auditActionPatterns {
			for _, m := range re.FindAllStringSubmatch(src, -1) {
				if !strings.HasSuffix(m[1], ".") { // "source."+action, below
					found[m[1]] = true
				}
			}
		}
		if i := strings.Index(src, `"source."+action`); i >= 0 {
			start := strings.LastIndex(src[:i], `action := r.PathValue("action")`)
			if start < 0 {
				t.Errorf("%s: cannot find the source actions' switch", path)
				return nil
			}
			for _, m := range regexp.MustCompile(`case "([a-z_]+)"`).FindAllStringSubmatch(src[start:i], -1) {
				found["source."+m[1]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(found))
	for a := range found {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// TestAuditActionsLabelled fails when the code writes an audit action that
// the admin page cannot name in both languages.
func TestAuditActionsLabelled(t *testing.T) {
	actions := codeAuditActions(t)
	for _, must := range []string{"login", "logout", "user.bootstrap", "user.enable", "user.disable", "source.poll", "source.restore", "alert.update", "silence.add"} {
		if !containsString(actions, must) {
			t.Errorf("the scan did not find audit action %q; it is broken (found %v)", must, actions)
		}
	}
	for _, a := range actions {
		e, ok := auditActions[a]
		if !ok || strings.TrimSpace(e[0]) == "" || strings.TrimSpace(e[1]) == "" {
			t.Errorf("audit action %q has no Vietnamese and English label in auditActions", a)
		}
	}
}

// TestAuditPageNamesActions: the admin's audit log names actions in words.
func TestAuditPageNamesActions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, e := range []store.AuditEntry{
		{At: f.clock.Now(), Actor: "system", Action: "user.bootstrap", Object: "admin"},
		{At: f.clock.Now(), Actor: RoleAnalyst, Action: "login", Object: RoleAnalyst},
	} {
		if err := f.store.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	cookie, _ := f.session(RoleAdmin)
	_, vi := f.get("/admin/users?lang=vi", cookie)
	_, en := f.get("/admin/users?lang=en", cookie)
	for _, c := range []struct{ body, want string }{
		{vi, "Đăng nhập"}, {vi, "Tạo tài khoản quản trị đầu tiên"},
		{en, "Signed in"}, {en, "First admin account created"},
	} {
		if !strings.Contains(c.body, c.want) {
			t.Errorf("audit page lacks %q", c.want)
		}
	}
	for _, bad := range []string{"<code>login</code>", ">login<", ">user.bootstrap<"} {
		if strings.Contains(vi, bad) || strings.Contains(en, bad) {
			t.Errorf("audit page shows the action code %q", bad)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

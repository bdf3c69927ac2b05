package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/digest"
)

// TestReportFiguresMatchSearch: the search a report links to (its period,
// collection dates, the province scope) finds exactly the articles the
// report counts, and the "about" scope with the same dates finds its
// "about" figure. An article published long before it was collected, and
// one collected just outside the period, make the date basis matter.
func TestReportFiguresMatchSearch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc := f.srv.loc
	// The quarter holding the fixture's articles.
	p := digest.PeriodOf(digest.Quarterly, f.arts[len(f.arts)/2].Collected, loc)
	late := *f.arts[0]
	late.ID, late.URL, late.CanonicalURL = "late-find", "https://late.example/found", "https://late.example/found"
	late.Published, late.Collected = p.Start.AddDate(0, -2, 0), p.Start.Add(3*time.Hour)
	cl := *late.Classification
	cl.About, cl.Mentions = false, true
	late.Classification = &cl
	outside := *f.arts[0]
	outside.ID, outside.URL, outside.CanonicalURL = "just-after", "https://late.example/after", "https://late.example/after"
	outside.Published, outside.Collected = p.End.Add(-time.Hour), p.End.Add(time.Minute) // published in, collected after
	late2 := late
	late2.ID, late2.URL, late2.CanonicalURL = "late-find-2", "https://late.example/found-2", "https://late.example/found-2"
	arts := []*article.Article{&late, &late2, &outside}
	if err := f.store.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	if err := f.index.IndexArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}

	b, err := digest.NewBuilder(digest.BuilderOptions{Store: f.store.(digest.ReportStore), Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := b.Build(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total < 3 || rep.About == 0 || rep.Mentions == 0 {
		t.Fatalf("the period holds too little to compare: total %d, about %d, mentions %d", rep.Total, rep.About, rep.Mentions)
	}
	total := func(path string) int {
		t.Helper()
		u, err := url.Parse(path)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/api/v1/search?"+u.RawQuery+"&size=1", nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens[RoleViewer])
		resp, body := f.do(req)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %.300s", path, resp.StatusCode, body)
		}
		var res struct {
			Total int `json:"total"`
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	link := digest.SearchPath(p.Start, p.End, loc)
	if got := total(link); got != rep.Total {
		t.Errorf("report total %d, its search %s finds %d", rep.Total, link, got)
	}
	if got := total(strings.Replace(link, "rel=province", "rel=about", 1)); got != rep.About {
		t.Errorf("report about %d, search with rel=about finds %d", rep.About, got)
	}
	// By publication date the figures differ: that is why the basis exists.
	if got := total(strings.Replace(link, "basis=collected", "basis=published", 1)); got != rep.Total-1 {
		t.Errorf("by publication date the search finds %d, want %d (two found late out, one published in but collected after in)", got, rep.Total-1)
	}

	// The search page shows the same number in its scope bar, and the
	// report list links to that search.
	cookie, _ := f.session(RoleViewer)
	_, page := f.get(link, cookie)
	if !strings.Contains(page, `data-rel="province" class="on"`) || !strings.Contains(page, `id="basis-definition"`) {
		t.Error("the linked search page does not show the province scope and the collection-date basis as chosen")
	}
	if !strings.Contains(page, "Liên quan Đồng Nai (như báo cáo) (") {
		t.Error("the province scope has no count")
	}
	want := "Liên quan Đồng Nai (như báo cáo) (" + messages{langVI}.Num(rep.Total) + ")"
	if !strings.Contains(page, want) {
		t.Errorf("search page scope does not show %q", want)
	}
}

package web

import (
	"context"
	"html"
	"regexp"
	"strconv"
	"testing"

	"github.com/dongnai/presswatch/article"
)

// TestDashboardLinksOpenWhatTheyCount follows every figure of the dashboard
// to the search it links to: the search must count the same articles, so an
// article about the province published before the dashboard's 30 days must
// not be in them (a new user found the tiles opening searches over all time).
func TestDashboardLinksOpenWhatTheyCount(t *testing.T) {
	f := newFixture(t)
	old := *f.arts[0]
	for _, a := range f.arts {
		if a.Classification != nil && a.Classification.About {
			old = *a
			break
		}
	}
	cl := *old.Classification
	old.Classification = &cl
	old.URL = "https://example.org/an-old-story"
	_, id, err := article.IDFor(old.URL)
	if err != nil {
		t.Fatal(err)
	}
	old.ID, old.CanonicalURL = id, old.URL
	old.Published = f.clock.Now().AddDate(0, 0, -45)
	old.Collected = old.Published
	ctx := context.Background()
	if err := f.store.UpsertArticles(ctx, []*article.Article{&old}); err != nil {
		t.Fatal(err)
	}
	if err := f.index.IndexArticles(ctx, []*article.Article{&old}); err != nil {
		t.Fatal(err)
	}
	cookie, _ := f.session(RoleAnalyst)
	_, body := f.get("/dashboard", cookie)
	// Each figure is a link whose text (or the <b> inside it) is the count.
	figure := regexp.MustCompile(`<a (?:class="stat[^"]*" )?href="(/search\?[^"]+)"(?: id="[^"]+")?>(?:<b[^>]*>)?([0-9.,]+)<`)
	rows := regexp.MustCompile(`<th><a href="(/search\?[^"]+)">[^<]*</a></th><td>.*?</td><td class="num">([0-9.,]+)</td>`)
	links := append(figure.FindAllStringSubmatch(body, -1), rows.FindAllStringSubmatch(body, -1)...)
	if len(links) < 5 {
		t.Fatalf("found %d figures on the dashboard:\n%s", len(links), body)
	}
	total := regexp.MustCompile(`id="total" data-n="(\d+)"`)
	for _, l := range links {
		href, want := html.UnescapeString(l[1]), l[2]
		_, page := f.get(href, cookie)
		m := total.FindStringSubmatch(page)
		if m == nil {
			t.Errorf("%s: no total on the search page", href)
			continue
		}
		wantN, _ := strconv.Atoi(regexp.MustCompile(`[.,]`).ReplaceAllString(want, ""))
		if got, _ := strconv.Atoi(m[1]); got != wantN {
			t.Errorf("dashboard shows %s for %s, the search finds %d", want, href, got)
		}
	}
}

package digest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dongnai/presswatch/article"
	"github.com/dongnai/presswatch/store"
	"github.com/dongnai/presswatch/store/storetest"
)

// Test fixtures: a store seeded with a realistic, deterministic week of
// coverage (and a quieter week before it).

var hcm = mustLoc(DefaultTimezone)

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // test fixture only: the zone database ships with Go
	}
	return l
}

// fixedNow is the clock of the tests: Monday 23 November 2026, 07:30 in Hanoi.
var fixedNow = time.Date(2026, 11, 23, 7, 30, 0, 0, hcm)

type outlet struct {
	name, country, lang string
}

var outlets = []outlet{
	{"Reuters", "GB", "en"}, {"Nikkei Asia", "JP", "en"}, {"NHK", "JP", "ja"}, {"Yonhap", "KR", "ko"},
	{"The Korea Herald", "KR", "en"}, {"Bloomberg", "US", "en"}, {"AFP", "FR", "fr"}, {"Le Monde", "FR", "fr"},
	{"Deutsche Welle", "DE", "de"}, {"Xinhua", "CN", "zh"}, {"The Straits Times", "SG", "en"}, {"RFA", "US", "vi"},
	{"BBC Tiếng Việt", "GB", "vi"}, {"Bangkok Post", "TH", "en"},
}

type storyFix struct {
	cluster, title, lead, quote string
	topics                      []string
	tone                        string
	risk                        int
	review                      bool
	n                           int // articles
}

var storiesW47 = []storyFix{
	{"c-airport", "Long Thanh airport begins trial flights ahead of 2026 opening",
		"Vietnam's Long Thanh International Airport in Dong Nai province began trial flights on Monday. The $16 billion project is expected to relieve Tan Son Nhat airport in Ho Chi Minh City. Officials said commercial operations would start before the end of the year.",
		"“Long Thanh will become a new gateway for Dong Nai and the whole south,” said Vo Tan Duc, chairman of the Dong Nai People's Committee.",
		[]string{"infrastructure", "investment"}, "positive", 5, false, 9},
	{"c-lego", "Lego plant in Dong Nai hires 2,000 workers",
		"Danish toymaker Lego is recruiting 2,000 workers for its carbon-neutral factory in Dong Nai. The plant in the VSIP III industrial park is the company's second in Asia.",
		"“We chose Dong Nai for its skilled workforce and its infrastructure,” the company's regional director told reporters.",
		[]string{"investment", "industry_labor"}, "positive", 0, false, 6},
	{"c-strike", "Workers strike at shoe factory in Bien Hoa over unpaid wages",
		"Thousands of workers walked out at a footwear factory in Bien Hoa city, Dong Nai, demanding unpaid wages. Police were deployed at the gates. Labour officials of Dong Nai said talks would continue.",
		"“We have not been paid for two months,” one worker at the Bien Hoa factory said.",
		[]string{"industry_labor", "security_crime"}, "negative", 72, true, 7},
	{"c-flood", "Floods cut roads in Dong Nai after record rain",
		"Heavy rain flooded several districts of Dong Nai on Thursday. The Dong Nai river rose above the third alarm level in Bien Hoa.",
		"", []string{"disaster_weather"}, "negative", 20, false, 5},
	{"c-dioxin", "US and Vietnam start dioxin clean-up at Bien Hoa air base phase two",
		"The United States and Vietnam started the second phase of the dioxin remediation at Bien Hoa air base in Dong Nai province. The project is funded by USAID.",
		"", []string{"war_legacy", "sovereignty_foreign_affairs", "environment"}, "neutral", 10, false, 4},
}

var storiesW46 = []storyFix{
	{"c-old-airport", "Long Thanh airport terminal roof completed",
		"The terminal roof of Long Thanh International Airport in Dong Nai was completed.", "",
		[]string{"infrastructure"}, "positive", 0, false, 5},
	{"c-old-smog", "Haze over Bien Hoa raises health concerns",
		"Air pollution in Bien Hoa, Dong Nai, reached unhealthy levels.", "",
		[]string{"environment", "health_disease"}, "negative", 30, false, 4},
}

// seedArticles makes the articles of stories published across the week of
// weekStart, deterministically.
func seedArticles(stories []storyFix, weekStart time.Time, seed uint64) []*article.Article {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var arts []*article.Article
	for si, s := range stories {
		for i := range s.n {
			o := outlets[(si*5+i*3)%len(outlets)]
			pub := weekStart.Add(time.Duration(si)*27*time.Hour + time.Duration(i)*3*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
			url := fmt.Sprintf("https://%s.example/news/%s-%d", slug(o.name), s.cluster, i)
			canon, id, err := article.IDFor(url)
			if err != nil {
				panic(err)
			}
			tone := s.tone
			if i%4 == 3 { // outlets do not all agree
				tone = "neutral"
			}
			text := s.lead
			if s.quote != "" && i%2 == 0 {
				text += "\n\n" + s.quote + " Reporting continued throughout the week."
			}
			text += "\n\nOther news of the region was unrelated to the province."
			arts = append(arts, &article.Article{
				ID: id, URL: url, CanonicalURL: canon, Source: slug(o.name), Sources: []string{slug(o.name)},
				Outlet: o.name, Country: o.country, Lang: o.lang, Title: s.title, Text: text,
				Published: pub.UTC(), Collected: pub.Add(20 * time.Minute).UTC(),
				Classification: &article.Classification{
					About: i%3 != 2, Mentions: i%3 == 2, Relevance: 0.9 - float64(i)*0.05, Topics: s.topics,
					Entities: []article.Entity{{Text: "Dong Nai", Kind: "province", Canonical: "Đồng Nai"}},
					Tone:     tone, Risk: s.risk, NeedsReview: s.review && i == 0, Cluster: s.cluster,
					At: pub.Add(30 * time.Minute).UTC(),
				},
			})
		}
	}
	return arts
}

func slug(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			out = append(out, r)
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		case r == ' ':
			out = append(out, '-')
		}
	}
	return string(out)
}

// seededStore returns a SQLite store holding weeks 2026-W46 and W47 and a few sources.
func seededStore(t testing.TB) store.Store {
	t.Helper()
	s := storetest.OpenSQLite(t)
	seed(t, s)
	return s
}

func seed(t testing.TB, s store.Store) {
	t.Helper()
	ctx := context.Background()
	w47, err := ParsePeriod(Weekly, "2026-W47", hcm)
	if err != nil {
		t.Fatal(err)
	}
	arts := append(seedArticles(storiesW47, w47.Start, 47), seedArticles(storiesW46, w47.Prev().Start, 46)...)
	if err := s.UpsertArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	srcs := []store.Source{
		{Name: "reuters", Kind: "feed", Outlet: "Reuters", Country: "GB", Lang: "en", Enabled: true, AddedAt: w47.Start.AddDate(0, -2, 0)},
		{Name: "nhk", Kind: "feed", Outlet: "NHK", Country: "JP", Lang: "ja", Enabled: true, AddedAt: w47.Start.AddDate(0, -2, 0)},
		{Name: "yonhap", Kind: "feed", Outlet: "Yonhap", Country: "KR", Lang: "ko", Enabled: true, AddedAt: w47.Start.Add(50 * time.Hour)},
		{Name: "dw", Kind: "site", Outlet: "Deutsche Welle", Country: "DE", Lang: "de", Enabled: true, AddedAt: w47.Start.AddDate(0, -1, 0)},
	}
	for _, src := range srcs {
		if err := s.UpsertSource(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	states := []store.SourceState{
		{Source: "reuters", LastSuccess: w47.End.Add(-time.Hour), LastNewItem: w47.End.Add(-2 * time.Hour), ItemsTotal: 40},
		{Source: "nhk", LastSuccess: w47.End.Add(-time.Hour), LastNewItem: w47.Start.AddDate(0, 0, -10), Silent: true},
		{Source: "yonhap", LastSuccess: w47.End.Add(-time.Hour), LastNewItem: w47.End.Add(-5 * time.Hour)},
		{Source: "dw", LastSuccess: w47.Start.AddDate(0, 0, -3), LastNewItem: w47.Start.AddDate(0, 0, -4), ConsecutiveErrors: 12, LastError: "HTTP 503"},
	}
	for _, st := range states {
		if err := s.UpsertSourceState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
}

// artifactDir is where tests write what a person should look at: the
// PRESSWATCH_ARTIFACTS folder when set, else a temporary one.
func artifactDir(t testing.TB, name string) string {
	t.Helper()
	base := os.Getenv("PRESSWATCH_ARTIFACTS")
	if base == "" {
		return t.TempDir()
	}
	dir := filepath.Join(base, "digest", name)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	return dir
}
